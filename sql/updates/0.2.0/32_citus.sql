-- Citus and concrete state types (doc/citus.md): the off-policy value and
-- overlap aggregates keep their state in the type uplift_ope_state, and
-- uplift_fit_calibration in uplift_fit_calibration_state, instead of
-- internal.  An aggregate's state type cannot be altered, so the aggregates
-- of 0.1.0 and their support functions on internal are dropped and made
-- again as sql/objects/35_calibrate.sql and 50_ope.sql make them.  (The
-- paired aggregates of sql/objects/52_ope_compare.sql are new in 0.2.0.)

DROP AGGREGATE uplift_fit_calibration(uplift_model, float8[], int, float8, float8);
DROP FUNCTION uplift_fit_calibration_transfn(internal, uplift_model, float8[], int, float8, float8);
DROP FUNCTION uplift_fit_calibration_combinefn(internal, internal);
DROP FUNCTION uplift_fit_calibration_serialfn(internal);
DROP FUNCTION uplift_fit_calibration_deserialfn(bytea, internal);
DROP FUNCTION uplift_fit_calibration_finalfn(internal);

DROP AGGREGATE ips_value(float8, float8, float8);
DROP AGGREGATE ips_value(float8, float8, float8, jsonb);
DROP AGGREGATE snips_value(float8, float8, float8);
DROP AGGREGATE snips_value(float8, float8, float8, jsonb);
DROP AGGREGATE dr_value(float8, float8, float8, float8, float8);
DROP AGGREGATE dr_value(float8, float8, float8, float8, float8, jsonb);
DROP AGGREGATE ope_overlap(float8, float8);
DROP AGGREGATE ope_overlap(float8, float8, jsonb);

DROP FUNCTION ips_value_transfn(internal, float8, float8, float8);
DROP FUNCTION ips_value_transfn(internal, float8, float8, float8, jsonb);
DROP FUNCTION snips_value_transfn(internal, float8, float8, float8);
DROP FUNCTION snips_value_transfn(internal, float8, float8, float8, jsonb);
DROP FUNCTION dr_value_transfn(internal, float8, float8, float8, float8, float8);
DROP FUNCTION dr_value_transfn(internal, float8, float8, float8, float8, float8, jsonb);
DROP FUNCTION ope_overlap_transfn(internal, float8, float8);
DROP FUNCTION ope_overlap_transfn(internal, float8, float8, jsonb);
DROP FUNCTION ips_value_finalfn(internal);
DROP FUNCTION snips_value_finalfn(internal);
DROP FUNCTION dr_value_finalfn(internal);
DROP FUNCTION ope_overlap_finalfn(internal);
DROP FUNCTION ope_combinefn(internal, internal);
DROP FUNCTION ope_serialfn(internal);
DROP FUNCTION ope_deserialfn(bytea, internal);

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

-- The aggregates' state: a concrete type (not internal), so that a
-- scale-out engine such as Citus computes partial states on its shards and
-- combines them on the coordinator (doc/citus.md).  Its text and binary
-- forms are a portable, versioned format, validated on input.

CREATE TYPE uplift_ope_state;

CREATE FUNCTION uplift_ope_state_in(cstring) RETURNS uplift_ope_state
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION uplift_ope_state_out(uplift_ope_state) RETURNS cstring
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION uplift_ope_state_recv(internal) RETURNS uplift_ope_state
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION uplift_ope_state_send(uplift_ope_state) RETURNS bytea
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE uplift_ope_state (
    INPUT = uplift_ope_state_in,
    OUTPUT = uplift_ope_state_out,
    RECEIVE = uplift_ope_state_recv,
    SEND = uplift_ope_state_send,
    INTERNALLENGTH = VARIABLE,
    ALIGNMENT = double,
    STORAGE = extended
);

COMMENT ON TYPE uplift_ope_state IS
'partial state of ips_value, snips_value, dr_value and ope_overlap: counts and compensated sums (and the rows kept for a bootstrap interval)';

-- Not STRICT: a NULL side is the state of a part without rows.
CREATE FUNCTION ope_combinefn(uplift_ope_state, uplift_ope_state) RETURNS uplift_ope_state
AS 'MODULE_PATHNAME', 'ope_combinefn' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION ope_combinefn(uplift_ope_state, uplift_ope_state) IS
'combine function of the off-policy evaluation aggregates';

-- Transition functions: not STRICT, because a NULL input is an error (see doc).

CREATE FUNCTION ips_value_transfn(uplift_ope_state, float8, float8, float8) RETURNS uplift_ope_state
AS 'MODULE_PATHNAME', 'ips_value_transfn' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION ips_value_transfn(uplift_ope_state, float8, float8, float8, jsonb) RETURNS uplift_ope_state
AS 'MODULE_PATHNAME', 'ips_value_transfn' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION snips_value_transfn(uplift_ope_state, float8, float8, float8) RETURNS uplift_ope_state
AS 'MODULE_PATHNAME', 'snips_value_transfn' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION snips_value_transfn(uplift_ope_state, float8, float8, float8, jsonb) RETURNS uplift_ope_state
AS 'MODULE_PATHNAME', 'snips_value_transfn' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION dr_value_transfn(uplift_ope_state, float8, float8, float8, float8, float8) RETURNS uplift_ope_state
AS 'MODULE_PATHNAME', 'dr_value_transfn' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION dr_value_transfn(uplift_ope_state, float8, float8, float8, float8, float8, jsonb) RETURNS uplift_ope_state
AS 'MODULE_PATHNAME', 'dr_value_transfn' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION ope_overlap_transfn(uplift_ope_state, float8, float8) RETURNS uplift_ope_state
AS 'MODULE_PATHNAME', 'ope_overlap_transfn' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION ope_overlap_transfn(uplift_ope_state, float8, float8, jsonb) RETURNS uplift_ope_state
AS 'MODULE_PATHNAME', 'ope_overlap_transfn' LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION ips_value_transfn(uplift_ope_state, float8, float8, float8) IS 'transition function of ips_value';
COMMENT ON FUNCTION ips_value_transfn(uplift_ope_state, float8, float8, float8, jsonb) IS 'transition function of ips_value with options';
COMMENT ON FUNCTION snips_value_transfn(uplift_ope_state, float8, float8, float8) IS 'transition function of snips_value';
COMMENT ON FUNCTION snips_value_transfn(uplift_ope_state, float8, float8, float8, jsonb) IS 'transition function of snips_value with options';
COMMENT ON FUNCTION dr_value_transfn(uplift_ope_state, float8, float8, float8, float8, float8) IS 'transition function of dr_value';
COMMENT ON FUNCTION dr_value_transfn(uplift_ope_state, float8, float8, float8, float8, float8, jsonb) IS 'transition function of dr_value with options';
COMMENT ON FUNCTION ope_overlap_transfn(uplift_ope_state, float8, float8) IS 'transition function of ope_overlap';
COMMENT ON FUNCTION ope_overlap_transfn(uplift_ope_state, float8, float8, jsonb) IS 'transition function of ope_overlap with options';

CREATE FUNCTION ips_value_finalfn(uplift_ope_state) RETURNS uplift_estimate
AS 'MODULE_PATHNAME', 'ips_value_finalfn' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION snips_value_finalfn(uplift_ope_state) RETURNS uplift_estimate
AS 'MODULE_PATHNAME', 'snips_value_finalfn' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION dr_value_finalfn(uplift_ope_state) RETURNS uplift_estimate
AS 'MODULE_PATHNAME', 'dr_value_finalfn' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION ope_overlap_finalfn(uplift_ope_state) RETURNS uplift_overlap
AS 'MODULE_PATHNAME', 'ope_overlap_finalfn' LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION ips_value_finalfn(uplift_ope_state) IS 'final function of ips_value';
COMMENT ON FUNCTION snips_value_finalfn(uplift_ope_state) IS 'final function of snips_value';
COMMENT ON FUNCTION dr_value_finalfn(uplift_ope_state) IS 'final function of dr_value';
COMMENT ON FUNCTION ope_overlap_finalfn(uplift_ope_state) IS 'final function of ope_overlap';

-- The aggregates.  The final functions never change the state (the
-- bootstrap sorts a copy of the kept rows), so READ_ONLY holds.

CREATE AGGREGATE ips_value(reward float8, logged_propensity float8, target_propensity float8) (
    SFUNC = ips_value_transfn, STYPE = uplift_ope_state, FINALFUNC = ips_value_finalfn,
    FINALFUNC_MODIFY = READ_ONLY, COMBINEFUNC = ope_combinefn, PARALLEL = SAFE);
CREATE AGGREGATE ips_value(reward float8, logged_propensity float8, target_propensity float8,
                           options jsonb) (
    SFUNC = ips_value_transfn, STYPE = uplift_ope_state, FINALFUNC = ips_value_finalfn,
    FINALFUNC_MODIFY = READ_ONLY, COMBINEFUNC = ope_combinefn, PARALLEL = SAFE);

CREATE AGGREGATE snips_value(reward float8, logged_propensity float8, target_propensity float8) (
    SFUNC = snips_value_transfn, STYPE = uplift_ope_state, FINALFUNC = snips_value_finalfn,
    FINALFUNC_MODIFY = READ_ONLY, COMBINEFUNC = ope_combinefn, PARALLEL = SAFE);
CREATE AGGREGATE snips_value(reward float8, logged_propensity float8, target_propensity float8,
                             options jsonb) (
    SFUNC = snips_value_transfn, STYPE = uplift_ope_state, FINALFUNC = snips_value_finalfn,
    FINALFUNC_MODIFY = READ_ONLY, COMBINEFUNC = ope_combinefn, PARALLEL = SAFE);

CREATE AGGREGATE dr_value(reward float8, logged_propensity float8, target_propensity float8,
                          q_logged float8, q_target float8) (
    SFUNC = dr_value_transfn, STYPE = uplift_ope_state, FINALFUNC = dr_value_finalfn,
    FINALFUNC_MODIFY = READ_ONLY, COMBINEFUNC = ope_combinefn, PARALLEL = SAFE);
CREATE AGGREGATE dr_value(reward float8, logged_propensity float8, target_propensity float8,
                          q_logged float8, q_target float8, options jsonb) (
    SFUNC = dr_value_transfn, STYPE = uplift_ope_state, FINALFUNC = dr_value_finalfn,
    FINALFUNC_MODIFY = READ_ONLY, COMBINEFUNC = ope_combinefn, PARALLEL = SAFE);

CREATE AGGREGATE ope_overlap(logged_propensity float8, target_propensity float8) (
    SFUNC = ope_overlap_transfn, STYPE = uplift_ope_state, FINALFUNC = ope_overlap_finalfn,
    FINALFUNC_MODIFY = READ_ONLY, COMBINEFUNC = ope_combinefn, PARALLEL = SAFE);
CREATE AGGREGATE ope_overlap(logged_propensity float8, target_propensity float8, options jsonb) (
    SFUNC = ope_overlap_transfn, STYPE = uplift_ope_state, FINALFUNC = ope_overlap_finalfn,
    FINALFUNC_MODIFY = READ_ONLY, COMBINEFUNC = ope_combinefn, PARALLEL = SAFE);

COMMENT ON AGGREGATE ips_value(float8, float8, float8) IS
'inverse propensity scoring estimate of a target policy''s value from logged rows, with a 95% normal interval';
COMMENT ON AGGREGATE ips_value(float8, float8, float8, jsonb) IS
'inverse propensity scoring estimate with options alpha, clip, ci (normal or bootstrap), n_boot, seed';
COMMENT ON AGGREGATE snips_value(float8, float8, float8) IS
'self-normalized inverse propensity scoring estimate of a target policy''s value, with a 95% delta-method interval';
COMMENT ON AGGREGATE snips_value(float8, float8, float8, jsonb) IS
'self-normalized inverse propensity scoring estimate with options alpha, clip, ci (normal or bootstrap), n_boot, seed';
COMMENT ON AGGREGATE dr_value(float8, float8, float8, float8, float8) IS
'doubly robust estimate of a target policy''s value from logged rows and outcome-model predictions, with a 95% normal interval';
COMMENT ON AGGREGATE dr_value(float8, float8, float8, float8, float8, jsonb) IS
'doubly robust estimate with options alpha, clip, ci (normal or bootstrap), n_boot, seed';
COMMENT ON AGGREGATE ope_overlap(float8, float8) IS
'overlap diagnostics of the importance weights target/logged, with plain-words warnings';
COMMENT ON AGGREGATE ope_overlap(float8, float8, jsonb) IS
'overlap diagnostics with options floor, clip, min_ess_share, max_weight_share, mean_tolerance';
