#!/usr/bin/env bash
# Fuzz every public function and aggregate (test/shell/fuzz.sql builds the
# cases from the catalog with a fixed seed) and check that the server stays
# up, that no error is internal (SQLSTATE XX000), that no call outlives the
# statement timeout, that no finite arguments give a NaN or infinite result
# and that no hostile query text (two statements in one) is run.  One psql
# session sends one statement per case, so a crash loses only its own case:
# the script records it, waits for the server to come back and goes on with
# the next case.  Findings listed in test/shell/fuzz_known.sql (to be fixed
# in other areas) are reported and do not fail the test; known crashes and
# timeouts are not run.  UPLIFT_FUZZ_KEEP=1 keeps the database uplift_fuzz
# (tables fuzz.cases and fuzz.results) for a closer look.
set -uo pipefail
export PGOPTIONS="-c client_min_messages=warning"
here=$(cd "$(dirname "$0")" && pwd)
db=uplift_fuzz
timeout_ms=${UPLIFT_FUZZ_TIMEOUT_MS:-5000}
psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" || exit 1
[ -n "${UPLIFT_FUZZ_KEEP:-}" ] || trap 'psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1' EXIT

q() { psql -X -q -At -v ON_ERROR_STOP=1 -d $db "$@"; }

wait_for_server() {
    for _ in $(seq 1 60); do
        q -c "SELECT 1" >/dev/null 2>&1 && return 0
        sleep 1
    done
    echo "the server did not come back after a crash" >&2
    return 1
}

q -c "CREATE EXTENSION uplift" -f "$here/fuzz.sql" -f "$here/fuzz_known.sql" >/dev/null || exit 1
# Known crashes and timeouts are not run (each would cost a restart or a timeout).
skip_known() {
    q -c "UPDATE fuzz.cases c SET skip = k.kind FROM fuzz.known k
          WHERE c.skip IS NULL AND k.kind IN ('crash', 'timeout')
            AND c.sig LIKE k.sig AND c.label LIKE k.label_like" >/dev/null
}
skip_known || exit 1

# The parallel cases must get a parallel plan with partial aggregates.
plan=$(q -c "SET parallel_setup_cost = 0" -c "SET parallel_tuple_cost = 0" \
         -c "SET min_parallel_table_scan_size = 0" -c "SET max_parallel_workers_per_gather = 2" \
         -c "SELECT fuzz.explain((SELECT min(id) FROM fuzz.cases WHERE parallel AND label = 'parallel: valid'))")
echo "$plan" | grep -q "Partial Aggregate" || { echo "fuzz: the parallel cases do not get a parallel plan" >&2; exit 1; }

start=$(date +%s)
next=0
expanded=
while :; do
    # One statement per case: statement_timeout bounds each call.
    q -c "SELECT format('SELECT fuzz.run_case(%s);', id) FROM fuzz.cases
          WHERE id > $next AND skip IS NULL ORDER BY id" > /tmp/uplift_fuzz.$$.sql || exit 1
    if [ ! -s /tmp/uplift_fuzz.$$.sql ]; then
        # Second pass: every value of the option keys each function knows.
        [ -z "$expanded" ] || break
        expanded=1
        q -c "SELECT fuzz.expand_options()" >/dev/null && skip_known || exit 1
        continue
    fi
    last=$(tail -1 /tmp/uplift_fuzz.$$.sql | tr -dc 0-9)
    if psql -X -q -At -d $db -c "SET statement_timeout = $timeout_ms" \
            -f /tmp/uplift_fuzz.$$.sql >/dev/null 2>/tmp/uplift_fuzz.$$.err; then
        next=$last
        continue
    fi
    # The connection was lost: the first case without a result crashed.
    wait_for_server || exit 1
    crashed=$(q -c "SELECT min(id) FROM fuzz.cases c WHERE skip IS NULL
                    AND NOT EXISTS (SELECT 1 FROM fuzz.results r WHERE r.id = c.id)")
    [ -n "$crashed" ] || { cat /tmp/uplift_fuzz.$$.err >&2; break; }
    q -c "INSERT INTO fuzz.results VALUES ($crashed, 'crash', 'the server process terminated', NULL, NULL, NULL)" || exit 1
    next=$crashed
done
rm -f /tmp/uplift_fuzz.$$.sql /tmp/uplift_fuzz.$$.err
elapsed=$(( $(date +%s) - start ))

# The summary, then the verdict: every case ran and no finding is new.
psql -X -q -d $db -v elapsed=$elapsed <<'SQL'
\pset footer off
SELECT count(DISTINCT c.fn) AS functions, count(*) AS cases,
       count(*) FILTER (WHERE r.state = '00000') AS ok,
       count(*) FILTER (WHERE r.state NOT IN ('00000', 'crash')) AS errors,
       count(*) FILTER (WHERE c.skip IS NOT NULL) AS skipped_known,
       :elapsed AS seconds
FROM fuzz.cases c LEFT JOIN fuzz.results r USING (id) \gx
SELECT string_agg(state || ' ' || n, ', ' ORDER BY n DESC, state) AS "errors by SQLSTATE"
FROM (SELECT state, count(*) AS n FROM fuzz.results WHERE state <> '00000' GROUP BY state) s;
-- Findings: new ones case by case, known ones counted per function.
WITH found AS (
    SELECT f.kind, f.sig, f.label, f.state, f.message,
           EXISTS (SELECT 1 FROM fuzz.known k WHERE f.sig LIKE k.sig AND f.label LIKE k.label_like
                                                AND k.kind = f.kind) AS known
    FROM fuzz.findings f WHERE f.kind IS NOT NULL
    UNION ALL
    SELECT c.skip, c.sig, c.label, NULL, 'not run', true FROM fuzz.cases c WHERE c.skip IS NOT NULL)
SELECT CASE WHEN known THEN 'known' ELSE 'NEW' END AS status, kind, sig,
       count(*) AS cases, min(label) AS "first case", left(min(message), 60) AS message
FROM found
GROUP BY known, kind, sig, CASE WHEN known THEN NULL ELSE label END
ORDER BY known, kind, sig, min(label);
SELECT k.kind, k.sig, k.label_like AS "known finding no longer seen"
FROM fuzz.known k
WHERE k.kind NOT IN ('crash', 'timeout')
  AND NOT EXISTS (SELECT 1 FROM fuzz.findings f WHERE f.sig LIKE k.sig AND f.label LIKE k.label_like
                                                AND f.kind = k.kind);
SELECT c.sig AS "NULL or no rows from non-NULL arguments", count(*) AS cases, min(c.label) AS "first case"
FROM fuzz.cases c JOIN fuzz.results r USING (id)
WHERE r.state = '00000' AND r.is_null AND NOT c.null_in AND c.label <> 'no rows'
GROUP BY c.sig ORDER BY c.sig;
SELECT c.sig AS "calls slower than a second", c.label, round(r.ms) AS ms
FROM fuzz.cases c JOIN fuzz.results r USING (id)
WHERE r.ms > 1000 AND r.state <> '57014' ORDER BY r.ms DESC;
SELECT f.sig AS "only NULL for arguments of these types", string_agg(a.typ::text, ', ') AS types
FROM fuzz.funcs f JOIN fuzz.args a USING (fn) WHERE a.kind IS NULL GROUP BY f.sig ORDER BY f.sig;
SELECT c.sig AS "non-finite result from non-finite arguments", count(*) AS cases
FROM fuzz.cases c JOIN fuzz.results r USING (id)
WHERE r.state = '00000' AND r.nonfinite AND c.nonfinite_in GROUP BY c.sig ORDER BY c.sig;
SQL

verdict=$(q -c "
    SELECT concat_ws('; ',
        (SELECT count(*) || ' cases without a result' FROM fuzz.cases c
          WHERE c.skip IS NULL AND NOT EXISTS (SELECT 1 FROM fuzz.results r WHERE r.id = c.id) HAVING count(*) > 0),
        (SELECT count(*) || ' new findings' FROM fuzz.findings f
          WHERE f.kind IS NOT NULL AND NOT EXISTS (
                SELECT 1 FROM fuzz.known k WHERE f.sig LIKE k.sig AND f.label LIKE k.label_like AND k.kind = f.kind)
          HAVING count(*) > 0))") || exit 1
[ -z "$verdict" ] || { echo "fuzz: $verdict" >&2; exit 1; }
