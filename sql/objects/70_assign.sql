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

CREATE FUNCTION uplift_explore(experiment text, unit_id bigint, model uplift_model,
                               features float8[], epsilon float8 DEFAULT 0.1,
                               min_propensity float8 DEFAULT 0, seed bigint DEFAULT 0)
RETURNS uplift_assignment
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
SELECT @extschema@.uplift_explore(experiment, unit_id,
                                  @extschema@.uplift_scores(model, features),
                                  epsilon, min_propensity, seed)
$$;

CREATE FUNCTION uplift_explore(experiment text, unit_id text, model uplift_model,
                               features float8[], epsilon float8 DEFAULT 0.1,
                               min_propensity float8 DEFAULT 0, seed bigint DEFAULT 0)
RETURNS uplift_assignment
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
SELECT @extschema@.uplift_explore(experiment, unit_id,
                                  @extschema@.uplift_scores(model, features),
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

-- The assignment log: one row per (experiment, unit), kept by pg_dump.

CREATE TABLE uplift_assignment_log (
    experiment     text NOT NULL,
    unit_id        bigint,
    unit_key       text,
    action         int NOT NULL CHECK (action >= 0),
    propensity     float8 NOT NULL CHECK (propensity > 0 AND propensity <= 1),
    holdout        bool NOT NULL DEFAULT false,
    policy         text NOT NULL,
    params         jsonb,
    model_checksum text,
    assigned_at    timestamptz NOT NULL DEFAULT now(),
    CHECK ((unit_id IS NULL) <> (unit_key IS NULL)),
    UNIQUE (experiment, unit_id),
    UNIQUE (experiment, unit_key)
);

COMMENT ON TABLE uplift_assignment_log IS
'every logged assignment: one row per experiment and unit (bigint unit_id or text unit_key), with the probability the action was chosen with';

SELECT pg_catalog.pg_extension_config_dump('uplift_assignment_log', '');

CREATE FUNCTION uplift_log_assignment(experiment text, unit_id bigint,
                                      assignment uplift_assignment, policy text,
                                      params jsonb DEFAULT NULL,
                                      model_checksum text DEFAULT NULL)
RETURNS uplift_assignment_log
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_column
DECLARE
    r @extschema@.uplift_assignment_log;
BEGIN
    IF $1 IS NULL OR $2 IS NULL OR $3 IS NULL OR ($3).action IS NULL
       OR ($3).propensity IS NULL OR $4 IS NULL THEN
        RAISE EXCEPTION 'experiment, unit_id, assignment and policy must not be NULL'
            USING ERRCODE = 'null_value_not_allowed';
    END IF;
    -- A logged unit keeps its first assignment; a repeated call writes nothing.
    SELECT * INTO r FROM @extschema@.uplift_assignment_log l
     WHERE l.experiment = $1 AND l.unit_id = $2;
    IF FOUND THEN
        RETURN r;
    END IF;
    INSERT INTO @extschema@.uplift_assignment_log AS l
           (experiment, unit_id, action, propensity, holdout, policy, params, model_checksum)
    VALUES ($1, $2, ($3).action, ($3).propensity, coalesce(($3).holdout, false), $4, $5, $6)
    ON CONFLICT (experiment, unit_id) DO NOTHING
    RETURNING * INTO r;
    IF FOUND THEN
        RETURN r;
    END IF;
    -- A concurrent caller logged this unit first (and has committed).
    SELECT * INTO STRICT r FROM @extschema@.uplift_assignment_log l
     WHERE l.experiment = $1 AND l.unit_id = $2;
    RETURN r;
END
$$;

CREATE FUNCTION uplift_log_assignment(experiment text, unit_id text,
                                      assignment uplift_assignment, policy text,
                                      params jsonb DEFAULT NULL,
                                      model_checksum text DEFAULT NULL)
RETURNS uplift_assignment_log
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_column
DECLARE
    r @extschema@.uplift_assignment_log;
BEGIN
    IF $1 IS NULL OR $2 IS NULL OR $3 IS NULL OR ($3).action IS NULL
       OR ($3).propensity IS NULL OR $4 IS NULL THEN
        RAISE EXCEPTION 'experiment, unit_id, assignment and policy must not be NULL'
            USING ERRCODE = 'null_value_not_allowed';
    END IF;
    SELECT * INTO r FROM @extschema@.uplift_assignment_log l
     WHERE l.experiment = $1 AND l.unit_key = $2;
    IF FOUND THEN
        RETURN r;
    END IF;
    INSERT INTO @extschema@.uplift_assignment_log AS l
           (experiment, unit_key, action, propensity, holdout, policy, params, model_checksum)
    VALUES ($1, $2, ($3).action, ($3).propensity, coalesce(($3).holdout, false), $4, $5, $6)
    ON CONFLICT (experiment, unit_key) DO NOTHING
    RETURNING * INTO r;
    IF FOUND THEN
        RETURN r;
    END IF;
    SELECT * INTO STRICT r FROM @extschema@.uplift_assignment_log l
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
RETURNS uplift_assignment_log
LANGUAGE sql VOLATILE
AS $$
SELECT @extschema@.uplift_log_assignment(
           experiment, unit_id,
           @extschema@.uplift_assign(experiment, unit_id, weights, holdout, holdout_name),
           'weights',
           jsonb_build_object('weights', weights, 'holdout', holdout,
                              'holdout_name', holdout_name))
$$;

CREATE FUNCTION uplift_assign_logged(experiment text, unit_id text, weights float8[],
                                     holdout float8 DEFAULT 0, holdout_name text DEFAULT 'global')
RETURNS uplift_assignment_log
LANGUAGE sql VOLATILE
AS $$
SELECT @extschema@.uplift_log_assignment(
           experiment, unit_id,
           @extschema@.uplift_assign(experiment, unit_id, weights, holdout, holdout_name),
           'weights',
           jsonb_build_object('weights', weights, 'holdout', holdout,
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
RETURNS uplift_assignment_log
LANGUAGE sql VOLATILE
AS $$
SELECT @extschema@.uplift_log_assignment(
           experiment, unit_id,
           @extschema@.uplift_explore(experiment, unit_id, effects, epsilon,
                                      min_propensity, seed),
           'epsilon_greedy',
           jsonb_build_object('effects', effects, 'epsilon', epsilon,
                              'min_propensity', min_propensity, 'seed', seed))
$$;

COMMENT ON FUNCTION uplift_explore_logged(text, bigint, float8[], float8, float8, bigint) IS
'uplift_explore over effects and log the result in uplift_assignment_log, once per (experiment, unit)';

CREATE FUNCTION uplift_explore_logged(experiment text, unit_id bigint, model uplift_model,
                                      features float8[], epsilon float8 DEFAULT 0.1,
                                      min_propensity float8 DEFAULT 0,
                                      seed bigint DEFAULT 0)
RETURNS uplift_assignment_log
LANGUAGE sql VOLATILE
AS $$
SELECT @extschema@.uplift_log_assignment(
           experiment, unit_id,
           @extschema@.uplift_explore(experiment, unit_id, s.effects, epsilon,
                                      min_propensity, seed),
           'epsilon_greedy',
           jsonb_build_object('effects', s.effects, 'epsilon', epsilon,
                              'min_propensity', min_propensity, 'seed', seed),
           @extschema@.uplift_model_checksum(model))
  FROM (SELECT @extschema@.uplift_scores(model, features) AS effects) s
$$;

COMMENT ON FUNCTION uplift_explore_logged(text, bigint, uplift_model, float8[], float8, float8, bigint) IS
'uplift_explore over the model''s scores and log the result with the model checksum, once per (experiment, unit)';

CREATE FUNCTION uplift_thompson_logged(experiment text, unit_id bigint, successes float8[],
                                       trials float8[], min_propensity float8 DEFAULT 0,
                                       seed bigint DEFAULT 0)
RETURNS uplift_assignment_log
LANGUAGE sql VOLATILE
AS $$
SELECT @extschema@.uplift_log_assignment(
           experiment, unit_id,
           @extschema@.uplift_thompson(experiment, unit_id, successes, trials,
                                       min_propensity, seed),
           'thompson',
           jsonb_build_object('successes', successes, 'trials', trials,
                              'min_propensity', min_propensity, 'seed', seed))
$$;

COMMENT ON FUNCTION uplift_thompson_logged(text, bigint, float8[], float8[], float8, bigint) IS
'uplift_thompson and log the result in uplift_assignment_log, once per (experiment, unit)';
