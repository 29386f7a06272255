-- pgTAP: every aggregate with a concrete state type, run the way Citus runs
-- a custom aggregate it pushes down (the citus_calls aggregates of
-- test/fixtures/05_citus_calls.sql, test/citus/uplift_citus_calls.c): on
-- each "shard" (four parts of the rows, and an empty one) the transition
-- function is called through a function handle made afresh for every row,
-- with no call expression, and the state leaves as text; on the
-- "coordinator" the states are read back, combined and finished through
-- fresh handles too.  Each answer equals the one-pass answer.  (The split
-- itself is also checked through SQL-level helper aggregates in
-- test/citus_split.sql.)
BEGIN;
SELECT plan(39);

-- 12,000 logged rows of the demo campaign: two target policies, outcome
-- models, a chosen action, labels, named features and unit ids, and the value
-- with one row in 101 NULL (for the aggregates that skip or count NULLs).
CREATE TABLE calls_log AS
SELECT unit_id AS i, features, action, propensity, value, cost,
       CASE WHEN unit_id % 101 = 0 THEN NULL ELSE value END AS nvalue,
       CASE action WHEN 2 THEN 0.7 ELSE 0.15 END::float8 AS ta,
       CASE action WHEN 1 THEN 0.5 ELSE 0.25 END::float8 AS tb,
       CASE action WHEN 0 THEN 5.5 WHEN 1 THEN 6.25 ELSE 7.0 END::float8 AS ql,
       (0.15 * 5.5 + 0.15 * 6.25 + 0.7 * 7.0)::float8 AS qa,
       (unit_id % 3)::int AS chosen,
       CASE action WHEN 0 THEN 'control' WHEN 1 THEN 'email' ELSE 'coupon' END AS label,
       jsonb_build_object('x1', features[1], 'x2', features[2], 'x3', features[3],
                          'x4', features[4], 'x5', features[5]) AS named,
       ARRAY[value, 2 * cost - 1] AS vals, ARRAY[cost, 0.5 * cost + 0.1] AS costs,
       (action > 0) AS treated, ARRAY[action, (unit_id % 2)::int] AS arms,
       (unit_id % 2)::int AS arm_b
FROM uplift_demo_campaign(12000, 13);
ANALYZE calls_log;

-- Models to calibrate: array or named features, numbered or labelled actions.
CREATE TABLE calls_models AS
SELECT (SELECT uplift_fit(features, action, value, '{"base": "linear"}') FROM calls_log WHERE i % 2 = 0) AS array_num,
       (SELECT uplift_fit(features, label, value, '{"base": "linear", "control": "control"}')
          FROM calls_log WHERE i % 2 = 0) AS array_label,
       (SELECT uplift_fit(named, action, value, '{"base": "linear"}') FROM calls_log WHERE i % 2 = 0) AS named_num,
       (SELECT uplift_fit(named, label, value, '{"base": "linear", "control": "control"}')
          FROM calls_log WHERE i % 2 = 0) AS named_label,
       -- another model of the first kind, which a calibration must not mix in
       (SELECT uplift_fit(features, action, value, '{"base": "linear"}') FROM calls_log WHERE i % 2 = 1)
           AS other_num;

-- Each case: the aggregate (its signature), its arguments, and how its
-- result "e" becomes a float8[].
CREATE TEMP TABLE cases (sig text, args text, result text);
INSERT INTO cases VALUES
 ('ips_value(float8, float8, float8)', 'value, propensity, ta', 'ARRAY[(e).estimate, (e).std_error, (e).n]'),
 ('ips_value(float8, float8, float8, jsonb)', 'value, propensity, ta, ''{"clip": 3}''::jsonb',
  'ARRAY[(e).estimate, (e).std_error, (e).ci_low, (e).ci_high]'),
 ('snips_value(float8, float8, float8)', 'value, propensity, tb', 'ARRAY[(e).estimate, (e).std_error]'),
 ('snips_value(float8, float8, float8, jsonb)',
  'value, propensity, tb, ''{"ci": "bootstrap", "n_boot": 40, "seed": 3}''::jsonb',
  'ARRAY[(e).estimate, (e).std_error, (e).ci_low, (e).ci_high]'),
 ('dr_value(float8, float8, float8, float8, float8)', 'value, propensity, ta, ql, qa',
  'ARRAY[(e).estimate, (e).std_error]'),
 ('dr_value(float8, float8, float8, float8, float8, jsonb)',
  'value, propensity, ta, ql, qa, ''{"alpha": 0.1}''::jsonb', 'ARRAY[(e).estimate, (e).ci_low, (e).ci_high]'),
 ('ope_overlap(float8, float8)', 'propensity, ta', 'ARRAY[(e).n, (e).sum_weight, (e).max_weight, (e).ess]'),
 ('ope_overlap(float8, float8, jsonb)', 'propensity, ta, ''{"floor": 0.3}''::jsonb',
  'ARRAY[(e).n, (e).share_below_floor, (e).ess]'),
 ('ips_diff(float8, float8, float8, float8)', 'value, propensity, ta, tb', 'ARRAY[(e).estimate, (e).std_error]'),
 ('ips_diff(float8, float8, float8, float8, jsonb)', 'value, propensity, ta, tb, ''{"clip": 2}''::jsonb',
  'ARRAY[(e).estimate, (e).std_error]'),
 ('snips_diff(float8, float8, float8, float8)', 'value, propensity, ta, tb', 'ARRAY[(e).estimate, (e).std_error]'),
 ('snips_diff(float8, float8, float8, float8, jsonb)', 'value, propensity, ta, tb, ''{}''::jsonb',
  'ARRAY[(e).estimate, (e).ci_low]'),
 ('dr_diff(float8, float8, float8, float8, float8, float8, float8)', 'value, propensity, ta, tb, ql, qa, qa',
  'ARRAY[(e).estimate, (e).std_error]'),
 ('dr_diff(float8, float8, float8, float8, float8, float8, float8, jsonb)',
  'value, propensity, ta, tb, ql, qa, qa, ''{}''::jsonb', 'ARRAY[(e).estimate, (e).ci_high]'),
 ('sndr_value(float8, float8, float8, float8, float8)', 'value, propensity, ta, ql, qa',
  'ARRAY[(e).estimate, (e).std_error]'),
 ('sndr_value(float8, float8, float8, float8, float8, jsonb)', 'value, propensity, ta, ql, qa, ''{}''::jsonb',
  'ARRAY[(e).estimate, (e).n]'),
 ('switch_dr_value(float8, float8, float8, float8, float8)', 'value, propensity, ta, ql, qa',
  'ARRAY[(e).estimate, (e).std_error]'),
 ('switch_dr_value(float8, float8, float8, float8, float8, jsonb)', 'value, propensity, ta, ql, qa, ''{"tau": 2}''::jsonb',
  'ARRAY[(e).estimate, (e).std_error]'),
 ('uplift_ate(int, float8)', 'action, value',
  '(SELECT array_agg(x ORDER BY k, j) FROM unnest(e) WITH ORDINALITY u(m, s, l, h, n, k),
          LATERAL unnest(ARRAY[m, s, n]) WITH ORDINALITY v(x, j))'),
 ('uplift_ate(int, float8, jsonb)', 'action, value, ''{"alpha": 0.1}''::jsonb',
  '(SELECT array_agg(x ORDER BY k, j) FROM unnest(e) WITH ORDINALITY u(m, s, l, h, n, k),
          LATERAL unnest(ARRAY[m, l, h]) WITH ORDINALITY v(x, j))'),
 ('ope_allocation(int, float8, int, float8, float8, jsonb)',
  'action, propensity, chosen, value, cost, ''{"actions": 2, "epsilon": 0.1}''::jsonb',
  '(SELECT array_agg(x ORDER BY k, j) FROM unnest(e) WITH ORDINALITY u(o, p, b, d, s, l, h, n, k),
          LATERAL unnest(ARRAY[p, b, d, s, n]) WITH ORDINALITY v(x, j))'),
 ('uplift_fit_calibration(uplift_model, float8[], int, float8, float8)',
  '(SELECT array_num FROM calls_models), features, action, value, propensity', 'calibration_lines(e)'),
 ('uplift_fit_calibration(uplift_model, float8[], text, float8, float8)',
  '(SELECT array_label FROM calls_models), features, label, value, propensity', 'calibration_lines(e)'),
 ('uplift_fit_calibration(uplift_model, jsonb, int, float8, float8)',
  '(SELECT named_num FROM calls_models), named, action, value, propensity', 'calibration_lines(e)'),
 ('uplift_fit_calibration(uplift_model, jsonb, text, float8, float8)',
  '(SELECT named_label FROM calls_models), named, label, nvalue, propensity', 'calibration_lines(e)'),
 ('allocate_threshold(float8[], float8[], float8)', 'vals, costs, 900::float8', 'ARRAY[e]'),
 ('allocate_threshold(float8[], float8[], float8, jsonb)', 'vals, costs, 1500::float8, ''{"min_roi": 0.5}''::jsonb',
  'ARRAY[e]'),
 ('allocate_threshold(bigint, float8[], float8[], float8, jsonb)',
  'i::bigint, vals, costs, 1200::float8, ''{"pace": 0.5}''::jsonb', 'ARRAY[e]'),
 ('uplift_interaction(int, int, float8)', 'arms[1], arm_b, value',
  'ARRAY[(e).estimate, (e).std_error, (e).n]'),
 ('uplift_interaction(int, int, float8, int, int)', 'arms[1], arm_b, value, 2, 1',
  'ARRAY[(e).estimate, (e).std_error]'),
 ('uplift_portfolio_holdout(boolean, int[], float8)', 'action = 0, arms, value',
  '(SELECT array_agg(x) FROM jsonb_path_query(to_jsonb(e), ''strict $.**'') j(v),
          LATERAL (SELECT v::text::float8 AS x WHERE jsonb_typeof(v) = ''number'') n)'),
 ('uplift_newton_pass(float8[], int, float8, float8, float8[])',
  'features[1:3], (action > 0)::int, value, NULL::float8, ''{0,0,0,0,0,0,0,0,0}''::float8[]', 'e');

CREATE FUNCTION pg_temp.call(c cases) RETURNS text LANGUAGE sql AS $$
    SELECT format('%s(%s)', split_part(c.sig, '(', 1), c.args)
$$;
CREATE FUNCTION pg_temp.one_pass(c cases) RETURNS text LANGUAGE sql AS $$
    SELECT format('SELECT %s FROM (SELECT %s AS e FROM calls_log) s', c.result, pg_temp.call(c))
$$;
-- Several arguments travel as one row value, one as itself, each of the
-- aggregate's declared type; the empty part gives a NULL state.
CREATE FUNCTION pg_temp.citus(c cases) RETURNS text LANGUAGE sql AS $$
    SELECT format('SELECT %1$s FROM (SELECT citus_calls.combine(%2$L::regprocedure::oid, part, NULL::%3$s) AS e
                     FROM (SELECT citus_calls.partial(%2$L::regprocedure::oid, %4$s) AS part
                             FROM calls_log GROUP BY i %% 4
                           UNION ALL SELECT NULL) parts) s',
                  c.result, c.sig, p.prorettype::regtype,
                  CASE WHEN p.pronargs > 1 THEN format('ROW(%s)', c.args) ELSE c.args END)
    FROM pg_proc p WHERE p.oid = c.sig::regprocedure
$$;

SELECT is((SELECT array_agg(p.oid::regprocedure::text ORDER BY 1)
             FROM pg_aggregate a JOIN pg_proc p ON p.oid = a.aggfnoid JOIN pg_type t ON t.oid = a.aggtranstype
            WHERE p.pronamespace = (SELECT extnamespace FROM pg_extension WHERE extname = 'uplift')
              AND t.typtype <> 'p'
              AND p.oid NOT IN (SELECT sig::regprocedure FROM cases)
              AND p.proname NOT IN ('uplift_forest_pass', 'uplift_drift_profile', 'uplift_drift_profile_union')),
          NULL, 'every aggregate with a concrete state type has a case here (drift profiles below, the forest pass in test/fit_query_forest.sql)');

SELECT force_serial();
CREATE TEMP TABLE answers AS
SELECT c.sig, query_float8s(pg_temp.one_pass(c)) AS one_pass, query_float8s(pg_temp.citus(c)) AS citus
FROM cases c;

SELECT ok(a.one_pass IS NOT NULL AND cardinality(a.one_pass) > 0 AND arrays_close(a.citus, a.one_pass, 1e-12),
          format('%s: split as Citus calls it, equal to the one-pass answer to 1e-12', a.sig))
FROM answers a ORDER BY a.sig;

-- Drift profiles: the row and the options as one row value; of a row alone
-- the aggregate keeps an internal state, which Citus does not push down.
SELECT is((SELECT citus_calls.combine('uplift_drift_profile(record, jsonb)'::regprocedure::oid, part,
                                      NULL::uplift_drift_profile)::text
             FROM (SELECT citus_calls.partial('uplift_drift_profile(record, jsonb)'::regprocedure::oid,
                                              ROW(r, '{}'::jsonb)) AS part
                     FROM calls_log l, LATERAL (SELECT l.nvalue, l.cost, l.label, l.features[3] AS x3) r
                    GROUP BY l.i % 4 UNION ALL SELECT NULL) parts),
          (SELECT uplift_drift_profile(r)::text FROM (SELECT nvalue, cost, label, features[3] AS x3 FROM calls_log) r),
          'uplift_drift_profile with options: split as Citus calls it, the one-pass profile byte for byte');
SELECT throws_ok($$SELECT citus_calls.partial('uplift_drift_profile(record)'::regprocedure::oid, r)
                   FROM (SELECT value, label FROM calls_log) r$$,
                 'XX000', NULL,
                 'uplift_drift_profile of a row alone is not pushed down: its state is internal');
SELECT throws_ok($$SELECT citus_calls.partial('uplift_drift_profile(record, jsonb)'::regprocedure::oid, r)
                   FROM (SELECT value, label FROM calls_log) r$$,
                 'XX000', NULL,
                 'a row argument is taken apart into the aggregate''s arguments, as Citus does: two fields for two arguments of other types are refused');
-- (columns of few distinct values, whose profiles merge exactly in any order)
CREATE TEMP TABLE calls_profiles AS
SELECT i % 3 AS k, uplift_drift_profile(r) AS p
FROM calls_log l, LATERAL (SELECT round(l.value)::float8 AS value, l.label) r GROUP BY i % 3;
SELECT is((SELECT uplift_drift_profile_info(
                    citus_calls.combine('uplift_drift_profile_union(uplift_drift_profile)'::regprocedure::oid,
                                        part, NULL::uplift_drift_profile))
             FROM (SELECT citus_calls.partial('uplift_drift_profile_union(uplift_drift_profile)'::regprocedure::oid, p) AS part
                     FROM calls_profiles GROUP BY k % 2 UNION ALL SELECT NULL) parts),
          (SELECT uplift_drift_profile_info(uplift_drift_profile_union(p)) FROM calls_profiles),
          'uplift_drift_profile_union: split as Citus calls it, the one-pass profile');

-- The calibration keeps the model it read in its state; a row with another
-- model is still refused, within a shard and between shards.
SELECT throws_ok($$SELECT citus_calls.partial('uplift_fit_calibration(uplift_model, float8[], int, float8, float8)'::regprocedure::oid,
                                              ROW(CASE WHEN i < 6000 THEN m.array_num ELSE m.other_num END,
                                                  features, action, value, propensity))
                   FROM calls_log, calls_models m$$,
                 '22023', 'uplift_fit_calibration needs the same model on every row',
                 'calibration split as Citus calls it: a shard with two models is an error');
SELECT throws_ok($$SELECT citus_calls.combine('uplift_fit_calibration(uplift_model, float8[], int, float8, float8)'::regprocedure::oid,
                                              part, NULL::uplift_model)
                   FROM (SELECT citus_calls.partial('uplift_fit_calibration(uplift_model, float8[], int, float8, float8)'::regprocedure::oid,
                                                    ROW(CASE WHEN i % 4 = 0 THEN m.array_num ELSE m.other_num END,
                                                        features, action, value, propensity)) AS part
                           FROM calls_log, calls_models m
                          GROUP BY i % 4) parts$$,
                 '22023', 'uplift_fit_calibration needs the same model on every row',
                 'calibration split as Citus calls it: shards with different models are not combined');

SELECT * FROM finish();
ROLLBACK;
