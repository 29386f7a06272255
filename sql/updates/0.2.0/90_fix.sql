-- Fixes of 0.2.0: input checks found by the fuzz test and by review.

-- uplift_explore over a model: a NULL model or NULL features is an error
-- naming that argument.

-- The model's scores for the features, for the exploring functions: a NULL
-- model or NULL features is an error naming that argument of the caller.
CREATE FUNCTION uplift_explore_scores(model uplift_model, features float8[], caller text)
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

COMMENT ON FUNCTION uplift_explore_scores(uplift_model, float8[], text) IS
'the model''s scores for the features; an error naming the caller''s argument when the model or the features are NULL; used by uplift_explore and uplift_explore_logged over a model';

CREATE OR REPLACE FUNCTION uplift_explore(experiment text, unit_id bigint, model uplift_model,
                               features float8[], epsilon float8 DEFAULT 0.1,
                               min_propensity float8 DEFAULT 0, seed bigint DEFAULT 0)
RETURNS uplift_assignment
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
SELECT @extschema@.uplift_explore(experiment, unit_id,
                                  @extschema@.uplift_explore_scores(model, features, 'uplift_explore'),
                                  epsilon, min_propensity, seed)
$$;

CREATE OR REPLACE FUNCTION uplift_explore(experiment text, unit_id text, model uplift_model,
                               features float8[], epsilon float8 DEFAULT 0.1,
                               min_propensity float8 DEFAULT 0, seed bigint DEFAULT 0)
RETURNS uplift_assignment
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
SELECT @extschema@.uplift_explore(experiment, unit_id,
                                  @extschema@.uplift_explore_scores(model, features, 'uplift_explore'),
                                  epsilon, min_propensity, seed)
$$;

-- uplift_log_assignment: the assignment is checked up front (one shared
-- check for both overloads).

-- The assignment to be logged, checked to be one a policy could have made:
-- an action of 0 or more, chosen with a probability in (0, 1].  Shared by
-- both overloads of uplift_log_assignment, before the log is read, so that an
-- impossible assignment is refused whether or not its unit is logged already.
CREATE FUNCTION uplift_check_assignment(assignment uplift_assignment)
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

COMMENT ON FUNCTION uplift_check_assignment(uplift_assignment) IS
'the assignment, checked to have an action of 0 or more and a propensity in (0, 1]; used by uplift_log_assignment';

CREATE OR REPLACE FUNCTION uplift_log_assignment(experiment text, unit_id bigint,
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
    assignment := @extschema@.uplift_check_assignment($3);
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

CREATE OR REPLACE FUNCTION uplift_log_assignment(experiment text, unit_id text,
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
    assignment := @extschema@.uplift_check_assignment($3);
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

CREATE OR REPLACE FUNCTION uplift_explore_logged(experiment text, unit_id bigint, model uplift_model,
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
  FROM (SELECT @extschema@.uplift_explore_scores(model, features, 'uplift_explore_logged') AS effects) s
$$;
