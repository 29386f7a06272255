-- Calibration on a holdout: the line, its slope's standard error, the
-- warnings of the best-linear-predictor test, and the holdouts it refuses.
CREATE TABLE cal_model AS SELECT uplift_model_import('{
  "learner": "t_learner", "base": "linear", "n_actions": 1, "n_features": 1,
  "heads": [
    {"role": "outcome", "action": 0, "link": "identity", "intercept": 0, "coefficients": [0]},
    {"role": "outcome", "action": 1, "link": "identity", "intercept": 0, "coefficients": [1]}]}') AS model;

-- a randomized holdout (propensity 1/2) whose true effect is the score x,
-- 0.2 x, or 2 - x, with the same deterministic noise
CREATE TABLE cal_holdout AS
SELECT i, ARRAY[(i % 20) / 10.0]::float8[] AS x, i % 2 AS action,
       ((i * 7919) % 101 - 50) / 100.0 AS noise
FROM generate_series(1, 600) i;

SELECT truth, (l ->> 'rows')::int AS rows, round((l ->> 'slope')::numeric, 3) AS slope,
       round((l ->> 'slope_se')::numeric, 3) AS slope_se, round((l ->> 'intercept')::numeric, 3) AS intercept
FROM (SELECT 'x' AS truth,
             uplift_fit_calibration(m.model, h.x, h.action, h.noise + h.action * h.x[1], 0.5) AS model
      FROM cal_model m, cal_holdout h) c,
     jsonb_array_elements(uplift_model_info(c.model) -> 'calibration') l;

-- the same lines by hand, from the formulas of doc/calibration.md: with mu_0 =
-- 0, mu_1 = x and e = 1/2 the pseudo-outcome is phi = x + 2 (y - x) on treated
-- rows and x - 2 y on control rows; slope = Sxy / Sxx, intercept = mean(phi) -
-- slope mean(x), slope_se = sqrt((Syy - Sxy^2 / Sxx) / (n - 2) / Sxx)
SELECT truth, regr_count(phi, s) AS rows, round(regr_slope(phi, s)::numeric, 3) AS slope,
       round(sqrt((regr_syy(phi, s) - regr_sxy(phi, s) ^ 2 / regr_sxx(phi, s))
                  / (regr_count(phi, s) - 2) / regr_sxx(phi, s))::numeric, 3) AS slope_se,
       round(regr_intercept(phi, s)::numeric, 3) AS intercept
FROM (SELECT truth, x[1] AS s,
             x[1] + CASE WHEN action = 1 THEN 2 * (y - x[1]) ELSE -2 * y END AS phi
      FROM (SELECT t.truth, h.x, h.action,
                   h.noise + h.action * CASE t.truth WHEN 'x' THEN h.x[1] WHEN '0.2 x' THEN 0.2 * h.x[1]
                                                     ELSE 2 - h.x[1] END AS y
            FROM cal_holdout h, (VALUES ('x'), ('0.2 x'), ('2 - x')) t(truth)) r) q
GROUP BY truth ORDER BY truth;

-- an effect of 0.2 times the score: this holdout cannot tell it from noise
SELECT round((uplift_model_info(
           uplift_fit_calibration(m.model, h.x, h.action, h.noise + h.action * h.x[1] * 0.2, 0.5)) #>> '{calibration,0,slope}')::numeric, 3) AS slope
FROM cal_model m, cal_holdout h;

-- the effect falls as the score rises: the slope is negative
SELECT round((uplift_model_info(
           uplift_fit_calibration(m.model, h.x, h.action, h.noise + h.action * (2 - h.x[1]), 0.5)) #>> '{calibration,0,slope}')::numeric, 3) AS slope
FROM cal_model m, cal_holdout h;

-- holdouts that cannot show the effect are refused
SELECT uplift_fit_calibration(NULL::uplift_model, ARRAY[1.0]::float8[], 1, 1.0, 0.5);
SELECT uplift_fit_calibration(m.model, h.x, h.action, NULL, 0.5) FROM cal_model m, cal_holdout h;
SELECT uplift_fit_calibration(m.model, h.x, h.action, h.noise, 0.5) FROM cal_model m, cal_holdout h WHERE h.action = 0;
SELECT uplift_fit_calibration(m.model, h.x, h.action, h.noise, 0.5) FROM cal_model m, cal_holdout h WHERE h.action = 1;
SELECT uplift_fit_calibration(m.model, h.x, h.action, h.noise, 0.5) FROM cal_model m, cal_holdout h WHERE false;
