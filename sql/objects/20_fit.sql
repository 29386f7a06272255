-- The uplift_fit aggregates (src/fit.c): T- and S-learners over logistic
-- or linear bases.  One transition function serves every signature.

CREATE FUNCTION uplift_fit_transfn(internal, float8[], int, float8)
RETURNS internal AS 'MODULE_PATHNAME', 'uplift_fit_transfn'
LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION uplift_fit_transfn(internal, float8[], int, float8, jsonb)
RETURNS internal AS 'MODULE_PATHNAME', 'uplift_fit_transfn'
LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION uplift_fit_transfn(internal, float8[], int, float8, float8, jsonb)
RETURNS internal AS 'MODULE_PATHNAME', 'uplift_fit_transfn'
LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION uplift_fit_transfn(internal, float4[], int, float8)
RETURNS internal AS 'MODULE_PATHNAME', 'uplift_fit_transfn'
LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION uplift_fit_transfn(internal, float4[], int, float8, jsonb)
RETURNS internal AS 'MODULE_PATHNAME', 'uplift_fit_transfn'
LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION uplift_fit_transfn(internal, float4[], int, float8, float8, jsonb)
RETURNS internal AS 'MODULE_PATHNAME', 'uplift_fit_transfn'
LANGUAGE C PARALLEL SAFE;

CREATE FUNCTION uplift_fit_combinefn(internal, internal)
RETURNS internal AS 'MODULE_PATHNAME', 'uplift_fit_combinefn'
LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION uplift_fit_serialfn(internal)
RETURNS bytea AS 'MODULE_PATHNAME', 'uplift_fit_serialfn'
LANGUAGE C STRICT PARALLEL SAFE;
CREATE FUNCTION uplift_fit_deserialfn(bytea, internal)
RETURNS internal AS 'MODULE_PATHNAME', 'uplift_fit_deserialfn'
LANGUAGE C STRICT PARALLEL SAFE;
CREATE FUNCTION uplift_fit_finalfn(internal)
RETURNS uplift_model AS 'MODULE_PATHNAME', 'uplift_fit_finalfn'
LANGUAGE C PARALLEL SAFE;

COMMENT ON FUNCTION uplift_fit_combinefn(internal, internal) IS 'combine function of uplift_fit';
COMMENT ON FUNCTION uplift_fit_serialfn(internal) IS 'serial function of uplift_fit';
COMMENT ON FUNCTION uplift_fit_deserialfn(bytea, internal) IS 'deserial function of uplift_fit';
COMMENT ON FUNCTION uplift_fit_finalfn(internal) IS 'final function of uplift_fit: fits the model';

CREATE AGGREGATE uplift_fit(features float8[], treatment int, outcome float8) (
    SFUNC = uplift_fit_transfn, STYPE = internal,
    COMBINEFUNC = uplift_fit_combinefn,
    SERIALFUNC = uplift_fit_serialfn, DESERIALFUNC = uplift_fit_deserialfn,
    FINALFUNC = uplift_fit_finalfn, FINALFUNC_MODIFY = READ_ONLY,
    PARALLEL = SAFE
);
CREATE AGGREGATE uplift_fit(features float8[], treatment int, outcome float8, options jsonb) (
    SFUNC = uplift_fit_transfn, STYPE = internal,
    COMBINEFUNC = uplift_fit_combinefn,
    SERIALFUNC = uplift_fit_serialfn, DESERIALFUNC = uplift_fit_deserialfn,
    FINALFUNC = uplift_fit_finalfn, FINALFUNC_MODIFY = READ_ONLY,
    PARALLEL = SAFE
);
CREATE AGGREGATE uplift_fit(features float8[], treatment int, outcome float8,
                            propensity float8, options jsonb) (
    SFUNC = uplift_fit_transfn, STYPE = internal,
    COMBINEFUNC = uplift_fit_combinefn,
    SERIALFUNC = uplift_fit_serialfn, DESERIALFUNC = uplift_fit_deserialfn,
    FINALFUNC = uplift_fit_finalfn, FINALFUNC_MODIFY = READ_ONLY,
    PARALLEL = SAFE
);
CREATE AGGREGATE uplift_fit(features float4[], treatment int, outcome float8) (
    SFUNC = uplift_fit_transfn, STYPE = internal,
    COMBINEFUNC = uplift_fit_combinefn,
    SERIALFUNC = uplift_fit_serialfn, DESERIALFUNC = uplift_fit_deserialfn,
    FINALFUNC = uplift_fit_finalfn, FINALFUNC_MODIFY = READ_ONLY,
    PARALLEL = SAFE
);
CREATE AGGREGATE uplift_fit(features float4[], treatment int, outcome float8, options jsonb) (
    SFUNC = uplift_fit_transfn, STYPE = internal,
    COMBINEFUNC = uplift_fit_combinefn,
    SERIALFUNC = uplift_fit_serialfn, DESERIALFUNC = uplift_fit_deserialfn,
    FINALFUNC = uplift_fit_finalfn, FINALFUNC_MODIFY = READ_ONLY,
    PARALLEL = SAFE
);
CREATE AGGREGATE uplift_fit(features float4[], treatment int, outcome float8,
                            propensity float8, options jsonb) (
    SFUNC = uplift_fit_transfn, STYPE = internal,
    COMBINEFUNC = uplift_fit_combinefn,
    SERIALFUNC = uplift_fit_serialfn, DESERIALFUNC = uplift_fit_deserialfn,
    FINALFUNC = uplift_fit_finalfn, FINALFUNC_MODIFY = READ_ONLY,
    PARALLEL = SAFE
);

COMMENT ON AGGREGATE uplift_fit(float8[], int, float8) IS
'fit an uplift model (T-learner; base from the outcome) to features, treatment 0..K and outcome';
COMMENT ON AGGREGATE uplift_fit(float8[], int, float8, jsonb) IS
'fit an uplift model to features, treatment 0..K and outcome; options: learner, base, l2, max_iter, tol, feature_names, seed, interactions';
COMMENT ON AGGREGATE uplift_fit(float8[], int, float8, float8, jsonb) IS
'fit an uplift model with the logged propensity of the treatment each row received (weights, pseudo-outcomes; option min_propensity clips)';
COMMENT ON AGGREGATE uplift_fit(float4[], int, float8) IS
'fit an uplift model (T-learner; base from the outcome) to float4 features, treatment 0..K and outcome';
COMMENT ON AGGREGATE uplift_fit(float4[], int, float8, jsonb) IS
'fit an uplift model to float4 features, treatment 0..K and outcome, with options';
COMMENT ON AGGREGATE uplift_fit(float4[], int, float8, float8, jsonb) IS
'fit an uplift model to float4 features, weighting each row by 1/propensity';
COMMENT ON FUNCTION uplift_fit_transfn(internal, float8[], int, float8) IS 'transition function of uplift_fit';
COMMENT ON FUNCTION uplift_fit_transfn(internal, float8[], int, float8, jsonb) IS 'transition function of uplift_fit';
COMMENT ON FUNCTION uplift_fit_transfn(internal, float8[], int, float8, float8, jsonb) IS 'transition function of uplift_fit';
COMMENT ON FUNCTION uplift_fit_transfn(internal, float4[], int, float8) IS 'transition function of uplift_fit';
COMMENT ON FUNCTION uplift_fit_transfn(internal, float4[], int, float8, jsonb) IS 'transition function of uplift_fit';
COMMENT ON FUNCTION uplift_fit_transfn(internal, float4[], int, float8, float8, jsonb) IS 'transition function of uplift_fit';
