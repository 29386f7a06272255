#!/usr/bin/env bash
# The search_path attack: an unprivileged role with CREATE on schema public
# plants, in public, shadows of every function and operator that the
# extension's SQL and PL/pgSQL bodies, table defaults, checks and policies
# name (read from the catalog of an installed copy), with argument types that
# would match better than pg_catalog's, plus the known cases
# (jsonb_build_object with the loggers' argument types, cardinality(float8[]),
# <(float8, numeric)).  Each shadow records its call in a table.  It plants
# them before CREATE EXTENSION in one fresh database (install time) and after
# it in another (call time); then a superuser, and a role allowed to log,
# call every SQL and PL/pgSQL function of the extension.  No shadow may run,
# and every function or operator that a body bound at install refers to must
# be pg_catalog's or the extension's own.
set -euo pipefail
export PGOPTIONS="-c client_min_messages=warning"
attacker=uplift_sp_attacker; logger=uplift_sp_logger
call_db=uplift_sp_call; install_db=uplift_sp_install
cleanup() {
    psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $call_db" -c "DROP DATABASE IF EXISTS $install_db" \
        -c "DROP ROLE IF EXISTS $attacker" -c "DROP ROLE IF EXISTS $logger" >/dev/null 2>&1 || true
}
cleanup
trap cleanup EXIT
psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "CREATE ROLE $attacker" -c "CREATE ROLE $logger" \
    -c "CREATE DATABASE $call_db" -c "CREATE DATABASE $install_db"

# The texts an attacker could hijack: bodies of SQL and PL/pgSQL functions,
# and expressions of the extension's tables and of the assignment log.
bodies="
WITH members AS (
    SELECT objid FROM pg_depend
    WHERE refclassid = 'pg_extension'::regclass AND deptype = 'e' AND classid = 'pg_proc'::regclass
      AND refobjid = (SELECT oid FROM pg_extension WHERE extname = 'uplift')),
tables AS (
    SELECT objid AS relid FROM pg_depend
    WHERE refclassid = 'pg_extension'::regclass AND deptype = 'e' AND classid = 'pg_class'::regclass
      AND refobjid = (SELECT oid FROM pg_extension WHERE extname = 'uplift')
    UNION SELECT 'uplift_assignment_log'::regclass)
SELECT pg_get_functiondef(p.oid) AS body FROM pg_proc p JOIN members m ON p.oid = m.objid
 WHERE p.prolang IN (SELECT oid FROM pg_language WHERE lanname IN ('sql', 'plpgsql'))
UNION ALL SELECT pg_get_expr(adbin, adrelid) FROM pg_attrdef WHERE adrelid IN (SELECT relid FROM tables)
UNION ALL SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid IN (SELECT relid FROM tables)
UNION ALL SELECT pg_get_expr(polqual, polrelid) FROM pg_policy WHERE polrelid IN (SELECT relid FROM tables)
UNION ALL SELECT pg_get_expr(polwithcheck, polrelid) FROM pg_policy WHERE polrelid IN (SELECT relid FROM tables)"

# The calls: every SQL and PL/pgSQL function of the extension (checked below),
# as a superuser and as a role allowed to log.
calls() {
    psql -X -q -v ON_ERROR_STOP=1 -d "$1" >/dev/null <<SQL
SELECT uplift_create_assignment_log(), uplift_check_assignment_log(), uplift_check_assignment_log('sp');
SELECT uplift_demo_uniform(1, 2, 3), uplift_demo_n_check(50, 100), count(*) FROM uplift_demo_campaign(50, 1);
SELECT uplift_assignment_check(ROW(1, 0.5, false)::uplift_assignment);
CREATE TABLE sp_models AS
SELECT uplift_fit(features, action, value, '{"base": "linear"}') AS model
  FROM uplift_demo_campaign(300, 1);
SELECT ope_target_probs(model, ARRAY[0.1, 0.2, 1, 0.4, 0.5]),
       ope_target_propensity(model, ARRAY[0.1, 0.2, 1, 0.4, 0.5], 1),
       ope_q_target(model, ARRAY[0.1, 0.2, 1, 0.4, 0.5], ARRAY[0.2, 0.3, 0.5]),
       uplift_explore('sp', 1, model, ARRAY[0.1, 0.2, 1, 0.4, 0.5]),
       uplift_explore('sp', 'one', model, ARRAY[0.1, 0.2, 1, 0.4, 0.5]),
       uplift_explore_internal(model, ARRAY[0.1, 0.2, 1, 0.4, 0.5], 'uplift_explore')
  FROM sp_models;
SELECT uplift_log_assignment('sp', 1::bigint, ROW(1, 0.5, false)::uplift_assignment, 'manual'),
       uplift_log_assignment('sp', 'one'::text, ROW(1, 0.5, false)::uplift_assignment, 'manual');
SELECT uplift_assign_logged('sp', 2, ARRAY[0.5, 0.3, 0.2], 0.1),
       uplift_assign_logged('sp', 'two', ARRAY[0.5, 0.3, 0.2]),
       uplift_explore_logged('sp', 3, ARRAY[0.1, 0.3], 0.2, 0.1, 7),
       uplift_thompson_logged('sp', 5, ARRAY[3, 7], ARRAY[10, 12], 0.05, 3);
SELECT uplift_explore_logged('sp', 4, model, ARRAY[0.1, 0.2, 1, 0.4, 0.5]) FROM sp_models;
CREATE TABLE sp_jmodels AS
SELECT uplift_fit(jsonb_build_object('a', features[1], 'b', features[2]), action, value, '{"base": "linear"}') AS model
  FROM uplift_demo_campaign(300, 1);
SELECT ope_target_probs(model, '{"a": 0.1, "b": 0.2}'::jsonb),
       ope_target_propensity(model, '{"a": 0.1, "b": 0.2}'::jsonb, 1),
       ope_q_target(model, '{"a": 0.1, "b": 0.2}'::jsonb, ARRAY[0.2, 0.3, 0.5]),
       uplift_explore('sp', 1, model, '{"a": 0.1, "b": 0.2}'::jsonb),
       uplift_explore('sp', 'one', model, '{"a": 0.1, "b": 0.2}'::jsonb),
       uplift_explore_internal(model, '{"a": 0.1, "b": 0.2}'::jsonb, 'uplift_explore'),
       uplift_explore_logged('sp', 14, model, '{"a": 0.1, "b": 0.2}'::jsonb)
  FROM sp_jmodels;
CREATE TABLE sp_lmodels AS
SELECT uplift_fit(features, (ARRAY['none', 'b', 'a'])[action + 1], value, '{"base": "linear", "control": "none"}') AS model,
       uplift_fit(jsonb_build_object('a', features[1]), (ARRAY['none', 'b', 'a'])[action + 1], value,
                  '{"base": "linear", "control": "none"}') AS jmodel
  FROM uplift_demo_campaign(300, 1);
SELECT ope_target_propensity(model, ARRAY[0.1, 0.2, 1, 0.4, 0.5], 'a'),
       ope_target_propensity(jmodel, '{"a": 0.1}'::jsonb, 'b', 0.1, 0.01)
  FROM sp_lmodels;
SELECT uplift_assign_logged('sp', g, ARRAY[0.5, 0.5], '{"namespace": "n", "range": [0, 0.5]}'::jsonb),
       uplift_assign_logged('sp', g::text, ARRAY[0.5, 0.5], '{"namespace": "n", "range": [0, 0.5]}'::jsonb)
  FROM generate_series(10, 13) g;
INSERT INTO uplift_namespace_ranges VALUES ('n', 'sp', 0, 0.5), ('n', 'sp2', 0.5, 1);
SELECT count(*) FROM uplift_namespaces;
SELECT count(*) FROM allocate_budget('SELECT 1::bigint, 1, 1::float8, 1::float8', 10);
SELECT count(*) FROM uplift_demo_campaign(50, 1, 0.5);
SELECT count(*) FROM uplift_demo_portfolio(50, 1);
SELECT count(*) FROM allocate_budget('SELECT 1::bigint, 1, 1::float8, 1::float8', 10,
    '{"contact_cap": {"max_contacts": 1, "window": "30 days"}, "exclude": "SELECT 2::bigint"}');
CREATE TABLE sp_target AS SELECT g::bigint AS unit_id, ARRAY[0.5, 0.3, 0.2]::float8[] AS probs FROM generate_series(1, 8) g;
CREATE TABLE sp_outcomes AS SELECT g::bigint AS unit_id, g::float8 AS value, 1::float8 AS cost,
       1::float8 AS predicted_value, 1::float8 AS predicted_cost FROM generate_series(1, 8) g;
CREATE TABLE sp_scores AS SELECT g::bigint AS unit_id, g::float8 AS score, g::float8 AS outcome FROM generate_series(1, 8) g;
SELECT uplift_logged_policy_probs('weights', '{"weights": [1, 1]}'),
       uplift_monitor_period_check('1 day', 'uplift_policy_health');
SELECT count(*) FROM uplift_policy_health('sp');
SELECT uplift_exposure(1, now(), '30 days', ARRAY['sp', 'sp2']), uplift_exposure('one', now(), '1 day', ARRAY['sp'], 2),
       uplift_exposure_jsonb(1, now(), '1 day', ARRAY['sp']), uplift_exposure_jsonb('one', now(), '1 day', ARRAY['sp']);
SELECT count(*) FROM uplift_policy_overlap('sp', 'sp_target');
SELECT count(*) FROM uplift_policy_outcomes('sp', 'sp_outcomes', '1 day', 10);
SELECT count(*) FROM uplift_calibration_by_period('sp', 'sp_scores', '1 day', 2);
SELECT count(*) FROM uplift_monitor_alerts('sp', '1 day', NULL,
                                           (SELECT uplift_drift_profile(r) FROM (SELECT g::float8 AS x FROM generate_series(1, 20) g) r),
                                           'SELECT g::float8 AS x FROM generate_series(5, 30) g');
SELECT uplift_register('sp', model), uplift_register('sp', model, '{"qini": 0.1}') FROM sp_models;
SELECT uplift_deploy('sp', 1), uplift_deploy('sp', 2);
SELECT uplift_explore_logged('sp', 9, 'sp', ARRAY[0.1, 0.2, 1, 0.4, 0.5]);
SELECT uplift_register('sp_j', model), uplift_deploy('sp_j', 1) FROM sp_jmodels;
SELECT uplift_explore_logged('sp', 15, 'sp_j', '{"a": 0.1, "b": 0.2}'::jsonb);
SELECT version, deployed FROM uplift_train('sp_train', 'SELECT unit_id, features, action AS treatment, value AS outcome, propensity, cost FROM uplift_demo_campaign(400, 1)', '{"strategy": "best"}');
SELECT uplift_rollback('sp');
SELECT uplift_register('sp_drift', model, jsonb_build_object('drift_profile',
           (SELECT uplift_drift_profile(r) FROM (SELECT g::float8 AS x FROM generate_series(1, 20) g) r)::text))
  FROM sp_models;
SELECT uplift_deploy('sp_drift', 1);
SELECT count(*) FROM uplift_monitor_alerts('sp', '1 day', NULL, 'sp_drift', 'SELECT g::float8 AS x FROM generate_series(5, 30) g');
SELECT uplift_model('sp'::text), uplift_model('sp', 2), uplift_score('sp', ARRAY[0.1, 0.2, 1, 0.4, 0.5]);
SELECT count(*) FROM uplift_models;
INSERT INTO uplift_experiment_grants VALUES ('sp', '$logger', 'log');
GRANT SELECT ON sp_models TO $logger;
SET ROLE $logger;
SELECT uplift_assign_logged('sp', 6, ARRAY[0.5, 0.5]), uplift_thompson_logged('sp', 7, ARRAY[1, 2], ARRAY[3, 4]);
SELECT uplift_explore_logged('sp', 8, model, ARRAY[0.1, 0.2, 1, 0.4, 0.5]) FROM sp_models;
SELECT count(*) FROM uplift_assignment_log;
SELECT count(*) FROM uplift_experiment_grants;
SELECT uplift_exposure(6, now() + interval '1 day', '30 days', ARRAY['sp']), uplift_exposure_jsonb('two', now(), '1 day', ARRAY['sp']);
RESET ROLE;
SQL
}
called="uplift_check_assignment_log(text)
uplift_create_assignment_log()
uplift_demo_campaign(integer,integer)
uplift_demo_uniform(bigint,integer,integer)
uplift_demo_n_check(integer,integer)
uplift_assignment_check(uplift_assignment)
uplift_explore_internal(uplift_model,double precision[],text)
uplift_explore_internal(uplift_model,jsonb,text)
ope_target_probs(uplift_model,jsonb,double precision,double precision)
ope_target_propensity(uplift_model,jsonb,integer,double precision,double precision)
ope_q_target(uplift_model,jsonb,double precision[])
ope_target_propensity(uplift_model,double precision[],text,double precision,double precision)
ope_target_propensity(uplift_model,jsonb,text,double precision,double precision)
uplift_explore(text,bigint,uplift_model,jsonb,double precision,double precision,bigint)
uplift_explore(text,text,uplift_model,jsonb,double precision,double precision,bigint)
uplift_explore_logged(text,bigint,uplift_model,jsonb,double precision,double precision,bigint)
uplift_explore_logged(text,bigint,text,jsonb,double precision,double precision,bigint)
ope_target_probs(uplift_model,double precision[],double precision,double precision)
ope_target_propensity(uplift_model,double precision[],integer,double precision,double precision)
ope_q_target(uplift_model,double precision[],double precision[])
uplift_explore(text,bigint,uplift_model,double precision[],double precision,double precision,bigint)
uplift_explore(text,text,uplift_model,double precision[],double precision,double precision,bigint)
uplift_log_assignment(text,bigint,uplift_assignment,text,jsonb,text)
uplift_log_assignment(text,text,uplift_assignment,text,jsonb,text)
uplift_assign_logged(text,bigint,double precision[],double precision,text)
uplift_assign_logged(text,text,double precision[],double precision,text)
uplift_assign_logged(text,bigint,double precision[],jsonb)
uplift_assign_logged(text,text,double precision[],jsonb)
uplift_namespace_ranges_check()
uplift_explore_logged(text,bigint,double precision[],double precision,double precision,bigint)
uplift_explore_logged(text,bigint,uplift_model,double precision[],double precision,double precision,bigint)
uplift_explore_logged(text,bigint,text,double precision[],double precision,double precision,bigint)
uplift_thompson_logged(text,bigint,double precision[],double precision[],double precision,bigint)
uplift_demo_campaign(integer,integer,double precision)
uplift_demo_portfolio(integer,integer,double precision,double precision)
uplift_logged_policy_probs(text,jsonb)
uplift_monitor_period_check(interval,text)
uplift_policy_health(text,interval)
uplift_exposure_internal(text,boolean,timestamp with time zone,interval,text[],integer,text)
uplift_exposure(bigint,timestamp with time zone,interval,text[],integer)
uplift_exposure(text,timestamp with time zone,interval,text[],integer)
uplift_exposure_jsonb(bigint,timestamp with time zone,interval,text[])
uplift_exposure_jsonb(text,timestamp with time zone,interval,text[])
uplift_policy_overlap(text,regclass,interval)
uplift_policy_outcomes(text,regclass,interval,double precision)
uplift_calibration_by_period(text,regclass,interval,integer,integer)
uplift_monitor_alerts(text,interval,jsonb,uplift_drift_profile,text)
uplift_monitor_alerts(text,interval,jsonb,text,text)
uplift_registry_lock(text)
uplift_registry_check(text,text)
uplift_registry_check(text,text,integer)
uplift_register(text,uplift_model,jsonb)
uplift_deploy(text,integer)
uplift_train(text,text,jsonb)
uplift_train_internal(text,text,jsonb,text)
uplift_rollback(text)
uplift_deployed(text)
uplift_model(text)
uplift_model(text,integer)"

# Plant the shadows as the attacker: every pg_catalog signature of each
# function name with polymorphic types made concrete and each numeric argument
# swapped for the other numeric types, and each operator name for every pair
# of the types the extension uses.
plant() {
    psql -X -q -v ON_ERROR_STOP=1 -d "$1" -v funcs="$2" -v ops="$3" >/dev/null <<SQL
GRANT CREATE ON SCHEMA public TO $attacker;
GRANT USAGE ON SCHEMA public TO $logger;
SET ROLE $attacker;
SET search_path = pg_catalog, pg_temp;  -- so that planting does not run its own shadows
CREATE TABLE public.sp_hijacked (what text);
GRANT SELECT, INSERT ON public.sp_hijacked TO PUBLIC;
CREATE TEMP TABLE names (kind text, name text);
INSERT INTO names SELECT 'f', unnest(string_to_array(:'funcs', ' '));
INSERT INTO names SELECT 'o', unnest(string_to_array(:'ops', ' '));
DO \$plant\$
DECLARE
    numeric_types text[] := ARRAY['smallint', 'integer', 'bigint', 'real', 'double precision', 'numeric'];
    op_types text[] := ARRAY['integer', 'bigint', 'double precision', 'numeric', 'text', 'boolean',
                             'jsonb', 'double precision[]', 'text[]'];
    elems text[] := ARRAY['double precision', 'integer', 'text', 'bigint'];
    f record; args text[]; variant text[]; ret text; elem text; i int; t text; l text; r text; n int := 0;
BEGIN
    -- one shadow: records its call, returns NULL
    CREATE FUNCTION pg_temp.shadow(name text, args text[], ret text) RETURNS void LANGUAGE plpgsql AS \$s\$
    BEGIN
        EXECUTE format('CREATE FUNCTION public.%I(%s) RETURNS %s LANGUAGE plpgsql AS %L',
                       name, array_to_string(args, ', '), ret,
                       format('BEGIN INSERT INTO public.sp_hijacked VALUES (%L); RETURN NULL; END',
                              name || '(' || array_to_string(args, ', ') || ')'));
    EXCEPTION WHEN duplicate_function OR invalid_function_definition OR datatype_mismatch
                   OR wrong_object_type OR invalid_parameter_value OR feature_not_supported THEN
        NULL;
    END
    \$s\$;
    FOR f IN SELECT n.name, p.proargtypes::regtype[]::text[] AS a, p.prorettype::regtype::text AS rt
               FROM names n JOIN pg_proc p ON p.proname = n.name
              WHERE n.kind = 'f' AND p.pronamespace = 'pg_catalog'::regnamespace AND p.prokind = 'f'
    LOOP
        FOREACH elem IN ARRAY elems LOOP
            args := ARRAY(SELECT CASE WHEN a IN ('anyelement', 'anycompatible', 'anynonarray') THEN elem
                                      WHEN a IN ('anyarray', 'anycompatiblearray') THEN elem || '[]'
                                      ELSE a END FROM unnest(f.a) a);
            ret := CASE WHEN f.rt IN ('anyelement', 'anycompatible', 'anynonarray') THEN elem
                        WHEN f.rt IN ('anyarray', 'anycompatiblearray') THEN elem || '[]'
                        WHEN f.rt IN ('record', 'trigger', 'event_trigger', 'internal') THEN NULL
                        ELSE f.rt END;
            CONTINUE WHEN ret IS NULL OR EXISTS (SELECT FROM unnest(args) a
                WHERE a IN ('"any"', 'any', 'internal', 'cstring', 'anyenum', 'anyrange', 'anymultirange',
                            'record', 'anycompatiblerange', 'anycompatiblemultirange', 'anycompatiblenonarray'));
            PERFORM pg_temp.shadow(f.name, args, ret);
            FOR i IN 1 .. coalesce(array_length(args, 1), 0) LOOP
                CONTINUE WHEN NOT args[i] = ANY (numeric_types);
                FOREACH t IN ARRAY numeric_types LOOP
                    variant := args; variant[i] := t;
                    PERFORM pg_temp.shadow(f.name, variant, ret);
                END LOOP;
            END LOOP;
        END LOOP;
    END LOOP;
    -- the loggers' jsonb_build_object calls (VARIADIC "any" has no signature to copy)
    PERFORM pg_temp.shadow('jsonb_build_object', ARRAY['text', 'double precision[]', 'text', 'double precision', 'text', 'text'], 'jsonb');
    PERFORM pg_temp.shadow('jsonb_build_object', ARRAY['text', 'double precision[]', 'text', 'double precision', 'text', 'double precision', 'text', 'bigint'], 'jsonb');
    PERFORM pg_temp.shadow('jsonb_build_object', ARRAY['text', 'double precision[]', 'text', 'double precision[]', 'text', 'double precision', 'text', 'bigint'], 'jsonb');
    -- operators
    FOR f IN SELECT name FROM names WHERE kind = 'o' LOOP
        FOREACH l IN ARRAY op_types LOOP
            FOREACH r IN ARRAY op_types LOOP
                n := n + 1;
                ret := CASE WHEN f.name IN ('<', '>', '<=', '>=', '=', '<>', '~', '!~', '~~', '@>', '<@', '&&', '?')
                            THEN 'boolean' ELSE l END;
                PERFORM pg_temp.shadow('sp_op_' || n, ARRAY[l, r], ret);
                BEGIN
                    EXECUTE format('CREATE OPERATOR public.%s (LEFTARG = %s, RIGHTARG = %s, FUNCTION = public.%I)',
                                   f.name, l, r, 'sp_op_' || n);
                EXCEPTION WHEN OTHERS THEN NULL;
                END;
            END LOOP;
            n := n + 1;
            PERFORM pg_temp.shadow('sp_op_' || n, ARRAY[l], l);
            BEGIN
                EXECUTE format('CREATE OPERATOR public.%s (RIGHTARG = %s, FUNCTION = public.%I)', f.name, l, 'sp_op_' || n);
            EXCEPTION WHEN OTHERS THEN NULL;
            END;
        END LOOP;
    END LOOP;
END
\$plant\$;
RESET ROLE;
SQL
    # the known cases are among the shadows
    [ "$(psql -X -At -d "$1" -c "SELECT count(*) FROM (VALUES
        (to_regprocedure('public.jsonb_build_object(text, float8[], text, float8, text, text)')::text),
        (to_regprocedure('public.cardinality(float8[])')::text), (to_regprocedure('public.now()')::text),
        (to_regprocedure('public.hashtext(text)')::text), (to_regprocedure('public.array_length(float8[], integer)')::text),
        (to_regoperator('public.<(float8, numeric)')::text), (to_regoperator('public.*(integer, integer)')::text)) v(o)
        WHERE o IS NOT NULL")" = 7 ] || { echo "the shadows were not planted" >&2; return 1; }
}

# Every shadow that ran, and every function or operator that a body or an
# expression bound at install refers to outside pg_catalog and the extension.
check() {
    local ran bound
    ran=$(psql -X -At -v ON_ERROR_STOP=1 -d "$1" -c "SELECT string_agg(DISTINCT what, '; ') FROM public.sp_hijacked")
    [ -z "$ran" ] || { echo "$2: planted functions ran: $ran" >&2; return 1; }
    bound=$(psql -X -At -v ON_ERROR_STOP=1 -d "$1" <<'SQL'
WITH ext AS (SELECT oid FROM pg_extension WHERE extname = 'uplift'),
members AS (SELECT classid, objid FROM pg_depend, ext
             WHERE refclassid = 'pg_extension'::regclass AND refobjid = ext.oid AND deptype = 'e'),
tables AS (SELECT objid AS relid FROM members WHERE classid = 'pg_class'::regclass
           UNION SELECT 'uplift_assignment_log'::regclass),
trees AS (
    SELECT prosqlbody::text AS t FROM pg_proc WHERE oid IN (SELECT objid FROM members) AND prosqlbody IS NOT NULL
    UNION ALL SELECT adbin::text FROM pg_attrdef WHERE adrelid IN (SELECT relid FROM tables)
    UNION ALL SELECT conbin::text FROM pg_constraint WHERE conrelid IN (SELECT relid FROM tables) AND conbin IS NOT NULL
    UNION ALL SELECT polqual::text FROM pg_policy WHERE polrelid IN (SELECT relid FROM tables) AND polqual IS NOT NULL
    UNION ALL SELECT polwithcheck::text FROM pg_policy WHERE polrelid IN (SELECT relid FROM tables) AND polwithcheck IS NOT NULL),
funcs AS (SELECT DISTINCT m[1]::oid AS oid FROM trees, regexp_matches(t, ':(?:funcid|opfuncid|aggfnoid) (\d+)', 'g') m),
ops AS (SELECT DISTINCT m[1]::oid AS oid FROM trees, regexp_matches(t, ':opno (\d+)', 'g') m)
SELECT string_agg(what, '; ') FROM (
    SELECT f.oid::regprocedure::text AS what FROM funcs f JOIN pg_proc p ON p.oid = f.oid
     WHERE p.pronamespace <> 'pg_catalog'::regnamespace AND p.oid NOT IN (SELECT objid FROM members)
    UNION ALL
    SELECT o.oid::regoperator::text FROM ops o JOIN pg_operator p ON p.oid = o.oid
     WHERE p.oprnamespace <> 'pg_catalog'::regnamespace) s
SQL
)
    [ -z "$bound" ] || { echo "$2: bodies bound to objects outside pg_catalog and the extension: $bound" >&2; return 1; }
}

# Call time: install, read the names to plant from the catalog, plant, call.
psql -X -q -v ON_ERROR_STOP=1 -d $call_db -c "CREATE EXTENSION uplift" -c "SELECT uplift_create_assignment_log()" >/dev/null
missing=$(psql -X -At -v ON_ERROR_STOP=1 -d $call_db -v called="$called" <<'SQL'
SELECT string_agg(p.oid::regprocedure::text, ', ')
  FROM pg_proc p JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
 WHERE d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'uplift')
   AND p.prolang IN (SELECT oid FROM pg_language WHERE lanname IN ('sql', 'plpgsql'))
   AND NOT p.oid::regprocedure::text = ANY (string_to_array(:'called', E'\n'));
SQL
)
[ -z "$missing" ] || { echo "the test does not call these functions: $missing" >&2; exit 1; }
funcs=$(psql -X -At -v ON_ERROR_STOP=1 -d $call_db -c "
    SELECT string_agg(DISTINCT m[1], ' ') FROM ($bodies) b, regexp_matches(lower(b.body), '([a-z_][a-z0-9_]*)\s*\(', 'g') m
     WHERE EXISTS (SELECT FROM pg_proc WHERE proname = m[1] AND pronamespace = 'pg_catalog'::regnamespace)")
ops=$(psql -X -At -v ON_ERROR_STOP=1 -d $call_db -c "
    SELECT string_agg(DISTINCT m[1], ' ') FROM ($bodies) b, regexp_matches(b.body, '([-+*/<>=~!@#%^&|]+)', 'g') m
     WHERE EXISTS (SELECT FROM pg_operator WHERE oprname = m[1] AND oprnamespace = 'pg_catalog'::regnamespace)")
# the generic names every body is likely to use, whether the bodies above name them or not
funcs="$funcs now hashtext array_length cardinality coalesce nullif greatest least jsonb_build_object generate_series"
ops="$ops < > <= >= = <> + - * / || &"
echo "planting shadows of: $funcs; operators: $ops" >&2
plant $call_db "$funcs" "$ops"
calls $call_db
check $call_db "call time"

# Install time: plant in a fresh database, then install and call.
plant $install_db "$funcs" "$ops"
psql -X -q -v ON_ERROR_STOP=1 -d $install_db -c "CREATE EXTENSION uplift" >/dev/null
calls $install_db
check $install_db "install time"
