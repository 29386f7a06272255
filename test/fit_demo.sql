-- pgTAP: uplift_fit on the demo campaign (three arms, known true uplift) and
-- against closed forms computed in plain SQL.
BEGIN;
SELECT plan(13);

CREATE TEMP TABLE c AS SELECT * FROM uplift_demo_campaign(20000, 7);
-- A logged propensity that varies with the features (for weighting checks).
ALTER TABLE c ADD COLUMN p_var float8;
UPDATE c SET p_var = CASE WHEN features[3] = 1 THEN 0.2 ELSE 0.6 END;

CREATE TEMP TABLE m AS
SELECT uplift_fit(features, action, value, '{"base": "linear", "l2": 0}') AS value_t,
       uplift_fit(features, action, cost, '{"base": "linear", "l2": 0}') AS cost_t,
       uplift_fit(features, action, converted) AS conv_t,
       uplift_fit(features, action, converted, propensity, NULL) AS conv_t_w,
       uplift_fit(features, action, value, '{"learner": "s_learner", "l2": 0}') AS value_s,
       uplift_fit(ARRAY[features[1]], action, value, '{"l2": 0}') AS value_t_1,
       uplift_fit(ARRAY[features[1]], action, value, p_var, '{"l2": 0}') AS value_t_1w,
       uplift_fit(ARRAY[features[1]], action, value, p_var, '{"l2": 0, "base": "linear"}') AS value_t_1w_mom
FROM c;

-- Ground truth.  The value and cost of each arm are linear in the features,
-- so a linear T-learner recovers the true uplift up to noise (value noise
-- sd 2, about 6,000 rows per arm: expected RMSE about 0.1).
SELECT ok(max(rmse) < 0.25, 'linear T-learner: RMSE of the value uplift against the truth below 0.25 for both actions')
FROM (SELECT k, sqrt(avg((uplift_score(m.value_t, features, k) - true_value_uplift[k])^2)) AS rmse
      FROM c, m, generate_series(1, 2) k GROUP BY k) r;
SELECT ok(max(rmse) < 0.02, 'linear T-learner: RMSE of the cost uplift against the truth below 0.02 for both actions')
FROM (SELECT k, sqrt(avg((uplift_score(m.cost_t, features, k) - true_cost_uplift[k])^2)) AS rmse
      FROM c, m, generate_series(1, 2) k GROUP BY k) r;
-- Conversion is logistic in the features for every arm, so a logistic
-- T-learner's uplift tracks the true one: correlation above 0.9 per action.
SELECT ok(min(r) > 0.9, 'logistic T-learner: correlation with the true conversion uplift above 0.9 for both actions')
FROM (SELECT k, corr(uplift_score(m.conv_t, features, k), true_conversion_uplift[k]) AS r
      FROM c, m, generate_series(1, 2) k GROUP BY k) r;

SELECT is(array_length(uplift_scores(m.conv_t, features), 1), 2, 'a three-arm fit scores two actions')
FROM c, m LIMIT 1;

-- With l2 = 0 and interactions the S-learner's design spans each arm's own
-- linear model: the same fit as the T-learner, by a different design.
SELECT ok(max(abs((uplift_scores(m.value_s, features))[k] - (uplift_scores(m.value_t, features))[k])) < 1e-9,
          'saturated linear S-learner equals the T-learner')
FROM c, m, generate_series(1, 2) k;

-- The demo's propensities are constant within each arm: weighting changes nothing.
SELECT ok(max(abs((uplift_scores(m.conv_t_w, features))[k] - (uplift_scores(m.conv_t, features))[k])) < 1e-12,
          'arm-constant propensities give the unweighted fit')
FROM c, m, generate_series(1, 2) k;
SELECT ok((uplift_model_info(m.conv_t_w)->'propensity'->>'min')::float8 = 0.3
          AND (uplift_model_info(m.conv_t_w)->'propensity'->>'max')::float8 = 0.4,
          'the model records the propensity range 0.3 to 0.4')
FROM m;

-- One feature: OLS per arm in closed form (regr_slope, regr_intercept).
CREATE TEMP TABLE ols1 AS
SELECT action, regr_intercept(value, features[1]) AS b0, regr_slope(value, features[1]) AS b1
FROM c GROUP BY action;
SELECT ok(max(abs(uplift_predict(m.value_t_1, ARRAY[x], o.action) - (o.b0 + o.b1 * x))) < 1e-9,
          'one-feature linear fit equals regr_intercept + regr_slope per arm')
FROM m, ols1 o, unnest(ARRAY[-2.0, 0.0, 1.5]::float8[]) x;

-- Weighted least squares with w = 1/propensity, in closed form per arm.
CREATE TEMP TABLE wls1 AS
SELECT action, sum(w * (x - xw) * (y - yw)) / sum(w * (x - xw)^2) AS b1, min(xw) AS xw, min(yw) AS yw
FROM (SELECT action, 1 / p_var AS w, features[1] AS x, value AS y,
             sum(features[1] / p_var) OVER a / sum(1 / p_var) OVER a AS xw,
             sum(value / p_var) OVER a / sum(1 / p_var) OVER a AS yw
      FROM c WINDOW a AS (PARTITION BY action)) s
GROUP BY action;
SELECT ok(max(abs(uplift_predict(m.value_t_1w, ARRAY[x], o.action) - (o.yw + o.b1 * (x - o.xw)))) < 1e-9,
          'propensity-weighted fit equals weighted least squares with weights 1/propensity')
FROM m, wls1 o, unnest(ARRAY[-2.0, 0.0, 1.5]::float8[]) x;
SELECT ok(max(abs(uplift_predict(m.value_t_1w_mom, ARRAY[x], o.action) - (o.yw + o.b1 * (x - o.xw)))) < 1e-9,
          'the same weighted fit from per-arm moments (base linear)')
FROM m, wls1 o, unnest(ARRAY[-2.0, 0.0, 1.5]::float8[]) x;
SELECT ok(max(abs(uplift_predict(m.value_t_1w, ARRAY[1.0::float8], o.action)
                  - uplift_predict(m.value_t_1, ARRAY[1.0::float8], o.action))) > 1e-3,
          'weights that vary within an arm change the fit')
FROM m, ols1 o;

SELECT is((SELECT array_agg((a->>'rows')::bigint ORDER BY (a->>'action')::int)
           FROM jsonb_array_elements(uplift_model_info(m.value_t)->'arms') a),
          (SELECT array_agg(n ORDER BY action) FROM (SELECT action, count(*) AS n FROM c GROUP BY action) s),
          'per-arm row counts are recorded')
FROM m;

-- One model per group: GROUP BY (hashed) gives each group's own fit.
SET LOCAL enable_sort = off;
SELECT ok(bool_and(uplift_model_info(a.m)->'heads' = uplift_model_info(b.m)->'heads'),
          'GROUP BY fits one model per group, equal to fitting each group alone')
FROM (SELECT (unit_id % 3)::int AS g, uplift_fit(features, action, value, '{"l2": 0}') AS m
      FROM c GROUP BY 1) a
JOIN (SELECT 0 AS g, uplift_fit(features, action, value, '{"l2": 0}') AS m FROM c WHERE unit_id % 3 = 0
      UNION ALL
      SELECT 1, uplift_fit(features, action, value, '{"l2": 0}') FROM c WHERE unit_id % 3 = 1
      UNION ALL
      SELECT 2, uplift_fit(features, action, value, '{"l2": 0}') FROM c WHERE unit_id % 3 = 2) b USING (g);
RESET enable_sort;

SELECT * FROM finish();
ROLLBACK;
