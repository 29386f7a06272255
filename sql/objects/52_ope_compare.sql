-- Paired off-policy estimators (src/ope_compare.c, src/ope_compare_estimators.c,
-- doc/off-policy.md, doc/evaluation.md): one policy against another on the
-- same log, SNDR and switch-DR, the average effect per action of a
-- randomized log, and an allocation as deployed against a baseline.

CREATE TYPE uplift_policy_comparison AS (
    outcome    text,
    policy     float8,
    baseline   float8,
    difference float8,
    std_error  float8,
    ci_low     float8,
    ci_high    float8,
    n          bigint
);

COMMENT ON TYPE uplift_policy_comparison IS
'a deployed policy against a baseline for one outcome: both estimated means per row, their difference with its paired standard error and interval';

CREATE FUNCTION ope_compare_combine(internal, internal) RETURNS internal
AS 'MODULE_PATHNAME', 'ope_compare_combine' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION ope_compare_combine(internal, internal) IS
'combine function of the paired off-policy aggregates';

CREATE FUNCTION ope_compare_serialize(internal) RETURNS bytea
AS 'MODULE_PATHNAME', 'ope_compare_serialize' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION ope_compare_serialize(internal) IS
'serialization function of the paired off-policy aggregates';

CREATE FUNCTION ope_compare_deserialize(bytea, internal) RETURNS internal
AS 'MODULE_PATHNAME', 'ope_compare_deserialize' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION ope_compare_deserialize(bytea, internal) IS
'deserialization function of the paired off-policy aggregates';

-- Transition functions: not STRICT, because a NULL input is an error.

CREATE FUNCTION ope_ips_diff_trans(internal, float8, float8, float8, float8) RETURNS internal
AS 'MODULE_PATHNAME', 'ope_ips_diff_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION ope_ips_diff_trans(internal, float8, float8, float8, float8, jsonb) RETURNS internal
AS 'MODULE_PATHNAME', 'ope_ips_diff_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION ope_snips_diff_trans(internal, float8, float8, float8, float8) RETURNS internal
AS 'MODULE_PATHNAME', 'ope_snips_diff_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION ope_snips_diff_trans(internal, float8, float8, float8, float8, jsonb) RETURNS internal
AS 'MODULE_PATHNAME', 'ope_snips_diff_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION ope_dr_diff_trans(internal, float8, float8, float8, float8, float8, float8, float8) RETURNS internal
AS 'MODULE_PATHNAME', 'ope_dr_diff_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION ope_dr_diff_trans(internal, float8, float8, float8, float8, float8, float8, float8, jsonb) RETURNS internal
AS 'MODULE_PATHNAME', 'ope_dr_diff_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION ope_sndr_trans(internal, float8, float8, float8, float8, float8) RETURNS internal
AS 'MODULE_PATHNAME', 'ope_sndr_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION ope_sndr_trans(internal, float8, float8, float8, float8, float8, jsonb) RETURNS internal
AS 'MODULE_PATHNAME', 'ope_sndr_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION ope_switch_dr_trans(internal, float8, float8, float8, float8, float8) RETURNS internal
AS 'MODULE_PATHNAME', 'ope_switch_dr_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION ope_switch_dr_trans(internal, float8, float8, float8, float8, float8, jsonb) RETURNS internal
AS 'MODULE_PATHNAME', 'ope_switch_dr_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION uplift_ate_trans(internal, int, float8) RETURNS internal
AS 'MODULE_PATHNAME', 'uplift_ate_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION uplift_ate_trans(internal, int, float8, jsonb) RETURNS internal
AS 'MODULE_PATHNAME', 'uplift_ate_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION ope_allocation_trans(internal, int, float8, int, float8, float8, jsonb) RETURNS internal
AS 'MODULE_PATHNAME', 'ope_allocation_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION ope_ips_diff_trans(internal, float8, float8, float8, float8) IS 'transition function of ips_diff';
COMMENT ON FUNCTION ope_ips_diff_trans(internal, float8, float8, float8, float8, jsonb) IS 'transition function of ips_diff with options';
COMMENT ON FUNCTION ope_snips_diff_trans(internal, float8, float8, float8, float8) IS 'transition function of snips_diff';
COMMENT ON FUNCTION ope_snips_diff_trans(internal, float8, float8, float8, float8, jsonb) IS 'transition function of snips_diff with options';
COMMENT ON FUNCTION ope_dr_diff_trans(internal, float8, float8, float8, float8, float8, float8, float8) IS 'transition function of dr_diff';
COMMENT ON FUNCTION ope_dr_diff_trans(internal, float8, float8, float8, float8, float8, float8, float8, jsonb) IS 'transition function of dr_diff with options';
COMMENT ON FUNCTION ope_sndr_trans(internal, float8, float8, float8, float8, float8) IS 'transition function of sndr_value';
COMMENT ON FUNCTION ope_sndr_trans(internal, float8, float8, float8, float8, float8, jsonb) IS 'transition function of sndr_value with options';
COMMENT ON FUNCTION ope_switch_dr_trans(internal, float8, float8, float8, float8, float8) IS 'transition function of switch_dr_value';
COMMENT ON FUNCTION ope_switch_dr_trans(internal, float8, float8, float8, float8, float8, jsonb) IS 'transition function of switch_dr_value with options';
COMMENT ON FUNCTION uplift_ate_trans(internal, int, float8) IS 'transition function of uplift_ate';
COMMENT ON FUNCTION uplift_ate_trans(internal, int, float8, jsonb) IS 'transition function of uplift_ate with options';
COMMENT ON FUNCTION ope_allocation_trans(internal, int, float8, int, float8, float8, jsonb) IS 'transition function of ope_allocation';

CREATE FUNCTION ope_ips_diff_final(internal) RETURNS uplift_estimate
AS 'MODULE_PATHNAME', 'ope_ips_diff_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION ope_snips_diff_final(internal) RETURNS uplift_estimate
AS 'MODULE_PATHNAME', 'ope_snips_diff_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION ope_dr_diff_final(internal) RETURNS uplift_estimate
AS 'MODULE_PATHNAME', 'ope_dr_diff_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION ope_sndr_final(internal) RETURNS uplift_estimate
AS 'MODULE_PATHNAME', 'ope_sndr_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION ope_switch_dr_final(internal) RETURNS uplift_estimate
AS 'MODULE_PATHNAME', 'ope_switch_dr_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION uplift_ate_final(internal) RETURNS uplift_estimate[]
AS 'MODULE_PATHNAME', 'uplift_ate_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION ope_allocation_final(internal) RETURNS uplift_policy_comparison[]
AS 'MODULE_PATHNAME', 'ope_allocation_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION ope_ips_diff_final(internal) IS 'final function of ips_diff';
COMMENT ON FUNCTION ope_snips_diff_final(internal) IS 'final function of snips_diff';
COMMENT ON FUNCTION ope_dr_diff_final(internal) IS 'final function of dr_diff';
COMMENT ON FUNCTION ope_sndr_final(internal) IS 'final function of sndr_value';
COMMENT ON FUNCTION ope_switch_dr_final(internal) IS 'final function of switch_dr_value';
COMMENT ON FUNCTION uplift_ate_final(internal) IS 'final function of uplift_ate';
COMMENT ON FUNCTION ope_allocation_final(internal) IS 'final function of ope_allocation';

-- The aggregates.  The final functions only read the state.

CREATE AGGREGATE ips_diff(reward float8, logged_propensity float8, target_propensity float8,
                          baseline_propensity float8) (
    SFUNC = ope_ips_diff_trans, STYPE = internal, FINALFUNC = ope_ips_diff_final,
    FINALFUNC_MODIFY = READ_ONLY, COMBINEFUNC = ope_compare_combine,
    SERIALFUNC = ope_compare_serialize, DESERIALFUNC = ope_compare_deserialize, PARALLEL = SAFE);
CREATE AGGREGATE ips_diff(reward float8, logged_propensity float8, target_propensity float8,
                          baseline_propensity float8, options jsonb) (
    SFUNC = ope_ips_diff_trans, STYPE = internal, FINALFUNC = ope_ips_diff_final,
    FINALFUNC_MODIFY = READ_ONLY, COMBINEFUNC = ope_compare_combine,
    SERIALFUNC = ope_compare_serialize, DESERIALFUNC = ope_compare_deserialize, PARALLEL = SAFE);

CREATE AGGREGATE snips_diff(reward float8, logged_propensity float8, target_propensity float8,
                            baseline_propensity float8) (
    SFUNC = ope_snips_diff_trans, STYPE = internal, FINALFUNC = ope_snips_diff_final,
    FINALFUNC_MODIFY = READ_ONLY, COMBINEFUNC = ope_compare_combine,
    SERIALFUNC = ope_compare_serialize, DESERIALFUNC = ope_compare_deserialize, PARALLEL = SAFE);
CREATE AGGREGATE snips_diff(reward float8, logged_propensity float8, target_propensity float8,
                            baseline_propensity float8, options jsonb) (
    SFUNC = ope_snips_diff_trans, STYPE = internal, FINALFUNC = ope_snips_diff_final,
    FINALFUNC_MODIFY = READ_ONLY, COMBINEFUNC = ope_compare_combine,
    SERIALFUNC = ope_compare_serialize, DESERIALFUNC = ope_compare_deserialize, PARALLEL = SAFE);

CREATE AGGREGATE dr_diff(reward float8, logged_propensity float8, target_propensity float8,
                         baseline_propensity float8, q_logged float8, q_target float8,
                         q_baseline float8) (
    SFUNC = ope_dr_diff_trans, STYPE = internal, FINALFUNC = ope_dr_diff_final,
    FINALFUNC_MODIFY = READ_ONLY, COMBINEFUNC = ope_compare_combine,
    SERIALFUNC = ope_compare_serialize, DESERIALFUNC = ope_compare_deserialize, PARALLEL = SAFE);
CREATE AGGREGATE dr_diff(reward float8, logged_propensity float8, target_propensity float8,
                         baseline_propensity float8, q_logged float8, q_target float8,
                         q_baseline float8, options jsonb) (
    SFUNC = ope_dr_diff_trans, STYPE = internal, FINALFUNC = ope_dr_diff_final,
    FINALFUNC_MODIFY = READ_ONLY, COMBINEFUNC = ope_compare_combine,
    SERIALFUNC = ope_compare_serialize, DESERIALFUNC = ope_compare_deserialize, PARALLEL = SAFE);

CREATE AGGREGATE sndr_value(reward float8, logged_propensity float8, target_propensity float8,
                            q_logged float8, q_target float8) (
    SFUNC = ope_sndr_trans, STYPE = internal, FINALFUNC = ope_sndr_final,
    FINALFUNC_MODIFY = READ_ONLY, COMBINEFUNC = ope_compare_combine,
    SERIALFUNC = ope_compare_serialize, DESERIALFUNC = ope_compare_deserialize, PARALLEL = SAFE);
CREATE AGGREGATE sndr_value(reward float8, logged_propensity float8, target_propensity float8,
                            q_logged float8, q_target float8, options jsonb) (
    SFUNC = ope_sndr_trans, STYPE = internal, FINALFUNC = ope_sndr_final,
    FINALFUNC_MODIFY = READ_ONLY, COMBINEFUNC = ope_compare_combine,
    SERIALFUNC = ope_compare_serialize, DESERIALFUNC = ope_compare_deserialize, PARALLEL = SAFE);

CREATE AGGREGATE switch_dr_value(reward float8, logged_propensity float8, target_propensity float8,
                                 q_logged float8, q_target float8) (
    SFUNC = ope_switch_dr_trans, STYPE = internal, FINALFUNC = ope_switch_dr_final,
    FINALFUNC_MODIFY = READ_ONLY, COMBINEFUNC = ope_compare_combine,
    SERIALFUNC = ope_compare_serialize, DESERIALFUNC = ope_compare_deserialize, PARALLEL = SAFE);
CREATE AGGREGATE switch_dr_value(reward float8, logged_propensity float8, target_propensity float8,
                                 q_logged float8, q_target float8, options jsonb) (
    SFUNC = ope_switch_dr_trans, STYPE = internal, FINALFUNC = ope_switch_dr_final,
    FINALFUNC_MODIFY = READ_ONLY, COMBINEFUNC = ope_compare_combine,
    SERIALFUNC = ope_compare_serialize, DESERIALFUNC = ope_compare_deserialize, PARALLEL = SAFE);

CREATE AGGREGATE uplift_ate(action int, outcome float8) (
    SFUNC = uplift_ate_trans, STYPE = internal, FINALFUNC = uplift_ate_final,
    FINALFUNC_MODIFY = READ_ONLY, COMBINEFUNC = ope_compare_combine,
    SERIALFUNC = ope_compare_serialize, DESERIALFUNC = ope_compare_deserialize, PARALLEL = SAFE);
CREATE AGGREGATE uplift_ate(action int, outcome float8, options jsonb) (
    SFUNC = uplift_ate_trans, STYPE = internal, FINALFUNC = uplift_ate_final,
    FINALFUNC_MODIFY = READ_ONLY, COMBINEFUNC = ope_compare_combine,
    SERIALFUNC = ope_compare_serialize, DESERIALFUNC = ope_compare_deserialize, PARALLEL = SAFE);

CREATE AGGREGATE ope_allocation(action int, logged_propensity float8, chosen_action int,
                                value float8, cost float8, options jsonb) (
    SFUNC = ope_allocation_trans, STYPE = internal, FINALFUNC = ope_allocation_final,
    FINALFUNC_MODIFY = READ_ONLY, COMBINEFUNC = ope_compare_combine,
    SERIALFUNC = ope_compare_serialize, DESERIALFUNC = ope_compare_deserialize, PARALLEL = SAFE);

COMMENT ON AGGREGATE ips_diff(float8, float8, float8, float8) IS
'inverse propensity scoring estimate of the value of a target policy minus that of a baseline policy on the same log, with a paired 95% interval';
COMMENT ON AGGREGATE ips_diff(float8, float8, float8, float8, jsonb) IS
'paired IPS difference of two policies with options alpha, clip';
COMMENT ON AGGREGATE snips_diff(float8, float8, float8, float8) IS
'self-normalized IPS estimate of a target policy''s value minus a baseline policy''s, with a paired delta-method 95% interval';
COMMENT ON AGGREGATE snips_diff(float8, float8, float8, float8, jsonb) IS
'paired SNIPS difference of two policies with options alpha, clip';
COMMENT ON AGGREGATE dr_diff(float8, float8, float8, float8, float8, float8, float8) IS
'doubly robust estimate of a target policy''s value minus a baseline policy''s, with a paired 95% interval';
COMMENT ON AGGREGATE dr_diff(float8, float8, float8, float8, float8, float8, float8, jsonb) IS
'paired DR difference of two policies with options alpha, clip';
COMMENT ON AGGREGATE sndr_value(float8, float8, float8, float8, float8) IS
'self-normalized doubly robust estimate of a target policy''s value (Open Bandit Pipeline SelfNormalizedDoublyRobust), with a 95% delta-method interval';
COMMENT ON AGGREGATE sndr_value(float8, float8, float8, float8, float8, jsonb) IS
'self-normalized doubly robust estimate with options alpha, clip';
COMMENT ON AGGREGATE switch_dr_value(float8, float8, float8, float8, float8) IS
'switch doubly robust estimate of a target policy''s value (Open Bandit Pipeline SwitchDoublyRobust), with a 95% normal interval';
COMMENT ON AGGREGATE switch_dr_value(float8, float8, float8, float8, float8, jsonb) IS
'switch doubly robust estimate with options tau (the weight threshold), alpha';
COMMENT ON AGGREGATE uplift_ate(int, float8) IS
'average effect of each action 1..K against control 0 in a randomized log: difference in means with the Neyman standard error (element a for action a)';
COMMENT ON AGGREGATE uplift_ate(int, float8, jsonb) IS
'average effect of each action against control with option alpha';
COMMENT ON AGGREGATE ope_allocation(int, float8, int, float8, float8, jsonb) IS
'value and cost of a deployed allocation (chosen action per unit, with exploration) against a baseline, estimated on a log, with paired intervals';
