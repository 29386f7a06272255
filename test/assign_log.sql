-- pgTAP: the assignment log is written once per (experiment, unit), belongs
-- to the database rather than the extension, and its grants are kept by
-- pg_dump.  (Concurrent callers: test/shell/assign_log_concurrency.sh;
-- privileges: test/assign_privileges.sql; DROP EXTENSION:
-- test/shell/assign_log_drop.sh.)
BEGIN;
SELECT plan(20);

DROP TABLE IF EXISTS uplift_assignment_log;
CREATE ROLE log_test_nobody;
GRANT USAGE ON SCHEMA public TO log_test_nobody;
SET LOCAL ROLE log_test_nobody;
SELECT throws_ok($$SELECT uplift_assign_logged('log-auto', 1, ARRAY[0, 1])$$, '42P01', NULL,
                 'logging before the log exists is an error for a role that may not create it');
SELECT throws_ok($$SELECT uplift_create_assignment_log()$$, '42501', NULL,
                 'and that role may not create it');
RESET ROLE;
-- a log planted by a role that may create tables in the schema is refused
GRANT CREATE ON SCHEMA public TO log_test_nobody;
SET LOCAL ROLE log_test_nobody;
CREATE TABLE public.uplift_assignment_log (LIKE public.uplift_logged_assignment);
RESET ROLE;
SELECT throws_ok($$SELECT uplift_assign_logged('log-auto', 1, ARRAY[0, 1])$$, '42501',
                 'the assignment log public.uplift_assignment_log is not owned by a superuser or the owner of extension uplift',
                 'a log owned by another role is neither read nor written');
DROP TABLE public.uplift_assignment_log;
SELECT is((SELECT (action, propensity) FROM uplift_assign_logged('log-auto', 1, ARRAY[0, 1])),
          (1, 1::float8), 'the first logging call of a superuser creates the log and logs');
SELECT is(uplift_create_assignment_log()::text, 'uplift_assignment_log',
          'uplift_create_assignment_log returns the existing log');
SELECT ok(NOT EXISTS (SELECT FROM pg_depend
                       WHERE classid = 'pg_class'::regclass
                         AND objid = 'uplift_assignment_log'::regclass AND deptype = 'e'),
          'the log is not a member of the extension, so DROP EXTENSION cannot drop it');
SELECT ok((SELECT 'uplift_experiment_grants'::regclass = ANY (extconfig)
             FROM pg_extension WHERE extname = 'uplift'),
          'the experiment grants are registered with pg_extension_config_dump, so pg_dump keeps them');

CREATE TEMP TABLE first AS
SELECT * FROM uplift_assign_logged('log-test', 42, ARRAY[0.5, 0.3, 0.2]);

SELECT is((SELECT (action, propensity, holdout) FROM first),
          (SELECT (action, propensity, holdout) FROM uplift_assign('log-test', 42, ARRAY[0.5, 0.3, 0.2])),
          'the logged row holds the assignment');
SELECT is((SELECT (policy, params->'weights', unit_key) FROM first),
          ('weights'::text, '[0.5, 0.3, 0.2]'::jsonb, NULL::text),
          'the logged row names its policy and parameters');

CREATE TEMP TABLE ins_before AS
SELECT pg_stat_get_xact_tuples_inserted('uplift_assignment_log'::regclass) AS n,
       (SELECT ctid FROM uplift_assignment_log WHERE experiment = 'log-test' AND unit_id = 42) AS row_ctid;

-- A second call, even with other weights, returns the logged row.
SELECT is((SELECT (action, propensity, assigned_at)
             FROM uplift_assign_logged('log-test', 42, ARRAY[0, 0, 1])),
          (SELECT (action, propensity, assigned_at) FROM first),
          'a second call returns the logged assignment');
SELECT is(pg_stat_get_xact_tuples_inserted('uplift_assignment_log'::regclass)
          + pg_stat_get_xact_tuples_updated('uplift_assignment_log'::regclass),
          (SELECT n FROM ins_before), 'a second call writes nothing');
SELECT is((SELECT ctid FROM uplift_assignment_log WHERE experiment = 'log-test' AND unit_id = 42),
          (SELECT row_ctid FROM ins_before), 'the logged row is untouched');
SELECT is((SELECT count(*) FROM uplift_assignment_log WHERE experiment = 'log-test'),
          1::bigint, 'one row per experiment and unit');

-- Text ids are logged in unit_key, apart from bigint ids.
SELECT is((SELECT (unit_id, unit_key, action)
             FROM uplift_assign_logged('log-test', '42', ARRAY[0.5, 0.3, 0.2])),
          (SELECT (NULL::bigint, '42'::text, action)
             FROM uplift_assign('log-test', '42', ARRAY[0.5, 0.3, 0.2])),
          'a text id is logged in unit_key');
SELECT is((SELECT count(*) FROM uplift_assignment_log WHERE experiment = 'log-test'),
          2::bigint, 'bigint 42 and text ''42'' are different units');

-- Exploration and Thompson sampling log their policies.
SELECT is((SELECT (action, propensity, policy, (params->>'epsilon')::float8)
             FROM uplift_explore_logged('log-explore', 7, ARRAY[0.1, 0.3], 0.2, 0.1)),
          (SELECT (action, propensity, 'epsilon_greedy'::text, 0.2::float8)
             FROM uplift_explore('log-explore', 7, ARRAY[0.1, 0.3], 0.2, 0.1)),
          'uplift_explore_logged logs the exploration draw');
SELECT is((SELECT (action, propensity, policy)
             FROM uplift_thompson_logged('log-thompson', 7, ARRAY[3, 7], ARRAY[10, 12], 0.05, 3)),
          (SELECT (action, propensity, 'thompson'::text)
             FROM uplift_thompson('log-thompson', 7, ARRAY[3, 7], ARRAY[10, 12], 0.05, 3)),
          'uplift_thompson_logged logs the Thompson draw');

-- Any decision can be logged, once.
SELECT is((SELECT (action, propensity, model_checksum)
             FROM uplift_log_assignment('log-manual', 9::bigint, ROW(2, 0.25, false)::uplift_assignment,
                                        'budget', NULL, 'abc')),
          (2, 0.25::float8, 'abc'::text), 'uplift_log_assignment logs a given decision');
SELECT is((SELECT (action, propensity)
             FROM uplift_log_assignment('log-manual', 9::bigint, ROW(1, 0.5, false)::uplift_assignment,
                                        'budget')),
          (2, 0.25::float8), 'and returns the first decision on a repeated call');

SELECT throws_ok($$INSERT INTO uplift_assignment_log (experiment, unit_id, action, propensity, policy)
                   VALUES ('log-test', 1, 0, 0, 'manual')$$,
                 '23514', NULL, 'a zero propensity cannot be logged');

SELECT * FROM finish();
ROLLBACK;
