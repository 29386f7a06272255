#!/usr/bin/env bash
# Run the examples of README.md and every page of doc/ and check their output.
#
#   bash scripts/doctest.sh [page.md ...]      (default: README.md doc/*.md)
#   DOCTEST_UPDATE=1 bash scripts/doctest.sh   (write what psql printed into
#                                               the shown blocks that differ)
#
# Each page runs top to bottom, from the repository root (so `../shared/data`
# holds the shared data sets), in a fresh database where the extension has been
# created, through one psql session in its default aligned format.  Every
# ```sql block must run without error.  A plain ``` block that follows a sql
# block (with nothing but blank lines between) must be exactly what psql
# prints for that block, leaving aside blank lines, command tags (CREATE
# TABLE, INSERT 0 1, SELECT 20000, SET, ...) and "(N rows)" footers.  Other
# blocks (```sh, ```python, plain blocks after prose) are not run.  Every
# relative link must name a file that exists and, with #anchor, a heading.
#
# Prints one line per page, "PAGE .. ok" or "PAGE .. FAILED" (with the line
# of the failing block and a diff), and exits non-zero if a page failed.
# Uses the server that PGHOST/PGPORT/PGUSER name; without PGHOST it builds and
# installs the extension and starts a throwaway cluster (scripts/cluster.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

work=$(mktemp -d /tmp/uplift-doctest.XXXXXX)
if [ -z "${PGHOST:-}" ]; then
    . scripts/cluster.sh
    uplift_build_install
    cluster_start
    trap 'rm -rf "$work"; cluster_stop' EXIT
else
    trap 'rm -rf "$work"' EXIT
fi
[ $# -gt 0 ] || set -- README.md doc/*.md

# Split a page into a psql script and expected outputs.  For the sql block
# that starts at page line L the script has "\echo @@block L@@" and then the
# block; the plain block after it goes to expected.L.  lines.map gives, for
# every script line, the page line it comes from.
split_page() {
    awk -v dir="$1" '
        function emit(text, pageline) {
            print text > (dir "/script.sql"); print pageline > (dir "/lines.map")
        }
        /^```/ {
            if (!infence) {
                infence = 1; kind = substr($0, 4); start = NR
                if (kind == "sql") emit("\\echo @@block " NR "@@", NR)
                else if (kind == "" && after_sql) {
                    expected = dir "/expected." after_sql; printf "" > expected
                    shown_from = NR + 1
                }
                next
            }
            infence = 0
            if (expected != "") print shown_from, NR - 1 > (dir "/shown." after_sql)
            if (kind == "sql") after_sql = start
            else { if (expected != "") close(expected); expected = ""; after_sql = 0 }
            next
        }
        infence && kind == "sql" { emit($0, NR); next }
        infence && expected != "" { print > expected; next }
        infence { next }
        /^[ \t]*$/ { next }
        { after_sql = 0 }
    ' "$2"
}

# What a comparison ignores: trailing white space (psql pads the last column's
# header), blank lines, command tags and row-count footers.
normalise() {
    sed 's/[[:space:]]*$//' "$1" | grep -vE '^$|^[A-Z]+( [A-Z]+)*( [0-9]+)*$|^\([0-9]+ rows?\)$' || true
}

# Replace the lines FROM..TO of a page (a shown block) by what psql printed.
update_shown() {
    local page=$1 range from to
    range=$(cat "$2"); from=${range% *}; to=${range#* }
    normalise "$3" > "$3.norm"
    awk -v from="$from" -v to="$to" -v printed="$3.norm" '
        NR == from { while ((getline l < printed) > 0) print l }
        NR >= from && NR <= to { next }
        { print }' "$page" > "$page.new" && mv "$page.new" "$page"
    echo "$page: updated the block at line $from" >> "$(dirname "$2")/report"
}

run_page() {
    local page=$1 dir=$2 db=$3
    split_page "$dir" "$page"
    [ -f "$dir/script.sql" ] || { echo "no sql block" > "$dir/report"; return 0; }
    if ! PGOPTIONS="-c client_min_messages=warning" psql -X -q -v ON_ERROR_STOP=1 -d postgres \
            -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null 2>"$dir/report" ||
       ! psql -X -q -v ON_ERROR_STOP=1 -d "$db" -c "CREATE EXTENSION uplift" >/dev/null 2>>"$dir/report"; then
        return 1
    fi
    local rc=0 failed=0 last=0 exp line stale=
    psql -X -v ON_ERROR_STOP=1 -d "$db" -f "$dir/script.sql" >"$dir/out" 2>"$dir/err" || rc=$?
    psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true
    # One output file per block, named after the block's first line.
    awk -v dir="$dir" '/^@@block [0-9]+@@$/ { gsub(/[^0-9]/, ""); f = dir "/actual." $0; printf "" > f; next }
                       f != "" { print > f }' "$dir/out"
    if [ "$rc" -ne 0 ]; then
        local sline pline
        sline=$(sed -n 's/^psql:[^:]*:\([0-9]*\): ERROR:.*/\1/p' "$dir/err" | head -1)
        pline=$([ -n "$sline" ] && sed -n "${sline}p" "$dir/lines.map")
        echo "$page:${pline:-?}: the example fails" >>"$dir/report"
        sed 's/^psql:[^:]*:[0-9]*: //' "$dir/err" >>"$dir/report"
        failed=1
        # The failing block's output is cut short; it and later blocks are not compared.
        last=$(sed -n 's/^@@block \([0-9]*\)@@$/\1/p' "$dir/out" | tail -1)
    fi
    for exp in "$dir"/expected.*; do
        [ -e "$exp" ] || continue
        line=${exp##*.}
        [ "$last" -gt 0 ] && [ "$line" -ge "$last" ] && continue
        if ! diff -u --label "$page:$line (shown)" --label "$page:$line (printed)" \
                <(normalise "$exp") <(normalise "$dir/actual.$line") >>"$dir/report"; then
            failed=1
            stale="$line $stale"
        fi
    done
    # Bottom to top, so that earlier blocks keep their line numbers.
    if [ -n "${DOCTEST_UPDATE:-}" ]; then
        for line in $(echo $stale | tr ' ' '\n' | sort -rn); do
            update_shown "$page" "$dir/shown.$line" "$dir/actual.$line"
        done
    fi
    return $failed
}

# The anchors of a page's headings, as GitHub makes them.
anchors() {
    awk '/^```/ { f = !f; next }
         !f && /^#+ / { h = tolower($0); sub(/^#+ /, "", h); gsub(/[^a-z0-9 _-]/, "", h);
                       gsub(/ /, "-", h); print h }' "$1"
}

# Every relative link of a page, outside code blocks, must name a file that
# exists and, with #anchor, a heading of that file (or of the page itself).
check_links() {
    local page=$1 dir line target file anchor bad=0
    dir=$(dirname "$page")
    while IFS=: read -r line target; do
        case "$target" in http://*|https://*|mailto:*) continue ;; esac
        file=${target%%#*}; anchor=
        [ "$file" != "$target" ] && anchor=${target#*#}
        if [ -z "$file" ]; then file=$page; else file=$dir/$file; fi
        if [ ! -e "$file" ]; then
            echo "$page:$line: link to $target: no such file"; bad=1
        elif [ -n "$anchor" ] && ! anchors "$file" | grep -qxF -- "$anchor"; then
            echo "$page:$line: link to $target: no such heading in $file"; bad=1
        fi
    done < <(awk '/^```/ { f = !f; next }
                  !f { s = $0
                       while (match(s, /\]\([^) ]+\)/)) {
                           print NR ":" substr(s, RSTART + 2, RLENGTH - 3); s = substr(s, RSTART + RLENGTH) } }' "$page")
    return $bad
}

status=0
for page in "$@"; do
    name=$(basename "$page" .md | tr -c 'a-zA-Z0-9\n' '_' | tr 'A-Z' 'a-z')
    dir="$work/$name"; mkdir -p "$dir"
    ok=1
    run_page "$page" "$dir" "uplift_doc_$name" || ok=0
    check_links "$page" >>"$dir/report" || ok=0
    if [ $ok = 1 ]; then
        echo "$page .. ok"
    else
        echo "$page .. FAILED"; cat "$dir/report"; status=1
    fi
done
exit $status
