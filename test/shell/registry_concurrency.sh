#!/usr/bin/env bash
# Concurrent writers of one name: 4 pgbench clients each register 25 versions
# of the same name and deploy what they registered (100 calls of each).  Every
# call must succeed, the versions must be exactly 1..100 with no gap or
# duplicate, every version registered by exactly one call, and the deployment
# log numbered 1..100 with each step's from_version the previous step's
# to_version (no lost or interleaved deploy).
# Run by scripts/test.sh with PGHOST/PGPORT/PGUSER set and uplift_test ready.
set -euo pipefail
db=uplift_test
name=rg_concurrency
work=$(mktemp -d)
cleanup() {
    psql -X -q -d "$db" -c "DROP TABLE IF EXISTS rg_pgbench_calls, rg_pgbench_model" \
        -c "DELETE FROM uplift_deployments WHERE name = '$name'" \
        -c "DELETE FROM uplift_registry WHERE name = '$name'" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT

psql -X -q -v ON_ERROR_STOP=1 -d "$db" <<SQL
SET client_min_messages = warning;
DROP TABLE IF EXISTS rg_pgbench_calls;
CREATE TABLE rg_pgbench_calls (client int, version int);
DROP TABLE IF EXISTS rg_pgbench_model;
CREATE TABLE rg_pgbench_model AS
SELECT uplift_model_import('{"learner":"s_learner","base":"linear","n_actions":1,"n_features":1,
   "interactions":false,"heads":[{"role":"joint","action":-1,"link":"identity","intercept":0,"coefficients":[1,1]}]}') AS model;
SQL

cat >"$work/call.sql" <<SQL
INSERT INTO rg_pgbench_calls
SELECT :client_id, uplift_deploy('$name', uplift_register('$name', model)) FROM rg_pgbench_model;
SQL

timeout 120 pgbench -n -c 4 -j 2 -t 25 -f "$work/call.sql" "$db" \
    >"$work/pgbench.log" 2>&1 || { cat "$work/pgbench.log" >&2; exit 1; }
grep -q "number of transactions actually processed: 100/100" "$work/pgbench.log" ||
    { cat "$work/pgbench.log" >&2; exit 1; }

result=$(psql -X -At -v ON_ERROR_STOP=1 -d "$db" <<SQL
SELECT (SELECT array_agg(version ORDER BY version) FROM rg_pgbench_calls)
         = ARRAY(SELECT generate_series(1, 100))
   AND (SELECT array_agg(version ORDER BY version) FROM uplift_registry WHERE name = '$name')
         = ARRAY(SELECT generate_series(1, 100))
   AND (SELECT array_agg(step ORDER BY step) FROM uplift_deployments WHERE name = '$name')
         = ARRAY(SELECT generate_series(1, 100))
   AND NOT EXISTS (SELECT FROM uplift_deployments d JOIN uplift_deployments p
                     ON p.name = d.name AND p.step = d.step - 1
                    WHERE d.name = '$name' AND d.from_version IS DISTINCT FROM p.to_version)
SQL
)
if [ "$result" != t ]; then
    echo "registry under concurrency: lost, duplicated or interleaved versions or deploys" >&2
    psql -X -d "$db" -c "SELECT count(*), count(DISTINCT version), min(version), max(version) FROM rg_pgbench_calls" >&2
    exit 1
fi
