-- The greedy policy over per-action effects: the action with the largest
-- strictly positive effect (2 here, effect 0.3), else 0 (no offer); of equal
-- effects the lowest action.
SELECT uplift_policy_action(ARRAY[0.1, 0.3, 0.2]) AS greedy,
       uplift_policy_action(ARRAY[-0.1, -0.3]) AS nothing_positive,
       uplift_policy_action(ARRAY[0.2, 0.2]) AS tie_lowest;

-- Probabilities of actions 0..3 (doc/policy.md): q_a = epsilon / 4 + (1 -
-- epsilon) [a = 2] and p_a = f + (1 - 4 f) q_a.  epsilon 0.2: q = 0.05, 0.05,
-- 0.85, 0.05 (0.05 + 0.8 prints as 0.8500000000000001 in double precision);
-- floor f = 0.1: p = 0.1 + 0.6 q = 0.13, 0.13, 0.61, 0.13.
SELECT uplift_policy_probs(ARRAY[0.1, 0.3, 0.2]) AS greedy_probs,
       uplift_policy_probs(ARRAY[0.1, 0.3, 0.2], 0.2) AS epsilon_probs,
       uplift_policy_probs(ARRAY[0.1, 0.3, 0.2], 0.2, 0.1) AS floored_probs;

SELECT uplift_policy_propensity(ARRAY[0.1, 0.3, 0.2], 2, 0.2, 0.1) AS p2;

-- bad input
SELECT uplift_policy_probs(ARRAY[0.1, 0.3], 1.5);
SELECT uplift_policy_probs(ARRAY[0.1, 0.3], 0, 0.5);
SELECT uplift_policy_propensity(ARRAY[0.1, 0.3], 3);
SELECT uplift_policy_action(ARRAY[0.1, NULL]);
