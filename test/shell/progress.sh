#!/usr/bin/env bash
# Progress of a long fit (doc/progress.md): with uplift.progress on, the
# client gets NOTICEs while the fit reads its rows, another session of the
# same role sees it in uplift_progress() (a role without its privileges does
# not), and nothing is left behind when the fit ends, fails or is cancelled;
# with the setting off, nothing is reported.
# Run by scripts/test.sh with PGHOST/PGPORT/PGUSER set and uplift_test ready.
set -euo pipefail
db=uplift_test
work=$(mktemp -d)
cleanup() {
    wait 2>/dev/null || true
    psql -X -q -d "$db" -c "DROP ROLE IF EXISTS progress_other" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "progress.sh: $*" >&2; exit 1; }

# About 2 s of reading: 40,000 rows with a 50 ms pause every 1,000.
fit="SELECT uplift_fit(ARRAY[g % 7, g % 5]::float8[], g % 2, (g % 3)::float8) IS NOT NULL
       FROM generate_series(1, 40000) g,
            LATERAL (SELECT CASE WHEN g % 1000 = 0 THEN pg_sleep(0.05) END) s"
run_fit() {   # $1: progress setting, $2: output file, $3: extra settings
    PGOPTIONS="-c client_min_messages=notice -c uplift.progress=$1 -c uplift.progress_interval=100 -c max_parallel_workers_per_gather=0 $3" \
        PGAPPNAME=progress_test psql -X -q -d "$db" -c "$fit" >"$2" 2>&1 || true
}
files() {
    psql -X -At -d "$db" -c "SELECT count(*) FROM pg_ls_dir('pg_stat_tmp') f WHERE f LIKE 'uplift_progress.%'"
}
psql -X -q -v ON_ERROR_STOP=1 -d "$db" -c "SET client_min_messages = warning" -c "DROP ROLE IF EXISTS progress_other" \
    -c "CREATE ROLE progress_other LOGIN" >/dev/null

run_fit on "$work/on.out" "" &
sleep 1
seen=$(psql -X -At -d "$db" -c "
    SELECT p.command || ' ' || p.phase || ' ' || (p.rows_read BETWEEN 1 AND 40000) || ' ' || (p.updated >= p.started)
           || ' ' || (p.rows_expected > 0)
      FROM uplift_progress() p JOIN pg_stat_activity a ON a.pid = p.pid
     WHERE a.application_name = 'progress_test'")
[ "$seen" = "uplift_fit reading rows true true true" ] || fail "another session saw '$seen' during the fit"
other=$(PGUSER=progress_other psql -X -At -d "$db" -c "SELECT count(*) FROM uplift_progress()")
[ "$other" = 0 ] || fail "a role without the fit's privileges saw $other rows"
wait
# "reading rows, 8192 of about 40000 rows read, 0.4 s, about 2 s left": the
# planner's estimate of the input and the time left at the rate so far
notices=$(grep -c '^NOTICE:  uplift_fit: reading rows, [0-9]* of about [0-9]* rows read, [0-9.]* s, about [0-9]* s left$' "$work/on.out" || true)
[ "$notices" -ge 3 ] || { cat "$work/on.out" >&2; fail "$notices progress notices, expected at least 3"; }
grep -q '^ t$' "$work/on.out" || fail "the fit did not return a model"
# rows read only grow
grep -o '[0-9]* rows read' "$work/on.out" | awk '$1 < last { exit 1 } { last = $1 }' ||
    fail "rows read went down between notices"
[ "$(files)" = 0 ] || fail "a progress file is left after the fit"
[ "$(psql -X -At -d "$db" -c "SELECT count(*) FROM uplift_progress()")" = 0 ] || fail "progress shown after the fit"

run_fit on "$work/cancel.out" "-c statement_timeout=700"
grep -q 'canceling statement due to statement timeout' "$work/cancel.out" || fail "the fit was not cancelled"
[ "$(files)" = 0 ] || fail "a progress file is left after a cancelled fit"

# An evaluation aggregate and allocate_budget report the same way, under
# their own names.
slow="generate_series(1, 40000) g, LATERAL (SELECT CASE WHEN g % 1000 = 0 THEN pg_sleep(0.05) END) s"
PGOPTIONS="-c client_min_messages=notice -c uplift.progress=on -c uplift.progress_interval=100 -c max_parallel_workers_per_gather=0" \
    psql -X -q -d "$db" -c "SELECT uplift_qini_auc(g::float8, g % 2, (g % 3)::float8) FROM $slow" \
    -c "SELECT count(*) FROM allocate_budget('SELECT g::bigint, 1, 1::float8, 1::float8 FROM $slow', 100)" \
    >"$work/others.out" 2>&1 || true
grep -q '^NOTICE:  uplift_qini_auc: reading rows, ' "$work/others.out" ||
    { cat "$work/others.out" >&2; fail "no progress from uplift_qini_auc"; }
grep -q '^NOTICE:  allocate_budget: reading rows, ' "$work/others.out" ||
    { cat "$work/others.out" >&2; fail "no progress from allocate_budget"; }
[ "$(files)" = 0 ] || fail "a progress file is left after evaluation and allocation"

# A fit over passes of a query reports each pass (when a report is due) with
# what it is for, and the rows its passes have read: 20,000 a pass here.
slow_query="SELECT ARRAY[g % 7, g % 5]::float8[], g % 2, (g % 3 = 0)::int::float8
              FROM generate_series(1, 20000) g, LATERAL (SELECT CASE WHEN g % 1000 = 0 THEN pg_sleep(0.02) END) s"
PGOPTIONS="-c client_min_messages=notice -c uplift.progress=on -c uplift.progress_interval=100" \
    psql -X -q -d "$db" -c "SELECT uplift_fit_query(\$q\$$slow_query\$q\$,
                                '{\"learner\": \"t_learner\", \"base\": \"forest\", \"n_trees\": 5, \"max_depth\": 3}') IS NOT NULL" \
    >"$work/query.out" 2>&1 || true
grep -q '^ t$' "$work/query.out" || { cat "$work/query.out" >&2; fail "the fit over passes did not return a model"; }
passes=$(grep -c '^NOTICE:  uplift_fit_query: pass [0-9]*, [a-z_ 0-9:]*, [0-9]*0000 rows read, [0-9.]* s$' "$work/query.out" || true)
[ "$passes" -ge 3 ] || { cat "$work/query.out" >&2; fail "$passes progress notices from uplift_fit_query, expected at least 3"; }
grep -q '^NOTICE:  uplift_fit_query: pass [0-9]*, growing the forest of treatment 1: level [1-3] of 3, ' "$work/query.out" ||
    { cat "$work/query.out" >&2; fail "no report of a level of a head's forest"; }
grep -o 'pass [0-9]*' "$work/query.out" | awk '$2 <= last { exit 1 } { last = $2 }' ||
    fail "passes did not count up between notices"
[ "$(files)" = 0 ] || fail "a progress file is left after a fit over passes"

run_fit off "$work/off.out" ""
! grep -q 'NOTICE' "$work/off.out" || fail "notices with uplift.progress off"
[ "$(files)" = 0 ] || fail "a progress file with uplift.progress off"
