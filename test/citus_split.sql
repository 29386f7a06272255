-- pgTAP: the aggregates with a bounded state keep it in a concrete type, and
-- splitting them as Citus does gives the one-pass answer.  Citus (13.x)
-- pushes a custom aggregate down only when its state type is not a
-- pseudo-type: each shard runs the transition function alone and sends the
-- state as text (the type's output function), and the coordinator reads it
-- back (input function), merges the states with the combine function and
-- calls the final function.  Here the shards are four disjoint parts of the
-- rows (i mod 4) and one empty part (a NULL state).
BEGIN;
SELECT plan(92);

-- The state types of every aggregate whose state is bounded, listed by name:
-- each exists, and none keeps a pseudo-type (internal, anyelement, ...).
CREATE TEMP TABLE bounded (name text);
INSERT INTO bounded VALUES
 ('ips_value'), ('snips_value'), ('dr_value'), ('ope_overlap'),
 ('ips_diff'), ('snips_diff'), ('dr_diff'), ('sndr_value'), ('switch_dr_value'),
 ('uplift_ate'), ('ope_allocation'), ('uplift_fit_calibration'), ('uplift_interaction'),
 ('uplift_portfolio_holdout'), ('uplift_drift_profile_union'),
 ('allocate_threshold'), ('uplift_drift_profile'), ('uplift_newton_pass'), ('uplift_forest_pass');
SELECT is((SELECT array_agg(b.name ORDER BY b.name) FROM bounded b
            WHERE NOT EXISTS (SELECT 1 FROM pg_aggregate a JOIN pg_proc p ON p.oid = a.aggfnoid
                               WHERE p.proname = b.name AND a.aggcombinefn <> 0)),
          NULL, 'every listed bounded-state aggregate exists and has a combine function');
-- (uplift_drift_profile of a row alone excepted: Citus's shards could not
-- take its one row argument, so it keeps an internal state and is gathered.)
SELECT is((SELECT array_agg(p.oid::regprocedure::text ORDER BY 1)
             FROM pg_aggregate a JOIN pg_proc p ON p.oid = a.aggfnoid
             JOIN pg_type t ON t.oid = a.aggtranstype
            WHERE p.proname IN (SELECT name FROM bounded)
              AND p.oid <> 'uplift_drift_profile(record)'::regprocedure
              AND t.typtype = 'p'),
          NULL, 'no bounded-state aggregate has a pseudo-type state');

SELECT is((SELECT count(*)::int
             FROM pg_aggregate a JOIN pg_proc p ON p.oid = a.aggfnoid
            WHERE p.proname = 'allocate_threshold'
              AND a.aggtranstype = 'uplift_allocate_threshold_state'::regtype
              AND a.aggcombinefn = 'allocate_threshold_combinefn'::regproc
              AND a.aggserialfn = 0),
          3, 'the 3 signatures of allocate_threshold keep an uplift_allocate_threshold_state');
SELECT is((SELECT a.aggtranstype::regtype::text || ' ' || a.aggcombinefn::regprocedure::text FROM pg_aggregate a
            WHERE a.aggfnoid = 'uplift_drift_profile(record, jsonb)'::regprocedure),
          'uplift_drift_profile_state uplift_drift_profile_combinefn(uplift_drift_profile_state,uplift_drift_profile_state)',
          'uplift_drift_profile with options keeps an uplift_drift_profile_state');
SELECT is((SELECT format('%s %s %s %s', a.aggtranstype::regtype, a.aggcombinefn::regprocedure,
                         a.aggserialfn::regprocedure, a.aggdeserialfn::regprocedure)
             FROM pg_aggregate a WHERE a.aggfnoid = 'uplift_drift_profile(record)'::regprocedure),
          'internal uplift_drift_profile_combinefn(internal,internal) uplift_drift_profile_serialfn(internal) uplift_drift_profile_deserialfn(bytea,internal)',
          'uplift_drift_profile of a row alone keeps an internal state, parallel through its serial and deserial functions');

SELECT is((SELECT count(*)::int
             FROM pg_aggregate a JOIN pg_proc p ON p.oid = a.aggfnoid
            WHERE p.proname IN ('ips_value', 'snips_value', 'dr_value', 'ope_overlap')
              AND a.aggtranstype = 'uplift_ope_state'::regtype
              AND a.aggcombinefn = 'ope_combinefn'::regproc),
          8, 'the 8 signatures of ips_value, snips_value, dr_value and ope_overlap keep an uplift_ope_state');

SELECT is((SELECT count(*)::int
             FROM pg_aggregate a JOIN pg_proc p ON p.oid = a.aggfnoid
            WHERE p.proname IN ('ips_diff', 'snips_diff', 'dr_diff', 'sndr_value',
                                'switch_dr_value', 'uplift_ate', 'ope_allocation')
              AND a.aggtranstype = 'uplift_ope_compare_state'::regtype
              AND a.aggcombinefn = 'ope_compare_combinefn'::regproc),
          13, 'the 13 signatures of the paired off-policy aggregates keep an uplift_ope_compare_state');

SELECT is((SELECT a.aggtranstype::regtype::text FROM pg_aggregate a
            WHERE a.aggfnoid = 'uplift_fit_calibration(uplift_model, float8[], int, float8, float8)'::regprocedure),
          'uplift_fit_calibration_state', 'uplift_fit_calibration keeps an uplift_fit_calibration_state');

-- Helper aggregates: a shard's partial aggregate (the transition function
-- alone) and the coordinator's (the combine function, then the final one).
CREATE SCHEMA citus_split;
CREATE AGGREGATE citus_split.ips_value_partial(float8, float8, float8, jsonb)
    (SFUNC = ips_value_transfn, STYPE = uplift_ope_state);
CREATE AGGREGATE citus_split.snips_value_partial(float8, float8, float8, jsonb)
    (SFUNC = snips_value_transfn, STYPE = uplift_ope_state);
CREATE AGGREGATE citus_split.dr_value_partial(float8, float8, float8, float8, float8, jsonb)
    (SFUNC = dr_value_transfn, STYPE = uplift_ope_state);
CREATE AGGREGATE citus_split.ope_overlap_partial(float8, float8, jsonb)
    (SFUNC = ope_overlap_transfn, STYPE = uplift_ope_state);
CREATE AGGREGATE citus_split.ips_value_combine(uplift_ope_state)
    (SFUNC = ope_combinefn, STYPE = uplift_ope_state, FINALFUNC = ips_value_finalfn);
CREATE AGGREGATE citus_split.snips_value_combine(uplift_ope_state)
    (SFUNC = ope_combinefn, STYPE = uplift_ope_state, FINALFUNC = snips_value_finalfn);
CREATE AGGREGATE citus_split.dr_value_combine(uplift_ope_state)
    (SFUNC = ope_combinefn, STYPE = uplift_ope_state, FINALFUNC = dr_value_finalfn);
CREATE AGGREGATE citus_split.ope_overlap_combine(uplift_ope_state)
    (SFUNC = ope_combinefn, STYPE = uplift_ope_state, FINALFUNC = ope_overlap_finalfn);

CREATE AGGREGATE citus_split.ips_diff_partial(float8, float8, float8, float8, jsonb)
    (SFUNC = ips_diff_transfn, STYPE = uplift_ope_compare_state);
CREATE AGGREGATE citus_split.snips_diff_partial(float8, float8, float8, float8, jsonb)
    (SFUNC = snips_diff_transfn, STYPE = uplift_ope_compare_state);
CREATE AGGREGATE citus_split.dr_diff_partial(float8, float8, float8, float8, float8, float8, float8, jsonb)
    (SFUNC = dr_diff_transfn, STYPE = uplift_ope_compare_state);
CREATE AGGREGATE citus_split.sndr_value_partial(float8, float8, float8, float8, float8, jsonb)
    (SFUNC = sndr_value_transfn, STYPE = uplift_ope_compare_state);
CREATE AGGREGATE citus_split.switch_dr_value_partial(float8, float8, float8, float8, float8, jsonb)
    (SFUNC = switch_dr_value_transfn, STYPE = uplift_ope_compare_state);
CREATE AGGREGATE citus_split.uplift_ate_partial(int, float8, jsonb)
    (SFUNC = uplift_ate_transfn, STYPE = uplift_ope_compare_state);
CREATE AGGREGATE citus_split.ope_allocation_partial(int, float8, int, float8, float8, jsonb)
    (SFUNC = ope_allocation_transfn, STYPE = uplift_ope_compare_state);
CREATE AGGREGATE citus_split.ips_diff_combine(uplift_ope_compare_state)
    (SFUNC = ope_compare_combinefn, STYPE = uplift_ope_compare_state, FINALFUNC = ips_diff_finalfn);
CREATE AGGREGATE citus_split.snips_diff_combine(uplift_ope_compare_state)
    (SFUNC = ope_compare_combinefn, STYPE = uplift_ope_compare_state, FINALFUNC = snips_diff_finalfn);
CREATE AGGREGATE citus_split.dr_diff_combine(uplift_ope_compare_state)
    (SFUNC = ope_compare_combinefn, STYPE = uplift_ope_compare_state, FINALFUNC = dr_diff_finalfn);
CREATE AGGREGATE citus_split.sndr_value_combine(uplift_ope_compare_state)
    (SFUNC = ope_compare_combinefn, STYPE = uplift_ope_compare_state, FINALFUNC = sndr_value_finalfn);
CREATE AGGREGATE citus_split.switch_dr_value_combine(uplift_ope_compare_state)
    (SFUNC = ope_compare_combinefn, STYPE = uplift_ope_compare_state, FINALFUNC = switch_dr_value_finalfn);
CREATE AGGREGATE citus_split.uplift_ate_combine(uplift_ope_compare_state)
    (SFUNC = ope_compare_combinefn, STYPE = uplift_ope_compare_state, FINALFUNC = uplift_ate_finalfn);
CREATE AGGREGATE citus_split.ope_allocation_combine(uplift_ope_compare_state)
    (SFUNC = ope_compare_combinefn, STYPE = uplift_ope_compare_state, FINALFUNC = ope_allocation_finalfn);

-- 30,000 logged rows of the demo campaign for the paired aggregates (as in
-- test/ope_compare_parallel.sql); ope_parallel_log (fixtures) for the others.
CREATE TABLE cmp_log AS
SELECT unit_id AS i, action, propensity, value, cost,
       CASE action WHEN 2 THEN 0.8 ELSE 0.1 END AS ta,
       CASE action WHEN 1 THEN 0.6 ELSE 0.2 END AS tb,
       CASE action WHEN 0 THEN 5.75 WHEN 1 THEN 6.5 ELSE 7.5 END AS ql,
       0.1 * 5.75 + 0.1 * 6.5 + 0.8 * 7.5 AS qa,
       0.2 * 5.75 + 0.6 * 6.5 + 0.2 * 7.5 AS qb,
       (unit_id % 3)::int AS chosen
FROM uplift_demo_campaign(30000, 5);
ANALYZE cmp_log;

-- Each case: the aggregate's arguments, the table, its options, and how its
-- result becomes a float8[] ("e" is the result).  {agg} is replaced by the
-- aggregate for the one-pass query, and by the combine helper over the
-- states of the partial helper for the split one.
CREATE TEMP TABLE cases (name text, agg text, args text, tab text, opts text, result text);
INSERT INTO cases VALUES
 ('ips_value', 'ips_value', 'reward, logged_propensity, target_propensity', 'ope_parallel_log', '{}',
  'ARRAY[(e).estimate, (e).std_error, (e).ci_low, (e).ci_high, (e).n]'),
 ('snips_value clip', 'snips_value', 'reward, logged_propensity, target_propensity', 'ope_parallel_log', '{"clip": 3}',
  'ARRAY[(e).estimate, (e).std_error, (e).ci_low, (e).ci_high, (e).n]'),
 ('dr_value', 'dr_value', 'reward, logged_propensity, target_propensity, q_logged, q_target', 'ope_parallel_log', '{"alpha": 0.1}',
  'ARRAY[(e).estimate, (e).std_error, (e).ci_low, (e).ci_high, (e).n]'),
 ('ope_overlap', 'ope_overlap', 'logged_propensity, target_propensity', 'ope_parallel_log', '{"floor": 0.25, "clip": 3.5}',
  'ARRAY[(e).n, (e).sum_weight, (e).mean_weight, (e).max_weight, (e).ess, (e).min_logged_propensity, (e).share_below_floor, (e).n_clipped]'),
 ('snips_value bootstrap', 'snips_value', 'reward, logged_propensity, target_propensity', 'ope_parallel_log',
  '{"ci": "bootstrap", "n_boot": 50, "seed": 7}',
  'ARRAY[(e).estimate, (e).std_error, (e).ci_low, (e).ci_high, (e).n]'),
 ('dr_value bootstrap', 'dr_value', 'reward, logged_propensity, target_propensity, q_logged, q_target', 'ope_parallel_log',
  '{"ci": "bootstrap", "n_boot": 50, "seed": 7}',
  'ARRAY[(e).estimate, (e).std_error, (e).ci_low, (e).ci_high, (e).n]'),
 ('ips_diff', 'ips_diff', 'value, propensity, ta, tb', 'cmp_log', '{}',
  'ARRAY[(e).estimate, (e).std_error, (e).ci_low, (e).ci_high, (e).n]'),
 ('snips_diff', 'snips_diff', 'value, propensity, ta, tb', 'cmp_log', '{"clip": 2.5}',
  'ARRAY[(e).estimate, (e).std_error, (e).ci_low, (e).ci_high, (e).n]'),
 ('dr_diff', 'dr_diff', 'value, propensity, ta, tb, ql, qa, qb', 'cmp_log', '{}',
  'ARRAY[(e).estimate, (e).std_error, (e).ci_low, (e).ci_high, (e).n]'),
 ('sndr_value', 'sndr_value', 'value, propensity, ta, ql, qa', 'cmp_log', '{}',
  'ARRAY[(e).estimate, (e).std_error, (e).ci_low, (e).ci_high, (e).n]'),
 ('switch_dr_value', 'switch_dr_value', 'value, propensity, ta, ql, qa', 'cmp_log', '{"tau": 2}',
  'ARRAY[(e).estimate, (e).std_error, (e).ci_low, (e).ci_high, (e).n]'),
 ('uplift_ate', 'uplift_ate', 'action, value', 'cmp_log', '{}',
  '(SELECT array_agg(x ORDER BY k, j) FROM unnest(e) WITH ORDINALITY u(m, s, l, h, n, k),
          LATERAL unnest(ARRAY[m, s, l, h, n]) WITH ORDINALITY v(x, j))'),
 ('ope_allocation', 'ope_allocation', 'action, propensity, chosen, value, cost', 'cmp_log',
  '{"actions": 2, "epsilon": 0.1, "baseline": "untargeted"}',
  '(SELECT array_agg(x ORDER BY k, j) FROM unnest(e) WITH ORDINALITY u(o, p, b, d, s, l, h, n, k),
          LATERAL unnest(ARRAY[p, b, d, s, l, h, n]) WITH ORDINALITY v(x, j))');

CREATE FUNCTION pg_temp.one_pass(c cases) RETURNS text LANGUAGE sql AS $$
    SELECT format('SELECT %s FROM (SELECT %s(%s, %L) AS e FROM %s) s', c.result, c.agg, c.args, c.opts, c.tab)
$$;

-- The states of the parts go through text, as Citus ships them.
CREATE FUNCTION pg_temp.split(c cases) RETURNS text LANGUAGE sql AS $$
    SELECT format('SELECT %1$s FROM (SELECT citus_split.%2$s_combine(part::text::%6$s) AS e
                     FROM (SELECT citus_split.%2$s_partial(%3$s, %4$L) AS part FROM %5$s GROUP BY i %% 4
                           UNION ALL SELECT NULL) parts) s',
                  c.result, c.agg, c.args, c.opts, c.tab,
                  CASE WHEN c.tab = 'cmp_log' THEN 'uplift_ope_compare_state' ELSE 'uplift_ope_state' END)
$$;

SELECT force_serial();
CREATE TEMP TABLE answers AS
SELECT name, query_float8s(pg_temp.one_pass(c)) AS one_pass, query_float8s(pg_temp.split(c)) AS split
FROM cases c;
SELECT force_parallel();
CREATE TEMP TABLE parallel_answers AS SELECT name, query_float8s(pg_temp.one_pass(c)) AS v FROM cases c;
SELECT force_serial();

SELECT ok(arrays_close(a.split, a.one_pass, 1e-12),
          format('%s: four parts through text, combined and finished, equal the one-pass answer to 1e-12', a.name))
FROM answers a ORDER BY a.name;

SELECT ok(arrays_close(p.v, a.one_pass, 1e-12),
          format('%s: the forced-parallel answer equals the one-pass answer to 1e-12', a.name))
FROM answers a JOIN parallel_answers p USING (name) ORDER BY a.name;

-- uplift_fit_calibration on the demo campaign with a distorted model (as in
-- test/calibrate.sql); the result compared is every calibration line.
CREATE AGGREGATE citus_split.uplift_fit_calibration_partial(uplift_model, float8[], int, float8, float8)
    (SFUNC = uplift_fit_calibration_transfn, STYPE = uplift_fit_calibration_state);
CREATE AGGREGATE citus_split.uplift_fit_calibration_combine(uplift_fit_calibration_state)
    (SFUNC = uplift_fit_calibration_combinefn, STYPE = uplift_fit_calibration_state,
     FINALFUNC = uplift_fit_calibration_finalfn);
CREATE TABLE calib_camp AS SELECT * FROM uplift_demo_campaign(8000, 11);
CREATE TABLE calib_m AS SELECT uplift_model_import('{"learner":"t_learner","base":"linear","n_actions":2,"n_features":5,
  "heads":[{"role":"outcome","action":0,"link":"identity","intercept":0,"coefficients":[0,0,0,0,0]},
           {"role":"outcome","action":1,"link":"identity","intercept":1.5,"coefficients":[1.6,0,-1.0,0,0]},
           {"role":"outcome","action":2,"link":"identity","intercept":1.75,"coefficients":[-0.3,0.5,0,0.25,0]}]}') AS raw;
ANALYZE calib_camp;
ANALYZE calib_m;
CREATE TEMP TABLE calib_answers AS
SELECT (SELECT calibration_lines(uplift_fit_calibration(m.raw, c.features, c.action, c.value, c.propensity))
          FROM calib_camp c, calib_m m) AS one_pass,
       (SELECT calibration_lines(citus_split.uplift_fit_calibration_combine(part::text::uplift_fit_calibration_state))
          FROM (SELECT citus_split.uplift_fit_calibration_partial(m.raw, c.features, c.action, c.value, c.propensity) AS part
                FROM calib_camp c, calib_m m GROUP BY c.unit_id % 4
                UNION ALL SELECT NULL) parts) AS split;
SELECT force_parallel();
CREATE TEMP TABLE calib_parallel AS
SELECT calibration_lines(uplift_fit_calibration((SELECT raw FROM calib_m), c.features, c.action, c.value, c.propensity)) AS v
FROM calib_camp c;
SELECT force_serial();
SELECT ok(cardinality(one_pass) = 6 AND arrays_close(split, one_pass, 1e-12),
          'uplift_fit_calibration: four parts through text, combined and finished, equal the one-pass lines to 1e-12')
FROM calib_answers;
SELECT ok(arrays_close(p.v, a.one_pass, 1e-12),
          'uplift_fit_calibration: the forced-parallel lines equal the one-pass lines to 1e-12')
FROM calib_answers a, calib_parallel p;

-- The text form is base64 of the binary form (the send function).
SELECT ok((SELECT uplift_ope_state_send(s) = decode(s::text, 'base64')
             FROM (SELECT citus_split.dr_value_partial(reward, logged_propensity, target_propensity,
                                                        q_logged, q_target, '{"ci": "bootstrap"}') s
                   FROM ope_parallel_log WHERE i <= 100) p),
          'uplift_ope_state: the text form is base64 of the binary form');
SELECT ok((SELECT uplift_ope_compare_state_send(s) = decode(s::text, 'base64')
             FROM (SELECT citus_split.uplift_ate_partial(action, value, NULL) s FROM cmp_log) p),
          'uplift_ope_compare_state: the text form is base64 of the binary form');

-- Damaged or hostile text states: an error naming the type, never a crash.
CREATE TEMP TABLE good AS
SELECT decode(s::text, 'base64') AS b FROM (
    SELECT citus_split.ips_value_partial(reward, logged_propensity, target_propensity, '{}') s
    FROM ope_parallel_log) p;
CREATE TEMP TABLE good_boot AS
SELECT decode(s::text, 'base64') AS b FROM (
    SELECT citus_split.snips_value_partial(reward, logged_propensity, target_propensity, '{"ci": "bootstrap"}') s
    FROM ope_parallel_log WHERE i <= 10) p;
CREATE TEMP TABLE good_cmp AS
SELECT decode(s::text, 'base64') AS b FROM (
    SELECT citus_split.uplift_ate_partial(action, value, NULL) s FROM cmp_log) p;

CREATE FUNCTION pg_temp.state(b bytea) RETURNS text LANGUAGE sql AS
$$SELECT format('SELECT %L::uplift_ope_state', encode(b, 'base64'))$$;
CREATE FUNCTION pg_temp.cmp_state(b bytea) RETURNS text LANGUAGE sql AS
$$SELECT format('SELECT %L::uplift_ope_compare_state', encode(b, 'base64'))$$;
-- b with the 8 bytes at (0-based) offset "at" replaced by "x".
CREATE FUNCTION pg_temp.put(b bytea, at int, x bytea) RETURNS bytea LANGUAGE sql AS
$$SELECT overlay(b PLACING x FROM at + 1 FOR length(x))$$;

SELECT lives_ok((SELECT pg_temp.state(b) FROM good), 'a valid uplift_ope_state reads back');
SELECT throws_ok('SELECT ''not base64!''::uplift_ope_state', '22P02', NULL, 'uplift_ope_state: text that is not base64');
SELECT throws_ok((SELECT pg_temp.state(substr(b, 1, 100)) FROM good), '22P02',
                 'invalid uplift_ope_state value', 'uplift_ope_state: a truncated value');
SELECT throws_ok((SELECT pg_temp.state(b || '\x00'::bytea) FROM good), '22P02',
                 'invalid uplift_ope_state value', 'uplift_ope_state: a trailing byte');
SELECT throws_ok((SELECT pg_temp.state(set_byte(b, 0, 9)) FROM good), '22P02',
                 'invalid uplift_ope_state value', 'uplift_ope_state: an unknown format version');
SELECT throws_ok((SELECT pg_temp.state(set_byte(b, 1, 99)) FROM good), '22P02',
                 'invalid uplift_ope_state value', 'uplift_ope_state: an unknown estimator');
-- alpha (offset 2) NaN; n_clipped (offset 71) above n; the sum of c (offset 135) NaN
SELECT throws_ok((SELECT pg_temp.state(pg_temp.put(b, 2, '\x7ff8000000000000')) FROM good), '22P02',
                 'invalid uplift_ope_state value', 'uplift_ope_state: alpha NaN');
SELECT throws_ok((SELECT pg_temp.state(pg_temp.put(b, 71, '\x7fffffffffffffff')) FROM good), '22P02',
                 'invalid uplift_ope_state value', 'uplift_ope_state: more clipped rows than rows');
SELECT throws_ok((SELECT pg_temp.state(pg_temp.put(b, 135, '\x7ff8000000000000')) FROM good), '22P02',
                 'invalid uplift_ope_state value', 'uplift_ope_state: a NaN sum');
-- bootstrap: the kept row count (offset 183) off by one; a kept row infinite
SELECT throws_ok((SELECT pg_temp.state(set_byte(b, 186, get_byte(b, 186) + 1)) FROM good_boot), '22P02',
                 'invalid uplift_ope_state value', 'uplift_ope_state: kept rows that do not match the row count');
SELECT throws_ok((SELECT pg_temp.state(pg_temp.put(b, 187, '\x7ff0000000000000')) FROM good_boot), '22P02',
                 'invalid uplift_ope_state value', 'uplift_ope_state: a kept row that is not finite');
SELECT throws_ok((SELECT pg_temp.cmp_state(substr(b, 1, length(b) - 8)) FROM good_cmp), '22P02',
                 'invalid uplift_ope_compare_state value', 'uplift_ope_compare_state: a truncated value');
SELECT throws_ok((SELECT pg_temp.cmp_state(set_byte(b, 1, 42)) FROM good_cmp), '22P02',
                 'invalid uplift_ope_compare_state value', 'uplift_ope_compare_state: an unknown estimator');
-- group 0's row count (offset 52) negative
SELECT throws_ok((SELECT pg_temp.cmp_state(pg_temp.put(b, 52, '\xffffffffffffffff')) FROM good_cmp), '22P02',
                 'invalid uplift_ope_compare_state value', 'uplift_ope_compare_state: a negative row count');

CREATE TEMP TABLE good_calib AS
SELECT decode(s::text, 'base64') AS b FROM (
    SELECT citus_split.uplift_fit_calibration_partial(m.raw, c.features, c.action, c.value, c.propensity) s
    FROM calib_camp c, calib_m m) p;
SELECT lives_ok((SELECT format('SELECT %L::uplift_fit_calibration_state', encode(b, 'base64')) FROM good_calib),
                'a valid uplift_fit_calibration_state reads back');
SELECT throws_ok((SELECT format('SELECT %L::uplift_fit_calibration_state', encode(substr(b, 1, length(b) - 8), 'base64'))
                    FROM good_calib), '22P02',
                 'invalid uplift_fit_calibration_state value', 'uplift_fit_calibration_state: a truncated value');
SELECT throws_ok((SELECT format('SELECT %L::uplift_fit_calibration_state', encode(set_byte(b, 0, 7), 'base64'))
                    FROM good_calib), '22P02',
                 'invalid uplift_fit_calibration_state value', 'uplift_fit_calibration_state: an unknown format version');
-- the model's length (offset 1) beyond the value
SELECT throws_ok((SELECT format('SELECT %L::uplift_fit_calibration_state',
                                encode(overlay(b PLACING '\x7fffffff'::bytea FROM 2 FOR 4), 'base64'))
                    FROM good_calib), '22P02',
                 'invalid uplift_fit_calibration_state value', 'uplift_fit_calibration_state: a model longer than the value');

-- A state of one aggregate is refused by another.
SELECT throws_ok($$SELECT citus_split.snips_value_combine(s) FROM (
                     SELECT citus_split.ips_value_partial(reward, logged_propensity, target_propensity, '{}') s
                     FROM ope_parallel_log) p$$,
                 '22023', 'a state of ips_value cannot be used by snips_value',
                 'a state of ips_value is refused by the final function of snips_value');
-- The support functions run only inside an aggregate.
SELECT throws_ok((SELECT format('SELECT ips_value_finalfn(%L::uplift_ope_state)', encode(b, 'base64')) FROM good),
                 '0A000', NULL, 'a final function called outside an aggregate is an error');

-- ------------------------------------------------------ allocate_threshold
-- 160,000 units x 4 actions (random, seeded), some costs negative, action 4
-- not offered to about a tenth: each part adds more than the 65,536
-- increments at which a state is first cut, so the parts' states are cut
-- before they are combined.
SELECT setseed(0.17);
CREATE TABLE alloc_units AS
SELECT u::bigint AS unit_id,
       array_agg(CASE WHEN a = 4 AND random() < 0.1 THEN NULL
                      ELSE round((random() * 20 - 4)::numeric, 2)::float8 END ORDER BY a) AS v,
       array_agg(round((random() * 10.5 - 0.5)::numeric, 2)::float8 ORDER BY a) AS c
FROM generate_series(1, 160000) u, generate_series(1, 4) a
GROUP BY u;
ANALYZE alloc_units;

CREATE AGGREGATE citus_split.allocate_threshold_partial(float8[], float8[], float8)
    (SFUNC = allocate_threshold_transfn, STYPE = uplift_allocate_threshold_state);
CREATE AGGREGATE citus_split.allocate_threshold_partial(float8[], float8[], float8, jsonb)
    (SFUNC = allocate_threshold_transfn, STYPE = uplift_allocate_threshold_state);
CREATE AGGREGATE citus_split.allocate_threshold_partial(bigint, float8[], float8[], float8, jsonb)
    (SFUNC = allocate_threshold_transfn, STYPE = uplift_allocate_threshold_state);
CREATE AGGREGATE citus_split.allocate_threshold_combine(uplift_allocate_threshold_state)
    (SFUNC = allocate_threshold_combinefn, STYPE = uplift_allocate_threshold_state,
     FINALFUNC = allocate_threshold_finalfn, FINALFUNC_MODIFY = READ_WRITE);

CREATE TEMP TABLE alloc_cases (name text, args text);
INSERT INTO alloc_cases VALUES
 ('allocate_threshold', 'v, c, 60000'),
 ('allocate_threshold with options', 'v, c, 150000, ''{"pace": 0.5, "spent": 3000, "min_roi": 1.5}'''),
 ('allocate_threshold with unit ids', 'unit_id, v, c, 60000, ''{"min_roi": 0.5}'''),
 ('allocate_threshold, no limit', 'v, c, ''Infinity''');
CREATE FUNCTION pg_temp.alloc_one_pass(c alloc_cases) RETURNS text LANGUAGE sql AS $$
    SELECT format('SELECT ARRAY[allocate_threshold(%s)] FROM alloc_units', c.args)
$$;
CREATE FUNCTION pg_temp.alloc_split(c alloc_cases) RETURNS text LANGUAGE sql AS $$
    SELECT format('SELECT ARRAY[citus_split.allocate_threshold_combine(part::text::uplift_allocate_threshold_state)]
                     FROM (SELECT citus_split.allocate_threshold_partial(%s) AS part FROM alloc_units
                           GROUP BY unit_id %% 4 UNION ALL SELECT NULL) parts', c.args)
$$;
SELECT force_serial();
CREATE TEMP TABLE alloc_answers AS
SELECT name, query_float8s(pg_temp.alloc_one_pass(c)) AS one_pass, query_float8s(pg_temp.alloc_split(c)) AS split
FROM alloc_cases c;
SELECT force_parallel();
CREATE TEMP TABLE alloc_parallel AS SELECT name, query_float8s(pg_temp.alloc_one_pass(c)) AS v FROM alloc_cases c;
SELECT force_serial();

SELECT ok((SELECT bool_and(one_pass[1] > 0) FROM alloc_answers WHERE name <> 'allocate_threshold, no limit')
          AND (SELECT one_pass[1] = 0 FROM alloc_answers WHERE name = 'allocate_threshold, no limit'),
          'allocate_threshold: the budgets bind (a positive threshold), but for no limit (0)');
SELECT is(a.split, a.one_pass, format('%s: four parts through text, combined and finished, equal the one-pass threshold', a.name))
FROM alloc_answers a ORDER BY a.name;
SELECT is(p.v, a.one_pass, format('%s: the forced-parallel threshold equals the one-pass one', a.name))
FROM alloc_answers a JOIN alloc_parallel p USING (name) ORDER BY a.name;

-- ---------------------------------------------------- uplift_drift_profile
-- The profile of the split (four parts of the rows and an empty one, their
-- states through text) is the one-pass profile, byte for byte, and so is
-- what uplift_drift_profile_info reads from it.
CREATE TABLE drift_ref AS
SELECT unit_id AS i, features[1] AS x1, round(features[4]::numeric, 2) AS x4,
       (unit_id % 5)::int AS n5, CASE WHEN features[3] = 1 THEN 'flag' ELSE 'none' END AS seg,
       CASE WHEN unit_id % 7 = 0 THEN NULL ELSE features[2] END AS x2
FROM uplift_demo_campaign(20000, 3);
ANALYZE drift_ref;
CREATE AGGREGATE citus_split.uplift_drift_profile_partial(record, jsonb)
    (SFUNC = uplift_drift_profile_transfn, STYPE = uplift_drift_profile_state);
CREATE AGGREGATE citus_split.uplift_drift_profile_combine(uplift_drift_profile_state)
    (SFUNC = uplift_drift_profile_combinefn, STYPE = uplift_drift_profile_state,
     FINALFUNC = uplift_drift_profile_finalfn);
-- the combine function alone: its result is the merged state
CREATE AGGREGATE citus_split.uplift_drift_profile_merged(uplift_drift_profile_state)
    (SFUNC = uplift_drift_profile_combinefn, STYPE = uplift_drift_profile_state);

CREATE TEMP TABLE drift_answers AS
SELECT (SELECT uplift_drift_profile(r) FROM (SELECT x1, x4, n5, seg, x2 FROM drift_ref) r) AS one_pass,
       (SELECT citus_split.uplift_drift_profile_combine(part::text::uplift_drift_profile_state)
          FROM (SELECT citus_split.uplift_drift_profile_partial(r, NULL) AS part
                  FROM drift_ref d, LATERAL (SELECT d.x1, d.x4, d.n5, d.seg, d.x2) r
                 GROUP BY d.i % 4
                UNION ALL SELECT NULL) parts) AS split;
SELECT force_parallel();
CREATE TEMP TABLE drift_parallel AS
SELECT uplift_drift_profile(r) AS p FROM (SELECT x1, x4, n5, seg, x2 FROM drift_ref) r;
SELECT force_serial();

SELECT ok((SELECT (uplift_drift_profile_info(one_pass) -> 'columns' -> 0 ->> 'n')::int = 20000
                  AND (uplift_drift_profile_info(one_pass) -> 'columns' -> 4 ->> 'nulls')::int
                      = (SELECT count(*) FROM drift_ref WHERE x2 IS NULL)
             FROM drift_answers),
          'uplift_drift_profile: the one-pass profile counts every row and every NULL');
SELECT is((SELECT uplift_drift_profile_info(split) FROM drift_answers),
          (SELECT uplift_drift_profile_info(one_pass) FROM drift_answers),
          'uplift_drift_profile: four parts through text, combined and finished, give the one-pass uplift_drift_profile_info');
SELECT is((SELECT split::text FROM drift_answers), (SELECT one_pass::text FROM drift_answers),
          'uplift_drift_profile: the split profile equals the one-pass profile, byte for byte');
SELECT is((SELECT p::text FROM drift_parallel), (SELECT one_pass::text FROM drift_answers),
          'uplift_drift_profile: the forced-parallel profile equals the one-pass profile, byte for byte');
-- PSI reads the deciles and bin counts, which a profile keeps exactly (KS
-- reads its grid of quantiles, which is exact only for few distinct values).
SELECT is((SELECT array_agg(format('%s %s %s %s', d.feature, d.psi, d.n_reference, d.n_current) ORDER BY d.feature)
             FROM drift_answers a, uplift_drift(a.split, 'SELECT x1 + 0.05 AS x1, x4, n5, seg, x2 FROM drift_ref WHERE i % 3 = 0') d),
          (SELECT array_agg(format('%s %s %s %s', d.feature, d.psi, d.n_reference, d.n_current) ORDER BY d.feature)
             FROM uplift_drift('SELECT x1, x4, n5, seg, x2 FROM drift_ref',
                               'SELECT x1 + 0.05 AS x1, x4, n5, seg, x2 FROM drift_ref WHERE i % 3 = 0') d),
          'uplift_drift: PSI and counts against the split profile equal those against the reference rows themselves');

-- Past the cap (1,048,576 values of a column), two parts' values are folded
-- into a sketch when the states are combined; the merged state, sketch and
-- all, reads back and writes out to the same bytes, and finishes with every
-- row counted.
CREATE TEMP TABLE drift_big AS
SELECT citus_split.uplift_drift_profile_merged(part) AS s
FROM (SELECT citus_split.uplift_drift_profile_partial(r, NULL) AS part
        FROM generate_series(1, 1100000) g,
             LATERAL (SELECT ((g::bigint * 7919) % 1100009)::float8 / 1100009 AS u) r
       GROUP BY g <= 600000) parts;
-- (offsets: the column's kept values 27, the values from 35, then the sketch flag)
SELECT ok((SELECT n IN (500000, 600000) AND get_byte(b, 35 + 8 * n::int) = 1
             FROM (SELECT b, ('x' || encode(substr(b, 28, 8), 'hex'))::bit(64)::bigint AS n
                     FROM (SELECT uplift_drift_profile_state_send(s) AS b FROM drift_big) x) y),
          'the merged state keeps one part''s values and a sketch of the other''s, folded away');
SELECT is((SELECT uplift_drift_profile_state_send(citus_split.uplift_drift_profile_merged(s)) FROM drift_big),
          (SELECT uplift_drift_profile_state_send(s) FROM drift_big),
          'a state with a sketch, read back and written out, has the same bytes');
SELECT is((SELECT (uplift_drift_profile_info(citus_split.uplift_drift_profile_combine(s::text::uplift_drift_profile_state))
                   -> 'columns' -> 0 ->> 'n')::int FROM drift_big),
          1100000, 'the profile of the merged state counts every row');

-- ----------------------------------------------- damaged and hostile states
SELECT ok((SELECT uplift_allocate_threshold_state_send(s) = decode(s::text, 'base64')
             FROM (SELECT citus_split.allocate_threshold_partial(v, c, 1000) s FROM alloc_units WHERE unit_id <= 50) p),
          'uplift_allocate_threshold_state: the text form is base64 of the binary form');
SELECT ok((SELECT uplift_drift_profile_state_send(s) = decode(s::text, 'base64')
             FROM (SELECT citus_split.uplift_drift_profile_partial(r, NULL) s
                     FROM (SELECT x1, seg FROM drift_ref WHERE i <= 100) r) p),
          'uplift_drift_profile_state: the text form is base64 of the binary form');

-- CRC-32C (Castagnoli, reflected polynomial 0x82F63B78) of b, big-endian,
-- computed here bit by bit; reseal(b) replaces b's last 4 bytes with that of
-- the bytes before them, so that a value changed on purpose passes the
-- checksum and meets the checks behind it.
CREATE FUNCTION pg_temp.crc32c(b bytea) RETURNS bytea LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE crc bigint := 4294967295;
BEGIN
    FOR i IN 0 .. length(b) - 1 LOOP
        crc := crc # get_byte(b, i);
        FOR k IN 1 .. 8 LOOP
            crc := CASE WHEN crc & 1 = 1 THEN (crc >> 1) # 2197175160 ELSE crc >> 1 END;
        END LOOP;
    END LOOP;
    RETURN decode(lpad(to_hex(crc # 4294967295), 8, '0'), 'hex');
END $$;
CREATE FUNCTION pg_temp.reseal(b bytea) RETURNS bytea LANGUAGE sql AS
$$SELECT substr(b, 1, length(b) - 4) || pg_temp.crc32c(substr(b, 1, length(b) - 4))$$;

-- a state of 5 units, and one of 3 rows: x1 (1, 2, 3) and seg ('a', 'b', 'a')
CREATE TEMP TABLE small_alloc AS
SELECT uplift_allocate_threshold_state_send(citus_split.allocate_threshold_partial(v, c, 20)) AS b
FROM alloc_units WHERE unit_id <= 5;
CREATE TEMP TABLE small_drift AS
SELECT uplift_drift_profile_state_send(citus_split.uplift_drift_profile_partial(r, NULL)) AS b
FROM (VALUES (1.0::float8, 'a'), (2.0, 'b'), (3.0, 'a')) r(x1, seg);

SELECT ok((SELECT substr(b, length(b) - 3) = pg_temp.crc32c(substr(b, 1, length(b) - 4)) FROM small_alloc)
          AND (SELECT substr(b, length(b) - 3) = pg_temp.crc32c(substr(b, 1, length(b) - 4)) FROM small_drift),
          'both state types end with the CRC-32C of the bytes before it');
SELECT is((SELECT length(b) FROM small_drift), 111, 'the small drift state has the layout the offsets below assume');

-- the SQLSTATE of reading b as a value of type t from its text form, or 'ok'
CREATE FUNCTION pg_temp.outcome(t text, b bytea) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('SELECT %L::%s', encode(b, 'base64'), t);
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE;
END $$;

-- every truncation, a trailing byte, and one bit flipped in every byte
SELECT is((SELECT array_agg(DISTINCT pg_temp.outcome('uplift_allocate_threshold_state', substr(b, 1, n)))
             FROM small_alloc, generate_series(0, length(b) - 1) n),
          '{22P02}', 'uplift_allocate_threshold_state: every truncated value is refused (22P02)');
SELECT is((SELECT array_agg(DISTINCT pg_temp.outcome('uplift_allocate_threshold_state',
                                                     set_bit(b, 8 * n + n % 8, 1 - get_bit(b, 8 * n + n % 8))))
             FROM small_alloc, generate_series(0, length(b) - 1) n),
          '{22P02}', 'uplift_allocate_threshold_state: a bit flipped anywhere is refused (22P02)');
SELECT is((SELECT array_agg(DISTINCT pg_temp.outcome('uplift_drift_profile_state', substr(b, 1, n)))
             FROM small_drift, generate_series(0, length(b) - 1) n),
          '{22P03}', 'uplift_drift_profile_state: every truncated value is refused (22P03)');
SELECT is((SELECT array_agg(DISTINCT pg_temp.outcome('uplift_drift_profile_state',
                                                     set_bit(b, 8 * n + n % 8, 1 - get_bit(b, 8 * n + n % 8))))
             FROM small_drift, generate_series(0, length(b) - 1) n),
          '{22P03}', 'uplift_drift_profile_state: a bit flipped anywhere is refused (22P03)');
SELECT is((SELECT pg_temp.outcome('uplift_allocate_threshold_state', b || '\x00'::bytea) || ' '
                  || pg_temp.outcome('uplift_allocate_threshold_state', pg_temp.reseal(b || '\x00000000'::bytea))
             FROM small_alloc),
          '22P02 22P02', 'uplift_allocate_threshold_state: a trailing byte is refused, resealed or not');
SELECT throws_ok('SELECT ''not base64!''::uplift_drift_profile_state', '22P02', NULL,
                 'uplift_drift_profile_state: text that is not base64');

-- Hostile values with a valid checksum.  Allocation state offsets: version 0,
-- budget 1, available 9, min_roi 17, units 25, increments 33, the first
-- increment's ratio 37, from_cost 45, to_cost 53.
CREATE TEMP TABLE hostile (t text, what text, b bytea);
INSERT INTO hostile
SELECT 'uplift_allocate_threshold_state', what, pg_temp.reseal(x) FROM small_alloc,
LATERAL (VALUES ('unchanged', b),
                ('an unknown format version', set_byte(b, 0, 9)),
                ('a NaN budget', pg_temp.put(b, 1, '\x7ff8000000000000')),
                ('more available than the budget', pg_temp.put(b, 9, '\x4059000000000000')),
                ('a negative min_roi', pg_temp.put(b, 17, '\xbff0000000000000')),
                ('a negative unit count', pg_temp.put(b, 25, '\xffffffffffffffff')),
                ('one increment more than the bytes', set_byte(b, 36, get_byte(b, 36) + 1)),
                ('a NaN ratio', pg_temp.put(b, 37, '\x7ff8000000000000')),
                ('an increment that costs less than nothing', pg_temp.put(b, 53, '\xbff0000000000000'))) v(what, x);
-- Drift state offsets: version 0, columns 1, values kept per column 5; x1's
-- kind 19, NULLs 20, kept values 28, the first value 36, sketch flag 60;
-- seg's NULLs 69, levels 77, level "a" 85 and its count 86, level "b" 98 and
-- its count 99.
INSERT INTO hostile
SELECT 'uplift_drift_profile_state', what, pg_temp.reseal(x) FROM small_drift,
LATERAL (VALUES ('unchanged', b),
                ('an unknown format version', set_byte(b, 0, 2)),
                ('no columns', overlay(b PLACING '\x00000000'::bytea FROM 2 FOR 4)),
                ('a cap on kept values out of range', pg_temp.put(b, 5, '\x0000000000000001')),
                ('an unknown column kind', set_byte(b, 19, 7)),
                ('a negative NULL count', pg_temp.put(b, 20, '\xffffffffffffffff')),
                ('more kept values than bytes', pg_temp.put(b, 28, '\x0000000000000004')),
                ('a kept value that is not finite', pg_temp.put(b, 36, '\x7ff0000000000000')),
                ('an unknown sketch flag followed by garbage', set_byte(b, 60, 1)),
                ('a negative level count', pg_temp.put(b, 86, '\x8000000000000000')),
                ('a level that appears twice', set_byte(b, 98, get_byte(b, 85)))) v(what, x);
SELECT is(array_agg(h.what || ': ' || pg_temp.outcome(h.t, h.b) ORDER BY h.what),
          array_agg(h.what || ': ' || CASE WHEN h.what = 'unchanged' THEN 'ok'
                                           WHEN h.t = 'uplift_drift_profile_state' THEN '22P03'
                                           ELSE '22P02' END ORDER BY h.what),
          format('%s: hostile values with a valid checksum are refused', h.t))
FROM hostile h GROUP BY h.t ORDER BY h.t;

-- A state read back continues with rows of its own columns, as if the rows
-- had been aggregated together; rows of other columns are refused, as is the
-- merge of states over different columns.
CREATE FUNCTION pg_temp.continue_profile(init text, q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE r text;
BEGIN
    EXECUTE format('CREATE AGGREGATE pg_temp.drift_continue(record, jsonb) (SFUNC = uplift_drift_profile_transfn,
                      STYPE = uplift_drift_profile_state, FINALFUNC = uplift_drift_profile_finalfn, INITCOND = %L)', init);
    EXECUTE format('SELECT pg_temp.drift_continue(r, NULL)::text FROM (%s) r', q) INTO r;
    DROP AGGREGATE pg_temp.drift_continue(record, jsonb);
    RETURN r;
END $$;
SELECT is((SELECT pg_temp.continue_profile(encode(b, 'base64'), 'SELECT 4.0::float8 AS x1, ''b''::text AS seg UNION ALL SELECT 5.0, ''c''') FROM small_drift),
          (SELECT uplift_drift_profile(r)::text
             FROM (VALUES (1.0::float8, 'a'), (2.0, 'b'), (3.0, 'a'), (4.0, 'b'), (5.0, 'c')) r(x1, seg)),
          'a state read back from its text form continues with more rows of its columns');
SELECT throws_ok((SELECT format('SELECT pg_temp.continue_profile(%L, %L)', encode(b, 'base64'),
                                'SELECT 4.0::float8 AS x2, ''b''::text AS seg') FROM small_drift),
                 '42804', 'the rows do not have the columns of the uplift_drift_profile_state',
                 'rows of other columns do not continue a state');
SELECT throws_ok($$SELECT citus_split.uplift_drift_profile_combine(s) FROM (
                     SELECT citus_split.uplift_drift_profile_partial(r, NULL) s FROM (SELECT x1, seg FROM drift_ref) r
                     UNION ALL
                     SELECT citus_split.uplift_drift_profile_partial(r, NULL) FROM (SELECT x1, x4 FROM drift_ref) r) p$$,
                 '42804', 'uplift_drift_profile_state values over different columns cannot be combined',
                 'states over different columns are not combined');
SELECT throws_ok($$SELECT citus_split.allocate_threshold_combine(s) FROM (
                     SELECT citus_split.allocate_threshold_partial(v, c, 100) s FROM alloc_units
                     UNION ALL
                     SELECT citus_split.allocate_threshold_partial(v, c, 200) FROM alloc_units) p$$,
                 '22023', 'allocate_threshold got different budgets or options on different rows',
                 'allocate_threshold states of different budgets are not combined');
SELECT throws_ok((SELECT format('SELECT allocate_threshold_finalfn(%L::uplift_allocate_threshold_state)', encode(b, 'base64'))
                    FROM small_alloc),
                 '0A000', NULL, 'allocate_threshold_finalfn called outside an aggregate is an error');

SELECT * FROM finish();
ROLLBACK;
