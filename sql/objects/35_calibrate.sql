
-- Calibration of a model's effects on a holdout, and value and cost models
-- combined into allocation candidates (src/calibrate.c).

-- The aggregate's state: a concrete type (not internal), so that a
-- scale-out engine such as Citus computes partial states on its shards and
-- combines them on the coordinator (doc/citus.md).  It holds the model and
-- six sums per action; its text and binary forms are a portable, versioned
-- format, validated on input (the model by the model's own reader).

CREATE TYPE uplift_fit_calibration_state;

CREATE FUNCTION uplift_fit_calibration_state_in(cstring) RETURNS uplift_fit_calibration_state
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION uplift_fit_calibration_state_out(uplift_fit_calibration_state) RETURNS cstring
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION uplift_fit_calibration_state_recv(internal) RETURNS uplift_fit_calibration_state
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION uplift_fit_calibration_state_send(uplift_fit_calibration_state) RETURNS bytea
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE uplift_fit_calibration_state (
    INPUT = uplift_fit_calibration_state_in,
    OUTPUT = uplift_fit_calibration_state_out,
    RECEIVE = uplift_fit_calibration_state_recv,
    SEND = uplift_fit_calibration_state_send,
    INTERNALLENGTH = VARIABLE,
    ALIGNMENT = double,
    STORAGE = extended
);

COMMENT ON TYPE uplift_fit_calibration_state IS
'partial state of uplift_fit_calibration: the model being calibrated and, per action, six compensated sums and the treated rows';

-- Not STRICT: a NULL model is an error, a NULL side of the combine the
-- state of a part without rows.
CREATE FUNCTION uplift_fit_calibration_transfn(uplift_fit_calibration_state, uplift_model, float8[], int, float8, float8)
RETURNS uplift_fit_calibration_state AS 'MODULE_PATHNAME' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION uplift_fit_calibration_combinefn(uplift_fit_calibration_state, uplift_fit_calibration_state)
RETURNS uplift_fit_calibration_state AS 'MODULE_PATHNAME' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION uplift_fit_calibration_finalfn(uplift_fit_calibration_state)
RETURNS uplift_model AS 'MODULE_PATHNAME' LANGUAGE C PARALLEL SAFE;

CREATE AGGREGATE uplift_fit_calibration(model uplift_model, features float8[], action int,
                                  outcome float8, propensity float8) (
    SFUNC = uplift_fit_calibration_transfn,
    STYPE = uplift_fit_calibration_state,
    COMBINEFUNC = uplift_fit_calibration_combinefn,
    FINALFUNC = uplift_fit_calibration_finalfn,
    FINALFUNC_MODIFY = READ_ONLY,
    PARALLEL = SAFE
);

COMMENT ON AGGREGATE uplift_fit_calibration(uplift_model, float8[], int, float8, float8) IS
'the model with one calibration line per action, fitted on holdout rows with logged propensities';

-- The same over named features (jsonb, read through the model's encoding)
-- and over actions given as treatment labels of the model (text).
CREATE FUNCTION uplift_fit_calibration_transfn(uplift_fit_calibration_state, uplift_model, jsonb, int, float8, float8)
RETURNS uplift_fit_calibration_state AS 'MODULE_PATHNAME', 'uplift_fit_calibration_transfn_jsonb'
LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION uplift_fit_calibration_transfn(uplift_fit_calibration_state, uplift_model, float8[], text, float8, float8)
RETURNS uplift_fit_calibration_state AS 'MODULE_PATHNAME', 'uplift_fit_calibration_transfn'
LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION uplift_fit_calibration_transfn(uplift_fit_calibration_state, uplift_model, jsonb, text, float8, float8)
RETURNS uplift_fit_calibration_state AS 'MODULE_PATHNAME', 'uplift_fit_calibration_transfn_jsonb'
LANGUAGE C PARALLEL SAFE;
COMMENT ON FUNCTION uplift_fit_calibration_transfn(uplift_fit_calibration_state, uplift_model, jsonb, int, float8, float8) IS
'transition function of uplift_fit_calibration';
COMMENT ON FUNCTION uplift_fit_calibration_transfn(uplift_fit_calibration_state, uplift_model, float8[], text, float8, float8) IS
'transition function of uplift_fit_calibration';
COMMENT ON FUNCTION uplift_fit_calibration_transfn(uplift_fit_calibration_state, uplift_model, jsonb, text, float8, float8) IS
'transition function of uplift_fit_calibration';

CREATE AGGREGATE uplift_fit_calibration(model uplift_model, features jsonb, action int,
                                        outcome float8, propensity float8) (
    SFUNC = uplift_fit_calibration_transfn,
    STYPE = uplift_fit_calibration_state,
    COMBINEFUNC = uplift_fit_calibration_combinefn,
    FINALFUNC = uplift_fit_calibration_finalfn,
    FINALFUNC_MODIFY = READ_ONLY,
    PARALLEL = SAFE
);
CREATE AGGREGATE uplift_fit_calibration(model uplift_model, features float8[], action text,
                                        outcome float8, propensity float8) (
    SFUNC = uplift_fit_calibration_transfn,
    STYPE = uplift_fit_calibration_state,
    COMBINEFUNC = uplift_fit_calibration_combinefn,
    FINALFUNC = uplift_fit_calibration_finalfn,
    FINALFUNC_MODIFY = READ_ONLY,
    PARALLEL = SAFE
);
CREATE AGGREGATE uplift_fit_calibration(model uplift_model, features jsonb, action text,
                                        outcome float8, propensity float8) (
    SFUNC = uplift_fit_calibration_transfn,
    STYPE = uplift_fit_calibration_state,
    COMBINEFUNC = uplift_fit_calibration_combinefn,
    FINALFUNC = uplift_fit_calibration_finalfn,
    FINALFUNC_MODIFY = READ_ONLY,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE uplift_fit_calibration(uplift_model, jsonb, int, float8, float8) IS
'the model with one calibration line per action, fitted on holdout rows (named features) with logged propensities';
COMMENT ON AGGREGATE uplift_fit_calibration(uplift_model, float8[], text, float8, float8) IS
'the model with one calibration line per action, fitted on holdout rows whose logged actions are treatment labels of the model';
COMMENT ON AGGREGATE uplift_fit_calibration(uplift_model, jsonb, text, float8, float8) IS
'the model with one calibration line per action, fitted on holdout rows (named features) whose logged actions are treatment labels of the model';

CREATE FUNCTION uplift_value_cost(value_model uplift_model, cost_model uplift_model,
                                  features float8[])
RETURNS TABLE (action int, value float8, cost float8, net_value float8, value_per_cost float8)
AS 'MODULE_PATHNAME', 'uplift_value_cost'
LANGUAGE C IMMUTABLE PARALLEL SAFE ROWS 4;

COMMENT ON FUNCTION uplift_value_cost(uplift_model, uplift_model, float8[]) IS
'per action: incremental value, incremental cost, net value and value per cost, from a value and a cost model';
