-- Evaluation of uplift scores: scikit-uplift's tiny reference set
-- (../shared/reference/synthetic_data.csv), printed rounded.
CREATE TABLE holdout (row_id int, score float8, treatment int, outcome float8);
INSERT INTO holdout VALUES
 (1, 0.9, 1, 1), (2, 0.9, 0, 0), (3, 0.8, 1, 1), (4, 0.7, 1, 0), (5, 0.7, 0, 1),
 (6, 0.7, 1, 1), (7, 0.7, 0, 0), (8, 0.6, 0, 0), (9, 0.5, 1, 1), (10, 0.5, 1, 0),
 (11, 0.5, 0, 1), (12, 0.4, 1, 0), (13, 0.3, 0, 0), (14, 0.3, 1, 1), (15, 0.3, 0, 1),
 (16, 0.3, 1, 0), (17, 0.2, 0, 0), (18, 0.1, 1, 0), (19, 0.1, 0, 1), (20, 0.0, 1, 0);

-- the three scalar metrics; scikit-uplift 0.5.1 gives on these rows
-- (../shared/reference/synthetic_metrics.csv) qini_auc_score 0.33858127007148037,
-- with negative_effect=False 23.475598563447811, uplift_auc_score
-- 0.40217759683098592
SELECT round(uplift_qini_auc(score, treatment, outcome)::numeric, 6) AS qini,
       round(uplift_qini_auc(score, treatment, outcome, '{"negative_effect": false}')::numeric, 6) AS qini_no_neg,
       round(uplift_auuc(score, treatment, outcome)::numeric, 6) AS auuc
FROM holdout;

-- uplift at k: the tie group at 0.7 straddles the 30% cut, 6 = 20 * 0.3 rows.
-- In row order as scikit-uplift sorts (descending score, a later row first
-- among ties) the top 6 are rows 2, 1, 3, 7, 6, 5: treated 1, 3, 6 all
-- respond, control 2, 7, 5 give 0, 0, 1, so 1 - 1/3 = 2/3 (the reference's
-- 0.66666666666666674).  by_group: the top floor(11 * 0.3) = 3 treated rows
-- (1, 3, 6) and floor(9 * 0.3) = 2 control rows (2, 7): 1 - 0 = 1 (reference 1).
-- Without ORDER BY no tie order is assumed: rows 1, 2, 3 and 3/4 of each row
-- of the 0.7 group (rows 4T0, 5C1, 6T1, 7C0): treated 1 + 1 + 3/4 * 2 = 3.5
-- rows with 1 + 1 + 3/4 = 2.75 responses, control 1 + 3/4 * 2 = 2.5 rows with
-- 3/4 response: 2.75/3.5 - 0.75/2.5 = 11/14 - 3/10 = 17/35 = 0.485714
SELECT round(uplift_at_k(score, treatment, outcome, 0.3, 'overall')::numeric, 6) AS order_free,
       round(uplift_at_k(score, treatment, outcome, 0.3, 'overall' ORDER BY row_id)::numeric, 6) AS like_sklift,
       round(uplift_at_k(score, treatment, outcome, 0.3, 'by_group' ORDER BY row_id)::numeric, 6) AS by_group
FROM holdout;

-- curves, ready to plot, at x = 0, 5, 10, 15, 20 rows.  A point inside a tie
-- group takes that share of each of the group's rows.  The sorted groups end
-- at 2 (0.9), 3 (0.8), 7 (0.7: rows 4T0 5C1 6T1 7C0), 8, 11 (0.5: 9T1 10T0 11C1).
-- x = 5: half of the 0.7 group, so treated 2 + 1 = 3 rows, 2 + 1/2 responses,
-- control 1 + 1 = 2 rows, 1/2 response: qini = 2.5 - 0.5 * 3/2 = 1.75, uplift
-- = (2.5/3 - 0.5/2) * 5 = 2.916667.  x = 10: the first 8 rows (treated 1 3 4 6,
-- 3 responses; control 2 5 7 8, 1 response) and 2/3 of the 0.5 group: treated
-- 16/3 rows, 11/3 responses, control 14/3 rows, 5/3 responses: qini = 11/3 -
-- 5/3 * 8/7 = 37/21 = 1.761905.  At x = 20 (5 of 11 treated and 4 of 9
-- control rows respond) qini = 5 - 4 * 11/9 = 1/9 and uplift = (5/11 - 4/9) *
-- 20 = 20/99 = 0.202020, the last points of scikit-uplift's qini_curve and
-- uplift_curve (../shared/reference/synthetic_curves.csv); the random curves
-- are the straight lines from 0 to them.  The perfect Qini curve
-- (negative_effect) of the reference rises to 5 at x = 5, stays at 5 to x = 16
-- and ends at 1/9; the perfect uplift curve passes (5, 5) and (10, 10).
SELECT p.curve, p.point, p.x, round(p.share::numeric, 3) AS share, round(p.y::numeric, 6) AS y
FROM (SELECT uplift_curve(score, treatment, outcome, '{"points": 4}') AS c FROM holdout) s, unnest(s.c) p
ORDER BY p.curve, p.point;

-- the percentile table: 4 bins of 5 rows in scikit-uplift's order (rows 2 1 3
-- 7 6 | 5 4 8 11 10 | 9 12 16 15 14 | 13 17 19 18 20).  Bin 1: treated 1 3 6
-- all respond, control 2 7 do not: uplift 1; mean score (0.9 + 0.9 + 0.8 +
-- 0.7 + 0.7) / 5 = 0.8.  Bin 2: treated 4 10 give 0, control 5 8 11 give 2/3;
-- std_uplift = sqrt(0 + (2/3)(1/3)/3) = sqrt(2/27) = 0.2722.  Bin 3: treated
-- 2 of 4 (std sqrt(0.25/4) = 0.25), control 1 of 1.  Bin 4: treated 0 of 2,
-- control 1 of 3.  Total: 5/11 - 4/9 = 1/99 = 0.0101, and its std_uplift is,
-- as scikit-uplift's, the sum of the bins' 0 + 0.2722 + 0.25 + 0.2722 = 0.7943
-- (../shared/reference/synthetic_uplift_by_percentile.csv)
SELECT bin, percentile, n_treatment, n_control,
       round(response_rate_treatment::numeric, 4) AS rate_t, round(response_rate_control::numeric, 4) AS rate_c,
       round(uplift::numeric, 4) AS uplift, round(std_uplift::numeric, 4) AS std_uplift,
       round(mean_score::numeric, 4) AS mean_score
FROM unnest((SELECT uplift_by_percentile(score, treatment, outcome, 4, 'overall', '{"total": true}' ORDER BY row_id)
             FROM holdout));

-- calibration and rank monotonicity, over order-free bins (a tie group cut by
-- a bin edge is shared by proportion, as in uplift_at_k above).  By hand:
-- bins of 5 rows with mean scores 0.8, 0.6, 0.36, 0.14.  Bin 1 holds rows 1,
-- 2, 3 and half of each row of the 0.7 group: treated 3 rows with 2.5
-- responses, control 2 rows with 0.5: uplift 5/6 - 1/4 = 7/12; bins 2, 3, 4
-- the same way give 0.0625, -0.248804 and -0.4.  calibration_error = mean
-- |m - u| = (0.216667 +
-- 0.5375 + 0.608804 + 0.54) / 4 = 0.4757, max_gap 0.6088; the uplifts fall
-- from bin to bin, so tau is 1 with no inversion
SELECT bins, round(calibration_error::numeric, 4) AS calibration_error, round(max_gap::numeric, 4) AS max_gap,
       bins_within_ci, round(kendall_tau::numeric, 4) AS kendall_tau, adjacent_inversions
FROM (SELECT (uplift_calibration(score, treatment, outcome, 4)).* FROM holdout) c;

-- net value: the outcome is worth 10, every treated unit costs 1 (scale
-- qini: Vt - Vc Nt/Nc - Nt).  x = 3: treated rows 1 and 3 both respond, control
-- row 2 does not: 20 - 0 - 2 = 18, the best depth.  x = 20: 50 - 40 * 11/9 -
-- 11 = 10/9 - 11 = -9.8889
SELECT x, n_treatment, n_control, round(incremental_value::numeric, 4) AS incremental_value,
       round(incremental_cost::numeric, 4) AS incremental_cost, round(net_value::numeric, 4) AS net_value, best
FROM unnest((SELECT uplift_net_value(score, treatment, 10 * outcome, 0, '{"fixed_cost": 1}') FROM holdout));

-- errors
SELECT uplift_qini_auc(score, 2, outcome) FROM holdout;
SELECT uplift_at_k(score, treatment, outcome, 1.5, 'overall') FROM holdout;
SELECT uplift_at_k(score, treatment, outcome, 0.3, 'top') FROM holdout;
SELECT uplift_auuc(score, treatment, outcome) FROM holdout WHERE treatment = 1;
SELECT uplift_curve(score, treatment, outcome, '{"point": 10}') FROM holdout;

DROP TABLE holdout;
