-- pgTAP: the class-transformation, X- and DR-learners on the Hillstrom subset
-- against scikit-uplift and causalml (../shared/reference/learners_hillstrom.csv,
-- README section f; loaded into ref_learners by test/fixtures/15_fit_reference.sql).
-- Features, in order: recency, history/1000, mens, womens, newbie.
BEGIN;
SELECT plan(16);

CREATE TEMP TABLE m AS
SELECT uplift_fit(features, treatment, visit::float8,
                  '{"learner": "class_transform", "tol": 1e-12,
                    "feature_names": ["recency", "history_k", "mens", "womens", "newbie"]}') AS ct,
       uplift_fit(features, treatment, spend, 0.5,
                  '{"learner": "class_transform", "l2": 0,
                    "feature_names": ["recency", "history_k", "mens", "womens", "newbie"]}') AS ct_reg,
       uplift_fit(features, treatment, spend,
                  '{"learner": "x_learner", "l2": 0,
                    "feature_names": ["recency", "history_k", "mens", "womens", "newbie"]}') AS x,
       uplift_fit(features, treatment, spend,
                  '{"learner": "dr_learner", "l2": 0}') AS dr
FROM hillstrom_mens;

-- Our heads' coefficients, named as the peers name them.
CREATE TEMP TABLE ours AS
SELECT h.ord, h.h->>'role' AS role, (h.h->>'action')::int AS action, q.quantity, q.value, f.name
FROM (SELECT 'ct' AS name, ct AS fit FROM m UNION ALL SELECT 'ct_reg', ct_reg FROM m
      UNION ALL SELECT 'x', x FROM m) f,
     jsonb_array_elements(uplift_model_info(f.fit)->'heads') WITH ORDINALITY h(h, ord),
     LATERAL (SELECT 'intercept' AS quantity, (h.h->>'intercept')::float8 AS value
              UNION ALL
              SELECT 'coef_' || c.key, c.value::float8
              FROM jsonb_each_text(h.h->'coefficients') c) q;

CREATE TEMP TABLE cmp AS
SELECT r.learner, r.quantity, r.value AS ref, o.value AS ours
FROM ref_learners r
JOIN ours o ON
     (r.learner = 'ClassTransformation' AND o.name = 'ct'
      AND r.quantity = 'estimator.' || o.quantity)
  OR (r.learner = 'ClassTransformationReg' AND o.name = 'ct_reg'
      AND r.quantity = 'estimator.' || o.quantity)
  OR (r.learner = 'BaseXRegressor' AND o.name = 'x' AND r.quantity =
      CASE o.role WHEN 'outcome' THEN CASE o.action WHEN 0 THEN 'model_mu_c.' ELSE 'models_mu_t[1].' END
                  WHEN 'effect_control' THEN 'models_tau_c[1].'
                  WHEN 'effect' THEN 'models_tau_t[1].' END || o.quantity);

SELECT is(count(*), 6::bigint, 'ClassTransformation: every coefficient has a counterpart')
FROM cmp WHERE learner = 'ClassTransformation';
SELECT ok(max(abs(ours - ref)) < 1e-6,
          'class_transform (logistic) equals sklift ClassTransformation to 1e-6')
FROM cmp WHERE learner = 'ClassTransformation';
SELECT is(count(*), 6::bigint, 'ClassTransformationReg: every coefficient has a counterpart')
FROM cmp WHERE learner = 'ClassTransformationReg';
SELECT ok(max(abs(ours - ref) / abs(ref)) < 1e-9,
          'class_transform (linear, propensity 1/2) equals sklift ClassTransformationReg to 1e-9 relative')
FROM cmp WHERE learner = 'ClassTransformationReg';
SELECT is(count(*), 24::bigint, 'BaseXRegressor: every coefficient of the four models has a counterpart')
FROM cmp WHERE learner = 'BaseXRegressor';
SELECT ok(max(abs(ours - ref) / abs(ref)) < 1e-9,
          'x_learner (OLS) equals causalml BaseXRegressor''s four models to 1e-9 relative')
FROM cmp WHERE learner = 'BaseXRegressor';

-- Per-row uplift of the first 20 rows.
CREATE TEMP TABLE cate AS
SELECT r.learner, r.value AS ref,
       CASE r.learner WHEN 'ClassTransformation' THEN uplift_score(m.ct, h.features)
                      WHEN 'ClassTransformationReg' THEN uplift_score(m.ct_reg, h.features)
                      WHEN 'BaseXRegressor' THEN uplift_score(m.x, h.features) END AS ours
FROM ref_learners r
JOIN hillstrom_mens h ON h.subset_row = r.subset_row AND h.file_row = r.file_row, m
WHERE r.quantity = 'cate'
  AND r.learner IN ('ClassTransformation', 'ClassTransformationReg', 'BaseXRegressor');

SELECT is(count(*), 60::bigint, 'the first 20 rows of three learners are compared') FROM cate;
SELECT ok(max(abs(ours - ref)) < 1e-6,
          'class_transform uplift (2 P(z = 1) - 1) of the first 20 rows equals sklift''s to 1e-6')
FROM cate WHERE learner = 'ClassTransformation';
SELECT ok(max(abs(ours - ref) / abs(ref)) < 1e-9,
          'class_transform (linear) uplift of the first 20 rows equals sklift''s to 1e-9 relative')
FROM cate WHERE learner = 'ClassTransformationReg';
SELECT ok(max(abs(ours - ref) / abs(ref)) < 1e-9,
          'x_learner uplift of the first 20 rows equals causalml''s to 1e-9 relative')
FROM cate WHERE learner = 'BaseXRegressor';

-- Averages over all rows.
SELECT ok(abs(avg(uplift_score(m.x, h.features)) - r.value) / r.value < 1e-9,
          'x_learner ATE equals causalml BaseXRegressor''s to 1e-9 relative')
FROM hillstrom_mens h, m, ref_learners r
WHERE r.learner = 'BaseXRegressor' AND r.quantity = 'ate'
GROUP BY r.value;
SELECT ok(abs(avg(uplift_score(m.ct, h.features)) - r.value) < 1e-7,
          'class_transform mean uplift equals sklift''s (generator row) to 1e-7')
FROM hillstrom_mens h, m, ref_learners r
WHERE r.learner = 'ClassTransformation' AND r.quantity LIKE '(generator) mean%'
GROUP BY r.value;

-- The X-learner's mixing weight is the treated share of the rows (causalml
-- was given 1/2; with OLS both effect models agree, so the mix does not matter).
SELECT ok(abs((uplift_model_info(x)->'mix'->>0)::float8 - 21307.0 / 42613.0) < 1e-15,
          'x_learner mixing weight is the arm share n_1 / (n_0 + n_1)')
FROM m;

-- DR: causalml cross-fits with numpy's random folds, so only a range: our
-- DR-learner (no cross-fitting) must fall within the ATEs of seeds 0..19.
SELECT ok(avg(uplift_score(m.dr, h.features))
              BETWEEN (SELECT value FROM ref_learners WHERE learner = 'BaseDRRegressor' AND quantity = 'ate min over seeds')
                  AND (SELECT value FROM ref_learners WHERE learner = 'BaseDRRegressor' AND quantity = 'ate max over seeds'),
          'dr_learner ATE lies within causalml BaseDRRegressor''s ATEs over 20 fold seeds')
FROM hillstrom_mens h, m;

-- The transformed class z = 1 when y equals t: its count, in plain SQL.
SELECT is(sum(CASE WHEN visit = treatment THEN 1 ELSE 0 END)::float8,
          (SELECT value FROM ref_learners WHERE learner = 'ClassTransformation'
             AND quantity = '(check) sum of z = (y == treatment)'),
          'the class transformation''s z count agrees with sklift''s')
FROM hillstrom_mens;

-- The DR-learner with arm-share propensities and OLS equals the T-learner:
-- the pseudo-outcome's residual terms are orthogonal to the features in each arm.
SELECT ok(max(abs(uplift_score(m.dr, h.features) - uplift_score(t.t, h.features))) < 1e-9,
          'dr_learner (OLS, arm shares) reduces to the T-learner on every row')
FROM hillstrom_mens h, m,
     (SELECT uplift_fit(features, treatment, spend, '{"l2": 0}') AS t FROM hillstrom_mens) t;

SELECT * FROM finish();
ROLLBACK;
