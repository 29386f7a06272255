-- Randomized assignment, exploration and the assignment log (src/assign.c,
-- src/hash.c, src/thompson.c; doc/assignment.md).

CREATE TYPE uplift_assignment AS (
    action int,          -- 0 = control / no offer, 1..K the actions
    propensity float8,   -- probability with which this action was chosen
    holdout bool         -- true: the unit is in the global holdout (action 0)
);

COMMENT ON TYPE uplift_assignment IS
'an assigned action, the probability it was chosen with, and whether the unit is in the global holdout';

-- Hashed assignment with weights and a global holdout.

CREATE FUNCTION uplift_assign(experiment text, unit_id bigint, weights float8[],
                              holdout float8 DEFAULT 0, holdout_name text DEFAULT 'global')
RETURNS uplift_assignment
AS 'MODULE_PATHNAME', 'uplift_assign_int8'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION uplift_assign(experiment text, unit_id text, weights float8[],
                              holdout float8 DEFAULT 0, holdout_name text DEFAULT 'global')
RETURNS uplift_assignment
AS 'MODULE_PATHNAME', 'uplift_assign_text'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION uplift_assign(text, bigint, float8[], float8, text) IS
'action 0..K drawn with probabilities proportional to weights from the SipHash-2-4 of experiment and unit; units in the global holdout get action 0';
COMMENT ON FUNCTION uplift_assign(text, text, float8[], float8, text) IS
'action 0..K drawn with probabilities proportional to weights from the SipHash-2-4 of experiment and unit; units in the global holdout get action 0';

CREATE FUNCTION uplift_in_holdout(unit_id bigint, share float8,
                                  holdout_name text DEFAULT 'global')
RETURNS bool
AS 'MODULE_PATHNAME', 'uplift_in_holdout_int8'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION uplift_in_holdout(unit_id text, share float8,
                                  holdout_name text DEFAULT 'global')
RETURNS bool
AS 'MODULE_PATHNAME', 'uplift_in_holdout_text'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION uplift_in_holdout(bigint, float8, text) IS
'whether the unit is in the holdout of this share (a hash namespace of its own, nested as the share grows)';
COMMENT ON FUNCTION uplift_in_holdout(text, float8, text) IS
'whether the unit is in the holdout of this share (a hash namespace of its own, nested as the share grows)';

CREATE FUNCTION uplift_assign_hash(experiment text, unit_id bigint, seed bigint DEFAULT 0)
RETURNS bigint
AS 'MODULE_PATHNAME', 'uplift_assign_hash_int8'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION uplift_assign_hash(experiment text, unit_id text, seed bigint DEFAULT 0)
RETURNS bigint
AS 'MODULE_PATHNAME', 'uplift_assign_hash_text'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION uplift_assign_hash(text, bigint, bigint) IS
'the 64-bit assignment hash (as a signed bigint) of experiment, unit and seed, for checking other implementations';
COMMENT ON FUNCTION uplift_assign_hash(text, text, bigint) IS
'the 64-bit assignment hash (as a signed bigint) of experiment, unit and seed, for checking other implementations';

-- Exploration: epsilon-greedy over effects, and Thompson sampling.

CREATE FUNCTION uplift_explore(experiment text, unit_id bigint, effects float8[],
                               epsilon float8 DEFAULT 0.1, min_propensity float8 DEFAULT 0,
                               seed bigint DEFAULT 0)
RETURNS uplift_assignment
AS 'MODULE_PATHNAME', 'uplift_explore_int8'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION uplift_explore(experiment text, unit_id text, effects float8[],
                               epsilon float8 DEFAULT 0.1, min_propensity float8 DEFAULT 0,
                               seed bigint DEFAULT 0)
RETURNS uplift_assignment
AS 'MODULE_PATHNAME', 'uplift_explore_text'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION uplift_explore(text, bigint, float8[], float8, float8, bigint) IS
'action drawn from the epsilon-greedy policy over the effects of actions 1..K with a minimum propensity, and its probability';
COMMENT ON FUNCTION uplift_explore(text, text, float8[], float8, float8, bigint) IS
'action drawn from the epsilon-greedy policy over the effects of actions 1..K with a minimum propensity, and its probability';

-- Exploration over a stored model's policy: the effects are the model's
-- scores for the unit's features.

-- The model's scores for the features, for the exploring functions: a NULL
-- model or NULL features is an error naming that argument of the caller.
CREATE FUNCTION uplift_explore_internal(model uplift_model, features float8[], caller text)
RETURNS float8[]
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF $1 IS NULL THEN
        RAISE EXCEPTION 'model of % must not be NULL', $3
            USING ERRCODE = 'null_value_not_allowed',
                  HINT = 'Check the query that supplies the model: a NULL model usually means it found none.';
    END IF;
    IF $2 IS NULL THEN
        RAISE EXCEPTION 'features of % must not be NULL', $3
            USING ERRCODE = 'null_value_not_allowed',
                  HINT = 'Filter out units with NULL features before assigning, or give them an assignment without a model.';
    END IF;
    RETURN @extschema@.uplift_scores($1, $2);
END
$$;

COMMENT ON FUNCTION uplift_explore_internal(uplift_model, float8[], text) IS
'the model''s scores for the features; an error naming the caller''s argument when the model or the features are NULL; used by uplift_explore and uplift_explore_logged over a model';

CREATE FUNCTION uplift_explore(experiment text, unit_id bigint, model uplift_model,
                               features float8[], epsilon float8 DEFAULT 0.1,
                               min_propensity float8 DEFAULT 0, seed bigint DEFAULT 0)
RETURNS uplift_assignment
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
SELECT @extschema@.uplift_explore(experiment, unit_id,
                                  @extschema@.uplift_explore_internal(model, features, 'uplift_explore'),
                                  epsilon, min_propensity, seed)
$$;

CREATE FUNCTION uplift_explore(experiment text, unit_id text, model uplift_model,
                               features float8[], epsilon float8 DEFAULT 0.1,
                               min_propensity float8 DEFAULT 0, seed bigint DEFAULT 0)
RETURNS uplift_assignment
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
SELECT @extschema@.uplift_explore(experiment, unit_id,
                                  @extschema@.uplift_explore_internal(model, features, 'uplift_explore'),
                                  epsilon, min_propensity, seed)
$$;

COMMENT ON FUNCTION uplift_explore(text, bigint, uplift_model, float8[], float8, float8, bigint) IS
'action drawn from the epsilon-greedy policy over the model''s scores for these features, with a minimum propensity, and its probability';
COMMENT ON FUNCTION uplift_explore(text, text, uplift_model, float8[], float8, float8, bigint) IS
'action drawn from the epsilon-greedy policy over the model''s scores for these features, with a minimum propensity, and its probability';

CREATE FUNCTION uplift_thompson_probs(successes float8[], trials float8[],
                                      min_propensity float8 DEFAULT 0)
RETURNS float8[]
AS 'MODULE_PATHNAME', 'uplift_thompson_probs'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION uplift_thompson_probs(float8[], float8[], float8) IS
'probability that Thompson sampling over Beta(1+successes, 1+trials-successes) posteriors plays each action, floored, by numerical integration';

CREATE FUNCTION uplift_thompson(experiment text, unit_id bigint, successes float8[],
                                trials float8[], min_propensity float8 DEFAULT 0,
                                seed bigint DEFAULT 0)
RETURNS uplift_assignment
AS 'MODULE_PATHNAME', 'uplift_thompson_int8'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION uplift_thompson(experiment text, unit_id text, successes float8[],
                                trials float8[], min_propensity float8 DEFAULT 0,
                                seed bigint DEFAULT 0)
RETURNS uplift_assignment
AS 'MODULE_PATHNAME', 'uplift_thompson_text'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION uplift_thompson(text, bigint, float8[], float8[], float8, bigint) IS
'action drawn by Thompson sampling over Beta-Bernoulli arms, with the exact probability it was chosen with';
COMMENT ON FUNCTION uplift_thompson(text, text, float8[], float8[], float8, bigint) IS
'action drawn by Thompson sampling over Beta-Bernoulli arms, with the exact probability it was chosen with';

-- The assignment log (doc/assignment.md): one row per (experiment, unit).
-- It belongs to the database, not to the extension: a superuser or the
-- extension's owner creates it once, with uplift_create_assignment_log() or
-- by a first logging call, so DROP EXTENSION (even with CASCADE) never takes
-- logged assignments with it, and pg_dump dumps it as the table it is.  Who may read and who may log each experiment is kept in
-- uplift_experiment_grants and enforced by row-level security on the log.

CREATE TYPE uplift_logged_assignment AS (
    experiment     text,
    unit_id        bigint,
    unit_key       text,
    action         int,
    propensity     float8,
    holdout        bool,
    policy         text,
    params         jsonb,
    model_checksum text,
    assigned_at    timestamptz
);

COMMENT ON TYPE uplift_logged_assignment IS
'a row of the assignment log, as the logging functions return it';

CREATE TABLE uplift_experiment_grants (
    experiment text NOT NULL,
    grantee    regrole NOT NULL,
    privilege  text NOT NULL DEFAULT 'log'
               CHECK (privilege OPERATOR(pg_catalog.=) ANY (ARRAY['read', 'log'])),
    PRIMARY KEY (experiment, grantee)
);

COMMENT ON TABLE uplift_experiment_grants IS
'who may read (read) or read and log (log) the assignments of each experiment; a role has the rights of the roles it inherits';

-- Each role sees its own grants, which is what the log's policies read.
ALTER TABLE uplift_experiment_grants ENABLE ROW LEVEL SECURITY;
CREATE POLICY uplift_experiment_grants_own ON uplift_experiment_grants FOR SELECT
    USING (pg_catalog.pg_has_role(grantee, 'USAGE'));
GRANT SELECT ON uplift_experiment_grants TO PUBLIC;

SELECT pg_catalog.pg_extension_config_dump('@extschema@.uplift_experiment_grants', '');

CREATE FUNCTION uplift_create_assignment_log()
RETURNS regclass
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF to_regclass('@extschema@.uplift_assignment_log') IS NULL THEN
        CREATE TABLE @extschema@.uplift_assignment_log (
            experiment     text NOT NULL,
            unit_id        bigint,
            unit_key       text,
            action         int NOT NULL CHECK (action OPERATOR(pg_catalog.>=) 0),
            propensity     float8 NOT NULL
                           CHECK (propensity OPERATOR(pg_catalog.>) 0::float8
                                  AND propensity OPERATOR(pg_catalog.<=) 1::float8),
            holdout        bool NOT NULL DEFAULT false,
            policy         text NOT NULL,
            params         jsonb,
            model_checksum text,
            assigned_at    timestamptz NOT NULL DEFAULT pg_catalog.now(),
            CHECK ((unit_id IS NULL) OPERATOR(pg_catalog.<>) (unit_key IS NULL)),
            UNIQUE (experiment, unit_id),
            UNIQUE (experiment, unit_key)
        );
        COMMENT ON TABLE @extschema@.uplift_assignment_log IS
        'every logged assignment: one row per experiment and unit (bigint unit_id or text unit_key), with the probability the action was chosen with';
    END IF;
    -- Rows of an experiment are visible to its readers and loggers and may be
    -- added by its loggers; no policy lets anyone but the owner change or
    -- delete a row.
    ALTER TABLE @extschema@.uplift_assignment_log ENABLE ROW LEVEL SECURITY;
    IF NOT EXISTS (SELECT FROM pg_policy
                    WHERE polrelid = '@extschema@.uplift_assignment_log'::regclass
                      AND polname = 'uplift_read') THEN
        CREATE POLICY uplift_read ON @extschema@.uplift_assignment_log FOR SELECT
            USING (experiment OPERATOR(pg_catalog.=) ANY (ARRAY(
                SELECT g.experiment FROM @extschema@.uplift_experiment_grants g
                 WHERE pg_catalog.pg_has_role(g.grantee, 'USAGE'))));
    END IF;
    IF NOT EXISTS (SELECT FROM pg_policy
                    WHERE polrelid = '@extschema@.uplift_assignment_log'::regclass
                      AND polname = 'uplift_log') THEN
        CREATE POLICY uplift_log ON @extschema@.uplift_assignment_log FOR INSERT
            WITH CHECK (experiment OPERATOR(pg_catalog.=) ANY (ARRAY(
                SELECT g.experiment FROM @extschema@.uplift_experiment_grants g
                 WHERE g.privilege OPERATOR(pg_catalog.=) 'log'
                   AND pg_catalog.pg_has_role(g.grantee, 'USAGE'))));
    END IF;
    REVOKE ALL ON @extschema@.uplift_assignment_log FROM PUBLIC;
    GRANT SELECT, INSERT ON @extschema@.uplift_assignment_log TO PUBLIC;
    RETURN '@extschema@.uplift_assignment_log'::regclass;
END
$$;

REVOKE EXECUTE ON FUNCTION uplift_create_assignment_log() FROM PUBLIC;

COMMENT ON FUNCTION uplift_create_assignment_log() IS
'create the assignment log (once per database, as a superuser or the extension''s owner), or restore its row-level security policies';

-- The log itself, or NULL when there is none; an error when it is owned by
-- neither a superuser nor the extension's owner (src/assign_log.c).
CREATE FUNCTION uplift_assignment_log_guard()
RETURNS regclass
AS 'MODULE_PATHNAME', 'uplift_assignment_log_guard'
LANGUAGE C STABLE PARALLEL SAFE;

COMMENT ON FUNCTION uplift_assignment_log_guard() IS
'the assignment log, or NULL when there is none; an error when it is owned by neither a superuser nor the extension''s owner';

-- The loggers read and write only a log that its creator could not have
-- planted: one owned by the extension's owner or a superuser.  When there is
-- no log yet, a caller who may create it (a superuser or the extension's
-- owner) does so, as CREATE EXTENSION did in 0.1.0.  Given an experiment, it
-- also says plainly when row-level security would refuse a row of it.
CREATE FUNCTION uplift_check_assignment_log(experiment text DEFAULT NULL)
RETURNS regclass
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    log regclass := @extschema@.uplift_assignment_log_guard();
BEGIN
    IF log IS NULL AND has_function_privilege('@extschema@.uplift_create_assignment_log()', 'EXECUTE') THEN
        log := @extschema@.uplift_create_assignment_log();
    END IF;
    IF log IS NULL THEN
        RAISE EXCEPTION 'the assignment log @extschema@.uplift_assignment_log does not exist'
            USING ERRCODE = 'undefined_table',
                  HINT = 'A superuser or the extension''s owner creates it once per database: SELECT uplift_create_assignment_log();';
    END IF;
    -- (nested, so that the common call runs no query)
    IF $1 IS NOT NULL AND row_security_active(log) THEN
        IF NOT EXISTS (SELECT FROM @extschema@.uplift_experiment_grants g
                        WHERE g.experiment = $1 AND g.privilege = 'log'
                          AND pg_has_role(g.grantee, 'USAGE')) THEN
            RAISE EXCEPTION 'permission denied to log experiment "%"', $1
                USING ERRCODE = 'insufficient_privilege',
                      HINT = 'The log''s owner grants it with INSERT INTO uplift_experiment_grants VALUES (experiment, role, ''log'').';
        END IF;
    END IF;
    RETURN log;
END
$$;

COMMENT ON FUNCTION uplift_check_assignment_log(text) IS
'the assignment log, checked to exist and to be owned by a superuser or the extension''s owner, and, given an experiment, that the current role may log it; used by the logging functions';

-- The assignment to be logged, checked to be one a policy could have made:
-- an action of 0 or more, chosen with a probability in (0, 1].  Shared by
-- both overloads of uplift_log_assignment, before the log is read, so that an
-- impossible assignment is refused whether or not its unit is logged already.
CREATE FUNCTION uplift_assignment_check(assignment uplift_assignment)
RETURNS uplift_assignment
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF $1 IS NULL OR ($1).action IS NULL OR ($1).propensity IS NULL THEN
        RAISE EXCEPTION 'assignment, its action and its propensity must not be NULL'
            USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF ($1).action < 0 THEN
        RAISE EXCEPTION 'assignment.action must be 0 or more, not %', ($1).action
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Action 0 is no offer (or control), 1..K the actions.';
    END IF;
    -- (NaN is greater than every number in SQL, so it fails this test too)
    IF NOT (($1).propensity > 0 AND ($1).propensity <= 1) THEN
        RAISE EXCEPTION 'assignment.propensity must be greater than 0 and at most 1, not %', ($1).propensity
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Log the probability with which the policy chose the action, as uplift_assign, uplift_explore and uplift_thompson return it.';
    END IF;
    RETURN $1;
END
$$;

COMMENT ON FUNCTION uplift_assignment_check(uplift_assignment) IS
'the assignment, checked to have an action of 0 or more and a propensity in (0, 1]; used by uplift_log_assignment';

CREATE FUNCTION uplift_log_assignment(experiment text, unit_id bigint,
                                      assignment uplift_assignment, policy text,
                                      params jsonb DEFAULT NULL,
                                      model_checksum text DEFAULT NULL)
RETURNS uplift_logged_assignment
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_column
DECLARE
    r @extschema@.uplift_logged_assignment;
    checked regclass;
BEGIN
    IF $1 IS NULL OR $2 IS NULL OR $3 IS NULL OR ($3).action IS NULL
       OR ($3).propensity IS NULL OR $4 IS NULL THEN
        RAISE EXCEPTION 'experiment, unit_id, assignment and policy must not be NULL'
            USING ERRCODE = 'null_value_not_allowed';
    END IF;
    assignment := @extschema@.uplift_assignment_check($3);
    checked := @extschema@.uplift_check_assignment_log();  -- an expression, not a query: cheap
    -- A logged unit keeps its first assignment; a repeated call writes nothing.
    SELECT l.experiment, l.unit_id, l.unit_key, l.action, l.propensity, l.holdout,
           l.policy, l.params, l.model_checksum, l.assigned_at
      INTO r FROM @extschema@.uplift_assignment_log l
     WHERE l.experiment = $1 AND l.unit_id = $2;
    IF FOUND THEN
        RETURN r;
    END IF;
    checked := @extschema@.uplift_check_assignment_log($1);
    INSERT INTO @extschema@.uplift_assignment_log AS l
           (experiment, unit_id, action, propensity, holdout, policy, params, model_checksum)
    VALUES ($1, $2, ($3).action, ($3).propensity, coalesce(($3).holdout, false), $4, $5, $6)
    ON CONFLICT (experiment, unit_id) DO NOTHING
    RETURNING l.experiment, l.unit_id, l.unit_key, l.action, l.propensity, l.holdout,
           l.policy, l.params, l.model_checksum, l.assigned_at
      INTO r;
    IF FOUND THEN
        RETURN r;
    END IF;
    -- A concurrent caller logged this unit first (and has committed).
    SELECT l.experiment, l.unit_id, l.unit_key, l.action, l.propensity, l.holdout,
           l.policy, l.params, l.model_checksum, l.assigned_at
      INTO STRICT r FROM @extschema@.uplift_assignment_log l
     WHERE l.experiment = $1 AND l.unit_id = $2;
    RETURN r;
END
$$;

CREATE FUNCTION uplift_log_assignment(experiment text, unit_id text,
                                      assignment uplift_assignment, policy text,
                                      params jsonb DEFAULT NULL,
                                      model_checksum text DEFAULT NULL)
RETURNS uplift_logged_assignment
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_column
DECLARE
    r @extschema@.uplift_logged_assignment;
    checked regclass;
BEGIN
    IF $1 IS NULL OR $2 IS NULL OR $3 IS NULL OR ($3).action IS NULL
       OR ($3).propensity IS NULL OR $4 IS NULL THEN
        RAISE EXCEPTION 'experiment, unit_id, assignment and policy must not be NULL'
            USING ERRCODE = 'null_value_not_allowed';
    END IF;
    assignment := @extschema@.uplift_assignment_check($3);
    checked := @extschema@.uplift_check_assignment_log();  -- an expression, not a query: cheap
    -- A logged unit keeps its first assignment; a repeated call writes nothing.
    SELECT l.experiment, l.unit_id, l.unit_key, l.action, l.propensity, l.holdout,
           l.policy, l.params, l.model_checksum, l.assigned_at
      INTO r FROM @extschema@.uplift_assignment_log l
     WHERE l.experiment = $1 AND l.unit_key = $2;
    IF FOUND THEN
        RETURN r;
    END IF;
    checked := @extschema@.uplift_check_assignment_log($1);
    INSERT INTO @extschema@.uplift_assignment_log AS l
           (experiment, unit_key, action, propensity, holdout, policy, params, model_checksum)
    VALUES ($1, $2, ($3).action, ($3).propensity, coalesce(($3).holdout, false), $4, $5, $6)
    ON CONFLICT (experiment, unit_key) DO NOTHING
    RETURNING l.experiment, l.unit_id, l.unit_key, l.action, l.propensity, l.holdout,
           l.policy, l.params, l.model_checksum, l.assigned_at
      INTO r;
    IF FOUND THEN
        RETURN r;
    END IF;
    -- A concurrent caller logged this unit first (and has committed).
    SELECT l.experiment, l.unit_id, l.unit_key, l.action, l.propensity, l.holdout,
           l.policy, l.params, l.model_checksum, l.assigned_at
      INTO STRICT r FROM @extschema@.uplift_assignment_log l
     WHERE l.experiment = $1 AND l.unit_key = $2;
    RETURN r;
END
$$;

COMMENT ON FUNCTION uplift_log_assignment(text, bigint, uplift_assignment, text, jsonb, text) IS
'log an assignment once per (experiment, unit); a repeated call returns the logged row and writes nothing';
COMMENT ON FUNCTION uplift_log_assignment(text, text, uplift_assignment, text, jsonb, text) IS
'log an assignment once per (experiment, unit); a repeated call returns the logged row and writes nothing';

CREATE FUNCTION uplift_assign_logged(experiment text, unit_id bigint, weights float8[],
                                     holdout float8 DEFAULT 0, holdout_name text DEFAULT 'global')
RETURNS uplift_logged_assignment
LANGUAGE sql VOLATILE
AS $$
SELECT @extschema@.uplift_log_assignment(
           experiment, unit_id,
           @extschema@.uplift_assign(experiment, unit_id, weights, holdout, holdout_name),
           'weights',
           pg_catalog.jsonb_build_object('weights', weights, 'holdout', holdout,
                              'holdout_name', holdout_name))
$$;

CREATE FUNCTION uplift_assign_logged(experiment text, unit_id text, weights float8[],
                                     holdout float8 DEFAULT 0, holdout_name text DEFAULT 'global')
RETURNS uplift_logged_assignment
LANGUAGE sql VOLATILE
AS $$
SELECT @extschema@.uplift_log_assignment(
           experiment, unit_id,
           @extschema@.uplift_assign(experiment, unit_id, weights, holdout, holdout_name),
           'weights',
           pg_catalog.jsonb_build_object('weights', weights, 'holdout', holdout,
                              'holdout_name', holdout_name))
$$;

COMMENT ON FUNCTION uplift_assign_logged(text, bigint, float8[], float8, text) IS
'uplift_assign and log the result in uplift_assignment_log, once per (experiment, unit)';
COMMENT ON FUNCTION uplift_assign_logged(text, text, float8[], float8, text) IS
'uplift_assign and log the result in uplift_assignment_log, once per (experiment, unit)';

CREATE FUNCTION uplift_explore_logged(experiment text, unit_id bigint, effects float8[],
                                      epsilon float8 DEFAULT 0.1,
                                      min_propensity float8 DEFAULT 0,
                                      seed bigint DEFAULT 0)
RETURNS uplift_logged_assignment
LANGUAGE sql VOLATILE
AS $$
SELECT @extschema@.uplift_log_assignment(
           experiment, unit_id,
           @extschema@.uplift_explore(experiment, unit_id, effects, epsilon,
                                      min_propensity, seed),
           'epsilon_greedy',
           pg_catalog.jsonb_build_object('effects', effects, 'epsilon', epsilon,
                              'min_propensity', min_propensity, 'seed', seed))
$$;

COMMENT ON FUNCTION uplift_explore_logged(text, bigint, float8[], float8, float8, bigint) IS
'uplift_explore over effects and log the result in uplift_assignment_log, once per (experiment, unit)';

CREATE FUNCTION uplift_explore_logged(experiment text, unit_id bigint, model uplift_model,
                                      features float8[], epsilon float8 DEFAULT 0.1,
                                      min_propensity float8 DEFAULT 0,
                                      seed bigint DEFAULT 0)
RETURNS uplift_logged_assignment
LANGUAGE sql VOLATILE
AS $$
SELECT @extschema@.uplift_log_assignment(
           experiment, unit_id,
           @extschema@.uplift_explore(experiment, unit_id, s.effects, epsilon,
                                      min_propensity, seed),
           'epsilon_greedy',
           pg_catalog.jsonb_build_object('effects', s.effects, 'epsilon', epsilon,
                              'min_propensity', min_propensity, 'seed', seed),
           @extschema@.uplift_model_checksum(model))
  FROM (SELECT @extschema@.uplift_explore_internal(model, features, 'uplift_explore_logged') AS effects) s
$$;

COMMENT ON FUNCTION uplift_explore_logged(text, bigint, uplift_model, float8[], float8, float8, bigint) IS
'uplift_explore over the model''s scores and log the result with the model checksum, once per (experiment, unit)';

CREATE FUNCTION uplift_thompson_logged(experiment text, unit_id bigint, successes float8[],
                                       trials float8[], min_propensity float8 DEFAULT 0,
                                       seed bigint DEFAULT 0)
RETURNS uplift_logged_assignment
LANGUAGE sql VOLATILE
AS $$
SELECT @extschema@.uplift_log_assignment(
           experiment, unit_id,
           @extschema@.uplift_thompson(experiment, unit_id, successes, trials,
                                       min_propensity, seed),
           'thompson',
           pg_catalog.jsonb_build_object('successes', successes, 'trials', trials,
                              'min_propensity', min_propensity, 'seed', seed))
$$;

COMMENT ON FUNCTION uplift_thompson_logged(text, bigint, float8[], float8[], float8, bigint) IS
'uplift_thompson and log the result in uplift_assignment_log, once per (experiment, unit)';
