-- pgTAP: exploration over a greedy policy and Thompson sampling.  The
-- Thompson probabilities are checked against a closed form (two arms), a
-- midpoint-rule integration in plain SQL (three arms), and a normal
-- approximation (large counts); draws against their stated probabilities by
-- chi-square tests (critical value 13.8155 for 2 df at p = 0.001).
BEGIN;
SELECT plan(21);

-- Epsilon-greedy: effects (0.1, 0.3) -> greedy action 2; epsilon 0.3 and a
-- floor of 0.1 give q = (0.1, 0.1, 0.8), p = 0.1 + 0.7 q.
CREATE TEMP TABLE eg AS
SELECT id, e.*
  FROM generate_series(1::bigint, 200000) id,
       LATERAL uplift_explore('explore-test', id, ARRAY[0.1, 0.3], 0.3, 0.1) e;

SELECT is((SELECT array_agg(DISTINCT propensity ORDER BY propensity) FROM eg),
          ARRAY[0.1 + 0.7 * 0.1, 0.1 + 0.7 * 0.8]::float8[],
          'epsilon-greedy propensities follow p = f + (1 - (K+1) f) q');

SELECT cmp_ok((SELECT sum((n - e) ^ 2 / e)
                 FROM (SELECT count(*)::float8 AS n, 200000 * min(propensity) AS e
                         FROM eg GROUP BY action) t),
              '<', 13.8155::float8,
              'epsilon-greedy draws follow their propensities (chi-square)');

-- Random effects on every row: the propensity is the policy's, never below
-- the floor, and the policy's probabilities sum to 1.
SELECT setseed(0.25);
CREATE TEMP TABLE eg_rows AS
SELECT id, eff, e.*
  FROM (SELECT id, ARRAY[random() - 0.5, random() - 0.5, random() - 0.5] AS eff
          FROM generate_series(1::bigint, 5000) id) r,
       LATERAL uplift_explore('explore-rows', id, eff, 0.2, 0.05, 42) e;

SELECT is((SELECT count(*) FROM eg_rows
            WHERE abs(propensity - uplift_policy_propensity(eff, action, 0.2, 0.05)) > 1e-15
               OR propensity < 0.05),
          0::bigint, 'every row''s propensity is its policy probability and at least the floor');

SELECT cmp_ok((SELECT max(abs((SELECT sum(p) FROM unnest(uplift_policy_probs(eff, 0.2, 0.05)) p) - 1))
                 FROM eg_rows),
              '<', 1e-12::float8, 'exploration probabilities sum to 1');

SELECT is((SELECT count(*) FROM eg_rows
            WHERE uplift_explore('explore-rows', id, eff, 0.2, 0.05, 42) IS DISTINCT FROM
                  uplift_explore('explore-rows', id, eff, 0.2, 0.05, 42)),
          0::bigint, 'exploration is deterministic for unit, experiment and seed');

SELECT cmp_ok((SELECT count(*) FROM eg_rows
                WHERE (uplift_explore('explore-rows', id, eff, 1, 0, 42)).action <>
                      (uplift_explore('explore-rows', id, eff, 1, 0, 43)).action),
              '>', 2500::bigint, 'another seed gives another draw');

-- Exploration over a stored model's policy uses the model's scores as effects.
CREATE TEMP TABLE m AS
SELECT uplift_model_import('{
  "learner": "t_learner", "base": "linear", "n_actions": 2, "n_features": 2,
  "heads": [
    {"role": "outcome", "action": 0, "link": "identity", "intercept": 0.5, "coefficients": [-0.02, 0.8]},
    {"role": "outcome", "action": 1, "link": "identity", "intercept": 0.9, "coefficients": [-0.05, 1.4]},
    {"role": "outcome", "action": 2, "link": "identity", "intercept": 0.6, "coefficients": [-0.03, 1.1]}]}') AS model;

SELECT is((SELECT count(*) FROM m, eg_rows,
                  LATERAL uplift_explore('explore-model', id, model, eff[1:2], 0.2, 0.05) e
            WHERE e.propensity <> (uplift_policy_probs(ARRAY[0.4 - 0.03 * eff[1] + 0.6 * eff[2],
                                                             0.1 - 0.01 * eff[1] + 0.3 * eff[2]],
                                                       0.2, 0.05))[e.action + 1]
               OR e.propensity < 0.05),
          0::bigint, 'exploration over a model draws from the policy over its effects');

SELECT is((SELECT uplift_explore('explore-model', 5, model, ARRAY[1, 2], 0.2, 0.05) FROM m),
          (SELECT uplift_explore('explore-model', 5, uplift_scores(model, ARRAY[1, 2]), 0.2, 0.05) FROM m),
          'exploration over a model equals exploration over its scores');

-- Thompson sampling, two arms: Beta(4, 8) and Beta(8, 6).  Closed form for
-- integer parameters (Miller 2014):
-- P(X1 > X0) = sum_{i=0}^{a1-1} B(a0+i, b0+b1) / ((b1+i) B(1+i, b1) B(a0, b0)).
CREATE FUNCTION pg_temp.beta_fn(a int, b int) RETURNS numeric
LANGUAGE sql IMMUTABLE AS $$ SELECT factorial(a - 1) * factorial(b - 1) / factorial(a + b - 1) $$;

SELECT cmp_ok(abs((uplift_thompson_probs(ARRAY[3, 7], ARRAY[10, 12]))[2] -
                  (SELECT sum(pg_temp.beta_fn(4 + i, 8 + 6) /
                              ((6 + i) * pg_temp.beta_fn(1 + i, 6) * pg_temp.beta_fn(4, 8)))
                     FROM generate_series(0, 7) i)::float8),
              '<', 1e-9::float8, 'two-arm Thompson probability equals the closed form');

-- Three arms: Beta(4, 8), Beta(8, 6), Beta(6, 6), integrated in SQL by the
-- midpoint rule on 5000 cells with the binomial-sum form of the Beta CDF.
SELECT ok((SELECT bool_and(abs(ours[k + 1] - ref) < 1e-5)
             FROM (SELECT k, sum(f * prod / cdf) / 5000 AS ref
                     FROM (SELECT x, k, a, b, f, cdf,
                                  exp(sum(ln(cdf)) OVER (PARTITION BY x)) AS prod
                             FROM (SELECT x, k, a, b,
                                          (factorial(a + b - 1) / (factorial(a - 1) * factorial(b - 1)))::float8
                                            * x ^ (a - 1) * (1 - x) ^ (b - 1) AS f,
                                          (SELECT sum((factorial(a + b - 1) / (factorial(j) * factorial(a + b - 1 - j)))::float8
                                                      * x ^ j * (1 - x) ^ (a + b - 1 - j))
                                             FROM generate_series(a, a + b - 1) j) AS cdf
                                     FROM (SELECT (i - 0.5) / 5000.0::float8 AS x
                                             FROM generate_series(1, 5000) i) g,
                                          (VALUES (0, 4, 8), (1, 8, 6), (2, 6, 6)) arms(k, a, b)) v) w
                    GROUP BY k) r,
                  uplift_thompson_probs(ARRAY[3, 7, 5], ARRAY[10, 12, 10]) ours),
          'three-arm Thompson probabilities equal an independent numerical integration');

-- Large counts: the posteriors are nearly normal, so P(X1 > X0) is close to
-- Phi(d / s) (here computed by a midpoint sum of the normal density).
SELECT cmp_ok(abs((uplift_thompson_probs(ARRAY[30000, 30500], ARRAY[100000, 100000]))[2] -
                  (SELECT sum(exp(-t * t / 2)) * 1e-4 / sqrt(2 * pi())
                     FROM (SELECT -10 + (i - 0.5) * 1e-4 AS t FROM generate_series(1, 200000) i) g
                    WHERE t < ((30501 / 100002.0 - 30001 / 100002.0)
                               / sqrt(2 * (30001 / 100002.0) * (70001 / 100002.0) / 100003.0))::float8)),
              '<', 1e-3::float8, 'Thompson probability with large counts matches the normal approximation');

-- Huge counts, closed forms: for X0 ~ Beta(n, 2) and X1 ~ Beta(n + 1, 1),
-- P(X0 > X1) = n (n + 1) integral x^(2n) (1 - x) dx = n / (2 (2n + 1)); mirrored
-- (Beta(2, n) against Beta(1, n + 1)) it is 1 - n / (2 (2n + 1)); and
-- X1 ~ Beta(1, 1) beats X0 ~ Beta(n + 1, 1) with probability 1 - E X0 = 1 / (n + 2).
SELECT cmp_ok(abs((uplift_thompson_probs(ARRAY[1e9 - 1, 1e9], ARRAY[1e9, 1e9]))[1]
                  - 1e9 / (2 * (2e9 + 1))),
              '<', 1e-9::float8, 'Thompson probability with 10^9 trials near 1 equals its closed form');
SELECT cmp_ok(abs((uplift_thompson_probs(ARRAY[1, 0], ARRAY[1e9, 1e9]))[1]
                  - (1 - 1e9 / (2 * (2e9 + 1)))),
              '<', 1e-9::float8, 'Thompson probability with 10^9 trials near 0 equals its closed form');
SELECT cmp_ok(abs((uplift_thompson_probs(ARRAY[1e6, 0], ARRAY[1e6, 0]))[2] - 1 / (1e6 + 2)),
              '<', 1e-12::float8, 'a small Thompson probability is exact in absolute terms');

SELECT cmp_ok(abs((SELECT sum(p) FROM unnest(uplift_thompson_probs(ARRAY[1, 50, 3, 0], ARRAY[10, 60, 90, 0])) p) - 1),
              '<', 1e-12::float8, 'Thompson probabilities sum to 1');

SELECT is(uplift_thompson_probs(ARRAY[0, 0, 0], ARRAY[0, 0, 0])::numeric(20, 12)[],
          ARRAY[1 / 3.0, 1 / 3.0, 1 / 3.0]::numeric(20, 12)[],
          'arms without data are equally likely');

SELECT ok((SELECT bool_and(abs(fl - (0.1 + 0.7 * raw)) < 1e-15) AND min(fl) >= 0.1
             FROM unnest(uplift_thompson_probs(ARRAY[0, 90, 40], ARRAY[100, 100, 100], 0.1),
                         uplift_thompson_probs(ARRAY[0, 90, 40], ARRAY[100, 100, 100])) AS t(fl, raw)),
          'the Thompson floor gives p = f + (1 - n f) P and never less than f');

CREATE TEMP TABLE ts AS
SELECT id, t.*
  FROM generate_series(1::bigint, 200000) id,
       LATERAL uplift_thompson('thompson-test', id, ARRAY[3, 7, 5], ARRAY[10, 12, 10], 0.05, 9) t;

SELECT is((SELECT count(*) FROM ts
            WHERE abs(propensity - (uplift_thompson_probs(ARRAY[3, 7, 5], ARRAY[10, 12, 10], 0.05))[action + 1])
                  > 1e-15),
          0::bigint, 'each Thompson draw returns the probability of its action');

SELECT cmp_ok((SELECT sum((n - e) ^ 2 / e)
                 FROM (SELECT count(*)::float8 AS n, 200000 * min(propensity) AS e
                         FROM ts GROUP BY action) t),
              '<', 13.8155::float8, 'Thompson draws follow their probabilities (chi-square)');

SELECT is((SELECT count(*) FROM ts
            WHERE uplift_thompson('thompson-test', id, ARRAY[3, 7, 5], ARRAY[10, 12, 10], 0.05, 9)
                  IS DISTINCT FROM
                  uplift_thompson('thompson-test', id::bigint, ARRAY[3, 7, 5], ARRAY[10, 12, 10], 0.05, 9)
              AND id <= 1000),
          0::bigint, 'Thompson sampling is deterministic for unit, experiment and seed');

SELECT cmp_ok((SELECT count(*) FROM generate_series(1::bigint, 2000) id
                WHERE (uplift_thompson('thompson-test', id, ARRAY[0, 0], ARRAY[0, 0], 0, 1)).action <>
                      (uplift_thompson('thompson-test', id, ARRAY[0, 0], ARRAY[0, 0], 0, 2)).action),
              '>', 800::bigint, 'another seed gives another Thompson draw');

SELECT * FROM finish();
ROLLBACK;
