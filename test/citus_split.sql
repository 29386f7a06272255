-- pgTAP: the aggregates with a bounded state keep it in a concrete type, and
-- splitting them as Citus does gives the one-pass answer.  Citus (13.x)
-- pushes a custom aggregate down only when its state type is not a
-- pseudo-type: each shard runs the transition function alone and sends the
-- state as text (the type's output function), and the coordinator reads it
-- back (input function), merges the states with the combine function and
-- calls the final function.  Here the shards are four disjoint parts of the
-- rows (i mod 4) and one empty part (a NULL state).
BEGIN;
SELECT plan(54);

CREATE FUNCTION pg_temp.run(q text) RETURNS float8[] LANGUAGE plpgsql AS
$$DECLARE r float8[]; BEGIN EXECUTE q INTO r; RETURN r; END$$;

CREATE FUNCTION pg_temp.close(a float8[], b float8[], rel float8) RETURNS bool LANGUAGE sql AS
$$SELECT cardinality(a) = cardinality(b) AND bool_and(abs(x - y) <= rel * greatest(abs(x), abs(y), 1e-300))
  FROM unnest(a, b) u(x, y)$$;

-- The state types of every aggregate whose state is bounded, listed by name:
-- none may be a pseudo-type (internal, anyelement, ...).
SELECT is((SELECT array_agg(p.oid::regprocedure::text ORDER BY 1)
             FROM pg_aggregate a JOIN pg_proc p ON p.oid = a.aggfnoid
             JOIN pg_type t ON t.oid = a.aggtranstype
            WHERE p.proname IN ('ips_value', 'snips_value', 'dr_value', 'ope_overlap',
                                'ips_diff', 'snips_diff', 'dr_diff', 'sndr_value',
                                'switch_dr_value', 'uplift_ate', 'ope_allocation',
                                'uplift_fit_calibration', 'uplift_interaction',
                                'uplift_portfolio_holdout', 'uplift_drift_profile_union')
              AND t.typtype = 'p'),
          NULL, 'no bounded-state aggregate has a pseudo-type state');

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
SELECT name, pg_temp.run(pg_temp.one_pass(c)) AS one_pass, pg_temp.run(pg_temp.split(c)) AS split
FROM cases c;
SELECT force_parallel();
CREATE TEMP TABLE parallel_answers AS SELECT name, pg_temp.run(pg_temp.one_pass(c)) AS v FROM cases c;
SELECT force_serial();

SELECT ok(pg_temp.close(a.split, a.one_pass, 1e-12),
          format('%s: four parts through text, combined and finished, equal the one-pass answer to 1e-12', a.name))
FROM answers a ORDER BY a.name;

SELECT ok(pg_temp.close(p.v, a.one_pass, 1e-12),
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
CREATE FUNCTION pg_temp.lines(m uplift_model) RETURNS float8[] LANGUAGE sql AS $$
    SELECT array_agg(x ORDER BY k, j)
    FROM jsonb_array_elements(uplift_model_info(m) -> 'calibration') WITH ORDINALITY l(e, k),
         LATERAL unnest(ARRAY[(e ->> 'intercept')::float8, (e ->> 'slope')::float8,
                              (e ->> 'rows')::float8]) WITH ORDINALITY v(x, j)
$$;
CREATE TEMP TABLE calib_answers AS
SELECT (SELECT pg_temp.lines(uplift_fit_calibration(m.raw, c.features, c.action, c.value, c.propensity))
          FROM calib_camp c, calib_m m) AS one_pass,
       (SELECT pg_temp.lines(citus_split.uplift_fit_calibration_combine(part::text::uplift_fit_calibration_state))
          FROM (SELECT citus_split.uplift_fit_calibration_partial(m.raw, c.features, c.action, c.value, c.propensity) AS part
                FROM calib_camp c, calib_m m GROUP BY c.unit_id % 4
                UNION ALL SELECT NULL) parts) AS split;
SELECT force_parallel();
CREATE TEMP TABLE calib_parallel AS
SELECT pg_temp.lines(uplift_fit_calibration((SELECT raw FROM calib_m), c.features, c.action, c.value, c.propensity)) AS v
FROM calib_camp c;
SELECT force_serial();
SELECT ok(cardinality(one_pass) = 6 AND pg_temp.close(split, one_pass, 1e-12),
          'uplift_fit_calibration: four parts through text, combined and finished, equal the one-pass lines to 1e-12')
FROM calib_answers;
SELECT ok(pg_temp.close(p.v, a.one_pass, 1e-12),
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

SELECT * FROM finish();
ROLLBACK;
