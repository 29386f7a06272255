-- pgTAP: Thompson sampling probabilities with very large counts answer in
-- bounded time, and the Edgeworth approximation used for tight posteriors
-- agrees with an independent numerical integration of the Beta densities.
BEGIN;
SELECT plan(11);

-- P(X1 > X0) for X_k ~ Beta(a_k, b_k) by the midpoint rule on 40,000 cells
-- over both posteriors +- 12 standard deviations, with the densities from
-- Stirling's series for log B(a, b) and F_0 as a running sum of its density;
-- both densities are normalised by their sums (which removes the rounding
-- of the large log B terms).
CREATE FUNCTION pg_temp.lgamma(z float8) RETURNS float8
LANGUAGE sql IMMUTABLE AS $$
SELECT (z - 0.5) * ln(z) - z + 0.5 * ln(2 * pi()) + 1 / (12 * z) - 1 / (360 * z ^ 3) + 1 / (1260 * z ^ 5)
$$;
CREATE FUNCTION pg_temp.beta_pdf(x float8, a float8, b float8) RETURNS float8
LANGUAGE sql IMMUTABLE AS $$
SELECT exp((a - 1) * ln(x) + (b - 1) * ln(1 - x)
           - (pg_temp.lgamma(a) + pg_temp.lgamma(b) - pg_temp.lgamma(a + b)))
$$;
CREATE FUNCTION pg_temp.p_second_wins(a0 float8, b0 float8, a1 float8, b1 float8) RETURNS float8
LANGUAGE sql IMMUTABLE AS $$
WITH m AS (SELECT a0 / (a0 + b0) AS m0, a1 / (a1 + b1) AS m1,
                  sqrt(a0 * b0 / ((a0 + b0) ^ 2 * (a0 + b0 + 1))) AS s0,
                  sqrt(a1 * b1 / ((a1 + b1) ^ 2 * (a1 + b1 + 1))) AS s1),
     r AS (SELECT least(m0 - 12 * s0, m1 - 12 * s1) AS lo,
                  greatest(m0 + 12 * s0, m1 + 12 * s1) AS hi FROM m),
     g AS (SELECT i, (hi - lo) / 40000 AS h, lo + (i - 0.5) * (hi - lo) / 40000 AS x
             FROM r, generate_series(1, 40000) i),
     d AS (SELECT i, h, pg_temp.beta_pdf(x, a0, b0) AS f0, pg_temp.beta_pdf(x, a1, b1) AS f1 FROM g)
SELECT sum(f1 * (c0 - f0 / 2)) / (sum(f0) * sum(f1))
  FROM (SELECT f0, f1, sum(f0) OVER (ORDER BY i) AS c0 FROM d) w
$$;
-- Phi(z) = 1/2 + integral_0^z phi by Simpson's rule on 2,000 intervals.
CREATE FUNCTION pg_temp.phi(z float8) RETURNS float8
LANGUAGE sql IMMUTABLE AS $$
SELECT 0.5 + z / 6000 * sum(CASE WHEN i IN (0, 2000) THEN 1 WHEN i % 2 = 1 THEN 4 ELSE 2 END
                            * exp(-((i * z / 2000) ^ 2) / 2)) / sqrt(2 * pi())
  FROM generate_series(0, 2000) i
$$;

-- The reference reproduces the exact (continued fraction) method where
-- every shape parameter is below 10^5: Beta(30001, 70001) against
-- Beta(30151, 69851).
SELECT cmp_ok(abs((uplift_thompson_probs(ARRAY[30000, 30150], ARRAY[100000, 100000]))[2]
                  - pg_temp.p_second_wins(30001, 70001, 30151, 69851)),
              '<', 1e-7::float8, 'the numerical reference equals the exact Thompson probability');

-- Above 10^5 the Edgeworth expansion is used: Beta(300001, 700001) against
-- Beta(300601, 699401) (skewness 0.003, which a plain normal approximation
-- would ignore).
SELECT cmp_ok(abs((uplift_thompson_probs(ARRAY[300000, 300600], ARRAY[1e6, 1e6]))[2]
                  - pg_temp.p_second_wins(300001, 700001, 300601, 699401)),
              '<', 1e-7::float8, 'the Edgeworth approximation equals the numerical reference');
SELECT cmp_ok(abs((uplift_thompson_probs(ARRAY[1e8, 1e8 + 12000], ARRAY[1e9, 1e9]))[2]
                  - pg_temp.p_second_wins(1e8 + 1, 9e8 + 1, 1e8 + 12001, 9e8 - 11999)),
              '<', 1e-7::float8, 'the approximation holds for 10^9 trials');

-- Counts near 10^15 (minutes before) take milliseconds; the answer is the
-- normal probability Phi(z), z = 0.8944 (the skewness is 1e-7).
CREATE TEMP TABLE timed AS
SELECT clock_timestamp() AS t0,
       uplift_thompson_probs(ARRAY[5e14, 5e14 + 2e7], ARRAY[1e15, 1e15]) AS p,
       clock_timestamp() AS t1;
SELECT cmp_ok((SELECT t1 - t0 FROM timed), '<', interval '1 second',
              'Thompson probabilities for 10^15 trials take less than a second');
SELECT cmp_ok(abs((SELECT p[2] FROM timed) -
                  pg_temp.phi((2e7 / (1e15 + 2)) / sqrt(2 * 0.25 / (1e15 + 3)))),
              '<', 1e-9::float8, 'with 10^15 trials the probability is the normal one');

-- Many arms: 257 posteriors near one mean (each a few standard deviations
-- from the next) and huge and tiny shapes mixed.
CREATE TEMP TABLE many AS
SELECT clock_timestamp() AS t0,
       (SELECT uplift_thompson_probs(array_agg(1e14 + i * 3e6), array_agg(2e14::float8))
          FROM generate_series(1, 257) i) AS p,
       clock_timestamp() AS t1;
SELECT ok((SELECT t1 - t0 < interval '2 seconds' AND abs((SELECT sum(x) FROM unnest(p) x) - 1) < 1e-12
             FROM many),
          '257 arms with 2 x 10^14 trials each are computed in bounded time');
SELECT cmp_ok(abs((uplift_thompson_probs(ARRAY[1, 2, 5e16], ARRAY[1e17, 1e17, 1e17]))[3] - 1),
              '<', 1e-12::float8, 'a near-certain posterior with 10^17 trials wins against two near 0');
-- 1 + 1e17 - 1e17 rounds to 0 in double precision; the posterior Beta(1e17 + 1, 1)
-- is still the one near 1.
SELECT cmp_ok(abs((uplift_thompson_probs(ARRAY[1, 2, 1e17], ARRAY[1e17, 1e17, 1e17]))[3] - 1),
              '<', 1e-12::float8, 'all 10^17 trials successful: the action wins, no NaN');

-- Beyond 10^18 trials a posterior is narrower than doubles resolve.
SELECT throws_ok($$SELECT uplift_thompson_probs(ARRAY[1e18, 1e18], ARRAY[1e19, 1e19])$$,
                 '22003', NULL, 'Thompson counts above 10^18 are an error');
SELECT throws_ok($$SELECT uplift_thompson_probs(ARRAY[1, 1], ARRAY[1e300, 2])$$,
                 '22003', NULL, 'a count of 10^300 trials is an error, not a hang');
-- The posterior's second parameter is 1 + (trials - successes), exact even
-- where 1 + trials is not (above 2^53): with 1e16 successes and 200000 and
-- 200002 failures the arms are Beta(1e16, 200001) and Beta(1e16, 200003)
-- (rounding 1 + trials first made them Beta(1e16, 200000) and (1e16, 200004),
-- P = 0.5025).  For alpha this large alpha (1 - X) is Gamma(b, 1), so
-- P(X0 > X1) = P(G_200001 < G_200003) = I_1/2(200001, 200003)
-- = P(Bin(400003, 1/2) >= 200001) = 1/2 + C(400003, 200001) / 2^400003.
SELECT ok(abs((uplift_thompson_probs(ARRAY[1e16, 1e16], ARRAY[1e16 + 200000, 1e16 + 200002]))[1]
              - (0.5 + exp((SELECT sum(ln((200002 + i)::float8 / i)) FROM generate_series(1, 200001) i)
                           - 400003 * ln(2::float8)))) < 1e-9,
          'Thompson: failures counted exactly next to 1e16 successes');

SELECT * FROM finish();
ROLLBACK;
