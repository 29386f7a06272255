-- pgTAP: the model registry: versions per name, the deploy log, rollback
-- walking the history, uplift_model by name, scoring by name (against closed
-- forms of hand-written models), its errors and its privileges.
BEGIN;
SELECT plan(52);

-- Two S-learners with linear heads and no interactions: the effect of
-- action 1 is the action's coefficient (0.75, then 1.5, then -2) whatever
-- the features, and the predicted outcome under action a at x is
-- 2 + x + a * effect.
CREATE TEMP TABLE rg_src AS
SELECT v, uplift_model_import(format(
  '{"learner":"s_learner","base":"linear","n_actions":1,"n_features":1,"interactions":false,
    "heads":[{"role":"joint","action":-1,"link":"identity","intercept":2,"coefficients":[1,%s]}]}', e)::jsonb) AS model
  FROM (VALUES (1, 0.75), (2, 1.5), (3, -2)) t(v, e);

SELECT is(uplift_register('rg_s', model), 1, 'the first version of a name is 1') FROM rg_src WHERE v = 1;
SELECT is(uplift_register('rg_s', model, '{"qini": 0.2}'), 2, 'the next one is 2') FROM rg_src WHERE v = 2;
SELECT is(uplift_register('rg_s', model), 3, 'and 3') FROM rg_src WHERE v = 3;
SELECT is(uplift_register('rg_other', model), 1, 'versions count per name') FROM rg_src WHERE v = 3;

SELECT is((SELECT checksum FROM uplift_models WHERE name = 'rg_s' AND version = 2),
          (SELECT uplift_model_checksum(model) FROM rg_src WHERE v = 2), 'the view shows the model''s checksum');
SELECT is((SELECT (learner, base, actions, features, metrics)::text FROM uplift_models
            WHERE name = 'rg_s' AND version = 2),
          '(s_learner,linear,1,1,"{""qini"": 0.2}")', 'the view shows learner, base, sizes and metrics');
SELECT is((SELECT count(*) FROM uplift_models WHERE name = 'rg_s' AND deployed), 0::bigint,
          'nothing is deployed before a deploy');
SELECT is((SELECT created_by FROM uplift_registry WHERE name = 'rg_s' AND version = 1), current_user::name,
          'the registry records who registered');

-- nothing deployed yet
SELECT throws_ok($$SELECT uplift_score('rg_s', ARRAY[1.0])$$, '42704',
                 'model "rg_s" has no deployed version', 'scoring a name with nothing deployed');
SELECT throws_ok($$SELECT uplift_model('rg_s'::text)$$, '42704',
                 'model "rg_s" has no deployed version', 'uplift_model of a name with nothing deployed');
SELECT throws_ok($$SELECT uplift_rollback('rg_s')$$, '55000',
                 'model "rg_s" has no earlier deployment to roll back to', 'rollback with nothing deployed');

-- deploy 1, 2, 3; each is visible to the next statement of the transaction
SELECT is(uplift_deploy('rg_s', 1), 1, 'deploy returns the version');
SELECT is(uplift_score('rg_s', ARRAY[5.0]), 0.75::float8, 'scoring by name uses the deployed version');
SELECT is(uplift_deploy('rg_s', 2), 2, 'deploy version 2');
SELECT is(uplift_score('rg_s', ARRAY[5.0]), 1.5::float8, 'the next statement sees version 2');
SELECT is(uplift_deploy('rg_s', 3), 3, 'deploy version 3');
SELECT is(uplift_score('rg_s', ARRAY[5.0], 1), -2::float8, 'uplift_score(name, features, action)');
SELECT is(uplift_score('rg_s', ARRAY[5.0], 0), 0::float8, 'action 0 has effect 0');
SELECT is(uplift_scores('rg_s', ARRAY[5.0]), ARRAY[-2]::float8[], 'uplift_scores(name, features)');
SELECT is(uplift_predict('rg_s', ARRAY[5.0], 1), 5::float8, 'uplift_predict: 2 + 5 - 2');
SELECT is(uplift_predict('rg_s', ARRAY[5.0], 0), 7::float8, 'uplift_predict under control: 2 + 5');
SELECT is(uplift_model('rg_s'::text)::bytea, (SELECT model::bytea FROM rg_src WHERE v = 3), 'uplift_model(name) is the deployed model');
SELECT is(uplift_model('rg_s', 1)::bytea, (SELECT model::bytea FROM rg_src WHERE v = 1), 'uplift_model(name, version)');
SELECT is((SELECT array_agg(version) FROM uplift_models WHERE name = 'rg_s' AND deployed), ARRAY[3],
          'the view marks the deployed version');

-- rollback walks the history: 3 -> 2 -> 1, then there is nothing earlier
SELECT is(uplift_rollback('rg_s'), 2, 'the first rollback goes back to 2');
SELECT is(uplift_score('rg_s', ARRAY[5.0]), 1.5::float8, 'and scoring follows');
SELECT is(uplift_rollback('rg_s'), 1, 'the second rollback goes back to 1, not to 3');
SELECT throws_ok($$SELECT uplift_rollback('rg_s')$$, '55000',
                 'model "rg_s" has no earlier deployment to roll back to', 'a third rollback has nowhere to go');
SELECT is(uplift_deploy('rg_s', 3), 3, 'deploy 3 after the rollbacks');
SELECT is(uplift_rollback('rg_s'), 1, 'its rollback returns to what was live before it (1)');
SELECT is((SELECT array_agg(format('%s:%s->%s', action, from_version, to_version) ORDER BY step)
             FROM uplift_deployments WHERE name = 'rg_s'),
          ARRAY['deploy:->1', 'deploy:1->2', 'deploy:2->3', 'rollback:3->2', 'rollback:2->1',
                'deploy:1->3', 'rollback:3->1'],
          'the deployment log keeps every step');

-- a quoted name is a text literal: the text overloads, not a cast to uplift_model
SELECT is((SELECT count(*) FROM pg_proc p WHERE p.oid = 'uplift_score(text, float8[])'::regprocedure
             AND p.provolatile = 's'), 1::bigint, 'scoring by name is STABLE');
SELECT is(uplift_score(name => 'rg_s', features => ARRAY[1.0]), 0.75::float8, 'named notation');
SELECT is(uplift_score('rg_s', NULL::float8[]), NULL::float8, 'NULL features give NULL');

-- a PL/pgSQL loop (whose simple expressions keep their call site across
-- statements) sees each deploy at its next statement: 4 blocks of 50 rows
-- alternating versions 1 (0.75) and 2 (1.5) sum to 2 * 50 * (0.75 + 1.5)
CREATE TEMP TABLE rg_loop_versions AS
SELECT uplift_register('rg_loop', model) AS version FROM rg_src WHERE v IN (1, 2) ORDER BY v;
SELECT is(uplift_deploy('rg_loop', 1), 1, 'deploy rg_loop version 1');
CREATE FUNCTION pg_temp.rg_loop() RETURNS float8 LANGUAGE plpgsql AS $$
DECLARE
    s float8 := 0;
BEGIN
    FOR i IN 1 .. 200 LOOP
        s := s + uplift_score('rg_loop', ARRAY[1.0]);
        IF i % 50 = 0 THEN
            PERFORM uplift_deploy('rg_loop', 1 + (i / 50) % 2);
        END IF;
    END LOOP;
    RETURN s;
END
$$;
SELECT is(pg_temp.rg_loop(), 225::float8, 'a loop sees each deploy at its next statement');

-- in parallel workers (force_parallel_mode runs the scan in one): the same
-- scores as the serial plan
CREATE TEMP TABLE rg_serial AS
SELECT sum(uplift_score('rg_s', ARRAY[g::float8])) AS s, sum(uplift_predict('rg_s', ARRAY[g::float8], 0)) AS p
  FROM generate_series(1, 1000) g;
SELECT force_parallel();
SELECT is((SELECT sum(uplift_score('rg_s', ARRAY[g::float8])) FROM generate_series(1, 1000) g),
          (SELECT s FROM rg_serial), 'scoring by name in a parallel worker');
SELECT is((SELECT sum(uplift_predict('rg_s', ARRAY[g::float8], 0)) FROM generate_series(1, 1000) g),
          2000 + 500500::float8, 'predicting by name in a parallel worker: sum of 2 + g');
SELECT force_serial();

-- errors
SELECT throws_ok($$SELECT uplift_score('rg_nope', ARRAY[1.0])$$, '42704',
                 'model "rg_nope" is not registered', 'scoring an unknown name');
SELECT throws_ok($$SELECT uplift_predict('rg_nope', ARRAY[1.0], 0)$$, '42704',
                 'model "rg_nope" is not registered', 'uplift_predict with an unknown name');
SELECT throws_ok($$SELECT uplift_deploy('rg_nope', 1)$$, '42704',
                 'model "rg_nope" is not registered', 'deploying an unknown name');
SELECT throws_ok($$SELECT uplift_deploy('rg_s', 9)$$, '42704',
                 'version 9 of model "rg_s" is not registered', 'deploying an unknown version');
SELECT throws_ok($$SELECT uplift_model('rg_s', 9)$$, '42704',
                 'version 9 of model "rg_s" is not registered', 'uplift_model with an unknown version');
SELECT throws_ok($$SELECT uplift_deploy('rg_s', NULL)$$, '22004',
                 'version of uplift_deploy must not be NULL', 'deploying a NULL version');
SELECT throws_ok($$SELECT uplift_model('rg_s', NULL)$$, '22004',
                 'version of uplift_model must not be NULL', 'uplift_model with a NULL version');
SELECT throws_ok($$SELECT uplift_score(NULL::text, ARRAY[1.0])$$, '22004',
                 'name of uplift_score must not be NULL', 'a NULL name');
SELECT throws_ok($$SELECT uplift_register(NULL, uplift_model('rg_s', 1))$$, '22004',
                 'name of uplift_register must not be NULL or empty', 'registering without a name');
SELECT throws_ok($$SELECT uplift_register('rg_s', NULL)$$, '22004',
                 'model of uplift_register must not be NULL', 'registering a NULL model');
SELECT throws_ok($$SELECT uplift_register('rg_s', uplift_model('rg_s', 1), '[1]')$$, '22023',
                 'metrics of uplift_register must be a JSON object', 'metrics that are not an object');
SELECT throws_ok($$SELECT uplift_score('rg_s', ARRAY[1.0, 2.0])$$, '2202E', NULL,
                 'features of the wrong length');

-- privileges: anyone may score by name; registering and deploying need INSERT
CREATE ROLE rg_reader;
SET LOCAL ROLE rg_reader;
SELECT is(uplift_score('rg_s', ARRAY[1.0]), 0.75::float8, 'a role without grants scores by name');
SELECT throws_ok($$SELECT uplift_deploy('rg_s', 2)$$, '42501', NULL, 'but cannot deploy');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
