-- Loud failures: the WARNINGs that come with a NULL or a doubtful number
-- instead of a silent answer.
\set VERBOSITY default
CREATE TABLE wholdout (row_id int, score float8, treatment int, outcome float8, spend float8);
INSERT INTO wholdout
SELECT i, (i % 10) / 10.0, i % 2, ((i / 2) % 2)::float8, (i % 10) * 12.5
FROM generate_series(1, 40) i;

-- The rows come in 10 tie groups of 4 (score k/10, k = i % 10), each all
-- treated (k odd) or all control (k even), with spend 12.5 k.  Down the
-- ranking (k = 9, 8, ..., 0) the curves at x = 4, 8, ..., 40 rows are, with
-- the areas scikit-uplift takes (trapezoids, minus the random line's):
--   qini:   450, 50, 0, 100, 0, 150, 0, 200, 0, 250; area 4300 - 5000 = -700
--   perfect qini: 450, 800, 1050, 1200, 1250, 1250, 1000, 750, 500, 250;
--           area 33500 - 5000 = 28500, so qini = -700 / 28500 = -7/285
--   uplift: 450, 100, 0, 200, 0, 300, 0, 400, 0, 500; area 6800 - 10000 = -3200
--   perfect uplift (scikit-uplift's, for a 0/1 outcome): (0, 0), (4, 0),
--           (24, 1500), (40, 500); area 31000 - 10000 = 21000, so auuc =
--           -3200 / 21000 = -16/105
-- a continuous outcome where only 0/1 is meaningful: a warning, and the
-- number scikit-uplift's arithmetic would give, -16/105 = -0.152381
SELECT round(uplift_auuc(score, treatment, spend)::numeric, 6) AS auuc_of_spend
FROM wholdout;
-- the default Qini is defined for any outcome: no warning; -7/285 = -0.024561
SELECT round(uplift_qini_auc(score, treatment, spend)::numeric, 6) AS qini_of_spend
FROM wholdout;

-- negative_effect false: the overall incremental response r must be in (0, n].
-- 1 - treatment: Yt = 0, Yc = 20 of Nt = Nc = 20 rows: r = 0 - 20 = -20.
-- spend of the treated only: Yt = 12.5 * 4 * (1 + 3 + 5 + 7 + 9) = 1250, Yc = 0
SELECT uplift_qini_auc(score, treatment, 1 - treatment, '{"negative_effect": false}') AS r_negative
FROM wholdout;
SELECT uplift_qini_auc(score, treatment, spend * treatment, '{"negative_effect": false}') AS r_above_n
FROM wholdout;

-- a normaliser of 0: NULL with a warning
SELECT uplift_qini_auc(score, treatment, 0) AS no_responder FROM wholdout;

-- sums beyond double precision: NULL with a warning, never Infinity or NaN
SELECT uplift_at_k(score, treatment, outcome * 1e308, 0.5, 'overall') AS at_k_overflow
FROM wholdout;
-- (bin 1, scores 0.5 to 0.9: 6 of 12 treated and 4 of 8 control rows have
-- outcome 1, so both rates are 0.5 * 1e200; the squares of 1e200 overflow)
SELECT bin, response_rate_treatment, response_rate_control, std_control
FROM (SELECT uplift_by_percentile(score, treatment, outcome * 1e200, 2, 'overall') AS r
      FROM wholdout) p, unnest(p.r);
-- weights 0.5 / 0.5 = 1: the estimate is (1e200 + 2e200 + 1) / 3 = 1e200,
-- and the squares (4e400) overflow
SELECT (ips_value(r, 0.5, 0.5)).* FROM (VALUES (1e200::float8), (2e200), (1)) v(r);
SELECT (snips_value(r, 0.5, 0.5)).* FROM (VALUES (1e200::float8), (2e200), (1)) v(r);
