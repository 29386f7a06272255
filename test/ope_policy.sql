-- pgTAP: target propensities and q_target of a stored model's policy, and a
-- learned policy evaluated end to end on the demo campaign against its known
-- true value.
BEGIN;
SELECT plan(13);

-- A T-learner (linear) for the value outcome, fitted on one demo campaign.
CREATE TEMP TABLE learned AS
SELECT uplift_fit(features, action, value, '{"base": "linear"}') AS model
FROM uplift_demo_campaign(20000, 1);

-- The evaluation log: another campaign.  epsilon 0.1 keeps the policy stochastic.
CREATE TEMP TABLE evalrows AS
SELECT d.*, l.model,
       ope_target_propensity(l.model, d.features, d.action, 0.1) AS target,
       ope_target_probs(l.model, d.features, 0.1) AS probs,
       uplift_predict(l.model, d.features, d.action) AS q_logged,
       ope_q_target(l.model, d.features, ope_target_probs(l.model, d.features, 0.1)) AS q_target,
       ARRAY[uplift_predict(l.model, d.features, 0), uplift_predict(l.model, d.features, 1),
             uplift_predict(l.model, d.features, 2)] AS pred
FROM uplift_demo_campaign(20000, 2) d, learned l;

-- Independent path: effects as differences of predictions, greedy by hand.
CREATE TEMP TABLE by_hand AS
SELECT unit_id, action, target, probs, q_target, pred, g,
       ARRAY[0.1 / 3 + CASE g WHEN 0 THEN 0.9 ELSE 0 END,
             0.1 / 3 + CASE g WHEN 1 THEN 0.9 ELSE 0 END,
             0.1 / 3 + CASE g WHEN 2 THEN 0.9 ELSE 0 END] AS p
FROM (SELECT *, CASE WHEN greatest(pred[2] - pred[1], pred[3] - pred[1]) <= 0 THEN 0
                     WHEN pred[2] - pred[1] >= pred[3] - pred[1] THEN 1 ELSE 2 END AS g
      FROM evalrows) s;

SELECT ok(max(abs(target - p[action + 1])) < 1e-15,
          'ope_target_propensity equals epsilon-greedy over uplift_predict differences')
FROM by_hand;
SELECT ok(bool_and(abs(probs[1] - p[1]) < 1e-15 AND abs(probs[2] - p[2]) < 1e-15 AND abs(probs[3] - p[3]) < 1e-15),
          'ope_target_probs gives every action''s probability')
FROM by_hand;
SELECT ok(max(abs(q_target - (p[1] * pred[1] + p[2] * pred[2] + p[3] * pred[3]))) < 1e-12,
          'ope_q_target equals the probability-weighted predictions')
FROM by_hand;
SELECT ok(count(DISTINCT g) = 3, 'the learned policy uses all three actions') FROM by_hand;

-- Truth: E[value | x, a] = 5 + 2 x1 + x2 + 1.5 x3 + tv_a(x) (doc/demo.md),
-- averaged over the policy's action probabilities and the logged units.
CREATE TEMP TABLE truth AS
SELECT avg(5 + 2 * features[1] + features[2] + 1.5 * features[3]
           + probs[2] * true_value_uplift[1] + probs[3] * true_value_uplift[2]) AS v,
       avg(5 + 2 * features[1] + features[2] + 1.5 * features[3]) AS v_control
FROM evalrows;

CREATE TEMP TABLE est AS
SELECT ips_value(value, propensity, target) AS ips,
       snips_value(value, propensity, target) AS snips,
       dr_value(value, propensity, target, q_logged, q_target) AS dr
FROM evalrows;

SELECT ok(v > v_control + 0.5, 'the learned policy is truly better than never making an offer') FROM truth;
SELECT ok((ips).ci_low <= v AND v <= (ips).ci_high, 'the IPS interval covers the true value of the learned policy') FROM est, truth;
SELECT ok((snips).ci_low <= v AND v <= (snips).ci_high, 'the SNIPS interval covers the true value') FROM est, truth;
SELECT ok((dr).ci_low <= v AND v <= (dr).ci_high, 'the DR interval covers the true value') FROM est, truth;
SELECT ok((dr).std_error < 0.8 * (ips).std_error, 'a good outcome model makes DR tighter than IPS') FROM est;

-- A policy deployed with uplift_explore over the same model logs exactly
-- these propensities, so its log can be evaluated and planned for.
SELECT ok(bool_and(abs((e).propensity - ope_target_propensity(model, features, (e).action, 0.1, 0.05)) < 1e-15)
          AND count(DISTINCT (e).action) = 3,
          'uplift_explore over a model logs the propensity ope_target_propensity gives')
FROM (SELECT l.model, d.features, uplift_explore('ope-test', d.unit_id, l.model, d.features, 0.1, 0.05) AS e
      FROM uplift_demo_campaign(500, 3) d, learned l) s;

-- bad input
SELECT throws_ok($$SELECT ope_expected_value(ARRAY[1, 2], ARRAY[0.5, 0.3, 0.2])$$, '2202E', NULL,
                 'ope_expected_value rejects arrays of different lengths');
SELECT throws_ok($$SELECT ope_expected_value(ARRAY[1, 2], ARRAY[0.5, 0.3])$$, '22003', NULL,
                 'ope_expected_value rejects probabilities that do not sum to 1');
SELECT throws_ok($$SELECT ope_q_target(model, ARRAY[0, 0, 0, 0, 0], ARRAY[0.5, 0.5]) FROM learned$$, '2202E', NULL,
                 'ope_q_target rejects probabilities for fewer actions than the model has');

SELECT * FROM finish();
ROLLBACK;
