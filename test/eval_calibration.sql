-- pgTAP: calibration and rank-monotonicity figures, and the bins' predicted
-- uplift, against the same quantities computed in plain SQL (window
-- functions, a self-join for Kendall's tau) on the Hillstrom subset.
BEGIN;
SELECT plan(7);

-- Deciles of score_lin in scikit-uplift's order (score descending, later row
-- first), split like numpy's array_split: 42613 = 3 * 4262 + 7 * 4261.
CREATE TEMP TABLE sql_bins AS
WITH ranked AS (
    SELECT *, row_number() OVER (ORDER BY score_lin DESC, subset_row DESC) - 1 AS r
    FROM eval_hillstrom),
binned AS (
    SELECT *, CASE WHEN r < 3 * 4262 THEN r / 4262 ELSE 3 + (r - 3 * 4262) / 4261 END + 1 AS bin
    FROM ranked)
SELECT bin,
       count(*) AS n,
       avg(score_lin) AS mean_score,
       avg(visit) FILTER (WHERE treatment = 1) - avg(visit) FILTER (WHERE treatment = 0) AS uplift,
       sqrt(var_pop(visit) FILTER (WHERE treatment = 1) / count(*) FILTER (WHERE treatment = 1)
            + var_pop(visit) FILTER (WHERE treatment = 0) / count(*) FILTER (WHERE treatment = 0)) AS std_uplift
FROM binned GROUP BY bin;

CREATE TEMP TABLE ours AS
SELECT (uplift_calibration(score_lin, treatment, visit, 10 ORDER BY subset_row)).*
FROM eval_hillstrom;

SELECT ok((SELECT bool_and(abs(o.mean_score - s.mean_score) < 1e-12 AND abs(o.uplift - s.uplift) < 1e-12
                           AND abs(o.std_uplift - s.std_uplift) < 1e-12)
           FROM unnest((SELECT uplift_by_percentile(score_lin, treatment, visit, 10, 'overall' ORDER BY subset_row)
                        FROM eval_hillstrom)) o JOIN sql_bins s USING (bin)),
          'per bin: mean predicted uplift, observed uplift and its standard error as in SQL');
SELECT ok(abs((SELECT calibration_error FROM ours)
              - (SELECT sum(n * abs(mean_score - uplift)) / sum(n) FROM sql_bins)) < 1e-12,
          'calibration error: row-weighted mean absolute gap');
SELECT ok(abs((SELECT max_gap FROM ours) - (SELECT max(abs(mean_score - uplift)) FROM sql_bins)) < 1e-12,
          'largest gap');
SELECT is((SELECT bins_within_ci FROM ours),
          (SELECT count(*)::int FROM sql_bins WHERE abs(mean_score - uplift) <= 1.959963984540054 * std_uplift),
          'bins whose 95% interval holds the predicted uplift');
SELECT ok(abs((SELECT kendall_tau FROM ours)
              - (SELECT (sum(sign(a.uplift - b.uplift)) / sqrt(count(*) * (count(*) - count(*) FILTER (WHERE a.uplift = b.uplift))))::float8
                 FROM sql_bins a JOIN sql_bins b ON a.bin < b.bin)) < 1e-12,
          'Kendall tau-b between bin order and observed uplift');
SELECT is((SELECT adjacent_inversions FROM ours),
          (SELECT count(*)::int FROM (SELECT uplift > lag(uplift) OVER (ORDER BY bin) AS inv FROM sql_bins) s WHERE inv),
          'adjacent inversions');
-- a perfectly ordered score on a hand-made table: tau 1, no inversion
SELECT is((SELECT ROW(kendall_tau, adjacent_inversions)::text
           FROM (SELECT (uplift_calibration(s, t, y, 3)).*
                 FROM (VALUES (3, 1, 1), (3, 0, 0), (2, 1, 1), (2, 0, 1), (1, 1, 0), (1, 0, 1)) v(s, t, y)) c),
          '(1,0)', 'bins in the order of their observed uplift: tau 1, no inversion');

SELECT * FROM finish();
ROLLBACK;
