-- pgTAP: the greedy policy's probabilities against their closed form.
BEGIN;
SELECT plan(10);

-- K = 3, greedy action 2, epsilon 0.2, floor 0.1:
-- q = (0.05, 0.05, 0.85, 0.05); p = 0.1 + 0.6 q
SELECT is(uplift_policy_probs(ARRAY[0.1, 0.3, 0.2]::float8[], 0.2, 0.1),
          ARRAY[0.1 + 0.6 * 0.05, 0.1 + 0.6 * 0.05, 0.1 + 0.6 * 0.85, 0.1 + 0.6 * 0.05]::float8[],
          'floored epsilon-greedy probabilities follow the closed form');

SELECT ok(abs((SELECT sum(p) FROM unnest(uplift_policy_probs(ARRAY[0.5, -1, 2, 0.3]::float8[], 0.3, 0.05)) p) - 1) < 1e-12,
          'probabilities sum to 1');

SELECT is(uplift_policy_action(ARRAY[-1, 0]::float8[]), 0,
          'no offer unless some effect is strictly positive');

SELECT throws_ok($$SELECT uplift_policy_probs(ARRAY[0.1]::float8[], -0.1)$$, '22023', NULL,
                 'epsilon below 0 is rejected');
SELECT throws_ok($$SELECT uplift_policy_probs(ARRAY[0.1, 0.2]::float8[], 0, 0.4)$$, '22023', NULL,
                 'a floor that cannot be met is rejected');
SELECT throws_ok($$SELECT uplift_policy_action(ARRAY[0.1, NULL]::float8[])$$, '22004', NULL,
                 'NULL effects are rejected');

SELECT throws_ok($$SELECT uplift_policy_action(ARRAY[0.1, 'Infinity']::float8[])$$, '22000', NULL,
                 'an infinite effect is rejected, not taken as the best action');
SELECT throws_ok($$SELECT uplift_policy_probs(ARRAY['NaN', 0.1]::float8[], 0.1, 0)$$, '22000', NULL,
                 'a NaN effect is rejected');
SELECT throws_ok($$SELECT uplift_policy_propensity(ARRAY[[0.1, 0.2], [0.3, 0.4]]::float8[], 1, 0, 0)$$, '2202E', NULL,
                 'two-dimensional effects are rejected');
SELECT throws_ok($$SELECT uplift_policy_action(array_fill(0.1::float8, ARRAY[257]))$$, '2202E', 'effects must have at most 256 elements',
                 'more than 256 actions are rejected');

SELECT * FROM finish();
ROLLBACK;
