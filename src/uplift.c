/*
 * uplift.c
 *	  Module magic and the small helpers every part of the extension uses.
 */
#include "uplift.h"

#include <math.h>

#include "progress.h"

PG_MODULE_MAGIC;

extern PGDLLEXPORT void _PG_init(void);

void
_PG_init(void)
{
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
