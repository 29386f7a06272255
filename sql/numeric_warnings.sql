-- Loud failures: the WARNINGs that come with a NULL or a doubtful number
-- instead of a silent answer.
\set VERBOSITY default
CREATE TABLE wholdout (row_id int, score float8, treatment int, outcome float8, spend float8);
INSERT INTO wholdout
SELECT i, (i % 10) / 10.0, i % 2, ((i / 2) % 2)::float8, (i % 10) * 12.5
FROM generate_series(1, 40) i;

-- a continuous outcome where only 0/1 is meaningful: a warning, and the
-- number scikit-uplift's arithmetic would give
SELECT round(uplift_auuc(score, treatment, spend)::numeric, 6) AS auuc_of_spend
FROM wholdout;
-- the default Qini is defined for any outcome: no warning
SELECT round(uplift_qini_auc(score, treatment, spend)::numeric, 6) AS qini_of_spend
FROM wholdout;

-- negative_effect false: the overall incremental response r must be in (0, n]
SELECT uplift_qini_auc(score, treatment, 1 - treatment, '{"negative_effect": false}') AS r_negative
FROM wholdout;
SELECT uplift_qini_auc(score, treatment, spend * treatment, '{"negative_effect": false}') AS r_above_n
FROM wholdout;

-- a normaliser of 0: NULL with a warning
SELECT uplift_qini_auc(score, treatment, 0) AS no_responder FROM wholdout;

-- sums beyond double precision: NULL with a warning, never Infinity or NaN
SELECT uplift_at_k(score, treatment, outcome * 1e308, 0.5, 'overall') AS at_k_overflow
FROM wholdout;
SELECT bin, response_rate_treatment, response_rate_control, std_control
FROM (SELECT uplift_by_percentile(score, treatment, outcome * 1e200, 2, 'overall') AS r
      FROM wholdout) p, unnest(p.r);
SELECT (ips_value(r, 0.5, 0.5)).* FROM (VALUES (1e200::float8), (2e200), (1)) v(r);
SELECT (snips_value(r, 0.5, 0.5)).* FROM (VALUES (1e200::float8), (2e200), (1)) v(r);
