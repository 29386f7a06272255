-- pgTAP: uplift_fit_calibration on holdouts that cannot calibrate (no crash,
-- a named error), the slope's standard error against its closed form, and
-- the aggregate without rows under a parallel plan.
BEGIN;
SELECT plan(16);

CREATE TABLE ce_camp AS SELECT * FROM uplift_demo_campaign(6000, 5);
ANALYZE ce_camp;
CREATE TABLE ce_m AS SELECT uplift_model_import('{"learner":"t_learner","base":"linear","n_actions":2,"n_features":5,
  "heads":[{"role":"outcome","action":0,"link":"identity","intercept":0,"coefficients":[0,0,0,0,0]},
           {"role":"outcome","action":1,"link":"identity","intercept":1.5,"coefficients":[1.6,0,-1.0,0,0]},
           {"role":"outcome","action":2,"link":"identity","intercept":1.75,"coefficients":[-0.3,0.5,0,0.25,0]}]}') AS raw,
       uplift_model_import('{"learner":"t_learner","base":"linear","n_actions":2,"n_features":5,
  "heads":[{"role":"outcome","action":0,"link":"identity","intercept":0,"coefficients":[0,0,0,0,0]},
           {"role":"outcome","action":1,"link":"identity","intercept":2.5,"coefficients":[1.6,0,-1.0,0,0]},
           {"role":"outcome","action":2,"link":"identity","intercept":1.75,"coefficients":[-0.3,0.5,0,0.25,0]}]}') AS raw2;

-- defect: a NULL model, or no row left once NULLs are skipped, crashed the server
SELECT throws_ok($$SELECT uplift_fit_calibration(NULL::uplift_model, ARRAY[1.0]::float8[], 1, 1.0, 0.5)$$,
                 '22004', 'model of uplift_fit_calibration must not be NULL', 'a NULL model is an error');
SELECT throws_ok($$SELECT uplift_fit_calibration(m.raw, c.features, c.action, NULL::float8, c.propensity) FROM ce_camp c, ce_m m$$,
                 '22000', 'uplift_fit_calibration needs at least one row without NULL',
                 'outcomes that are all NULL (not joined yet) are an error, not a crash');
SELECT throws_ok($$SELECT uplift_fit_calibration(m.raw, c.features, c.action, c.value, c.propensity) FROM ce_camp c, ce_m m WHERE false$$,
                 '22000', NULL, 'a holdout without rows is an error');
SELECT throws_ok($$UPDATE ce_m SET raw = (SELECT uplift_fit_calibration(ce_m.raw, c.features, c.action, c.value, c.propensity)
                                          FROM ce_camp c WHERE c.unit_id < 0)$$,
                 '22000', NULL, 'an UPDATE from an empty holdout fails instead of replacing the model by NULL');

-- defect: a holdout of control rows only reported a slope of about 1
SELECT throws_ok($$SELECT uplift_fit_calibration(m.raw, c.features, c.action, c.value, c.propensity) FROM ce_camp c, ce_m m WHERE c.action = 0$$,
                 '22000', 'cannot calibrate action 1: the holdout has no row with action 1',
                 'a holdout of control rows only names the first action without rows');
SELECT throws_ok($$SELECT uplift_fit_calibration(m.raw, c.features, c.action, c.value, c.propensity) FROM ce_camp c, ce_m m WHERE c.action <> 2$$,
                 '22000', 'cannot calibrate action 2: the holdout has no row with action 2',
                 'a holdout without rows of action 2 names action 2');
SELECT throws_ok($$SELECT uplift_fit_calibration(m.raw, c.features, c.action, c.value, c.propensity) FROM ce_camp c, ce_m m WHERE c.action > 0$$,
                 '22000', 'cannot calibrate: the holdout has no control row (action 0)',
                 'a holdout without control rows is an error');
SELECT throws_ok($$SELECT uplift_fit_calibration(m.raw, c.features, c.action, c.value * 1e300, 1e-300) FROM ce_camp c, ce_m m$$,
                 '22003', NULL, 'a pseudo-outcome that overflows is an error, not an infinite line');
SELECT throws_ok($$SELECT uplift_fit_calibration(m.raw, ARRAY[1e308, 1e308, 0, 0, 0], c.action, c.value, c.propensity) FROM ce_camp c, ce_m m$$,
                 '22003', NULL, 'features whose score overflows are an error');

-- the slope's standard error: the ordinary least-squares formula
-- sqrt((Syy - Sxy^2 / Sxx) / (n - 2) / Sxx), from PostgreSQL's regr_* sums of
-- the AIPW pseudo-outcome on the score
CREATE TEMP TABLE ce_cal AS
SELECT uplift_fit_calibration(m.raw, c.features, c.action, c.value, c.propensity) AS model FROM ce_camp c, ce_m m;
CREATE TEMP TABLE ce_lines AS
SELECT (l ->> 'action')::int AS action, (l ->> 'slope')::float8 AS slope, (l ->> 'slope_se')::float8 AS slope_se
FROM ce_cal, jsonb_array_elements(uplift_model_info(model) -> 'calibration') l;
CREATE TEMP TABLE ce_ref AS
SELECT k AS action, regr_slope(phi, s) AS slope,
       sqrt((regr_syy(phi, s) - regr_sxy(phi, s) ^ 2 / regr_sxx(phi, s)) / (regr_count(phi, s) - 2) / regr_sxx(phi, s)) AS slope_se
FROM ce_camp c, ce_m m, generate_series(1, 2) k,
     LATERAL (SELECT uplift_predict(m.raw, c.features, k) AS mu_k, uplift_predict(m.raw, c.features, 0) AS mu_0) mu,
     LATERAL (SELECT uplift_score(m.raw, c.features, k) AS s,
                     mu.mu_k - mu.mu_0
                     + CASE WHEN c.action = k THEN (c.value - mu.mu_k) / c.propensity
                            WHEN c.action = 0 THEN -(c.value - mu.mu_0) / c.propensity
                            ELSE 0 END AS phi) v
GROUP BY k;
SELECT is(count(*), 2::bigint, 'both actions have a line') FROM ce_lines;
SELECT ok(bool_and(abs(l.slope_se - r.slope_se) < 1e-9 * r.slope_se AND r.slope_se > 0),
          'slope_se equals the least-squares standard error computed from regr_syy, regr_sxy and regr_sxx')
FROM ce_lines l JOIN ce_ref r USING (action);

-- under a parallel plan, workers that see no row (every outcome NULL) hand
-- over empty states: an error, as in the serial plan, never a crash
SELECT force_parallel();
SELECT ok(strpos(string_agg(p, E'\n'), 'Partial Aggregate') > 0, 'EXPLAIN shows a partial aggregate')
FROM explain_lines('SELECT uplift_fit_calibration((SELECT raw FROM ce_m), c.features, c.action, NULL::float8, c.propensity) FROM ce_camp c') e(p);
SELECT throws_ok($$SELECT uplift_fit_calibration((SELECT raw FROM ce_m), c.features, c.action, NULL::float8, c.propensity) FROM ce_camp c$$,
                 '22000', NULL, 'no row under a parallel plan is the same error');
SELECT ok(abs((uplift_model_info(q.model) #>> '{calibration,1,slope_se}')::float8 - r.slope_se) < 1e-9 * r.slope_se,
          'the parallel plan gives the same standard error')
FROM (SELECT uplift_fit_calibration((SELECT raw FROM ce_m), c.features, c.action, c.value, c.propensity) AS model
      FROM ce_camp c) q, ce_ref r WHERE r.action = 2;

-- the model must be the same on every row (the state keeps the one it read)
SELECT throws_ok($$SELECT uplift_fit_calibration(CASE WHEN c.unit_id < 3000 THEN m.raw ELSE m.raw2 END,
                                                 c.features, c.action, c.value, c.propensity)
                   FROM ce_camp c, ce_m m$$,
                 '22023', 'uplift_fit_calibration needs the same model on every row',
                 'a second model on a later row is an error');
SELECT throws_ok($$SELECT uplift_fit_calibration(CASE WHEN c.unit_id % 2 = 0 THEN m.raw ELSE m.raw2 END,
                                                 c.features, c.action, c.value, c.propensity)
                   FROM ce_camp c, ce_m m$$,
                 '22023', 'uplift_fit_calibration needs the same model on every row',
                 'models alternating row by row are an error');

SELECT * FROM finish();
ROLLBACK;
