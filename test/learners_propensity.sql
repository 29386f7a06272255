-- pgTAP: how logged propensities enter the class-transformation and
-- DR-learners, checked against the same estimators written in plain SQL
-- (regr_slope / regr_intercept on one feature), and option min_propensity.
BEGIN;
SELECT plan(11);

-- The demo's propensities are constant per arm; lp varies them by row.
CREATE TEMP TABLE c AS
SELECT unit_id, features, features[1] AS x1, action, converted, value,
       propensity * (0.5 + (unit_id % 10) / 10.0) AS lp
FROM uplift_demo_campaign(20000, 11);

-- class_transform, linear base: OLS of y* = +-y / propensity on x.
CREATE TEMP TABLE ct AS
SELECT uplift_fit(ARRAY[x1], action, value, lp, '{"learner": "class_transform", "l2": 0}') AS m,
       uplift_fit(ARRAY[x1], action, converted, lp, '{"learner": "class_transform"}') AS m_bin,
       uplift_fit(ARRAY[x1], action, converted, 0.5, '{"learner": "class_transform"}') AS m_half
FROM c WHERE action < 2;

SELECT ok(abs((h->>'intercept')::float8 - s.b0) < 1e-9 AND abs((h->'coefficients'->>'x1')::float8 - s.b1) < 1e-9,
          'class_transform (linear) is the OLS of the propensity-corrected transformed outcome')
FROM ct, jsonb_array_elements(uplift_model_info(ct.m)->'heads') h,
     (SELECT regr_intercept(ys, x1) AS b0, regr_slope(ys, x1) AS b1
      FROM (SELECT x1, CASE action WHEN 1 THEN value / lp ELSE -value / lp END AS ys
            FROM c WHERE action < 2) t) s;
SELECT is(uplift_model_info(m_bin)->>'base', 'linear',
          'class_transform picks the linear transformed outcome for a 0/1 outcome when propensities are not 1/2')
FROM ct;
SELECT is(uplift_model_info(m_half)->>'base', 'logistic',
          'class_transform picks the logistic class transformation when every propensity is 1/2')
FROM ct;

-- dr_learner: outcome models, pseudo-outcome and effect model in SQL.
CREATE TEMP TABLE mu AS
SELECT action, regr_intercept(value, x1) AS b0, regr_slope(value, x1) AS b1
FROM c GROUP BY action;
CREATE TEMP TABLE phi AS
SELECT c.x1, k.k,
       (m.b0 + m.b1 * c.x1) - (m0.b0 + m0.b1 * c.x1)
       + CASE WHEN c.action = k.k THEN (c.value - (m.b0 + m.b1 * c.x1)) / c.lp
              WHEN c.action = 0 THEN -(c.value - (m0.b0 + m0.b1 * c.x1)) / c.lp
              ELSE 0 END AS phi
FROM c CROSS JOIN (VALUES (1), (2)) k(k)
JOIN mu m ON m.action = k.k JOIN mu m0 ON m0.action = 0;

CREATE TEMP TABLE dr AS
SELECT uplift_fit(ARRAY[x1], action, value, lp, '{"learner": "dr_learner", "l2": 0}') AS m,
       uplift_fit(ARRAY[x1], action, value, lp, '{"learner": "dr_learner", "l2": 0, "min_propensity": 0.2}') AS m_clip,
       uplift_fit(ARRAY[x1], action, value, greatest(lp, 0.2), '{"learner": "dr_learner", "l2": 0}') AS m_sqlclip
FROM c;

SELECT ok(max(abs((h->>'intercept')::float8 - s.b0)) < 1e-9 AND max(abs((h->'coefficients'->>'x1')::float8 - s.b1)) < 1e-9,
          'dr_learner''s effect heads are the OLS of the doubly robust pseudo-outcome computed in SQL')
FROM dr, jsonb_array_elements(uplift_model_info(dr.m)->'heads') h,
     (SELECT k, regr_intercept(phi, x1) AS b0, regr_slope(phi, x1) AS b1 FROM phi GROUP BY k) s
WHERE h->>'role' = 'effect' AND (h->>'action')::int = s.k;

-- min_propensity: the same as clipping in SQL, and reported.
SELECT ok((SELECT count(*) FROM jsonb_array_elements(uplift_model_info(m_clip)->'heads')) = 5
          AND (SELECT max(abs((a->>'intercept')::float8 - (b->>'intercept')::float8))
               FROM jsonb_array_elements(uplift_model_info(m_clip)->'heads') WITH ORDINALITY x(a, i)
               JOIN jsonb_array_elements(uplift_model_info(m_sqlclip)->'heads') WITH ORDINALITY y(b, j) ON i = j) < 1e-12,
          'min_propensity gives the model of propensities clipped in SQL with greatest()')
FROM dr;
SELECT is((uplift_model_info(m_clip)->'propensity'->>'clipped_rows')::bigint,
          (SELECT count(*) FROM c WHERE lp < 0.2),
          'uplift_model_info counts the clipped rows')
FROM dr;
SELECT ok((SELECT count(*) FROM c WHERE lp < 0.2) > 1000, 'the clipping test clips many rows');
SELECT ok((uplift_model_info(m_clip)->'propensity'->>'min')::float8 = (SELECT min(lp) FROM c)
          AND (uplift_model_info(m_clip)->'propensity'->>'max')::float8 = (SELECT max(lp) FROM c),
          'uplift_model_info reports the range of the propensities as logged, before clipping')
FROM dr;
SELECT is((uplift_model_info(m_clip)->'options'->>'min_propensity')::float8, 0.2::float8,
          'the options of the model record min_propensity')
FROM dr;

-- min_propensity 1 makes every weight 1: the unweighted fit.
SELECT ok(max(abs(uplift_score(w.m, c.features, 2) - uplift_score(u.m, c.features, 2))) < 1e-9,
          'with min_propensity 1 the weighted T-learner is the unweighted one')
FROM c,
     (SELECT uplift_fit(features, action, value, lp, '{"l2": 0, "min_propensity": 1}') AS m FROM c) w,
     (SELECT uplift_fit(features, action, value, '{"l2": 0}') AS m FROM c) u;

-- The X-learner's mixing weight is the arm share among arms 0 and k.
SELECT ok(abs((uplift_model_info(m)->'mix'->>0)::float8
              - (SELECT count(*) FILTER (WHERE action = 1)::float8 / count(*) FILTER (WHERE action < 2) FROM c)) < 1e-15
          AND abs((uplift_model_info(m)->'mix'->>1)::float8
              - (SELECT count(*) FILTER (WHERE action = 2)::float8 / count(*) FILTER (WHERE action IN (0, 2)) FROM c)) < 1e-15,
          'x_learner mixes tau0_k and tau1_k with the share of action k among rows of arms 0 and k')
FROM (SELECT uplift_fit(features, action, value, lp, '{"learner": "x_learner"}') AS m FROM c) x;

SELECT * FROM finish();
ROLLBACK;
