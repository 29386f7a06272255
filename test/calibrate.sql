-- pgTAP: uplift_fit_calibration and uplift_value_cost.
BEGIN;
SELECT plan(11);

CREATE TABLE calib_camp AS SELECT * FROM uplift_demo_campaign(40000, 11);
ANALYZE calib_camp;

-- A T-learner whose effects are a known distortion of the demo's true value
-- uplift: s1 = 2 tv1 - 0.5 and s2 = tv2 / 2 + 1, so the calibration lines
-- should come out near tv1 = 0.5 s1 + 0.25 and tv2 = 2 s2 - 2.
CREATE TABLE calib_m AS SELECT uplift_model_import('{"learner":"t_learner","base":"linear","n_actions":2,"n_features":5,
  "heads":[{"role":"outcome","action":0,"link":"identity","intercept":0,"coefficients":[0,0,0,0,0]},
           {"role":"outcome","action":1,"link":"identity","intercept":1.5,"coefficients":[1.6,0,-1.0,0,0]},
           {"role":"outcome","action":2,"link":"identity","intercept":1.75,"coefficients":[-0.3,0.5,0,0.25,0]}]}') AS raw;
ANALYZE calib_m;

SELECT ok(max(abs(uplift_score(raw, features, 1) - (2 * true_value_uplift[1] - 0.5))) < 1e-12
          AND max(abs(uplift_score(raw, features, 2) - (true_value_uplift[2] / 2 + 1))) < 1e-12,
          'the distorted model scores as constructed')
FROM calib_camp, calib_m m;

CREATE TEMP TABLE cal AS
SELECT uplift_fit_calibration(m.raw, c.features, c.action, c.value, c.propensity) AS model FROM calib_camp c, calib_m m;
CREATE TEMP TABLE lines AS
SELECT (l ->> 'action')::int AS action, (l ->> 'intercept')::float8 AS intercept,
       (l ->> 'slope')::float8 AS slope, (l ->> 'rows')::bigint AS rows
FROM cal, jsonb_array_elements(uplift_model_info(model) -> 'calibration') l;

-- the same least-squares line computed by PostgreSQL's own regr_* aggregates
-- on the AIPW pseudo-outcome mu_k - mu_0 + 1[a=k](y - mu_k)/e - 1[a=0](y - mu_0)/e
CREATE TEMP TABLE ref AS
SELECT k AS action,
       regr_slope(phi, s) AS slope, regr_intercept(phi, s) AS intercept, count(*) AS rows
FROM calib_camp c, calib_m m, generate_series(1, 2) k,
     LATERAL (SELECT uplift_predict(m.raw, c.features, k) AS mu_k,
                     uplift_predict(m.raw, c.features, 0) AS mu_0) mu,
     LATERAL (SELECT uplift_score(m.raw, c.features, k) AS s,
                     mu.mu_k - mu.mu_0
                     + CASE WHEN c.action = k THEN (c.value - mu.mu_k) / c.propensity
                            WHEN c.action = 0 THEN -(c.value - mu.mu_0) / c.propensity
                            ELSE 0 END AS phi) v
GROUP BY k;

SELECT ok(bool_and(abs(l.slope - r.slope) < 1e-9 * abs(r.slope) AND abs(l.intercept - r.intercept) < 1e-9 * (1 + abs(r.intercept))
                   AND l.rows = r.rows),
          'calibration lines equal regr_slope / regr_intercept of the AIPW pseudo-outcome on the score')
FROM lines l JOIN ref r USING (action);

SELECT ok((SELECT abs(slope - 0.5) < 0.2 FROM lines WHERE action = 1)
          AND (SELECT abs(slope - 2) < 0.6 FROM lines WHERE action = 2),
          'the slopes recover the known distortion (0.5 and 2) within sampling error');

SELECT ok((SELECT sqrt(avg((uplift_score(cal.model, features, 1) - true_value_uplift[1]) ^ 2)) FROM calib_camp, cal)
          < (SELECT sqrt(avg((uplift_score(m.raw, features, 1) - true_value_uplift[1]) ^ 2)) FROM calib_camp, calib_m m) / 2,
          'calibration at least halves the error of action 1''s effects against the truth');

SELECT ok(bool_and(uplift_predict(cal.model, c.features, 1) = uplift_predict(m.raw, c.features, 1)),
          'calibration leaves outcome predictions alone')
FROM calib_camp c, cal, calib_m m WHERE c.unit_id <= 100;

-- the same answer under a forced parallel plan
SELECT force_parallel();
SELECT ok(strpos(string_agg(p, E'\n'), 'Partial Aggregate') > 0, 'EXPLAIN shows a partial aggregate')
FROM explain_lines('SELECT uplift_fit_calibration((SELECT raw FROM calib_m), c.features, c.action, c.value, c.propensity) FROM calib_camp c') e(p);
SELECT ok(bool_and(abs(l.slope - p.slope) < 1e-9 * abs(l.slope) AND abs(l.intercept - p.intercept) < 1e-9 * (1 + abs(l.intercept))),
          'parallel and serial calibration lines agree to 1e-9')
FROM lines l JOIN (
    SELECT (x ->> 'action')::int AS action, (x ->> 'slope')::float8 AS slope, (x ->> 'intercept')::float8 AS intercept
    FROM (SELECT uplift_fit_calibration((SELECT raw FROM calib_m), c.features, c.action, c.value, c.propensity) AS model
          FROM calib_camp c) q,
         jsonb_array_elements(uplift_model_info(q.model) -> 'calibration') x) p USING (action);
SELECT force_serial();

-- value and cost combined into candidates
SELECT ok(bool_and(v.value = uplift_score(m.raw, c.features, v.action)
               AND v.cost = uplift_score(cal.model, c.features, v.action)
               AND v.net_value = v.value - v.cost
               AND (v.value_per_cost IS NULL) = (v.cost <= 0)),
          'uplift_value_cost gives each action''s value, cost, net value and value per cost')
FROM calib_camp c, calib_m m, cal, uplift_value_cost(m.raw, cal.model, c.features) v
WHERE c.unit_id <= 200;

SELECT throws_ok($$SELECT uplift_fit_calibration(m.raw, c.features, c.action, c.value, 0) FROM calib_camp c, calib_m m$$,
                 '22023', NULL, 'a propensity of 0 is rejected');
SELECT throws_ok($$SELECT uplift_fit_calibration(m.raw, c.features, 3, c.value, c.propensity) FROM calib_camp c, calib_m m$$,
                 '22023', NULL, 'an action the model does not have is rejected');
SELECT throws_ok($$SELECT uplift_fit_calibration(CASE WHEN c.unit_id % 2 = 0 THEN m.raw ELSE cal.model END,
                          c.features, c.action, c.value, c.propensity) FROM calib_camp c, calib_m m, cal$$,
                 '22023', NULL, 'different models in one calibration are rejected');

SELECT * FROM finish();
ROLLBACK;
