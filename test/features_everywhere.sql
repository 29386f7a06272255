-- pgTAP: named features (jsonb) wherever a model's features are taken.  A
-- model fitted from jsonb rows and a model fitted from the same rows encoded
-- by hand into float8[] (the imputed mean from SQL's avg, the missing
-- indicator and one column per level, in the documented column order, under
-- the same feature names) give the same calibration lines, value and cost
-- candidates, target probabilities, q_target and exploration draws to 1e-12;
-- the jsonb calibration runs under a forced parallel plan as it runs
-- serially; and a jsonb row against an array model, or the reverse, is 42804.
BEGIN;
SELECT plan(23);

CREATE TABLE fe_raw AS
SELECT unit_id, action, value, cost, propensity,
       CASE WHEN unit_id % 5 = 0 THEN NULL ELSE features[1] END AS x1,
       features[4] AS x2,
       CASE WHEN features[2] > 0.5 THEN 'a' WHEN features[2] > -0.5 THEN 'b' ELSE 'c' END AS seg
FROM uplift_demo_campaign(6000, 21);

-- the encoding by hand: x1 (mean where missing), x2, missingindicator_x1, seg=a, seg=b, seg=c
CREATE TABLE fe AS
SELECT r.unit_id, r.action, r.value, r.cost, r.propensity,
       jsonb_build_object('x1', r.x1, 'x2', r.x2, 'seg', r.seg) AS f,
       ARRAY[coalesce(r.x1, m.mean_x1), r.x2, (r.x1 IS NULL)::int, (r.seg = 'a')::int,
             (r.seg = 'b')::int, (r.seg = 'c')::int]::float8[] AS x
FROM fe_raw r, (SELECT avg(x1) AS mean_x1 FROM fe_raw) m;
ANALYZE fe;

CREATE TABLE fe_models AS
SELECT uplift_fit(f, action, value, '{"base": "linear"}') AS jv,
       uplift_fit(x, action, value, '{"base": "linear", "feature_names":
           ["x1", "x2", "missingindicator_x1", "seg=a", "seg=b", "seg=c"]}') AS av,
       uplift_fit(f, action, cost, '{"base": "linear", "l2": 1}') AS jc,
       uplift_fit(x, action, cost, '{"base": "linear", "l2": 1, "feature_names":
           ["x1", "x2", "missingindicator_x1", "seg=a", "seg=b", "seg=c"]}') AS ac
FROM fe;

SELECT is(uplift_model_info(jv) -> 'feature_names', uplift_model_info(av) -> 'feature_names',
          'the hand encoding has the columns of the jsonb model')
FROM fe_models;

SELECT ok(max(abs(uplift_score(jv, f, 2) - uplift_score(av, x, 2))) < 1e-12,
          'the two models score alike (the hand encoding is the model''s)')
FROM fe, fe_models;

-- uplift_fit_calibration
CREATE TABLE fe_cal AS
SELECT uplift_fit_calibration(jv, f, action, value, propensity) AS j,
       uplift_fit_calibration(av, x, action, value, propensity) AS a
FROM fe, fe_models WHERE unit_id % 2 = 0;

SELECT ok(count(*) = 6 AND max(abs((l.j->>k)::float8 - (l.a->>k)::float8)) < 1e-12,
          'uplift_fit_calibration: jsonb rows give the lines of the encoded rows')
FROM (SELECT x.value AS j, y.value AS a
        FROM fe_cal,
             jsonb_array_elements(uplift_model_info(j) -> 'calibration') WITH ORDINALITY x(value, n)
        JOIN jsonb_array_elements(uplift_model_info(a) -> 'calibration') WITH ORDINALITY y(value, n)
          USING (n)) l,
     unnest(ARRAY['intercept', 'slope', 'slope_se']) k;

SELECT ok(max(abs(uplift_score(j, f, 1) - uplift_score(a, x, 1))) < 1e-12,
          'the calibrated models score alike')
FROM fe, fe_cal;

SELECT force_serial();
CREATE TEMP TABLE fe_cal_serial AS
SELECT uplift_fit_calibration((SELECT jv FROM fe_models), f, action, value, propensity) AS model FROM fe;
SELECT force_parallel();
SELECT ok(EXISTS (SELECT 1 FROM explain_lines('SELECT uplift_fit_calibration((SELECT jv FROM fe_models), f, action, value, propensity) FROM fe') l
                   WHERE l LIKE '%Partial Aggregate%'),
          'uplift_fit_calibration from jsonb runs as partial aggregates');
CREATE TEMP TABLE fe_cal_par AS
SELECT uplift_fit_calibration((SELECT jv FROM fe_models), f, action, value, propensity) AS model FROM fe;
SELECT ok(max(abs((x.value->>k)::float8 - (y.value->>k)::float8)) < 1e-9,
          'uplift_fit_calibration from jsonb: parallel and serial lines agree to 1e-9')
FROM fe_cal_serial s, fe_cal_par p,
     jsonb_array_elements(uplift_model_info(s.model) -> 'calibration') WITH ORDINALITY x(value, n)
     JOIN jsonb_array_elements(uplift_model_info(p.model) -> 'calibration') WITH ORDINALITY y(value, n) USING (n),
     unnest(ARRAY['intercept', 'slope']) k;
SELECT force_serial();

-- uplift_value_cost
SELECT ok(count(*) = 2 * 300 AND max(abs(j.value - a.value) + abs(j.cost - a.cost)
                                     + abs(j.net_value - a.net_value)
                                     + abs(coalesce(j.value_per_cost, 0) - coalesce(a.value_per_cost, 0))) < 1e-12
          AND bool_and((j.value_per_cost IS NULL) = (a.value_per_cost IS NULL)),
          'uplift_value_cost: jsonb features give the candidates of the encoded features')
FROM fe, fe_models m,
     uplift_value_cost(m.jv, m.jc, fe.f) j
     JOIN uplift_value_cost(m.av, m.ac, fe.x) a USING (action)
WHERE fe.unit_id <= 300;

-- the off-policy functions of a stored model
SELECT ok(max(abs(p.j - p.a)) < 1e-12,
          'ope_target_probs: jsonb features give the probabilities of the encoded features')
FROM (SELECT unnest(ope_target_probs(jv, f, 0.1, 0.02)) AS j, unnest(ope_target_probs(av, x, 0.1, 0.02)) AS a
        FROM fe, fe_models) p;
SELECT ok(max(abs(ope_target_propensity(jv, f, action, 0.1, 0.02)
                  - ope_target_propensity(av, x, action, 0.1, 0.02))) < 1e-12,
          'ope_target_propensity: jsonb features give the propensity of the encoded features')
FROM fe, fe_models;
SELECT ok(max(abs(ope_q_target(jv, f, ARRAY[0.2, 0.3, 0.5]) - ope_q_target(av, x, ARRAY[0.2, 0.3, 0.5]))) < 1e-12,
          'ope_q_target: jsonb features give the q_target of the encoded features')
FROM fe, fe_models;

-- exploration
SELECT ok(bool_and((uplift_explore('fe', unit_id, jv, f, 0.2, 0.05, 3)).action
                   = (uplift_explore('fe', unit_id, av, x, 0.2, 0.05, 3)).action)
          AND max(abs((uplift_explore('fe', unit_id, jv, f, 0.2, 0.05, 3)).propensity
                      - (uplift_explore('fe', unit_id, av, x, 0.2, 0.05, 3)).propensity)) < 1e-12,
          'uplift_explore (bigint unit): jsonb features draw what the encoded features draw')
FROM fe, fe_models;
SELECT ok(bool_and(uplift_explore('fe', unit_id::text, jv, f) = uplift_explore('fe', unit_id::text, av, x)),
          'uplift_explore (text unit): the same')
FROM fe, fe_models;

SELECT uplift_create_assignment_log();
SELECT uplift_register('fe_j', jv), uplift_deploy('fe_j', 1) FROM fe_models;
SELECT is((SELECT array_agg(((uplift_explore_logged('fe_m', unit_id, jv, f, 0.2)).action) ORDER BY unit_id)
             FROM fe, fe_models WHERE unit_id <= 50),
          (SELECT array_agg((uplift_explore('fe_m', unit_id, av, x, 0.2)).action ORDER BY unit_id)
             FROM fe, fe_models WHERE unit_id <= 50),
          'uplift_explore_logged over a model logs what the encoded features draw');
SELECT is((SELECT array_agg(((uplift_explore_logged('fe_n', unit_id, 'fe_j', f, 0.2)).action) ORDER BY unit_id)
             FROM fe WHERE unit_id <= 50),
          (SELECT array_agg((uplift_explore('fe_n', unit_id, av, x, 0.2)).action ORDER BY unit_id)
             FROM fe, fe_models WHERE unit_id <= 50),
          'uplift_explore_logged over a registered model: the same');

-- the form of the features must be the model's
SELECT throws_ok($$SELECT uplift_fit_calibration(av, f, action, value, propensity) FROM fe, fe_models$$,
                 '42804', NULL, 'uplift_fit_calibration: jsonb rows against an array model are 42804');
SELECT throws_ok($$SELECT uplift_fit_calibration(jv, x, action, value, propensity) FROM fe, fe_models$$,
                 '42804', NULL, 'uplift_fit_calibration: arrays against a jsonb model are 42804');
SELECT throws_ok($$SELECT * FROM fe_models, uplift_value_cost(av, ac, '{"x1": 1, "x2": 2, "seg": "a"}'::jsonb)$$,
                 '42804', NULL, 'uplift_value_cost: jsonb against array models is 42804');
SELECT throws_ok($$SELECT * FROM fe_models, uplift_value_cost(jv, ac, '{"x1": 1, "x2": 2, "seg": "a"}'::jsonb)$$,
                 '42804', NULL, 'uplift_value_cost: a cost model of the other form is 42804');
SELECT throws_ok($$SELECT ope_target_probs(av, '{"x1": 1, "x2": 2, "seg": "a"}'::jsonb) FROM fe_models$$,
                 '42804', NULL, 'ope_target_probs: jsonb against an array model is 42804');
SELECT throws_ok($$SELECT ope_target_propensity(av, '{"x1": 1, "x2": 2, "seg": "a"}'::jsonb, 1) FROM fe_models$$,
                 '42804', NULL, 'ope_target_propensity: jsonb against an array model is 42804');
SELECT throws_ok($$SELECT ope_q_target(av, '{"x1": 1, "x2": 2, "seg": "a"}'::jsonb, ARRAY[1, 0, 0]) FROM fe_models$$,
                 '42804', NULL, 'ope_q_target: jsonb against an array model is 42804');
SELECT throws_ok($$SELECT uplift_explore('fe', 1, av, '{"x1": 1, "x2": 2, "seg": "a"}'::jsonb) FROM fe_models$$,
                 '42804', NULL, 'uplift_explore: jsonb against an array model is 42804');
SELECT throws_ok($$SELECT uplift_explore('fe', 1, jv, NULL::jsonb) FROM fe_models$$,
                 '22004', 'features of uplift_explore must not be NULL', 'uplift_explore: NULL jsonb features are an error naming them');

SELECT * FROM finish();
ROLLBACK;
