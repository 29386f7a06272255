#!/usr/bin/env bash
# Run the whole test suite: pg_regress (sql/ + expected/), pgTAP (test/*.sql
# via pg_prove), the examples of README.md and doc/ (scripts/doctest.sh) and
# the shell tests (test/shell/) on a throwaway cluster, and the C unit tests
# (test/unit/).  Ends with "N passed, N failed".
# Tests that read the shared data sets expect ../shared beside this checkout.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
. scripts/cluster.sh
uplift_build_install
# the test module that calls aggregates as Citus does (test/citus/)
make -C test/citus -s >/dev/null && make -C test/citus -s install >/dev/null
cluster_start

passed=0; failed=0

# pg_regress: one count per test file.
regress_log=$(mktemp)
if make -s installcheck >"$regress_log" 2>&1; then :; fi
cat "$regress_log"
regress_ok=$(grep -cE '^(ok|test) .*\.\.\. ok|^ok [0-9]+ ' "$regress_log" || true)
regress_bad=$(grep -cE 'FAILED|failed \(ignored\)' "$regress_log" || true)
if grep -q "tests passed" "$regress_log" || [ "$regress_bad" -gt 0 ]; then :; else
    echo "pg_regress did not run" >&2; regress_bad=$((regress_bad + 1)); fi
[ -f regression.diffs ] && cat regression.diffs
passed=$((passed + regress_ok)); failed=$((failed + regress_bad))

# pgTAP: a database with the extension and the shared data fixtures
# (scripts/tapdb.sh, as "make prove" creates it).
bash scripts/tapdb.sh uplift_test
prove_log=$(mktemp)
if pg_prove -d uplift_test test/*.sql >"$prove_log" 2>&1; then prove_rc=0; else prove_rc=$?; fi
cat "$prove_log"
tests=$(sed -n 's/.*Tests=\([0-9]*\).*/\1/p' "$prove_log" | tail -1)
bad=$(sed -n 's/.*Failed \([0-9]*\)\/[0-9]* subtests.*/\1/p' "$prove_log" | awk '{s+=$1} END {print s+0}')
tests=${tests:-0}
[ "$prove_rc" -ne 0 ] && [ "$bad" -eq 0 ] && bad=1
passed=$((passed + tests - bad)); failed=$((failed + bad))

# Doc examples (scripts/doctest.sh): README.md and every page of doc/ run in
# fresh databases; one count per page.
doc_log=$(mktemp)
if bash scripts/doctest.sh >"$doc_log" 2>&1; then :; fi
cat "$doc_log"
doc_ok=$(grep -c '\.\. ok$' "$doc_log" || true)
doc_bad=$(grep -c '\.\. FAILED$' "$doc_log" || true)
if [ $((doc_ok + doc_bad)) -eq 0 ]; then echo "the doc test did not run" >&2; doc_bad=1; fi
passed=$((passed + doc_ok)); failed=$((failed + doc_bad))

# Shell tests (test/shell/*.sh): for what SQL alone cannot drive, such as
# concurrent clients.  Each gets PGHOST/PGPORT/PGUSER and the uplift_test database.
for t in test/shell/*.sh; do
    [ -e "$t" ] || continue
    if bash "$t"; then echo "$t .. ok"; passed=$((passed + 1));
    else echo "$t .. FAILED"; failed=$((failed + 1)); fi
done

# C unit tests (test/unit/, make unittest): built without a server, each
# program prints TAP; each "ok" line counts as passed, each "not ok" (and a
# failed build, or fewer results than the programs' plans add up to) as
# failed.
unit_log=$(mktemp)
if make -s unittest >"$unit_log" 2>&1; then unit_rc=0; else unit_rc=$?; fi
cat "$unit_log"
unit_ok=$(grep -c '^ok ' "$unit_log" || true)
unit_bad=$(grep -c '^not ok ' "$unit_log" || true)
unit_plan=$(sed -n 's/^1\.\.\([0-9]*\)$/\1/p' "$unit_log" | awk '{s+=$1} END {print s+0}')
if [ "$unit_rc" -ne 0 ] && [ "$unit_bad" -eq 0 ]; then unit_bad=1; fi
if [ "${unit_plan:-0}" -ne $((unit_ok + unit_bad)) ] && [ "$unit_bad" -eq 0 ]; then unit_bad=1; fi
passed=$((passed + unit_ok)); failed=$((failed + unit_bad))

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
