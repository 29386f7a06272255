-- pgTAP: statistical properties of hashed assignment, with fixed experiment
-- names (so every run sees the same draws).  Each check compares against a
-- closed form: the chi-square critical values at p = 0.001 are
-- 13.8155 (2 degrees of freedom) and 18.4668 (4), and the holdout share's
-- standard error is sqrt(s (1 - s) / n).
BEGIN;
SELECT plan(9);

CREATE TEMP TABLE draws AS
SELECT id,
       (uplift_assign('stats-a', id, ARRAY[0.5, 0.3, 0.2])).action AS a,
       (uplift_assign('stats-b', id, ARRAY[0.5, 0.3, 0.2])).action AS b,
       uplift_in_holdout(id, 0.1) AS h
  FROM generate_series(1::bigint, 1000000) id;

-- Shares of 1,000,000 ids with weights [0.5, 0.3, 0.2]: chi-square, 2 df.
SELECT cmp_ok((SELECT sum((n - e) ^ 2 / e)
                 FROM (SELECT count(*) AS n,
                              1e6::float8 * (ARRAY[0.5, 0.3, 0.2]::float8[])[a + 1] AS e
                         FROM draws GROUP BY a) t),
              '<', 13.8155::float8,
              'shares of 1,000,000 ids pass a chi-square test at p > 0.001');

SELECT is((SELECT array_agg(DISTINCT a ORDER BY a) FROM draws), ARRAY[0, 1, 2],
          'every action is drawn');

-- Two experiments are independent: chi-square on the 3 x 3 table, 4 df.
SELECT cmp_ok((SELECT sum((coalesce(n, 0) - ra * cb / 1e6) ^ 2 / (ra * cb / 1e6))
                 FROM (SELECT a, count(*)::float8 AS ra FROM draws GROUP BY a) r
                 CROSS JOIN (SELECT b, count(*)::float8 AS cb FROM draws GROUP BY b) c
                 LEFT JOIN (SELECT a, b, count(*)::float8 AS n FROM draws GROUP BY a, b) x
                        USING (a, b)),
              '<', 18.4668::float8,
              'two experiments are independent (chi-square on their contingency table)');

-- The holdout share is 0.1 within 3 standard errors.
SELECT cmp_ok(abs((SELECT avg(h::int)::float8 FROM draws) - 0.1),
              '<', 3 * sqrt(0.1 * 0.9 / 1e6::float8),
              'holdout share is within 3 standard errors of 0.1');

-- Holdout membership is independent of an experiment's split (2 df).
SELECT cmp_ok((SELECT sum((coalesce(n, 0) - ra * cb / 1e6) ^ 2 / (ra * cb / 1e6))
                 FROM (SELECT a, count(*)::float8 AS ra FROM draws GROUP BY a) r
                 CROSS JOIN (SELECT h, count(*)::float8 AS cb FROM draws GROUP BY h) c
                 LEFT JOIN (SELECT a, h, count(*)::float8 AS n FROM draws GROUP BY a, h) x
                        USING (a, h)),
              '<', 13.8155::float8,
              'holdout membership is independent of the experiment split');

-- Holdouts nest: a larger share contains the smaller one.
SELECT is((SELECT count(*) FROM generate_series(1::bigint, 20000) id
            WHERE uplift_in_holdout(id, 0.05) AND NOT uplift_in_holdout(id, 0.1)),
          0::bigint, 'the 5% holdout lies inside the 10% holdout');

-- With a holdout, held-out units get action 0 with propensity 1 and the
-- others keep the experiment's own draw and propensity.
SELECT is((SELECT count(*) FROM generate_series(1::bigint, 20000) id,
                  LATERAL uplift_assign('stats-a', id, ARRAY[0.5, 0.3, 0.2], 0.1) w,
                  LATERAL uplift_assign('stats-a', id, ARRAY[0.5, 0.3, 0.2]) plain
            WHERE w.holdout IS DISTINCT FROM uplift_in_holdout(id, 0.1)
               OR (w.holdout AND (w.action, w.propensity) <> (0, 1::float8))
               OR (NOT w.holdout AND (w.action, w.propensity) <> (plain.action, plain.propensity))),
          0::bigint, 'holdout units get action 0 with propensity 1, the others their draw');

-- The propensity is the action's weight over the sum of the weights.
SELECT is((SELECT count(*) FROM generate_series(1::bigint, 1000) id,
                  LATERAL uplift_assign('stats-a', id, ARRAY[2, 0, 6]) w
            WHERE w.propensity <> (ARRAY[0.25, 0, 0.75])[w.action + 1]),
          0::bigint, 'propensity = weight / sum of weights; a zero weight is never drawn');

-- bigint and text ids are different hash inputs, each deterministic.
SELECT is((SELECT count(*) FROM generate_series(1::bigint, 1000) id
            WHERE uplift_assign('stats-a', id, ARRAY[1, 1]) IS DISTINCT FROM
                  uplift_assign('stats-a', id, ARRAY[1, 1])
               OR uplift_assign('stats-a', id::text, ARRAY[1, 1]) IS DISTINCT FROM
                  uplift_assign('stats-a', id::text, ARRAY[1, 1])),
          0::bigint, 'assignment is deterministic for bigint and text ids');

SELECT * FROM finish();
ROLLBACK;
