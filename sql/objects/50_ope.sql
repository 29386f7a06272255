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

-- Support functions shared by the aggregates.

CREATE FUNCTION ope_combine(internal, internal) RETURNS internal
AS 'MODULE_PATHNAME', 'ope_combine' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION ope_combine(internal, internal) IS
'combine function of the off-policy evaluation aggregates';

CREATE FUNCTION ope_serialize(internal) RETURNS bytea
AS 'MODULE_PATHNAME', 'ope_serialize' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION ope_serialize(internal) IS
'serialization function of the off-policy evaluation aggregates';

CREATE FUNCTION ope_deserialize(bytea, internal) RETURNS internal
AS 'MODULE_PATHNAME', 'ope_deserialize' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION ope_deserialize(bytea, internal) IS
'deserialization function of the off-policy evaluation aggregates';

-- Transition functions: not STRICT, because a NULL input is an error (see doc).

CREATE FUNCTION ope_ips_trans(internal, float8, float8, float8) RETURNS internal
AS 'MODULE_PATHNAME', 'ope_ips_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION ope_ips_trans(internal, float8, float8, float8, jsonb) RETURNS internal
AS 'MODULE_PATHNAME', 'ope_ips_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION ope_snips_trans(internal, float8, float8, float8) RETURNS internal
AS 'MODULE_PATHNAME', 'ope_snips_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION ope_snips_trans(internal, float8, float8, float8, jsonb) RETURNS internal
AS 'MODULE_PATHNAME', 'ope_snips_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION ope_dr_trans(internal, float8, float8, float8, float8, float8) RETURNS internal
AS 'MODULE_PATHNAME', 'ope_dr_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION ope_dr_trans(internal, float8, float8, float8, float8, float8, jsonb) RETURNS internal
AS 'MODULE_PATHNAME', 'ope_dr_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION ope_overlap_trans(internal, float8, float8) RETURNS internal
AS 'MODULE_PATHNAME', 'ope_overlap_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION ope_overlap_trans(internal, float8, float8, jsonb) RETURNS internal
AS 'MODULE_PATHNAME', 'ope_overlap_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION ope_ips_trans(internal, float8, float8, float8) IS 'transition function of ips_value';
COMMENT ON FUNCTION ope_ips_trans(internal, float8, float8, float8, jsonb) IS 'transition function of ips_value with options';
COMMENT ON FUNCTION ope_snips_trans(internal, float8, float8, float8) IS 'transition function of snips_value';
COMMENT ON FUNCTION ope_snips_trans(internal, float8, float8, float8, jsonb) IS 'transition function of snips_value with options';
COMMENT ON FUNCTION ope_dr_trans(internal, float8, float8, float8, float8, float8) IS 'transition function of dr_value';
COMMENT ON FUNCTION ope_dr_trans(internal, float8, float8, float8, float8, float8, jsonb) IS 'transition function of dr_value with options';
COMMENT ON FUNCTION ope_overlap_trans(internal, float8, float8) IS 'transition function of ope_overlap';
COMMENT ON FUNCTION ope_overlap_trans(internal, float8, float8, jsonb) IS 'transition function of ope_overlap with options';

CREATE FUNCTION ope_ips_final(internal) RETURNS uplift_estimate
AS 'MODULE_PATHNAME', 'ope_ips_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION ope_snips_final(internal) RETURNS uplift_estimate
AS 'MODULE_PATHNAME', 'ope_snips_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION ope_dr_final(internal) RETURNS uplift_estimate
AS 'MODULE_PATHNAME', 'ope_dr_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION ope_overlap_final(internal) RETURNS uplift_overlap
AS 'MODULE_PATHNAME', 'ope_overlap_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION ope_ips_final(internal) IS 'final function of ips_value';
COMMENT ON FUNCTION ope_snips_final(internal) IS 'final function of snips_value';
COMMENT ON FUNCTION ope_dr_final(internal) IS 'final function of dr_value';
COMMENT ON FUNCTION ope_overlap_final(internal) IS 'final function of ope_overlap';

-- The aggregates.  The final functions only sort the rows kept for the
-- bootstrap, which does not change what the state means, so READ_ONLY holds.

CREATE AGGREGATE ips_value(reward float8, logged_propensity float8, target_propensity float8) (
    SFUNC = ope_ips_trans, STYPE = internal, FINALFUNC = ope_ips_final,
    FINALFUNC_MODIFY = READ_ONLY, COMBINEFUNC = ope_combine,
    SERIALFUNC = ope_serialize, DESERIALFUNC = ope_deserialize, PARALLEL = SAFE);
CREATE AGGREGATE ips_value(reward float8, logged_propensity float8, target_propensity float8,
                           options jsonb) (
    SFUNC = ope_ips_trans, STYPE = internal, FINALFUNC = ope_ips_final,
    FINALFUNC_MODIFY = READ_ONLY, COMBINEFUNC = ope_combine,
    SERIALFUNC = ope_serialize, DESERIALFUNC = ope_deserialize, PARALLEL = SAFE);

CREATE AGGREGATE snips_value(reward float8, logged_propensity float8, target_propensity float8) (
    SFUNC = ope_snips_trans, STYPE = internal, FINALFUNC = ope_snips_final,
    FINALFUNC_MODIFY = READ_ONLY, COMBINEFUNC = ope_combine,
    SERIALFUNC = ope_serialize, DESERIALFUNC = ope_deserialize, PARALLEL = SAFE);
CREATE AGGREGATE snips_value(reward float8, logged_propensity float8, target_propensity float8,
                             options jsonb) (
    SFUNC = ope_snips_trans, STYPE = internal, FINALFUNC = ope_snips_final,
    FINALFUNC_MODIFY = READ_ONLY, COMBINEFUNC = ope_combine,
    SERIALFUNC = ope_serialize, DESERIALFUNC = ope_deserialize, PARALLEL = SAFE);

CREATE AGGREGATE dr_value(reward float8, logged_propensity float8, target_propensity float8,
                          q_logged float8, q_target float8) (
    SFUNC = ope_dr_trans, STYPE = internal, FINALFUNC = ope_dr_final,
    FINALFUNC_MODIFY = READ_ONLY, COMBINEFUNC = ope_combine,
    SERIALFUNC = ope_serialize, DESERIALFUNC = ope_deserialize, PARALLEL = SAFE);
CREATE AGGREGATE dr_value(reward float8, logged_propensity float8, target_propensity float8,
                          q_logged float8, q_target float8, options jsonb) (
    SFUNC = ope_dr_trans, STYPE = internal, FINALFUNC = ope_dr_final,
    FINALFUNC_MODIFY = READ_ONLY, COMBINEFUNC = ope_combine,
    SERIALFUNC = ope_serialize, DESERIALFUNC = ope_deserialize, PARALLEL = SAFE);

CREATE AGGREGATE ope_overlap(logged_propensity float8, target_propensity float8) (
    SFUNC = ope_overlap_trans, STYPE = internal, FINALFUNC = ope_overlap_final,
    FINALFUNC_MODIFY = READ_ONLY, COMBINEFUNC = ope_combine,
    SERIALFUNC = ope_serialize, DESERIALFUNC = ope_deserialize, PARALLEL = SAFE);
CREATE AGGREGATE ope_overlap(logged_propensity float8, target_propensity float8, options jsonb) (
    SFUNC = ope_overlap_trans, STYPE = internal, FINALFUNC = ope_overlap_final,
    FINALFUNC_MODIFY = READ_ONLY, COMBINEFUNC = ope_combine,
    SERIALFUNC = ope_serialize, DESERIALFUNC = ope_deserialize, PARALLEL = SAFE);

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
AS 'MODULE_PATHNAME', 'ope_normal_quantile_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION ope_normal_quantile(float8) IS
'standard normal quantile (Wichura AS 241), the z of the normal intervals';

CREATE FUNCTION ope_expected_value(outcomes float8[], probs float8[]) RETURNS float8
AS 'MODULE_PATHNAME', 'ope_expected_value_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION ope_expected_value(float8[], float8[]) IS
'sum of probs[a] * outcomes[a]: a row''s value under a stochastic policy (q_target of dr_value)';
