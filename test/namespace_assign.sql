-- pgTAP: namespaces.  Experiments with disjoint ranges of one namespace never
-- share a unit, each takes its range's share of the units, the options keep
-- uplift_assign's draw and holdout, the logging variant logs enrolled units
-- only, and the registry refuses bad and overlapping ranges.
BEGIN;
SELECT plan(37);

CREATE TEMP TABLE ids AS SELECT g AS id FROM generate_series(1, 200000) g;

-- Three experiments share the namespace "email" in disjoint ranges, a fourth
-- is in another namespace.
CREATE TEMP TABLE exps (experiment text, ns text, lo float8, hi float8);
INSERT INTO exps VALUES ('welcome', 'email', 0.0, 0.3), ('winback', 'email', 0.3, 0.45),
                        ('upsell', 'email', 0.6, 1.0), ('push', 'app', 0.0, 0.5);

CREATE TEMP TABLE enrolled AS
SELECT e.experiment, e.ns, e.hi - e.lo AS width, i.id, a.action
  FROM exps e CROSS JOIN ids i,
       LATERAL uplift_assign(e.experiment, i.id, ARRAY[0.5, 0.5],
                             jsonb_build_object('namespace', e.ns,
                                                'range', jsonb_build_array(e.lo, e.hi))) a
 WHERE a IS NOT NULL;

SELECT is((SELECT count(*) FROM (SELECT id FROM enrolled WHERE ns = 'email'
                                  GROUP BY id HAVING count(*) > 1) d),
          0::bigint, 'no id is in two experiments of one namespace (200,000 ids)');
SELECT ok((SELECT count(*) FROM enrolled e1 JOIN enrolled e2 USING (id)
            WHERE e1.ns = 'email' AND e2.ns = 'app') > 0,
          'namespaces are independent: experiments of two namespaces share units');
SELECT ok(abs(count(*) / 200000.0 - width) < 0.01,
          format('experiment %s takes %s of the units (within 0.01 of its range width %s)',
                 experiment, round(count(*) / 200000.0, 4), width))
  FROM enrolled GROUP BY experiment, width ORDER BY experiment;
SELECT is((SELECT count(*) FROM enrolled WHERE ns = 'email'), (SELECT count(*) FROM ids i
            WHERE uplift_namespace_uniform('email', i.id) < 0.45
               OR uplift_namespace_uniform('email', i.id) >= 0.6),
          'enrolment is lo <= u_N < hi on the namespace uniform number');
-- The gap [0.45, 0.6) of "email" is free: no experiment enrols there.
SELECT ok(abs((SELECT count(*) FROM ids) - (SELECT count(DISTINCT id) FROM enrolled WHERE ns = 'email')
              - 0.15 * 200000) < 0.01 * 200000,
          'the unused share of the namespace is left alone');

-- Enrolled units get exactly uplift_assign's draw; others get NULL.
SELECT is((SELECT count(*) FROM enrolled e
            WHERE (uplift_assign(e.experiment, e.id, ARRAY[0.5, 0.5])).action <> e.action),
          0::bigint, 'an enrolled unit gets the action uplift_assign gives it');
SELECT is((SELECT count(*) FROM ids i
            WHERE uplift_assign('x', i.id, ARRAY[0.2, 0.8], '{"holdout": 0.1}'::jsonb)
                  IS DISTINCT FROM uplift_assign('x', i.id, ARRAY[0.2, 0.8], 0.1)
              AND i.id <= 20000),
          0::bigint, 'the holdout option gives uplift_assign''s holdout draw');
SELECT is((SELECT count(*) FROM ids i
            WHERE uplift_assign('x', i.id, ARRAY[0.2, 0.8], '{"holdout": 0.1, "holdout_name": "y2026"}'::jsonb)
                  IS DISTINCT FROM uplift_assign('x', i.id, ARRAY[0.2, 0.8], 0.1, 'y2026')
              AND i.id <= 20000),
          0::bigint, 'holdout_name names the holdout');
-- Arguments that change from row to row, against a call site per combination
-- (constant arguments, so each keeps its own).
SELECT is((SELECT count(*) FROM ids i,
                 LATERAL (SELECT (i.id % 8)::int AS b) k,
                 LATERAL (SELECT (ARRAY['x', 'y'])[1 + (k.b >> 2 & 1)] AS e,
                                 CASE WHEN k.b >> 1 & 1 = 0 THEN ARRAY[0.2, 0.8] ELSE ARRAY[1, 1, 2] END AS w,
                                 CASE WHEN k.b & 1 = 0 THEN '{}' ELSE '{"holdout": 0.1}' END::jsonb AS o) a
            WHERE i.id <= 30000
              AND uplift_assign(a.e, i.id, a.w, a.o) IS DISTINCT FROM
                  CASE k.b
                      WHEN 0 THEN uplift_assign('x', i.id, ARRAY[0.2, 0.8], '{}'::jsonb)
                      WHEN 1 THEN uplift_assign('x', i.id, ARRAY[0.2, 0.8], '{"holdout": 0.1}'::jsonb)
                      WHEN 2 THEN uplift_assign('x', i.id, ARRAY[1, 1, 2], '{}'::jsonb)
                      WHEN 3 THEN uplift_assign('x', i.id, ARRAY[1, 1, 2], '{"holdout": 0.1}'::jsonb)
                      WHEN 4 THEN uplift_assign('y', i.id, ARRAY[0.2, 0.8], '{}'::jsonb)
                      WHEN 5 THEN uplift_assign('y', i.id, ARRAY[0.2, 0.8], '{"holdout": 0.1}'::jsonb)
                      WHEN 6 THEN uplift_assign('y', i.id, ARRAY[1, 1, 2], '{}'::jsonb)
                      WHEN 7 THEN uplift_assign('y', i.id, ARRAY[1, 1, 2], '{"holdout": 0.1}'::jsonb)
                  END),
          0::bigint, 'experiment, weights and options changing from row to row: the draws of constant arguments');
SELECT is(uplift_assign('x', 7, ARRAY[0.2, 0.8], NULL::jsonb),
          uplift_assign('x', 7, ARRAY[0.2, 0.8]), 'NULL options are all defaults');
SELECT is(uplift_assign('x', 'user-7', ARRAY[0.2, 0.8], '{}'::jsonb),
          uplift_assign('x', 'user-7', ARRAY[0.2, 0.8]), 'text ids');
SELECT ok(uplift_assign('x', 'user-7', ARRAY[0.2, 0.8],
                        jsonb_build_object('namespace', 'n', 'range',
                            jsonb_build_array(uplift_namespace_uniform('n', 'user-7'::text), 1))) IS NOT NULL
          AND uplift_assign('x', 'user-7', ARRAY[0.2, 0.8],
                        jsonb_build_object('namespace', 'n', 'range',
                            jsonb_build_array(0, uplift_namespace_uniform('n', 'user-7'::text)))) IS NULL,
          'the range is closed at lo and open at hi');

-- The logging variant logs enrolled units only.
SELECT uplift_create_assignment_log();
CREATE TEMP TABLE logged AS
SELECT i.id, uplift_assign_logged('welcome', i.id, ARRAY[0.5, 0.5],
                                  '{"namespace": "email", "range": [0.0, 0.3]}'::jsonb) AS l
  FROM ids i WHERE i.id <= 2000;
SELECT is((SELECT count(*) FROM uplift_assignment_log WHERE experiment = 'welcome'),
          (SELECT count(*) FROM enrolled WHERE experiment = 'welcome' AND id <= 2000),
          'uplift_assign_logged logs the enrolled units and nothing else');
SELECT is((SELECT count(*) FROM logged WHERE l IS NULL),
          (SELECT count(*) FROM ids WHERE id <= 2000 AND uplift_namespace_uniform('email', id) >= 0.3),
          'uplift_assign_logged returns NULL for a unit outside the range');
SELECT is((SELECT params FROM uplift_assignment_log WHERE experiment = 'welcome' LIMIT 1),
          '{"weights": [0.5, 0.5], "namespace": "email", "range": [0.0, 0.3]}'::jsonb,
          'the log keeps the weights and the options');

-- Bad options: 22023 naming the option.
SELECT throws_ok($$SELECT uplift_assign('e', 1, ARRAY[0.5, 0.5], '{"namespace": "email", "range": [-0.1, 0.3]}'::jsonb)$$,
                 '22023', 'option "range" must be an array [lo, hi] with 0 <= lo < hi <= 1',
                 'a range below 0');
SELECT throws_ok($$SELECT uplift_assign('e', 1, ARRAY[0.5, 0.5], '{"namespace": "email", "range": [0.5, 1.2]}'::jsonb)$$,
                 '22023', NULL, 'a range above 1');
SELECT throws_ok($$SELECT uplift_assign('e', 1, ARRAY[0.5, 0.5], '{"namespace": "email", "range": [0.5, 0.2]}'::jsonb)$$,
                 '22023', NULL, 'a reversed range');
SELECT throws_ok($$SELECT uplift_assign('e', 1, ARRAY[0.5, 0.5], '{"namespace": "email", "range": [0.3, 0.3]}'::jsonb)$$,
                 '22023', NULL, 'an empty range');
SELECT throws_ok($$SELECT uplift_assign('e', 1, ARRAY[0.5, 0.5], '{"namespace": "email", "range": [0.3]}'::jsonb)$$,
                 '22023', NULL, 'a range of one number');
SELECT throws_ok($$SELECT uplift_assign('e', 1, ARRAY[0.5, 0.5], '{"namespace": "email", "range": "0-0.3"}'::jsonb)$$,
                 '22023', NULL, 'a range that is not an array');
SELECT throws_ok($$SELECT uplift_assign('e', 1, ARRAY[0.5, 0.5], '{"namespace": "email"}'::jsonb)$$,
                 '22023', 'option "namespace" needs option "range"', 'a namespace without range');
SELECT throws_ok($$SELECT uplift_assign('e', 1, ARRAY[0.5, 0.5], '{"range": [0, 0.3]}'::jsonb)$$,
                 '22023', 'option "range" needs option "namespace"', 'a range without namespace');
SELECT throws_ok($$SELECT uplift_assign('e', 1, ARRAY[0.5, 0.5], '{"namespace": 5, "range": [0, 0.3]}'::jsonb)$$,
                 '22023', 'option "namespace" must be a string', 'a namespace that is not a string');
SELECT throws_ok($$SELECT uplift_assign('e', 1, ARRAY[0.5, 0.5], '{"namepsace": "email"}'::jsonb)$$,
                 '22023', NULL, 'an unknown option');
SELECT throws_ok($$SELECT uplift_assign('e', 1, ARRAY[0.5, 0.5], '{"holdout": 1.5}'::jsonb)$$,
                 '22023', NULL, 'a holdout above 1');
SELECT throws_ok($$SELECT uplift_assign('e', NULL::bigint, ARRAY[0.5, 0.5], '{}'::jsonb)$$,
                 '22004', NULL, 'a NULL unit');
SELECT throws_ok($$SELECT uplift_namespace_uniform(NULL, 1::bigint)$$,
                 '22004', NULL, 'a NULL namespace');

-- The registry refuses bad and overlapping ranges.
INSERT INTO uplift_namespace_ranges VALUES ('email', 'welcome', 0.0, 0.3), ('email', 'winback', 0.3, 0.45);
SELECT throws_ok($$INSERT INTO uplift_namespace_ranges VALUES ('email', 'upsell', 0.4, 1.0)$$,
                 '22023', 'range of experiment "upsell" overlaps experiment "winback" in namespace "email"',
                 'an overlapping range is refused');
SELECT throws_ok($$UPDATE uplift_namespace_ranges SET range_hi = 0.35 WHERE experiment = 'welcome'$$,
                 '22023', NULL, 'a range moved onto another is refused');
SELECT throws_ok($$INSERT INTO uplift_namespace_ranges VALUES ('email', 'late', 0.9, 1.1)$$,
                 '22023', NULL, 'a declared range above 1 is refused');
SELECT throws_ok($$INSERT INTO uplift_namespace_ranges VALUES ('email', 'late', NULL, 0.8)$$,
                 '22023', NULL, 'a declared range without its start is refused');
SELECT throws_ok($$INSERT INTO uplift_namespace_ranges VALUES ('email', 'late', 0.9, 0.8)$$,
                 '22023', NULL, 'a declared reversed range is refused');
INSERT INTO uplift_namespace_ranges VALUES ('email', 'upsell', 0.6, 1.0), ('app', 'push', 0.0, 0.5);
SELECT results_eq($$SELECT namespace, experiment, share::numeric(4,2), namespace_used::numeric(4,2)
                      FROM uplift_namespaces ORDER BY namespace, range_lo$$,
                  $$VALUES ('app', 'push', 0.50, 0.50), ('email', 'welcome', 0.30, 0.85),
                           ('email', 'winback', 0.15, 0.85), ('email', 'upsell', 0.40, 0.85)$$,
                  'the view shows each namespace''s ranges and the share it uses');

SELECT * FROM finish();
ROLLBACK;
