#!/usr/bin/env bash
# Coverage of the paired off-policy intervals at scale, on a throwaway
# cluster: CAMPAIGNS demo campaigns (default 400) of UNITS units each (default
# 10,000), the same policies and closed-form truths as
# test/ope_compare_coverage.sql; the share of 95% intervals of ips_diff,
# snips_diff, dr_diff and ope_allocation (against no offer) that hold the
# truth, and the mean standard error against the spread of the estimates.
# Their time is measured by bench/ope.sh.
#   usage: CAMPAIGNS=400 UNITS=10000 bash bench/ope_compare.sh
set -euo pipefail
cd "$(dirname "$0")/.."
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
