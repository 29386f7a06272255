-- pgTAP: one SQLSTATE and one message per fault of a float8[] argument, for
-- every function that takes one (src/arrays.c, doc/null-rules.md):
--   a NULL element             22004  "<argument> must not contain NULL"
--   a NaN or infinite element  22000  "<argument> must contain finite numbers"
--   more than one dimension    2202E  "<argument> must be a one-dimensional array"
--   a length out of range      2202E  "<argument> must have <n> elements"
-- Every array below has the right length for its function (two elements:
-- the model has two features and actions 0 and 1), so only the fault can
-- raise the error.
BEGIN;
SELECT plan(179);

CREATE TEMP TABLE m AS SELECT uplift_model_import(
  '{"learner":"t_learner","base":"linear","n_actions":1,"n_features":2,
    "heads":[{"role":"outcome","action":0,"link":"identity","intercept":1,"coefficients":[2,3]},
             {"role":"outcome","action":1,"link":"identity","intercept":1.5,"coefficients":[2,4]}]}') AS model;
SELECT uplift_register('arrays_m', model) FROM m;
SELECT uplift_deploy('arrays_m', 1);

-- One row per float8[] argument: the call (%s is the array), the argument's
-- name in messages, whether a NULL element is an error there, and an array
-- of a wrong length with the message it gets.
CREATE TEMP TABLE array_args (
    id serial, arg text, call text, null_is_error bool, bad_length text, length_msg text);
INSERT INTO array_args (arg, call, null_is_error, bad_length, length_msg) VALUES
  ('features of uplift_fit', $$SELECT uplift_fit(%s, 0, 1.0)$$, true,
   $$array_fill(1.0::float8, ARRAY[10001])$$, 'features of uplift_fit must have at most 10000 elements'),
  ('features of uplift_fit', $$SELECT uplift_fit(%s::float4[], 1, 1.0, '{"base": "linear"}')$$, true,
   $$array_fill(1.0::float8, ARRAY[10001])$$, 'features of uplift_fit must have at most 10000 elements'),
  ('features', $$SELECT uplift_score(model, %s) FROM m$$, true,
   $$ARRAY[1.0, 2.0, 3.0]$$, 'features must have 2 elements'),
  ('features', $$SELECT uplift_score(model, %s, 1) FROM m$$, true,
   $$ARRAY[1.0]$$, 'features must have 2 elements'),
  ('features', $$SELECT uplift_scores(model, %s) FROM m$$, true,
   $$'{}'::float8[]$$, 'features must have 2 elements'),
  ('features', $$SELECT uplift_predict(model, %s, 0) FROM m$$, true,
   $$ARRAY[1.0, 2.0, 3.0]$$, 'features must have 2 elements'),
  ('features', $$SELECT uplift_score('arrays_m', %s)$$, true,
   $$ARRAY[1.0, 2.0, 3.0]$$, 'features must have 2 elements'),
  ('features', $$SELECT uplift_scores('arrays_m', %s)$$, true,
   $$ARRAY[1.0, 2.0, 3.0]$$, 'features must have 2 elements'),
  ('features', $$SELECT uplift_predict('arrays_m', %s, 1)$$, true,
   $$ARRAY[1.0, 2.0, 3.0]$$, 'features must have 2 elements'),
  ('features', $$SELECT uplift_fit_calibration(model, %s, 1, 1.0, 0.5) FROM m$$, true,
   $$ARRAY[1.0, 2.0, 3.0]$$, 'features must have 2 elements'),
  ('features', $$SELECT * FROM uplift_value_cost((SELECT model FROM m), (SELECT model FROM m), %s)$$, true,
   $$ARRAY[1.0, 2.0, 3.0]$$, 'features must have 2 elements'),
  ('features', $$SELECT uplift_explore('e', 1, model, %s) FROM m$$, true,
   $$ARRAY[1.0, 2.0, 3.0]$$, 'features must have 2 elements'),
  ('features', $$SELECT ope_target_probs(model, %s) FROM m$$, true,
   $$ARRAY[1.0, 2.0, 3.0]$$, 'features must have 2 elements'),
  ('features', $$SELECT ope_target_propensity(model, %s, 1) FROM m$$, true,
   $$ARRAY[1.0, 2.0, 3.0]$$, 'features must have 2 elements'),
  ('features', $$SELECT ope_q_target(model, %s, ARRAY[0.5, 0.5]) FROM m$$, true,
   $$ARRAY[1.0, 2.0, 3.0]$$, 'features must have 2 elements'),
  ('probs', $$SELECT ope_q_target(model, ARRAY[1.0, 2.0], %s) FROM m$$, true,
   $$ARRAY[0.2, 0.3, 0.5]$$, 'probs must have 2 elements'),
  ('outcomes', $$SELECT ope_expected_value(%s, ARRAY[0.5, 0.5])$$, true,
   $$'{}'::float8[]$$, 'outcomes must have at least 1 elements'),
  ('probs', $$SELECT ope_expected_value(ARRAY[1.0, 2.0], %s)$$, true,
   $$ARRAY[1.0]$$, 'probs must have 2 elements'),
  ('scores', $$SELECT uplift_best_treatment(%s, 1)$$, true,
   $$'{}'::float8[]$$, 'scores must have at least 1 elements'),
  ('scores', $$SELECT uplift_best_score(%s)$$, true,
   $$'{}'::float8[]$$, 'scores must have at least 1 elements'),
  ('weights', $$SELECT uplift_assign('e', 1, %s)$$, true,
   $$array_fill(1.0::float8, ARRAY[258])$$, 'weights must have 1 to 257 elements'),
  ('weights', $$SELECT uplift_assign('e', 'u1', %s)$$, true,
   $$'{}'::float8[]$$, 'weights must have 1 to 257 elements'),
  ('weights', $$SELECT uplift_assign('e', 1, %s, '{}'::jsonb)$$, true,
   $$'{}'::float8[]$$, 'weights must have 1 to 257 elements'),
  ('effects', $$SELECT uplift_explore('e', 1, %s)$$, true,
   $$array_fill(1.0::float8, ARRAY[257])$$, 'effects must have 1 to 256 elements'),
  ('effects', $$SELECT uplift_explore('e', 'u1', %s)$$, true,
   $$'{}'::float8[]$$, 'effects must have 1 to 256 elements'),
  ('effects', $$SELECT uplift_policy_probs(%s)$$, true,
   $$array_fill(1.0::float8, ARRAY[257])$$, 'effects must have at most 256 elements'),
  ('effects', $$SELECT uplift_policy_propensity(%s, 1)$$, true,
   $$array_fill(1.0::float8, ARRAY[257])$$, 'effects must have at most 256 elements'),
  ('effects', $$SELECT uplift_policy_action(%s)$$, true,
   $$array_fill(1.0::float8, ARRAY[257])$$, 'effects must have at most 256 elements'),
  ('successes', $$SELECT uplift_thompson_probs(%s, ARRAY[5.0, 5.0], 0)$$, true,
   $$array_fill(1.0::float8, ARRAY[258])$$, 'successes must have 1 to 257 elements'),
  ('trials', $$SELECT uplift_thompson_probs(ARRAY[1.0, 1.0], %s, 0)$$, true,
   $$ARRAY[5.0]$$, 'trials must have 2 elements'),
  ('successes', $$SELECT uplift_thompson('e', 1, %s, ARRAY[5.0, 5.0])$$, true,
   $$'{}'::float8[]$$, 'successes must have 1 to 257 elements'),
  ('trials', $$SELECT uplift_thompson('e', 'u1', ARRAY[1.0, 1.0], %s)$$, true,
   $$ARRAY[5.0, 5.0, 5.0]$$, 'trials must have 2 elements'),
  ('action_values', $$SELECT allocate_action(%s, ARRAY[1.0, 1.0], 0.5)$$, false,
   $$array_fill(1.0::float8, ARRAY[32768])$$, 'action_values must have at most 32767 elements'),
  ('action_costs', $$SELECT allocate_action(ARRAY[1.0, 1.0], %s, 0.5)$$, false,
   $$ARRAY[1.0]$$, 'action_costs must have 2 elements'),
  ('action_values', $$SELECT allocate_threshold(%s, ARRAY[1.0, 1.0], 10)$$, false,
   $$array_fill(1.0::float8, ARRAY[32768])$$, 'action_values must have at most 32767 elements'),
  ('action_costs', $$SELECT allocate_threshold(ARRAY[1.0, 1.0], %s, 10, '{}')$$, false,
   $$ARRAY[1.0, 1.0, 1.0]$$, 'action_costs must have 2 elements');

-- The faults every argument shares (the second element is the bad one).
CREATE TEMP TABLE faults (id serial, fault text, arr text, state text, msg text);
INSERT INTO faults (fault, arr, state, msg) VALUES
  ('a NULL element', $$ARRAY[0.25, NULL]::float8[]$$, '22004', '%s must not contain NULL'),
  ('a NaN element', $$ARRAY[0.25, 'NaN']::float8[]$$, '22000', '%s must contain finite numbers'),
  ('an infinite element', $$ARRAY[0.25, '-Infinity']::float8[]$$, '22000', '%s must contain finite numbers'),
  ('two dimensions', $$ARRAY[[0.25, 0.25], [0.25, 0.25]]::float8[]$$, '2202E', '%s must be a one-dimensional array');

SELECT throws_ok(format(a.call, f.arr), f.state, format(f.msg, a.arg),
                 format('%s: %s in %s is %s', a.call, f.fault, a.arg, f.state))
FROM array_args a CROSS JOIN faults f
WHERE a.null_is_error OR f.state <> '22004'
ORDER BY a.id, f.id;

SELECT throws_ok(format(a.call, a.bad_length), '2202E', a.length_msg,
                 format('%s: a wrong length of %s is 2202E', a.call, a.arg))
FROM array_args a ORDER BY a.id;

-- Where a NULL element has a meaning (the action is not offered), it is no
-- error: with action 1 left out, action 2 (net value 3 - 1) is chosen.
SELECT is(allocate_action(ARRAY[NULL, 3.0], ARRAY[1.0, 1.0], 0.5), 2,
          'allocate_action: a NULL value leaves its action out');
SELECT is(allocate_action(ARRAY[5.0, 3.0], ARRAY[NULL, 1.0], 0.5), 2,
          'allocate_action: a NULL cost leaves its action out');

-- Features read in place score as the model's closed form says:
-- (1.5 + 2*0.5 + 4*0.25) - (1 + 2*0.5 + 3*0.25) = 3.5 - 2.75 = 0.75.
SELECT is(uplift_score(model, ARRAY[0.5, 0.25]), 0.75::float8, 'features read in place score as written')
FROM m;

SELECT * FROM finish();
ROLLBACK;
