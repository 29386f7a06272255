-- pgTAP: uplift_at_n (scikit-uplift's uplift_at_k with an integer k) and
-- uplift_treatment_balance (scikit-uplift's treatment_balance_curve) on the
-- 20-row synthetic reference set, against scikit-uplift's figures, hand
-- counts and plain-SQL window computations; their errors; forced parallel
-- plans.
BEGIN;
SELECT plan(26);

-- scikit-uplift's order of the synthetic rows (descending score, among equal
-- scores the later row first): 2 1 | 3 | 7 6 5 4 | 8 | 11 10 9 | 12 |
-- 16 15 14 13 | 17 | 19 18 | 20.

-- uplift_at_n against scikit-uplift's uplift_at_k with k = 0.3 and 0.5 of
-- 20 rows: the same cuts as n = 6 and n = 10.
SELECT is((SELECT uplift_at_n(score, treatment, outcome, 6, 'overall' ORDER BY row_id) FROM eval_synthetic),
          (SELECT value FROM eval_synthetic_metrics WHERE metric = 'uplift_at_k' AND args = 'strategy=overall k=0.3'),
          'uplift_at_n 6 overall equals scikit-uplift''s uplift_at_k(k=0.3) on 20 rows');
SELECT ok(abs((SELECT uplift_at_n(score, treatment, outcome, 10, 'overall' ORDER BY row_id) FROM eval_synthetic)
              - (SELECT value FROM eval_synthetic_metrics WHERE metric = 'uplift_at_k' AND args = 'strategy=overall k=0.5')) < 1e-15,
          'uplift_at_n 10 overall equals scikit-uplift''s uplift_at_k(k=0.5)');
-- by_group with an integer k keeps k rows of each arm: treated 1, 3, 6
-- (all respond), control 2, 7, 5 (0, 0, 1): 1 - 1/3.
SELECT ok(abs((SELECT uplift_at_n(score, treatment, outcome, 3, 'by_group' ORDER BY row_id) FROM eval_synthetic)
              - (1 - 1.0 / 3)) < 1e-15, 'uplift_at_n 3 by_group: 3 rows of each arm, by hand 2/3');
-- without ORDER BY the tie group at 0.7 is shared: treated 1, 3 and half of
-- rows 4 (0) and 6 (1); control 2 and both 5 (1) and 7 (0): 2.5/3 - 1/3.
SELECT ok(abs((SELECT uplift_at_n(score, treatment, outcome, 3, 'by_group') FROM eval_synthetic)
              - (2.5 / 3 - 1.0 / 3)) < 1e-15, 'uplift_at_n 3 by_group, order-free: the tie group shared, by hand 0.5');
-- overall 6 order-free: 2, 1, 3 and 3 of the 4 rows at 0.7 (the README's 0.485714)
SELECT ok(abs((SELECT uplift_at_n(score, treatment, outcome, 6, 'overall') FROM eval_synthetic)
              - ((2 + 0.75) / (2 + 1.5) - 0.75 / (1 + 1.5))) < 1e-15, 'uplift_at_n 6 overall, order-free: 0.485714');
SELECT ok(abs((SELECT uplift_at_n(score, treatment, outcome, 20, 'overall') FROM eval_synthetic)
              - (5.0 / 11 - 4.0 / 9)) < 1e-15, 'uplift_at_n of every row: 5/11 - 4/9');

-- uplift_treatment_balance with ORDER BY: the treated share of each window
-- of 5 consecutive rows of scikit-uplift's order, computed here with a
-- window function (16 windows).
CREATE TEMP TABLE balance_ref AS
SELECT row_number() OVER w - 1 AS i,
       avg(treatment::float8) OVER (w ROWS BETWEEN CURRENT ROW AND 4 FOLLOWING) AS share,
       count(*) OVER (w ROWS BETWEEN CURRENT ROW AND 4 FOLLOWING) AS width
FROM eval_synthetic WINDOW w AS (ORDER BY score DESC, row_id DESC);
CREATE TEMP TABLE balance AS
SELECT p.* FROM unnest((SELECT uplift_treatment_balance(score, treatment, 5 ORDER BY row_id) FROM eval_synthetic)) p;
SELECT is((SELECT count(*) FROM balance), 16::bigint, 'uplift_treatment_balance: n - winsize + 1 = 16 windows');
SELECT ok(bool_and(abs(b.y - r.share) < 1e-15 AND b.x = r.i + 5 AND b.share = (r.i + 5) / 20.0 AND b.curve = 'treatment_balance'),
          'uplift_treatment_balance with ORDER BY: every window''s treated share, x its last row')
FROM balance b JOIN balance_ref r ON r.i = b.point WHERE r.width = 5;
SELECT is((SELECT y FROM balance WHERE point = 0), 0.6::float8, 'first window 2 1 3 7 6: 3 treated of 5, by hand');
-- order-free: a tie group counts its treated share per row.  Cumulative
-- treated counts C(x): 0.5, 1 (0.9: one of two treated), 2 (0.8), 2.5, 3,
-- 3.5, 4 (0.7: two of four), 4 (0.6); window i is (C(i + 5) - C(i)) / 5.
SELECT is((SELECT array_agg(p.y ORDER BY p.point)
           FROM unnest((SELECT uplift_treatment_balance(score, treatment, 5) FROM eval_synthetic)) p
           WHERE p.point < 4),
          ARRAY[3 / 5.0, (3.5 - 0.5) / 5, (4 - 1) / 5.0, (4 - 2) / 5.0]::float8[],
          'uplift_treatment_balance order-free: the first four windows by hand');
SELECT is((SELECT array_agg(p.x ORDER BY p.point)
           FROM unnest((SELECT uplift_treatment_balance(score, treatment, 5, '{"points": 3}') FROM eval_synthetic)) p),
          ARRAY[5, 10, 15, 20]::float8[], 'option points 3: windows 0, 5, 10, 15 of 16');
SELECT is((SELECT cardinality(uplift_treatment_balance(score, treatment, 20)) FROM eval_synthetic), 1,
          'a window of every row gives one point');

-- errors
SELECT throws_ok($$SELECT uplift_at_n(score, treatment, outcome, 0, 'overall') FROM eval_synthetic$$,
                 '22023', NULL, 'uplift_at_n: n 0');
SELECT throws_ok($$SELECT uplift_at_n(score, treatment, outcome, NULL, 'overall') FROM eval_synthetic$$,
                 '22004', NULL, 'uplift_at_n: NULL n');
SELECT throws_ok($$SELECT uplift_at_n(score, treatment, outcome, 21, 'overall') FROM eval_synthetic$$,
                 '22000', NULL, 'uplift_at_n: more rows than the ranking');
SELECT throws_ok($$SELECT uplift_at_n(score, treatment, outcome, 10, 'by_group') FROM eval_synthetic$$,
                 '22000', NULL, 'uplift_at_n by_group: more rows than the control arm (9)');
SELECT throws_ok($$SELECT uplift_at_n(score, treatment, outcome, 1, 'overall' ORDER BY row_id) FROM eval_synthetic$$,
                 '22000', NULL, 'uplift_at_n: a top without a treated row (row 2 alone)');
SELECT throws_ok($$SELECT uplift_at_n(score, treatment, outcome, 3, 'best') FROM eval_synthetic$$,
                 '22023', NULL, 'uplift_at_n: unknown strategy');
SELECT throws_ok($$SELECT uplift_treatment_balance(score, treatment, 21) FROM eval_synthetic$$,
                 '22000', NULL, 'uplift_treatment_balance: a window wider than the ranking');
SELECT throws_ok($$SELECT uplift_treatment_balance(score, treatment, -1) FROM eval_synthetic$$,
                 '22023', NULL, 'uplift_treatment_balance: negative winsize');
SELECT throws_ok($$SELECT uplift_treatment_balance(score, treatment, 5, '{"bins": 3}') FROM eval_synthetic$$,
                 '22023', NULL, 'uplift_treatment_balance: unknown option');
SELECT throws_ok($$SELECT uplift_treatment_balance(score, treatment, NULL) FROM eval_synthetic$$,
                 '22004', NULL, 'uplift_treatment_balance: NULL winsize');
SELECT throws_ok($$SELECT uplift_treatment_balance(score, 2, 5) FROM eval_synthetic$$,
                 '22000', NULL, 'uplift_treatment_balance: a treatment other than 0 or 1');
SELECT throws_ok($$SELECT uplift_at_n(score, treatment, outcome, 5, NULL) FROM eval_synthetic$$,
                 '22004', NULL, 'uplift_at_n: NULL strategy');

-- forced parallel plans give the serial answers (Hillstrom, 42,613 rows)
SELECT force_serial();
CREATE TEMP TABLE serial AS
SELECT uplift_at_n(score_lin, treatment, visit, 5000, 'by_group') AS at_n,
       uplift_treatment_balance(score_lin, treatment, 1000, '{"points": 50}') AS balance
FROM eval_hillstrom;
SELECT force_parallel();
CREATE FUNCTION pg_temp.plan_of(q text) RETURNS SETOF text LANGUAGE plpgsql AS
$$BEGIN RETURN QUERY EXECUTE 'EXPLAIN (COSTS OFF) ' || q; END$$;
SELECT ok(EXISTS (SELECT 1 FROM pg_temp.plan_of($$SELECT uplift_at_n(score_lin, treatment, visit, 5000, 'by_group'),
                                                        uplift_treatment_balance(score_lin, treatment, 1000)
                                                 FROM eval_hillstrom$$) l WHERE l LIKE '%Partial Aggregate%'),
          'uplift_at_n and uplift_treatment_balance run as partial aggregates');
SELECT ok(p.at_n = s.at_n AND p.balance = s.balance, 'parallel equals serial')
FROM serial s,
     (SELECT uplift_at_n(score_lin, treatment, visit, 5000, 'by_group') AS at_n,
             uplift_treatment_balance(score_lin, treatment, 1000, '{"points": 50}') AS balance
      FROM eval_hillstrom) p;

SELECT * FROM finish();
ROLLBACK;
