-- pgTAP: treatments as users store them.  A boolean treatment fits the
-- model of the same 0/1 integer treatment, byte for byte; a text treatment
-- with option "control" fits the model of the integer treatment that numbers
-- the control 0 and the other labels 1..K in byte order (worked out by hand
-- below), keeps its labels (format 5; models without labels keep format 2
-- and 3), round-trips through uplift_model_info and uplift_model_import, and
-- is scored by label as by number; under a forced parallel plan, with labels
-- first seen in different orders by different workers, it fits the serial
-- model.  Every bad input is an error with its SQLSTATE.
BEGIN;
SELECT plan(41);

-- labels whose byte order is not their order of appearance nor their
-- alphabetical order ignoring case: "B-offer" < "a-offer" < "b-offer" < "é-offer"
CREATE TABLE tl AS
SELECT unit_id, features, action, value, converted, propensity,
       jsonb_build_object('a', features[1], 'b', features[2],
                          'seg', CASE WHEN features[3] > 0 THEN 'x' ELSE 'y' END) AS f,
       CASE action WHEN 0 THEN 'No offer' WHEN 1 THEN 'é-offer'
                   ELSE (ARRAY['b-offer', 'B-offer', 'a-offer'])[1 + unit_id % 3] END AS label,
       -- the same by hand: control 0, then B-offer 1, a-offer 2, b-offer 3, é-offer 4
       CASE action WHEN 0 THEN 0 WHEN 1 THEN 4 ELSE (ARRAY[3, 1, 2])[1 + unit_id % 3] END AS number
FROM uplift_demo_campaign(24000, 13);
ANALYZE tl;

CREATE FUNCTION pg_temp.same_fit(a uplift_model, b uplift_model) RETURNS boolean LANGUAGE sql AS $$
    SELECT uplift_model_info(a) - 'action_labels' - 'format_version' - 'checksum'
           = uplift_model_info(b) - 'format_version' - 'checksum'
$$;

CREATE TABLE tl_models AS
SELECT uplift_fit(features, label, value, '{"base": "linear", "control": "No offer"}') AS al,
       uplift_fit(features, number, value, '{"base": "linear"}') AS an,
       uplift_fit(f, label, converted, '{"control": "No offer", "l2": 2}') AS jl,
       uplift_fit(f, number, converted, '{"l2": 2}') AS jn,
       uplift_fit(f, label, value, propensity, '{"learner": "dr_learner", "base": "linear", "control": "No offer"}') AS dl,
       uplift_fit(f, number, value, propensity, '{"learner": "dr_learner", "base": "linear"}') AS dn
FROM tl;

SELECT is(uplift_model_info(al) -> 'action_labels',
          '["No offer", "B-offer", "a-offer", "b-offer", "é-offer"]'::jsonb,
          'the labels: the control''s, then the others in byte order')
FROM tl_models;
SELECT ok(pg_temp.same_fit(al, an), 'float8[] features, text treatment: the fit of the actions numbered by hand') FROM tl_models;
SELECT ok(pg_temp.same_fit(jl, jn), 'jsonb features, text treatment: the same (logistic)') FROM tl_models;
SELECT ok(pg_temp.same_fit(dl, dn), 'jsonb features, text treatment, propensities: the same (dr_learner)') FROM tl_models;
SELECT is(ARRAY[(uplift_model_info(al) ->> 'format_version')::int, (uplift_model_info(jl) ->> 'format_version')::int,
                (uplift_model_info(an) ->> 'format_version')::int, (uplift_model_info(jn) ->> 'format_version')::int],
          ARRAY[5, 5, 2, 3], 'models with labels are format 5; without, format 2 (arrays) and 3 (named features)')
FROM tl_models;
SELECT ok(uplift_model_import(uplift_model_info(al)) = al AND uplift_model_import(uplift_model_info(jl)) = jl,
          'uplift_model_import(uplift_model_info(m)) gives m back, labels included')
FROM tl_models;
SELECT ok(uplift_model_from_bytea(uplift_model_to_bytea(jl)) = jl, 'a labelled model reads back from its bytes')
FROM tl_models;

-- boolean treatments
SELECT ok(uplift_fit(features, action > 0, value, '{"base": "linear"}')
          = uplift_fit(features, (action > 0)::int, value, '{"base": "linear"}'),
          'a boolean treatment fits the model of 0/1, byte for byte') FROM tl;
SELECT ok(uplift_fit(f, action = 2, converted) = uplift_fit(f, (action = 2)::int, converted)
          AND uplift_fit(f, action = 2, value, propensity, '{"base": "linear"}')
              = uplift_fit(f, (action = 2)::int, value, propensity, '{"base": "linear"}'),
          'the same from jsonb features, with and without propensities') FROM tl;
SELECT is(uplift_model_info(uplift_fit(features, action > 0, value)) -> 'action_labels', NULL,
          'a boolean treatment has no labels') FROM tl;

-- actions named by label
SELECT ok(bool_and(uplift_score(al, features, 'a-offer') = uplift_score(an, features, 2)
                   AND uplift_score(al, features, 'No offer') = 0
                   AND uplift_predict(al, features, 'é-offer') = uplift_predict(an, features, 4)
                   AND uplift_score(jl, f, 'B-offer') = uplift_score(jn, f, 1)
                   AND uplift_predict(jl, f, 'No offer') = uplift_predict(jn, f, 0)),
          'uplift_score and uplift_predict by label give the scores by number')
FROM tl, tl_models WHERE unit_id <= 500;
SELECT ok(bool_and(ope_target_propensity(al, features, 'b-offer', 0.1, 0.01) = ope_target_propensity(an, features, 3, 0.1, 0.01)
                   AND ope_target_propensity(jl, f, 'No offer') = ope_target_propensity(jn, f, 0)),
          'ope_target_propensity by label gives the propensity by number')
FROM tl, tl_models WHERE unit_id <= 500;
SELECT uplift_register('tl_j', jl), uplift_deploy('tl_j', 1) FROM tl_models;
SELECT ok(bool_and(uplift_score('tl_j', f, 'a-offer') = uplift_score(jn, f, 2)
                   AND uplift_predict('tl_j', f, 'é-offer') = uplift_predict(jn, f, 4)),
          'by a registered model''s name too')
FROM tl, tl_models WHERE unit_id <= 200;
SELECT ok(jsonb_path_query_array(uplift_model_info(uplift_fit_calibration(al, features, label, value, propensity)), '$.calibration[*].slope')
          = jsonb_path_query_array(uplift_model_info(uplift_fit_calibration(an, features, number, value, propensity)), '$.calibration[*].slope')
          AND jsonb_path_query_array(uplift_model_info(uplift_fit_calibration(jl, f, label, value, propensity)), '$.calibration')
              = jsonb_path_query_array(uplift_model_info(uplift_fit_calibration(jn, f, number, value, propensity)), '$.calibration'),
          'uplift_fit_calibration with labelled actions gives the lines of the numbered actions (float8[] and jsonb)')
FROM tl, tl_models WHERE unit_id % 2 = 1 GROUP BY al, an, jl, jn;
SELECT ok(uplift_fit_calibration(jl, f, label, value, propensity) = uplift_fit_calibration(jl, f, number, value, propensity),
          'and the same model as calibrating the labelled model with action numbers')
FROM tl, tl_models WHERE unit_id % 2 = 1 GROUP BY jl;
SELECT is(ARRAY[uplift_action(al, 'No offer'), uplift_action(al, 'B-offer'), uplift_action(al, 'é-offer')],
          ARRAY[0, 1, 4], 'uplift_action: the number of a label') FROM tl_models;
SELECT is(uplift_action_label(al, 3), 'b-offer', 'uplift_action_label: the label of a number') FROM tl_models;

-- parallel plans: workers see the labels in different orders
-- every intercept and coefficient, in the order of the description
CREATE FUNCTION pg_temp.coefficients(model uplift_model) RETURNS float8[]
LANGUAGE sql AS $$
    SELECT ARRAY(SELECT v::text::float8 FROM jsonb_path_query(uplift_model_info(model), '$.heads[*].intercept') v)
           || ARRAY(SELECT v::text::float8 FROM jsonb_path_query(uplift_model_info(model), '$.heads[*].coefficients.*') v)
$$;
SELECT force_serial();
CREATE TEMP TABLE tl_serial AS
SELECT uplift_fit(features, label, value, '{"base": "linear", "control": "No offer"}') AS a,
       uplift_fit(f, label, converted, '{"control": "No offer", "l2": 2}') AS j FROM tl;
SELECT force_parallel();
SELECT ok(EXISTS (SELECT 1 FROM explain_lines($$SELECT uplift_fit(f, label, converted, '{"control": "No offer"}') FROM tl$$) l
                   WHERE l LIKE '%Partial Aggregate%'),
          'a text treatment fit runs as partial aggregates');
CREATE TEMP TABLE tl_par AS
SELECT uplift_fit(features, label, value, '{"base": "linear", "control": "No offer"}') AS a,
       uplift_fit(f, label, converted, '{"control": "No offer", "l2": 2}') AS j FROM tl;
SELECT force_serial();
SELECT ok(uplift_model_info(s.a) -> 'action_labels' = uplift_model_info(p.a) -> 'action_labels'
          AND uplift_model_info(s.j) -> 'action_labels' = uplift_model_info(p.j) -> 'action_labels'
          AND jsonb_path_query_array(uplift_model_info(s.j), '$.arms[*].rows')
              = jsonb_path_query_array(uplift_model_info(p.j), '$.arms[*].rows')
          AND jsonb_path_query_array(uplift_model_info(s.a), '$.arms[*].rows')
              = jsonb_path_query_array(uplift_model_info(p.a), '$.arms[*].rows'),
          'parallel and serial plans give the same labels and rows per arm')
FROM tl_serial s, tl_par p;
SELECT ok(cardinality(pg_temp.coefficients(s.a)) > 20
          AND (SELECT max(abs(x - y))
                 FROM unnest(pg_temp.coefficients(s.a) || pg_temp.coefficients(s.j),
                             pg_temp.coefficients(p.a) || pg_temp.coefficients(p.j)) u(x, y)) < 1e-9,
          'parallel and serial plans give the same coefficients to 1e-9 (float8[] and jsonb)')
FROM tl_serial s, tl_par p;

-- bad input
SELECT throws_ok($$SELECT uplift_fit(features, label, value) FROM tl$$, '22023',
                 'a text treatment of uplift_fit needs option "control"', 'a text treatment without options is 22023');
SELECT throws_ok($$SELECT uplift_fit(f, label, value, '{"base": "linear"}') FROM tl$$, '22023',
                 'a text treatment of uplift_fit needs option "control"', 'a text treatment without option "control" is 22023');
SELECT throws_ok($$SELECT uplift_fit(features, label, value, '{"control": 0}') FROM tl$$, '22023', NULL,
                 'option "control" not a string is 22023');
SELECT throws_ok($$SELECT uplift_fit(features, action, value, '{"control": "No offer"}') FROM tl$$, '22023',
                 'option "control" of uplift_fit applies only to a text treatment', 'option "control" with an integer treatment is 22023');
SELECT throws_ok($$SELECT uplift_fit(f, action > 0, value, propensity, '{"control": "false"}') FROM tl$$, '22023',
                 'option "control" of uplift_fit applies only to a text treatment', 'option "control" with a boolean treatment is 22023');
SELECT throws_ok($$SELECT uplift_fit(features, CASE WHEN unit_id % 9 = 0 THEN NULL ELSE action > 0 END, value) FROM tl$$, '22004',
                 'treatment of uplift_fit must not be NULL', 'a NULL boolean treatment is 22004');
SELECT throws_ok($$SELECT uplift_fit(f, CASE WHEN unit_id % 9 = 0 THEN NULL ELSE label END, value, '{"control": "No offer"}') FROM tl$$, '22004',
                 'treatment of uplift_fit must not be NULL', 'a NULL text treatment is 22004');
SELECT throws_ok($$SELECT uplift_fit(f, label, value, '{"control": "no offer"}') FROM tl$$, '22000', NULL,
                 'a control label that no row has leaves no control rows: 22000');
SELECT throws_ok($$SELECT uplift_score(al, features, 'c-offer') FROM tl, tl_models LIMIT 1$$, '22023',
                 'action "c-offer" is not a treatment label of the model', 'uplift_score: a label unknown to the model is 22023 naming it');
SELECT throws_ok($$SELECT uplift_predict(jl, f, 'No Offer') FROM tl, tl_models LIMIT 1$$, '22023',
                 'action "No Offer" is not a treatment label of the model', 'uplift_predict: the same');
SELECT throws_ok($$SELECT ope_target_propensity(jl, f, 'x') FROM tl, tl_models LIMIT 1$$, '22023', NULL,
                 'ope_target_propensity: the same');
SELECT throws_ok($$SELECT uplift_score('tl_j', f, 'x') FROM tl LIMIT 1$$, '22023', NULL,
                 'uplift_score by name: the same');
SELECT throws_ok($$SELECT uplift_fit_calibration(jl, f, CASE WHEN unit_id = 77 THEN 'c-offer' ELSE label END, value, propensity) FROM tl, tl_models$$,
                 '22023', 'action "c-offer" is not a treatment label of the model', 'uplift_fit_calibration: a label unknown to the model is 22023 naming it');
SELECT throws_ok($$SELECT uplift_action(al, 'x') FROM tl_models$$, '22023', NULL, 'uplift_action: the same');
SELECT throws_ok($$SELECT uplift_score(an, features, 'a-offer') FROM tl, tl_models LIMIT 1$$, '22023',
                 'action "a-offer" names a label, but the model has no treatment labels',
                 'a label against a model without labels is 22023');
SELECT throws_ok($$SELECT uplift_action_label(an, 1) FROM tl_models$$, '22023', 'the model has no treatment labels',
                 'uplift_action_label of a model without labels is 22023');
SELECT throws_ok($$SELECT uplift_action_label(al, 5) FROM tl_models$$, '22023', 'action 5 is not in the model',
                 'uplift_action_label of an action the model does not have is 22023');
SELECT throws_ok($$SELECT uplift_model_import(jsonb_set(uplift_model_info(al), '{action_labels}', '["No offer", "a"]')) FROM tl_models$$,
                 '22023', NULL, 'import: a label per arm or 22023');
SELECT throws_ok($$SELECT uplift_model_import(jsonb_set(uplift_model_info(al), '{action_labels}', '["No offer", "B-offer", "a-offer", "b-offer", 4]')) FROM tl_models$$,
                 '22023', NULL, 'import: labels are strings or 22023');
SELECT throws_ok($$SELECT uplift_model_import(jsonb_set(uplift_model_info(al), '{action_labels}', '["No offer", "a-offer", "B-offer", "b-offer", "é-offer"]')) FROM tl_models$$,
                 '22023', NULL, 'import: labels out of byte order are 22023');
SELECT throws_ok($$SELECT uplift_model_import(jsonb_set(uplift_model_info(al), '{action_labels}', '["No offer", "B-offer", "No offer", "b-offer", "é-offer"]')) FROM tl_models$$,
                 '22023', NULL, 'import: an action labelled as the control is 22023');

SELECT * FROM finish();
ROLLBACK;
