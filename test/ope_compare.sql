-- pgTAP: the paired off-policy estimators against closed forms on small
-- tables.  Every expected number is either written out by hand or computed
-- here from its formula in plain SQL (avg, var_samp over per-row terms),
-- never by the aggregates under test.
BEGIN;
SELECT plan(36);

CREATE FUNCTION pg_temp.close(a float8, b float8, tol float8 DEFAULT 1e-12) RETURNS bool
LANGUAGE sql AS $$SELECT abs(a - b) <= tol * greatest(abs(a), abs(b), 1)$$;

-- A four-row log: reward r, logged propensity p, target propensities of
-- policy A (ta) and of baseline B (tb), outcome-model predictions for the
-- logged action (ql) and averaged over A (qa) and over B (qb).
CREATE TEMP TABLE log4 (r float8, p float8, ta float8, tb float8, ql float8, qa float8, qb float8);
INSERT INTO log4 VALUES
    (1, 0.5,  1,   0,   0.4, 0.6, 0.3),
    (0, 0.5,  0,   1,   0.2, 0.5, 0.2),
    (2, 0.25, 0.5, 0.5, 1,   1.2, 0.8),
    (1, 0.4,  0.2, 0.8, 0.5, 0.4, 0.6);
CREATE TEMP VIEW terms AS
SELECT *, ta / p AS wa, tb / p AS wb FROM log4;

-- IPS difference: d = (wa - wb) r = 2, 0, 0, -1.5; mean 0.125;
-- var_samp(d) = 6.1875 / 3 = 2.0625, se = sqrt(2.0625 / 4).
CREATE TEMP TABLE ips AS SELECT (ips_diff(r, p, ta, tb)).* FROM log4;
SELECT is(estimate, 0.125::float8, 'ips_diff: (2 + 0 + 0 - 1.5) / 4 = 0.125') FROM ips;
SELECT ok(pg_temp.close(std_error, sqrt(2.0625 / 4)), 'ips_diff: std_error sqrt(var_samp(d) / n) = sqrt(2.0625 / 4)') FROM ips;
SELECT ok(pg_temp.close(ci_low, 0.125 - 1.959963984540054 * sqrt(2.0625 / 4))
          AND pg_temp.close(ci_high, 0.125 + 1.959963984540054 * sqrt(2.0625 / 4)) AND n = 4,
          'ips_diff: 95% normal interval and n') FROM ips;
SELECT ok(pg_temp.close((ips_diff(r, p, ta, tb)).estimate,
                        (ips_value(r, p, ta)).estimate - (ips_value(r, p, tb)).estimate),
          'ips_diff equals ips_value(A) - ips_value(B)') FROM log4;
-- the paired standard error is not the unpaired one
SELECT ok(NOT pg_temp.close((ips_diff(r, p, ta, tb)).std_error,
                            sqrt((ips_value(r, p, ta)).std_error ^ 2 + (ips_value(r, p, tb)).std_error ^ 2), 1e-3),
          'ips_diff: the paired standard error differs from the unpaired sqrt(se_A^2 + se_B^2)') FROM log4;
SELECT ok(estimate = 0 AND std_error = 0, 'ips_diff of a policy against itself is 0 with standard error 0')
FROM (SELECT (ips_diff(r, p, ta, ta)).* FROM log4) s;
SELECT ok(pg_temp.close(estimate, avg(d)) AND pg_temp.close(std_error, sqrt(var_samp(d) / 4)),
          'ips_diff with clip 1.5: weights min(t / p, 1.5)')
FROM (SELECT (ips_diff(r, p, ta, tb, '{"clip": 1.5}')).* FROM log4) s,
     (SELECT (least(wa, 1.5) - least(wb, 1.5)) * r AS d FROM terms) t
GROUP BY estimate, std_error;

-- DR difference: d = qa + wa (r - ql) - qb - wb (r - ql)
SELECT ok(pg_temp.close(e.estimate, avg(d)) AND pg_temp.close(e.std_error, sqrt(var_samp(d) / count(*))),
          'dr_diff: mean and paired standard error of the per-row differences')
FROM (SELECT (dr_diff(r, p, ta, tb, ql, qa, qb)).* FROM log4) e,
     (SELECT qa + wa * (r - ql) - qb - wb * (r - ql) AS d FROM terms) t
GROUP BY e.estimate, e.std_error;
-- by hand: d = (0.6 + 1.2) - 0.3, (0.5) - (0.2 - 0.4), (1.2 + 2) - (0.8 + 2), (0.4 + 0.25) - (0.6 + 1)
SELECT ok(pg_temp.close(estimate, (1.5 + 0.7 + 0.4 - 0.95) / 4), 'dr_diff: (1.5 + 0.7 + 0.4 - 0.95) / 4 by hand')
FROM (SELECT (dr_diff(r, p, ta, tb, ql, qa, qb)).* FROM log4) s;
SELECT ok(pg_temp.close((dr_diff(r, p, ta, tb, ql, qa, qb)).estimate,
                        (dr_value(r, p, ta, ql, qa)).estimate - (dr_value(r, p, tb, ql, qb)).estimate),
          'dr_diff equals dr_value(A) - dr_value(B)') FROM log4;

-- SNIPS difference: Va = sum wa r / sum wa = (2 + 0 + 4 + 0.5) / (2 + 0 + 2 + 0.5) = 13/9,
-- Vb = sum wb r / sum wb = (0 + 0 + 4 + 2) / (0 + 2 + 2 + 2) = 1, difference 4/9.
-- The delta method: psi = (wa r - Va wa) / mean(wa) - (wb r - Vb wb) / mean(wb),
-- se^2 = sum psi^2 / (n (n - 1)).
CREATE TEMP TABLE snips AS SELECT (snips_diff(r, p, ta, tb)).* FROM log4;
SELECT ok(pg_temp.close(estimate, 4.0 / 9), 'snips_diff: 13/9 - 1 by hand') FROM snips;
SELECT ok(pg_temp.close(s.std_error, sqrt(sum(psi ^ 2) / (4 * 3))),
          'snips_diff: delta-method standard error of the difference of two ratios')
FROM snips s,
     (SELECT (wa * r - 13.0 / 9 * wa) / (4.5 / 4) - (wb * r - 1.0 * wb) / (6.0 / 4) AS psi FROM terms) t
GROUP BY s.std_error;
-- against a zero-weight baseline the second ratio is undefined: NULL, as snips_value
SELECT ok(estimate IS NULL AND std_error IS NULL AND n = 4, 'snips_diff is NULL when no row supports the baseline')
FROM (SELECT (snips_diff(r, p, ta, 0)).* FROM log4) s;
-- against the policy that always takes the logged action (tb = 1, wb = 1 / p)
SELECT ok(pg_temp.close((snips_diff(r, p, ta, 1)).std_error ^ 2,
                        (SELECT sum(((wa * r - 13.0 / 9 * wa) / (4.5 / 4) - (r / p - avg_b * (1 / p)) / (sum_b / 4)) ^ 2) / 12
                         FROM terms, (SELECT sum(r / p) / sum(1 / p) AS avg_b, sum(1 / p) AS sum_b FROM log4) b)),
          'snips_diff against tb = 1: the delta method with both ratios') FROM log4;

-- SNDR: (1/n) sum qa + sum wa (r - ql) / sum wa; psi = qa + (wa e - R wa) / mean(wa)
CREATE TEMP TABLE sndr AS SELECT (sndr_value(r, p, ta, ql, qa)).* FROM log4;
-- by hand: sum qa = 2.7; wa (r - ql) = 1.2, 0, 2, 0.25 -> 3.45; sum wa = 4.5
SELECT ok(pg_temp.close(estimate, 2.7 / 4 + 3.45 / 4.5), 'sndr_value: 2.7/4 + 3.45/4.5 by hand') FROM sndr;
SELECT ok(pg_temp.close(s.std_error, sqrt(var_samp(psi) / 4)), 'sndr_value: delta-method standard error')
FROM sndr s, (SELECT qa + (wa * (r - ql) - 3.45 / 4.5 * wa) / (4.5 / 4) AS psi FROM terms) t
GROUP BY s.std_error;
-- clipped weights 1.5, 0, 1.5, 0.5 (sum 3.5), corrections 0.9, 0, 1.5, 0.25
SELECT ok(pg_temp.close(estimate, 2.7 / 4 + 2.65 / 3.5), 'sndr_value with clip 1.5: 2.7/4 + 2.65/3.5 by hand')
FROM (SELECT (sndr_value(r, p, ta, ql, qa, '{"clip": 1.5}')).* FROM log4) s;

-- switch-DR: qa + [w <= tau] w (r - ql); w = 2, 0, 2, 0.5
SELECT ok(pg_temp.close(estimate, (2.7 + 0 + 0.25) / 4), 'switch_dr_value tau 1.5 keeps the correction of rows with w <= 1.5 only')
FROM (SELECT (switch_dr_value(r, p, ta, ql, qa, '{"tau": 1.5}')).* FROM log4) s;
SELECT ok(pg_temp.close(s.std_error, sqrt(var_samp(c) / 4)), 'switch_dr_value: standard error of the per-row terms')
FROM (SELECT (switch_dr_value(r, p, ta, ql, qa, '{"tau": 1.5}')).* FROM log4) s,
     (SELECT qa + CASE WHEN wa <= 1.5 THEN wa * (r - ql) ELSE 0 END AS c FROM terms) t
GROUP BY s.std_error;
SELECT ok(pg_temp.close(a.estimate, b.estimate) AND pg_temp.close(a.std_error, b.std_error),
          'switch_dr_value without tau is dr_value')
FROM (SELECT (switch_dr_value(r, p, ta, ql, qa)).* FROM log4) a, (SELECT (dr_value(r, p, ta, ql, qa)).* FROM log4) b;
SELECT ok(pg_temp.close(estimate, 2.7 / 4), 'switch_dr_value with tau 0 keeps only the model (direct method) where w > 0')
FROM (SELECT (switch_dr_value(r, p, ta, ql, qa, '{"tau": 0}')).* FROM log4) s;

-- One row: no variance.
SELECT ok(estimate = 2 AND std_error IS NULL AND ci_low IS NULL AND n = 1, 'one row: an estimate, no interval')
FROM (SELECT (ips_diff(1, 0.5, 1, 0)).*) s;

-- uplift_ate: control 1, 2; action 1: 3, 5; action 2: 1, 2, 6.
-- Action 1: 4 - 1.5 = 2.5, se^2 = 2/2 + 0.5/2 = 1.25.
-- Action 2: 3 - 1.5 = 1.5, se^2 = 7/3 + 0.5/2 = 31/12.
CREATE TEMP TABLE ate AS
SELECT *
FROM unnest((SELECT uplift_ate(a, y) FROM (VALUES (0, 1.0), (0, 2.0), (1, 3.0), (1, 5.0),
                                                  (2, 1.0), (2, 2.0), (2, 6.0)) v(a, y)))
     WITH ORDINALITY u(estimate, std_error, ci_low, ci_high, n, a);
SELECT ok(estimate = 2.5 AND pg_temp.close(std_error, sqrt(1.25)) AND n = 4, 'uplift_ate: action 1, 2.5 with Neyman se sqrt(1.25)')
FROM ate WHERE a = 1;
SELECT ok(estimate = 1.5 AND pg_temp.close(std_error, sqrt(31.0 / 12)) AND n = 5, 'uplift_ate: action 2, 1.5 with Neyman se sqrt(31/12)')
FROM ate WHERE a = 2;
SELECT ok(pg_temp.close(ci_high - ci_low, 2 * 1.6448536269514722 * sqrt(1.25)),
          'uplift_ate: alpha 0.1 gives a 90% interval')
FROM unnest((SELECT uplift_ate(a, y, '{"alpha": 0.1}') FROM (VALUES (0, 1.0), (0, 2.0), (1, 3.0), (1, 5.0)) v(a, y))) u;
SELECT ok(cardinality(r) = 3 AND (r[2]).estimate IS NULL AND (r[3]).estimate = 1 AND (r[3]).std_error IS NULL,
          'uplift_ate: an action without rows is NULL; one row gives no standard error')
FROM (SELECT uplift_ate(a, y) AS r FROM (VALUES (0, 1.0), (0, 2.0), (1, 3.0), (1, 5.0), (3, 2.5)) v(a, y)) s;

-- ope_allocation with IPS: K = 1, logged propensity 0.5 everywhere, epsilon 0.
-- Rows (logged action, chosen, value, cost): (0,0,1,0.1) (0,1,2,0.2) (1,1,3,1) (1,0,5,1.5).
-- Policy: w = 2 where the logged action is the chosen one: value (2 + 6) / 4 = 2,
-- cost (0.2 + 2) / 4 = 0.55.  No offer: rows with action 0, y / p: value
-- (2 + 4) / 4 = 1.5, cost (0.2 + 0.4) / 4 = 0.15.  Logged: mean y: value
-- 11 / 4, cost 2.8 / 4.  Untargeted: the policy gives action 1 to half the
-- rows, so b = 1/2 for both actions: value (1 + 2 + 3 + 5) / 4, cost 2.8 / 4.
CREATE TEMP TABLE alloc (a int, c int, v float8, k float8);
INSERT INTO alloc VALUES (0, 0, 1, 0.1), (0, 1, 2, 0.2), (1, 1, 3, 1), (1, 0, 5, 1.5);
CREATE TEMP TABLE alloc_out AS
SELECT b.base, r.*
FROM (VALUES ('no_offer'), ('logged'), ('untargeted')) b(base),
     LATERAL unnest((SELECT ope_allocation(a, 0.5, c, v, k, jsonb_build_object('actions', 1, 'baseline', b.base, 'estimator', 'ips'))
                     FROM alloc)) r;
SELECT ok(policy = 2 AND baseline = 1.5 AND difference = 0.5 AND n = 4, 'ope_allocation value against no offer: 2 - 1.5')
FROM alloc_out WHERE base = 'no_offer' AND outcome = 'value';
SELECT ok(pg_temp.close(policy, 0.55) AND pg_temp.close(alloc_out.baseline, 0.15), 'ope_allocation cost against no offer: 0.55 and 0.15')
FROM alloc_out WHERE base = 'no_offer' AND outcome = 'cost';
SELECT ok(pg_temp.close(s.std_error, sqrt(var_samp(d) / 4)), 'ope_allocation: paired standard error of the per-row differences')
FROM alloc_out s, (SELECT CASE WHEN a = c THEN 2 ELSE 0 END * v - CASE WHEN a = 0 THEN 2 ELSE 0 END * v AS d FROM alloc) t
WHERE s.base = 'no_offer' AND s.outcome = 'value' GROUP BY s.std_error;
SELECT ok(pg_temp.close(a.baseline, 11.0 / 4) AND pg_temp.close(a.difference, 2 - 11.0 / 4)
          AND pg_temp.close(a.std_error, (SELECT sqrt(var_samp(CASE WHEN a = c THEN 2 ELSE 0 END * v - v) / 4) FROM alloc)),
          'ope_allocation against the logged policy: its on-policy mean, paired')
FROM alloc_out a WHERE a.base = 'logged' AND outcome = 'value';
SELECT ok(pg_temp.close(a.baseline, 11.0 / 4) AND pg_temp.close(c.baseline, 2.8 / 4),
          'ope_allocation against untargeted: the same action mix at random (b = 1/2)')
FROM alloc_out a, alloc_out c
WHERE a.base = 'untargeted' AND a.outcome = 'value' AND c.base = 'untargeted' AND c.outcome = 'cost';
-- exploration: epsilon 0.2 over K + 1 = 2 arms gives 0.9 on the chosen action, 0.1 on the other
SELECT ok(pg_temp.close(policy, (0.9 * 2 + 0.1 * 4 + 0.9 * 6 + 0.1 * 10) / 4),
          'ope_allocation with epsilon 0.2: target propensity 0.9 / 0.1, as uplift_explore')
FROM unnest((SELECT ope_allocation(a, 0.5, c, v, k, '{"actions": 1, "epsilon": 0.2, "estimator": "ips"}') FROM alloc)) r
WHERE outcome = 'value';

-- a floor of 0.1 per arm (K + 1 = 2) gives the same 0.9 / 0.1 without epsilon
SELECT ok(pg_temp.close(policy, (0.9 * 2 + 0.1 * 4 + 0.9 * 6 + 0.1 * 10) / 4),
          'ope_allocation with min_propensity 0.1: 0.1 + 0.8 on the chosen action, 0.1 on the other')
FROM unnest((SELECT ope_allocation(a, 0.5, c, v, k, '{"actions": 1, "min_propensity": 0.1, "estimator": "ips"}') FROM alloc)) r
WHERE outcome = 'value';

-- ope_allocation with SNIPS (the default): the policy's weights are 2, 0, 2, 0
-- (sum 4 = n), so its value is IPS's, 2; no offer: weights 2, 2, 0, 0, so
-- (2 + 4) / 4 -> (1 + 2) / 2 = 1.5 (the mean over the rows with action 0).
-- psi = (w v - 2 w) / 1 - (b v / p - 1.5 b / p) / 1 = 2, 0, 2, 0 - (-1, 1, 0, 0).
CREATE TEMP TABLE alloc_sn AS
SELECT r.* FROM unnest((SELECT ope_allocation(a, 0.5, c, v, k, '{"actions": 1}') FROM alloc)) r;
SELECT ok(policy = 2 AND baseline = 1.5 AND pg_temp.close(std_error, sqrt(var_samp(psi) / 4)),
          'ope_allocation with SNIPS: 2 - 1.5 and the delta-method standard error')
FROM alloc_sn, (VALUES (-2.0 + 1), (0.0 - 1), (2.0), (0.0)) t(psi)
WHERE outcome = 'value' GROUP BY policy, baseline, std_error;
-- with unequal propensities SNIPS differs from IPS: logged propensity 0.25 for action 1 rows
SELECT ok(pg_temp.close(policy, (2 * 1 + 4 * 3) / (2 + 4.0)),
          'ope_allocation with SNIPS: sum w v / sum w with weights 2 and 4')
FROM unnest((SELECT ope_allocation(a, CASE a WHEN 1 THEN 0.25 ELSE 0.5 END, c, v, k, '{"actions": 1}') FROM alloc)) r
WHERE outcome = 'value';
-- SNIPS against untargeted: b / p = 1 on every row, so the baseline is the mean 11/4
SELECT ok(pg_temp.close(baseline, 11.0 / 4) AND pg_temp.close(policy, 2),
          'ope_allocation with SNIPS against untargeted: the mean of the rows')
FROM unnest((SELECT ope_allocation(a, 0.5, c, v, k, '{"actions": 1, "baseline": "untargeted"}') FROM alloc)) r
WHERE outcome = 'value';

SELECT * FROM finish();
ROLLBACK;
