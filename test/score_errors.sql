-- pgTAP: scoring's NULL rules (a NULL model is an error, NULL features or
-- action give NULL) and scores that are not finite (an error, never a NaN or
-- an infinity that looks like a number), for every scoring function.
BEGIN;
SELECT plan(24);

CREATE TEMP TABLE se_m AS SELECT
  uplift_model_import('{"learner":"t_learner","base":"linear","n_actions":2,"n_features":2,
     "heads":[{"role":"outcome","action":0,"link":"identity","intercept":0.5,"coefficients":[1,1]},
              {"role":"outcome","action":1,"link":"identity","intercept":0.9,"coefficients":[2,1]},
              {"role":"outcome","action":2,"link":"identity","intercept":0.6,"coefficients":[1,3]}]}') AS t,
  uplift_model_import('{"learner":"s_learner","base":"logistic","n_actions":2,"n_features":2,
     "heads":[{"role":"joint","action":-1,"link":"logit","intercept":-1,
               "coefficients":[2,2,0.3,0.4,1,-1,-1,1]}]}') AS s;

-- a NULL model: an error naming the function, not a NULL on every row
SELECT throws_ok($$SELECT uplift_score(NULL::uplift_model, ARRAY[1, 2])$$, '22004',
                 'model of uplift_score must not be NULL', 'uplift_score with a NULL model');
SELECT throws_ok($$SELECT uplift_score(NULL::uplift_model, ARRAY[1, 2], 1)$$, '22004',
                 'model of uplift_score must not be NULL', 'uplift_score(.., action) with a NULL model');
SELECT throws_ok($$SELECT uplift_scores(NULL::uplift_model, ARRAY[1, 2])$$, '22004',
                 'model of uplift_scores must not be NULL', 'uplift_scores with a NULL model');
SELECT throws_ok($$SELECT uplift_predict(NULL::uplift_model, ARRAY[1, 2], 0)$$, '22004',
                 'model of uplift_predict must not be NULL', 'uplift_predict with a NULL model');
SELECT throws_ok($$SELECT * FROM se_m, uplift_value_cost(t, NULL, ARRAY[1, 2])$$, '22004',
                 'model of uplift_value_cost must not be NULL', 'uplift_value_cost with a NULL cost model');
SELECT throws_ok($$SELECT * FROM se_m, uplift_value_cost(NULL, t, ARRAY[1, 2])$$, '22004',
                 'model of uplift_value_cost must not be NULL', 'uplift_value_cost with a NULL value model');
SELECT throws_ok($$SELECT uplift_score(m.model, ARRAY[1, 2]) FROM generate_series(1, 3) i
                   LEFT JOIN (SELECT t AS model FROM se_m WHERE false) m ON true$$, '22004', NULL,
                 'a job whose model lookup found nothing fails');

-- NULL features or action: NULL for that row only (an untyped NULL needs a cast:
-- float8[] and jsonb features are both accepted)
SELECT is(uplift_score(t, NULL::float8[]), NULL, 'uplift_score of NULL features is NULL') FROM se_m;
SELECT is(uplift_score(t, ARRAY[1, 2], NULL), NULL, 'uplift_score of a NULL action is NULL') FROM se_m;
SELECT is(uplift_scores(t, NULL::float8[]), NULL, 'uplift_scores of NULL features is NULL') FROM se_m;
SELECT is(uplift_predict(t, NULL::float8[], 1), NULL, 'uplift_predict of NULL features is NULL') FROM se_m;
SELECT is(uplift_predict(t, ARRAY[1, 2], NULL), NULL, 'uplift_predict of a NULL action is NULL') FROM se_m;
SELECT is((SELECT count(*) FROM se_m, uplift_value_cost(t, t, NULL::float8[])), 0::bigint,
          'uplift_value_cost of NULL features has no rows');
SELECT is(uplift_scores(t, x), ARRAY[0.4 + x[1], 0.1 + 2 * x[2]], 'finite features still score as the closed form')
FROM se_m, (VALUES (ARRAY[1.5, -2]::float8[])) v(x);

-- features whose linear predictors overflow: 22003, for every function
SELECT throws_ok($$SELECT uplift_score(t, ARRAY[1e308, 1e308]) FROM se_m$$, '22003', NULL,
                 'uplift_score: an overflowing effect is an error');
SELECT throws_ok($$SELECT uplift_score(t, ARRAY[1e308, 1e308], 2) FROM se_m$$, '22003', NULL,
                 'uplift_score(.., action): an overflowing effect is an error');
SELECT throws_ok($$SELECT uplift_scores(t, ARRAY[1e308, 1e308]) FROM se_m$$, '22003', NULL,
                 'uplift_scores: an overflowing effect is an error');
SELECT throws_ok($$SELECT uplift_predict(t, ARRAY[1e308, 1e308], 1) FROM se_m$$, '22003', NULL,
                 'uplift_predict: an overflowing prediction is an error');
SELECT throws_ok($$SELECT * FROM se_m, uplift_value_cost(t, t, ARRAY[1e308, 1e308])$$, '22003', NULL,
                 'uplift_value_cost: an overflowing effect is an error');
SELECT throws_ok($$SELECT uplift_scores(s, ARRAY[1e308, -1e308]) FROM se_m$$, '22003', NULL,
                 'a logistic S-learner whose linear predictor is NaN is an error');
SELECT throws_ok($$SELECT uplift_predict(s, ARRAY[1e308, -1e308], 2) FROM se_m$$, '22003', NULL,
                 'uplift_predict of that S-learner is an error');
-- a logistic link saturates without overflowing: a large but finite predictor is fine
SELECT is(uplift_predict(s, ARRAY[1e300, 0], 0), 1::float8, 'a saturated logistic prediction is 1') FROM se_m;
SELECT is(uplift_score(s, ARRAY[-1e300, 0], 1), 0::float8, 'and its effect is 0') FROM se_m;
SELECT throws_ok($$SELECT * FROM se_m, uplift_value_cost(t, uplift_model_import('{"learner":"t_learner","base":"linear","n_actions":2,"n_features":2,
     "heads":[{"role":"outcome","action":0,"link":"identity","intercept":0,"coefficients":[0,0]},
              {"role":"outcome","action":1,"link":"identity","intercept":1e-300,"coefficients":[0,0]},
              {"role":"outcome","action":2,"link":"identity","intercept":1e-300,"coefficients":[0,0]}]}'), ARRAY[1e300, 1])$$,
                 '22003', NULL, 'uplift_value_cost: a value per cost that overflows is an error');

SELECT * FROM finish();
ROLLBACK;
