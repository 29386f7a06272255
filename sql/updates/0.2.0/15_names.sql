
-- One name per function: every C function is named after its SQL function,
-- and aggregate support functions end in _transfn, _combinefn, _serialfn,
-- _deserialfn or _finalfn (after the aggregate they serve, or after the
-- family when several aggregates share one).  The functions 0.1.0 created
-- under other names are renamed (their aggregates keep pointing at them),
-- then re-created so that they call the C function of the new name.

ALTER FUNCTION @extschema@.uplift_eval_trans(internal,double precision,integer,double precision) RENAME TO uplift_eval_transfn;
ALTER FUNCTION @extschema@.uplift_eval_combine(internal,internal) RENAME TO uplift_eval_combinefn;
ALTER FUNCTION @extschema@.uplift_eval_serialize(internal) RENAME TO uplift_eval_serialfn;
ALTER FUNCTION @extschema@.uplift_eval_deserialize(bytea,internal) RENAME TO uplift_eval_deserialfn;
ALTER FUNCTION @extschema@.uplift_qini_opts_trans(internal,double precision,integer,double precision,jsonb) RENAME TO uplift_qini_auc_transfn;
ALTER FUNCTION @extschema@.uplift_qini_auc_final(internal) RENAME TO uplift_qini_auc_finalfn;
ALTER FUNCTION @extschema@.uplift_auuc_final(internal) RENAME TO uplift_auuc_finalfn;
ALTER FUNCTION @extschema@.uplift_at_k_trans(internal,double precision,integer,double precision,double precision,text) RENAME TO uplift_at_k_transfn;
ALTER FUNCTION @extschema@.uplift_at_k_final(internal) RENAME TO uplift_at_k_finalfn;
ALTER FUNCTION @extschema@.uplift_curve_opts_trans(internal,double precision,integer,double precision,jsonb) RENAME TO uplift_curve_transfn;
ALTER FUNCTION @extschema@.uplift_curve_final(internal) RENAME TO uplift_curve_finalfn;
ALTER FUNCTION @extschema@.uplift_percentile_trans(internal,double precision,integer,double precision,integer,text) RENAME TO uplift_by_percentile_transfn;
ALTER FUNCTION @extschema@.uplift_percentile_trans(internal,double precision,integer,double precision,integer,text,jsonb) RENAME TO uplift_by_percentile_transfn;
ALTER FUNCTION @extschema@.uplift_by_percentile_final(internal) RENAME TO uplift_by_percentile_finalfn;
ALTER FUNCTION @extschema@.uplift_calibration_trans(internal,double precision,integer,double precision,integer) RENAME TO uplift_calibration_transfn;
ALTER FUNCTION @extschema@.uplift_calibration_final(internal) RENAME TO uplift_calibration_finalfn;
ALTER FUNCTION @extschema@.uplift_net_value_trans(internal,double precision,integer,double precision,double precision) RENAME TO uplift_net_value_transfn;
ALTER FUNCTION @extschema@.uplift_net_value_trans(internal,double precision,integer,double precision,double precision,jsonb) RENAME TO uplift_net_value_transfn;
ALTER FUNCTION @extschema@.uplift_net_value_final(internal) RENAME TO uplift_net_value_finalfn;
ALTER FUNCTION @extschema@.ope_combine(internal,internal) RENAME TO ope_combinefn;
ALTER FUNCTION @extschema@.ope_serialize(internal) RENAME TO ope_serialfn;
ALTER FUNCTION @extschema@.ope_deserialize(bytea,internal) RENAME TO ope_deserialfn;
ALTER FUNCTION @extschema@.ope_ips_trans(internal,double precision,double precision,double precision) RENAME TO ips_value_transfn;
ALTER FUNCTION @extschema@.ope_ips_trans(internal,double precision,double precision,double precision,jsonb) RENAME TO ips_value_transfn;
ALTER FUNCTION @extschema@.ope_ips_final(internal) RENAME TO ips_value_finalfn;
ALTER FUNCTION @extschema@.ope_snips_trans(internal,double precision,double precision,double precision) RENAME TO snips_value_transfn;
ALTER FUNCTION @extschema@.ope_snips_trans(internal,double precision,double precision,double precision,jsonb) RENAME TO snips_value_transfn;
ALTER FUNCTION @extschema@.ope_snips_final(internal) RENAME TO snips_value_finalfn;
ALTER FUNCTION @extschema@.ope_dr_trans(internal,double precision,double precision,double precision,double precision,double precision) RENAME TO dr_value_transfn;
ALTER FUNCTION @extschema@.ope_dr_trans(internal,double precision,double precision,double precision,double precision,double precision,jsonb) RENAME TO dr_value_transfn;
ALTER FUNCTION @extschema@.ope_dr_final(internal) RENAME TO dr_value_finalfn;
ALTER FUNCTION @extschema@.ope_overlap_trans(internal,double precision,double precision) RENAME TO ope_overlap_transfn;
ALTER FUNCTION @extschema@.ope_overlap_trans(internal,double precision,double precision,jsonb) RENAME TO ope_overlap_transfn;
ALTER FUNCTION @extschema@.ope_overlap_final(internal) RENAME TO ope_overlap_finalfn;

CREATE OR REPLACE FUNCTION @extschema@.uplift_eval_transfn(internal, double precision, integer, double precision)
RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE OR REPLACE FUNCTION @extschema@.uplift_eval_combinefn(internal, internal)
RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE OR REPLACE FUNCTION @extschema@.uplift_eval_serialfn(internal)
RETURNS bytea AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION @extschema@.uplift_eval_deserialfn(bytea, internal)
RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION @extschema@.uplift_qini_auc_transfn(internal, double precision, integer, double precision, jsonb)
RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE OR REPLACE FUNCTION @extschema@.uplift_qini_auc_finalfn(internal)
RETURNS double precision AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE OR REPLACE FUNCTION @extschema@.uplift_auuc_finalfn(internal)
RETURNS double precision AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE OR REPLACE FUNCTION @extschema@.uplift_at_k_transfn(internal, double precision, integer, double precision, double precision, text)
RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE OR REPLACE FUNCTION @extschema@.uplift_at_k_finalfn(internal)
RETURNS double precision AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE OR REPLACE FUNCTION @extschema@.uplift_curve_transfn(internal, double precision, integer, double precision, jsonb)
RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE OR REPLACE FUNCTION @extschema@.uplift_curve_finalfn(internal)
RETURNS uplift_curve_point[] AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE OR REPLACE FUNCTION @extschema@.uplift_by_percentile_transfn(internal, double precision, integer, double precision, integer, text)
RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE OR REPLACE FUNCTION @extschema@.uplift_by_percentile_transfn(internal, double precision, integer, double precision, integer, text, jsonb)
RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE OR REPLACE FUNCTION @extschema@.uplift_by_percentile_finalfn(internal)
RETURNS uplift_percentile_bin[] AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE OR REPLACE FUNCTION @extschema@.uplift_calibration_transfn(internal, double precision, integer, double precision, integer)
RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE OR REPLACE FUNCTION @extschema@.uplift_calibration_finalfn(internal)
RETURNS uplift_calibration_summary AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE OR REPLACE FUNCTION @extschema@.uplift_net_value_transfn(internal, double precision, integer, double precision, double precision)
RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE OR REPLACE FUNCTION @extschema@.uplift_net_value_transfn(internal, double precision, integer, double precision, double precision, jsonb)
RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE OR REPLACE FUNCTION @extschema@.uplift_net_value_finalfn(internal)
RETURNS uplift_net_value_point[] AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE OR REPLACE FUNCTION @extschema@.ope_combinefn(internal, internal)
RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE OR REPLACE FUNCTION @extschema@.ope_serialfn(internal)
RETURNS bytea AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION @extschema@.ope_deserialfn(bytea, internal)
RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION @extschema@.ips_value_transfn(internal, double precision, double precision, double precision)
RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE OR REPLACE FUNCTION @extschema@.ips_value_transfn(internal, double precision, double precision, double precision, jsonb)
RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE OR REPLACE FUNCTION @extschema@.ips_value_finalfn(internal)
RETURNS uplift_estimate AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE OR REPLACE FUNCTION @extschema@.snips_value_transfn(internal, double precision, double precision, double precision)
RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE OR REPLACE FUNCTION @extschema@.snips_value_transfn(internal, double precision, double precision, double precision, jsonb)
RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE OR REPLACE FUNCTION @extschema@.snips_value_finalfn(internal)
RETURNS uplift_estimate AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE OR REPLACE FUNCTION @extschema@.dr_value_transfn(internal, double precision, double precision, double precision, double precision, double precision)
RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE OR REPLACE FUNCTION @extschema@.dr_value_transfn(internal, double precision, double precision, double precision, double precision, double precision, jsonb)
RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE OR REPLACE FUNCTION @extschema@.dr_value_finalfn(internal)
RETURNS uplift_estimate AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE OR REPLACE FUNCTION @extschema@.ope_overlap_transfn(internal, double precision, double precision)
RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE OR REPLACE FUNCTION @extschema@.ope_overlap_transfn(internal, double precision, double precision, jsonb)
RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE OR REPLACE FUNCTION @extschema@.ope_overlap_finalfn(internal)
RETURNS uplift_overlap AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;

-- C functions whose SQL name did not change but whose C name did.
CREATE OR REPLACE FUNCTION @extschema@.ope_normal_quantile(p double precision)
RETURNS double precision AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION @extschema@.ope_expected_value(outcomes double precision[], probs double precision[])
RETURNS double precision AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION @extschema@.uplift_policy_probs(effects double precision[], epsilon double precision DEFAULT 0, min_propensity double precision DEFAULT 0)
RETURNS double precision[] AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION @extschema@.uplift_policy_propensity(effects double precision[], action integer, epsilon double precision DEFAULT 0, min_propensity double precision DEFAULT 0)
RETURNS double precision AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION @extschema@.uplift_policy_action(effects double precision[])
RETURNS integer AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
