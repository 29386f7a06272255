#!/usr/bin/env bash
# Paired off-policy estimators at scale, in one run on a throwaway cluster:
#  1. coverage: CAMPAIGNS demo campaigns (default 400) of UNITS units each
#     (default 10,000), the same policies and closed-form truths as
#     test/ope_compare_coverage.sql; the share of 95% intervals of ips_diff,
#     snips_diff, dr_diff and ope_allocation (against no offer) that hold the
#     truth, and the mean standard error against the spread of the estimates;
#  2. time: on N logged rows (default 10,000,000, seeded), ips_diff,
#     snips_diff and dr_diff against ips_value and dr_value and the baseline
#     SELECT sum(reward * (ta - tb) / logged); serial plans, best of REPS runs.
#   usage: bash bench/ope_compare.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-${N:-10000000}}
REPS=${REPS:-5}
CAMPAIGNS=${CAMPAIGNS:-400}
UNITS=${UNITS:-10000}
. scripts/cluster.sh
uplift_build_install
cluster_start

psql -q -X -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE uplift_bench" >/dev/null
psql -q -X -v ON_ERROR_STOP=1 -d uplift_bench -c "CREATE EXTENSION uplift"

echo "== coverage: $CAMPAIGNS campaigns of $UNITS units"
psql -X -v ON_ERROR_STOP=1 -d uplift_bench <<SQL
\timing on
CREATE TABLE est AS
SELECT rep,
       ips_diff(value, propensity, (action = chosen)::int, (action = 1)::int) AS ips,
       snips_diff(value, propensity, (action = chosen)::int, (action = 1)::int) AS snips,
       dr_diff(value, propensity, (action = chosen)::int, (action = 1)::int,
               base + CASE action WHEN 0 THEN 0 WHEN 1 THEN 0.8 ELSE 1.2 END,
               base + CASE chosen WHEN 1 THEN 0.8 ELSE 1.2 END, base + 0.8) AS dr,
       (ope_allocation(action, propensity, chosen, value, cost, '{"actions": 2, "epsilon": 0.1}'))[1] AS alloc
FROM (SELECT s AS rep, c.action, c.propensity, c.value, c.cost,
             CASE WHEN c.features[2] > 0 THEN 2 ELSE 1 END AS chosen,
             5 + 2 * c.features[1] + c.features[2] + 1.5 * c.features[3] AS base
      FROM generate_series(1, $CAMPAIGNS) s, uplift_demo_campaign($UNITS, s) c) sim
GROUP BY rep;
\timing off
WITH truth AS (
  SELECT 0.5 + 1 / sqrt(2 * pi()) AS d,
         0.9 * (0.5 * 0.75 + 0.5 * 1.75 + 1 / sqrt(2 * pi())) + 0.1 * (0.75 + 1.75) / 3 AS a)
SELECT estimator, round(avg(covered::int), 4) AS coverage,
       round(avg(estimate - truth)::numeric, 5) AS mean_error,
       round((avg(std_error) / stddev_samp(estimate))::numeric, 3) AS se_over_sd
FROM (SELECT 'ips_diff' AS estimator, (ips).estimate, (ips).std_error, t.d AS truth,
             (ips).ci_low <= t.d AND t.d <= (ips).ci_high AS covered FROM est, truth t
      UNION ALL
      SELECT 'snips_diff', (snips).estimate, (snips).std_error, t.d,
             (snips).ci_low <= t.d AND t.d <= (snips).ci_high FROM est, truth t
      UNION ALL
      SELECT 'dr_diff', (dr).estimate, (dr).std_error, t.d,
             (dr).ci_low <= t.d AND t.d <= (dr).ci_high FROM est, truth t
      UNION ALL
      SELECT 'ope_allocation (value vs no offer)', (e.alloc).difference, (e.alloc).std_error, t.a,
             (e.alloc).ci_low <= t.a AND t.a <= (e.alloc).ci_high FROM est e, truth t) s
GROUP BY estimator ORDER BY estimator;
SQL

echo "== time: $N rows"
psql -q -X -v ON_ERROR_STOP=1 -d uplift_bench <<SQL
SELECT setseed(0.17);
CREATE TABLE t AS
SELECT reward, logged::float8 AS logged, ta::float8 AS ta, tb::float8 AS tb,
       (0.05 + 0.1 * a)::float8 AS q_logged, 0.2::float8 AS qa, 0.15::float8 AS qb
FROM (SELECT (random() < 0.1 + 0.05 * a)::int::float8 AS reward,
             CASE a WHEN 0 THEN 0.5 WHEN 1 THEN 0.3 ELSE 0.2 END AS logged,
             CASE a WHEN 2 THEN 0.8 ELSE 0.1 END AS ta,
             CASE a WHEN 1 THEN 0.6 ELSE 0.2 END AS tb, a
      FROM (SELECT CASE WHEN u < 0.5 THEN 0 WHEN u < 0.8 THEN 1 ELSE 2 END AS a
            FROM (SELECT random() AS u FROM generate_series(1, $N)) s) s2) s3;
VACUUM ANALYZE t;

CREATE FUNCTION bench(q text, reps int) RETURNS float8 LANGUAGE plpgsql AS \$\$
DECLARE best float8 := 'Infinity'; t0 timestamptz; dummy text;
BEGIN
  FOR i IN 1..reps LOOP
    t0 := clock_timestamp();
    EXECUTE q INTO dummy;
    best := least(best, extract(epoch FROM clock_timestamp() - t0));
  END LOOP;
  RETURN best;
END \$\$;
SQL

psql -X -v ON_ERROR_STOP=1 -d uplift_bench <<SQL
SET max_parallel_workers_per_gather = 0;
SET jit = off;
SELECT bench('SELECT count(*) FROM t', 1) AS warm_up \gset
CREATE TEMP TABLE timings AS
SELECT k, name, bench(q, $REPS) AS seconds
FROM (VALUES
  (1, 'baseline: sum(reward * (ta - tb) / logged)', 'SELECT sum(reward * (ta - tb) / logged) FROM t'),
  (2, 'ips_value', 'SELECT ips_value(reward, logged, ta) FROM t'),
  (3, 'ips_diff', 'SELECT ips_diff(reward, logged, ta, tb) FROM t'),
  (4, 'snips_diff', 'SELECT snips_diff(reward, logged, ta, tb) FROM t'),
  (5, 'dr_value', 'SELECT dr_value(reward, logged, ta, q_logged, qa) FROM t'),
  (6, 'dr_diff', 'SELECT dr_diff(reward, logged, ta, tb, q_logged, qa, qb) FROM t'),
  (7, 'sndr_value', 'SELECT sndr_value(reward, logged, ta, q_logged, qa) FROM t')) v(k, name, q)
ORDER BY k;
\echo rows: $N, serial plans, best of $REPS runs
SELECT name, round(seconds::numeric, 3) AS seconds,
       round((seconds / (SELECT seconds FROM timings WHERE name LIKE 'baseline%'))::numeric, 2) AS ratio
FROM timings ORDER BY k;
SQL
