-- pgTAP: uplift_portfolio_holdout, the portfolio's effect against its
-- holdout next to the sum of the per-experiment estimates.  A closed form on
-- a balanced factorial design, the recovery of a known interference (the gap
-- is -g p_a p_b) and of none on simulated data, units not enrolled in an
-- experiment, the parallel plan against the serial answer, and bad input.
BEGIN;
SELECT plan(19);

-- A balanced design: 100 holdout units with outcome 1 +- 1, and 100 units in
-- each cell (A, B) of two experiments with outcome 1 + 2A + B + g A B +- 1,
-- g = -2 (half the units +1, half -1, so every cell mean is exact).
-- Treated shares p_a = p_b = 1/2.  By hand:
--   total  = mean(outside) - mean(holdout) = (0 + 2 + 1 + 1) / 4 = 1
--   effect_a = mean(A=1) - mean(A=0) = (2 + 1)/2 - (0 + 1)/2 = 1
--   effect_b = (1 + 1)/2 - (0 + 2)/2 = 0
--   sum = 1/2 * 1 + 1/2 * 0 = 1/2;  gap = 1 - 1/2 = 1/2 = -g p_a p_b
CREATE TABLE fact AS
SELECT i, i < 100 AS in_holdout,
       CASE WHEN i < 100 THEN ARRAY[0, 0] ELSE ARRAY[((i - 100) / 100) % 2, ((i - 100) / 200) % 2] END AS actions
  FROM generate_series(0, 499) i;
ALTER TABLE fact ADD COLUMN y float8;
UPDATE fact SET y = 1 + 2 * actions[1] + actions[2] - 2 * actions[1] * actions[2]
                  + CASE WHEN i % 2 = 0 THEN 1 ELSE -1 END;
CREATE TEMP TABLE r AS SELECT (uplift_portfolio_holdout(in_holdout, actions, y)).* FROM fact;

SELECT results_eq($$SELECT holdout_units, portfolio_units FROM r$$, $$VALUES (100::bigint, 400::bigint)$$,
                  'the units in and outside the holdout');
SELECT ok((SELECT abs(total_effect - 1) < 1e-12 FROM r), 'closed form: the total effect 1');
SELECT ok((SELECT abs(effects[1] - 1) < 1e-12 AND abs(effects[2]) < 1e-12 FROM r),
          'closed form: the per-experiment effects 1 and 0');
SELECT is((SELECT treated_shares FROM r), ARRAY[0.5, 0.5]::float8[], 'the treated shares');
SELECT ok((SELECT abs(sum_of_effects - 0.5) < 1e-12 AND abs(gap - 0.5) < 1e-12 FROM r),
          'closed form: the sum of the per-experiment estimates 1/2 and the gap 1/2 = -g p_a p_b');
-- Standard errors from PostgreSQL's own var_samp over the groups.
SELECT ok((SELECT abs(r.total_se - sqrt(v.vo / 400 + v.vh / 100)) < 1e-12
             FROM r, (SELECT var_samp(y) FILTER (WHERE NOT in_holdout) AS vo,
                             var_samp(y) FILTER (WHERE in_holdout) AS vh FROM fact) v),
          'total_se = sqrt(var(outside)/n + var(holdout)/n)');
SELECT ok((SELECT abs(r.effect_ses[1] - sqrt(v.vt / 200 + v.vc / 200)) < 1e-12
                  AND abs(r.sum_se - sqrt(0.25 * (v.vt / 200 + v.vc / 200) + 0.25 * (v.bt / 200 + v.bc / 200))) < 1e-12
                  AND abs(r.gap_se - sqrt(r.total_se ^ 2 + r.sum_se ^ 2)) < 1e-12
             FROM r, (SELECT var_samp(y) FILTER (WHERE actions[1] = 1) AS vt,
                             var_samp(y) FILTER (WHERE actions[1] = 0) AS vc,
                             var_samp(y) FILTER (WHERE actions[2] = 1) AS bt,
                             var_samp(y) FILTER (WHERE actions[2] = 0) AS bc
                        FROM fact WHERE NOT in_holdout) v),
          'effect_se, sum_se and gap_se from the groups'' sample variances');

-- A unit not enrolled in an experiment (NULL) counts for the portfolio and
-- the other experiment only: add 100 units outside both, outcome 1 +- 1.
INSERT INTO fact SELECT i, false, ARRAY[NULL, NULL]::int[], 1 + CASE WHEN i % 2 = 0 THEN 1 ELSE -1 END
  FROM generate_series(500, 599) i;
SELECT ok((SELECT abs(e.total_effect - 0.8) < 1e-12 AND e.treated_shares = ARRAY[0.4, 0.4]::float8[]
                  AND abs(e.effects[1] - 1) < 1e-12 AND abs(e.gap - (0.8 - 0.4)) < 1e-12
             FROM (SELECT (uplift_portfolio_holdout(in_holdout, actions, y)).* FROM fact) e),
          'units not enrolled: total 4 / 5, shares 2 / 5, the same effects, gap 0.8 - 0.4');

-- Simulated: 40,000 customers, two campaigns at random, holdout 10%.
CREATE TABLE sim AS SELECT * FROM uplift_demo_portfolio(40000, 3, -1, 0.1);
CREATE TABLE sim0 AS SELECT * FROM uplift_demo_portfolio(40000, 4, 0, 0.1);
ANALYZE sim;
SELECT ok((SELECT abs(e.gap - 1 * e.treated_shares[1] * e.treated_shares[2]) < 3 * e.gap_se
             FROM (SELECT (uplift_portfolio_holdout(in_holdout, ARRAY[action_a, action_b], value)).* FROM sim) e),
          'interaction -1: the gap is -g p_a p_b (about 0.25) within 3 standard errors');
SELECT ok((SELECT e.gap > 2 * e.gap_se
             FROM (SELECT (uplift_portfolio_holdout(in_holdout, ARRAY[action_a, action_b], value)).* FROM sim) e),
          'interaction -1: the gap is told apart from 0');
SELECT ok((SELECT abs(e.gap) < 3 * e.gap_se AND abs(e.total_effect - 0.9) < 3 * e.total_se
             FROM (SELECT (uplift_portfolio_holdout(in_holdout, ARRAY[action_a, action_b], value)).* FROM sim0) e),
          'no interaction: the gap is 0 within 3 standard errors, the total near 0.5 + 0.4');

-- Parallel plan against the serial answer.
SELECT force_serial();
CREATE TEMP TABLE serial AS
SELECT (uplift_portfolio_holdout(in_holdout, ARRAY[action_a, action_b], value)).* FROM sim;
SELECT force_parallel();
SELECT ok((SELECT bool_or(l ~ 'Partial Aggregate') FROM explain_lines('SELECT uplift_portfolio_holdout(in_holdout, ARRAY[action_a, action_b], value) FROM sim') l),
          'the plan aggregates in parallel workers');
SELECT ok((SELECT abs(p.gap - s.gap) < 1e-9 AND abs(p.gap_se - s.gap_se) < 1e-12
                  AND p.portfolio_units = s.portfolio_units AND p.holdout_units = s.holdout_units
             FROM serial s, (SELECT (uplift_portfolio_holdout(in_holdout, ARRAY[action_a, action_b], value)).* FROM sim) p),
          'the parallel answer equals the serial one');
SELECT force_serial();

-- No rows: NULL.  Rows with a NULL are skipped.
SELECT is((SELECT uplift_portfolio_holdout(in_holdout, actions, y) FROM fact WHERE false), NULL,
          'no rows: NULL');
SELECT is((SELECT (uplift_portfolio_holdout(in_holdout, actions, CASE WHEN i < 100 THEN NULL ELSE y END)).holdout_units FROM fact),
          0::bigint, 'rows with a NULL outcome are skipped');

-- Bad input.
SELECT throws_ok($$SELECT uplift_portfolio_holdout(false, ARRAY[0, -1], 1.0)$$, '22023',
                 'actions of uplift_portfolio_holdout must be 0 or more', 'a negative action');
SELECT throws_ok($$SELECT uplift_portfolio_holdout(in_holdout, CASE WHEN i = 7 THEN ARRAY[1] ELSE actions END, y) FROM fact$$,
                 '2202E', 'actions of uplift_portfolio_holdout has 2 elements on one row and 1 on another',
                 'actions of different lengths');
SELECT throws_ok($$SELECT uplift_portfolio_holdout(false, '{}'::int[], 1.0)$$, '2202E',
                 'actions of uplift_portfolio_holdout must not be empty', 'no experiments');
SELECT throws_ok($$SELECT uplift_portfolio_holdout(false, ARRAY[1], 'Infinity')$$, '22000',
                 NULL, 'an infinite outcome');

SELECT * FROM finish();
ROLLBACK;
