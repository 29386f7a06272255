
-- Calibration of a model's effects on a holdout, and value and cost models
-- combined into allocation candidates (src/calibrate.c).

CREATE FUNCTION uplift_fit_calibration_transfn(internal, uplift_model, float8[], int, float8, float8)
RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION uplift_fit_calibration_combinefn(internal, internal)
RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION uplift_fit_calibration_serialfn(internal)
RETURNS bytea AS 'MODULE_PATHNAME' LANGUAGE C STRICT PARALLEL SAFE;
CREATE FUNCTION uplift_fit_calibration_deserialfn(bytea, internal)
RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C STRICT PARALLEL SAFE;
CREATE FUNCTION uplift_fit_calibration_finalfn(internal)
RETURNS uplift_model AS 'MODULE_PATHNAME' LANGUAGE C PARALLEL SAFE;

CREATE AGGREGATE uplift_fit_calibration(model uplift_model, features float8[], action int,
                                  outcome float8, propensity float8) (
    SFUNC = uplift_fit_calibration_transfn,
    STYPE = internal,
    COMBINEFUNC = uplift_fit_calibration_combinefn,
    SERIALFUNC = uplift_fit_calibration_serialfn,
    DESERIALFUNC = uplift_fit_calibration_deserialfn,
    FINALFUNC = uplift_fit_calibration_finalfn,
    FINALFUNC_MODIFY = READ_ONLY,
    PARALLEL = SAFE
);

COMMENT ON AGGREGATE uplift_fit_calibration(uplift_model, float8[], int, float8, float8) IS
'the model with one calibration line per action, fitted on holdout rows with logged propensities';

CREATE FUNCTION uplift_value_cost(value_model uplift_model, cost_model uplift_model,
                                  features float8[])
RETURNS TABLE (action int, value float8, cost float8, net_value float8, value_per_cost float8)
AS 'MODULE_PATHNAME', 'uplift_value_cost'
LANGUAGE C IMMUTABLE PARALLEL SAFE ROWS 4;

COMMENT ON FUNCTION uplift_value_cost(uplift_model, uplift_model, float8[]) IS
'per action: incremental value, incremental cost, net value and value per cost, from a value and a cost model';
