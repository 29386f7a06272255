-- pgTAP: policy health, overlap, outcomes, calibration over time and alerts
-- on small logs whose figures are worked out by hand in the comments.
BEGIN;
SELECT plan(26);
SELECT uplift_create_assignment_log() IS NOT NULL AS log_created \gset

-- Day 1 of experiment 'srm': weights [0.5, 0.5]; 60 units got action 0 and
-- 40 action 1, plus 10 in the holdout.  Expected 50/50 among the 100
-- randomized: chi-square = 10^2/50 + 10^2/50 = 4 on 1 degree of freedom,
-- p = erfc(sqrt(2)) = 0.0455002638963584 (2 (1 - Phi(2))).
-- Day 2: weights [0.5, 0.25, 0.25] and counts 50, 30, 20: chi-square =
-- 0 + 25/25 + 25/25 = 2 on 2 degrees of freedom, p = exp(-1).
INSERT INTO uplift_assignment_log (experiment, unit_id, action, propensity, holdout, policy, params, assigned_at)
SELECT 'srm', g, CASE WHEN g <= 60 THEN 0 ELSE 1 END, 0.5, false, 'weights',
       '{"weights": [0.5, 0.5]}'::jsonb, timestamptz '2026-03-02 10:00+00'
  FROM generate_series(1, 100) g
UNION ALL
SELECT 'srm', 100 + g, 0, 1, true, 'weights', '{"weights": [0.5, 0.5]}'::jsonb, timestamptz '2026-03-02 11:00+00'
  FROM generate_series(1, 10) g
UNION ALL
SELECT 'srm', 200 + g, CASE WHEN g <= 50 THEN 0 WHEN g <= 80 THEN 1 ELSE 2 END,
       CASE WHEN g <= 50 THEN 0.5 ELSE 0.25 END, false, 'weights',
       '{"weights": [2, 1, 1]}'::jsonb, timestamptz '2026-03-03 09:00+00'
  FROM generate_series(1, 100) g;

CREATE TEMP TABLE h AS SELECT * FROM uplift_policy_health('srm');

SELECT is((SELECT count(*) FROM h), 5::bigint, 'two days: two and three actions');
SELECT ok((SELECT abs(srm_chisq - 4) < 1e-12 AND srm_df = 1 AND abs(srm_pvalue - 0.0455002638963584) < 1e-13
             FROM h WHERE period_start = '2026-03-02' AND action = 0),
          'day 1: chi-square 4, p = erfc(sqrt 2)');
SELECT ok((SELECT abs(srm_chisq - 2) < 1e-12 AND srm_df = 2 AND abs(srm_pvalue - exp(-1.0)) < 1e-14
             FROM h WHERE period_start = '2026-03-03' AND action = 2),
          'day 2: chi-square 2, p = exp(-1)');
SELECT ok((SELECT assignments = 70 AND abs(share - 0.6) < 1e-15 AND abs(expected_share - 0.5) < 1e-15
                  AND abs(no_offer_rate - 70.0 / 110) < 1e-15 AND abs(holdout_share - 10.0 / 110) < 1e-15
             FROM h WHERE period_start = '2026-03-02' AND action = 0),
          'day 1, action 0: 70 assignments with the holdout, share 0.6 of the randomized, no-offer rate 70/110');
SELECT ok((SELECT abs(expected_share - 0.25) < 1e-15 AND min_propensity = 0.25 AND max_propensity = 0.25
                  AND propensity_mismatches = 0
             FROM h WHERE period_start = '2026-03-03' AND action = 1),
          'day 2, action 1: expected share 1/4 from weights [2, 1, 1], propensities 0.25');

-- A logged propensity that is not the policy's probability is counted; an
-- action the policy cannot take makes the test's p-value 0.
UPDATE uplift_assignment_log SET propensity = 0.3 WHERE experiment = 'srm' AND unit_id = 1;
INSERT INTO uplift_assignment_log (experiment, unit_id, action, propensity, policy, params, assigned_at)
VALUES ('srm', 999, 3, 0.5, 'weights', '{"weights": [0.5, 0.5]}'::jsonb, '2026-03-02 12:00+00');
SELECT ok((SELECT propensity_mismatches = 2 AND srm_pvalue = 0 AND srm_chisq IS NULL
             FROM uplift_policy_health('srm') WHERE period_start = '2026-03-02' AND action = 3),
          'mismatched propensities are counted; an impossible action gives p = 0');
DELETE FROM uplift_assignment_log WHERE experiment = 'srm' AND unit_id = 999;
UPDATE uplift_assignment_log SET propensity = 0.5 WHERE experiment = 'srm' AND unit_id = 1;

-- Epsilon-greedy rows: the expected share is the mean of the policy's
-- probabilities (uplift_policy_probs), computed here row by row.
CREATE TEMP TABLE eps_log AS SELECT l.* FROM generate_series(1, 300) g,
       LATERAL uplift_explore_logged('eps', g, ARRAY[sin(g), cos(g)], 0.3, 0.05) l;
SELECT ok((SELECT bool_and(abs(h.expected_share - x.e) < 1e-12) AND bool_and(h.propensity_mismatches = 0)
             FROM uplift_policy_health('eps') h
             JOIN (SELECT i - 1 AS action, avg(p) AS e
                     FROM generate_series(1, 300) g,
                          unnest(uplift_policy_probs(ARRAY[sin(g), cos(g)], 0.3, 0.05)) WITH ORDINALITY AS t(p, i)
                    GROUP BY i) x USING (action)),
          'epsilon-greedy: expected shares are the mean policy probabilities; no mismatch');
SELECT is((SELECT uplift_logged_policy_probs('thompson', '{"successes": [3, 7, 5], "trials": [10, 12, 10], "min_propensity": 0.05}')),
          uplift_thompson_probs(ARRAY[3, 7, 5], ARRAY[10, 12, 10], 0.05),
          'Thompson rows: the logged counts give uplift_thompson_probs');
SELECT is(uplift_logged_policy_probs('custom', '{}'), NULL, 'an unknown policy has no expected shares');

-- Overlap: a target that always plays action 1 on day 1 of 'srm': weights
-- 2 on the 40 action-1 rows, 0 elsewhere; ESS = (sum w)^2 / sum w^2 = 80^2 / 160 = 40.
CREATE TEMP TABLE always1 AS SELECT g::bigint AS unit_id, ARRAY[0, 1]::float8[] AS probs FROM generate_series(1, 100) g;
SELECT ok((SELECT n = 100 AND abs(ess - 40) < 1e-12 AND max_weight = 2
             FROM uplift_policy_overlap('srm', 'always1')),
          'overlap of "always action 1": ESS 40, largest weight 2');

-- Outcomes: day 1 of 'srm', action 1 rows have value 3 or 5 (alternating),
-- control rows value 1, cost 2 for action 1 and 0 for control.  All weights
-- are equal (propensity 0.5): realized uplift = 4 - 1 = 3; its standard error
-- sqrt(sum w^2 (y - 4)^2 / (sum w)^2) = sqrt(40 * 4 / 80^2) = 0.158113883...
CREATE TEMP TABLE outc AS
SELECT unit_id, CASE WHEN action = 1 THEN 3 + 2 * (unit_id % 2) ELSE 1 END::float8 AS value,
       CASE WHEN action = 1 THEN 2 ELSE 0 END::float8 AS cost,
       CASE WHEN action = 1 THEN 2.5 ELSE 0 END::float8 AS predicted_value,
       CASE WHEN action = 1 THEN 2 ELSE 0 END::float8 AS predicted_cost
  FROM uplift_assignment_log WHERE experiment = 'srm' AND assigned_at < '2026-03-03';
CREATE TEMP TABLE o AS SELECT * FROM uplift_policy_outcomes('srm', 'outc', '1 day', 100);
SELECT ok((SELECT units = 40 AND abs(realized_value_uplift - 3) < 1e-12 AND abs(value_std_error - sqrt(40 * 4 / 6400.0)) < 1e-12
                  AND predicted_value_uplift = 2.5 FROM o),
          'realized uplift 3 against predicted 2.5, standard error sqrt(1/40)');
SELECT ok((SELECT spend = 80 AND planned_spend = 100 AND abs(pacing - 0.8) < 1e-15
                  AND abs(realized_cost_uplift - 2) < 1e-12 AND cost_std_error = 0 FROM o),
          'spend 80 against a plan of 100: pacing 0.8; cost uplift 2');

-- Calibration per period: one bin, the same outcomes as scores.
CREATE TEMP TABLE sc AS SELECT unit_id, predicted_value + 1 AS score, value AS outcome FROM outc;
SELECT ok((SELECT n = 100 AND n_treated = 40 AND n_control = 60 AND abs(observed - 3) < 1e-12
                  AND abs(predicted - (40 * 3.5 + 60 * 1) / 100.0) < 1e-12
                  AND abs(std_error - sqrt(40 * 4 / 6400.0)) < 1e-12
             FROM uplift_calibration_by_period('srm', 'sc', '1 day', 1)),
          'calibration in one bin: observed 3, predicted the mean score');
SELECT ok((SELECT count(*) = 2 AND bool_and(n = 50) FROM uplift_calibration_by_period('srm', 'sc', '1 day', 2)),
          'two bins of 50');

-- Alerts: nothing at the defaults on 'srm' (p = 0.0455 > 0.001); the
-- sample-ratio alert at alpha 0.05 on day 1 only.
SELECT is((SELECT count(*) FROM uplift_monitor_alerts('srm', '1 day', '{"no_offer_change": 1}')), 0::bigint,
          'no sample-ratio or propensity alert at the default thresholds');
SELECT is((SELECT array_agg("check" || ' ' || period_start::date ORDER BY period_start)
             FROM uplift_monitor_alerts('srm', '1 day', '{"srm_alpha": 0.05, "no_offer_change": 1}')),
          ARRAY['sample_ratio_mismatch 2026-03-02'], 'a sample-ratio alert at alpha 0.05 on day 1');
SELECT is((SELECT array_agg(subject ORDER BY subject)
             FROM uplift_monitor_alerts('srm', '1 day', '{"min_propensity": 0.3}') WHERE "check" = 'low_propensity'),
          ARRAY['action 1', 'action 2'], 'propensities below a floor of 0.3');
SELECT is((SELECT count(*) FROM uplift_monitor_alerts('srm', '1 day', '{"no_offer_change": 0.05}') WHERE "check" = 'no_offer_rate'),
          1::bigint, 'the no-offer rate moved from 70/110 to 1/2 between the days');

-- The drifting demo campaign: with drift 0 the second week is a random half
-- of the same population; with drift 1 x1 drifts and the other features do
-- not (acceptance depends on x1 only).
CREATE TEMP TABLE weeks AS SELECT * FROM uplift_demo_campaign(20000, 3, 1.0);
CREATE TEMP TABLE weeks0 AS SELECT * FROM uplift_demo_campaign(20000, 3, 0.0);
SELECT ok((SELECT count(*) = 20000 AND count(*) FILTER (WHERE day >= 7) = 10000 AND max(day) = 13
                  AND count(DISTINCT unit_id) = 20000 FROM weeks),
          'two weeks of 10,000 units each, days 0..13');
SELECT ok((SELECT bool_and(drifted = (feature = 'x1'))
             FROM uplift_drift('SELECT features[1] AS x1, features[2] AS x2, features[4] AS x4 FROM weeks WHERE day < 7',
                               'SELECT features[1] AS x1, features[2] AS x2, features[4] AS x4 FROM weeks WHERE day >= 7')),
          'drift 1: x1 drifts, x2 and x4 do not');
SELECT ok((SELECT bool_and(NOT drifted)
             FROM uplift_drift('SELECT features[1] AS x1, features[2] AS x2 FROM weeks0 WHERE day < 7',
                               'SELECT features[1] AS x1, features[2] AS x2 FROM weeks0 WHERE day >= 7')),
          'drift 0: nothing drifts');

-- Bad input.
SELECT throws_ok($$SELECT * FROM uplift_policy_health('srm', '1 month')$$, '22023',
                 'period of uplift_policy_health must be positive and shorter than a month', 'a period of a month');
SELECT throws_ok($$SELECT * FROM uplift_policy_health(NULL)$$, '22004', NULL, 'a NULL experiment');
SELECT throws_ok($$SELECT * FROM uplift_calibration_by_period('srm', 'sc', '1 day', 0)$$, '22023', NULL, 'zero bins');
SELECT throws_ok($$SELECT * FROM uplift_policy_outcomes('srm', 'outc', '1 day', -1)$$, '22023', NULL, 'a negative plan');
SELECT throws_ok($$SELECT * FROM uplift_monitor_alerts('srm', '1 day', '{"srm_alfa": 0.05}')$$, '22023',
                 'unknown option "srm_alfa" of uplift_monitor_alerts', 'an unknown alert option');

SELECT * FROM finish();
ROLLBACK;
