#!/usr/bin/env bash
# Concurrent logging: 8 pgbench clients on the local socket call
# uplift_assign_logged for 300 units (1,200 calls in all, at most 120 s), and
# every call records what it got back.  Then: one log row per unit called
# (no duplicates, no lost rows), no row for a unit never called, every call
# saw the logged row, and every logged action is the unit's hashed draw.
# Run by scripts/test.sh with PGHOST/PGPORT/PGUSER set and uplift_test ready.
set -euo pipefail
db=uplift_test
exp=pgbench-concurrency
work=$(mktemp -d)
cleanup() {
    psql -X -q -d "$db" -c "DROP TABLE IF EXISTS assign_pgbench_calls" \
        -c "DELETE FROM uplift_assignment_log WHERE experiment = '$exp'" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT

psql -X -q -v ON_ERROR_STOP=1 -d "$db" <<SQL
SET client_min_messages = warning;
SELECT uplift_create_assignment_log();
DROP TABLE IF EXISTS assign_pgbench_calls;
CREATE TABLE assign_pgbench_calls (client int, unit bigint, action int, propensity float8);
DELETE FROM uplift_assignment_log WHERE experiment = '$exp';
SQL

cat >"$work/call.sql" <<SQL
\set u random(1, 300)
INSERT INTO assign_pgbench_calls
SELECT :client_id, :u, action, propensity
  FROM uplift_assign_logged('$exp', :u, ARRAY[0.5, 0.3, 0.2]);
SQL

timeout 120 pgbench -n -c 8 -j 2 -t 150 --random-seed=1 -f "$work/call.sql" "$db" \
    >"$work/pgbench.log" 2>&1 || { cat "$work/pgbench.log" >&2; exit 1; }
grep -q "number of transactions actually processed: 1200/1200" "$work/pgbench.log" ||
    { cat "$work/pgbench.log" >&2; exit 1; }

result=$(psql -X -At -v ON_ERROR_STOP=1 -d "$db" <<SQL
SELECT (SELECT count(*) FROM assign_pgbench_calls) = 1200
   AND (SELECT count(*) FROM uplift_assignment_log WHERE experiment = '$exp')
     = (SELECT count(DISTINCT unit) FROM assign_pgbench_calls)
   AND (SELECT count(DISTINCT unit_id) FROM uplift_assignment_log WHERE experiment = '$exp')
     = (SELECT count(*) FROM uplift_assignment_log WHERE experiment = '$exp')
   AND NOT EXISTS (SELECT 1 FROM assign_pgbench_calls c
                    WHERE NOT EXISTS (SELECT 1 FROM uplift_assignment_log l
                                       WHERE l.experiment = '$exp' AND l.unit_id = c.unit
                                         AND l.action = c.action AND l.propensity = c.propensity))
   AND NOT EXISTS (SELECT 1 FROM uplift_assignment_log l
                    WHERE l.experiment = '$exp'
                      AND (l.unit_id NOT IN (SELECT unit FROM assign_pgbench_calls)
                           OR (l.action, l.propensity) IS DISTINCT FROM
                              (SELECT (action, propensity)
                                 FROM uplift_assign('$exp', l.unit_id, ARRAY[0.5, 0.3, 0.2]))))
SQL
)
if [ "$result" != t ]; then
    echo "assignment log under concurrency: duplicates, lost rows or disagreeing calls" >&2
    psql -X -d "$db" -c "SELECT count(*), count(DISTINCT unit) FROM assign_pgbench_calls" \
        -c "SELECT count(*), count(DISTINCT unit_id) FROM uplift_assignment_log WHERE experiment = '$exp'" >&2
    exit 1
fi
