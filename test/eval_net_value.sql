-- pgTAP: the net-value view against a closed form on a hand-made table, and
-- the Starbucks exercise's whole-file IRR and NIR (../shared/data/README.md).
BEGIN;
SELECT plan(11);

-- six units; the two at score 0.7 are tied
CREATE TEMP TABLE nv (unit text, score float8, treatment int, value float8, cost float8);
INSERT INTO nv VALUES ('A', 0.9, 1, 10, 2), ('B', 0.8, 0, 4, 0), ('C', 0.7, 1, 0, 2),
                      ('D', 0.7, 0, 0, 0), ('E', 0.5, 1, 6, 2), ('F', 0.3, 0, 6, 1);

-- By hand, fixed cost 1 per treated unit, scale 'qini'
-- (value Vt - Vc Nt/Nc, cost Ct - Cc Nt/Nc + 1 Nt):
--   depth 0: 0 - 0 = 0; depth 1 (A): 10 - 3 = 7; depth 2 (A, B): (10 - 4) - 3 = 3;
--   depth 4 (.. C, D): (10 - 4) - (4 + 2) = 0; depth 5 (.. E): (16 - 4 * 3/2) - (6 + 3) = 1;
--   depth 6 (.. F): (16 - 10) - (6 - 1 + 3) = -2.   Best depth: 1.
SELECT is((SELECT array_agg(ARRAY[x, incremental_value, incremental_cost, net_value] ORDER BY point)
           FROM unnest((SELECT uplift_net_value(score, treatment, value, cost, '{"fixed_cost": 1}') FROM nv))),
          ARRAY[[0, 0, 0, 0], [1, 10, 3, 7], [2, 6, 3, 3], [4, 6, 6, 0], [5, 10, 9, 1], [6, 6, 8, -2]]::float8[],
          'scale qini: incremental value, cost and net value at every depth');
SELECT is((SELECT array_agg(x) FROM unnest((SELECT uplift_net_value(score, treatment, value, cost, '{"fixed_cost": 1}') FROM nv))
           WHERE best),
          ARRAY[1]::float8[], 'the best depth is 1 unit');
-- scale 'uplift' at depth 5: (16/3 - 4/2) 5 - ((6/3 - 0/2) 5 + 1 * 5) = 50/3 - 15
SELECT ok(abs((SELECT net_value FROM unnest((SELECT uplift_net_value(score, treatment, value, cost,
                      '{"fixed_cost": 1, "scale": "uplift"}') FROM nv)) WHERE x = 5)
              - (50.0 / 3 - 15)) < 1e-12,
          'scale uplift: difference of means times depth');
-- scale 'none' at depth 6: (16 - 10) - (6 - 1 + 1 * 3) = -2; at depth 4: (10 - 4) - (4 + 2) = 0
SELECT is((SELECT array_agg(net_value ORDER BY x) FROM unnest((SELECT uplift_net_value(score, treatment, value, cost,
                      '{"fixed_cost": 1, "scale": "none"}') FROM nv)) WHERE x IN (4, 6)),
          ARRAY[0, -2]::float8[], 'scale none: raw differences');
-- 4 grid depths: floor(6 j / 4) = 1, 3, 4, 6; depth 3 cuts the tied pair C, D
-- in half: Nt = Nc = 1.5, Vt = 10, Vc = 4, Ct = 3, Cc = 0: (10 - 4) - (3 + 1.5) = 1.5
SELECT is((SELECT array_agg(ARRAY[x, net_value, best::int] ORDER BY point)
           FROM unnest((SELECT uplift_net_value(score, treatment, value, cost, '{"fixed_cost": 1, "points": 4}') FROM nv))),
          ARRAY[[0, 0, 0], [1, 7, 1], [3, 1.5, 0], [4, 0, 0], [6, -2, 0]]::float8[],
          'bounded points: grid depths, a cut tie group counted by halves, best depth flagged');

-- Starbucks: whole-file IRR = purchase rate treated - control, NIR = 10 purch_t - 0.15 n_t - 10 purch_c
CREATE TEMP TABLE sb AS
SELECT file, (promotion = 'Yes')::int AS treatment, purchase::float8 AS purchase FROM eval_starbucks;
CREATE TEMP TABLE sb_last AS
SELECT file, (irr[cardinality(irr)]).value_uplift AS irr, (nir[cardinality(nir)]).net_value AS nir,
       (nir[cardinality(nir)]).x AS n
FROM (SELECT file, uplift_net_value(0, treatment, purchase, 0) AS irr,
             uplift_net_value(0, treatment, 10 * purchase, 0, '{"fixed_cost": 0.15, "scale": "none"}') AS nir
      FROM sb GROUP BY file) s;
SELECT is((SELECT array_agg(n ORDER BY file) FROM sb_last), ARRAY[41650, 84534]::float8[],
          'Starbucks: the last depth holds every row of each file');
-- The README prints NIR rounded; the exercise's formula in double precision
-- (10 * 721 - 0.15 * 42364 - 10 * 319 = -2334.5999999999995, as Python gives)
-- must come out bit for bit.
SELECT is((SELECT irr FROM sb_last WHERE file = 'training'), 0.009454547819772702::float8,
          'Starbucks training: whole-file IRR 0.009454547819772702 exactly');
SELECT is((SELECT nir FROM sb_last WHERE file = 'training'), 10 * 721 - 0.15::float8 * 42364 - 10 * 319,
          'Starbucks training: whole-file NIR -2334.6 exactly (as the double formula gives it)');
SELECT is((SELECT irr FROM sb_last WHERE file = 'test'), 0.009593158278250108::float8,
          'Starbucks test: whole-file IRR 0.009593158278250108 exactly');
SELECT is((SELECT nir FROM sb_last WHERE file = 'test'), 10 * 339 - 0.15::float8 * 20748 - 10 * 141,
          'Starbucks test: whole-file NIR -1132.2 exactly (as the double formula gives it)');
SELECT is((SELECT array_agg(round(nir::numeric, 9) ORDER BY file) FROM sb_last), ARRAY[-1132.2, -2334.6],
          'Starbucks: NIR as the README prints it');

SELECT * FROM finish();
ROLLBACK;
