-- Hashed assignment: the same unit always gets the same action.  By the
-- published rule (doc/assignment.md): u = (h >> 11) * 2^-53 of the unit's hash
-- h, and the action is the first a with u < S_a / W, here 0.5, 0.8 and 1.
SELECT id, a.*, round(h.u::numeric, 4) AS u,
       CASE WHEN h.u < 0.5 THEN 0 WHEN h.u < 0.8 THEN 1 ELSE 2 END AS by_the_rule
  FROM generate_series(1, 6) id,
       LATERAL uplift_assign('checkout-button', id, ARRAY[0.5, 0.3, 0.2]) a,
       LATERAL (SELECT ((uplift_assign_hash('checkout-button', id) >> 11) & 9007199254740991)
                       * 2 ^ -53 AS u) h;

-- Text ids, and the raw hash that other implementations reproduce.
SELECT (uplift_assign('checkout-button', 'user-0001', ARRAY[0.5, 0.3, 0.2])).*,
       uplift_assign_hash('checkout-button', 'user-0001') AS hash;

-- A 10% global holdout: held-out units get action 0 with propensity 1.  The
-- counts are binomial draws: about 1000 held out (standard deviation 30), and
-- of the 9000 others about 4500, 2700 and 1800 (sd 47, 43, 38) per action.
SELECT holdout, action, propensity, count(*)
  FROM generate_series(1, 10000) id,
       LATERAL uplift_assign('checkout-button', id, ARRAY[0.5, 0.3, 0.2], 0.1)
 GROUP BY 1, 2, 3 ORDER BY 1, 2;

-- Epsilon-greedy over effects with a floor.  Action 2 is greedy; with
-- epsilon 0.3 over 3 actions q = (0.1, 0.1, 0.8), and the floor f = 0.1 gives
-- p = f + (1 - 3 f) q = (0.17, 0.17, 0.66); the counts are about 1700, 1700
-- and 6600 (sd 38, 38, 47).
SELECT action, round(propensity::numeric, 4) AS propensity, count(*)
  FROM generate_series(1, 10000) id,
       LATERAL uplift_explore('offer-test', id, ARRAY[0.1, 0.3], 0.3, 0.1)
 GROUP BY 1, 2 ORDER BY 1;

-- Thompson sampling: the probability of each arm, then draws.
SELECT round(p::numeric, 6) AS p
  FROM unnest(uplift_thompson_probs(ARRAY[3, 7, 5], ARRAY[10, 12, 10])) p;
-- The same by hand: arm a's posterior is Beta(1 + s_a, 1 + t_a - s_a), and
-- P_a = integral over (0, 1) of density_a(x) * product over b <> a of
-- cdf_b(x), where for whole parameters cdf(x) = sum over j from alpha to
-- alpha + beta - 1 = n of C(n, j) x^j (1 - x)^(n - j); Simpson's rule on
-- 1000 intervals (the integrand is 0 at both ends).
WITH arms(a, s, t) AS (VALUES (0, 3, 10), (1, 7, 12), (2, 5, 10)),
beta AS (SELECT a, s + 1 AS al, t - s + 1 AS be, t + 1 AS n FROM arms),
term AS (SELECT a, j, n, (factorial(n) / (factorial(j) * factorial(n - j)))::float8 AS c
         FROM beta, generate_series(al, n) j),
grid AS (SELECT i / 1000.0::float8 AS x, CASE WHEN i % 2 = 1 THEN 4 ELSE 2 END / 3000.0::float8 AS w
         FROM generate_series(1, 999) i),
cdf AS (SELECT g.x, g.w, t.a, sum(t.c * g.x ^ t.j * (1 - g.x) ^ (t.n - t.j)) AS f
        FROM grid g, term t GROUP BY g.x, g.w, t.a),
pdf AS (SELECT c.*, c.x ^ (b.al - 1) * (1 - c.x) ^ (b.be - 1)
                     * (factorial(b.n) / (factorial(b.al - 1) * factorial(b.be - 1)))::float8 AS d
        FROM cdf c JOIN beta b USING (a))
SELECT a, round(sum(w * d * exp(sum_ln - ln(f)))::numeric, 6) AS p
FROM (SELECT *, sum(ln(f)) OVER (PARTITION BY x) AS sum_ln FROM pdf) s
GROUP BY a ORDER BY a;
-- Draws with the floor 0.05: p = 0.05 + (1 - 3 * 0.05) P = 0.095488, 0.571644,
-- 0.332868, and counts of about 955, 5716 and 3329 (sd 29, 49, 47).
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
