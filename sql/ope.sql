-- Off-policy evaluation: what a user sees (values rounded for stable output).
CREATE TABLE ope_log (unit int, action int, reward float8, logged float8, target float8,
                      q_logged float8, q_target float8);
INSERT INTO ope_log VALUES
 (1, 0, 0, 0.5, 0.2, 0.10, 0.30), (2, 1, 1, 0.3, 0.6, 0.40, 0.30),
 (3, 2, 1, 0.2, 0.2, 0.50, 0.30), (4, 0, 0, 0.5, 0.2, 0.10, 0.30),
 (5, 1, 0, 0.3, 0.6, 0.40, 0.30), (6, 1, 1, 0.3, 0.6, 0.40, 0.30),
 (7, 0, 1, 0.5, 0.2, 0.10, 0.30), (8, 2, 0, 0.2, 0.2, 0.50, 0.30),
 (9, 1, 1, 0.3, 0.6, 0.40, 0.30), (10, 0, 0, 0.5, 0.2, 0.10, 0.30);

SELECT 'ips' AS estimator, round(e.estimate::numeric, 6) AS estimate, round(e.std_error::numeric, 6) AS std_error,
       round(e.ci_low::numeric, 6) AS ci_low, round(e.ci_high::numeric, 6) AS ci_high, e.n
FROM (SELECT (ips_value(reward, logged, target)).* FROM ope_log) e
UNION ALL
SELECT 'snips', round(e.estimate::numeric, 6), round(e.std_error::numeric, 6),
       round(e.ci_low::numeric, 6), round(e.ci_high::numeric, 6), e.n
FROM (SELECT (snips_value(reward, logged, target)).* FROM ope_log) e
UNION ALL
SELECT 'dr', round(e.estimate::numeric, 6), round(e.std_error::numeric, 6),
       round(e.ci_low::numeric, 6), round(e.ci_high::numeric, 6), e.n
FROM (SELECT (dr_value(reward, logged, target, q_logged, q_target)).* FROM ope_log) e;

-- a 90% interval, clipped weights, and the bootstrap
SELECT round((e).ci_low::numeric, 6) AS ci_low, round((e).ci_high::numeric, 6) AS ci_high
FROM (SELECT ips_value(reward, logged, target, '{"alpha": 0.1}') e FROM ope_log) s;
SELECT round((e).estimate::numeric, 6) AS clipped_estimate
FROM (SELECT ips_value(reward, logged, target, '{"clip": 1.5}') e FROM ope_log) s;
SELECT round((e).estimate::numeric, 6) AS estimate, round((e).ci_low::numeric, 6) AS ci_low,
       round((e).ci_high::numeric, 6) AS ci_high
FROM (SELECT snips_value(reward, logged, target, '{"ci": "bootstrap", "n_boot": 1000, "seed": 3}') e FROM ope_log) s;

-- one estimate per group
SELECT unit % 2 AS grp, round((ips_value(reward, logged, target)).estimate::numeric, 6) AS ips
FROM ope_log GROUP BY 1 ORDER BY 1;

-- overlap diagnostics
SELECT n, round(sum_weight::numeric, 6) AS sum_weight, round(mean_weight::numeric, 6) AS mean_weight,
       round(max_weight::numeric, 6) AS max_weight, round(ess::numeric, 4) AS ess,
       round(ess_share::numeric, 4) AS ess_share, min_logged_propensity, share_below_floor,
       n_clipped, warnings
FROM (SELECT (ope_overlap(logged, target)).* FROM ope_log) s;

SELECT n, round(max_weight::numeric, 6) AS max_weight, share_below_floor, n_clipped, unnest(warnings) AS warning
FROM (SELECT (ope_overlap(logged, CASE WHEN unit = 3 THEN 1 ELSE target END,
                          '{"floor": 0.25, "clip": 4}')).* FROM ope_log) s;

SELECT round(ope_normal_quantile(0.975)::numeric, 12) AS z_975;

-- the policy of a stored model: a linear T-learner with one feature and two actions
CREATE TABLE ope_models AS
SELECT uplift_model_import('{
  "learner": "t_learner", "base": "linear", "n_actions": 2, "n_features": 1,
  "heads": [
    {"role": "outcome", "action": 0, "link": "identity", "intercept": 1.0, "coefficients": [0.5]},
    {"role": "outcome", "action": 1, "link": "identity", "intercept": 1.2, "coefficients": [0.2]},
    {"role": "outcome", "action": 2, "link": "identity", "intercept": 0.8, "coefficients": [1.0]}]}') AS model;
SELECT x, (SELECT array_agg(round(e::numeric, 6)) FROM unnest(uplift_scores(model, ARRAY[x])) e) AS effects,
       (SELECT array_agg(round(p::numeric, 6)) FROM unnest(ope_target_probs(model, ARRAY[x], 0.3)) p) AS probs,
       round(ope_target_propensity(model, ARRAY[x], 2, 0.3)::numeric, 6) AS p_action_2,
       round(ope_q_target(model, ARRAY[x], ope_target_probs(model, ARRAY[x], 0.3))::numeric, 6) AS q_target
FROM ope_models, (VALUES (-2.0::float8), (0.0), (2.0)) v(x) ORDER BY x;
SELECT ope_q_target(model, ARRAY[1.0], ARRAY[0.5, 0.5]) FROM ope_models;
DROP TABLE ope_models;

-- bad input
SELECT ips_value(1, 0, 0.5);
SELECT snips_value(1, 0.5, 1.5);
SELECT dr_value(1, 0.5, 0.5, NULL, 0.3);
SELECT ips_value('NaN', 0.5, 0.5);
SELECT ips_value(reward, logged, target) FROM ope_log WHERE false;
SELECT ips_value(1, 0.5, 0.5, '{"clip": 0}');
SELECT ips_value(1, 0.5, 0.5, '{"level": 0.9}');

DROP TABLE ope_log;
