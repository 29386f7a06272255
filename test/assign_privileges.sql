-- pgTAP: who may read and who may log each experiment of the assignment log
-- (doc/assignment.md, "Privileges").  Two roles: alice logs experiment
-- priv-a and may read priv-b; bob logs priv-b.  Neither may log, or plant a
-- row in, the other's experiment, and nobody but the owner changes a row.
BEGIN;
SELECT plan(14);

SELECT uplift_create_assignment_log();
CREATE ROLE uplift_priv_alice;
CREATE ROLE uplift_priv_bob;
CREATE ROLE uplift_priv_carol;
GRANT USAGE ON SCHEMA public TO uplift_priv_alice, uplift_priv_bob, uplift_priv_carol;
INSERT INTO uplift_experiment_grants (experiment, grantee, privilege) VALUES
    ('priv-a', 'uplift_priv_alice', 'log'),
    ('priv-b', 'uplift_priv_alice', 'read'),
    ('priv-b', 'uplift_priv_bob', 'log');
-- The expected draws, computed before any role acts.
CREATE TEMP TABLE expected AS
SELECT u, (uplift_assign('priv-b', u, ARRAY[0.5, 0.5])).* FROM generate_series(1, 3) u;
GRANT SELECT ON expected TO PUBLIC;

SET LOCAL ROLE uplift_priv_bob;
SELECT is((SELECT count(*) FROM uplift_assignment_log), 0::bigint,
          'a role sees no row of an experiment before it logs');
SELECT is((SELECT (action, propensity) FROM uplift_assign_logged('priv-b', 1, ARRAY[0.5, 0.5])),
          (SELECT (action, propensity) FROM expected WHERE u = 1),
          'bob logs a unit of his experiment');
SELECT is((SELECT array_agg(experiment::text) FROM uplift_experiment_grants), ARRAY['priv-b'],
          'a role sees only its own experiment grants');

SET LOCAL ROLE uplift_priv_alice;
SELECT is((SELECT count(*) FROM uplift_assign_logged('priv-a', 1, ARRAY[0.5, 0.5])), 1::bigint,
          'alice logs a unit of her experiment');
SELECT is((SELECT array_agg(DISTINCT experiment) FROM uplift_assignment_log), ARRAY['priv-a', 'priv-b'],
          'alice reads her experiment and the one she may read');
SELECT throws_ok($$SELECT uplift_assign_logged('priv-b', 2, ARRAY[0.5, 0.5])$$, '42501', NULL,
                 'alice may not log in an experiment she may only read');
SELECT throws_ok($$INSERT INTO uplift_assignment_log (experiment, unit_id, action, propensity, policy)
                   VALUES ('priv-b', 3, 1, 0.001, 'weights')$$, '42501', NULL,
                 'alice may not plant a row with a fake propensity in another experiment');
SELECT throws_ok($$INSERT INTO uplift_assignment_log (experiment, unit_id, action, propensity, policy)
                   VALUES ('priv-c', 3, 1, 0.001, 'weights')$$, '42501', NULL,
                 'nor in an experiment nobody granted her');
SELECT throws_ok($$UPDATE uplift_assignment_log SET propensity = 0.001 WHERE experiment = 'priv-a'$$,
                 '42501', NULL, 'a logger may not change a logged row');
SELECT throws_ok($$DELETE FROM uplift_assignment_log WHERE experiment = 'priv-a'$$,
                 '42501', NULL, 'a logger may not delete a logged row');
SELECT throws_ok($$INSERT INTO uplift_experiment_grants VALUES ('priv-b', 'uplift_priv_alice', 'log')$$,
                 '42501', NULL, 'a logger may not grant herself more');

SET LOCAL ROLE uplift_priv_carol;
SELECT is((SELECT count(*) FROM uplift_assignment_log), 0::bigint,
          'a role without grants sees no row');

SET LOCAL ROLE uplift_priv_bob;
SELECT is((SELECT (action, propensity) FROM uplift_assign_logged('priv-b', 3, ARRAY[0.5, 0.5])),
          (SELECT (action, propensity) FROM expected WHERE u = 3),
          'bob''s later call gets his own draw: nothing was planted for him');
SELECT is((SELECT count(*) FROM uplift_assignment_log WHERE experiment = 'priv-a'), 0::bigint,
          'bob does not see alice''s experiment');

RESET ROLE;
SELECT * FROM finish();
ROLLBACK;
