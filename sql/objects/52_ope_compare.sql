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

-- The aggregates' state: a concrete type (not internal), so that a
-- scale-out engine such as Citus computes partial states on its shards and
-- combines them on the coordinator (doc/citus.md).  Its text and binary
-- forms are a portable, versioned format, validated on input.

CREATE TYPE uplift_ope_compare_state;

CREATE FUNCTION uplift_ope_compare_state_in(cstring) RETURNS uplift_ope_compare_state
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION uplift_ope_compare_state_out(uplift_ope_compare_state) RETURNS cstring
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION uplift_ope_compare_state_recv(internal) RETURNS uplift_ope_compare_state
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION uplift_ope_compare_state_send(uplift_ope_compare_state) RETURNS bytea
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE uplift_ope_compare_state (
    INPUT = uplift_ope_compare_state_in,
    OUTPUT = uplift_ope_compare_state_out,
    RECEIVE = uplift_ope_compare_state_recv,
    SEND = uplift_ope_compare_state_send,
    INTERNALLENGTH = VARIABLE,
    ALIGNMENT = double,
    STORAGE = extended
);

COMMENT ON TYPE uplift_ope_compare_state IS
'partial state of ips_diff, snips_diff, dr_diff, sndr_value, switch_dr_value, uplift_ate and ope_allocation: per group of rows, counts and compensated sums of a few per-row terms and their products';

-- Not STRICT: a NULL side is the state of a part without rows.
CREATE FUNCTION ope_compare_combinefn(uplift_ope_compare_state, uplift_ope_compare_state)
RETURNS uplift_ope_compare_state
AS 'MODULE_PATHNAME', 'ope_compare_combinefn' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION ope_compare_combinefn(uplift_ope_compare_state, uplift_ope_compare_state) IS
'combine function of the paired off-policy aggregates';

-- Transition functions: not STRICT, because a NULL input is an error.

CREATE FUNCTION ips_diff_transfn(uplift_ope_compare_state, float8, float8, float8, float8) RETURNS uplift_ope_compare_state
AS 'MODULE_PATHNAME', 'ips_diff_transfn' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION ips_diff_transfn(uplift_ope_compare_state, float8, float8, float8, float8, jsonb) RETURNS uplift_ope_compare_state
AS 'MODULE_PATHNAME', 'ips_diff_transfn' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION snips_diff_transfn(uplift_ope_compare_state, float8, float8, float8, float8) RETURNS uplift_ope_compare_state
AS 'MODULE_PATHNAME', 'snips_diff_transfn' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION snips_diff_transfn(uplift_ope_compare_state, float8, float8, float8, float8, jsonb) RETURNS uplift_ope_compare_state
AS 'MODULE_PATHNAME', 'snips_diff_transfn' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION dr_diff_transfn(uplift_ope_compare_state, float8, float8, float8, float8, float8, float8, float8) RETURNS uplift_ope_compare_state
AS 'MODULE_PATHNAME', 'dr_diff_transfn' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION dr_diff_transfn(uplift_ope_compare_state, float8, float8, float8, float8, float8, float8, float8, jsonb) RETURNS uplift_ope_compare_state
AS 'MODULE_PATHNAME', 'dr_diff_transfn' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION sndr_value_transfn(uplift_ope_compare_state, float8, float8, float8, float8, float8) RETURNS uplift_ope_compare_state
AS 'MODULE_PATHNAME', 'sndr_value_transfn' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION sndr_value_transfn(uplift_ope_compare_state, float8, float8, float8, float8, float8, jsonb) RETURNS uplift_ope_compare_state
AS 'MODULE_PATHNAME', 'sndr_value_transfn' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION switch_dr_value_transfn(uplift_ope_compare_state, float8, float8, float8, float8, float8) RETURNS uplift_ope_compare_state
AS 'MODULE_PATHNAME', 'switch_dr_value_transfn' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION switch_dr_value_transfn(uplift_ope_compare_state, float8, float8, float8, float8, float8, jsonb) RETURNS uplift_ope_compare_state
AS 'MODULE_PATHNAME', 'switch_dr_value_transfn' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION uplift_ate_transfn(uplift_ope_compare_state, int, float8) RETURNS uplift_ope_compare_state
AS 'MODULE_PATHNAME', 'uplift_ate_transfn' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION uplift_ate_transfn(uplift_ope_compare_state, int, float8, jsonb) RETURNS uplift_ope_compare_state
AS 'MODULE_PATHNAME', 'uplift_ate_transfn' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION ope_allocation_transfn(uplift_ope_compare_state, int, float8, int, float8, float8, jsonb) RETURNS uplift_ope_compare_state
AS 'MODULE_PATHNAME', 'ope_allocation_transfn' LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION ips_diff_transfn(uplift_ope_compare_state, float8, float8, float8, float8) IS 'transition function of ips_diff';
COMMENT ON FUNCTION ips_diff_transfn(uplift_ope_compare_state, float8, float8, float8, float8, jsonb) IS 'transition function of ips_diff with options';
COMMENT ON FUNCTION snips_diff_transfn(uplift_ope_compare_state, float8, float8, float8, float8) IS 'transition function of snips_diff';
COMMENT ON FUNCTION snips_diff_transfn(uplift_ope_compare_state, float8, float8, float8, float8, jsonb) IS 'transition function of snips_diff with options';
COMMENT ON FUNCTION dr_diff_transfn(uplift_ope_compare_state, float8, float8, float8, float8, float8, float8, float8) IS 'transition function of dr_diff';
COMMENT ON FUNCTION dr_diff_transfn(uplift_ope_compare_state, float8, float8, float8, float8, float8, float8, float8, jsonb) IS 'transition function of dr_diff with options';
COMMENT ON FUNCTION sndr_value_transfn(uplift_ope_compare_state, float8, float8, float8, float8, float8) IS 'transition function of sndr_value';
COMMENT ON FUNCTION sndr_value_transfn(uplift_ope_compare_state, float8, float8, float8, float8, float8, jsonb) IS 'transition function of sndr_value with options';
COMMENT ON FUNCTION switch_dr_value_transfn(uplift_ope_compare_state, float8, float8, float8, float8, float8) IS 'transition function of switch_dr_value';
COMMENT ON FUNCTION switch_dr_value_transfn(uplift_ope_compare_state, float8, float8, float8, float8, float8, jsonb) IS 'transition function of switch_dr_value with options';
COMMENT ON FUNCTION uplift_ate_transfn(uplift_ope_compare_state, int, float8) IS 'transition function of uplift_ate';
COMMENT ON FUNCTION uplift_ate_transfn(uplift_ope_compare_state, int, float8, jsonb) IS 'transition function of uplift_ate with options';
COMMENT ON FUNCTION ope_allocation_transfn(uplift_ope_compare_state, int, float8, int, float8, float8, jsonb) IS 'transition function of ope_allocation';

CREATE FUNCTION ips_diff_finalfn(uplift_ope_compare_state) RETURNS uplift_estimate
AS 'MODULE_PATHNAME', 'ips_diff_finalfn' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION snips_diff_finalfn(uplift_ope_compare_state) RETURNS uplift_estimate
AS 'MODULE_PATHNAME', 'snips_diff_finalfn' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION dr_diff_finalfn(uplift_ope_compare_state) RETURNS uplift_estimate
AS 'MODULE_PATHNAME', 'dr_diff_finalfn' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION sndr_value_finalfn(uplift_ope_compare_state) RETURNS uplift_estimate
AS 'MODULE_PATHNAME', 'sndr_value_finalfn' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION switch_dr_value_finalfn(uplift_ope_compare_state) RETURNS uplift_estimate
AS 'MODULE_PATHNAME', 'switch_dr_value_finalfn' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION uplift_ate_finalfn(uplift_ope_compare_state) RETURNS uplift_estimate[]
AS 'MODULE_PATHNAME', 'uplift_ate_finalfn' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION ope_allocation_finalfn(uplift_ope_compare_state) RETURNS uplift_policy_comparison[]
AS 'MODULE_PATHNAME', 'ope_allocation_finalfn' LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION ips_diff_finalfn(uplift_ope_compare_state) IS 'final function of ips_diff';
COMMENT ON FUNCTION snips_diff_finalfn(uplift_ope_compare_state) IS 'final function of snips_diff';
COMMENT ON FUNCTION dr_diff_finalfn(uplift_ope_compare_state) IS 'final function of dr_diff';
COMMENT ON FUNCTION sndr_value_finalfn(uplift_ope_compare_state) IS 'final function of sndr_value';
COMMENT ON FUNCTION switch_dr_value_finalfn(uplift_ope_compare_state) IS 'final function of switch_dr_value';
COMMENT ON FUNCTION uplift_ate_finalfn(uplift_ope_compare_state) IS 'final function of uplift_ate';
COMMENT ON FUNCTION ope_allocation_finalfn(uplift_ope_compare_state) IS 'final function of ope_allocation';

-- The aggregates.  The final functions only read the state.

CREATE AGGREGATE ips_diff(reward float8, logged_propensity float8, target_propensity float8,
                          baseline_propensity float8) (
    SFUNC = ips_diff_transfn, STYPE = uplift_ope_compare_state, FINALFUNC = ips_diff_finalfn,
    FINALFUNC_MODIFY = READ_ONLY, COMBINEFUNC = ope_compare_combinefn, PARALLEL = SAFE);
CREATE AGGREGATE ips_diff(reward float8, logged_propensity float8, target_propensity float8,
                          baseline_propensity float8, options jsonb) (
    SFUNC = ips_diff_transfn, STYPE = uplift_ope_compare_state, FINALFUNC = ips_diff_finalfn,
    FINALFUNC_MODIFY = READ_ONLY, COMBINEFUNC = ope_compare_combinefn, PARALLEL = SAFE);

CREATE AGGREGATE snips_diff(reward float8, logged_propensity float8, target_propensity float8,
                            baseline_propensity float8) (
    SFUNC = snips_diff_transfn, STYPE = uplift_ope_compare_state, FINALFUNC = snips_diff_finalfn,
    FINALFUNC_MODIFY = READ_ONLY, COMBINEFUNC = ope_compare_combinefn, PARALLEL = SAFE);
CREATE AGGREGATE snips_diff(reward float8, logged_propensity float8, target_propensity float8,
                            baseline_propensity float8, options jsonb) (
    SFUNC = snips_diff_transfn, STYPE = uplift_ope_compare_state, FINALFUNC = snips_diff_finalfn,
    FINALFUNC_MODIFY = READ_ONLY, COMBINEFUNC = ope_compare_combinefn, PARALLEL = SAFE);

CREATE AGGREGATE dr_diff(reward float8, logged_propensity float8, target_propensity float8,
                         baseline_propensity float8, q_logged float8, q_target float8,
                         q_baseline float8) (
    SFUNC = dr_diff_transfn, STYPE = uplift_ope_compare_state, FINALFUNC = dr_diff_finalfn,
    FINALFUNC_MODIFY = READ_ONLY, COMBINEFUNC = ope_compare_combinefn, PARALLEL = SAFE);
CREATE AGGREGATE dr_diff(reward float8, logged_propensity float8, target_propensity float8,
                         baseline_propensity float8, q_logged float8, q_target float8,
                         q_baseline float8, options jsonb) (
    SFUNC = dr_diff_transfn, STYPE = uplift_ope_compare_state, FINALFUNC = dr_diff_finalfn,
    FINALFUNC_MODIFY = READ_ONLY, COMBINEFUNC = ope_compare_combinefn, PARALLEL = SAFE);

CREATE AGGREGATE sndr_value(reward float8, logged_propensity float8, target_propensity float8,
                            q_logged float8, q_target float8) (
    SFUNC = sndr_value_transfn, STYPE = uplift_ope_compare_state, FINALFUNC = sndr_value_finalfn,
    FINALFUNC_MODIFY = READ_ONLY, COMBINEFUNC = ope_compare_combinefn, PARALLEL = SAFE);
CREATE AGGREGATE sndr_value(reward float8, logged_propensity float8, target_propensity float8,
                            q_logged float8, q_target float8, options jsonb) (
    SFUNC = sndr_value_transfn, STYPE = uplift_ope_compare_state, FINALFUNC = sndr_value_finalfn,
    FINALFUNC_MODIFY = READ_ONLY, COMBINEFUNC = ope_compare_combinefn, PARALLEL = SAFE);

CREATE AGGREGATE switch_dr_value(reward float8, logged_propensity float8, target_propensity float8,
                                 q_logged float8, q_target float8) (
    SFUNC = switch_dr_value_transfn, STYPE = uplift_ope_compare_state, FINALFUNC = switch_dr_value_finalfn,
    FINALFUNC_MODIFY = READ_ONLY, COMBINEFUNC = ope_compare_combinefn, PARALLEL = SAFE);
CREATE AGGREGATE switch_dr_value(reward float8, logged_propensity float8, target_propensity float8,
                                 q_logged float8, q_target float8, options jsonb) (
    SFUNC = switch_dr_value_transfn, STYPE = uplift_ope_compare_state, FINALFUNC = switch_dr_value_finalfn,
    FINALFUNC_MODIFY = READ_ONLY, COMBINEFUNC = ope_compare_combinefn, PARALLEL = SAFE);

CREATE AGGREGATE uplift_ate(action int, outcome float8) (
    SFUNC = uplift_ate_transfn, STYPE = uplift_ope_compare_state, FINALFUNC = uplift_ate_finalfn,
    FINALFUNC_MODIFY = READ_ONLY, COMBINEFUNC = ope_compare_combinefn, PARALLEL = SAFE);
CREATE AGGREGATE uplift_ate(action int, outcome float8, options jsonb) (
    SFUNC = uplift_ate_transfn, STYPE = uplift_ope_compare_state, FINALFUNC = uplift_ate_finalfn,
    FINALFUNC_MODIFY = READ_ONLY, COMBINEFUNC = ope_compare_combinefn, PARALLEL = SAFE);

CREATE AGGREGATE ope_allocation(action int, logged_propensity float8, chosen_action int,
                                value float8, cost float8, options jsonb) (
    SFUNC = ope_allocation_transfn, STYPE = uplift_ope_compare_state, FINALFUNC = ope_allocation_finalfn,
    FINALFUNC_MODIFY = READ_ONLY, COMBINEFUNC = ope_compare_combinefn, PARALLEL = SAFE);

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
