-- Evaluation of uplift scores: scikit-uplift's tiny reference set
-- (../shared/reference/synthetic_data.csv), printed rounded.
CREATE TABLE holdout (row_id int, score float8, treatment int, outcome float8);
INSERT INTO holdout VALUES
 (1, 0.9, 1, 1), (2, 0.9, 0, 0), (3, 0.8, 1, 1), (4, 0.7, 1, 0), (5, 0.7, 0, 1),
 (6, 0.7, 1, 1), (7, 0.7, 0, 0), (8, 0.6, 0, 0), (9, 0.5, 1, 1), (10, 0.5, 1, 0),
 (11, 0.5, 0, 1), (12, 0.4, 1, 0), (13, 0.3, 0, 0), (14, 0.3, 1, 1), (15, 0.3, 0, 1),
 (16, 0.3, 1, 0), (17, 0.2, 0, 0), (18, 0.1, 1, 0), (19, 0.1, 0, 1), (20, 0.0, 1, 0);

-- the three scalar metrics
SELECT round(uplift_qini_auc(score, treatment, outcome)::numeric, 6) AS qini,
       round(uplift_qini_auc(score, treatment, outcome, '{"negative_effect": false}')::numeric, 6) AS qini_no_neg,
       round(uplift_auuc(score, treatment, outcome)::numeric, 6) AS auuc
FROM holdout;

-- uplift at k: the tie group at 0.7 straddles the 30% cut
SELECT round(uplift_at_k(score, treatment, outcome, 0.3, 'overall')::numeric, 6) AS order_free,
       round(uplift_at_k(score, treatment, outcome, 0.3, 'overall' ORDER BY row_id)::numeric, 6) AS like_sklift,
       round(uplift_at_k(score, treatment, outcome, 0.3, 'by_group' ORDER BY row_id)::numeric, 6) AS by_group
FROM holdout;

-- curves, ready to plot
SELECT p.curve, p.point, p.x, round(p.share::numeric, 3) AS share, round(p.y::numeric, 6) AS y
FROM (SELECT uplift_curve(score, treatment, outcome, '{"points": 4}') AS c FROM holdout) s, unnest(s.c) p
ORDER BY p.curve, p.point;

-- the percentile table
SELECT bin, percentile, n_treatment, n_control,
       round(response_rate_treatment::numeric, 4) AS rate_t, round(response_rate_control::numeric, 4) AS rate_c,
       round(uplift::numeric, 4) AS uplift, round(std_uplift::numeric, 4) AS std_uplift,
       round(mean_score::numeric, 4) AS mean_score
FROM unnest((SELECT uplift_by_percentile(score, treatment, outcome, 4, 'overall', '{"total": true}' ORDER BY row_id)
             FROM holdout));

-- calibration and rank monotonicity
SELECT bins, round(calibration_error::numeric, 4) AS calibration_error, round(max_gap::numeric, 4) AS max_gap,
       bins_within_ci, round(kendall_tau::numeric, 4) AS kendall_tau, adjacent_inversions
FROM (SELECT (uplift_calibration(score, treatment, outcome, 4)).* FROM holdout) c;

-- net value: the outcome is worth 10, every treated unit costs 1
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
