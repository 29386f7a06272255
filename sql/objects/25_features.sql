-- Named features (src/features.c, src/fit.c, src/score.c): uplift_fit from
-- a jsonb object of features per row, whose encoding is learned at fit time
-- and stored in the model, and scoring from such objects.  The scoring
-- functions share the C functions of their float8[] forms, which read the
-- features argument by its type.

CREATE FUNCTION uplift_fit_transfn(internal, jsonb, int, float8)
RETURNS internal AS 'MODULE_PATHNAME', 'uplift_fit_transfn_jsonb'
LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION uplift_fit_transfn(internal, jsonb, int, float8, jsonb)
RETURNS internal AS 'MODULE_PATHNAME', 'uplift_fit_transfn_jsonb'
LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION uplift_fit_transfn(internal, jsonb, int, float8, float8, jsonb)
RETURNS internal AS 'MODULE_PATHNAME', 'uplift_fit_transfn_jsonb'
LANGUAGE C PARALLEL SAFE;
COMMENT ON FUNCTION uplift_fit_transfn(internal, jsonb, int, float8) IS 'transition function of uplift_fit';
COMMENT ON FUNCTION uplift_fit_transfn(internal, jsonb, int, float8, jsonb) IS 'transition function of uplift_fit';
COMMENT ON FUNCTION uplift_fit_transfn(internal, jsonb, int, float8, float8, jsonb) IS 'transition function of uplift_fit';

CREATE AGGREGATE uplift_fit(features jsonb, treatment int, outcome float8) (
    SFUNC = uplift_fit_transfn, STYPE = internal,
    COMBINEFUNC = uplift_fit_combinefn,
    SERIALFUNC = uplift_fit_serialfn, DESERIALFUNC = uplift_fit_deserialfn,
    FINALFUNC = uplift_fit_finalfn, FINALFUNC_MODIFY = READ_ONLY,
    PARALLEL = SAFE
);
CREATE AGGREGATE uplift_fit(features jsonb, treatment int, outcome float8, options jsonb) (
    SFUNC = uplift_fit_transfn, STYPE = internal,
    COMBINEFUNC = uplift_fit_combinefn,
    SERIALFUNC = uplift_fit_serialfn, DESERIALFUNC = uplift_fit_deserialfn,
    FINALFUNC = uplift_fit_finalfn, FINALFUNC_MODIFY = READ_ONLY,
    PARALLEL = SAFE
);
CREATE AGGREGATE uplift_fit(features jsonb, treatment int, outcome float8,
                            propensity float8, options jsonb) (
    SFUNC = uplift_fit_transfn, STYPE = internal,
    COMBINEFUNC = uplift_fit_combinefn,
    SERIALFUNC = uplift_fit_serialfn, DESERIALFUNC = uplift_fit_deserialfn,
    FINALFUNC = uplift_fit_finalfn, FINALFUNC_MODIFY = READ_ONLY,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE uplift_fit(jsonb, int, float8) IS
'fit an uplift model to named features (a jsonb object per row), treatment 0..K and outcome; the encoding is learned and stored in the model';
COMMENT ON AGGREGATE uplift_fit(jsonb, int, float8, jsonb) IS
'fit an uplift model to named features with options (also categorical, max_categories)';
COMMENT ON AGGREGATE uplift_fit(jsonb, int, float8, float8, jsonb) IS
'fit an uplift model to named features with the logged propensity of the treatment each row received';

CREATE FUNCTION uplift_score(model uplift_model, features jsonb) RETURNS float8
AS 'MODULE_PATHNAME', 'uplift_score' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION uplift_score(uplift_model, jsonb) IS
'estimated effect of action 1 versus control, from named features';
CREATE FUNCTION uplift_score(model uplift_model, features jsonb, action int) RETURNS float8
AS 'MODULE_PATHNAME', 'uplift_score_action' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION uplift_score(uplift_model, jsonb, int) IS
'estimated effect of the action versus control (0 for action 0), from named features';
CREATE FUNCTION uplift_scores(model uplift_model, features jsonb) RETURNS float8[]
AS 'MODULE_PATHNAME', 'uplift_scores' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION uplift_scores(uplift_model, jsonb) IS
'estimated effect of each action 1..K versus control, from named features';
CREATE FUNCTION uplift_predict(model uplift_model, features jsonb, action int) RETURNS float8
AS 'MODULE_PATHNAME', 'uplift_predict' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION uplift_predict(uplift_model, jsonb, int) IS
'predicted outcome under the action (0 = control), from named features';

CREATE FUNCTION uplift_score(name text, features jsonb) RETURNS float8
AS 'MODULE_PATHNAME', 'uplift_score_name' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION uplift_score(text, jsonb) IS
'estimated effect of action 1 versus control, with the deployed version of the named model, from named features';
CREATE FUNCTION uplift_score(name text, features jsonb, action int) RETURNS float8
AS 'MODULE_PATHNAME', 'uplift_score_action_name' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION uplift_score(text, jsonb, int) IS
'estimated effect of the action versus control, with the deployed version of the named model, from named features';
CREATE FUNCTION uplift_scores(name text, features jsonb) RETURNS float8[]
AS 'MODULE_PATHNAME', 'uplift_scores_name' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION uplift_scores(text, jsonb) IS
'estimated effect of each action 1..K versus control, with the deployed version of the named model, from named features';
CREATE FUNCTION uplift_predict(name text, features jsonb, action int) RETURNS float8
AS 'MODULE_PATHNAME', 'uplift_predict_name' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION uplift_predict(text, jsonb, int) IS
'predicted outcome under the action, with the deployed version of the named model, from named features';
