
-- Evaluation of uplift scores on a holdout (src/metrics.c, src/metrics_sql.c,
-- doc/evaluation.md): Qini, AUUC and uplift at k as in scikit-uplift, curves,
-- percentile tables, calibration and the net-value view.

CREATE TYPE uplift_curve_point AS (
    curve text,         -- qini, uplift, random_qini, random_uplift, perfect_qini, perfect_uplift
    point int,          -- 0, 1, ... along the curve
    x float8,           -- rows targeted (highest scores first)
    share float8,       -- x / rows
    y float8            -- curve value
);

COMMENT ON TYPE uplift_curve_point IS
'one point of an uplift evaluation curve (uplift_curve)';

CREATE TYPE uplift_percentile_bin AS (
    bin int,                        -- 1 = highest scores; NULL on the total row
    percentile text,                -- '0-10', '10-20', ... or 'total'
    n_treatment float8,
    n_control float8,
    response_rate_treatment float8,
    response_rate_control float8,
    uplift float8,
    std_treatment float8,
    std_control float8,
    std_uplift float8,
    ci_low float8,                  -- uplift -/+ 1.96 std_uplift
    ci_high float8,
    mean_score float8               -- mean predicted uplift in the bin
);

COMMENT ON TYPE uplift_percentile_bin IS
'one bin of uplift_by_percentile: counts, response rates, observed and predicted uplift';

CREATE TYPE uplift_calibration_summary AS (
    bins int,
    calibration_error float8,       -- row-weighted mean |mean_score - uplift| over bins
    max_gap float8,                 -- largest |mean_score - uplift|
    bins_within_ci int,             -- bins whose 95% interval holds mean_score
    kendall_tau float8,             -- tau-b of bin order and observed uplift (1 = perfectly ordered)
    adjacent_inversions int         -- bins whose observed uplift exceeds the previous bin's
);

COMMENT ON TYPE uplift_calibration_summary IS
'calibration and rank-monotonicity figures of uplift scores (uplift_calibration)';

CREATE TYPE uplift_net_value_point AS (
    point int,
    x float8,                       -- rows targeted (highest scores first)
    share float8,
    n_treatment float8,
    n_control float8,
    value_treatment float8,         -- sums of the value outcome
    value_control float8,
    cost_treatment float8,          -- sums of the cost outcome
    cost_control float8,
    value_uplift float8,            -- mean value treated - mean value control
    incremental_value float8,
    incremental_cost float8,        -- includes the fixed cost
    net_value float8,
    best bool                       -- the depth with the highest net value
);

COMMENT ON TYPE uplift_net_value_point IS
'one depth of the net-value view (uplift_net_value)';

-- support functions

CREATE FUNCTION uplift_eval_transfn(internal, float8, int, float8)
RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION uplift_qini_auc_transfn(internal, float8, int, float8, jsonb)
RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION uplift_curve_transfn(internal, float8, int, float8, jsonb)
RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION uplift_at_k_transfn(internal, float8, int, float8, float8, text)
RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION uplift_by_percentile_transfn(internal, float8, int, float8, int, text)
RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION uplift_by_percentile_transfn(internal, float8, int, float8, int, text, jsonb)
RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION uplift_calibration_transfn(internal, float8, int, float8, int)
RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION uplift_net_value_transfn(internal, float8, int, float8, float8)
RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION uplift_net_value_transfn(internal, float8, int, float8, float8, jsonb)
RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION uplift_eval_combinefn(internal, internal)
RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION uplift_eval_serialfn(internal)
RETURNS bytea AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION uplift_eval_deserialfn(bytea, internal)
RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION uplift_qini_auc_finalfn(internal)
RETURNS float8 AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION uplift_auuc_finalfn(internal)
RETURNS float8 AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION uplift_at_k_finalfn(internal)
RETURNS float8 AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION uplift_curve_finalfn(internal)
RETURNS uplift_curve_point[] AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION uplift_by_percentile_finalfn(internal)
RETURNS uplift_percentile_bin[] AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION uplift_calibration_finalfn(internal)
RETURNS uplift_calibration_summary AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION uplift_net_value_finalfn(internal)
RETURNS uplift_net_value_point[] AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION uplift_eval_transfn(internal, float8, int, float8) IS 'transition function of the evaluation aggregates';
COMMENT ON FUNCTION uplift_qini_auc_transfn(internal, float8, int, float8, jsonb) IS 'transition function of uplift_qini_auc with options';
COMMENT ON FUNCTION uplift_curve_transfn(internal, float8, int, float8, jsonb) IS 'transition function of uplift_curve with options';
COMMENT ON FUNCTION uplift_at_k_transfn(internal, float8, int, float8, float8, text) IS 'transition function of uplift_at_k';
COMMENT ON FUNCTION uplift_by_percentile_transfn(internal, float8, int, float8, int, text) IS 'transition function of uplift_by_percentile';
COMMENT ON FUNCTION uplift_by_percentile_transfn(internal, float8, int, float8, int, text, jsonb) IS 'transition function of uplift_by_percentile with options';
COMMENT ON FUNCTION uplift_calibration_transfn(internal, float8, int, float8, int) IS 'transition function of uplift_calibration';
COMMENT ON FUNCTION uplift_net_value_transfn(internal, float8, int, float8, float8) IS 'transition function of uplift_net_value';
COMMENT ON FUNCTION uplift_net_value_transfn(internal, float8, int, float8, float8, jsonb) IS 'transition function of uplift_net_value with options';
COMMENT ON FUNCTION uplift_eval_combinefn(internal, internal) IS 'combine function of the evaluation aggregates';
COMMENT ON FUNCTION uplift_eval_serialfn(internal) IS 'serialize function of the evaluation aggregates';
COMMENT ON FUNCTION uplift_eval_deserialfn(bytea, internal) IS 'deserialize function of the evaluation aggregates';
COMMENT ON FUNCTION uplift_qini_auc_finalfn(internal) IS 'final function of uplift_qini_auc';
COMMENT ON FUNCTION uplift_auuc_finalfn(internal) IS 'final function of uplift_auuc';
COMMENT ON FUNCTION uplift_at_k_finalfn(internal) IS 'final function of uplift_at_k';
COMMENT ON FUNCTION uplift_curve_finalfn(internal) IS 'final function of uplift_curve';
COMMENT ON FUNCTION uplift_by_percentile_finalfn(internal) IS 'final function of uplift_by_percentile';
COMMENT ON FUNCTION uplift_calibration_finalfn(internal) IS 'final function of uplift_calibration';
COMMENT ON FUNCTION uplift_net_value_finalfn(internal) IS 'final function of uplift_net_value';

-- The final functions sort the state in place (and re-score it for the
-- perfect curves), hence FINALFUNC_MODIFY = READ_WRITE.

CREATE AGGREGATE uplift_qini_auc(score float8, treatment int, outcome float8) (
    SFUNC = uplift_eval_transfn, STYPE = internal,
    FINALFUNC = uplift_qini_auc_finalfn, FINALFUNC_MODIFY = READ_WRITE,
    COMBINEFUNC = uplift_eval_combinefn,
    SERIALFUNC = uplift_eval_serialfn, DESERIALFUNC = uplift_eval_deserialfn,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE uplift_qini_auc(float8, int, float8) IS
'normalised area under the Qini curve (scikit-uplift qini_auc_score)';

CREATE AGGREGATE uplift_qini_auc(score float8, treatment int, outcome float8, options jsonb) (
    SFUNC = uplift_qini_auc_transfn, STYPE = internal,
    FINALFUNC = uplift_qini_auc_finalfn, FINALFUNC_MODIFY = READ_WRITE,
    COMBINEFUNC = uplift_eval_combinefn,
    SERIALFUNC = uplift_eval_serialfn, DESERIALFUNC = uplift_eval_deserialfn,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE uplift_qini_auc(float8, int, float8, jsonb) IS
'normalised area under the Qini curve; options: negative_effect (default true)';

CREATE AGGREGATE uplift_auuc(score float8, treatment int, outcome float8) (
    SFUNC = uplift_eval_transfn, STYPE = internal,
    FINALFUNC = uplift_auuc_finalfn, FINALFUNC_MODIFY = READ_WRITE,
    COMBINEFUNC = uplift_eval_combinefn,
    SERIALFUNC = uplift_eval_serialfn, DESERIALFUNC = uplift_eval_deserialfn,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE uplift_auuc(float8, int, float8) IS
'normalised area under the uplift curve (scikit-uplift uplift_auc_score)';

CREATE AGGREGATE uplift_at_k(score float8, treatment int, outcome float8, k float8, strategy text) (
    SFUNC = uplift_at_k_transfn, STYPE = internal,
    FINALFUNC = uplift_at_k_finalfn, FINALFUNC_MODIFY = READ_WRITE,
    COMBINEFUNC = uplift_eval_combinefn,
    SERIALFUNC = uplift_eval_serialfn, DESERIALFUNC = uplift_eval_deserialfn,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE uplift_at_k(float8, int, float8, float8, text) IS
'treated minus control response rate in the top k of the scores (scikit-uplift uplift_at_k)';

CREATE AGGREGATE uplift_curve(score float8, treatment int, outcome float8) (
    SFUNC = uplift_eval_transfn, STYPE = internal,
    FINALFUNC = uplift_curve_finalfn, FINALFUNC_MODIFY = READ_WRITE,
    COMBINEFUNC = uplift_eval_combinefn,
    SERIALFUNC = uplift_eval_serialfn, DESERIALFUNC = uplift_eval_deserialfn,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE uplift_curve(float8, int, float8) IS
'points of the Qini, uplift, random and perfect curves';

CREATE AGGREGATE uplift_curve(score float8, treatment int, outcome float8, options jsonb) (
    SFUNC = uplift_curve_transfn, STYPE = internal,
    FINALFUNC = uplift_curve_finalfn, FINALFUNC_MODIFY = READ_WRITE,
    COMBINEFUNC = uplift_eval_combinefn,
    SERIALFUNC = uplift_eval_serialfn, DESERIALFUNC = uplift_eval_deserialfn,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE uplift_curve(float8, int, float8, jsonb) IS
'points of the Qini, uplift, random and perfect curves; options: points, negative_effect';

CREATE AGGREGATE uplift_by_percentile(score float8, treatment int, outcome float8, bins int, strategy text) (
    SFUNC = uplift_by_percentile_transfn, STYPE = internal,
    FINALFUNC = uplift_by_percentile_finalfn, FINALFUNC_MODIFY = READ_WRITE,
    COMBINEFUNC = uplift_eval_combinefn,
    SERIALFUNC = uplift_eval_serialfn, DESERIALFUNC = uplift_eval_deserialfn,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE uplift_by_percentile(float8, int, float8, int, text) IS
'per-bin counts, response rates and uplift (scikit-uplift uplift_by_percentile)';

CREATE AGGREGATE uplift_by_percentile(score float8, treatment int, outcome float8, bins int, strategy text, options jsonb) (
    SFUNC = uplift_by_percentile_transfn, STYPE = internal,
    FINALFUNC = uplift_by_percentile_finalfn, FINALFUNC_MODIFY = READ_WRITE,
    COMBINEFUNC = uplift_eval_combinefn,
    SERIALFUNC = uplift_eval_serialfn, DESERIALFUNC = uplift_eval_deserialfn,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE uplift_by_percentile(float8, int, float8, int, text, jsonb) IS
'per-bin counts, response rates and uplift; options: total';

CREATE AGGREGATE uplift_calibration(score float8, treatment int, outcome float8, bins int) (
    SFUNC = uplift_calibration_transfn, STYPE = internal,
    FINALFUNC = uplift_calibration_finalfn, FINALFUNC_MODIFY = READ_WRITE,
    COMBINEFUNC = uplift_eval_combinefn,
    SERIALFUNC = uplift_eval_serialfn, DESERIALFUNC = uplift_eval_deserialfn,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE uplift_calibration(float8, int, float8, int) IS
'calibration error and rank monotonicity of uplift scores over bins';

CREATE AGGREGATE uplift_net_value(score float8, treatment int, value float8, cost float8) (
    SFUNC = uplift_net_value_transfn, STYPE = internal,
    FINALFUNC = uplift_net_value_finalfn, FINALFUNC_MODIFY = READ_WRITE,
    COMBINEFUNC = uplift_eval_combinefn,
    SERIALFUNC = uplift_eval_serialfn, DESERIALFUNC = uplift_eval_deserialfn,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE uplift_net_value(float8, int, float8, float8) IS
'cumulative incremental value, cost and net value by targeting depth, and the best depth';

CREATE AGGREGATE uplift_net_value(score float8, treatment int, value float8, cost float8, options jsonb) (
    SFUNC = uplift_net_value_transfn, STYPE = internal,
    FINALFUNC = uplift_net_value_finalfn, FINALFUNC_MODIFY = READ_WRITE,
    COMBINEFUNC = uplift_eval_combinefn,
    SERIALFUNC = uplift_eval_serialfn, DESERIALFUNC = uplift_eval_deserialfn,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE uplift_net_value(float8, int, float8, float8, jsonb) IS
'net-value view; options: fixed_cost, scale (qini | uplift | none), points';

-- Multi-action evaluation: rank units by their best action's score and
-- compare units that got that action with control units.

CREATE FUNCTION uplift_best_treatment(scores float8[], action int)
RETURNS int AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION uplift_best_treatment(float8[], int) IS
'1 if action is the best-scored action (first maximum, actions from 1), 0 if it is control, else NULL';

CREATE FUNCTION uplift_best_score(scores float8[])
RETURNS float8 AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION uplift_best_score(float8[]) IS
'the largest score over the actions: the ranking score of the best-action policy';
