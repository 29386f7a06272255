-- Features and treatments as users store them.  Named features (jsonb)
-- wherever a model's features are taken: calibration,
-- value and cost candidates, exploration and the off-policy functions of a
-- stored model.  Each is the float8[] form with a jsonb features argument,
-- read through the model's encoding (src/features.c), so a model fitted
-- from named features gives on a raw row what the float8[] form gives on
-- the encoded row; a jsonb row against a model fitted from arrays, or the
-- reverse, is an error (42804).  After 95_ope_policy.sql, whose functions
-- these mirror.

-- (uplift_fit_calibration over jsonb features or text actions is made with
-- the float8[] form in 35_calibrate.sql, with its state type.)

CREATE FUNCTION uplift_value_cost(value_model uplift_model, cost_model uplift_model,
                                  features jsonb)
RETURNS TABLE (action int, value float8, cost float8, net_value float8, value_per_cost float8)
AS 'MODULE_PATHNAME', 'uplift_value_cost_jsonb'
LANGUAGE C IMMUTABLE PARALLEL SAFE ROWS 4;
COMMENT ON FUNCTION uplift_value_cost(uplift_model, uplift_model, jsonb) IS
'per action: incremental value, incremental cost, net value and value per cost, from a value and a cost model and named features';

CREATE FUNCTION ope_target_probs(model uplift_model, features jsonb,
                                 epsilon float8 DEFAULT 0, min_propensity float8 DEFAULT 0)
RETURNS float8[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN @extschema@.uplift_policy_probs(@extschema@.uplift_scores(model, features),
                                       epsilon, min_propensity);
COMMENT ON FUNCTION ope_target_probs(uplift_model, jsonb, float8, float8) IS
'probabilities (element a+1 for action a = 0..K) that the greedy policy of a stored model takes each action for these named features';

CREATE FUNCTION ope_target_propensity(model uplift_model, features jsonb, action int,
                                      epsilon float8 DEFAULT 0, min_propensity float8 DEFAULT 0)
RETURNS float8
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN @extschema@.uplift_policy_propensity(@extschema@.uplift_scores(model, features),
                                            action, epsilon, min_propensity);
COMMENT ON FUNCTION ope_target_propensity(uplift_model, jsonb, int, float8, float8) IS
'probability that the greedy policy of a stored model takes the given action for these named features';

CREATE FUNCTION ope_q_target(model uplift_model, features jsonb, probs float8[])
RETURNS float8
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN @extschema@.ope_expected_value(
    ARRAY(SELECT @extschema@.uplift_predict(model, features, a)
          FROM pg_catalog.generate_series(0, pg_catalog.cardinality(@extschema@.uplift_scores(model, features))) AS a
          ORDER BY a),
    probs);
COMMENT ON FUNCTION ope_q_target(uplift_model, jsonb, float8[]) IS
'an outcome model''s prediction for named features averaged over a policy''s action probabilities: the q_target of dr_value';

CREATE FUNCTION uplift_explore_internal(model uplift_model, features jsonb, caller text)
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
COMMENT ON FUNCTION uplift_explore_internal(uplift_model, jsonb, text) IS
'the model''s scores for named features; an error naming the caller''s argument when the model or the features are NULL; used by uplift_explore and uplift_explore_logged over a model';

CREATE FUNCTION uplift_explore(experiment text, unit_id bigint, model uplift_model,
                               features jsonb, epsilon float8 DEFAULT 0.1,
                               min_propensity float8 DEFAULT 0, seed bigint DEFAULT 0)
RETURNS uplift_assignment
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
SELECT @extschema@.uplift_explore(experiment, unit_id,
                                  @extschema@.uplift_explore_internal(model, features, 'uplift_explore'),
                                  epsilon, min_propensity, seed)
$$;
CREATE FUNCTION uplift_explore(experiment text, unit_id text, model uplift_model,
                               features jsonb, epsilon float8 DEFAULT 0.1,
                               min_propensity float8 DEFAULT 0, seed bigint DEFAULT 0)
RETURNS uplift_assignment
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
SELECT @extschema@.uplift_explore(experiment, unit_id,
                                  @extschema@.uplift_explore_internal(model, features, 'uplift_explore'),
                                  epsilon, min_propensity, seed)
$$;
COMMENT ON FUNCTION uplift_explore(text, bigint, uplift_model, jsonb, float8, float8, bigint) IS
'action drawn from the epsilon-greedy policy over the model''s scores for these named features, with a minimum propensity, and its probability';
COMMENT ON FUNCTION uplift_explore(text, text, uplift_model, jsonb, float8, float8, bigint) IS
'action drawn from the epsilon-greedy policy over the model''s scores for these named features, with a minimum propensity, and its probability';

CREATE FUNCTION uplift_explore_logged(experiment text, unit_id bigint, model uplift_model,
                                      features jsonb, epsilon float8 DEFAULT 0.1,
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
COMMENT ON FUNCTION uplift_explore_logged(text, bigint, uplift_model, jsonb, float8, float8, bigint) IS
'uplift_explore over the model''s scores for named features and log the result with the model checksum, once per (experiment, unit)';

CREATE FUNCTION uplift_explore_logged(experiment text, unit_id bigint, name text,
                                      features jsonb, epsilon float8 DEFAULT 0.1,
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
                                         'min_propensity', min_propensity, 'seed', seed,
                                         'model', name, 'version', d.version),
           d.checksum)
  FROM @extschema@.uplift_deployed(name) AS d,
       LATERAL (SELECT @extschema@.uplift_explore_internal(d.model, features, 'uplift_explore_logged')
                       AS effects) AS s
$$;
COMMENT ON FUNCTION uplift_explore_logged(text, bigint, text, jsonb, float8, float8, bigint) IS
'uplift_explore over the scores of the deployed version of a registered model for named features; logs its name and version in params and its checksum, once per (experiment, unit)';

-- uplift_fit from integer[] and numeric[] features (src/arrays.c reads them
-- as doubles): without these, such an array could be cast to float8[] or to
-- float4[] and the call would not be unique.
CREATE FUNCTION uplift_fit_transfn(internal, int[], int, float8)
RETURNS internal AS 'MODULE_PATHNAME', 'uplift_fit_transfn'
LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION uplift_fit_transfn(internal, int[], int, float8, jsonb)
RETURNS internal AS 'MODULE_PATHNAME', 'uplift_fit_transfn'
LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION uplift_fit_transfn(internal, int[], int, float8, float8, jsonb)
RETURNS internal AS 'MODULE_PATHNAME', 'uplift_fit_transfn'
LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION uplift_fit_transfn(internal, numeric[], int, float8)
RETURNS internal AS 'MODULE_PATHNAME', 'uplift_fit_transfn'
LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION uplift_fit_transfn(internal, numeric[], int, float8, jsonb)
RETURNS internal AS 'MODULE_PATHNAME', 'uplift_fit_transfn'
LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION uplift_fit_transfn(internal, numeric[], int, float8, float8, jsonb)
RETURNS internal AS 'MODULE_PATHNAME', 'uplift_fit_transfn'
LANGUAGE C PARALLEL SAFE;
COMMENT ON FUNCTION uplift_fit_transfn(internal, int[], int, float8) IS 'transition function of uplift_fit';
COMMENT ON FUNCTION uplift_fit_transfn(internal, int[], int, float8, jsonb) IS 'transition function of uplift_fit';
COMMENT ON FUNCTION uplift_fit_transfn(internal, int[], int, float8, float8, jsonb) IS 'transition function of uplift_fit';
COMMENT ON FUNCTION uplift_fit_transfn(internal, numeric[], int, float8) IS 'transition function of uplift_fit';
COMMENT ON FUNCTION uplift_fit_transfn(internal, numeric[], int, float8, jsonb) IS 'transition function of uplift_fit';
COMMENT ON FUNCTION uplift_fit_transfn(internal, numeric[], int, float8, float8, jsonb) IS 'transition function of uplift_fit';

CREATE AGGREGATE uplift_fit(features int[], treatment int, outcome float8) (
    SFUNC = uplift_fit_transfn, STYPE = internal,
    COMBINEFUNC = uplift_fit_combinefn,
    SERIALFUNC = uplift_fit_serialfn, DESERIALFUNC = uplift_fit_deserialfn,
    FINALFUNC = uplift_fit_finalfn, FINALFUNC_MODIFY = READ_ONLY,
    PARALLEL = SAFE
);
CREATE AGGREGATE uplift_fit(features int[], treatment int, outcome float8, options jsonb) (
    SFUNC = uplift_fit_transfn, STYPE = internal,
    COMBINEFUNC = uplift_fit_combinefn,
    SERIALFUNC = uplift_fit_serialfn, DESERIALFUNC = uplift_fit_deserialfn,
    FINALFUNC = uplift_fit_finalfn, FINALFUNC_MODIFY = READ_ONLY,
    PARALLEL = SAFE
);
CREATE AGGREGATE uplift_fit(features int[], treatment int, outcome float8,
                            propensity float8, options jsonb) (
    SFUNC = uplift_fit_transfn, STYPE = internal,
    COMBINEFUNC = uplift_fit_combinefn,
    SERIALFUNC = uplift_fit_serialfn, DESERIALFUNC = uplift_fit_deserialfn,
    FINALFUNC = uplift_fit_finalfn, FINALFUNC_MODIFY = READ_ONLY,
    PARALLEL = SAFE
);
CREATE AGGREGATE uplift_fit(features numeric[], treatment int, outcome float8) (
    SFUNC = uplift_fit_transfn, STYPE = internal,
    COMBINEFUNC = uplift_fit_combinefn,
    SERIALFUNC = uplift_fit_serialfn, DESERIALFUNC = uplift_fit_deserialfn,
    FINALFUNC = uplift_fit_finalfn, FINALFUNC_MODIFY = READ_ONLY,
    PARALLEL = SAFE
);
CREATE AGGREGATE uplift_fit(features numeric[], treatment int, outcome float8, options jsonb) (
    SFUNC = uplift_fit_transfn, STYPE = internal,
    COMBINEFUNC = uplift_fit_combinefn,
    SERIALFUNC = uplift_fit_serialfn, DESERIALFUNC = uplift_fit_deserialfn,
    FINALFUNC = uplift_fit_finalfn, FINALFUNC_MODIFY = READ_ONLY,
    PARALLEL = SAFE
);
CREATE AGGREGATE uplift_fit(features numeric[], treatment int, outcome float8,
                            propensity float8, options jsonb) (
    SFUNC = uplift_fit_transfn, STYPE = internal,
    COMBINEFUNC = uplift_fit_combinefn,
    SERIALFUNC = uplift_fit_serialfn, DESERIALFUNC = uplift_fit_deserialfn,
    FINALFUNC = uplift_fit_finalfn, FINALFUNC_MODIFY = READ_ONLY,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE uplift_fit(int[], int, float8) IS
'fit an uplift model to integer features, treatment 0..K and outcome';
COMMENT ON AGGREGATE uplift_fit(int[], int, float8, jsonb) IS
'fit an uplift model to integer features, treatment 0..K and outcome, with options';
COMMENT ON AGGREGATE uplift_fit(int[], int, float8, float8, jsonb) IS
'fit an uplift model to integer features, weighting each row by 1/propensity';
COMMENT ON AGGREGATE uplift_fit(numeric[], int, float8) IS
'fit an uplift model to numeric features, treatment 0..K and outcome';
COMMENT ON AGGREGATE uplift_fit(numeric[], int, float8, jsonb) IS
'fit an uplift model to numeric features, treatment 0..K and outcome, with options';
COMMENT ON AGGREGATE uplift_fit(numeric[], int, float8, float8, jsonb) IS
'fit an uplift model to numeric features, weighting each row by 1/propensity';

-- uplift_fit from bigint[] and smallint[] features, for the same reason.
CREATE FUNCTION uplift_fit_transfn(internal, bigint[], int, float8)
RETURNS internal AS 'MODULE_PATHNAME', 'uplift_fit_transfn'
LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION uplift_fit_transfn(internal, bigint[], int, float8, jsonb)
RETURNS internal AS 'MODULE_PATHNAME', 'uplift_fit_transfn'
LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION uplift_fit_transfn(internal, bigint[], int, float8, float8, jsonb)
RETURNS internal AS 'MODULE_PATHNAME', 'uplift_fit_transfn'
LANGUAGE C PARALLEL SAFE;
COMMENT ON FUNCTION uplift_fit_transfn(internal, bigint[], int, float8) IS 'transition function of uplift_fit';
COMMENT ON FUNCTION uplift_fit_transfn(internal, bigint[], int, float8, jsonb) IS 'transition function of uplift_fit';
COMMENT ON FUNCTION uplift_fit_transfn(internal, bigint[], int, float8, float8, jsonb) IS 'transition function of uplift_fit';
CREATE AGGREGATE uplift_fit(features bigint[], treatment int, outcome float8) (
    SFUNC = uplift_fit_transfn, STYPE = internal,
    COMBINEFUNC = uplift_fit_combinefn,
    SERIALFUNC = uplift_fit_serialfn, DESERIALFUNC = uplift_fit_deserialfn,
    FINALFUNC = uplift_fit_finalfn, FINALFUNC_MODIFY = READ_ONLY,
    PARALLEL = SAFE
);
CREATE AGGREGATE uplift_fit(features bigint[], treatment int, outcome float8, options jsonb) (
    SFUNC = uplift_fit_transfn, STYPE = internal,
    COMBINEFUNC = uplift_fit_combinefn,
    SERIALFUNC = uplift_fit_serialfn, DESERIALFUNC = uplift_fit_deserialfn,
    FINALFUNC = uplift_fit_finalfn, FINALFUNC_MODIFY = READ_ONLY,
    PARALLEL = SAFE
);
CREATE AGGREGATE uplift_fit(features bigint[], treatment int, outcome float8,
                            propensity float8, options jsonb) (
    SFUNC = uplift_fit_transfn, STYPE = internal,
    COMBINEFUNC = uplift_fit_combinefn,
    SERIALFUNC = uplift_fit_serialfn, DESERIALFUNC = uplift_fit_deserialfn,
    FINALFUNC = uplift_fit_finalfn, FINALFUNC_MODIFY = READ_ONLY,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE uplift_fit(bigint[], int, float8) IS
'fit an uplift model to bigint features, treatment 0..K and outcome';
COMMENT ON AGGREGATE uplift_fit(bigint[], int, float8, jsonb) IS
'fit an uplift model to bigint features, treatment 0..K and outcome, with options';
COMMENT ON AGGREGATE uplift_fit(bigint[], int, float8, float8, jsonb) IS
'fit an uplift model to bigint features, weighting each row by 1/propensity';
CREATE FUNCTION uplift_fit_transfn(internal, smallint[], int, float8)
RETURNS internal AS 'MODULE_PATHNAME', 'uplift_fit_transfn'
LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION uplift_fit_transfn(internal, smallint[], int, float8, jsonb)
RETURNS internal AS 'MODULE_PATHNAME', 'uplift_fit_transfn'
LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION uplift_fit_transfn(internal, smallint[], int, float8, float8, jsonb)
RETURNS internal AS 'MODULE_PATHNAME', 'uplift_fit_transfn'
LANGUAGE C PARALLEL SAFE;
COMMENT ON FUNCTION uplift_fit_transfn(internal, smallint[], int, float8) IS 'transition function of uplift_fit';
COMMENT ON FUNCTION uplift_fit_transfn(internal, smallint[], int, float8, jsonb) IS 'transition function of uplift_fit';
COMMENT ON FUNCTION uplift_fit_transfn(internal, smallint[], int, float8, float8, jsonb) IS 'transition function of uplift_fit';
CREATE AGGREGATE uplift_fit(features smallint[], treatment int, outcome float8) (
    SFUNC = uplift_fit_transfn, STYPE = internal,
    COMBINEFUNC = uplift_fit_combinefn,
    SERIALFUNC = uplift_fit_serialfn, DESERIALFUNC = uplift_fit_deserialfn,
    FINALFUNC = uplift_fit_finalfn, FINALFUNC_MODIFY = READ_ONLY,
    PARALLEL = SAFE
);
CREATE AGGREGATE uplift_fit(features smallint[], treatment int, outcome float8, options jsonb) (
    SFUNC = uplift_fit_transfn, STYPE = internal,
    COMBINEFUNC = uplift_fit_combinefn,
    SERIALFUNC = uplift_fit_serialfn, DESERIALFUNC = uplift_fit_deserialfn,
    FINALFUNC = uplift_fit_finalfn, FINALFUNC_MODIFY = READ_ONLY,
    PARALLEL = SAFE
);
CREATE AGGREGATE uplift_fit(features smallint[], treatment int, outcome float8,
                            propensity float8, options jsonb) (
    SFUNC = uplift_fit_transfn, STYPE = internal,
    COMBINEFUNC = uplift_fit_combinefn,
    SERIALFUNC = uplift_fit_serialfn, DESERIALFUNC = uplift_fit_deserialfn,
    FINALFUNC = uplift_fit_finalfn, FINALFUNC_MODIFY = READ_ONLY,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE uplift_fit(smallint[], int, float8) IS
'fit an uplift model to smallint features, treatment 0..K and outcome';
COMMENT ON AGGREGATE uplift_fit(smallint[], int, float8, jsonb) IS
'fit an uplift model to smallint features, treatment 0..K and outcome, with options';
COMMENT ON AGGREGATE uplift_fit(smallint[], int, float8, float8, jsonb) IS
'fit an uplift model to smallint features, weighting each row by 1/propensity';

-- Treatments as users store them (src/treatment.c): uplift_fit with a
-- boolean treatment (false = control, true = action 1) or a text treatment
-- with option "control" naming the control's label; the other labels are
-- actions 1..K in byte order, kept in the model ("action_labels" of
-- uplift_model_info).  A text treatment without option "control" is an
-- error, so its three-argument form exists only to say so.  float8[] and
-- jsonb features; integer[], bigint[], smallint[] and numeric[] features
-- reach the float8[] form.
CREATE FUNCTION uplift_fit_transfn(internal, float8[], boolean, float8)
RETURNS internal AS 'MODULE_PATHNAME', 'uplift_fit_transfn'
LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION uplift_fit_transfn(internal, float8[], boolean, float8, jsonb)
RETURNS internal AS 'MODULE_PATHNAME', 'uplift_fit_transfn'
LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION uplift_fit_transfn(internal, float8[], boolean, float8, float8, jsonb)
RETURNS internal AS 'MODULE_PATHNAME', 'uplift_fit_transfn'
LANGUAGE C PARALLEL SAFE;
COMMENT ON FUNCTION uplift_fit_transfn(internal, float8[], boolean, float8) IS 'transition function of uplift_fit';
COMMENT ON FUNCTION uplift_fit_transfn(internal, float8[], boolean, float8, jsonb) IS 'transition function of uplift_fit';
COMMENT ON FUNCTION uplift_fit_transfn(internal, float8[], boolean, float8, float8, jsonb) IS 'transition function of uplift_fit';

CREATE FUNCTION uplift_fit_transfn(internal, float8[], text, float8)
RETURNS internal AS 'MODULE_PATHNAME', 'uplift_fit_transfn'
LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION uplift_fit_transfn(internal, float8[], text, float8, jsonb)
RETURNS internal AS 'MODULE_PATHNAME', 'uplift_fit_transfn'
LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION uplift_fit_transfn(internal, float8[], text, float8, float8, jsonb)
RETURNS internal AS 'MODULE_PATHNAME', 'uplift_fit_transfn'
LANGUAGE C PARALLEL SAFE;
COMMENT ON FUNCTION uplift_fit_transfn(internal, float8[], text, float8) IS 'transition function of uplift_fit';
COMMENT ON FUNCTION uplift_fit_transfn(internal, float8[], text, float8, jsonb) IS 'transition function of uplift_fit';
COMMENT ON FUNCTION uplift_fit_transfn(internal, float8[], text, float8, float8, jsonb) IS 'transition function of uplift_fit';

CREATE FUNCTION uplift_fit_transfn(internal, jsonb, boolean, float8)
RETURNS internal AS 'MODULE_PATHNAME', 'uplift_fit_transfn_jsonb'
LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION uplift_fit_transfn(internal, jsonb, boolean, float8, jsonb)
RETURNS internal AS 'MODULE_PATHNAME', 'uplift_fit_transfn_jsonb'
LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION uplift_fit_transfn(internal, jsonb, boolean, float8, float8, jsonb)
RETURNS internal AS 'MODULE_PATHNAME', 'uplift_fit_transfn_jsonb'
LANGUAGE C PARALLEL SAFE;
COMMENT ON FUNCTION uplift_fit_transfn(internal, jsonb, boolean, float8) IS 'transition function of uplift_fit';
COMMENT ON FUNCTION uplift_fit_transfn(internal, jsonb, boolean, float8, jsonb) IS 'transition function of uplift_fit';
COMMENT ON FUNCTION uplift_fit_transfn(internal, jsonb, boolean, float8, float8, jsonb) IS 'transition function of uplift_fit';

CREATE FUNCTION uplift_fit_transfn(internal, jsonb, text, float8)
RETURNS internal AS 'MODULE_PATHNAME', 'uplift_fit_transfn_jsonb'
LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION uplift_fit_transfn(internal, jsonb, text, float8, jsonb)
RETURNS internal AS 'MODULE_PATHNAME', 'uplift_fit_transfn_jsonb'
LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION uplift_fit_transfn(internal, jsonb, text, float8, float8, jsonb)
RETURNS internal AS 'MODULE_PATHNAME', 'uplift_fit_transfn_jsonb'
LANGUAGE C PARALLEL SAFE;
COMMENT ON FUNCTION uplift_fit_transfn(internal, jsonb, text, float8) IS 'transition function of uplift_fit';
COMMENT ON FUNCTION uplift_fit_transfn(internal, jsonb, text, float8, jsonb) IS 'transition function of uplift_fit';
COMMENT ON FUNCTION uplift_fit_transfn(internal, jsonb, text, float8, float8, jsonb) IS 'transition function of uplift_fit';

CREATE AGGREGATE uplift_fit(features float8[], treatment boolean, outcome float8) (
    SFUNC = uplift_fit_transfn, STYPE = internal,
    COMBINEFUNC = uplift_fit_combinefn,
    SERIALFUNC = uplift_fit_serialfn, DESERIALFUNC = uplift_fit_deserialfn,
    FINALFUNC = uplift_fit_finalfn, FINALFUNC_MODIFY = READ_ONLY,
    PARALLEL = SAFE
);
CREATE AGGREGATE uplift_fit(features float8[], treatment boolean, outcome float8, options jsonb) (
    SFUNC = uplift_fit_transfn, STYPE = internal,
    COMBINEFUNC = uplift_fit_combinefn,
    SERIALFUNC = uplift_fit_serialfn, DESERIALFUNC = uplift_fit_deserialfn,
    FINALFUNC = uplift_fit_finalfn, FINALFUNC_MODIFY = READ_ONLY,
    PARALLEL = SAFE
);
CREATE AGGREGATE uplift_fit(features float8[], treatment boolean, outcome float8,
                            propensity float8, options jsonb) (
    SFUNC = uplift_fit_transfn, STYPE = internal,
    COMBINEFUNC = uplift_fit_combinefn,
    SERIALFUNC = uplift_fit_serialfn, DESERIALFUNC = uplift_fit_deserialfn,
    FINALFUNC = uplift_fit_finalfn, FINALFUNC_MODIFY = READ_ONLY,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE uplift_fit(float8[], boolean, float8) IS
'fit an uplift model to features, a boolean treatment (false = control, true = action 1) and outcome';
COMMENT ON AGGREGATE uplift_fit(float8[], boolean, float8, jsonb) IS
'fit an uplift model to features, a boolean treatment (false = control, true = action 1) and outcome, with options';
COMMENT ON AGGREGATE uplift_fit(float8[], boolean, float8, float8, jsonb) IS
'fit an uplift model to features, a boolean treatment (false = control, true = action 1) and outcome, weighting each row by 1/propensity';

CREATE AGGREGATE uplift_fit(features float8[], treatment text, outcome float8) (
    SFUNC = uplift_fit_transfn, STYPE = internal,
    COMBINEFUNC = uplift_fit_combinefn,
    SERIALFUNC = uplift_fit_serialfn, DESERIALFUNC = uplift_fit_deserialfn,
    FINALFUNC = uplift_fit_finalfn, FINALFUNC_MODIFY = READ_ONLY,
    PARALLEL = SAFE
);
CREATE AGGREGATE uplift_fit(features float8[], treatment text, outcome float8, options jsonb) (
    SFUNC = uplift_fit_transfn, STYPE = internal,
    COMBINEFUNC = uplift_fit_combinefn,
    SERIALFUNC = uplift_fit_serialfn, DESERIALFUNC = uplift_fit_deserialfn,
    FINALFUNC = uplift_fit_finalfn, FINALFUNC_MODIFY = READ_ONLY,
    PARALLEL = SAFE
);
CREATE AGGREGATE uplift_fit(features float8[], treatment text, outcome float8,
                            propensity float8, options jsonb) (
    SFUNC = uplift_fit_transfn, STYPE = internal,
    COMBINEFUNC = uplift_fit_combinefn,
    SERIALFUNC = uplift_fit_serialfn, DESERIALFUNC = uplift_fit_deserialfn,
    FINALFUNC = uplift_fit_finalfn, FINALFUNC_MODIFY = READ_ONLY,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE uplift_fit(float8[], text, float8) IS
'fit an uplift model to features, a text treatment (option "control" names the control''s label; the other labels are actions 1..K in byte order) and outcome';
COMMENT ON AGGREGATE uplift_fit(float8[], text, float8, jsonb) IS
'fit an uplift model to features, a text treatment (option "control" names the control''s label; the other labels are actions 1..K in byte order) and outcome, with options';
COMMENT ON AGGREGATE uplift_fit(float8[], text, float8, float8, jsonb) IS
'fit an uplift model to features, a text treatment (option "control" names the control''s label; the other labels are actions 1..K in byte order) and outcome, weighting each row by 1/propensity';

CREATE AGGREGATE uplift_fit(features jsonb, treatment boolean, outcome float8) (
    SFUNC = uplift_fit_transfn, STYPE = internal,
    COMBINEFUNC = uplift_fit_combinefn,
    SERIALFUNC = uplift_fit_serialfn, DESERIALFUNC = uplift_fit_deserialfn,
    FINALFUNC = uplift_fit_finalfn, FINALFUNC_MODIFY = READ_ONLY,
    PARALLEL = SAFE
);
CREATE AGGREGATE uplift_fit(features jsonb, treatment boolean, outcome float8, options jsonb) (
    SFUNC = uplift_fit_transfn, STYPE = internal,
    COMBINEFUNC = uplift_fit_combinefn,
    SERIALFUNC = uplift_fit_serialfn, DESERIALFUNC = uplift_fit_deserialfn,
    FINALFUNC = uplift_fit_finalfn, FINALFUNC_MODIFY = READ_ONLY,
    PARALLEL = SAFE
);
CREATE AGGREGATE uplift_fit(features jsonb, treatment boolean, outcome float8,
                            propensity float8, options jsonb) (
    SFUNC = uplift_fit_transfn, STYPE = internal,
    COMBINEFUNC = uplift_fit_combinefn,
    SERIALFUNC = uplift_fit_serialfn, DESERIALFUNC = uplift_fit_deserialfn,
    FINALFUNC = uplift_fit_finalfn, FINALFUNC_MODIFY = READ_ONLY,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE uplift_fit(jsonb, boolean, float8) IS
'fit an uplift model to named features, a boolean treatment (false = control, true = action 1) and outcome';
COMMENT ON AGGREGATE uplift_fit(jsonb, boolean, float8, jsonb) IS
'fit an uplift model to named features, a boolean treatment (false = control, true = action 1) and outcome, with options';
COMMENT ON AGGREGATE uplift_fit(jsonb, boolean, float8, float8, jsonb) IS
'fit an uplift model to named features, a boolean treatment (false = control, true = action 1) and outcome, weighting each row by 1/propensity';

CREATE AGGREGATE uplift_fit(features jsonb, treatment text, outcome float8) (
    SFUNC = uplift_fit_transfn, STYPE = internal,
    COMBINEFUNC = uplift_fit_combinefn,
    SERIALFUNC = uplift_fit_serialfn, DESERIALFUNC = uplift_fit_deserialfn,
    FINALFUNC = uplift_fit_finalfn, FINALFUNC_MODIFY = READ_ONLY,
    PARALLEL = SAFE
);
CREATE AGGREGATE uplift_fit(features jsonb, treatment text, outcome float8, options jsonb) (
    SFUNC = uplift_fit_transfn, STYPE = internal,
    COMBINEFUNC = uplift_fit_combinefn,
    SERIALFUNC = uplift_fit_serialfn, DESERIALFUNC = uplift_fit_deserialfn,
    FINALFUNC = uplift_fit_finalfn, FINALFUNC_MODIFY = READ_ONLY,
    PARALLEL = SAFE
);
CREATE AGGREGATE uplift_fit(features jsonb, treatment text, outcome float8,
                            propensity float8, options jsonb) (
    SFUNC = uplift_fit_transfn, STYPE = internal,
    COMBINEFUNC = uplift_fit_combinefn,
    SERIALFUNC = uplift_fit_serialfn, DESERIALFUNC = uplift_fit_deserialfn,
    FINALFUNC = uplift_fit_finalfn, FINALFUNC_MODIFY = READ_ONLY,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE uplift_fit(jsonb, text, float8) IS
'fit an uplift model to named features, a text treatment (option "control" names the control''s label; the other labels are actions 1..K in byte order) and outcome';
COMMENT ON AGGREGATE uplift_fit(jsonb, text, float8, jsonb) IS
'fit an uplift model to named features, a text treatment (option "control" names the control''s label; the other labels are actions 1..K in byte order) and outcome, with options';
COMMENT ON AGGREGATE uplift_fit(jsonb, text, float8, float8, jsonb) IS
'fit an uplift model to named features, a text treatment (option "control" names the control''s label; the other labels are actions 1..K in byte order) and outcome, weighting each row by 1/propensity';

-- Actions named by their labels (src/score.c reads the action argument by
-- its type): the scoring functions, the target propensity of a stored
-- model's policy, and the number and label of an action.
CREATE FUNCTION uplift_action(model uplift_model, label text) RETURNS int
AS 'MODULE_PATHNAME', 'uplift_action' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION uplift_action(uplift_model, text) IS
'the action number (0 = control) of a treatment label of the model';
CREATE FUNCTION uplift_action_label(model uplift_model, action int) RETURNS text
AS 'MODULE_PATHNAME', 'uplift_action_label' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION uplift_action_label(uplift_model, int) IS
'the treatment label of an action (0 = control) of the model';

CREATE FUNCTION uplift_score(model uplift_model, features float8[], action text) RETURNS float8
AS 'MODULE_PATHNAME', 'uplift_score_action' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION uplift_score(uplift_model, float8[], text) IS
'estimated effect of the action named by its treatment label versus control';
CREATE FUNCTION uplift_predict(model uplift_model, features float8[], action text) RETURNS float8
AS 'MODULE_PATHNAME', 'uplift_predict' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION uplift_predict(uplift_model, float8[], text) IS
'predicted outcome under the action named by its treatment label';
CREATE FUNCTION uplift_score(name text, features float8[], action text) RETURNS float8
AS 'MODULE_PATHNAME', 'uplift_score_action_name' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION uplift_score(text, float8[], text) IS
'estimated effect of the action named by its treatment label versus control, with the deployed version of the named model';
CREATE FUNCTION uplift_predict(name text, features float8[], action text) RETURNS float8
AS 'MODULE_PATHNAME', 'uplift_predict_name' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION uplift_predict(text, float8[], text) IS
'predicted outcome under the action named by its treatment label, with the deployed version of the named model';
CREATE FUNCTION ope_target_propensity(model uplift_model, features float8[], action text,
                                      epsilon float8 DEFAULT 0, min_propensity float8 DEFAULT 0)
RETURNS float8
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN @extschema@.uplift_policy_propensity(@extschema@.uplift_scores(model, features),
                                            @extschema@.uplift_action(model, action),
                                            epsilon, min_propensity);
COMMENT ON FUNCTION ope_target_propensity(uplift_model, float8[], text, float8, float8) IS
'probability that the greedy policy of a stored model takes the action named by its treatment label';

CREATE FUNCTION uplift_score(model uplift_model, features jsonb, action text) RETURNS float8
AS 'MODULE_PATHNAME', 'uplift_score_action' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION uplift_score(uplift_model, jsonb, text) IS
'estimated effect of the action named by its treatment label versus control';
CREATE FUNCTION uplift_predict(model uplift_model, features jsonb, action text) RETURNS float8
AS 'MODULE_PATHNAME', 'uplift_predict' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION uplift_predict(uplift_model, jsonb, text) IS
'predicted outcome under the action named by its treatment label';
CREATE FUNCTION uplift_score(name text, features jsonb, action text) RETURNS float8
AS 'MODULE_PATHNAME', 'uplift_score_action_name' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION uplift_score(text, jsonb, text) IS
'estimated effect of the action named by its treatment label versus control, with the deployed version of the named model';
CREATE FUNCTION uplift_predict(name text, features jsonb, action text) RETURNS float8
AS 'MODULE_PATHNAME', 'uplift_predict_name' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION uplift_predict(text, jsonb, text) IS
'predicted outcome under the action named by its treatment label, with the deployed version of the named model';
CREATE FUNCTION ope_target_propensity(model uplift_model, features jsonb, action text,
                                      epsilon float8 DEFAULT 0, min_propensity float8 DEFAULT 0)
RETURNS float8
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN @extschema@.uplift_policy_propensity(@extschema@.uplift_scores(model, features),
                                            @extschema@.uplift_action(model, action),
                                            epsilon, min_propensity);
COMMENT ON FUNCTION ope_target_propensity(uplift_model, jsonb, text, float8, float8) IS
'probability that the greedy policy of a stored model takes the action named by its treatment label';
