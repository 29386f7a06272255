-- uplift_fit: fitting value and cost models on the demo campaign, and the
-- messages users see for bad input.
CREATE TABLE campaign AS SELECT * FROM uplift_demo_campaign(5000, 1);

CREATE TABLE models AS
SELECT uplift_fit(features, action, value, propensity,
                  '{"base": "linear", "feature_names": ["x1", "x2", "x3", "x4", "x5"]}') AS value_model,
       uplift_fit(features, action, cost, propensity, '{"base": "linear"}') AS cost_model,
       uplift_fit(features, action, converted) AS conversion_model,
       uplift_fit(features, action, converted, '{"learner": "s_learner", "interactions": false}') AS conversion_s
FROM campaign;

-- what the models record
SELECT i->>'learner' AS learner, i->>'base' AS base, i->'n_actions' AS n_actions,
       i->'n_features' AS n_features, i->'options' AS options
FROM models, LATERAL (SELECT uplift_model_info(value_model) AS i) x;

-- the arms: rows and outcome means, against the campaign's own count and
-- mean of value per action
SELECT (a->>'action')::int AS action, (a->>'rows')::int AS rows,
       round((a->>'outcome_mean')::numeric, 4) AS outcome_mean,
       (a->>'rows')::int = c.n AS rows_as_counted,
       abs((a->>'outcome_mean')::float8 - c.mean) < 1e-12 * abs(c.mean) AS mean_as_averaged
FROM models, jsonb_array_elements(uplift_model_info(value_model)->'arms') a
JOIN (SELECT action, count(*) AS n, avg(value) AS mean FROM campaign GROUP BY action) c
  ON c.action = (a->>'action')::int
ORDER BY 1;

-- the heads against the demo's true value model (doc/demo.md): value = 5 +
-- 2 x1 + x2 + 1.5 x3 + tv_a(x) + 2 e, tv1 = 1 + 0.8 x1 - 0.5 x3, tv2 = 1.5 -
-- 0.6 x1 + x2 + 0.5 x4, so (intercept, x1, x3) is (5, 2, 1.5) for arm 0,
-- (6, 2.8, 1) for arm 1 and (6.5, 1.4, 1.5) for arm 2; with noise 2 e over
-- about 1,500 rows per arm the fitted values are within a few of their
-- standard errors (about 2 / sqrt(1500) = 0.05 for x1, 0.1 for x3, more for
-- the intercept, which shares x4's uniform mean)

SELECT (h->>'action')::int AS head, h->>'link' AS link, (h->>'converged')::bool AS converged,
       round((h->>'intercept')::numeric, 3) AS intercept,
       round((h->'coefficients'->>'x1')::numeric, 3) AS x1,
       round((h->'coefficients'->>'x3')::numeric, 3) AS x3
FROM models, jsonb_array_elements(uplift_model_info(value_model)->'heads') h;

-- an s_learner without interactions: the 5 features, then one column per action
SELECT jsonb_object_keys(uplift_model_info(conversion_s)->'heads'->0->'coefficients') AS s_learner_columns
FROM models;

-- estimated against true uplift, per action (the demo's true_*_uplift columns)
SELECT k AS action,
       round(avg((uplift_scores(value_model, features))[k])::numeric, 2) AS est_value_uplift,
       round(avg(true_value_uplift[k])::numeric, 2) AS true_value_uplift,
       round(avg((uplift_scores(cost_model, features))[k])::numeric, 2) AS est_cost_uplift,
       round(avg(true_cost_uplift[k])::numeric, 2) AS true_cost_uplift,
       round(corr((uplift_scores(conversion_model, features))[k], true_conversion_uplift[k])::numeric, 1)
           AS conversion_corr
FROM campaign, models, generate_series(1, 2) k
GROUP BY k ORDER BY k;

-- bad input
SELECT uplift_fit(ARRAY[1, 2]::float8[], -1, 0.0);
SELECT uplift_fit(ARRAY[1, NULL]::float8[], 0, 0.0);
SELECT uplift_fit(x, 0, 1.0) FROM (VALUES (ARRAY[1.0, 2.0]::float8[]), (ARRAY[1.0]::float8[])) v(x);
SELECT uplift_fit(features, action, value, '{"learner": "forest", "criterion": "kl"}') FROM campaign;
SELECT uplift_fit(features, action, value, '{"l2": -1}') FROM campaign;
SELECT uplift_fit(features, action, value, '{"max_iters": 10}') FROM campaign;
SELECT uplift_fit(features, action, value, '{"base": "logistic"}') FROM campaign;
SELECT uplift_fit(features, action, value) FROM campaign WHERE action = 0;
SELECT uplift_fit(features, action, value) FROM campaign WHERE action <> 1;
SELECT uplift_fit(features, action, value) FROM campaign WHERE false;

DROP TABLE models;
DROP TABLE campaign;
