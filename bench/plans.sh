#!/usr/bin/env bash
# The plan each aggregate gets by default, and what it costs.
#
# On N rows (default 1,000,000, generated in SQL with a fixed seed) of one
# table holding every aggregate's arguments, for each aggregate:
#   serial   the time with max_parallel_workers_per_gather = 0;
#   default  the time under the default settings (parallel workers allowed,
#            the planner choosing), and the plan it chose: "parallel (n
#            workers)" when EXPLAIN shows a Partial Aggregate, else "serial";
# both as ratios to a serial plain scan of the same rows
# (SELECT sum(score) FROM t), and default / serial.  Wall-clock times, best of
# REPS runs (default 3); jit off in both, so that only the plan differs.  The
# serial and the default run of a query take turns (as the scan's runs do
# before and after them), so that a change in the load of a shared machine
# weighs on both alike.
# ONLY, a regular expression, keeps the aggregates whose name matches it.
#   usage: [REPS=n] [ONLY=regex] bash bench/plans.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-${N:-1000000}}
REPS=${REPS:-3}
ONLY=${ONLY:-.}
. scripts/cluster.sh
uplift_build_install
cluster_start

psql -q -X -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE uplift_bench" >/dev/null
psql -q -X -v ON_ERROR_STOP=1 -d uplift_bench >/dev/null <<SQL
CREATE EXTENSION uplift;
SELECT setseed(0.29);
-- five features, a 0/1 treatment and outcome (logistic in the features, with
-- an effect), a score, a logged policy over three actions, two stacked
-- experiments a and b, a portfolio holdout, per-unit action values and costs
CREATE TABLE t AS
SELECT x, treatment,
       (random() < 1 / (1 + exp(-(x[1] - x[2] + 0.5 * treatment * x[3]))))::int::float8 AS outcome,
       x[1] + 0.1 * random() AS score,
       x[1] * 10 AS value, x[4] AS cost,
       (random() < 0.1 + 0.05 * act)::int::float8 AS reward,
       CASE act WHEN 0 THEN 0.5 WHEN 1 THEN 0.3 ELSE 0.2 END::float8 AS logged,
       CASE act WHEN 2 THEN 0.8 ELSE 0.1 END::float8 AS target,
       (0.05 + 0.1 * act)::float8 AS q_logged, 0.2::float8 AS q_target,
       (random() < 0.5)::int AS a, (random() < 0.5)::int AS b,
       random() < 0.05 AS in_holdout,
       ARRAY[(random() < 0.5)::int, (random() < 0.5)::int] AS actions,
       ARRAY[x[1], x[2] * 2] AS action_values, ARRAY[1, 1.5 + x[3]]::float8[] AS action_costs
FROM (SELECT ARRAY[random(), random(), random(), random(), random()] AS x,
             (random() < 0.5)::int AS treatment,
             CASE WHEN u < 0.5 THEN 0 WHEN u < 0.8 THEN 1 ELSE 2 END AS act
      FROM (SELECT random() AS u FROM generate_series(1, $N)) s) s2;
VACUUM ANALYZE t;
-- the model uplift_fit_calibration calibrates
CREATE TABLE m AS SELECT uplift_fit(x, treatment, outcome) AS model FROM t WHERE random() < 0.1;
ANALYZE m;

\i bench/bench.sql

-- the best of reps runs of q with max_parallel_workers_per_gather = 0 and
-- of reps runs under the default settings, the two taking turns
CREATE FUNCTION bench_turns(q text, reps int, OUT serial float8, OUT dflt float8)
LANGUAGE plpgsql AS \$\$
DECLARE workers text := current_setting('max_parallel_workers_per_gather');
        t0 timestamptz; dummy text;
BEGIN
  serial := 'Infinity'; dflt := 'Infinity';
  FOR i IN 1..reps LOOP
    PERFORM set_config('max_parallel_workers_per_gather', '0', true);
    t0 := clock_timestamp();
    EXECUTE q INTO dummy;
    serial := least(serial, extract(epoch FROM clock_timestamp() - t0));
    PERFORM set_config('max_parallel_workers_per_gather', workers, true);
    t0 := clock_timestamp();
    EXECUTE q INTO dummy;
    dflt := least(dflt, extract(epoch FROM clock_timestamp() - t0));
  END LOOP;
END \$\$;

-- the plan of q under the current settings
CREATE FUNCTION plan_of(q text) RETURNS text LANGUAGE plpgsql AS \$\$
DECLARE line text; partial bool := false; workers text := '';
BEGIN
  FOR line IN EXECUTE 'EXPLAIN (COSTS OFF) ' || q LOOP
    partial := partial OR line LIKE '%Partial Aggregate%';
    IF line LIKE '%Workers Planned:%' THEN workers := substring(line FROM '[0-9]+'); END IF;
  END LOOP;
  RETURN CASE WHEN partial THEN 'parallel (' || workers || ' workers)' ELSE 'serial' END;
END \$\$;

CREATE TABLE queries (k int, name text, q text);
INSERT INTO queries VALUES
  (1, 'uplift_fit, linear base', 'SELECT uplift_fit(x, treatment, outcome, ''{"base": "linear"}'') FROM t'),
  (2, 'uplift_fit, logistic base', 'SELECT uplift_fit(x, treatment, outcome, ''{"base": "logistic"}'') FROM t'),
  (3, 'uplift_qini_auc', 'SELECT uplift_qini_auc(score, treatment, outcome) FROM t'),
  (4, 'uplift_auuc', 'SELECT uplift_auuc(score, treatment, outcome) FROM t'),
  (5, 'uplift_at_k', 'SELECT uplift_at_k(score, treatment, outcome, 0.3, ''overall'') FROM t'),
  (6, 'uplift_curve', 'SELECT uplift_curve(score, treatment, outcome, ''{"points": 100}'') FROM t'),
  (7, 'uplift_by_percentile', 'SELECT uplift_by_percentile(score, treatment, outcome, 10, ''overall'') FROM t'),
  (8, 'uplift_calibration', 'SELECT uplift_calibration(score, treatment, outcome, 10) FROM t'),
  (9, 'uplift_net_value', 'SELECT uplift_net_value(score, treatment, value, cost, ''{"points": 100}'') FROM t'),
  (10, 'ips_value', 'SELECT ips_value(reward, logged, target) FROM t'),
  (11, 'snips_value', 'SELECT snips_value(reward, logged, target) FROM t'),
  (12, 'dr_value', 'SELECT dr_value(reward, logged, target, q_logged, q_target) FROM t'),
  (13, 'ope_overlap', 'SELECT ope_overlap(logged, target) FROM t'),
  (14, 'allocate_threshold', 'SELECT allocate_threshold(action_values, action_costs, $N * 0.1) FROM t'),
  (15, 'uplift_drift_profile', 'SELECT uplift_drift_profile(r) FROM (SELECT score, value, cost FROM t) r'),
  (16, 'uplift_interaction', 'SELECT uplift_interaction(a, b, outcome) FROM t'),
  (17, 'uplift_portfolio_holdout', 'SELECT uplift_portfolio_holdout(in_holdout, actions, value) FROM t'),
  (18, 'uplift_at_n', 'SELECT uplift_at_n(score, treatment, outcome, $N / 10, ''overall'') FROM t'),
  (19, 'uplift_treatment_balance', 'SELECT uplift_treatment_balance(score, treatment, 1000) FROM t'),
  (20, 'uplift_ate', 'SELECT uplift_ate(treatment, outcome) FROM t'),
  (21, 'ips_diff', 'SELECT ips_diff(reward, logged, target, 0.5) FROM t'),
  (22, 'snips_diff', 'SELECT snips_diff(reward, logged, target, 0.5) FROM t'),
  (23, 'dr_diff', 'SELECT dr_diff(reward, logged, target, 0.5, q_logged, q_target, 0.1) FROM t'),
  (24, 'sndr_value', 'SELECT sndr_value(reward, logged, target, q_logged, q_target) FROM t'),
  (25, 'switch_dr_value', 'SELECT switch_dr_value(reward, logged, target, q_logged, q_target) FROM t'),
  (26, 'ope_allocation', 'SELECT ope_allocation(treatment, 0.5, a, value, cost, ''{"actions": 1}'') FROM t'),
  (27, 'uplift_fit_calibration', 'SELECT uplift_fit_calibration((SELECT model FROM m), x, treatment, outcome, 0.5) FROM t');
DELETE FROM queries WHERE name !~ '$ONLY';
SQL

psql -X -q -v ON_ERROR_STOP=1 -d uplift_bench <<SQL
SET jit = off;
SET max_parallel_workers_per_gather = 0;
SELECT bench('SELECT count(*) FROM t', 1) AS warm_up \gset
SELECT bench('SELECT sum(score) FROM t', $REPS) AS scan \gset
RESET max_parallel_workers_per_gather;
CREATE TEMP TABLE runs AS
SELECT k, plan_of(q) AS plan, b.serial, b.dflt FROM queries, LATERAL bench_turns(q, $REPS) b;
CREATE TEMP TABLE serial AS SELECT k, serial AS seconds FROM runs;
CREATE TEMP TABLE dflt AS SELECT k, plan, dflt AS seconds FROM runs;
SET max_parallel_workers_per_gather = 0;
SELECT least(:scan, bench('SELECT sum(score) FROM t', $REPS)) AS scan \gset
\echo rows: $N, best of $REPS runs; scan = serial SELECT sum(score) FROM t: :scan s
\pset footer off
SELECT q.name AS aggregate, d.plan AS default_plan,
       round(s.seconds::numeric, 3) AS serial_s, round(d.seconds::numeric, 3) AS default_s,
       round((s.seconds / :scan)::numeric, 2) AS serial_x_scan,
       round((d.seconds / :scan)::numeric, 2) AS default_x_scan,
       round((d.seconds / s.seconds)::numeric, 2) AS default_x_serial
FROM queries q JOIN serial s USING (k) JOIN dflt d USING (k) ORDER BY k;
SQL
