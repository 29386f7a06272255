-- pgTAP: every bad input of the class-transformation, X- and DR-learners
-- and of option min_propensity is rejected with its SQLSTATE.
BEGIN;
SELECT plan(20);

CREATE TEMP TABLE d AS
SELECT i, ARRAY[i % 7, (i * 13) % 11]::float8[] AS x, i % 3 AS t3, i % 2 AS t,
       ((i * 7) % 3 = 0)::int::float8 AS y, (i % 5)::float8 AS v,
       0.2 + (i % 4) / 10.0 AS p
FROM generate_series(1, 300) i;

-- class_transform restrictions
SELECT throws_ok($$SELECT uplift_fit(x, t3, y, '{"learner": "class_transform"}') FROM d$$,
                 '22000', 'learner "class_transform" of uplift_fit needs a binary treatment',
                 'class_transform rejects several actions');
SELECT throws_ok($$SELECT uplift_fit(x, 1, y, '{"learner": "class_transform"}') FROM d$$,
                 '22000', NULL, 'class_transform rejects rows without a control arm');
SELECT throws_ok($$SELECT uplift_fit(x, t, y, p, '{"learner": "class_transform", "base": "logistic"}') FROM d$$,
                 '22023', 'learner "class_transform" with base "logistic" needs propensities of 1/2',
                 'class_transform with a logistic base rejects propensities other than 1/2');
SELECT throws_ok($$SELECT uplift_fit(x, t, v, '{"learner": "class_transform", "base": "logistic"}') FROM d$$,
                 '22000', NULL, 'class_transform with a logistic base rejects a non-binary outcome');
SELECT throws_ok($$SELECT uplift_fit(x, t, y, '{"learner": "class_transform", "interactions": true}') FROM d$$,
                 '22023', NULL, 'option interactions is rejected for class_transform');
SELECT throws_ok($$SELECT uplift_predict(uplift_fit(x, t, y, '{"learner": "class_transform"}'), ARRAY[1, 2], 1) FROM d$$,
                 '0A000', NULL, 'uplift_predict is refused for a class_transform model, which has no outcome heads');

-- x_learner and dr_learner restrictions
SELECT throws_ok($$SELECT uplift_fit(x, t * 2, y, '{"learner": "x_learner"}') FROM d$$,
                 '22000', NULL, 'x_learner rejects actions with a gap (0 and 2 only)');
SELECT throws_ok($$SELECT uplift_fit(x, 0, y, '{"learner": "dr_learner"}') FROM d$$,
                 '22000', NULL, 'dr_learner rejects rows that are all control');
SELECT throws_ok($$SELECT uplift_fit(x, t, v, '{"learner": "x_learner", "base": "logistic"}') FROM d$$,
                 '22000', NULL, 'x_learner with a logistic base rejects a non-binary outcome');
SELECT throws_ok($$SELECT uplift_fit(ARRAY[x[1], 2 * x[1]], t, v, '{"learner": "dr_learner", "l2": 0}') FROM d$$,
                 '22000', NULL, 'dr_learner rejects collinear features without a penalty');
SELECT throws_ok($$SELECT uplift_fit(x, t, y, '{"learner": "x_learner", "interactions": false}') FROM d$$,
                 '22023', NULL, 'option interactions is rejected for x_learner');
SELECT throws_ok($$SELECT uplift_fit(x, t, y, '{"learner": "x-learner"}') FROM d$$,
                 '22023', NULL, 'a misspelt learner is rejected');

-- propensities and min_propensity
SELECT throws_ok($$SELECT uplift_fit(x, t, y, 0, '{"learner": "dr_learner"}') FROM d$$,
                 '22023', NULL, 'dr_learner rejects a propensity of 0');
SELECT throws_ok($$SELECT uplift_fit(x, t, y, 1.01, '{"learner": "x_learner"}') FROM d$$,
                 '22023', NULL, 'x_learner rejects a propensity above 1');
SELECT throws_ok($$SELECT uplift_fit(x, t, y, -0.5, '{"learner": "class_transform"}') FROM d$$,
                 '22023', NULL, 'class_transform rejects a negative propensity');
SELECT throws_ok($$SELECT uplift_fit(x, t, y, NULL, '{"learner": "dr_learner"}') FROM d$$,
                 '22004', NULL, 'dr_learner rejects a NULL propensity');
SELECT throws_ok($$SELECT uplift_fit(x, t, y, '{"min_propensity": 0.1}') FROM d$$,
                 '22023', 'option "min_propensity" needs the propensity argument of uplift_fit',
                 'min_propensity without propensities is rejected');
SELECT throws_ok($$SELECT uplift_fit(x, t, y, p, '{"min_propensity": -0.1}') FROM d$$,
                 '22023', NULL, 'a negative min_propensity is rejected');
SELECT throws_ok($$SELECT uplift_fit(x, t, y, p, '{"min_propensity": 1.5}') FROM d$$,
                 '22023', NULL, 'a min_propensity above 1 is rejected');
SELECT throws_ok($$SELECT uplift_fit(x, t, y, p, '{"min_propensity": "low"}') FROM d$$,
                 '22023', NULL, 'a min_propensity that is not a number is rejected');

SELECT * FROM finish();
ROLLBACK;
