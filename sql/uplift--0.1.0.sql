-- uplift install script, assembled from sql/objects/*.sql by the Makefile.
-- Edit the fragments, never the assembled file.

\echo Use "CREATE EXTENSION uplift" to load this file. \quit

-- The uplift_model type (src/model.c): a versioned, checksummed binary value.
-- Its text form is base64, which pg_dump writes and restores.

CREATE TYPE uplift_model;

CREATE FUNCTION uplift_model_in(cstring) RETURNS uplift_model
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION uplift_model_out(uplift_model) RETURNS cstring
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION uplift_model_recv(internal) RETURNS uplift_model
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION uplift_model_send(uplift_model) RETURNS bytea
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE uplift_model (
    INPUT = uplift_model_in,
    OUTPUT = uplift_model_out,
    RECEIVE = uplift_model_recv,
    SEND = uplift_model_send,
    INTERNALLENGTH = VARIABLE,
    STORAGE = extended
);

COMMENT ON TYPE uplift_model IS 'a fitted uplift model (versioned binary format)';

CREATE FUNCTION uplift_model_to_bytea(uplift_model) RETURNS bytea
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION uplift_model_from_bytea(bytea) RETURNS uplift_model
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE CAST (uplift_model AS bytea) WITH FUNCTION uplift_model_to_bytea(uplift_model);
CREATE CAST (bytea AS uplift_model) WITH FUNCTION uplift_model_from_bytea(bytea);

COMMENT ON FUNCTION uplift_model_from_bytea(bytea) IS
'the stored bytes of a model as uplift_model, validated';

CREATE FUNCTION uplift_model_info(uplift_model) RETURNS jsonb
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION uplift_model_info(uplift_model) IS
'learner, base, actions, features, per-arm rows and outcome means, options and learned parameters of a model';

CREATE FUNCTION uplift_model_checksum(uplift_model) RETURNS text
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION uplift_model_checksum(uplift_model) IS
'the CRC-32C of the model''s stored body, as 8 hex digits: identifies a model in logs';

CREATE FUNCTION uplift_model_import(description jsonb) RETURNS uplift_model
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION uplift_model_import(jsonb) IS
'a model built from its description in the shape uplift_model_info returns, e.g. coefficients fitted elsewhere';
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

-- Scoring with a stored model (src/score.c).  The model is parsed once per
-- call site.  float4[] (and integer or numeric) features are accepted through
-- PostgreSQL's implicit array casts to float8[]; a single signature keeps
-- literals such as ARRAY[1, 2] unambiguous.

CREATE FUNCTION uplift_score(model uplift_model, features float8[]) RETURNS float8
AS 'MODULE_PATHNAME', 'uplift_score' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION uplift_score(uplift_model, float8[]) IS
'estimated effect of action 1 versus control';

CREATE FUNCTION uplift_score(model uplift_model, features float8[], action int) RETURNS float8
AS 'MODULE_PATHNAME', 'uplift_score_action' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION uplift_score(uplift_model, float8[], int) IS
'estimated effect of the action versus control (0 for action 0)';

CREATE FUNCTION uplift_scores(model uplift_model, features float8[]) RETURNS float8[]
AS 'MODULE_PATHNAME', 'uplift_scores' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION uplift_scores(uplift_model, float8[]) IS
'estimated effect of each action 1..K versus control';

CREATE FUNCTION uplift_predict(model uplift_model, features float8[], action int) RETURNS float8
AS 'MODULE_PATHNAME', 'uplift_predict' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION uplift_predict(uplift_model, float8[], int) IS
'predicted outcome under the action (0 = control)';

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
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 4;

COMMENT ON FUNCTION uplift_value_cost(uplift_model, uplift_model, float8[]) IS
'per action: incremental value, incremental cost, net value and value per cost, from a value and a cost model';

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

CREATE FUNCTION uplift_eval_trans(internal, float8, int, float8)
RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION uplift_qini_opts_trans(internal, float8, int, float8, jsonb)
RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION uplift_curve_opts_trans(internal, float8, int, float8, jsonb)
RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION uplift_at_k_trans(internal, float8, int, float8, float8, text)
RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION uplift_percentile_trans(internal, float8, int, float8, int, text)
RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION uplift_percentile_trans(internal, float8, int, float8, int, text, jsonb)
RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION uplift_calibration_trans(internal, float8, int, float8, int)
RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION uplift_net_value_trans(internal, float8, int, float8, float8)
RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION uplift_net_value_trans(internal, float8, int, float8, float8, jsonb)
RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION uplift_eval_combine(internal, internal)
RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION uplift_eval_serialize(internal)
RETURNS bytea AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION uplift_eval_deserialize(bytea, internal)
RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION uplift_qini_auc_final(internal)
RETURNS float8 AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION uplift_auuc_final(internal)
RETURNS float8 AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION uplift_at_k_final(internal)
RETURNS float8 AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION uplift_curve_final(internal)
RETURNS uplift_curve_point[] AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION uplift_by_percentile_final(internal)
RETURNS uplift_percentile_bin[] AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION uplift_calibration_final(internal)
RETURNS uplift_calibration_summary AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION uplift_net_value_final(internal)
RETURNS uplift_net_value_point[] AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION uplift_eval_trans(internal, float8, int, float8) IS 'transition function of the evaluation aggregates';
COMMENT ON FUNCTION uplift_qini_opts_trans(internal, float8, int, float8, jsonb) IS 'transition function of uplift_qini_auc with options';
COMMENT ON FUNCTION uplift_curve_opts_trans(internal, float8, int, float8, jsonb) IS 'transition function of uplift_curve with options';
COMMENT ON FUNCTION uplift_at_k_trans(internal, float8, int, float8, float8, text) IS 'transition function of uplift_at_k';
COMMENT ON FUNCTION uplift_percentile_trans(internal, float8, int, float8, int, text) IS 'transition function of uplift_by_percentile';
COMMENT ON FUNCTION uplift_percentile_trans(internal, float8, int, float8, int, text, jsonb) IS 'transition function of uplift_by_percentile with options';
COMMENT ON FUNCTION uplift_calibration_trans(internal, float8, int, float8, int) IS 'transition function of uplift_calibration';
COMMENT ON FUNCTION uplift_net_value_trans(internal, float8, int, float8, float8) IS 'transition function of uplift_net_value';
COMMENT ON FUNCTION uplift_net_value_trans(internal, float8, int, float8, float8, jsonb) IS 'transition function of uplift_net_value with options';
COMMENT ON FUNCTION uplift_eval_combine(internal, internal) IS 'combine function of the evaluation aggregates';
COMMENT ON FUNCTION uplift_eval_serialize(internal) IS 'serialize function of the evaluation aggregates';
COMMENT ON FUNCTION uplift_eval_deserialize(bytea, internal) IS 'deserialize function of the evaluation aggregates';
COMMENT ON FUNCTION uplift_qini_auc_final(internal) IS 'final function of uplift_qini_auc';
COMMENT ON FUNCTION uplift_auuc_final(internal) IS 'final function of uplift_auuc';
COMMENT ON FUNCTION uplift_at_k_final(internal) IS 'final function of uplift_at_k';
COMMENT ON FUNCTION uplift_curve_final(internal) IS 'final function of uplift_curve';
COMMENT ON FUNCTION uplift_by_percentile_final(internal) IS 'final function of uplift_by_percentile';
COMMENT ON FUNCTION uplift_calibration_final(internal) IS 'final function of uplift_calibration';
COMMENT ON FUNCTION uplift_net_value_final(internal) IS 'final function of uplift_net_value';

-- The final functions sort the state in place (and re-score it for the
-- perfect curves), hence FINALFUNC_MODIFY = READ_WRITE.

CREATE AGGREGATE uplift_qini_auc(score float8, treatment int, outcome float8) (
    SFUNC = uplift_eval_trans, STYPE = internal,
    FINALFUNC = uplift_qini_auc_final, FINALFUNC_MODIFY = READ_WRITE,
    COMBINEFUNC = uplift_eval_combine,
    SERIALFUNC = uplift_eval_serialize, DESERIALFUNC = uplift_eval_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE uplift_qini_auc(float8, int, float8) IS
'normalised area under the Qini curve (scikit-uplift qini_auc_score)';

CREATE AGGREGATE uplift_qini_auc(score float8, treatment int, outcome float8, options jsonb) (
    SFUNC = uplift_qini_opts_trans, STYPE = internal,
    FINALFUNC = uplift_qini_auc_final, FINALFUNC_MODIFY = READ_WRITE,
    COMBINEFUNC = uplift_eval_combine,
    SERIALFUNC = uplift_eval_serialize, DESERIALFUNC = uplift_eval_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE uplift_qini_auc(float8, int, float8, jsonb) IS
'normalised area under the Qini curve; options: negative_effect (default true)';

CREATE AGGREGATE uplift_auuc(score float8, treatment int, outcome float8) (
    SFUNC = uplift_eval_trans, STYPE = internal,
    FINALFUNC = uplift_auuc_final, FINALFUNC_MODIFY = READ_WRITE,
    COMBINEFUNC = uplift_eval_combine,
    SERIALFUNC = uplift_eval_serialize, DESERIALFUNC = uplift_eval_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE uplift_auuc(float8, int, float8) IS
'normalised area under the uplift curve (scikit-uplift uplift_auc_score)';

CREATE AGGREGATE uplift_at_k(score float8, treatment int, outcome float8, k float8, strategy text) (
    SFUNC = uplift_at_k_trans, STYPE = internal,
    FINALFUNC = uplift_at_k_final, FINALFUNC_MODIFY = READ_WRITE,
    COMBINEFUNC = uplift_eval_combine,
    SERIALFUNC = uplift_eval_serialize, DESERIALFUNC = uplift_eval_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE uplift_at_k(float8, int, float8, float8, text) IS
'treated minus control response rate in the top k of the scores (scikit-uplift uplift_at_k)';

CREATE AGGREGATE uplift_curve(score float8, treatment int, outcome float8) (
    SFUNC = uplift_eval_trans, STYPE = internal,
    FINALFUNC = uplift_curve_final, FINALFUNC_MODIFY = READ_WRITE,
    COMBINEFUNC = uplift_eval_combine,
    SERIALFUNC = uplift_eval_serialize, DESERIALFUNC = uplift_eval_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE uplift_curve(float8, int, float8) IS
'points of the Qini, uplift, random and perfect curves';

CREATE AGGREGATE uplift_curve(score float8, treatment int, outcome float8, options jsonb) (
    SFUNC = uplift_curve_opts_trans, STYPE = internal,
    FINALFUNC = uplift_curve_final, FINALFUNC_MODIFY = READ_WRITE,
    COMBINEFUNC = uplift_eval_combine,
    SERIALFUNC = uplift_eval_serialize, DESERIALFUNC = uplift_eval_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE uplift_curve(float8, int, float8, jsonb) IS
'points of the Qini, uplift, random and perfect curves; options: points, negative_effect';

CREATE AGGREGATE uplift_by_percentile(score float8, treatment int, outcome float8, bins int, strategy text) (
    SFUNC = uplift_percentile_trans, STYPE = internal,
    FINALFUNC = uplift_by_percentile_final, FINALFUNC_MODIFY = READ_WRITE,
    COMBINEFUNC = uplift_eval_combine,
    SERIALFUNC = uplift_eval_serialize, DESERIALFUNC = uplift_eval_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE uplift_by_percentile(float8, int, float8, int, text) IS
'per-bin counts, response rates and uplift (scikit-uplift uplift_by_percentile)';

CREATE AGGREGATE uplift_by_percentile(score float8, treatment int, outcome float8, bins int, strategy text, options jsonb) (
    SFUNC = uplift_percentile_trans, STYPE = internal,
    FINALFUNC = uplift_by_percentile_final, FINALFUNC_MODIFY = READ_WRITE,
    COMBINEFUNC = uplift_eval_combine,
    SERIALFUNC = uplift_eval_serialize, DESERIALFUNC = uplift_eval_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE uplift_by_percentile(float8, int, float8, int, text, jsonb) IS
'per-bin counts, response rates and uplift; options: total';

CREATE AGGREGATE uplift_calibration(score float8, treatment int, outcome float8, bins int) (
    SFUNC = uplift_calibration_trans, STYPE = internal,
    FINALFUNC = uplift_calibration_final, FINALFUNC_MODIFY = READ_WRITE,
    COMBINEFUNC = uplift_eval_combine,
    SERIALFUNC = uplift_eval_serialize, DESERIALFUNC = uplift_eval_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE uplift_calibration(float8, int, float8, int) IS
'calibration error and rank monotonicity of uplift scores over bins';

CREATE AGGREGATE uplift_net_value(score float8, treatment int, value float8, cost float8) (
    SFUNC = uplift_net_value_trans, STYPE = internal,
    FINALFUNC = uplift_net_value_final, FINALFUNC_MODIFY = READ_WRITE,
    COMBINEFUNC = uplift_eval_combine,
    SERIALFUNC = uplift_eval_serialize, DESERIALFUNC = uplift_eval_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE uplift_net_value(float8, int, float8, float8) IS
'cumulative incremental value, cost and net value by targeting depth, and the best depth';

CREATE AGGREGATE uplift_net_value(score float8, treatment int, value float8, cost float8, options jsonb) (
    SFUNC = uplift_net_value_trans, STYPE = internal,
    FINALFUNC = uplift_net_value_final, FINALFUNC_MODIFY = READ_WRITE,
    COMBINEFUNC = uplift_eval_combine,
    SERIALFUNC = uplift_eval_serialize, DESERIALFUNC = uplift_eval_deserialize,
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

-- The decision layer: budget allocation as a multiple-choice knapsack
-- (src/allocate.c, src/allocate_scale.c, src/knapsack.c; doc/allocation.md).

CREATE FUNCTION allocate_budget(candidates text, budget float8, options jsonb DEFAULT NULL)
RETURNS TABLE (unit_id bigint, action int, value float8, cost float8)
AS 'MODULE_PATHNAME', 'allocate_budget'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION allocate_budget(text, float8, jsonb) IS
'at most one action per unit from the candidates query (unit_id, action, value, cost), best total value with total cost within the budget';

CREATE FUNCTION allocate_budget_summary(candidates text, budget float8, options jsonb DEFAULT NULL,
    OUT candidate_rows bigint, OUT units bigint, OUT assigned bigint,
    OUT total_value float8, OUT total_cost float8, OUT available float8,
    OUT lp_bound float8, OUT gap float8, OUT largest_increment float8,
    OUT threshold float8, OUT units_per_action jsonb, OUT memory_bytes bigint)
RETURNS record
AS 'MODULE_PATHNAME', 'allocate_budget_summary'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION allocate_budget_summary(text, float8, jsonb) IS
'totals of the allocation allocate_budget makes, its LP upper bound and the gap to it';

-- The two-step path: a threshold aggregate and a per-row decision.

CREATE FUNCTION allocate_threshold_transfn(internal, float8[], float8[], float8)
RETURNS internal
AS 'MODULE_PATHNAME', 'allocate_threshold_transfn'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION allocate_threshold_transfn(internal, float8[], float8[], float8, jsonb)
RETURNS internal
AS 'MODULE_PATHNAME', 'allocate_threshold_transfn'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION allocate_threshold_combinefn(internal, internal)
RETURNS internal
AS 'MODULE_PATHNAME', 'allocate_threshold_combinefn'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION allocate_threshold_serialfn(internal)
RETURNS bytea
AS 'MODULE_PATHNAME', 'allocate_threshold_serialfn'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION allocate_threshold_deserialfn(bytea, internal)
RETURNS internal
AS 'MODULE_PATHNAME', 'allocate_threshold_deserialfn'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION allocate_threshold_finalfn(internal)
RETURNS float8
AS 'MODULE_PATHNAME', 'allocate_threshold_finalfn'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION allocate_threshold_transfn(internal, float8[], float8[], float8) IS
'transition function of allocate_threshold: adds a unit''s hull increments';
COMMENT ON FUNCTION allocate_threshold_transfn(internal, float8[], float8[], float8, jsonb) IS
'transition function of allocate_threshold with options';
COMMENT ON FUNCTION allocate_threshold_combinefn(internal, internal) IS
'combine function of allocate_threshold: merges two partial states';
COMMENT ON FUNCTION allocate_threshold_serialfn(internal) IS
'serial function of allocate_threshold: versioned bytes of a partial state';
COMMENT ON FUNCTION allocate_threshold_deserialfn(bytea, internal) IS
'deserial function of allocate_threshold: checks the version and every length';
COMMENT ON FUNCTION allocate_threshold_finalfn(internal) IS
'final function of allocate_threshold: the ratio of the first group of increments that does not fit';

CREATE AGGREGATE allocate_threshold(action_values float8[], action_costs float8[], budget float8) (
    SFUNC = allocate_threshold_transfn,
    STYPE = internal,
    FINALFUNC = allocate_threshold_finalfn,
    FINALFUNC_MODIFY = READ_WRITE,
    COMBINEFUNC = allocate_threshold_combinefn,
    SERIALFUNC = allocate_threshold_serialfn,
    DESERIALFUNC = allocate_threshold_deserialfn,
    PARALLEL = SAFE
);

COMMENT ON AGGREGATE allocate_threshold(float8[], float8[], float8) IS
'efficiency threshold (value per cost) at which the units'' best hull increments spend the budget; use with allocate_action';

CREATE AGGREGATE allocate_threshold(action_values float8[], action_costs float8[], budget float8, options jsonb) (
    SFUNC = allocate_threshold_transfn,
    STYPE = internal,
    FINALFUNC = allocate_threshold_finalfn,
    FINALFUNC_MODIFY = READ_WRITE,
    COMBINEFUNC = allocate_threshold_combinefn,
    SERIALFUNC = allocate_threshold_serialfn,
    DESERIALFUNC = allocate_threshold_deserialfn,
    PARALLEL = SAFE
);

COMMENT ON AGGREGATE allocate_threshold(float8[], float8[], float8, jsonb) IS
'efficiency threshold with options min_roi, spent, pace; use with allocate_action';

CREATE FUNCTION allocate_action(action_values float8[], action_costs float8[], threshold float8,
                                options jsonb DEFAULT NULL)
RETURNS int
AS 'MODULE_PATHNAME', 'allocate_action'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION allocate_action(float8[], float8[], float8, jsonb) IS
'the action (0 = no offer) a unit gets at the threshold from allocate_threshold, given its per-action values and costs';
-- Randomized assignment, exploration and the assignment log (src/assign.c,
-- src/hash.c, src/thompson.c; doc/assignment.md).

CREATE TYPE uplift_assignment AS (
    action int,          -- 0 = control / no offer, 1..K the actions
    propensity float8,   -- probability with which this action was chosen
    holdout bool         -- true: the unit is in the global holdout (action 0)
);

COMMENT ON TYPE uplift_assignment IS
'an assigned action, the probability it was chosen with, and whether the unit is in the global holdout';

-- Hashed assignment with weights and a global holdout.

CREATE FUNCTION uplift_assign(experiment text, unit_id bigint, weights float8[],
                              holdout float8 DEFAULT 0, holdout_name text DEFAULT 'global')
RETURNS uplift_assignment
AS 'MODULE_PATHNAME', 'uplift_assign_int8'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION uplift_assign(experiment text, unit_id text, weights float8[],
                              holdout float8 DEFAULT 0, holdout_name text DEFAULT 'global')
RETURNS uplift_assignment
AS 'MODULE_PATHNAME', 'uplift_assign_text'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION uplift_assign(text, bigint, float8[], float8, text) IS
'action 0..K drawn with probabilities proportional to weights from the SipHash-2-4 of experiment and unit; units in the global holdout get action 0';
COMMENT ON FUNCTION uplift_assign(text, text, float8[], float8, text) IS
'action 0..K drawn with probabilities proportional to weights from the SipHash-2-4 of experiment and unit; units in the global holdout get action 0';

CREATE FUNCTION uplift_in_holdout(unit_id bigint, share float8,
                                  holdout_name text DEFAULT 'global')
RETURNS bool
AS 'MODULE_PATHNAME', 'uplift_in_holdout_int8'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION uplift_in_holdout(unit_id text, share float8,
                                  holdout_name text DEFAULT 'global')
RETURNS bool
AS 'MODULE_PATHNAME', 'uplift_in_holdout_text'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION uplift_in_holdout(bigint, float8, text) IS
'whether the unit is in the holdout of this share (a hash namespace of its own, nested as the share grows)';
COMMENT ON FUNCTION uplift_in_holdout(text, float8, text) IS
'whether the unit is in the holdout of this share (a hash namespace of its own, nested as the share grows)';

CREATE FUNCTION uplift_assign_hash(experiment text, unit_id bigint, seed bigint DEFAULT 0)
RETURNS bigint
AS 'MODULE_PATHNAME', 'uplift_assign_hash_int8'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION uplift_assign_hash(experiment text, unit_id text, seed bigint DEFAULT 0)
RETURNS bigint
AS 'MODULE_PATHNAME', 'uplift_assign_hash_text'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION uplift_assign_hash(text, bigint, bigint) IS
'the 64-bit assignment hash (as a signed bigint) of experiment, unit and seed, for checking other implementations';
COMMENT ON FUNCTION uplift_assign_hash(text, text, bigint) IS
'the 64-bit assignment hash (as a signed bigint) of experiment, unit and seed, for checking other implementations';

-- Exploration: epsilon-greedy over effects, and Thompson sampling.

CREATE FUNCTION uplift_explore(experiment text, unit_id bigint, effects float8[],
                               epsilon float8 DEFAULT 0.1, min_propensity float8 DEFAULT 0,
                               seed bigint DEFAULT 0)
RETURNS uplift_assignment
AS 'MODULE_PATHNAME', 'uplift_explore_int8'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION uplift_explore(experiment text, unit_id text, effects float8[],
                               epsilon float8 DEFAULT 0.1, min_propensity float8 DEFAULT 0,
                               seed bigint DEFAULT 0)
RETURNS uplift_assignment
AS 'MODULE_PATHNAME', 'uplift_explore_text'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION uplift_explore(text, bigint, float8[], float8, float8, bigint) IS
'action drawn from the epsilon-greedy policy over the effects of actions 1..K with a minimum propensity, and its probability';
COMMENT ON FUNCTION uplift_explore(text, text, float8[], float8, float8, bigint) IS
'action drawn from the epsilon-greedy policy over the effects of actions 1..K with a minimum propensity, and its probability';

-- Exploration over a stored model's policy: the effects are the model's
-- scores for the unit's features.

CREATE FUNCTION uplift_explore(experiment text, unit_id bigint, model uplift_model,
                               features float8[], epsilon float8 DEFAULT 0.1,
                               min_propensity float8 DEFAULT 0, seed bigint DEFAULT 0)
RETURNS uplift_assignment
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
SELECT @extschema@.uplift_explore(experiment, unit_id,
                                  @extschema@.uplift_scores(model, features),
                                  epsilon, min_propensity, seed)
$$;

CREATE FUNCTION uplift_explore(experiment text, unit_id text, model uplift_model,
                               features float8[], epsilon float8 DEFAULT 0.1,
                               min_propensity float8 DEFAULT 0, seed bigint DEFAULT 0)
RETURNS uplift_assignment
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
SELECT @extschema@.uplift_explore(experiment, unit_id,
                                  @extschema@.uplift_scores(model, features),
                                  epsilon, min_propensity, seed)
$$;

COMMENT ON FUNCTION uplift_explore(text, bigint, uplift_model, float8[], float8, float8, bigint) IS
'action drawn from the epsilon-greedy policy over the model''s scores for these features, with a minimum propensity, and its probability';
COMMENT ON FUNCTION uplift_explore(text, text, uplift_model, float8[], float8, float8, bigint) IS
'action drawn from the epsilon-greedy policy over the model''s scores for these features, with a minimum propensity, and its probability';

CREATE FUNCTION uplift_thompson_probs(successes float8[], trials float8[],
                                      min_propensity float8 DEFAULT 0)
RETURNS float8[]
AS 'MODULE_PATHNAME', 'uplift_thompson_probs'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION uplift_thompson_probs(float8[], float8[], float8) IS
'probability that Thompson sampling over Beta(1+successes, 1+trials-successes) posteriors plays each action, floored, by numerical integration';

CREATE FUNCTION uplift_thompson(experiment text, unit_id bigint, successes float8[],
                                trials float8[], min_propensity float8 DEFAULT 0,
                                seed bigint DEFAULT 0)
RETURNS uplift_assignment
AS 'MODULE_PATHNAME', 'uplift_thompson_int8'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION uplift_thompson(experiment text, unit_id text, successes float8[],
                                trials float8[], min_propensity float8 DEFAULT 0,
                                seed bigint DEFAULT 0)
RETURNS uplift_assignment
AS 'MODULE_PATHNAME', 'uplift_thompson_text'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION uplift_thompson(text, bigint, float8[], float8[], float8, bigint) IS
'action drawn by Thompson sampling over Beta-Bernoulli arms, with the exact probability it was chosen with';
COMMENT ON FUNCTION uplift_thompson(text, text, float8[], float8[], float8, bigint) IS
'action drawn by Thompson sampling over Beta-Bernoulli arms, with the exact probability it was chosen with';

-- The assignment log: one row per (experiment, unit), kept by pg_dump.

CREATE TABLE uplift_assignment_log (
    experiment     text NOT NULL,
    unit_id        bigint,
    unit_key       text,
    action         int NOT NULL CHECK (action >= 0),
    propensity     float8 NOT NULL CHECK (propensity > 0 AND propensity <= 1),
    holdout        bool NOT NULL DEFAULT false,
    policy         text NOT NULL,
    params         jsonb,
    model_checksum text,
    assigned_at    timestamptz NOT NULL DEFAULT now(),
    CHECK ((unit_id IS NULL) <> (unit_key IS NULL)),
    UNIQUE (experiment, unit_id),
    UNIQUE (experiment, unit_key)
);

COMMENT ON TABLE uplift_assignment_log IS
'every logged assignment: one row per experiment and unit (bigint unit_id or text unit_key), with the probability the action was chosen with';

SELECT pg_catalog.pg_extension_config_dump('uplift_assignment_log', '');

CREATE FUNCTION uplift_log_assignment(experiment text, unit_id bigint,
                                      assignment uplift_assignment, policy text,
                                      params jsonb DEFAULT NULL,
                                      model_checksum text DEFAULT NULL)
RETURNS uplift_assignment_log
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_column
DECLARE
    r @extschema@.uplift_assignment_log;
BEGIN
    IF $1 IS NULL OR $2 IS NULL OR $3 IS NULL OR ($3).action IS NULL
       OR ($3).propensity IS NULL OR $4 IS NULL THEN
        RAISE EXCEPTION 'experiment, unit_id, assignment and policy must not be NULL'
            USING ERRCODE = 'null_value_not_allowed';
    END IF;
    -- A logged unit keeps its first assignment; a repeated call writes nothing.
    SELECT * INTO r FROM @extschema@.uplift_assignment_log l
     WHERE l.experiment = $1 AND l.unit_id = $2;
    IF FOUND THEN
        RETURN r;
    END IF;
    INSERT INTO @extschema@.uplift_assignment_log AS l
           (experiment, unit_id, action, propensity, holdout, policy, params, model_checksum)
    VALUES ($1, $2, ($3).action, ($3).propensity, coalesce(($3).holdout, false), $4, $5, $6)
    ON CONFLICT (experiment, unit_id) DO NOTHING
    RETURNING * INTO r;
    IF FOUND THEN
        RETURN r;
    END IF;
    -- A concurrent caller logged this unit first (and has committed).
    SELECT * INTO STRICT r FROM @extschema@.uplift_assignment_log l
     WHERE l.experiment = $1 AND l.unit_id = $2;
    RETURN r;
END
$$;

CREATE FUNCTION uplift_log_assignment(experiment text, unit_id text,
                                      assignment uplift_assignment, policy text,
                                      params jsonb DEFAULT NULL,
                                      model_checksum text DEFAULT NULL)
RETURNS uplift_assignment_log
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_column
DECLARE
    r @extschema@.uplift_assignment_log;
BEGIN
    IF $1 IS NULL OR $2 IS NULL OR $3 IS NULL OR ($3).action IS NULL
       OR ($3).propensity IS NULL OR $4 IS NULL THEN
        RAISE EXCEPTION 'experiment, unit_id, assignment and policy must not be NULL'
            USING ERRCODE = 'null_value_not_allowed';
    END IF;
    SELECT * INTO r FROM @extschema@.uplift_assignment_log l
     WHERE l.experiment = $1 AND l.unit_key = $2;
    IF FOUND THEN
        RETURN r;
    END IF;
    INSERT INTO @extschema@.uplift_assignment_log AS l
           (experiment, unit_key, action, propensity, holdout, policy, params, model_checksum)
    VALUES ($1, $2, ($3).action, ($3).propensity, coalesce(($3).holdout, false), $4, $5, $6)
    ON CONFLICT (experiment, unit_key) DO NOTHING
    RETURNING * INTO r;
    IF FOUND THEN
        RETURN r;
    END IF;
    SELECT * INTO STRICT r FROM @extschema@.uplift_assignment_log l
     WHERE l.experiment = $1 AND l.unit_key = $2;
    RETURN r;
END
$$;

COMMENT ON FUNCTION uplift_log_assignment(text, bigint, uplift_assignment, text, jsonb, text) IS
'log an assignment once per (experiment, unit); a repeated call returns the logged row and writes nothing';
COMMENT ON FUNCTION uplift_log_assignment(text, text, uplift_assignment, text, jsonb, text) IS
'log an assignment once per (experiment, unit); a repeated call returns the logged row and writes nothing';

CREATE FUNCTION uplift_assign_logged(experiment text, unit_id bigint, weights float8[],
                                     holdout float8 DEFAULT 0, holdout_name text DEFAULT 'global')
RETURNS uplift_assignment_log
LANGUAGE sql VOLATILE
AS $$
SELECT @extschema@.uplift_log_assignment(
           experiment, unit_id,
           @extschema@.uplift_assign(experiment, unit_id, weights, holdout, holdout_name),
           'weights',
           jsonb_build_object('weights', weights, 'holdout', holdout,
                              'holdout_name', holdout_name))
$$;

CREATE FUNCTION uplift_assign_logged(experiment text, unit_id text, weights float8[],
                                     holdout float8 DEFAULT 0, holdout_name text DEFAULT 'global')
RETURNS uplift_assignment_log
LANGUAGE sql VOLATILE
AS $$
SELECT @extschema@.uplift_log_assignment(
           experiment, unit_id,
           @extschema@.uplift_assign(experiment, unit_id, weights, holdout, holdout_name),
           'weights',
           jsonb_build_object('weights', weights, 'holdout', holdout,
                              'holdout_name', holdout_name))
$$;

COMMENT ON FUNCTION uplift_assign_logged(text, bigint, float8[], float8, text) IS
'uplift_assign and log the result in uplift_assignment_log, once per (experiment, unit)';
COMMENT ON FUNCTION uplift_assign_logged(text, text, float8[], float8, text) IS
'uplift_assign and log the result in uplift_assignment_log, once per (experiment, unit)';

CREATE FUNCTION uplift_explore_logged(experiment text, unit_id bigint, effects float8[],
                                      epsilon float8 DEFAULT 0.1,
                                      min_propensity float8 DEFAULT 0,
                                      seed bigint DEFAULT 0)
RETURNS uplift_assignment_log
LANGUAGE sql VOLATILE
AS $$
SELECT @extschema@.uplift_log_assignment(
           experiment, unit_id,
           @extschema@.uplift_explore(experiment, unit_id, effects, epsilon,
                                      min_propensity, seed),
           'epsilon_greedy',
           jsonb_build_object('effects', effects, 'epsilon', epsilon,
                              'min_propensity', min_propensity, 'seed', seed))
$$;

COMMENT ON FUNCTION uplift_explore_logged(text, bigint, float8[], float8, float8, bigint) IS
'uplift_explore over effects and log the result in uplift_assignment_log, once per (experiment, unit)';

CREATE FUNCTION uplift_explore_logged(experiment text, unit_id bigint, model uplift_model,
                                      features float8[], epsilon float8 DEFAULT 0.1,
                                      min_propensity float8 DEFAULT 0,
                                      seed bigint DEFAULT 0)
RETURNS uplift_assignment_log
LANGUAGE sql VOLATILE
AS $$
SELECT @extschema@.uplift_log_assignment(
           experiment, unit_id,
           @extschema@.uplift_explore(experiment, unit_id, s.effects, epsilon,
                                      min_propensity, seed),
           'epsilon_greedy',
           jsonb_build_object('effects', s.effects, 'epsilon', epsilon,
                              'min_propensity', min_propensity, 'seed', seed),
           @extschema@.uplift_model_checksum(model))
  FROM (SELECT @extschema@.uplift_scores(model, features) AS effects) s
$$;

COMMENT ON FUNCTION uplift_explore_logged(text, bigint, uplift_model, float8[], float8, float8, bigint) IS
'uplift_explore over the model''s scores and log the result with the model checksum, once per (experiment, unit)';

CREATE FUNCTION uplift_thompson_logged(experiment text, unit_id bigint, successes float8[],
                                       trials float8[], min_propensity float8 DEFAULT 0,
                                       seed bigint DEFAULT 0)
RETURNS uplift_assignment_log
LANGUAGE sql VOLATILE
AS $$
SELECT @extschema@.uplift_log_assignment(
           experiment, unit_id,
           @extschema@.uplift_thompson(experiment, unit_id, successes, trials,
                                       min_propensity, seed),
           'thompson',
           jsonb_build_object('successes', successes, 'trials', trials,
                              'min_propensity', min_propensity, 'seed', seed))
$$;

COMMENT ON FUNCTION uplift_thompson_logged(text, bigint, float8[], float8[], float8, bigint) IS
'uplift_thompson and log the result in uplift_assignment_log, once per (experiment, unit)';

-- The built-in demo campaign (doc/demo.md): a randomized three-arm campaign
-- with known propensities and each row's true expected uplift.  Every random
-- draw is a 64-bit hash of (unit, seed, draw number), so the rows are the same
-- on every platform and in every session.

CREATE FUNCTION uplift_demo_uniform(unit bigint, seed int, draw int)
RETURNS float8
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN (((pg_catalog.hashint8extended(unit, seed::bigint * 64 + draw) >> 11) & 9007199254740991)::float8 + 0.5)
       / 9007199254740992.0::float8;

COMMENT ON FUNCTION uplift_demo_uniform(bigint, int, int) IS
'a uniform draw in (0, 1) from a 64-bit hash of (unit, seed, draw); used by uplift_demo_campaign';

CREATE FUNCTION uplift_demo_campaign(n int DEFAULT 10000, seed int DEFAULT 1)
RETURNS TABLE (unit_id bigint, features float8[], action int, propensity float8,
               converted float8, value float8, cost float8,
               true_value_uplift float8[], true_cost_uplift float8[],
               true_conversion_uplift float8[])
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE ROWS 10000
BEGIN ATOMIC
WITH draws AS (
    SELECT i AS unit_id,
           -- features: two standard normals, a 0/1 flag, a uniform, and a
           -- normal that has no effect on anything
           sqrt(-2 * ln(@extschema@.uplift_demo_uniform(i, seed, 1)))
               * cos(2 * pi() * @extschema@.uplift_demo_uniform(i, seed, 2)) AS x1,
           sqrt(-2 * ln(@extschema@.uplift_demo_uniform(i, seed, 3)))
               * cos(2 * pi() * @extschema@.uplift_demo_uniform(i, seed, 4)) AS x2,
           (@extschema@.uplift_demo_uniform(i, seed, 5) < 0.5)::int::float8 AS x3,
           @extschema@.uplift_demo_uniform(i, seed, 6) AS x4,
           sqrt(-2 * ln(@extschema@.uplift_demo_uniform(i, seed, 7)))
               * cos(2 * pi() * @extschema@.uplift_demo_uniform(i, seed, 8)) AS x5,
           @extschema@.uplift_demo_uniform(i, seed, 9) AS u_action,
           @extschema@.uplift_demo_uniform(i, seed, 10) AS u_convert,
           sqrt(-2 * ln(@extschema@.uplift_demo_uniform(i, seed, 11)))
               * cos(2 * pi() * @extschema@.uplift_demo_uniform(i, seed, 12)) AS e_value,
           sqrt(-2 * ln(@extschema@.uplift_demo_uniform(i, seed, 13)))
               * cos(2 * pi() * @extschema@.uplift_demo_uniform(i, seed, 14)) AS e_cost
    FROM generate_series(1, n) AS i
),
truth AS (
    SELECT d.*,
           CASE WHEN u_action < 0.4 THEN 0 WHEN u_action < 0.7 THEN 1 ELSE 2 END AS arm,
           -- incremental value of actions 1 and 2 (linear in the features)
           1.0 + 0.8 * x1 - 0.5 * x3 AS tv1,
           1.5 - 0.6 * x1 + 1.0 * x2 + 0.5 * x4 AS tv2,
           -- incremental cost of actions 1 and 2 (linear in the features)
           0.5 + 0.3 * x3 AS tc1,
           1.2 + 0.4 * x4 AS tc2,
           -- conversion: logit of the control probability, and the shift per action
           -1.5 + 0.6 * x1 + 0.4 * x3 AS eta0,
           0.5 + 0.3 * x2 AS b1,
           0.8 - 0.4 * x1 AS b2
    FROM draws d
)
SELECT unit_id,
       ARRAY[x1, x2, x3, x4, x5],
       arm,
       CASE arm WHEN 0 THEN 0.4 ELSE 0.3 END::float8,
       (u_convert < 1 / (1 + exp(-(eta0 + CASE arm WHEN 1 THEN b1 WHEN 2 THEN b2 ELSE 0 END))))::int::float8,
       5 + 2 * x1 + x2 + 1.5 * x3 + CASE arm WHEN 1 THEN tv1 WHEN 2 THEN tv2 ELSE 0 END + 2 * e_value,
       0.2 + 0.1 * x4 + CASE arm WHEN 1 THEN tc1 WHEN 2 THEN tc2 ELSE 0 END + 0.1 * e_cost,
       ARRAY[tv1, tv2],
       ARRAY[tc1, tc2],
       ARRAY[1 / (1 + exp(-(eta0 + b1))) - 1 / (1 + exp(-eta0)),
             1 / (1 + exp(-(eta0 + b2))) - 1 / (1 + exp(-eta0))]
FROM truth
ORDER BY unit_id;
END;

COMMENT ON FUNCTION uplift_demo_campaign(int, int) IS
'the built-in demo campaign: n units, actions 0..2 at random, outcomes and each row''s true uplift';

-- The greedy policy induced by per-action effects (src/policy.c).

CREATE FUNCTION uplift_policy_probs(effects float8[], epsilon float8 DEFAULT 0,
                                    min_propensity float8 DEFAULT 0)
RETURNS float8[]
AS 'MODULE_PATHNAME', 'uplift_policy_probs_sql'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION uplift_policy_probs(float8[], float8, float8) IS
'probabilities (element a+1 for action a = 0..K) that the greedy policy over these effects takes each action';

CREATE FUNCTION uplift_policy_propensity(effects float8[], action int,
                                         epsilon float8 DEFAULT 0,
                                         min_propensity float8 DEFAULT 0)
RETURNS float8
AS 'MODULE_PATHNAME', 'uplift_policy_propensity_sql'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION uplift_policy_propensity(float8[], int, float8, float8) IS
'probability that the greedy policy over these effects takes the given action';

CREATE FUNCTION uplift_policy_action(effects float8[])
RETURNS int
AS 'MODULE_PATHNAME', 'uplift_policy_action_sql'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION uplift_policy_action(float8[]) IS
'the greedy action: the largest positive effect, else 0 (no offer)';
-- Off-policy evaluation of the policies of stored models (doc/off-policy.md):
-- thin wrappers over uplift_scores / uplift_predict (30_score.sql) and the
-- greedy policy (90_policy.sql), hence a fragment of its own after both.

CREATE FUNCTION ope_target_probs(model uplift_model, features float8[],
                                 epsilon float8 DEFAULT 0, min_propensity float8 DEFAULT 0)
RETURNS float8[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN @extschema@.uplift_policy_probs(@extschema@.uplift_scores(model, features),
                                       epsilon, min_propensity);

COMMENT ON FUNCTION ope_target_probs(uplift_model, float8[], float8, float8) IS
'probabilities (element a+1 for action a = 0..K) that the greedy policy of a stored model takes each action for these features';

CREATE FUNCTION ope_target_propensity(model uplift_model, features float8[], action int,
                                      epsilon float8 DEFAULT 0, min_propensity float8 DEFAULT 0)
RETURNS float8
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN @extschema@.uplift_policy_propensity(@extschema@.uplift_scores(model, features),
                                            action, epsilon, min_propensity);

COMMENT ON FUNCTION ope_target_propensity(uplift_model, float8[], int, float8, float8) IS
'probability that the greedy policy of a stored model takes the given action for these features: the target_propensity of the estimators';

CREATE FUNCTION ope_q_target(model uplift_model, features float8[], probs float8[])
RETURNS float8
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN @extschema@.ope_expected_value(
    ARRAY(SELECT @extschema@.uplift_predict(model, features, a)
          FROM generate_series(0, cardinality(@extschema@.uplift_scores(model, features))) AS a
          ORDER BY a),
    probs);

COMMENT ON FUNCTION ope_q_target(uplift_model, float8[], float8[]) IS
'an outcome model''s prediction averaged over a policy''s action probabilities (element a+1 for action a): the q_target of dr_value';
