-- pgTAP: ties at a cut.  Without ORDER BY a tie group cut by k (or by a bin
-- edge) counts with the fraction of its rows above the cut, whatever the row
-- order; with ORDER BY the rows are ranked by descending score and, among
-- equal scores, the later row first (scikit-uplift's mergesort reversed).
BEGIN;
SELECT plan(11);

-- README hand check: int(20 * 0.3) = 6 rows: row_id 2, 1 (0.9), 3 (0.8),
-- 7, 6, 5 (0.7); treated 1, 3, 6 all respond, control 2, 7, 5 give 0, 0, 1.
SELECT is((SELECT uplift_at_k(score, treatment, outcome, 0.3, 'overall' ORDER BY row_id) FROM eval_synthetic),
          3::float8 / 3 - 1::float8 / 3, 'ORDER BY: scikit-uplift''s rule, the hand-checked 2/3');
-- first-come-first-kept instead: 1, 2, 3, 4, 5, 6: treated 1, 3, 4, 6 -> 3/4, control 2, 5 -> 1/2
SELECT is((SELECT uplift_at_k(score, treatment, outcome, 0.3, 'overall' ORDER BY row_id DESC) FROM eval_synthetic),
          3::float8 / 4 - 1::float8 / 2, 'ORDER BY the other way keeps the other tied rows (0.25)');
-- fractional rule: the 0.9 and 0.8 groups whole, 3 of the 4 rows at 0.7;
-- treated: rows 1, 3 (respond) + 3/4 of rows 4 (0), 6 (1); control: row 2 (0) + 3/4 of rows 5 (1), 7 (0)
SELECT ok(abs((SELECT uplift_at_k(score, treatment, outcome, 0.3, 'overall') FROM eval_synthetic)
              - ((2 + 0.75 * 1) / (2 + 0.75 * 2) - (0 + 0.75 * 1) / (1 + 0.75 * 2))) < 1e-15,
          'default: the tie group at the cut counts with the fraction 3/4');
SELECT ok(abs((SELECT uplift_at_k(score, treatment, outcome, 0.3, 'by_group') FROM eval_synthetic)
              -- 3 treated of 11: rows 1, 3, then 1 of the 2 treated at 0.7 (rows 4: 0, 6: 1);
              -- 2 control of 9: row 2, then 1 of the 2 control at 0.7 (rows 5: 1, 7: 0)
              - ((2 + 0.5 * 1) / 3 - (0 + 0.5 * 1) / 2)) < 1e-15,
          'default by_group: fraction within each arm');

-- The default does not depend on the row order; ORDER BY does.
CREATE TEMP TABLE syn_rev AS SELECT * FROM eval_synthetic ORDER BY row_id DESC;
SELECT is((SELECT ARRAY[uplift_at_k(score, treatment, outcome, 0.3, 'overall'),
                        uplift_at_k(score, treatment, outcome, 0.5, 'by_group')] FROM syn_rev),
          (SELECT ARRAY[uplift_at_k(score, treatment, outcome, 0.3, 'overall'),
                        uplift_at_k(score, treatment, outcome, 0.5, 'by_group')] FROM eval_synthetic),
          'default: same answer on the rows stored in reverse order');
SELECT is((SELECT uplift_by_percentile(score, treatment, outcome, 4, 'overall')::text FROM syn_rev),
          (SELECT uplift_by_percentile(score, treatment, outcome, 4, 'overall')::text FROM eval_synthetic),
          'default percentile bins: same table on the rows stored in reverse order');

-- Where no tie group straddles the cut every rule agrees: k = 0.4 keeps the
-- 8 rows with score >= 0.6 (groups of 2, 1, 4, 1).
SELECT is((SELECT ARRAY[uplift_at_k(score, treatment, outcome, 0.4, 'overall'),
                        uplift_at_k(score, treatment, outcome, 0.4, 'overall' ORDER BY row_id),
                        uplift_at_k(score, treatment, outcome, 0.4, 'overall' ORDER BY row_id DESC)] FROM eval_synthetic),
          ARRAY[3.0 / 4 - 1.0 / 4, 3.0 / 4 - 1.0 / 4, 3.0 / 4 - 1.0 / 4]::float8[],
          'no straddling tie: default, ORDER BY and reversed ORDER BY agree with the closed form');

-- Hillstrom score_lin: no tie straddles the 30% cut, so the default equals
-- the peer as well; score_tie (recency, 12 values) does straddle it.
SELECT ok(abs((SELECT uplift_at_k(score_lin, treatment, visit, 0.3, 'overall') FROM eval_hillstrom)
              - (SELECT value FROM eval_hillstrom_metrics WHERE score = 'score_lin' AND outcome = 'visit'
                 AND args = 'strategy=overall k=0.3')) < 1e-12,
          'Hillstrom score_lin: the default equals scikit-uplift');
SELECT isnt((SELECT uplift_at_k(score_tie, treatment, visit, 0.3, 'overall') FROM eval_hillstrom),
            (SELECT value FROM eval_hillstrom_metrics WHERE score = 'score_tie' AND outcome = 'visit'
             AND args = 'strategy=overall k=0.3'),
            'Hillstrom score_tie: a straddling tie group, the default differs from the input-order rule');

-- percentile bins with a straddling group: bin 1 of 4 takes 5 rows: the 0.9
-- and 0.8 groups and 2 of the 4 rows at 0.7 (fraction 1/2).
SELECT is((SELECT ARRAY[n_treatment, n_control, response_rate_treatment, response_rate_control]
           FROM unnest((SELECT uplift_by_percentile(score, treatment, outcome, 4, 'overall') FROM eval_synthetic))
           WHERE bin = 1),
          ARRAY[2 + 0.5 * 2, 1 + 0.5 * 2, (2 + 0.5 * 1) / 3.0, (0 + 0.5 * 1) / 2.0]::float8[],
          'default bins: the straddling tie group is shared in proportion');

-- by_group: treated bins of 3, 3, 3, 2 rows, control bins of 3, 2, 2, 2.
-- Bin 1 treated: rows 1, 3 and half of the 0.7 pair (4: 0, 6: 1) -> 2.5 / 3;
-- bin 1 control: rows 2, 5, 7 (the whole 0.7 pair) -> 1 / 3.
SELECT is((SELECT ARRAY[n_treatment, n_control, response_rate_treatment, response_rate_control]
           FROM unnest((SELECT uplift_by_percentile(score, treatment, outcome, 4, 'by_group') FROM eval_synthetic))
           WHERE bin = 1),
          ARRAY[3, 3, 2.5::float8 / 3, 1::float8 / 3]::float8[],
          'default by_group bins: the straddling tie group is shared within the arm');

SELECT * FROM finish();
ROLLBACK;
