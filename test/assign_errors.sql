-- pgTAP: every rejected input of the assignment functions, with its SQLSTATE.
BEGIN;
SELECT plan(45);

-- weights
SELECT throws_ok($$SELECT uplift_assign('e', 1, ARRAY[0.5, -0.1])$$, '22023', NULL,
                 'negative weights are rejected');
SELECT throws_ok($$SELECT uplift_assign('e', 1, ARRAY[0, 0, 0]::float8[])$$, '22023', NULL,
                 'all-zero weights are rejected');
SELECT throws_ok($$SELECT uplift_assign('e', 1, ARRAY[0.5, 'NaN'])$$, '22000', 'weights must contain finite numbers',
                 'NaN weights are rejected');
SELECT throws_ok($$SELECT uplift_assign('e', 1, ARRAY[0.5, 'Infinity'])$$, '22000', 'weights must contain finite numbers',
                 'infinite weights are rejected');
SELECT throws_ok($$SELECT uplift_assign('e', 1, ARRAY[]::float8[])$$, '2202E', NULL,
                 'empty weights are rejected');
SELECT throws_ok($$SELECT uplift_assign('e', 1, ARRAY[[0.5, 0.5], [0.5, 0.5]])$$, '2202E', NULL,
                 'two-dimensional weights are rejected');
SELECT throws_ok($$SELECT uplift_assign('e', 1, array_fill(1::float8, ARRAY[300]))$$, '2202E', 'weights must have 1 to 257 elements',
                 'more weights than supported actions are rejected');
SELECT throws_ok($$SELECT uplift_assign('e', 1, ARRAY[0.5, NULL])$$, '22004', NULL,
                 'NULL weight elements are rejected');
SELECT throws_ok($$SELECT uplift_assign('e', 1, NULL::float8[])$$, '22004', NULL,
                 'NULL weights are rejected');

-- ids and names
SELECT throws_ok($$SELECT uplift_assign('e', NULL::bigint, ARRAY[1, 1])$$, '22004', NULL,
                 'a NULL bigint unit id is rejected');
SELECT throws_ok($$SELECT uplift_assign('e', NULL::text, ARRAY[1, 1])$$, '22004', NULL,
                 'a NULL text unit id is rejected');
SELECT throws_ok($$SELECT uplift_assign(NULL, 1, ARRAY[1, 1])$$, '22004', NULL,
                 'a NULL experiment is rejected');
SELECT throws_ok($$SELECT uplift_in_holdout(NULL::bigint, 0.1)$$, '22004', NULL,
                 'a NULL unit id is rejected by uplift_in_holdout');
SELECT throws_ok($$SELECT uplift_explore('e', NULL::bigint, ARRAY[0.1])$$, '22004', NULL,
                 'a NULL unit id is rejected by uplift_explore');
SELECT throws_ok($$SELECT uplift_thompson('e', NULL::text, ARRAY[1, 2], ARRAY[5, 5])$$, '22004', NULL,
                 'a NULL unit id is rejected by uplift_thompson');
SELECT throws_ok($$SELECT uplift_assign_logged('e', NULL::bigint, ARRAY[1, 1])$$, '22004', NULL,
                 'a NULL unit id is rejected by uplift_assign_logged');

-- holdout share
SELECT throws_ok($$SELECT uplift_assign('e', 1, ARRAY[1, 1], 1.5)$$, '22023', NULL,
                 'a holdout share above 1 is rejected');
SELECT throws_ok($$SELECT uplift_in_holdout(1, -0.1)$$, '22023', NULL,
                 'a negative holdout share is rejected');
SELECT throws_ok($$SELECT uplift_in_holdout(1, 'NaN')$$, '22023', NULL,
                 'a NaN holdout share is rejected');
SELECT throws_ok($$SELECT uplift_in_holdout(1, 2)$$, '22023', 'share must be between 0 and 1',
                 'uplift_in_holdout names its argument share');
SELECT throws_ok($$SELECT uplift_in_holdout(1, NULL)$$, '22004', 'share must not be NULL',
                 'a NULL share is rejected, naming it');

-- exploration parameters
SELECT throws_ok($$SELECT uplift_explore('e', 1, ARRAY[0.1, 0.2], -0.1)$$, '22023', NULL,
                 'epsilon below 0 is rejected');
SELECT throws_ok($$SELECT uplift_explore('e', 1, ARRAY[0.1, 0.2], 1.1)$$, '22023', NULL,
                 'epsilon above 1 is rejected');
SELECT throws_ok($$SELECT uplift_explore('e', 1, ARRAY[0.1, 0.2], 0.1, 1.5)$$, '22023', NULL,
                 'a floor above 1 is rejected');
SELECT throws_ok($$SELECT uplift_explore('e', 1, ARRAY[0.1, 0.2], 0.1, 0.4)$$, '22023', NULL,
                 'a floor that 3 actions cannot meet is rejected');
SELECT throws_ok($$SELECT uplift_explore('e', 1, ARRAY[0.1, 'NaN'])$$, '22000', 'effects must contain finite numbers',
                 'NaN effects are rejected');
SELECT throws_ok($$SELECT uplift_thompson('e', 1, ARRAY[1, 2], ARRAY[5, 5], 0.6)$$, '22023', NULL,
                 'a Thompson floor that 2 actions cannot meet is rejected');
SELECT throws_ok($$SELECT uplift_thompson_probs(ARRAY[1, 2], ARRAY[5, 5], -0.01)$$, '22023', NULL,
                 'a negative Thompson floor is rejected');

-- Thompson counts
SELECT throws_ok($$SELECT uplift_thompson_probs(ARRAY[1, 2], ARRAY[5, 5, 5])$$, '2202E', NULL,
                 'successes and trials of different lengths are rejected');
SELECT throws_ok($$SELECT uplift_thompson_probs(ARRAY[6, 2], ARRAY[5, 5])$$, '22023', NULL,
                 'more successes than trials are rejected');
SELECT throws_ok($$SELECT uplift_thompson_probs(ARRAY[-1, 2], ARRAY[5, 5])$$, '22023', NULL,
                 'negative successes are rejected');

-- features that do not fit the model in exploration over a model's policy
SELECT throws_ok($$SELECT uplift_explore('e', 1, uplift_model_import('{
  "learner": "t_learner", "base": "linear", "n_actions": 1, "n_features": 2,
  "heads": [{"role": "outcome", "action": 0, "link": "identity", "intercept": 0, "coefficients": [1, 1]},
            {"role": "outcome", "action": 1, "link": "identity", "intercept": 1, "coefficients": [1, 1]}]}'),
  ARRAY[1, 2, 3])$$, '2202E', NULL,
                 'features of a length that does not fit the model are rejected');

-- the log
SELECT throws_ok($$SELECT uplift_log_assignment('e', 1::bigint, NULL::uplift_assignment, 'manual')$$,
                 '22004', NULL, 'logging a NULL assignment is rejected');
-- an impossible assignment is refused, also for a unit that is logged already
SELECT uplift_create_assignment_log();
SELECT uplift_log_assignment('e', 1::bigint, (1, 0.5, false)::uplift_assignment, 'manual');
SELECT uplift_log_assignment('e', 'k1', (1, 0.5, false)::uplift_assignment, 'manual');
SELECT throws_ok($$SELECT uplift_log_assignment('e', 1::bigint, (1, 'NaN', false)::uplift_assignment, 'manual')$$,
                 '22023', 'assignment.propensity must be greater than 0 and at most 1, not NaN',
                 'a NaN propensity is rejected for a logged unit');
SELECT throws_ok($$SELECT uplift_log_assignment('e', 'k1', (1, 'NaN', false)::uplift_assignment, 'manual')$$,
                 '22023', 'assignment.propensity must be greater than 0 and at most 1, not NaN',
                 'a NaN propensity is rejected for a logged unit (text id)');
SELECT throws_ok($$SELECT uplift_log_assignment('e', 1::bigint, (-1, 0.5, false)::uplift_assignment, 'manual')$$,
                 '22023', 'assignment.action must be 0 or more, not -1',
                 'a negative action is rejected for a logged unit');
SELECT throws_ok($$SELECT uplift_log_assignment('e', 2::bigint, (1, 0, false)::uplift_assignment, 'manual')$$,
                 '22023', 'assignment.propensity must be greater than 0 and at most 1, not 0',
                 'a zero propensity is rejected for a new unit');
SELECT throws_ok($$SELECT uplift_log_assignment('e', 'k2', (1, -0.5, false)::uplift_assignment, 'manual')$$,
                 '22023', 'assignment.propensity must be greater than 0 and at most 1, not -0.5',
                 'a negative propensity is rejected for a new unit (text id)');
SELECT throws_ok($$SELECT uplift_log_assignment('e', 'k2', (1, 1.5, false)::uplift_assignment, 'manual')$$,
                 '22023', 'assignment.propensity must be greater than 0 and at most 1, not 1.5',
                 'a propensity above 1 is rejected');
SELECT throws_ok($$SELECT uplift_log_assignment('e', 'k2', (-2, 1, false)::uplift_assignment, 'manual')$$,
                 '22023', 'assignment.action must be 0 or more, not -2',
                 'a negative action is rejected for a new unit (text id)');
SELECT is((SELECT count(*) FROM uplift_assignment_log WHERE experiment = 'e'), 2::bigint,
          'the rejected assignments wrote nothing');

-- a NULL model or NULL features of the exploring functions over a model
CREATE TEMP TABLE two_features AS SELECT uplift_model_import('{
  "learner": "t_learner", "base": "linear", "n_actions": 1, "n_features": 2,
  "heads": [{"role": "outcome", "action": 0, "link": "identity", "intercept": 0, "coefficients": [1, 1]},
            {"role": "outcome", "action": 1, "link": "identity", "intercept": 1, "coefficients": [1, 1]}]}') AS model;
SELECT throws_ok($$SELECT uplift_explore('e', 1::bigint, NULL::uplift_model, ARRAY[1, 2])$$,
                 '22004', 'model of uplift_explore must not be NULL',
                 'uplift_explore names a NULL model');
SELECT throws_ok($$SELECT uplift_explore('e', 'k', (SELECT model FROM two_features), NULL::float8[])$$,
                 '22004', 'features of uplift_explore must not be NULL',
                 'uplift_explore names NULL features');
SELECT throws_ok($$SELECT uplift_explore_logged('e', 3::bigint, NULL::uplift_model, ARRAY[1, 2])$$,
                 '22004', 'model of uplift_explore_logged must not be NULL',
                 'uplift_explore_logged names a NULL model');
SELECT throws_ok($$SELECT uplift_explore_logged('e', 3::bigint, (SELECT model FROM two_features), NULL::float8[])$$,
                 '22004', 'features of uplift_explore_logged must not be NULL',
                 'uplift_explore_logged names NULL features');

SELECT * FROM finish();
ROLLBACK;
