-- Off-policy evaluation: what a user sees (values rounded for stable output).
CREATE TABLE ope_log (unit int, action int, reward float8, logged float8, target float8,
                      q_logged float8, q_target float8);
INSERT INTO ope_log VALUES
 (1, 0, 0, 0.5, 0.2, 0.10, 0.30), (2, 1, 1, 0.3, 0.6, 0.40, 0.30),
 (3, 2, 1, 0.2, 0.2, 0.50, 0.30), (4, 0, 0, 0.5, 0.2, 0.10, 0.30),
 (5, 1, 0, 0.3, 0.6, 0.40, 0.30), (6, 1, 1, 0.3, 0.6, 0.40, 0.30),
 (7, 0, 1, 0.5, 0.2, 0.10, 0.30), (8, 2, 0, 0.2, 0.2, 0.50, 0.30),
 (9, 1, 1, 0.3, 0.6, 0.40, 0.30), (10, 0, 0, 0.5, 0.2, 0.10, 0.30);

-- By hand: the weights w = target / logged are 0.4 (action 0), 2 (action 1)
-- and 1 (action 2); w r over the 10 rows is 0, 2, 1, 0, 0, 2, 0.4, 0, 2, 0.
-- ips = 7.4 / 10 = 0.74; its standard error sd(w r) / sqrt(10) = sqrt((13.16 -
-- 10 * 0.74^2) / 9 / 10) = 0.292195, and the interval 0.74 -+ 1.959964 *
-- 0.292195.  snips = 7.4 / sum w = 7.4 / 11.6 = 0.637931, with the delta
-- method's sd(w (r - 0.637931)) / mean(w) / sqrt(10) = 0.662933 / 1.16 /
-- 3.162278 = 0.180722.  dr = mean(q_target + w (r - q_logged)) over 0.26, 1.5,
-- 0.8, 0.26, -0.5, 1.5, 0.66, -0.2, 1.5, 0.26 = 6.04 / 10 = 0.604
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

-- a 90% interval (0.74 -+ 1.644854 * 0.292195), clipped weights (2 becomes
-- 1.5: (3 * 1.5 + 1 + 0.4) / 10 = 0.59), and the bootstrap (its seeded
-- resamples around the same 0.637931; test/ope_bootstrap.sql checks coverage)
SELECT round((e).ci_low::numeric, 6) AS ci_low, round((e).ci_high::numeric, 6) AS ci_high
FROM (SELECT ips_value(reward, logged, target, '{"alpha": 0.1}') e FROM ope_log) s;
SELECT round((e).estimate::numeric, 6) AS clipped_estimate
FROM (SELECT ips_value(reward, logged, target, '{"clip": 1.5}') e FROM ope_log) s;
SELECT round((e).estimate::numeric, 6) AS estimate, round((e).ci_low::numeric, 6) AS ci_low,
       round((e).ci_high::numeric, 6) AS ci_high
FROM (SELECT snips_value(reward, logged, target, '{"ci": "bootstrap", "n_boot": 1000, "seed": 3}') e FROM ope_log) s;

-- one estimate per group: odd units (0 + 1 + 0 + 0.4 + 2) / 5 = 0.68, even
-- units (2 + 0 + 2 + 0 + 0) / 5 = 0.8
SELECT unit % 2 AS grp, round((ips_value(reward, logged, target)).estimate::numeric, 6) AS ips
FROM ope_log GROUP BY 1 ORDER BY 1;

-- overlap diagnostics: sum w = 4 * 0.4 + 4 * 2 + 2 * 1 = 11.6, the effective
-- sample size (sum w)^2 / sum w^2 = 134.56 / 18.64 = 7.2189, and the largest
-- weight carries 2 / 11.6 = 17.2% of the total.  With unit 3's target at 1
-- its weight 5 is clipped to 4: sum w = 14.6 (mean 1.46), 4 / 14.6 = 27.4%,
-- and 2 of 10 logged propensities (0.2) lie below the floor 0.25
SELECT n, round(sum_weight::numeric, 6) AS sum_weight, round(mean_weight::numeric, 6) AS mean_weight,
       round(max_weight::numeric, 6) AS max_weight, round(ess::numeric, 4) AS ess,
       round(ess_share::numeric, 4) AS ess_share, min_logged_propensity, share_below_floor,
       n_clipped, warnings
FROM (SELECT (ope_overlap(logged, target)).* FROM ope_log) s;

SELECT n, round(max_weight::numeric, 6) AS max_weight, share_below_floor, n_clipped, unnest(warnings) AS warning
FROM (SELECT (ope_overlap(logged, CASE WHEN unit = 3 THEN 1 ELSE target END,
                          '{"floor": 0.25, "clip": 4}')).* FROM ope_log) s;

-- the standard normal's 97.5% quantile, 1.959963984540054 (to 16 digits)
SELECT round(ope_normal_quantile(0.975)::numeric, 12) AS z_975;

-- the policy of a stored model: a linear T-learner with one feature and two
-- actions.  mu_0 = 1 + 0.5 x, mu_1 = 1.2 + 0.2 x, mu_2 = 0.8 + x, so the
-- effects are 0.2 - 0.3 x and -0.2 + 0.5 x; epsilon 0.3 over 3 actions gives
-- 0.1 to each and 0.7 more to the greedy one (action 1 at x = -2 and 0,
-- action 2 at x = 2); q_target = sum p_a mu_a: at x = -2, 0.1 * 0 + 0.8 * 0.8
-- + 0.1 * -1.2 = 0.52; at 0, 0.1 + 0.96 + 0.08 = 1.14; at 2, 0.2 + 0.16 +
-- 2.24 = 2.6
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
