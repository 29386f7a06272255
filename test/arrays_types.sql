-- pgTAP: integer[], bigint[], smallint[] and numeric[] features are accepted wherever float8[]
-- is, with the values of the same float8[]: uplift_fit gives the same model
-- bytes, the scoring functions the same scores.  A NaN or NULL element is
-- the error a float8[] element gets.
BEGIN;
SELECT plan(14);

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
SELECT ok(uplift_fit(xi::bigint[], action, value) = uplift_fit(xi::float8[], action, value)
          AND uplift_fit(xi::bigint[], action, value, '{"base": "linear"}') = uplift_fit(xi::float8[], action, value, '{"base": "linear"}')
          AND uplift_fit(xi::bigint[], action, value, propensity, '{"base": "linear"}')
              = uplift_fit(xi::float8[], action, value, propensity, '{"base": "linear"}'),
          'uplift_fit(bigint[], ...) is the fit of the same float8[], in each form') FROM at_rows;
SELECT ok(uplift_fit(xi::smallint[], action, value) = uplift_fit(xi::float8[], action, value)
          AND uplift_fit(xi::smallint[], action, value, '{"base": "linear"}') = uplift_fit(xi::float8[], action, value, '{"base": "linear"}')
          AND uplift_fit(xi::smallint[], action, value, propensity, '{"base": "linear"}')
              = uplift_fit(xi::float8[], action, value, propensity, '{"base": "linear"}'),
          'uplift_fit(smallint[], ...) is the fit of the same float8[], in each form') FROM at_rows;
-- values a double holds exactly, at the ends of each type's range
SELECT ok(uplift_fit(ARRAY[(-1)::bigint << 53, (1::bigint << 53) - i, i]::bigint[], i % 2, (i % 3)::float8, '{"base": "linear"}')
          = uplift_fit(ARRAY[-(2::float8 ^ 53), 2::float8 ^ 53 - i, i], i % 2, (i % 3)::float8, '{"base": "linear"}')
          AND uplift_fit(ARRAY[-32768, 32767 - i, i]::smallint[], i % 2, (i % 3)::float8, '{"base": "linear"}')
              = uplift_fit(ARRAY[-32768, 32767 - i, i]::float8[], i % 2, (i % 3)::float8, '{"base": "linear"}'),
          'bigint and smallint elements are read as their exact values, down to the ends of their ranges')
FROM generate_series(1, 200) i;

CREATE TABLE at_model AS SELECT uplift_fit(xi::float8[], action, value, '{"base": "linear"}') AS model FROM at_rows;
SELECT ok(bool_and(uplift_scores(model, xi) = uplift_scores(model, xi::float8[])
                   AND uplift_score(model, xi, 2) = uplift_score(model, xi::float8[], 2)
                   AND uplift_score(model, xi::bigint[], 2) = uplift_score(model, xi::float8[], 2)
                   AND uplift_score(model, xi::smallint[], 2) = uplift_score(model, xi::float8[], 2)
                   AND uplift_predict(model, xi::numeric[], 1) = uplift_predict(model, xi::float8[], 1)
                   AND ope_target_probs(model, xi) = ope_target_probs(model, xi::float8[])),
          'integer[], bigint[], smallint[] and numeric[] features score as float8[]') FROM at_rows, at_model;

SELECT throws_ok($$SELECT uplift_fit(ARRAY[1, 'NaN']::numeric[], 0, 1.0)$$, '22000', NULL,
                 'a NaN numeric element is the error of a NaN float8 element');
SELECT throws_ok($$SELECT uplift_fit(ARRAY[1, NULL]::numeric[], 0, 1.0)$$, '22004', NULL,
                 'a NULL numeric element is the error of a NULL float8 element');
SELECT throws_ok($$SELECT uplift_fit(ARRAY[1, NULL]::int[], 0, 1.0)$$, '22004', NULL,
                 'a NULL integer element too');
SELECT throws_ok($$SELECT uplift_fit(ARRAY[1, NULL]::bigint[], 0, 1.0)$$, '22004', NULL,
                 'a NULL bigint element too');
SELECT throws_ok($$SELECT uplift_fit(ARRAY[1, NULL]::smallint[], 0, 1.0)$$, '22004', NULL,
                 'a NULL smallint element too');

SELECT * FROM finish();
ROLLBACK;
