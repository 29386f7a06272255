-- pgTAP: uplift_drift_profile (of the row alone, an internal state, and with
-- options, an uplift_drift_profile_state) under a forced parallel plan gives
-- exactly the serial profile (the same bytes), and a stored profile survives
-- its text and binary forms.
BEGIN;
SELECT plan(9);

CREATE TABLE monitor_ref AS
SELECT i, f[1] AS x1, f[2] AS x2, round(f[4]::numeric, 2) AS x4,
       CASE WHEN f[3] = 1 THEN 'flag' ELSE 'none' END AS seg
  FROM (SELECT unit_id AS i, features AS f FROM uplift_demo_campaign(20000, 3)) d;
ANALYZE monitor_ref;

CREATE TEMP VIEW prof AS
SELECT uplift_drift_profile(t) AS p FROM (SELECT x1, x2, x4, seg FROM monitor_ref) t;

SELECT force_serial();
CREATE TEMP TABLE serial AS SELECT p FROM prof;
CREATE TEMP TABLE serial_check AS
SELECT 'profile' AS path, d.* FROM serial s,
       uplift_drift(s.p, 'SELECT x1 + 0.1 AS x1, x2, x4, seg FROM monitor_ref WHERE i % 3 = 0') d
UNION ALL
SELECT 'exact', d.* FROM uplift_drift('SELECT x1, x2, x4, seg FROM monitor_ref',
                                      'SELECT x1 + 0.1 AS x1, x2, x4, seg FROM monitor_ref WHERE i % 3 = 0') d;

SELECT force_parallel();

SELECT ok(EXISTS (SELECT 1 FROM explain_lines('SELECT p FROM prof') l WHERE l ~ 'Partial Aggregate'),
          'the profile is aggregated in parallel workers');
CREATE TEMP TABLE par AS SELECT p FROM prof;
SELECT is((SELECT p::text FROM par), (SELECT p::text FROM serial), 'parallel profile equals serial, byte for byte');
SELECT ok(EXISTS (SELECT 1 FROM explain_lines('SELECT uplift_drift_profile(t, ''{}'') FROM (SELECT x1, x2, x4, seg FROM monitor_ref) t') l
                   WHERE l ~ 'Partial Aggregate'),
          'the profile with options is aggregated in parallel workers');
SELECT is((SELECT uplift_drift_profile(t, '{}')::text FROM (SELECT x1, x2, x4, seg FROM monitor_ref) t),
          (SELECT p::text FROM serial), 'parallel profile with options equals the serial profile, byte for byte');

-- The split a scale-out engine runs: partial states over disjoint rows are
-- combined; the profile of the union equals the profile of the whole.
SELECT is((SELECT uplift_drift_profile(t)::text FROM (SELECT x1, x2, x4, seg FROM monitor_ref WHERE i % 2 = 0
                                                      UNION ALL
                                                      SELECT x1, x2, x4, seg FROM monitor_ref WHERE i % 2 = 1) t),
          (SELECT p::text FROM serial), 'row order does not change the profile');

-- The queries inside uplift_drift may run in parallel too: every figure is
-- the same (counts are exact; Wasserstein sums may differ in the last bits).
CREATE TEMP TABLE par_check AS
SELECT 'profile' AS path, d.* FROM serial s,
       uplift_drift(s.p, 'SELECT x1 + 0.1 AS x1, x2, x4, seg FROM monitor_ref WHERE i % 3 = 0') d
UNION ALL
SELECT 'exact', d.* FROM uplift_drift('SELECT x1, x2, x4, seg FROM monitor_ref',
                                      'SELECT x1 + 0.1 AS x1, x2, x4, seg FROM monitor_ref WHERE i % 3 = 0') d;
SELECT ok(EXISTS (SELECT 1 FROM explain_lines('SELECT x1 + 0.1 AS x1, x2, x4, seg FROM monitor_ref WHERE i % 3 = 0') l
                   WHERE l ~ 'Parallel Seq Scan'),
          'the current query gets a parallel plan');
SELECT ok((SELECT count(*) = 8 AND bool_and(p.psi IS NOT DISTINCT FROM s.psi AND p.ks IS NOT DISTINCT FROM s.ks
                                            AND p.js IS NOT DISTINCT FROM s.js AND p.drifted = s.drifted
                                            AND p.n_current = s.n_current
                                            AND coalesce(abs(p.wasserstein - s.wasserstein) <= 1e-12, true))
             FROM par_check p JOIN serial_check s USING (path, feature)),
          'uplift_drift under parallel plans equals serial, exact path and profile path');

SELECT is((SELECT (p::text)::uplift_drift_profile::text FROM serial), (SELECT p::text FROM serial),
          'the text form round-trips');
SELECT is((SELECT uplift_drift_profile_info(p) -> 'columns' -> 3 -> 'levels' FROM serial),
          (SELECT jsonb_object_agg(seg, n) FROM (SELECT seg, count(*) AS n FROM monitor_ref GROUP BY seg) s),
          'category counts of the profile');

SELECT * FROM finish();
ROLLBACK;
