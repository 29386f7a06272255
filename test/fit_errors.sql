-- pgTAP: every bad input of uplift_fit is rejected with its SQLSTATE.
BEGIN;
SELECT plan(32);

CREATE TEMP TABLE d AS
SELECT i, ARRAY[i % 7, (i * 13) % 11]::float8[] AS x, i % 2 AS t, ((i * 7) % 3 = 0)::int::float8 AS y
FROM generate_series(1, 200) i;

-- rows
SELECT throws_ok($$SELECT uplift_fit(NULL::float8[], 0, 1.0)$$, '22004', NULL,
                 'NULL features are rejected');
SELECT throws_ok($$SELECT uplift_fit(ARRAY[1, NULL]::float8[], 0, 1.0)$$, '22004', NULL,
                 'a NULL feature element is rejected');
SELECT throws_ok($$SELECT uplift_fit(x, NULL, y) FROM d$$, '22004', NULL,
                 'a NULL treatment is rejected');
SELECT throws_ok($$SELECT uplift_fit(x, t, NULL) FROM d$$, '22004', NULL,
                 'a NULL outcome is rejected');
SELECT throws_ok($$SELECT uplift_fit(x, t, y, NULL, NULL) FROM d$$, '22004', NULL,
                 'a NULL propensity is rejected');
SELECT throws_ok($$SELECT uplift_fit(CASE WHEN i = 100 THEN ARRAY[1, 2, 3]::float8[] ELSE x END, t, y) FROM d$$,
                 '2202E', 'features of uplift_fit must have 2 elements',
                 'rows of different lengths are rejected, naming both lengths');
SELECT throws_ok($$SELECT uplift_fit(ARRAY[[1, 2], [3, 4]]::float8[], 0, 1.0)$$, '2202E', NULL,
                 'a two-dimensional features array is rejected');
SELECT throws_ok($$SELECT uplift_fit('{}'::float8[], 0, 1.0)$$, '2202E', NULL,
                 'an empty features array is rejected');
SELECT throws_ok($$SELECT uplift_fit(array_fill(1.0::float8, ARRAY[10001]), 0, 1.0)$$, '2202E', 'features of uplift_fit must have at most 10000 elements',
                 'more than 10,000 features are rejected');
SELECT throws_ok($$SELECT uplift_fit(ARRAY[1, 'NaN']::float8[], 0, 1.0)$$, '22000', NULL,
                 'a NaN feature is rejected');
SELECT throws_ok($$SELECT uplift_fit(ARRAY[1, 'Infinity']::float4[], 0, 1.0)$$, '22000', NULL,
                 'an infinite float4 feature is rejected');
SELECT throws_ok($$SELECT uplift_fit(x, t, 'NaN'::float8) FROM d$$, '22000', NULL,
                 'a NaN outcome is rejected');
SELECT throws_ok($$SELECT uplift_fit(x, CASE WHEN i = 5 THEN -1 ELSE t END, y) FROM d$$, '22023', NULL,
                 'a negative treatment is rejected');
SELECT throws_ok($$SELECT uplift_fit(x, t, y, 0, NULL) FROM d$$, '22023', NULL,
                 'a propensity of 0 is rejected');
SELECT throws_ok($$SELECT uplift_fit(x, t, y, 1.5, NULL) FROM d$$, '22023', NULL,
                 'a propensity above 1 is rejected');

-- arms and rows
SELECT throws_ok($$SELECT uplift_fit(x, CASE WHEN t = 1 THEN 2 ELSE 0 END, y) FROM d$$, '22000',
                 'treatment 1 of uplift_fit has no rows',
                 'an arm with no rows is rejected');
SELECT throws_ok($$SELECT uplift_fit(x, 0, y) FROM d$$, '22000', NULL,
                 'a fit without treated rows is rejected');
SELECT throws_ok($$SELECT uplift_fit(x, t, y) FROM d WHERE false$$, '22000', NULL,
                 'zero rows are rejected');
SELECT throws_ok($$SELECT uplift_fit(x, t, y + 0.5, '{"base": "logistic"}') FROM d$$, '22000', NULL,
                 'a non-0/1 outcome with base logistic is rejected');
SELECT throws_ok($$SELECT uplift_fit(ARRAY[1, i % 2, 1 - i % 2]::float8[], t, y, '{"l2": 0, "base": "linear"}') FROM d$$,
                 '22000', NULL,
                 'collinear features without a penalty are rejected');

SELECT throws_ok($$SELECT uplift_fit(ARRAY[i]::float8[], t, (i > 100)::int::float8, '{"l2": 0}') FROM d$$,
                 '22000', NULL,
                 'a logistic fit whose outcomes the feature separates, without a penalty, is rejected');

-- options
SELECT throws_ok($$SELECT uplift_fit(x, t, y, '{"lerner": "s_learner"}') FROM d$$, '22023',
                 'unknown option "lerner" for uplift_fit',
                 'an unknown option is rejected');
SELECT throws_ok($$SELECT uplift_fit(x, t, y, '[1, 2]') FROM d$$, '22023', NULL,
                 'options that are not an object are rejected');
SELECT throws_ok($$SELECT uplift_fit(x, t, y, '{"l2": "strong"}') FROM d$$, '22023', NULL,
                 'a mistyped l2 is rejected');
SELECT throws_ok($$SELECT uplift_fit(x, t, y, '{"l2": -1}') FROM d$$, '22023', NULL,
                 'a negative l2 is rejected');
SELECT throws_ok($$SELECT uplift_fit(x, t, y, '{"max_iter": 0}') FROM d$$, '22023', NULL,
                 'max_iter of 0 is rejected');
SELECT throws_ok($$SELECT uplift_fit(x, t, y, '{"max_iter": 2.5}') FROM d$$, '22023', NULL,
                 'a fractional max_iter is rejected');
SELECT throws_ok($$SELECT uplift_fit(x, t, y, '{"base": "poisson"}') FROM d$$, '22023', NULL,
                 'an unknown base is rejected');
SELECT throws_ok($$SELECT uplift_fit(x, t, y, '{"learner": "forest", "l2": 1}') FROM d$$, '22023', NULL,
                 'an option of the linear bases is rejected with learner forest');
SELECT throws_ok($$SELECT uplift_fit(x, t, y, '{"feature_names": ["a"]}') FROM d$$, '22023',
                 'option "feature_names" has 1 names for 2 features',
                 'feature_names of the wrong length are rejected');
SELECT throws_ok($$SELECT uplift_fit(x, t, y, '{"feature_names": ["a", 2]}') FROM d$$, '22023', NULL,
                 'feature_names that are not strings are rejected');
SELECT throws_ok($$SELECT uplift_fit(x, t, y, '{"interactions": false}') FROM d$$, '22023', NULL,
                 'interactions with the t_learner is rejected');

SELECT * FROM finish();
ROLLBACK;
