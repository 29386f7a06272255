/*
 * compat.c
 *	  Entry points under the C names that version 0.1.0's install script
 *	  gave them.
 *
 * Version 0.2.0 names every C function after its SQL function (aggregate
 * support functions end in _transfn, _combinefn, _serialfn, _deserialfn or
 * _finalfn).  A database still at 0.1.0 keeps calling the old names until
 * ALTER EXTENSION uplift UPDATE re-creates its functions, so this library
 * keeps each old name as a forwarder to the new one.  Nothing else calls
 * these; drop them when 0.1.0 is no longer an update source.
 */
#include "postgres.h"

#include "fmgr.h"

#define UPLIFT_OLD_NAME(old_name, new_name) \
	extern Datum new_name(PG_FUNCTION_ARGS); \
	PG_FUNCTION_INFO_V1(old_name); \
	Datum \
	old_name(PG_FUNCTION_ARGS) \
	{ \
		return new_name(fcinfo); \
	}

UPLIFT_OLD_NAME(ope_combine, ope_combinefn)
UPLIFT_OLD_NAME(ope_deserialize, ope_deserialfn)
UPLIFT_OLD_NAME(ope_dr_final, dr_value_finalfn)
UPLIFT_OLD_NAME(ope_dr_trans, dr_value_transfn)
UPLIFT_OLD_NAME(ope_expected_value_sql, ope_expected_value)
UPLIFT_OLD_NAME(ope_ips_final, ips_value_finalfn)
UPLIFT_OLD_NAME(ope_ips_trans, ips_value_transfn)
UPLIFT_OLD_NAME(ope_normal_quantile_sql, ope_normal_quantile)
UPLIFT_OLD_NAME(ope_overlap_final, ope_overlap_finalfn)
UPLIFT_OLD_NAME(ope_overlap_trans, ope_overlap_transfn)
UPLIFT_OLD_NAME(ope_serialize, ope_serialfn)
UPLIFT_OLD_NAME(ope_snips_final, snips_value_finalfn)
UPLIFT_OLD_NAME(ope_snips_trans, snips_value_transfn)
UPLIFT_OLD_NAME(uplift_at_k_final, uplift_at_k_finalfn)
UPLIFT_OLD_NAME(uplift_at_k_trans, uplift_at_k_transfn)
UPLIFT_OLD_NAME(uplift_auuc_final, uplift_auuc_finalfn)
UPLIFT_OLD_NAME(uplift_by_percentile_final, uplift_by_percentile_finalfn)
UPLIFT_OLD_NAME(uplift_calibration_final, uplift_calibration_finalfn)
UPLIFT_OLD_NAME(uplift_calibration_trans, uplift_calibration_transfn)
UPLIFT_OLD_NAME(uplift_curve_final, uplift_curve_finalfn)
UPLIFT_OLD_NAME(uplift_curve_opts_trans, uplift_curve_transfn)
UPLIFT_OLD_NAME(uplift_eval_combine, uplift_eval_combinefn)
UPLIFT_OLD_NAME(uplift_eval_deserialize, uplift_eval_deserialfn)
UPLIFT_OLD_NAME(uplift_eval_serialize, uplift_eval_serialfn)
UPLIFT_OLD_NAME(uplift_eval_trans, uplift_eval_transfn)
UPLIFT_OLD_NAME(uplift_net_value_final, uplift_net_value_finalfn)
UPLIFT_OLD_NAME(uplift_net_value_trans, uplift_net_value_transfn)
UPLIFT_OLD_NAME(uplift_percentile_trans, uplift_by_percentile_transfn)
UPLIFT_OLD_NAME(uplift_policy_action_sql, uplift_policy_action)
UPLIFT_OLD_NAME(uplift_policy_probs_sql, uplift_policy_probs)
UPLIFT_OLD_NAME(uplift_policy_propensity_sql, uplift_policy_propensity)
UPLIFT_OLD_NAME(uplift_qini_auc_final, uplift_qini_auc_finalfn)
UPLIFT_OLD_NAME(uplift_qini_opts_trans, uplift_qini_auc_transfn)
