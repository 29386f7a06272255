-- pgTAP: merging drift profiles of separate windows (the function
-- uplift_drift_profile_merge and the aggregate uplift_drift_profile_union)
-- against the profile of the union computed from all rows and against ranks
-- counted in the rows; the aggregate under a forced parallel plan; alerts by
-- a registry name.
BEGIN;
SELECT plan(20);

-- k takes 37 values, so every grid holds every distinct value and the merge
-- is exact: deciles and bin counts equal those of the union, computed from
-- its rows (numpy's quantile of the union: the same rule on all the values).
CREATE TEMP TABLE mr AS
SELECT g AS i, (g % 37)::float8 AS k, sqrt(g::float8) AS x,
       CASE WHEN g % 3 = 0 THEN 'a' WHEN g % 7 = 0 THEN 'c' ELSE 'b' END AS s
  FROM generate_series(1, 20000) g;

CREATE TEMP TABLE whole AS
SELECT uplift_drift_profile_info(uplift_drift_profile(t)) AS info FROM (SELECT k, s FROM mr) t;
CREATE TEMP TABLE halves AS
SELECT uplift_drift_profile_info(uplift_drift_profile_merge(
           (SELECT uplift_drift_profile(t) FROM (SELECT k, s FROM mr WHERE i <= 7000) t),
           (SELECT uplift_drift_profile(t) FROM (SELECT k, s FROM mr WHERE i > 7000 AND i % 2 = 0) t)))
       AS info
UNION ALL
SELECT NULL;
-- the second half is itself split, so that the three-way fold is exercised
CREATE TEMP TABLE three AS
SELECT uplift_drift_profile_info(uplift_drift_profile_union(p ORDER BY part)) AS info
  FROM generate_series(0, 2) part,
       LATERAL (SELECT uplift_drift_profile(t) AS p
                  FROM (SELECT k, s FROM mr WHERE i % 3 = part) t) z;

SELECT is((SELECT (info -> 'columns' -> 0) - 'mean' - 'std' FROM three),
          (SELECT (info -> 'columns' -> 0) - 'mean' - 'std' FROM whole),
          'exact merge: n, deciles, bin counts and grid of the union');
SELECT ok((SELECT abs((a.info -> 'columns' -> 0 ->> 'mean')::float8 - (SELECT avg(k) FROM mr)) < 1e-12
                  AND abs((a.info -> 'columns' -> 0 ->> 'std')::float8 - (SELECT stddev_pop(k) FROM mr)) < 1e-12
             FROM three a),
          'merged mean and deviation equal avg and stddev_pop of the union');
SELECT is((SELECT info -> 'columns' -> 1 FROM three), (SELECT info -> 'columns' -> 1 FROM whole),
          'categorical levels add up');
SELECT is((SELECT info -> 'columns' -> 1 -> 'levels' FROM three),
          (SELECT jsonb_object_agg(s, n) FROM (SELECT s, count(*) AS n FROM mr GROUP BY s) c),
          'merged level counts equal counts in the rows');
SELECT is((SELECT (info -> 'columns' -> 0 ->> 'n')::int FROM halves WHERE info IS NOT NULL),
          7000 + 6500, 'two windows: n adds up');

-- x has 20,000 distinct values: grids are thinned, and the deciles are read
-- from the merged grid.  Each merged decile's rank, counted in the rows,
-- lies within the reported rank error plus one grid cell (1/1000) of k/10.
CREATE TEMP TABLE cont AS
SELECT uplift_drift_profile_union(p ORDER BY part) AS p
  FROM generate_series(0, 3) part,
       LATERAL (SELECT uplift_drift_profile(t) AS p FROM (SELECT x FROM mr WHERE i % 4 = part) t) z;
SELECT ok((SELECT (uplift_drift_profile_info(p) -> 'columns' -> 0 ->> 'rank_error')::float8 BETWEEN 0 AND 0.005
             FROM cont),
          'interleaved windows: a rank error is reported and is small');
SELECT ok((SELECT bool_and(abs((SELECT count(*) FROM mr WHERE x <= d::float8) / 20000.0 - k / 10.0)
                           <= e + 0.001 + 1 / 20000.0)
             FROM cont,
                  LATERAL (SELECT (uplift_drift_profile_info(p) -> 'columns' -> 0 ->> 'rank_error')::float8 AS e) r,
                  jsonb_array_elements_text(uplift_drift_profile_info(p) -> 'columns' -> 0 -> 'deciles')
                      WITH ORDINALITY a(d, k)),
          'merged deciles lie within the rank error of the true deciles');
-- PSI and KS of a shift against the merged profile, against the exact check
SELECT ok((SELECT abs(m.psi - e.psi) < 1e-4 AND abs(m.ks - e.ks) < 0.002 AND abs(m.wasserstein - e.wasserstein) < 0.01
             FROM cont c, uplift_drift(c.p, 'SELECT x + 1 AS x FROM mr') m,
                  uplift_drift('SELECT x FROM mr', 'SELECT x + 1 AS x FROM mr') e),
          'a check against merged profiles agrees with the exact check');

-- NULL sides: the profile of a window without rows is NULL
SELECT ok((SELECT uplift_drift_profile_merge(NULL, p)::text = p::text
                  AND uplift_drift_profile_merge(p, NULL)::text = p::text FROM cont),
          'a NULL side gives the other');
SELECT ok((SELECT uplift_drift_profile_union(p) IS NULL FROM cont WHERE false), 'no profiles: NULL');

SELECT throws_ok($$SELECT uplift_drift_profile_merge((SELECT uplift_drift_profile(t) FROM (SELECT k FROM mr) t),
                                                     (SELECT uplift_drift_profile(t) FROM (SELECT k, x FROM mr) t))$$,
                 '42P10', 'column "x" is missing from the first profile', 'different columns');
SELECT throws_ok($$SELECT uplift_drift_profile_merge((SELECT uplift_drift_profile(t) FROM (SELECT k FROM mr) t),
                                                     (SELECT uplift_drift_profile(t) FROM (SELECT k::text AS k FROM mr) t))$$,
                 '42804', 'column "k" is numeric in the first profile and categorical in the second',
                 'a column of another kind');

-- The aggregate under a forced parallel plan equals the serial answer (the
-- exact case, where the merge order does not matter), and states pass
-- through the type's text form as a scale-out engine would send them.
CREATE TEMP TABLE parts AS
SELECT part, (SELECT uplift_drift_profile(t) FROM (SELECT k, s FROM mr WHERE i % 8 = part) t) AS p
  FROM generate_series(0, 7) part;
SELECT is((SELECT (uplift_drift_profile_info(uplift_drift_profile_union(p)) -> 'columns' -> 0) - 'mean' - 'std' FROM parts),
          (SELECT (info -> 'columns' -> 0) - 'mean' - 'std' FROM whole), 'eight windows merge into the profile of the union');
SELECT is((SELECT uplift_drift_profile_info(uplift_drift_profile_merge(
                      (SELECT uplift_drift_profile_union(p)::text FROM parts WHERE part < 4)::uplift_drift_profile,
                      (SELECT uplift_drift_profile_union(p)::text FROM parts WHERE part >= 4)::uplift_drift_profile))
                   -> 'columns' -> 1),
          (SELECT info -> 'columns' -> 1 FROM whole), 'partial merges through the text form, then merged');
-- 4,000 profiles (each window 500 times) for a parallel plan
CREATE TABLE mon_merge_parts AS SELECT p.* FROM parts p, generate_series(1, 500) copy;
ANALYZE mon_merge_parts;
CREATE TEMP TABLE serial AS
SELECT uplift_drift_profile_info(uplift_drift_profile_union(p)) AS info FROM mon_merge_parts;
SET LOCAL parallel_setup_cost = 0;
SET LOCAL parallel_tuple_cost = 0;
SET LOCAL min_parallel_table_scan_size = 0;
SET LOCAL max_parallel_workers_per_gather = 2;
SET LOCAL force_parallel_mode = on;
SELECT ok(EXISTS (SELECT 1 FROM explain_lines('SELECT uplift_drift_profile_union(p) FROM mon_merge_parts') l
                   WHERE l ~ 'Partial Aggregate'),
          'the merge aggregate runs in parallel workers');
CREATE TEMP TABLE par AS
SELECT uplift_drift_profile_info(uplift_drift_profile_union(p)) AS info FROM mon_merge_parts;
SELECT is((SELECT (info -> 'columns' -> 0) - 'mean' - 'std' FROM par),
          (SELECT (info -> 'columns' -> 0) - 'mean' - 'std' FROM serial), 'parallel merge equals serial merge');
SELECT ok((SELECT abs((p.info -> 'columns' -> 0 ->> 'std')::float8 - (s.info -> 'columns' -> 0 ->> 'std')::float8) < 1e-12
                  AND p.info -> 'columns' -> 1 = s.info -> 'columns' -> 1 FROM par p, serial s),
          'parallel merge: deviation and levels');
RESET force_parallel_mode;
RESET max_parallel_workers_per_gather;

-- Alerts by registry name read the profile registered with the deployed version.
SELECT uplift_create_assignment_log() IS NOT NULL AS log_created \gset
CREATE TEMP TABLE mm AS
SELECT uplift_fit(ARRAY[k, x], (i % 2)::int, k, '{"base": "linear"}') AS model FROM mr;
SELECT uplift_register('mon_merge', model,
                       jsonb_build_object('drift_profile',
                                          (SELECT uplift_drift_profile(t) FROM (SELECT x FROM mr) t)::text)) AS registered
  FROM mm \gset
SELECT uplift_deploy('mon_merge', 1) AS deployed \gset
SELECT results_eq($$SELECT "check", subject, value FROM uplift_monitor_alerts('none', '1 day', NULL, 'mon_merge',
                                                                              'SELECT x + 20 AS x FROM mr')$$,
                  $$SELECT "check", subject, value FROM uplift_monitor_alerts('none', '1 day', NULL,
                                        (SELECT uplift_drift_profile(t) FROM (SELECT x FROM mr) t),
                                        'SELECT x + 20 AS x FROM mr')$$,
                  'alerts by name equal alerts with the registered profile');
SELECT is((SELECT count(*) FROM uplift_monitor_alerts('none', '1 day', NULL, 'mon_merge', 'SELECT x + 20 AS x FROM mr')
            WHERE "check" IN ('feature_drift', 'dataset_drift') AND subject IN ('x', 'none')),
          2::bigint, 'by name: x shifted by 20 drifts, and so does the data set');
SELECT uplift_register('mon_merge', model) AS registered FROM mm \gset
SELECT uplift_deploy('mon_merge', 2) AS deployed \gset
SELECT throws_ok($$SELECT * FROM uplift_monitor_alerts('none', '1 day', NULL, 'mon_merge', 'SELECT x FROM mr')$$,
                 '42704', 'the deployed version of model "mon_merge" has no drift profile',
                 'a deployed version without a profile');

SELECT * FROM finish();
ROLLBACK;
