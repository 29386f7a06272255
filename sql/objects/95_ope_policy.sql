-- Off-policy evaluation of the policies of stored models (doc/off-policy.md):
-- thin wrappers over uplift_scores / uplift_predict (30_score.sql) and the
-- greedy policy (90_policy.sql), hence a fragment of its own after both.
-- ope_target_probs and ope_target_propensity are not STRICT, so that the
-- planner inlines them (a NULL model is then the scoring functions' error).

CREATE FUNCTION ope_target_probs(model uplift_model, features float8[],
                                 epsilon float8 DEFAULT 0, min_propensity float8 DEFAULT 0)
RETURNS float8[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN @extschema@.uplift_policy_probs(@extschema@.uplift_scores(model, features),
                                       epsilon, min_propensity);

COMMENT ON FUNCTION ope_target_probs(uplift_model, float8[], float8, float8) IS
'probabilities (element a+1 for action a = 0..K) that the greedy policy of a stored model takes each action for these features';

CREATE FUNCTION ope_target_propensity(model uplift_model, features float8[], action int,
                                      epsilon float8 DEFAULT 0, min_propensity float8 DEFAULT 0)
RETURNS float8
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN @extschema@.uplift_policy_propensity(@extschema@.uplift_scores(model, features),
                                            action, epsilon, min_propensity);

COMMENT ON FUNCTION ope_target_propensity(uplift_model, float8[], int, float8, float8) IS
'probability that the greedy policy of a stored model takes the given action for these features: the target_propensity of the estimators';

CREATE FUNCTION ope_q_target(model uplift_model, features float8[], probs float8[])
RETURNS float8
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN @extschema@.ope_expected_value(
    ARRAY(SELECT @extschema@.uplift_predict(model, features, a)
          FROM pg_catalog.generate_series(0, pg_catalog.cardinality(@extschema@.uplift_scores(model, features))) AS a
          ORDER BY a),
    probs);

COMMENT ON FUNCTION ope_q_target(uplift_model, float8[], float8[]) IS
'an outcome model''s prediction averaged over a policy''s action probabilities (element a+1 for action a): the q_target of dr_value';
