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

-- uplift_demo_campaign: n outside its bound is an error naming it.

-- n itself, or an error naming it when it is below 0 or above max_n (each
-- overload's bound on the rows it generates).
CREATE FUNCTION uplift_demo_check_n(n int, max_n int)
RETURNS int
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF $1 < 0 OR $1 > $2 THEN
        RAISE EXCEPTION 'n of uplift_demo_campaign must be from 0 to %, not %', $2, $1
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'n is the number of units to generate.';
    END IF;
    RETURN $1;
END
$$;

COMMENT ON FUNCTION uplift_demo_check_n(int, int) IS
'n, checked to be from 0 to max_n; used by uplift_demo_campaign';

CREATE OR REPLACE FUNCTION uplift_demo_campaign(n int DEFAULT 10000, seed int DEFAULT 1)
RETURNS TABLE (unit_id bigint, features float8[], action int, propensity float8,
               converted float8, value float8, cost float8,
               true_value_uplift float8[], true_cost_uplift float8[],
               true_conversion_uplift float8[])
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE ROWS 10000
SET search_path = pg_catalog, pg_temp
AS $$
WITH draws AS (
    SELECT i AS unit_id,
           -- features: two standard normals, a 0/1 flag, a uniform, and a
           -- normal that has no effect on anything
           sqrt(-2 * ln(@extschema@.uplift_demo_uniform(i, seed, 1)))
               * cos(2 * pi() * @extschema@.uplift_demo_uniform(i, seed, 2)) AS x1,
           sqrt(-2 * ln(@extschema@.uplift_demo_uniform(i, seed, 3)))
               * cos(2 * pi() * @extschema@.uplift_demo_uniform(i, seed, 4)) AS x2,
           (@extschema@.uplift_demo_uniform(i, seed, 5) < 0.5)::int::float8 AS x3,
           @extschema@.uplift_demo_uniform(i, seed, 6) AS x4,
           sqrt(-2 * ln(@extschema@.uplift_demo_uniform(i, seed, 7)))
               * cos(2 * pi() * @extschema@.uplift_demo_uniform(i, seed, 8)) AS x5,
           @extschema@.uplift_demo_uniform(i, seed, 9) AS u_action,
           @extschema@.uplift_demo_uniform(i, seed, 10) AS u_convert,
           sqrt(-2 * ln(@extschema@.uplift_demo_uniform(i, seed, 11)))
               * cos(2 * pi() * @extschema@.uplift_demo_uniform(i, seed, 12)) AS e_value,
           sqrt(-2 * ln(@extschema@.uplift_demo_uniform(i, seed, 13)))
               * cos(2 * pi() * @extschema@.uplift_demo_uniform(i, seed, 14)) AS e_cost
    FROM generate_series(1, @extschema@.uplift_demo_check_n(n, 100000000)) AS i
),
truth AS (
    SELECT d.*,
           CASE WHEN u_action < 0.4 THEN 0 WHEN u_action < 0.7 THEN 1 ELSE 2 END AS arm,
           -- incremental value of actions 1 and 2 (linear in the features)
           1.0 + 0.8 * x1 - 0.5 * x3 AS tv1,
           1.5 - 0.6 * x1 + 1.0 * x2 + 0.5 * x4 AS tv2,
           -- incremental cost of actions 1 and 2 (linear in the features)
           0.5 + 0.3 * x3 AS tc1,
           1.2 + 0.4 * x4 AS tc2,
           -- conversion: logit of the control probability, and the shift per action
           -1.5 + 0.6 * x1 + 0.4 * x3 AS eta0,
           0.5 + 0.3 * x2 AS b1,
           0.8 - 0.4 * x1 AS b2
    FROM draws d
)
SELECT unit_id,
       ARRAY[x1, x2, x3, x4, x5],
       arm,
       CASE arm WHEN 0 THEN 0.4 ELSE 0.3 END::float8,
       (u_convert < 1 / (1 + exp(-(eta0 + CASE arm WHEN 1 THEN b1 WHEN 2 THEN b2 ELSE 0 END))))::int::float8,
       5 + 2 * x1 + x2 + 1.5 * x3 + CASE arm WHEN 1 THEN tv1 WHEN 2 THEN tv2 ELSE 0 END + 2 * e_value,
       0.2 + 0.1 * x4 + CASE arm WHEN 1 THEN tc1 WHEN 2 THEN tc2 ELSE 0 END + 0.1 * e_cost,
       ARRAY[tv1, tv2],
       ARRAY[tc1, tc2],
       ARRAY[1 / (1 + exp(-(eta0 + b1))) - 1 / (1 + exp(-eta0)),
             1 / (1 + exp(-(eta0 + b2))) - 1 / (1 + exp(-eta0))]
FROM truth
ORDER BY unit_id
$$;

CREATE OR REPLACE FUNCTION uplift_demo_campaign(n int, seed int, drift float8)
RETURNS TABLE (unit_id bigint, day int, features float8[], action int, propensity float8,
               converted float8, value float8, cost float8,
               true_value_uplift float8[], true_cost_uplift float8[],
               true_conversion_uplift float8[])
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE ROWS 10000
BEGIN ATOMIC
WITH sizes AS (
    -- week two is drawn from 4n later units: n is at most 2e7 so that the
    -- units generated stay within uplift_demo_campaign's bound of 1e8
    SELECT k.n, (k.n OPERATOR(pg_catalog./) 2) AS h,
           (k.n OPERATOR(pg_catalog.-) (k.n OPERATOR(pg_catalog./) 2)) AS h2
      FROM (SELECT @extschema@.uplift_demo_check_n(n, 20000000) AS n) k
),
base AS (
    SELECT c.*, s.h, s.h2
      FROM sizes s,
           @extschema@.uplift_demo_campaign(s.h OPERATOR(pg_catalog.+) (4 OPERATOR(pg_catalog.*) s.n), seed) c
     WHERE s.h OPERATOR(pg_catalog.>=) 1
),
week2 AS (
    SELECT b.*, pg_catalog.row_number() OVER (ORDER BY b.unit_id) AS r
      FROM base b
     WHERE b.unit_id OPERATOR(pg_catalog.>) b.h
       AND @extschema@.uplift_demo_uniform(b.unit_id, seed, 15) OPERATOR(pg_catalog.<)
           (1::pg_catalog.float8 OPERATOR(pg_catalog./) (1::pg_catalog.float8 OPERATOR(pg_catalog.+)
               pg_catalog.exp(OPERATOR(pg_catalog.-) (drift OPERATOR(pg_catalog.*) b.features[1]))))
)
SELECT b.unit_id,
       (((b.unit_id OPERATOR(pg_catalog.-) 1) OPERATOR(pg_catalog.*) 7) OPERATOR(pg_catalog./) b.h)::int,
       b.features, b.action, b.propensity, b.converted, b.value, b.cost,
       b.true_value_uplift, b.true_cost_uplift, b.true_conversion_uplift
  FROM base b
 WHERE b.unit_id OPERATOR(pg_catalog.<=) b.h
UNION ALL
SELECT w.h OPERATOR(pg_catalog.+) w.r,
       (7 OPERATOR(pg_catalog.+) (((w.r OPERATOR(pg_catalog.-) 1) OPERATOR(pg_catalog.*) 7) OPERATOR(pg_catalog./) w.h2))::int,
       w.features, w.action, w.propensity, w.converted, w.value, w.cost,
       w.true_value_uplift, w.true_cost_uplift, w.true_conversion_uplift
  FROM week2 w
 WHERE w.r OPERATOR(pg_catalog.<=) w.h2
ORDER BY 1;
END;

COMMENT ON FUNCTION uplift_demo_campaign(int, int, float8) IS
'the demo campaign over 14 days (column day), the second week''s customers drifting upwards in x1 by drift';
