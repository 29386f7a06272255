-- The greedy policy over per-action effects.
SELECT uplift_policy_action(ARRAY[0.1, 0.3, 0.2]) AS greedy,
       uplift_policy_action(ARRAY[-0.1, -0.3]) AS nothing_positive,
       uplift_policy_action(ARRAY[0.2, 0.2]) AS tie_lowest;

SELECT uplift_policy_probs(ARRAY[0.1, 0.3, 0.2]) AS greedy_probs,
       uplift_policy_probs(ARRAY[0.1, 0.3, 0.2], 0.2) AS epsilon_probs,
       uplift_policy_probs(ARRAY[0.1, 0.3, 0.2], 0.2, 0.1) AS floored_probs;

SELECT uplift_policy_propensity(ARRAY[0.1, 0.3, 0.2], 2, 0.2, 0.1) AS p2;

-- bad input
SELECT uplift_policy_probs(ARRAY[0.1, 0.3], 1.5);
SELECT uplift_policy_probs(ARRAY[0.1, 0.3], 0, 0.5);
SELECT uplift_policy_propensity(ARRAY[0.1, 0.3], 3);
SELECT uplift_policy_action(ARRAY[0.1, NULL]);
