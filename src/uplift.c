/*
 * uplift.c
 *	  Module magic and the small helpers every part of the extension uses.
 */
#include "uplift.h"

#include <math.h>

#include "catalog/pg_proc.h"
#include "funcapi.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"
#include "utils/typcache.h"

#include "progress.h"

PG_MODULE_MAGIC;

extern PGDLLEXPORT void _PG_init(void);

/* uplift.parallel_fit_rows, read by the planner support function of fit_plan.c */
bool		uplift_parallel_fit_rows = false;

/* uplift.prefault, read when a fit's training buffer is made (learn.c) */
bool		uplift_prefault = true;

void
_PG_init(void)
{
	DefineCustomBoolVariable("uplift.parallel_fit_rows",
							 "Let uplift_fit aggregate in parallel workers when its state is the training rows.",
							 "Off: such fits aggregate in one process (the scan below may still be parallel; see src/fit_plan.c).",
							 &uplift_parallel_fit_rows, false, PGC_USERSET, 0,
							 NULL, NULL, NULL);
	DefineCustomBoolVariable("uplift.prefault",
							 "Fault in the memory of a large training buffer on a helper thread while the scan fills it.",
							 "Off: the backend faults in every page itself as it writes the rows.",
							 &uplift_prefault, true, PGC_USERSET, 0,
							 NULL, NULL, NULL);
	progress_define_settings();
}

MemoryContext
uplift_agg_context(FunctionCallInfo fcinfo, const char *funcname)
{
	MemoryContext aggcontext;

	if (!AggCheckCallContext(fcinfo, &aggcontext))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("%s called in non-aggregate context", funcname)));
	return aggcontext;
}

/*
 * The type of argument argno of this call.  The executor gives a function
 * its call expression (fn_expr), from which get_fn_expr_argtype reads it; a
 * function called through fmgr_info alone has none (Citus calls an
 * aggregate's transition, combine and final functions so on its shards and
 * coordinator), and then the type is the function's declared one, read from
 * pg_proc.  None of the functions that ask is polymorphic, so the two agree.
 * InvalidOid when argno is out of range.
 */
Oid
uplift_arg_type(FunctionCallInfo fcinfo, int argno)
{
	Oid			type;
	HeapTuple	tup;
	Form_pg_proc proc;

	if (fcinfo->flinfo == NULL)
		return InvalidOid;
	type = get_fn_expr_argtype(fcinfo->flinfo, argno);
	if (OidIsValid(type))
		return type;
	tup = SearchSysCache1(PROCOID, ObjectIdGetDatum(fcinfo->flinfo->fn_oid));
	if (!HeapTupleIsValid(tup))
		elog(ERROR, "cache lookup failed for function %u", fcinfo->flinfo->fn_oid);
	proc = (Form_pg_proc) GETSTRUCT(tup);
	if (argno >= 0 && argno < proc->pronargs)
		type = proc->proargtypes.values[argno];
	ReleaseSysCache(tup);
	return IsPolymorphicType(type) ? InvalidOid : type;
}

/*
 * The rows a function returns as an array of a composite type: its element
 * type and blessed row descriptor.  The type is read from the function's
 * declared result (pg_proc.prorettype through flinfo->fn_oid), not from the
 * call's expression tree, so a final function called directly through
 * fmgr_info, as Citus calls it, resolves exactly as under the executor.
 * Only a polymorphic declaration, which none of ours is, needs fn_expr.
 */
TupleDesc
uplift_result_rows_desc(FunctionCallInfo fcinfo, Oid *elemtype)
{
	Oid			rettype = get_func_rettype(fcinfo->flinfo->fn_oid);

	if (IsPolymorphicType(rettype))
		rettype = get_fn_expr_rettype(fcinfo->flinfo);
	*elemtype = OidIsValid(rettype) ? get_element_type(rettype) : InvalidOid;
	if (!OidIsValid(*elemtype) || !type_is_rowtype(*elemtype))
		elog(ERROR, "function %u does not return an array of a row type",
			 fcinfo->flinfo->fn_oid);
	return BlessTupleDesc(lookup_rowtype_tupdesc_copy(*elemtype, -1));
}

void
uplift_check_finite(double x, const char *what)
{
	if (isnan(x) || isinf(x))
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("%s must be a finite number", what),
				 errdetail("Got %g.", x),
				 errhint("Remove or repair rows with NaN or infinite values.")));
}
