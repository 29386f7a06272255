-- pgTAP: integer[] and numeric[] features are accepted wherever float8[]
-- is, with the values of the same float8[]: uplift_fit gives the same model
-- bytes, the scoring functions the same scores.  A NaN or NULL element is
-- the error a float8[] element gets.
BEGIN;
SELECT plan(9);

CREATE TABLE at_rows AS
SELECT unit_id, action, value, propensity,
       ARRAY[(unit_id % 7)::int, (unit_id % 3)::int, round(features[1])::int] AS xi,
       ARRAY[round(features[1]::numeric, 3), round(features[2]::numeric, 3), (unit_id % 5)::numeric / 4] AS xn
FROM uplift_demo_campaign(3000, 5);

SELECT ok(uplift_fit(xi, action, value) = uplift_fit(xi::float8[], action, value),
          'uplift_fit(integer[], ...) is the fit of the same float8[]') FROM at_rows;
SELECT ok(uplift_fit(xi, action, value, '{"base": "linear"}') = uplift_fit(xi::float8[], action, value, '{"base": "linear"}'),
          'uplift_fit(integer[], ..., options) too') FROM at_rows;
SELECT ok(uplift_fit(xi, action, value, propensity, '{"learner": "dr_learner", "base": "linear"}')
          = uplift_fit(xi::float8[], action, value, propensity, '{"learner": "dr_learner", "base": "linear"}'),
          'uplift_fit(integer[], ..., propensity, options) too') FROM at_rows;
SELECT ok(uplift_fit(xn, action, value, '{"base": "linear"}') = uplift_fit(xn::float8[], action, value, '{"base": "linear"}'),
          'uplift_fit(numeric[], ...) is the fit of the same float8[]') FROM at_rows;
SELECT ok(uplift_fit(xn, action, value, propensity, '{"base": "linear"}')
          = uplift_fit(xn::float8[], action, value, propensity, '{"base": "linear"}'),
          'uplift_fit(numeric[], ..., propensity, options) too') FROM at_rows;

CREATE TABLE at_model AS SELECT uplift_fit(xi::float8[], action, value, '{"base": "linear"}') AS model FROM at_rows;
SELECT ok(bool_and(uplift_scores(model, xi) = uplift_scores(model, xi::float8[])
                   AND uplift_score(model, xi, 2) = uplift_score(model, xi::float8[], 2)
                   AND uplift_predict(model, xi::numeric[], 1) = uplift_predict(model, xi::float8[], 1)
                   AND ope_target_probs(model, xi) = ope_target_probs(model, xi::float8[])),
          'integer[] and numeric[] features score as float8[]') FROM at_rows, at_model;

SELECT throws_ok($$SELECT uplift_fit(ARRAY[1, 'NaN']::numeric[], 0, 1.0)$$, '22000', NULL,
                 'a NaN numeric element is the error of a NaN float8 element');
SELECT throws_ok($$SELECT uplift_fit(ARRAY[1, NULL]::numeric[], 0, 1.0)$$, '22004', NULL,
                 'a NULL numeric element is the error of a NULL float8 element');
SELECT throws_ok($$SELECT uplift_fit(ARRAY[1, NULL]::int[], 0, 1.0)$$, '22004', NULL,
                 'a NULL integer element too');

SELECT * FROM finish();
ROLLBACK;
