-- pgTAP: uplift_train, fit + holdout evaluation + register + deploy in one
-- call.  The training data is noiseless: outcome = treatment * x1, so a
-- T-learner with unpenalized linear heads recovers the effect x1 exactly
-- (control head 0, treated head x1), and the holdout metrics must equal the
-- evaluation aggregates applied to the true effect x1 on the same rows.
BEGIN;
SELECT plan(42);

CREATE TEMP TABLE tr_data AS
SELECT i AS unit_id,
       ARRAY[(i % 2)::float8, ((i / 2) % 3) / 2.0]::float8[] AS features,
       -- treatment depends on i mod 5 only, so it is independent of x1 = i mod 2
       CASE WHEN (i * 7919) % 5 < 2 THEN 1 ELSE 0 END AS treatment,
       (CASE WHEN (i * 7919) % 5 < 2 THEN 1 ELSE 0 END) * (i % 2)::float8 AS outcome,
       -- cost: 1 + 2 * treatment whatever the features
       1 + 2 * (CASE WHEN (i * 7919) % 5 < 2 THEN 1 ELSE 0 END)::float8 AS cost
  FROM generate_series(1, 4000) i;

CREATE TEMP TABLE tr_holdout AS
SELECT * FROM tr_data WHERE uplift_in_holdout(unit_id, 0.25, 'uplift_train tr_a');

CREATE TEMP TABLE tr_r1 AS
SELECT * FROM uplift_train('tr_a', 'SELECT unit_id, features, treatment, outcome, cost FROM tr_data',
                           '{"holdout": 0.25, "strategy": "newest", "fit": {"base": "linear", "l2": 0}}');

SELECT is((SELECT version FROM tr_r1), 1, 'the first training registers version 1');
SELECT ok((SELECT deployed FROM tr_r1), 'strategy newest deploys it');
SELECT is((SELECT version FROM uplift_deployed('tr_a')), 1, 'and the deploy log says so');
SELECT is((SELECT (metrics ->> 'holdout_rows')::bigint FROM tr_r1), (SELECT count(*) FROM tr_holdout),
          'the holdout is the units uplift_in_holdout puts in a share of 0.25 under "uplift_train <name>"');
SELECT ok((SELECT count(*) FROM tr_holdout) BETWEEN 900 AND 1100, 'about a quarter of the units');
SELECT is((SELECT checksum FROM uplift_models WHERE name = 'tr_a' AND version = 1),
          (SELECT uplift_model_checksum(uplift_fit(features, treatment, outcome, '{"base": "linear", "l2": 0}'))
             FROM tr_data WHERE NOT uplift_in_holdout(unit_id, 0.25, 'uplift_train tr_a')),
          'the model is uplift_fit over the units outside the holdout');
SELECT ok(abs(uplift_score('tr_a', ARRAY[1, 0.5]) - 1) < 1e-9 AND abs(uplift_score('tr_a', ARRAY[0, 1]::float8[])) < 1e-9,
          'noiseless data: the effect is x1 exactly (1 and 0)');
SELECT ok(abs((SELECT holdout_value FROM tr_r1) -
              (SELECT uplift_qini_auc(features[1], treatment, outcome) FROM tr_holdout)) < 1e-12,
          'holdout_value is the Qini AUC of the true effect on the holdout rows');
SELECT ok(abs((SELECT (metrics ->> 'uplift_at_k')::float8 FROM tr_r1) -
              (SELECT uplift_at_k(features[1], treatment, outcome, 0.3, 'overall') FROM tr_holdout)) < 1e-12,
          'uplift_at_k at the default k = 0.3');
SELECT ok(abs((SELECT (metrics ->> 'auuc')::float8 FROM tr_r1) -
              (SELECT uplift_auuc(features[1], treatment, outcome) FROM tr_holdout)) < 1e-12,
          'AUUC, the outcome being 0/1');
SELECT is((SELECT jsonb_array_length(metrics -> 'actions' -> 0 -> 'deciles') FROM tr_r1), 10,
          'a decile table of 10 bins');
SELECT is((SELECT metrics -> 'actions' -> 0 -> 'calibration' ->> 'bins' FROM tr_r1), '10',
          'and calibration figures over 10 bins');
SELECT is((SELECT metric FROM tr_r1), 'qini_auc', 'the default metric is qini_auc');
SELECT is((SELECT deployed_value FROM tr_r1), NULL, 'no deployed version to compete with');

-- The cost column gives a cost model, registered and deployed with it:
-- cost = 1 + 2 * treatment, so its effect is 2 everywhere.
SELECT is((SELECT cost_version FROM tr_r1), 1, 'a cost column registers a cost model');
SELECT ok(abs(uplift_score('tr_a_cost', ARRAY[1, 0.5]) - 2) < 1e-9, 'deployed under <name>_cost; its effect is 2');
SELECT is((SELECT metrics FROM uplift_registry WHERE name = 'tr_a_cost' AND version = 1),
          '{"value_model": "tr_a", "value_version": 1}'::jsonb, 'its metrics name the value model');

-- strategy best: an S-learner without interactions has one effect for all,
-- so it ranks nobody and its Qini is lower; the deployed model is scored on
-- the same holdout and stays.
CREATE TEMP TABLE tr_r2 AS
SELECT * FROM uplift_train('tr_a', 'SELECT unit_id, features, treatment, outcome FROM tr_data',
                           '{"holdout": 0.25, "strategy": "best",
                             "fit": {"learner": "s_learner", "interactions": false, "base": "linear", "l2": 0}}');
SELECT is((SELECT version FROM tr_r2), 2, 'registered as version 2');
SELECT ok(NOT (SELECT deployed FROM tr_r2), 'strategy best does not deploy a worse model');
SELECT ok((SELECT holdout_value < deployed_value FROM tr_r2), 'its Qini is below the deployed one''s');
SELECT ok(abs((SELECT deployed_value FROM tr_r2) - (SELECT holdout_value FROM tr_r1)) < 1e-12,
          'the deployed version is scored on the same holdout rows');
SELECT is((SELECT version FROM uplift_deployed('tr_a')), 1, 'version 1 stays deployed');
SELECT is((SELECT cost_version FROM tr_r2), NULL, 'no cost column, no cost model');

CREATE TEMP TABLE tr_r3 AS
SELECT * FROM uplift_train('tr_a', 'SELECT unit_id, features, treatment, outcome FROM tr_data',
                           '{"holdout": 0.25, "strategy": "best", "fit": {"base": "linear", "l2": 0}}');
SELECT ok(NOT (SELECT deployed FROM tr_r3), 'a tie does not deploy (the deployed version must be beaten)');
CREATE TEMP TABLE tr_r4 AS
SELECT * FROM uplift_train('tr_a', 'SELECT unit_id, features, treatment, outcome FROM tr_data',
                           '{"holdout": 0.25, "metric": "uplift_at_k", "k": 0.5, "fit": {"base": "linear", "l2": 0}}');
SELECT ok((SELECT version = 4 AND NOT deployed AND metric = 'uplift_at_k' FROM tr_r4),
          'strategy none (the default) registers without deploying');
SELECT ok(abs((SELECT holdout_value FROM tr_r4) -
              (SELECT uplift_at_k(features[1], treatment, outcome, 0.5, 'overall') FROM tr_holdout)) < 1e-12,
          'metric uplift_at_k at k = 0.5');

-- A continuous outcome has no AUUC.
SELECT is((SELECT metrics ->> 'auuc' FROM uplift_train('tr_c',
              'SELECT unit_id, features, treatment, outcome + 0.5 * features[2] AS outcome FROM tr_data',
              '{"fit": {"base": "linear"}}')), NULL, 'AUUC is NULL for an outcome that is not 0/1');

-- The query runs under the caller's search_path and with the caller's rights.
CREATE SCHEMA tr_schema;
CREATE TABLE tr_schema.tr_only_here AS SELECT * FROM tr_data;
SET LOCAL search_path = tr_schema, public;
SELECT is((SELECT version FROM public.uplift_train('tr_b', 'SELECT unit_id, features, treatment, outcome FROM tr_only_here',
                                                   '{"fit": {"base": "linear"}}')),
          1, 'the training query sees the caller''s search_path');
RESET search_path;
CREATE ROLE tr_reader;
GRANT INSERT, SELECT ON uplift_registry, uplift_deployments TO tr_reader;
SET LOCAL ROLE tr_reader;
SELECT throws_ok($$SELECT uplift_train('tr_d', 'SELECT * FROM tr_schema.tr_only_here')$$, '42501', NULL,
                 'the query runs with the caller''s rights');
RESET ROLE;

-- Which model decided: exploring with a registered name uses the deployed
-- version (version 1: effect x1, so at x1 = 1 action 1 is best, chosen with
-- 1 - 0.2 + 0.2 / 2 = 0.9 under epsilon 0.2 over two arms, control with 0.1)
-- and logs its name, version and checksum.
SELECT uplift_create_assignment_log();
CREATE TEMP TABLE tr_logged AS
SELECT (uplift_explore_logged('tr_exp', g, 'tr_a', ARRAY[1, 0.5], 0.2)).* FROM generate_series(1, 20) g;
SELECT is((SELECT array_agg(DISTINCT params ->> 'model' || ' v' || (params ->> 'version')) FROM tr_logged),
          ARRAY['tr_a v1'], 'the log names the model and its deployed version');
SELECT is((SELECT array_agg(DISTINCT model_checksum) FROM uplift_assignment_log WHERE experiment = 'tr_exp'),
          (SELECT ARRAY[checksum] FROM uplift_models WHERE name = 'tr_a' AND version = 1), 'and its checksum');
SELECT ok((SELECT bool_and(propensity = CASE action WHEN 1 THEN 0.9 ELSE 0.1 END) FROM tr_logged),
          'the propensities are those of epsilon-greedy over the deployed version''s effect');
SELECT throws_ok($$SELECT uplift_explore_logged('tr_exp', 99, 'tr_nobody', ARRAY[1, 0.5])$$, '42704', NULL,
                 'an unknown name');

-- Errors; a failed training registers nothing.
SELECT throws_ok($$SELECT uplift_train(NULL, 'SELECT 1')$$, '22004', NULL, 'a NULL name');
SELECT throws_ok($$SELECT uplift_train('x', NULL)$$, '22004', NULL, 'a NULL query');
SELECT throws_ok($$SELECT uplift_train('x', 'SELECT * FROM tr_data', '{"holdout": 1}')$$, '22023',
                 'option "holdout" of uplift_train must be between 0 and 1, exclusive', 'a holdout of 1');
SELECT throws_ok($$SELECT uplift_train('x', 'SELECT * FROM tr_data', '{"strategy": "always"}')$$, '22023',
                 'option "strategy" of uplift_train must be none, newest or best', 'an unknown strategy');
SELECT throws_ok($$SELECT uplift_train('x', 'SELECT * FROM tr_data', '{"holdouts": 0.1}')$$, '22023',
                 'unknown option "holdouts" of uplift_train', 'an unknown option');
SELECT throws_ok($$SELECT uplift_train('x', 'SELECT unit_id, features, treatment AS t, outcome FROM tr_data')$$, '42703',
                 'query of uplift_train has no column "treatment"', 'a missing column is named');
SELECT throws_ok($$SELECT uplift_train('x', 'SELECT * FROM tr_data; DELETE FROM tr_data')$$, '42601', NULL,
                 'two statements');
SELECT throws_ok($$SELECT uplift_train('x', 'SELECT unit_id, features, 1 AS treatment, outcome FROM tr_data')$$,
                 '22000', 'treatment 0 of uplift_fit has no rows', 'uplift_fit''s error when the query has no control rows');
SELECT is((SELECT count(*) FROM uplift_registry WHERE name = 'x'), 0::bigint, 'and nothing is registered');

SELECT * FROM finish();
ROLLBACK;
