#!/usr/bin/env bash
# Off-policy evaluation benchmark: on N logged rows (default 10,000,000,
# generated in SQL with a fixed seed), the time of
#   SELECT sum(reward * target / logged) FROM t
# and of ips_value, snips_value and dr_value with the normal interval,
# ope_overlap, the paired ips_diff, snips_diff, dr_diff, sndr_value,
# switch_dr_value, uplift_ate and ope_allocation, as ratios to that
# baseline, in one run on a throwaway cluster.  Serial plans (no parallel
# workers): the backend's CPU time, the smallest of REPS runs (default 5),
# the queries taking turns; and in column "parallel_s" the wall time of the
# fastest of REPS runs under a forced parallel plan (2 workers).
#   usage: bash bench/ope.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-${N:-10000000}}
REPS=${REPS:-5}
. scripts/cluster.sh
uplift_build_install
cluster_start

psql -q -X -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE uplift_bench" >/dev/null
psql -q -X -v ON_ERROR_STOP=1 -d uplift_bench <<SQL
CREATE EXTENSION uplift;
SELECT setseed(0.17);
CREATE TABLE t AS
SELECT reward, logged::float8 AS logged, target::float8 AS target,
       (0.05 + 0.1 * a)::float8 AS q_logged, 0.2::float8 AS q_target,
       baseline::float8 AS baseline, 0.15::float8 AS q_baseline,
       a::int AS action, (a = 2)::int AS chosen, 10 * reward AS value, (a > 0)::int::float8 AS cost
FROM (SELECT (random() < 0.1 + 0.05 * a)::int::float8 AS reward,
             CASE a WHEN 0 THEN 0.5 WHEN 1 THEN 0.3 ELSE 0.2 END AS logged,
             CASE a WHEN 2 THEN 0.8 ELSE 0.1 END AS target,
             CASE a WHEN 1 THEN 0.6 ELSE 0.2 END AS baseline, a
      FROM (SELECT CASE WHEN u < 0.5 THEN 0 WHEN u < 0.8 THEN 1 ELSE 2 END AS a
            FROM (SELECT random() AS u FROM generate_series(1, $N)) s) s2) s3;
VACUUM ANALYZE t;

\i bench/bench.sql
SQL

psql -X -v ON_ERROR_STOP=1 -d uplift_bench <<SQL
SET max_parallel_workers_per_gather = 0;
SET jit = off;
SELECT bench('SELECT count(*) FROM t', 1) AS warm_up \gset
CREATE TEMP TABLE queries (k, name, q) AS VALUES
  (1, 'baseline: sum(reward * target / logged)', 'SELECT sum(reward * target / logged) FROM t'),
  (2, 'ips_value', 'SELECT ips_value(reward, logged, target) FROM t'),
  (3, 'snips_value', 'SELECT snips_value(reward, logged, target) FROM t'),
  (4, 'dr_value', 'SELECT dr_value(reward, logged, target, q_logged, q_target) FROM t'),
  (5, 'ips_diff', 'SELECT ips_diff(reward, logged, target, baseline) FROM t'),
  (6, 'snips_diff', 'SELECT snips_diff(reward, logged, target, baseline) FROM t'),
  (7, 'dr_diff', 'SELECT dr_diff(reward, logged, target, baseline, q_logged, q_target, q_baseline) FROM t'),
  (8, 'sndr_value', 'SELECT sndr_value(reward, logged, target, q_logged, q_target) FROM t'),
  (9, 'switch_dr_value', 'SELECT switch_dr_value(reward, logged, target, q_logged, q_target, ''{"tau": 3}'') FROM t'),
  (10, 'ope_overlap', 'SELECT ope_overlap(logged, target) FROM t'),
  (11, 'uplift_ate', 'SELECT uplift_ate(action, reward) FROM t'),
  (12, 'ope_allocation', 'SELECT ope_allocation(action, logged, chosen, value, cost, ''{"actions": 2, "epsilon": 0.1}'') FROM t');
CREATE TEMP TABLE timings AS
SELECT q.k, q.name, c.seconds
FROM queries q
JOIN unnest(bench_cpu((SELECT array_agg(q ORDER BY k) FROM queries), $REPS)) WITH ORDINALITY c(seconds, k)
  USING (k);
SET max_parallel_workers_per_gather = 2;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
CREATE TEMP TABLE parallel_timings AS SELECT k, bench(q, $REPS) AS seconds FROM queries ORDER BY k;
\echo rows: $N; serial: backend CPU seconds, the smallest of $REPS runs taking turns, and its ratio
\echo to the baseline; parallel: wall seconds of the fastest of $REPS runs with 2 workers
SELECT name, round(t.seconds::numeric, 3) AS serial_cpu_s,
       round((t.seconds / (SELECT seconds FROM timings WHERE name LIKE 'baseline%'))::numeric, 2) AS ratio,
       round(p.seconds::numeric, 3) AS parallel_s
FROM timings t JOIN parallel_timings p USING (k) ORDER BY k;
SQL
