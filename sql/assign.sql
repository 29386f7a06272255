-- Hashed assignment: the same unit always gets the same action.
SELECT id, (uplift_assign('checkout-button', id, ARRAY[0.5, 0.3, 0.2])).*
  FROM generate_series(1, 6) id;

-- Text ids, and the raw hash that other implementations reproduce.
SELECT (uplift_assign('checkout-button', 'user-0001', ARRAY[0.5, 0.3, 0.2])).*,
       uplift_assign_hash('checkout-button', 'user-0001') AS hash;

-- A 10% global holdout: held-out units get action 0 with propensity 1.
SELECT holdout, action, propensity, count(*)
  FROM generate_series(1, 10000) id,
       LATERAL uplift_assign('checkout-button', id, ARRAY[0.5, 0.3, 0.2], 0.1)
 GROUP BY 1, 2, 3 ORDER BY 1, 2;

-- Epsilon-greedy over effects with a floor.
SELECT action, round(propensity::numeric, 4) AS propensity, count(*)
  FROM generate_series(1, 10000) id,
       LATERAL uplift_explore('offer-test', id, ARRAY[0.1, 0.3], 0.3, 0.1)
 GROUP BY 1, 2 ORDER BY 1;

-- Thompson sampling: the probability of each arm, then draws.
SELECT round(p::numeric, 6) AS p
  FROM unnest(uplift_thompson_probs(ARRAY[3, 7, 5], ARRAY[10, 12, 10])) p;
SELECT action, round(propensity::numeric, 6) AS propensity, count(*)
  FROM generate_series(1, 10000) id,
       LATERAL uplift_thompson('campaign', id, ARRAY[3, 7, 5], ARRAY[10, 12, 10], 0.05)
 GROUP BY 1, 2 ORDER BY 1;

-- Logging is idempotent per (experiment, unit).  The log is created once.
SELECT uplift_create_assignment_log();
SELECT experiment, unit_id, action, propensity, policy
  FROM uplift_assign_logged('checkout-button', 1, ARRAY[0.5, 0.3, 0.2]);
SELECT experiment, unit_id, action, propensity, policy
  FROM uplift_assign_logged('checkout-button', 1, ARRAY[0, 0, 1]);
SELECT count(*) FROM uplift_assignment_log;

-- Bad input.
SELECT uplift_assign('e', 1, ARRAY[0.5, -0.5]);
SELECT uplift_assign('e', NULL::bigint, ARRAY[1, 1]);
SELECT uplift_explore('e', 1, ARRAY[0.1, 0.2], 0.1, 0.4);
SELECT uplift_thompson_probs(ARRAY[1, 2], ARRAY[5]);
