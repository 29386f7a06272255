-- pgTAP: coverage of the paired 95% intervals on simulated campaigns with a
-- known truth.  300 demo campaigns (uplift_demo_campaign, seeds 1..300) of
-- 1,000 units each; each interval must cover the true difference in 92%-98%
-- of the campaigns.
--
-- Policy A gives action 2 when x2 > 0 and action 1 otherwise; policy B
-- always gives action 1.  With the demo's true value uplifts (doc/demo.md)
--   tv1 = 1 + 0.8 x1 - 0.5 x3,   tv2 = 1.5 - 0.6 x1 + x2 + 0.5 x4,
-- x1, x2 standard normal, x3 ~ Bernoulli(1/2), x4 ~ U(0, 1), all independent:
--   V(A) - V(B) = E[(tv2 - tv1) 1{x2 > 0}]
--               = P(x2 > 0) E[0.5 - 1.4 x1 + 0.5 x3 + 0.5 x4] + E[x2 1{x2 > 0}]
--               = 0.5 * 1 + 1 / sqrt(2 pi).
-- The allocation that chooses A's action, deployed with 10% exploration over
-- the three arms, against no offer:
--   0.9 E[tv_A] + 0.1 (E[tv1] + E[tv2]) / 3,
--   E[tv_A] = 0.5 E[tv1] + 0.5 (1.5 + 0.25) + 1 / sqrt(2 pi),
--   E[tv1] = 0.75, E[tv2] = 1.75;
-- against the logging policy (0.4, 0.3, 0.3) that value minus 0.3 * 0.75 + 0.3 * 1.75.
-- DR uses a deliberately misspecified outcome model (the features' part of
-- the mean is right, the effects are constants per arm).
BEGIN;
SELECT plan(7);

CREATE TEMP TABLE truth AS
SELECT 0.5 + 1 / sqrt(2 * pi()) AS true_diff,
       0.9 * (0.5 * 0.75 + 0.5 * 1.75 + 1 / sqrt(2 * pi())) + 0.1 * (0.75 + 1.75) / 3 AS true_alloc,
       0.9 * (0.5 * 0.75 + 0.5 * 1.75 + 1 / sqrt(2 * pi())) + 0.1 * (0.75 + 1.75) / 3
           - (0.3 * 0.75 + 0.3 * 1.75) AS true_alloc_logged;

CREATE TEMP TABLE sim AS
SELECT s AS rep, c.action, c.propensity, c.value, c.cost,
       CASE WHEN c.features[2] > 0 THEN 2 ELSE 1 END AS chosen,
       5 + 2 * c.features[1] + c.features[2] + 1.5 * c.features[3] AS base
FROM generate_series(1, 300) s, uplift_demo_campaign(1000, s) c;

CREATE TEMP TABLE est AS
SELECT rep,
       ips_diff(value, propensity, (action = chosen)::int, (action = 1)::int) AS ips,
       snips_diff(value, propensity, (action = chosen)::int, (action = 1)::int) AS snips,
       dr_diff(value, propensity, (action = chosen)::int, (action = 1)::int,
               base + CASE action WHEN 0 THEN 0 WHEN 1 THEN 0.8 ELSE 1.2 END,
               base + CASE chosen WHEN 1 THEN 0.8 ELSE 1.2 END, base + 0.8) AS dr,
       (ope_allocation(action, propensity, chosen, value, cost, '{"actions": 2, "epsilon": 0.1}'))[1] AS alloc,
       (ope_allocation(action, propensity, chosen, value, cost,
                       '{"actions": 2, "epsilon": 0.1, "baseline": "logged"}'))[1] AS alloc_logged
FROM sim GROUP BY rep;

CREATE TEMP TABLE coverage AS
SELECT avg(((ips).ci_low <= t.true_diff AND t.true_diff <= (ips).ci_high)::int) AS ips,
       avg(((snips).ci_low <= t.true_diff AND t.true_diff <= (snips).ci_high)::int) AS snips,
       avg(((dr).ci_low <= t.true_diff AND t.true_diff <= (dr).ci_high)::int) AS dr,
       avg(((e.alloc).ci_low <= t.true_alloc AND t.true_alloc <= (e.alloc).ci_high)::int) AS alloc,
       avg(((e.alloc_logged).ci_low <= t.true_alloc_logged
            AND t.true_alloc_logged <= (e.alloc_logged).ci_high)::int) AS alloc_logged,
       count(*) AS reps
FROM est e, truth t;

SELECT ok(reps = 300, '300 simulated campaigns') FROM coverage;
SELECT ok(ips BETWEEN 0.92 AND 0.98, format('ips_diff: the 95%% interval covers V(A) - V(B) in %s of campaigns', round(ips, 4))) FROM coverage;
SELECT ok(snips BETWEEN 0.92 AND 0.98, format('snips_diff: the 95%% interval covers V(A) - V(B) in %s of campaigns', round(snips, 4))) FROM coverage;
SELECT ok(dr BETWEEN 0.92 AND 0.98, format('dr_diff: the 95%% interval covers V(A) - V(B) in %s of campaigns', round(dr, 4))) FROM coverage;
SELECT ok(alloc BETWEEN 0.92 AND 0.98, format('ope_allocation: the 95%% interval of value against no offer covers the truth in %s of campaigns', round(alloc, 4))) FROM coverage;
SELECT ok(alloc_logged BETWEEN 0.92 AND 0.98, format('ope_allocation: the 95%% interval of value against the logging policy covers the truth in %s of campaigns', round(alloc_logged, 4))) FROM coverage;

-- the reported standard error matches the spread over campaigns
SELECT ok(abs(avg((dr).std_error) / stddev_samp((dr).estimate) - 1) < 0.15
          AND abs(avg((ips).std_error) / stddev_samp((ips).estimate) - 1) < 0.15,
          'ips_diff and dr_diff: mean standard error within 15% of the standard deviation over campaigns')
FROM est;

SELECT * FROM finish();
ROLLBACK;
