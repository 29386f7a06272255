-- pgTAP: bounded curves and multi-action evaluation.
BEGIN;
SELECT plan(8);

-- Bounded curves: 100 grid depths floor(n j / 100) plus depth 0; at a depth
-- inside a tie group the group counts with the fraction above the depth.
-- Expected values in plain SQL from per-score group sums (score_tie has 12).
CREATE TEMP TABLE ours AS
SELECT p.* FROM (SELECT uplift_curve(score_tie, treatment, visit, '{"points": 100}') AS c FROM eval_hillstrom) s,
       unnest(s.c) p;
CREATE TEMP TABLE expected AS
WITH g AS (
    SELECT score_tie AS s,
           count(*) FILTER (WHERE treatment = 1)::float8 AS nt, count(*) FILTER (WHERE treatment = 0)::float8 AS nc,
           coalesce(sum(visit) FILTER (WHERE treatment = 1), 0) AS yt,
           coalesce(sum(visit) FILTER (WHERE treatment = 0), 0) AS yc
    FROM eval_hillstrom GROUP BY score_tie),
c AS (
    SELECT *, sum(nt + nc) OVER w - (nt + nc) AS before,
           sum(nt) OVER w - nt AS nt0, sum(nc) OVER w - nc AS nc0,
           sum(yt) OVER w - yt AS yt0, sum(yc) OVER w - yc AS yc0
    FROM g WINDOW w AS (ORDER BY s DESC)),
grid AS (
    SELECT j, CASE WHEN j = 100 THEN 42613 ELSE floor(42613 * j / 100.0) END::float8 AS x
    FROM generate_series(1, 100) j),
cut AS (
    SELECT j, x, nt0 + f * nt AS nt, nc0 + f * nc AS nc, yt0 + f * yt AS yt, yc0 + f * yc AS yc
    FROM (SELECT grid.*, c.*, (grid.x - c.before) / (c.nt + c.nc) AS f
          FROM grid JOIN c ON grid.x > c.before AND grid.x <= c.before + c.nt + c.nc) z)
SELECT j, x, yt - yc * nt / nc AS qini, (yt / nt - yc / nc) * x AS uplift FROM cut;

SELECT is((SELECT array_agg(x ORDER BY point) FROM ours WHERE curve = 'qini'),
          (SELECT 0::float8 || array_agg(x ORDER BY j) FROM expected),
          'qini: depth 0 and the 100 grid depths');
SELECT ok((SELECT bool_and(abs(o.y - e.qini) <= 1e-12 * greatest(abs(e.qini), 1))
           FROM ours o JOIN expected e ON o.curve = 'qini' AND o.point = e.j),
          'qini at grid depths: fractional tie groups, as in SQL');
SELECT ok((SELECT bool_and(abs(o.y - e.uplift) <= 1e-12 * greatest(abs(e.uplift), 1))
           FROM ours o JOIN expected e ON o.curve = 'uplift' AND o.point = e.j),
          'uplift curve at grid depths, as in SQL');
SELECT is((SELECT array_agg(curve || ':' || count ORDER BY curve)
           FROM (SELECT curve, count(*) FROM ours GROUP BY curve) s),
          ARRAY['perfect_qini:101', 'perfect_uplift:101', 'qini:101', 'random_qini:101', 'random_uplift:101', 'uplift:101'],
          'every curve has 101 points');
-- the end points are exact: the last point equals the exact curve's last point
SELECT is((SELECT array_agg(y ORDER BY curve) FROM ours WHERE x = 42613 AND curve IN ('qini', 'uplift')),
          (SELECT array_agg(y ORDER BY curve)
           FROM unnest((SELECT uplift_curve(score_tie, treatment, visit) FROM eval_hillstrom))
           WHERE x = 42613 AND curve IN ('qini', 'uplift')),
          'bounded and exact curves end at the same point');

-- Multi-action: rank units by their best action's score; a unit that got
-- that action is treated, a control unit is control, others are left out.
CREATE TEMP TABLE demo AS
SELECT unit_id, action, converted, true_conversion_uplift AS s FROM uplift_demo_campaign(20000, 7);
SELECT is((SELECT array_agg(uplift_best_treatment(ARRAY[0.1, 0.3, 0.2], a) ORDER BY a) FROM generate_series(0, 3) a),
          ARRAY[0, NULL, 1, NULL], 'best treatment: 1 for the best action, 0 for control, else NULL');
SELECT is((SELECT uplift_qini_auc(uplift_best_score(s), uplift_best_treatment(s, action), converted) FROM demo),
          (SELECT uplift_qini_auc(greatest(s[1], s[2]), (action > 0)::int, converted)
           FROM demo
           WHERE action = 0 OR action = CASE WHEN s[1] >= s[2] THEN 1 ELSE 2 END),
          'best-action Qini equals the explicit filter');
SELECT ok((SELECT uplift_qini_auc(uplift_best_score(s), uplift_best_treatment(s, action), converted) FROM demo)
          > (SELECT uplift_qini_auc(-uplift_best_score(s), uplift_best_treatment(s, action), converted) FROM demo),
          'the true uplift ranks better than its reverse');

SELECT * FROM finish();
ROLLBACK;
