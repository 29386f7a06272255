-- The fuzz test's cases (run by test/shell/fuzz.sh).  Every public function
-- and aggregate of the extension is found in the catalog and called with
-- generated arguments: the valid call, then each argument in turn replaced by
-- every value of its pool (NULL, NaN, infinities, extremes, empty, NULL-laden,
-- two-dimensional and very long arrays, garbage and wrong-typed options,
-- valid and damaged models, hostile query texts), arguments that belong
-- together replaced in pairs, then random combinations drawn with a fixed
-- seed.  Aggregates run over a small generated row set, with the value on
-- every row or on one row, over no row and over NULL rows, and the valid and
-- NULL cases again under a parallel plan.  fuzz.run_case runs one case in a
-- subtransaction and records its SQLSTATE; fuzz.expand_options adds, after a
-- first pass, every value of the option keys each function knows.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
CREATE SCHEMA fuzz;

-- Models fitted here (five features, actions 0..2), and their relatives.
CREATE TABLE fuzz.train AS SELECT * FROM public.uplift_demo_campaign(600, 3);
CREATE TABLE fuzz.models (name text PRIMARY KEY, m public.uplift_model);
INSERT INTO fuzz.models
SELECT 't_linear', public.uplift_fit(features, action, value, '{"base": "linear"}') FROM fuzz.train
UNION ALL
SELECT 't_logistic', public.uplift_fit(features, action, converted) FROM fuzz.train
UNION ALL
SELECT 's_linear', public.uplift_fit(features, action, value, '{"learner": "s_learner", "base": "linear"}') FROM fuzz.train
UNION ALL
SELECT 'x_learner', public.uplift_fit(features, action, value, propensity, '{"learner": "x_learner", "base": "linear"}') FROM fuzz.train
UNION ALL
SELECT 'dr_learner', public.uplift_fit(features, action, converted, propensity, '{"learner": "dr_learner"}') FROM fuzz.train
UNION ALL
SELECT 'class_transform', public.uplift_fit(features, action, converted, propensity, '{"learner": "class_transform"}') FROM fuzz.train WHERE action <= 1
UNION ALL
SELECT 'two_features', public.uplift_fit(features[1:2], action, value, '{"base": "linear"}') FROM fuzz.train;
INSERT INTO fuzz.models
SELECT 'calibrated', public.uplift_fit_calibration(m.m, t.features, t.action, t.value, t.propensity)
FROM fuzz.train t, fuzz.models m WHERE m.name = 't_linear';
INSERT INTO fuzz.models VALUES
 ('huge_coefficients', public.uplift_model_import(
    '{"learner":"t_learner","base":"linear","n_actions":2,"n_features":5,
      "heads":[{"role":"outcome","action":0,"link":"identity","intercept":1.7e308,"coefficients":[1e300,-1e300,1e300,1e300,1e300]},
               {"role":"outcome","action":1,"link":"identity","intercept":-1.7e308,"coefficients":[-1e300,1e300,-1e300,-1e300,-1e300]},
               {"role":"outcome","action":2,"link":"identity","intercept":1.7e308,"coefficients":[1e300,1e300,1e300,1e300,1e300]}]}')),
 ('huge_logit', public.uplift_model_import(
    '{"learner":"t_learner","base":"logistic","n_actions":1,"n_features":5,
      "heads":[{"role":"outcome","action":0,"link":"logit","intercept":1e300,"coefficients":[1e300,1e300,1e300,1e300,1e300]},
               {"role":"outcome","action":1,"link":"logit","intercept":-1e300,"coefficients":[-1e300,-1e300,-1e300,-1e300,-1e300]}]}'));

-- Rows for aggregates and candidates for allocate_budget.
CREATE TABLE fuzz.rows AS
SELECT (row_number() OVER (ORDER BY unit_id))::int AS id, unit_id, features, features::float4[] AS features4,
       action, least(action, 1) AS treatment, converted AS outcome, value, cost, propensity,
       0.25 + 0.5 * public.uplift_demo_uniform(unit_id, 9, 1) AS target_propensity,
       value - 0.3 AS q_logged, value + 0.2 AS q_target,
       true_value_uplift[1] AS score, true_value_uplift AS action_values, true_cost_uplift AS action_costs
FROM public.uplift_demo_campaign(120, 4);
CREATE TABLE fuzz.candidates AS
SELECT unit_id, a AS action, true_value_uplift[a] AS value, true_cost_uplift[a] AS cost
FROM public.uplift_demo_campaign(30, 5), generate_series(1, 2) AS a;
CREATE TABLE fuzz.sink (x int);
-- A new unit for every call, so that logging functions insert.
CREATE SEQUENCE fuzz.unit_seq;

-- Argument value pools: kind, label, SQL expression, whether it is NaN or infinite.
CREATE TABLE fuzz.pool (kind text, label text, expr text, nonfinite bool NOT NULL DEFAULT false,
                        hostile bool NOT NULL DEFAULT false,
                        ord serial, PRIMARY KEY (kind, label));
INSERT INTO fuzz.pool (kind, label, expr, nonfinite) VALUES
 ('float8', 'null', 'NULL', false), ('float8', 'nan', '''NaN''', true),
 ('float8', 'inf', '''Infinity''', true), ('float8', '-inf', '''-Infinity''', true),
 ('float8', '1e308', '1e308', false), ('float8', '-1e308', '-1e308', false),
 ('float8', '5e-324', '5e-324', false), ('float8', '0', '0', false), ('float8', '-1', '-1', false),
 ('float8', '2^31-1', '2147483647', false), ('float8', '2^63-1', '9223372036854775807', false),
 ('float8', '0.5', '0.5', false), ('float8', '1', '1', false), ('float8', '2', '2', false),
 ('float8', '1e15', '1e15', false),
 ('int4', 'null', 'NULL', false), ('int4', '0', '0', false), ('int4', '-1', '-1', false),
 ('int4', '1', '1', false), ('int4', '2', '2', false), ('int4', '3', '3', false),
 ('int4', '256', '256', false), ('int4', '2^31-1', '2147483647', false), ('int4', '-2^31', '-2147483648', false),
 ('int8', 'null', 'NULL', false), ('int8', '0', '0', false), ('int8', '-1', '-1', false),
 ('int8', '1', '1', false), ('int8', '2^63-1', '9223372036854775807', false),
 ('int8', '-2^63', '-9223372036854775808', false),
 ('bool', 'null', 'NULL', false), ('bool', 'true', 'true', false), ('bool', 'false', 'false', false),
 ('text', 'null', 'NULL', false), ('text', 'empty', '''''', false), ('text', 'x', '''x''', false),
 ('text', 'long', 'repeat(''x'', 100000)', false), ('text', 'control', 'E''\x01\t\n''', false),
 ('text', 'quotes', $q$'a''b"c;--'$q$, false), ('text', 'unicode', 'U&''\00FC\+01F600''', false),
 ('text', 'overall', '''overall''', false), ('text', 'by_group', '''by_group''', false),
 ('float8[]', 'null', 'NULL', false), ('float8[]', 'empty', '''{}''', false),
 ('float8[]', 'null_element', '''{NULL}''', false),
 ('float8[]', 'some_null', '''{0.5,NULL,0,0.4,0.2}''', false),
 ('float8[]', '2d', '''{{0.5,-1},{0,0.4}}''', false),
 ('float8[]', '2d_5', '''{{0.5,-1,0,0.4,0.2}}''', false),
 ('float8[]', 'nan', '''{NaN,-1,0,0.4,0.2}''', true),
 ('float8[]', 'inf', '''{Infinity,-1,0,0.4,0.2}''', true),
 ('float8[]', '-inf', '''{-Infinity,-Infinity,-Infinity}''', true),
 ('float8[]', '1e308', '''{1e308,1e308,1e308,1e308,1e308}''', false),
 ('float8[]', '-1e308', '''{-1e308,1e308,-1e308,1e308,-1e308}''', false),
 ('float8[]', '5e-324', '''{5e-324,5e-324,5e-324,5e-324,5e-324}''', false),
 ('float8[]', 'zeros', '''{0,0,0,0,0}''', false),
 ('float8[]', 'minus_one', '''{-1,-1,-1,-1,-1}''', false),
 ('float8[]', 'int_limits', '''{2147483647,9223372036854775807,2147483647}''', false),
 ('float8[]', 'huge_counts', '''{1e15,1e15,1e15}''', false),
 ('float8[]', 'one', '''{1}''', false), ('float8[]', 'two', '''{0.2,0.5}''', false),
 ('float8[]', 'three', '''{0.2,0.3,0.5}''', false),
 ('float8[]', 'six', '''{0.5,-1,0,0.4,0.2,1}''', false),
 ('float8[]', 'lower_bound_0', '''[0:4]={0.5,-1,0,0.4,0.2}''', false),
 ('float8[]', 'long', 'array_fill(0.5::float8, ARRAY[100000])', false),
 ('float8[]', 'long_null', 'array_fill(NULL::float8, ARRAY[300])', false),
 ('jsonb', 'null', 'NULL', false), ('jsonb', 'json_null', '''null''', false),
 ('jsonb', 'empty', '''{}''', false), ('jsonb', 'array', '''[]''', false),
 ('jsonb', 'string', '''"x"''', false), ('jsonb', 'number', '''1''', false),
 ('jsonb', 'unknown_key', '''{"no_such_option": 1}''', false),
 ('jsonb', 'huge', '(SELECT jsonb_object_agg(''k'' || i, i) FROM generate_series(1, 5000) i)', false),
 ('jsonb', 'deep', '(repeat(''['', 1000) || repeat('']'', 1000))::jsonb', false),
 ('uplift_model', 'null', 'NULL', false),
 ('uplift_model', 'damaged', 'public.uplift_model_from_bytea(substr(public.uplift_model_to_bytea((SELECT m FROM fuzz.models WHERE name = ''t_linear'')), 1, 40))', false),
 ('bytea', 'null', 'NULL', false), ('bytea', 'empty', '''''', false), ('bytea', 'zero', '''\x00''', false),
 ('bytea', 'model', 'public.uplift_model_to_bytea((SELECT m FROM fuzz.models WHERE name = ''t_linear''))', false),
 ('bytea', 'truncated', 'substr(public.uplift_model_to_bytea((SELECT m FROM fuzz.models WHERE name = ''t_linear'')), 1, 40)', false),
 ('bytea', 'zeros_1mb', 'decode(repeat(''00'', 1048576), ''hex'')', false),
 ('cstring', 'null', 'NULL', false), ('cstring', 'empty', '''''', false), ('cstring', 'garbage', '''garbage''', false),
 ('cstring', 'hex_garbage', '''\xdeadbeef''', false),
 ('cstring', 'model', '((SELECT m FROM fuzz.models WHERE name = ''t_linear'')::text)', false),
 ('interval', 'null', 'NULL', false), ('interval', 'zero', '''0''', false),
 ('interval', 'negative', '''-1 day''', false), ('interval', 'huge', '''100000000 years''', false),
 ('interval', 'tiny', '''1 microsecond''', false), ('interval', 'month', '''1 month''', false),
 ('regclass', 'null', 'NULL', false), ('regclass', 'catalog', '''pg_class''', false),
 ('regclass', 'empty_table', '''fuzz.sink''', false), ('regclass', 'view', '''fuzz.findings''', false),
 ('uplift_assignment', 'null', 'NULL', false), ('uplift_assignment', 'valid', '''(1,0.5,f)''', false),
 ('uplift_assignment', 'all_null', '''(,,)''', false), ('uplift_assignment', 'negative', '''(-1,0.5,f)''', false),
 ('uplift_assignment', 'nan', '''(1,NaN,f)''', true), ('uplift_assignment', 'zero', '''(1,0,f)''', false),
 ('uplift_assignment', 'above_one', '''(1,2,t)''', false), ('uplift_assignment', 'int_max', '''(2147483647,1,t)''', false),
 -- Candidate queries for allocate_budget: valid, degenerate and hostile.
 ('query', 'null', 'NULL', false), ('query', 'empty', '''''', false), ('query', 'blank', ''' ''', false),
 ('query', 'semicolon', ''';''', false), ('query', 'comment', '''-- nothing''', false),
 ('query', 'select_1', '''SELECT 1''', false), ('query', 'syntax', '''SELEC unit_id''', false),
 ('query', 'no_rows', '''SELECT * FROM fuzz.candidates WHERE false''', false),
 ('query', 'null_rows', '''SELECT NULL::bigint, NULL::int, NULL::float8, NULL::float8''', false),
 ('query', 'wrong_types', '''SELECT unit_id::text, action::text, value::text, cost::text FROM fuzz.candidates''', false),
 ('query', 'numeric_types', '''SELECT unit_id::numeric, action::numeric, value::numeric, cost::numeric FROM fuzz.candidates''', false),
 ('query', 'five_columns', '''SELECT unit_id, action, value, cost, 1 FROM fuzz.candidates''', false),
 ('query', 'three_columns', '''SELECT unit_id, action, value FROM fuzz.candidates''', false),
 ('query', 'nan', '''SELECT unit_id, action, ''''NaN''''::float8, cost FROM fuzz.candidates''', true),
 ('query', 'inf_cost', '''SELECT unit_id, action, value, ''''Infinity''''::float8 FROM fuzz.candidates''', true),
 ('query', 'huge', '''SELECT unit_id, action, 1e308::float8, 1e308::float8 FROM fuzz.candidates''', false),
 ('query', 'tiny_cost', '''SELECT unit_id, action, value, 5e-324::float8 FROM fuzz.candidates''', false),
 ('query', 'negative', '''SELECT unit_id, action, -value, -cost FROM fuzz.candidates''', false),
 ('query', 'zero_cost', '''SELECT unit_id, action, value, 0::float8 FROM fuzz.candidates''', false),
 ('query', 'action_0', '''SELECT unit_id, 0, value, cost FROM fuzz.candidates''', false),
 ('query', 'action_neg', '''SELECT unit_id, -1, value, cost FROM fuzz.candidates''', false),
 ('query', 'action_max', '''SELECT unit_id, 2147483647, value, cost FROM fuzz.candidates''', false),
 ('query', 'duplicates', '''SELECT unit_id, action, value, cost FROM fuzz.candidates UNION ALL SELECT unit_id, action, value, cost FROM fuzz.candidates''', false),
 ('query', 'unit_limits', '''SELECT (9223372036854775807 - unit_id)::bigint, action, value, cost FROM fuzz.candidates''', false),
 ('query', 'many_rows', '''SELECT i::bigint, 1 + (i % 3)::int, (i % 7)::float8, 1 + (i % 5)::float8 FROM generate_series(1, 50000) i''', false),
 ('query', 'division', '''SELECT unit_id, action, value / 0, cost FROM fuzz.candidates''', false),
 ('query', 'smuggle', ''' SELECT unit_id, action, value, cost FROM fuzz.candidates) x; SELECT * FROM (SELECT unit_id, action, value, cost FROM fuzz.candidates''', false),
 ('query', 'smuggle_insert', ''' SELECT unit_id, action, value, cost FROM fuzz.candidates) x; INSERT INTO fuzz.sink VALUES (2); SELECT * FROM (SELECT unit_id, action, value, cost FROM fuzz.candidates''', false),
 ('query', 'two_statements', '''SELECT unit_id, action, value, cost FROM fuzz.candidates; SELECT unit_id, action, value, cost FROM fuzz.candidates''', false),
 ('query', 'insert', '''INSERT INTO fuzz.sink VALUES (1) RETURNING 1::bigint, 1, 1::float8, 1::float8''', false),
 ('query', 'create', '''CREATE TABLE fuzz.smuggled (x int)''', false),
 ('query', 'values', '''VALUES (1::bigint, 1, 1::float8, 1::float8)''', false);


-- Models: every fitted one, by name.
INSERT INTO fuzz.pool (kind, label, expr)
SELECT 'uplift_model', name, format('(SELECT m FROM fuzz.models WHERE name = %L)', name) FROM fuzz.models;

-- float4 pools are the float8 ones cast (overflow is the cast's own error).
INSERT INTO fuzz.pool (kind, label, expr, nonfinite)
SELECT 'float4', label, expr, nonfinite FROM fuzz.pool WHERE kind = 'float8';
INSERT INTO fuzz.pool (kind, label, expr, nonfinite)
SELECT 'float4[]', label, expr, nonfinite FROM fuzz.pool WHERE kind = 'float8[]';

-- Options: every key any function knows, with values of the wrong type or
-- range (kind 'option').  Only a string value of each key is in the jsonb
-- pool; fuzz.expand_options adds the others for the keys a function knows.
INSERT INTO fuzz.pool (kind, label, expr, nonfinite)
SELECT CASE WHEN v.label = 'string' THEN 'jsonb' ELSE 'option' END,
       k || '=' || v.label, quote_literal(jsonb_build_object(k, v.val::jsonb)::text),
       v.label = 'nan_string'
FROM unnest(ARRAY['learner', 'base', 'l2', 'max_iter', 'tol', 'feature_names', 'seed', 'interactions',
                  'min_propensity', 'min_roi', 'max_units', 'spent', 'pace', 'include_no_offer',
                  'negative_effect', 'points', 'total', 'fixed_cost', 'scale', 'alpha', 'clip', 'ci',
                  'n_boot', 'floor', 'min_ess_share', 'max_weight_share', 'mean_tolerance']) AS k,
     (VALUES ('string', '"x"'), ('true', 'true'), ('null', 'null'), ('array', '[]'), ('object', '{}'),
             ('1e400', '1e400'), ('-1e400', '-1e400'), ('-1', '-1'), ('0', '0'), ('1e308', '1e308'),
             ('2^31', '2147483648'), ('0.5', '0.5'), ('1e-400', '1e-400'),
             ('nan_string', '"NaN"'), ('names', '["a","a","b","c","d"]'), ('caps', '{"1": -1, "x": 1}'))
       AS v(label, val);

-- Model descriptions for uplift_model_import: a valid one and damaged ones.
CREATE FUNCTION fuzz.info_with(path text[], val jsonb) RETURNS text LANGUAGE sql AS $$
    SELECT quote_literal(jsonb_set(public.uplift_model_info(m), path, val)::text)
    FROM fuzz.models WHERE name = 't_linear'
$$;
INSERT INTO fuzz.pool (kind, label, expr, nonfinite) VALUES
 ('description', 'null', 'NULL', false),
 ('description', 'valid', quote_literal((SELECT public.uplift_model_info(m)::text FROM fuzz.models WHERE name = 't_linear')), false),
 ('description', 'valid_logistic', quote_literal((SELECT public.uplift_model_info(m)::text FROM fuzz.models WHERE name = 'dr_learner')), false),
 ('description', 'empty', '''{}''', false), ('description', 'array', '''[]''', false),
 ('description', 'n_features_0', fuzz.info_with('{n_features}', '0'), false),
 ('description', 'n_features_huge', fuzz.info_with('{n_features}', '2147483647'), false),
 ('description', 'n_actions_neg', fuzz.info_with('{n_actions}', '-1'), false),
 ('description', 'n_actions_huge', fuzz.info_with('{n_actions}', '100000'), false),
 ('description', 'coef_1e400', fuzz.info_with('{heads,0,coefficients,x1}', '1e400'), false),
 ('description', 'coef_string', fuzz.info_with('{heads,0,coefficients,x1}', '"NaN"'), false),
 ('description', 'coef_unknown_name', fuzz.info_with('{heads,0,coefficients,x9}', '1'), false),
 ('description', 'intercept_null', fuzz.info_with('{heads,0,intercept}', 'null'), false),
 ('description', 'heads_empty', fuzz.info_with('{heads}', '[]'), false),
 ('description', 'names_duplicate', fuzz.info_with('{feature_names}', '["a","a","b","c","d"]'), false),
 ('description', 'names_short', fuzz.info_with('{feature_names}', '["a"]'), false),
 ('description', 'learner_unknown', fuzz.info_with('{learner}', '"nope"'), false),
 ('description', 'version_future', fuzz.info_with('{format_version}', '99'), false);
INSERT INTO fuzz.pool (kind, label, expr, nonfinite)
SELECT 'description', label, expr, nonfinite FROM fuzz.pool
WHERE kind = 'jsonb' AND label NOT IN (SELECT label FROM fuzz.pool WHERE kind = 'description');

-- Values a call must refuse ('hostile'): query texts that are not exactly one
-- query, model descriptions with a key the model does not have, assignments
-- with an impossible action or propensity.
UPDATE fuzz.pool SET hostile = true
WHERE (kind = 'query' AND label IN ('smuggle', 'smuggle_insert', 'two_statements', 'insert', 'create'))
   OR (kind = 'description' AND label IN ('coef_unknown_name', 'names_duplicate'))
   OR (kind = 'uplift_assignment' AND label IN ('negative', 'nan', 'zero', 'above_one'));

-- Arguments that only make sense together, replaced together: counts near
-- the limits of floating point, paired arrays of equal length.
CREATE TABLE fuzz.pairs (a text, b text, label text, ea text, eb text, nonfinite bool NOT NULL DEFAULT false);
INSERT INTO fuzz.pairs (a, b, label, ea, eb) VALUES
 ('successes', 'trials', 'half_of_1e15', '''{5e14,5e14,5e14}''', '''{1e15,1e15,1e15}'''),
 ('successes', 'trials', 'close_1e15', '''{5e14,5.0001e14}''', '''{1e15,1e15}'''),
 ('successes', 'trials', 'all_of_1e15', '''{1e15,1e15}''', '''{1e15,1e15}'''),
 ('successes', 'trials', 'mixed_1e15', '''{0,1e15,1}''', '''{1e15,1e15,1}'''),
 ('successes', 'trials', 'zero', '''{0,0,0}''', '''{0,0,0}'''),
 ('successes', 'trials', 'fractional', '''{0.5,1.5}''', '''{1.5,2.5}'''),
 ('successes', 'trials', '2^53', '''{4503599627370496,9007199254740992}''', '''{9007199254740992,9007199254740992}'''),
 ('successes', 'trials', '1e308', '''{1e307,1e308}''', '''{1e308,1e308}'''),
 ('successes', 'trials', 'many_arms', 'array_fill(1::float8, ARRAY[257])', 'array_fill(2::float8, ARRAY[257])'),
 ('successes', 'trials', 'empty', '''{}''', '''{}'''),
 ('action_values', 'action_costs', 'null_elements', '''{NULL,1}''', '''{1,NULL}'''),
 ('action_values', 'action_costs', 'all_null', '''{NULL,NULL}''', '''{NULL,NULL}'''),
 ('action_values', 'action_costs', 'empty', '''{}''', '''{}'''),
 ('action_values', 'action_costs', 'three', '''{1,2,3}''', '''{1,1,1}'''),
 ('action_values', 'action_costs', 'free', '''{1,2}''', '''{0,0}'''),
 ('action_values', 'action_costs', 'negative', '''{-1,-2}''', '''{-1,-2}'''),
 ('action_values', 'action_costs', 'huge_ratio', '''{1e308,1e308}''', '''{5e-324,5e-324}'''),
 ('action_values', 'action_costs', 'tiny_ratio', '''{5e-324,5e-324}''', '''{1e308,1e308}'''),
 ('action_values', 'action_costs', 'long', 'array_fill(1::float8, ARRAY[100000])', 'array_fill(1::float8, ARRAY[100000])'),
 ('action_values', 'action_costs', 'max_actions', 'array_fill(1::float8, ARRAY[256])', 'array_fill(1::float8, ARRAY[256])'),
 ('action_values', 'action_costs', 'concave_4096', '(SELECT array_agg(sqrt(a)) FROM generate_series(1, 4096) a)', '(SELECT array_agg(a::float8) FROM generate_series(1, 4096) a)'),
 ('action_values', 'action_costs', '2d', '''{{1,2},{3,4}}''', '''{{1,2},{3,4}}'''),
 ('action_values', 'action_costs', 'lower_bound_0', '''[0:1]={1,2}''', '''[0:1]={1,3}'''),
 ('outcomes', 'probs', 'overflow', '''{1.5e308,1.5e308}''', '''{0.9,0.9}'''),
 ('outcomes', 'probs', 'long', 'array_fill(1::float8, ARRAY[100000])', 'array_fill(0.00001::float8, ARRAY[100000])'),
 ('outcomes', 'probs', 'empty', '''{}''', '''{}'''),
 ('effects', 'action', 'max_actions', 'array_fill(0.1::float8, ARRAY[256])', '256'),
 ('features', 'action', 'long', 'array_fill(0.1::float8, ARRAY[10000])', '1');

-- The public functions: members of the extension that take no internal argument.
CREATE TABLE fuzz.funcs AS
SELECT p.oid AS fn, p.oid::regprocedure::text AS sig, p.prokind = 'a' AS agg, p.proretset AS srf,
       format('%I.%I', n.nspname, p.proname) AS qname,
       p.proargtypes::oid[] AS argtypes,
       coalesce(p.proargnames[1:p.pronargs], array_fill(''::text, ARRAY[p.pronargs])) AS argnames
FROM pg_depend d
JOIN pg_proc p ON d.classid = 'pg_proc'::regclass AND p.oid = d.objid
JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e'
  AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'uplift')
  AND NOT 'internal'::regtype = ANY (p.proargtypes::oid[])
  AND p.prorettype <> 'internal'::regtype;

-- The pool and the valid value of one argument, from its type and name.
CREATE FUNCTION fuzz.kind(typ regtype, name text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE
        WHEN typ = 'text'::regtype AND name IN ('candidates', 'reference', 'current') THEN 'query'
        WHEN typ = 'jsonb'::regtype AND name = 'description' THEN 'description'
        WHEN typ = 'double precision'::regtype THEN 'float8'
        WHEN typ = 'real'::regtype THEN 'float4'
        WHEN typ = 'integer'::regtype THEN 'int4'
        WHEN typ = 'bigint'::regtype THEN 'int8'
        WHEN typ = 'boolean'::regtype THEN 'bool'
        WHEN typ = 'double precision[]'::regtype THEN 'float8[]'
        WHEN typ = 'real[]'::regtype THEN 'float4[]'
        WHEN typ::text IN ('text', 'jsonb', 'bytea', 'cstring', 'uplift_model', 'uplift_assignment',
                           'interval', 'regclass')
            THEN typ::text
    END
$$;

CREATE FUNCTION fuzz.base(typ regtype, name text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE
        WHEN name = 'features' THEN '''{0.5,-1,0,0.4,0.2}'''
        WHEN name IN ('model', 'value_model', 'cost_model') THEN '(SELECT m FROM fuzz.models WHERE name = ''t_linear'')'
        WHEN name = 'candidates' THEN '''SELECT unit_id, action, value, cost FROM fuzz.candidates'''
        WHEN name = 'description' THEN '(SELECT public.uplift_model_info(m) FROM fuzz.models WHERE name = ''t_linear'')'
        WHEN name IN ('treatment', 'action', 'unit', 'draw', 'seed') THEN '1'
        WHEN name IN ('propensity', 'logged_propensity', 'target_propensity', 'p') THEN '0.5'
        WHEN name IN ('epsilon', 'holdout', 'share') THEN '0.1'
        WHEN name IN ('min_propensity') THEN '0.05'
        WHEN name IN ('k', 'score', 'threshold') THEN '0.3'
        WHEN name = 'bins' THEN '10'
        WHEN name = 'n' THEN '50'
        WHEN name = 'budget' THEN '10'
        WHEN name = 'strategy' THEN '''overall'''
        WHEN name = 'experiment' THEN '''fuzz'''
        WHEN name = 'holdout_name' THEN '''global'''
        WHEN name = 'policy' THEN '''fuzz'''
        WHEN name = 'unit_id' AND typ = 'bigint'::regtype THEN 'nextval(''fuzz.unit_seq'')'
        WHEN name = 'unit_id' THEN '''u'' || nextval(''fuzz.unit_seq'')'
        WHEN name IN ('weights', 'outcomes') THEN '''{1,2,3}'''
        WHEN name IN ('effects', 'scores', 'action_values') THEN '''{0.2,0.5}'''
        WHEN name = 'action_costs' THEN '''{1,3}'''
        WHEN name = 'probs' THEN '''{0.2,0.3,0.5}'''
        WHEN name = 'successes' THEN '''{3,5,2}'''
        WHEN name = 'trials' THEN '''{10,10,10}'''
        WHEN name = 'assignment' THEN '''(1,0.5,f)'''
        WHEN name IN ('options', 'params') THEN '''{}'''
        WHEN typ = 'uplift_model'::regtype THEN '(SELECT m FROM fuzz.models WHERE name = ''t_linear'')'
        WHEN typ = 'bytea'::regtype THEN 'public.uplift_model_to_bytea((SELECT m FROM fuzz.models WHERE name = ''t_linear''))'
        WHEN typ = 'cstring'::regtype THEN '((SELECT m FROM fuzz.models WHERE name = ''t_linear'')::text)'
        WHEN typ = 'jsonb'::regtype THEN '''{}'''
        WHEN typ IN ('double precision'::regtype, 'real'::regtype) THEN '1'
        WHEN typ IN ('integer'::regtype, 'bigint'::regtype) THEN '1'
        WHEN typ = 'text'::regtype THEN '''x'''
        WHEN typ = 'boolean'::regtype THEN 'true'
        WHEN typ = 'interval'::regtype THEN '''1 day'''
        WHEN typ = 'regclass'::regtype THEN '''fuzz.rows'''
        ELSE 'NULL'
    END
$$;

-- The column of fuzz.rows an aggregate argument reads, if it varies by row.
CREATE FUNCTION fuzz.column_of(typ regtype, name text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE
        WHEN name = 'features' AND typ = 'real[]'::regtype THEN 'features4'
        WHEN name = 'reward' THEN 'value'
        WHEN name = 'logged_propensity' THEN 'propensity'
        WHEN name = 'unit_id' AND typ = 'bigint'::regtype THEN 'unit_id'
        WHEN name IN ('features', 'treatment', 'action', 'outcome', 'value', 'cost', 'propensity',
                      'target_propensity', 'q_logged', 'q_target', 'score',
                      'action_values', 'action_costs') THEN name
    END
$$;

CREATE TABLE fuzz.args AS
SELECT f.fn, a.i, a.typ::regtype AS typ, f.argnames[a.i] AS name,
       fuzz.kind(a.typ::regtype, f.argnames[a.i]) AS kind,
       format('(%s)::%s', fuzz.base(a.typ::regtype, f.argnames[a.i]), format_type(a.typ, NULL)) AS base,
       CASE WHEN f.agg THEN fuzz.column_of(a.typ::regtype, f.argnames[a.i]) END AS col
FROM fuzz.funcs f, unnest(f.argtypes) WITH ORDINALITY AS a(typ, i);

-- Cases: one row per call.  Each argument is a constant, or a row column for
-- aggregates; a replaced argument is the pool's value on every row ('all') or
-- on row 7 only ('row7').
CREATE TABLE fuzz.cases (id serial PRIMARY KEY, fn oid, sig text, label text, sql text,
                         nonfinite_in bool, null_in bool, hostile bool NOT NULL DEFAULT false,
                         parallel bool NOT NULL DEFAULT false, skip text);

-- The statement of a call: it returns whether the result is NULL (for a
-- set-returning function: empty) and whether it prints a NaN or an infinity.
CREATE FUNCTION fuzz.call_sql(f fuzz.funcs, argexprs text[], rowfilter text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE
        WHEN f.agg THEN format(
            'SELECT x IS NULL, x::text ~ fuzz.nonfinite_re() FROM (SELECT %s(%s) AS x FROM fuzz.rows r WHERE %s) s',
            f.qname, array_to_string(argexprs, ', '), rowfilter)
        WHEN f.srf THEN format(
            'SELECT count(*) = 0, coalesce(bool_or(x::text ~ fuzz.nonfinite_re()), false) FROM (SELECT x FROM %s(%s) AS x LIMIT 100000) s',
            f.qname, array_to_string(argexprs, ', '))
        ELSE format('SELECT x IS NULL, x::text ~ fuzz.nonfinite_re() FROM (SELECT %s(%s) AS x) s',
                    f.qname, array_to_string(argexprs, ', '))
    END
$$;

CREATE FUNCTION fuzz.nonfinite_re() RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT '(^|[^A-Za-z_])(NaN|-?Infinity)($|[^A-Za-z_])' $$;

-- The expression of argument a: its base, or a replacement on all rows or on row 7.
CREATE FUNCTION fuzz.arg_sql(a fuzz.args, expr text, how text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE
        WHEN expr IS NULL THEN coalesce('r.' || a.col, a.base)
        WHEN how = 'row7' THEN format('CASE WHEN r.id = 7 THEN (%s)::%s ELSE r.%s END',
                                      expr, format_type(a.typ, NULL), a.col)
        ELSE format('(%s)::%s', expr, format_type(a.typ, NULL))
    END
$$;

-- Cases replacing argument a of f by value v: on every row, and for an
-- aggregate argument read from the rows also on row 7 only.
CREATE FUNCTION fuzz.add_replacements(f fuzz.funcs, a fuzz.args, v fuzz.pool) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    how text;
    exprs text[];
BEGIN
    FOREACH how IN ARRAY CASE WHEN a.col IS NOT NULL THEN ARRAY['all', 'row7'] ELSE ARRAY['all'] END LOOP
        SELECT array_agg(CASE WHEN x.i = a.i THEN fuzz.arg_sql(x, v.expr, how)
                              ELSE fuzz.arg_sql(x, NULL, NULL) END ORDER BY x.i)
        INTO exprs FROM fuzz.args x WHERE x.fn = f.fn;
        INSERT INTO fuzz.cases (fn, sig, label, sql, nonfinite_in, null_in, hostile)
        VALUES (f.fn, f.sig,
                format('%s=%s', coalesce(nullif(a.name, ''), '$' || a.i), v.label)
                    || CASE WHEN a.col IS NOT NULL THEN ' (' || how || ')' ELSE '' END,
                fuzz.call_sql(f, exprs, 'true'), v.nonfinite, v.label = 'null', v.hostile);
    END LOOP;
END $$;

-- After the first pass: every value of each option key that a function did
-- not reject as unknown.  Returns the number of cases added.
CREATE FUNCTION fuzz.expand_options() RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    added bigint := 0;
    t record;
BEGIN
    FOR t IN
        SELECT f, a, v
        FROM fuzz.cases c
        JOIN fuzz.results r USING (id)
        JOIN fuzz.funcs f ON f.fn = c.fn
        JOIN fuzz.args a ON a.fn = c.fn AND a.name = 'options'
        JOIN fuzz.pool v ON v.kind = 'option'
             AND v.label LIKE substring(c.label FROM '^options=([a-z_]+)=string$') || '=%'
        WHERE c.label ~ '^options=[a-z_]+=string$'
          AND coalesce(r.message, '') NOT LIKE 'unknown option%'
        ORDER BY c.id, v.ord
    LOOP
        PERFORM fuzz.add_replacements(t.f, t.a, t.v);
        added := added + 1;
    END LOOP;
    RETURN added;
END $$;

DO $$
DECLARE
    f fuzz.funcs;
    a fuzz.args;
    v fuzz.pool;
    pr fuzz.pairs;
    exprs text[];
    nonfin bool;
    nul bool;
    bad bool;
    lbl text;
BEGIN
    PERFORM setseed(0.1234);
    FOR f IN SELECT * FROM fuzz.funcs ORDER BY sig LOOP
        -- the valid call
        SELECT array_agg(fuzz.arg_sql(x, NULL, NULL) ORDER BY x.i) INTO exprs FROM fuzz.args x WHERE x.fn = f.fn;
        INSERT INTO fuzz.cases (fn, sig, label, sql, nonfinite_in, null_in)
        VALUES (f.fn, f.sig, 'valid', fuzz.call_sql(f, exprs, 'true'), false, false);
        IF f.agg THEN
            INSERT INTO fuzz.cases (fn, sig, label, sql, nonfinite_in, null_in) VALUES
             (f.fn, f.sig, 'no rows', fuzz.call_sql(f, exprs, 'false'), false, false),
             (f.fn, f.sig, 'one row', fuzz.call_sql(f, exprs, 'r.id = 7'), false, false),
             (f.fn, f.sig, 'control rows only', fuzz.call_sql(f, exprs, 'r.action = 0'), false, false),
             (f.fn, f.sig, 'treated rows only', fuzz.call_sql(f, exprs, 'r.action = 1'), false, false);
            SELECT array_agg(format('NULL::%s', format_type(x.typ, NULL)) ORDER BY x.i) INTO exprs
            FROM fuzz.args x WHERE x.fn = f.fn;
            INSERT INTO fuzz.cases (fn, sig, label, sql, nonfinite_in, null_in)
            VALUES (f.fn, f.sig, 'all NULL rows', fuzz.call_sql(f, exprs, 'true'), false, true);
        END IF;
        -- each argument in turn through its pool
        FOR a IN SELECT * FROM fuzz.args x WHERE x.fn = f.fn ORDER BY x.i LOOP
            FOR v IN SELECT * FROM fuzz.pool p WHERE p.kind = a.kind ORDER BY p.ord LOOP
                PERFORM fuzz.add_replacements(f, a, v);
            END LOOP;
        END LOOP;
        -- pairs of arguments replaced together
        FOR pr IN SELECT * FROM fuzz.pairs p
                  WHERE EXISTS (SELECT 1 FROM fuzz.args x WHERE x.fn = f.fn AND x.name = p.a)
                    AND EXISTS (SELECT 1 FROM fuzz.args x WHERE x.fn = f.fn AND x.name = p.b)
                  ORDER BY p.a, p.b, p.label LOOP
            SELECT array_agg(CASE WHEN x.name = pr.a THEN fuzz.arg_sql(x, pr.ea, 'all')
                                  WHEN x.name = pr.b THEN fuzz.arg_sql(x, pr.eb, 'all')
                                  ELSE fuzz.arg_sql(x, NULL, NULL) END ORDER BY x.i)
            INTO exprs FROM fuzz.args x WHERE x.fn = f.fn;
            INSERT INTO fuzz.cases (fn, sig, label, sql, nonfinite_in, null_in)
            VALUES (f.fn, f.sig, format('%s+%s=%s', pr.a, pr.b, pr.label),
                    fuzz.call_sql(f, exprs, 'true'), pr.nonfinite, false);
        END LOOP;
        -- random combinations, each argument from its pool or its valid value
        FOR k IN 1..12 LOOP
            exprs := '{}'; lbl := ''; nonfin := false; nul := false; bad := false;
            FOR a IN SELECT * FROM fuzz.args x WHERE x.fn = f.fn ORDER BY x.i LOOP
                IF random() < 0.5 THEN
                    SELECT * INTO v FROM fuzz.pool p WHERE p.kind = a.kind ORDER BY random() LIMIT 1;
                ELSE
                    v := NULL;
                END IF;
                IF v.label IS NULL THEN
                    exprs := exprs || fuzz.arg_sql(a, NULL, NULL);
                    lbl := lbl || '.' || ',';
                ELSE
                    exprs := exprs || fuzz.arg_sql(a, v.expr, 'all');
                    lbl := lbl || v.label || ',';
                    nonfin := nonfin OR v.nonfinite;
                    nul := nul OR v.label = 'null';
                    bad := bad OR v.hostile;
                END IF;
            END LOOP;
            INSERT INTO fuzz.cases (fn, sig, label, sql, nonfinite_in, null_in, hostile)
            VALUES (f.fn, f.sig, format('random(%s)', rtrim(lbl, ',')), fuzz.call_sql(f, exprs, 'true'), nonfin, nul, bad);
        END LOOP;
        -- aggregates again under a parallel plan: partial states (some of
        -- them empty) go through the serial, deserial and combine functions
        IF f.agg THEN
            INSERT INTO fuzz.cases (fn, sig, label, sql, nonfinite_in, null_in, hostile, parallel)
            SELECT fn, sig, 'parallel: ' || label, sql, nonfinite_in, null_in, hostile, true
            FROM fuzz.cases c
            WHERE c.fn = f.fn AND NOT c.parallel
              AND (c.label IN ('valid', 'all NULL rows') OR c.label ~ '=null \((all|row7)\)$')
            ORDER BY c.id;
        END IF;
    END LOOP;
END $$;

-- Results: one row per case run.
CREATE TABLE fuzz.results (id int PRIMARY KEY, state text, message text, is_null bool,
                           nonfinite bool, ms float8);

-- Findings known to be fixed in other areas (test/shell/fuzz_known.sql).
CREATE TABLE fuzz.known (sig text, label_like text, kind text, note text);

-- Run one case in its own subtransaction; a statement_timeout is caught too.
CREATE FUNCTION fuzz.run_case(case_id int) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    c fuzz.cases;
    st text := '00000';
    msg text;
    res_null bool;
    nonfin bool;
    t0 timestamptz := clock_timestamp();
BEGIN
    SELECT * INTO c FROM fuzz.cases WHERE id = case_id;
    IF c.parallel THEN
        PERFORM set_config('parallel_setup_cost', '0', true),
                set_config('parallel_tuple_cost', '0', true),
                set_config('min_parallel_table_scan_size', '0', true),
                set_config('max_parallel_workers_per_gather', '2', true);
    END IF;
    BEGIN
        EXECUTE c.sql INTO res_null, nonfin;
    EXCEPTION WHEN OTHERS OR query_canceled THEN
        GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT;
    END;
    INSERT INTO fuzz.results VALUES (case_id, st, left(msg, 300), res_null, nonfin,
        extract(epoch FROM clock_timestamp() - t0) * 1000);
END $$;

-- The plan of a case, for checking that parallel cases run in parallel.
CREATE FUNCTION fuzz.explain(case_id int) RETURNS SETOF text LANGUAGE plpgsql AS $$
BEGIN
    RETURN QUERY EXECUTE 'EXPLAIN (COSTS OFF) ' || (SELECT sql FROM fuzz.cases WHERE id = case_id);
END $$;

-- What a case found: a crash, an internal error, a timeout, a non-finite
-- result from finite arguments or a hostile query text that was run; NULL
-- when it found nothing.
CREATE VIEW fuzz.findings AS
SELECT c.id, c.sig, c.label, r.state, r.message,
       CASE WHEN r.state = 'crash' THEN 'crash'
            WHEN r.state LIKE 'XX%' THEN 'XX000'
            WHEN r.state = '57014' THEN 'timeout'
            WHEN r.state = '00000' AND r.nonfinite AND NOT c.nonfinite_in THEN 'nonfinite'
            WHEN r.state = '00000' AND c.hostile THEN 'accepted'
       END AS kind
FROM fuzz.cases c JOIN fuzz.results r USING (id);
