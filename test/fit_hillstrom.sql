-- pgTAP: uplift_fit on the Hillstrom subset against scikit-learn and causalml
-- (../shared/reference, README sections e and f).  Features, in order:
-- recency, history/1000, mens, womens, newbie.
BEGIN;
SELECT plan(20);

CREATE TEMP TABLE m AS
SELECT uplift_fit(features, treatment, visit::float8,
                  '{"feature_names": ["recency", "history_k", "mens", "womens", "newbie"]}') AS visit_t,
       uplift_fit(features, treatment, spend,
                  '{"l2": 0, "feature_names": ["recency", "history_k", "mens", "womens", "newbie"]}') AS spend_t,
       uplift_fit(features, treatment, visit::float8,
                  '{"learner": "s_learner", "interactions": false}') AS visit_s,
       uplift_fit(features, treatment, spend,
                  '{"learner": "s_learner", "interactions": false, "l2": 0}') AS spend_s,
       uplift_fit(features, treatment, visit::float8, 0.5,
                  '{"feature_names": ["recency", "history_k", "mens", "womens", "newbie"]}') AS visit_t_w,
       uplift_fit(features::float4[], treatment, spend, '{"l2": 0}') AS spend_t_f4,
       uplift_fit((features::float4[])::float8[], treatment, spend, '{"l2": 0}') AS spend_t_f4_as_f8,
       -- an explicit linear base keeps per-arm moments instead of rows
       uplift_fit(features, treatment, spend,
                  '{"l2": 0, "base": "linear", "feature_names": ["recency", "history_k", "mens", "womens", "newbie"]}')
           AS spend_t_mom,
       uplift_fit(features, treatment, spend,
                  '{"learner": "s_learner", "interactions": false, "l2": 0, "base": "linear"}') AS spend_s_mom
FROM hillstrom_mens;

-- Our coefficients as (arm, quantity, value) in the reference's naming.
CREATE TEMP TABLE ours AS
SELECT CASE (h->>'action')::int WHEN 0 THEN 'control' ELSE 'treated' END AS arm,
       m.model, q.quantity, q.value
FROM (SELECT 'logistic_visit' AS model, visit_t AS fit FROM m
      UNION ALL SELECT 'ols_spend', spend_t FROM m) m,
     jsonb_array_elements(uplift_model_info(m.fit)->'heads') h,
     LATERAL (SELECT 'intercept' AS quantity, (h->>'intercept')::float8 AS value
              UNION ALL
              SELECT 'coef_' || c.key, c.value::float8
              FROM jsonb_each_text(h->'coefficients') c) q;

CREATE TEMP TABLE cmp AS
SELECT o.model, o.arm, o.quantity, o.value AS ours, r.value AS ref
FROM ours o
JOIN ref_model_coefficients r USING (model, arm, quantity)
WHERE r.args LIKE 'LogisticRegression(%newton-cholesky%' OR r.model = 'ols_spend';

SELECT is(count(*), 24::bigint, 'every reference coefficient has a counterpart')
FROM cmp;

SELECT ok(max(abs(ours - ref)) < 1e-6,
          'logistic T-learner (treated arm) equals scikit-learn newton-cholesky to 1e-6')
FROM cmp WHERE model = 'logistic_visit' AND arm = 'treated';
SELECT ok(max(abs(ours - ref)) < 1e-6,
          'logistic T-learner (control arm) equals scikit-learn newton-cholesky to 1e-6')
FROM cmp WHERE model = 'logistic_visit' AND arm = 'control';
SELECT ok(max(abs(ours - ref) / abs(ref)) < 1e-9,
          'OLS T-learner (l2 = 0) equals scikit-learn LinearRegression to 1e-9 relative')
FROM cmp WHERE model = 'ols_spend';

-- The same from per-arm moments (explicit linear base).
SELECT ok(max(abs(o.value - r.value) / abs(r.value)) < 1e-9,
          'OLS T-learner from moments (base linear, l2 = 0) equals scikit-learn LinearRegression to 1e-9 relative')
FROM m, jsonb_array_elements(uplift_model_info(m.spend_t_mom)->'heads') h,
     LATERAL (SELECT 'intercept' AS quantity, (h->>'intercept')::float8 AS value
              UNION ALL SELECT 'coef_' || c.key, c.value::float8 FROM jsonb_each_text(h->'coefficients') c) o,
     ref_model_coefficients r
WHERE r.model = 'ols_spend' AND r.quantity = o.quantity
  AND r.arm = CASE (h->>'action')::int WHEN 0 THEN 'control' ELSE 'treated' END;

-- The first 20 rows' uplift.
CREATE TEMP TABLE r20 AS
SELECT r.*, ARRAY[recency, history_k, mens, womens, newbie] AS x
FROM ref_model_uplift_first20 r;

SELECT ok(max(abs(uplift_score(m.visit_t, r.x) - r.uplift_visit_logistic_newton_cholesky)) < 1e-9,
          'logistic T-learner uplift of the first 20 rows equals scikit-learn''s to 1e-9')
FROM r20 r, m;
SELECT ok(max(abs(uplift_score(m.spend_t, r.x) - r.uplift_spend_ols) / abs(r.uplift_spend_ols)) < 1e-9,
          'OLS T-learner uplift of the first 20 rows equals scikit-learn''s to 1e-9 relative')
FROM r20 r, m;

-- causalml's T-learners: ATE = mean uplift over all rows.
SELECT ok(abs(avg(uplift_score(m.spend_t, h.features)) - r.value) / r.value < 1e-9,
          'OLS T-learner ATE equals causalml BaseTRegressor''s to 1e-9 relative')
FROM hillstrom_mens h, m, ref_learners r
WHERE r.learner = 'BaseTRegressor' AND r.quantity = 'ate'
GROUP BY r.value;
SELECT ok(abs(avg(uplift_score(m.visit_t, h.features)) - r.value) / r.value < 1e-7,
          'logistic T-learner ATE equals causalml BaseTClassifier''s to 1e-7 relative')
FROM hillstrom_mens h, m, ref_learners r
WHERE r.learner = 'BaseTClassifier' AND r.quantity = 'ate'
GROUP BY r.value;

-- causalml's S-learners have no interactions and penalise the treatment
-- coefficient like the others: our s_learner with interactions off.
CREATE TEMP TABLE s_cmp AS
SELECT r.learner, r.quantity, r.value AS ref,
       CASE r.quantity
           WHEN 'models[1].intercept' THEN (h->>'intercept')::float8
           WHEN 'models[1].coef_treatment' THEN (h->'coefficients'->>'action_1')::float8
           ELSE (h->'coefficients'->>('x' || (array_position(
                    ARRAY['recency', 'history_k', 'mens', 'womens', 'newbie'],
                    replace(r.quantity, 'models[1].coef_', ''))::text)))::float8
       END AS ours
FROM ref_learners r, m,
     LATERAL (SELECT uplift_model_info(CASE WHEN r.learner = 'BaseSRegressor'
                                            THEN m.spend_s ELSE m.visit_s END)->'heads'->0 AS h) x
WHERE r.learner IN ('BaseSRegressor', 'BaseSClassifier')
  AND r.quantity LIKE 'models[1].%';

SELECT is(count(ours), 14::bigint, 'every causalml S-learner coefficient has a counterpart')
FROM s_cmp;
SELECT ok(max(abs(ours - ref) / abs(ref)) < 1e-9,
          'S-learner, linear, l2 = 0, no interactions equals causalml BaseSRegressor to 1e-9 relative')
FROM s_cmp WHERE learner = 'BaseSRegressor';
SELECT ok(max(abs(ours - ref)) < 1e-6,
          'S-learner, logistic, l2 = 1, no interactions equals causalml BaseSClassifier to 1e-6')
FROM s_cmp WHERE learner = 'BaseSClassifier';

SELECT ok(max(abs(uplift_score(m.visit_s, h.features) - r.value) / abs(r.value)) < 1e-7,
          'S-learner cate of the first 20 rows equals BaseSClassifier''s to 1e-7 relative')
FROM hillstrom_mens h, m, ref_learners r
WHERE r.learner = 'BaseSClassifier' AND r.quantity = 'cate' AND r.subset_row = h.subset_row;
SELECT ok(max(abs(uplift_score(m.spend_s, h.features) - r.value) / abs(r.value)) < 1e-9,
          'S-learner cate of the first 20 rows equals BaseSRegressor''s to 1e-9 relative')
FROM hillstrom_mens h, m, ref_learners r
WHERE r.learner = 'BaseSRegressor' AND r.quantity = 'cate' AND r.subset_row = h.subset_row;

SELECT ok(max(abs(uplift_score(m.spend_s_mom, h.features) - r.value) / abs(r.value)) < 1e-9,
          'S-learner from moments equals BaseSRegressor''s cate to 1e-9 relative')
FROM hillstrom_mens h, m, ref_learners r
WHERE r.learner = 'BaseSRegressor' AND r.quantity = 'cate' AND r.subset_row = h.subset_row;
SELECT ok(abs((uplift_model_info(m.spend_s_mom)->'heads'->0->'coefficients'->>'action_1')::float8 - r.value) / r.value < 1e-9,
          'S-learner from moments: the treatment coefficient equals BaseSRegressor''s to 1e-9 relative')
FROM m, ref_learners r
WHERE r.learner = 'BaseSRegressor' AND r.quantity = 'models[1].coef_treatment';

-- A constant propensity weights every row alike: the same fit.
CREATE FUNCTION pg_temp.flat(model uplift_model) RETURNS TABLE (name text, value float8)
LANGUAGE sql AS $$
    SELECT (h->>'action') || ':' || c.key, c.value::float8
    FROM jsonb_array_elements(uplift_model_info(model)->'heads') h,
         jsonb_each_text(h->'coefficients' || jsonb_build_object('intercept', h->'intercept')) c
$$;

SELECT ok(count(*) = 12 AND max(abs(a.value - b.value)) < 1e-12,
          'weighting by a constant propensity gives the unweighted fit')
FROM m, pg_temp.flat(m.visit_t) a JOIN pg_temp.flat(m.visit_t_w) b USING (name);

SELECT is(uplift_model_info(m.visit_t_w)->'propensity', '{"min": 0.5, "max": 0.5, "clipped_rows": 0}'::jsonb,
          'the model records the range of propensities it saw')
FROM m;

-- float4[] features fit as their float8 values.
SELECT is(uplift_model_info(m.spend_t_f4)->'heads', uplift_model_info(m.spend_t_f4_as_f8)->'heads',
          'float4[] features give the fit of the same values as float8[]')
FROM m;

-- Per-arm rows and outcome means against the data set's verified figures.
SELECT is(uplift_model_info(m.visit_t)->'arms',
          jsonb_build_array(
              jsonb_build_object('action', 0, 'rows', 21306, 'outcome_mean',
                                 (SELECT sum(visit)::float8 / 21306 FROM hillstrom_mens WHERE treatment = 0)),
              jsonb_build_object('action', 1, 'rows', 21307, 'outcome_mean', 3894 / 21307.0::float8)),
          'per-arm rows and visit means are recorded')
FROM m;

SELECT * FROM finish();
ROLLBACK;
