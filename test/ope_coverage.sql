-- pgTAP: coverage of the 95% normal intervals by simulation.  400 seeded
-- replications of a generated log (1,000 rows each) with a known true policy value; each
-- interval must cover the truth in 92%-98% of the replications.
--
-- Log: context x in {0, 1} (probability 1/2 each); the logging policy takes
-- action 0, 1, 2 with probabilities (0.5 - 0.2x, 0.3, 0.2 + 0.2x); the reward
-- is 1 with probability mu(x, a) = 0.2 + 0.15a + 0.1x.  Target policy:
-- action 2 with probability 0.8, actions 0 and 1 with 0.1 each.  True value
-- V = sum_x 1/2 sum_a pi(a) mu(x, a), computed below from the definitions.
-- DR uses a deliberately wrong outcome model (q = 0.4 everywhere) and must
-- stay unbiased.
BEGIN;
SELECT plan(7);

CREATE TEMP TABLE design AS
SELECT x, a,
       CASE a WHEN 0 THEN 0.5 - 0.2 * x WHEN 1 THEN 0.3 ELSE 0.2 + 0.2 * x END::float8 AS logged,
       CASE a WHEN 2 THEN 0.8 ELSE 0.1 END::float8 AS target,
       (0.2 + 0.15 * a + 0.1 * x)::float8 AS mu
FROM generate_series(0, 1) x, generate_series(0, 2) a;

CREATE TEMP TABLE truth AS SELECT sum(0.5 * target * mu) AS v FROM design;

SELECT ok(abs(v - 0.505) < 1e-12, 'the true value is 0.505 (hand check: 0.455 + 0.1 * 1/2)') FROM truth;

SELECT setseed(0.2024);
CREATE TEMP TABLE sim AS
SELECT s.rep, (random() < d.mu)::int::float8 AS reward, d.logged, d.target
FROM (SELECT rep, (random() < 0.5)::int AS x, random() AS u
      FROM generate_series(1, 400) rep, generate_series(1, 1000) i) s
JOIN design d ON d.x = s.x
 AND d.a = CASE WHEN s.u < 0.5 - 0.2 * s.x THEN 0 WHEN s.u < 0.8 - 0.2 * s.x THEN 1 ELSE 2 END;

CREATE TEMP TABLE est AS
SELECT rep, ips_value(reward, logged, target) AS ips,
       snips_value(reward, logged, target) AS snips,
       dr_value(reward, logged, target, 0.4, 0.4) AS dr
FROM sim GROUP BY rep;

CREATE TEMP TABLE coverage AS
SELECT avg(((ips).ci_low <= v AND v <= (ips).ci_high)::int) AS ips,
       avg(((snips).ci_low <= v AND v <= (snips).ci_high)::int) AS snips,
       avg(((dr).ci_low <= v AND v <= (dr).ci_high)::int) AS dr,
       count(*) AS reps, min((ips).n) AS min_n
FROM est, truth;

SELECT ok(reps = 400 AND min_n = 1000, '400 replications of 1000 rows') FROM coverage;
SELECT ok(ips BETWEEN 0.92 AND 0.98, format('IPS 95%% interval covers the truth in %s of replications', round(ips, 4))) FROM coverage;
SELECT ok(snips BETWEEN 0.92 AND 0.98, format('SNIPS 95%% interval covers the truth in %s of replications', round(snips, 4))) FROM coverage;
SELECT ok(dr BETWEEN 0.92 AND 0.98, format('DR 95%% interval covers the truth in %s of replications', round(dr, 4))) FROM coverage;

-- The estimators are unbiased here: the mean over replications is within
-- 4 standard errors of the truth.
SELECT ok(abs(avg((ips).estimate) - v) < 4 * stddev_samp((ips).estimate) / sqrt(count(*))
          AND abs(avg((dr).estimate) - v) < 4 * stddev_samp((dr).estimate) / sqrt(count(*)),
          'IPS and DR (with a wrong outcome model) are unbiased over the replications')
FROM est, truth GROUP BY v;

-- and the reported standard error matches the spread across replications
SELECT ok(abs(avg((ips).std_error) / stddev_samp((ips).estimate) - 1) < 0.1,
          'the mean reported IPS standard error is within 10% of the replications'' spread')
FROM est;

SELECT * FROM finish();
ROLLBACK;
