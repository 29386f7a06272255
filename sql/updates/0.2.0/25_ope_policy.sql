-- ope_target_probs and ope_target_propensity: CALLED ON NULL INPUT, so that
-- they inline now that the scoring functions they wrap are not STRICT.
CREATE OR REPLACE FUNCTION ope_target_probs(model uplift_model, features float8[],
                                 epsilon float8 DEFAULT 0, min_propensity float8 DEFAULT 0)
RETURNS float8[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN @extschema@.uplift_policy_probs(@extschema@.uplift_scores(model, features),
                                       epsilon, min_propensity);

CREATE OR REPLACE FUNCTION ope_target_propensity(model uplift_model, features float8[], action int,
                                      epsilon float8 DEFAULT 0, min_propensity float8 DEFAULT 0)
RETURNS float8
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN @extschema@.uplift_policy_propensity(@extschema@.uplift_scores(model, features),
                                            action, epsilon, min_propensity);
