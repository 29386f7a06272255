-- Off-policy evaluation (src/ope.c, src/ope_estimators.c, doc/off-policy.md).

CREATE TYPE uplift_estimate AS (
    estimate  float8,
    std_error float8,
    ci_low    float8,
    ci_high   float8,
    n         bigint
);

COMMENT ON TYPE uplift_estimate IS
'an off-policy estimate of a policy value with its standard error, confidence interval and number of logged rows';

CREATE TYPE uplift_overlap AS (
    n                     bigint,
    sum_weight            float8,
    mean_weight           float8,
    max_weight            float8,
    ess                   float8,
    ess_share             float8,
    min_logged_propensity float8,
    share_below_floor     float8,
    n_clipped             bigint,
    warnings              text[]
);

COMMENT ON TYPE uplift_overlap IS
'overlap diagnostics of importance weights: sums, Kish effective sample size, small propensities and warnings';

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

CREATE FUNCTION ope_normal_quantile(p float8) RETURNS float8
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION ope_normal_quantile(float8) IS
'standard normal quantile (Wichura AS 241), the z of the normal intervals';

CREATE FUNCTION ope_expected_value(outcomes float8[], probs float8[]) RETURNS float8
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION ope_expected_value(float8[], float8[]) IS
'sum of probs[a] * outcomes[a]: a row''s value under a stochastic policy (q_target of dr_value)';
