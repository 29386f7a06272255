#!/usr/bin/env bash
# The cost of a row on a Citus shard (doc/citus.md): each aggregate over the
# rows of the demo campaign, and the same split in four parts the way Citus
# runs it (the test module of test/citus/, which makes the calls Citus makes:
# a function handle made afresh for every row, the arguments as one row
# value), in one session on a throwaway cluster, serial plans, the fastest
# of REPS runs (default 3) of each.
#   usage: bash bench/citus_calls.sh [N]      (default N = 200,000 rows)
# The calibration of a forest runs on N / 10 rows (its rows are slow).
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-200000}
REPS=${REPS:-3}
. scripts/cluster.sh
uplift_build_install
make -C test/citus -s >/dev/null && make -C test/citus -s install >/dev/null
cluster_start

psql -q -X -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE uplift_bench" >/dev/null
psql -q -X -v ON_ERROR_STOP=1 -d uplift_bench -c "CREATE EXTENSION uplift" \
    -f test/fixtures/05_citus_calls.sql -f bench/bench.sql >/dev/null
psql -q -X -At -v ON_ERROR_STOP=1 -d uplift_bench <<SQL
SET max_parallel_workers_per_gather = 0;
CREATE TABLE log AS
SELECT unit_id AS i, features, action, propensity, value,
       CASE action WHEN 2 THEN 0.7 ELSE 0.15 END::float8 AS ta
FROM uplift_demo_campaign($N, 13);
VACUUM ANALYZE log;
CREATE TABLE models AS
SELECT (SELECT uplift_fit(features, action, value, '{"base": "linear"}') FROM log) AS linear,
       (SELECT uplift_fit(features, action, value, '{"base": "forest", "n_trees": 50, "max_depth": 6}')
          FROM log WHERE i <= 40000) AS forest;
CREATE FUNCTION n_rows(cond text) RETURNS bigint LANGUAGE plpgsql AS
\$\$DECLARE n bigint; BEGIN EXECUTE 'SELECT count(*) FROM log WHERE ' || cond INTO n; RETURN n; END\$\$;
CREATE TABLE cases (name text, sig text, args text, rows text);
INSERT INTO cases VALUES
 ('ips_value(...)', 'ips_value(float8, float8, float8)', 'value, propensity, ta', 'true'),
 ('ips_value(..., ''{"clip": 3}'')', 'ips_value(float8, float8, float8, jsonb)',
  'value, propensity, ta, ''{"clip": 3}''::jsonb', 'true'),
 ('uplift_fit_calibration, linear model', 'uplift_fit_calibration(uplift_model, float8[], int, float8, float8)',
  '(SELECT linear FROM models), features, action, value, propensity', 'true'),
 ('uplift_fit_calibration, forest of 50 trees', 'uplift_fit_calibration(uplift_model, float8[], int, float8, float8)',
  '(SELECT forest FROM models), features, action, value, propensity', 'i <= $N / 10');
SELECT format('%-42s %9s %9s %10s %8s', 'aggregate', 'rows', 'one pass', 'as Citus', 'ratio');
SELECT format('%-42s %9s %9s %10s %8s', c.name, n_rows(c.rows), round(a::numeric, 3) || ' s',
              round(b::numeric, 3) || ' s', round((b / a)::numeric, 1))
FROM cases c,
     LATERAL (SELECT bench(format('SELECT %s(%s) IS NULL FROM log WHERE %s', split_part(c.sig, '(', 1), c.args, c.rows),
                          $REPS) AS a,
                     bench(format('SELECT citus_calls.combine(%1\$L::regprocedure::oid, part, NULL::%2\$s) IS NULL
                                     FROM (SELECT citus_calls.partial(%1\$L::regprocedure::oid, ROW(%3\$s)) AS part
                                             FROM log WHERE %4\$s GROUP BY i %% 4) parts',
                                  c.sig, (SELECT prorettype::regtype FROM pg_proc WHERE oid = c.sig::regprocedure),
                                  c.args, c.rows), $REPS) AS b) t;
SQL
