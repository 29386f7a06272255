-- pgTAP: the assignment log refuses to be used from a query that Citus runs
-- on a shard (a connection Citus opened, application_name
-- "citus_internal gpid=..."), where each node would write a log of its own;
-- the same calls from an ordinary session log as usual (doc/citus.md).
BEGIN;
SELECT plan(5);

SELECT uplift_create_assignment_log();
SET LOCAL application_name = 'citus_internal gpid=10000000007';
SELECT throws_ok($$SELECT uplift_assign_logged('citus-log', 1, ARRAY[0, 1])$$, '0A000',
                 'the assignment log cannot be used in a query that Citus runs on a shard',
                 'uplift_assign_logged is refused in a Citus shard query');
SELECT throws_ok($$SELECT uplift_log_assignment('citus-log', 'u1', uplift_assign('citus-log', 'u1', ARRAY[0, 1]), 'random')$$,
                 '0A000', 'the assignment log cannot be used in a query that Citus runs on a shard',
                 'uplift_log_assignment is refused in a Citus shard query');
SELECT throws_ok($$SELECT uplift_exposure(1::bigint, now(), '1 day', ARRAY['citus-log'])$$, '0A000', NULL,
                 'reading the log for exposure features is refused in a Citus shard query');

SET LOCAL application_name = 'citus_rebalancer_not';
SELECT is((SELECT action FROM uplift_assign_logged('citus-log', 1, ARRAY[0, 1])),
          (SELECT action FROM uplift_assign('citus-log', 1, ARRAY[0, 1])),
          'an ordinary session logs');
SELECT is((SELECT count(*)::int FROM uplift_assignment_log WHERE experiment = 'citus-log'), 1,
          'and only its call wrote to the log');

SELECT * FROM finish();
ROLLBACK;
