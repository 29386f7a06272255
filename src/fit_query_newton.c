/*
 * fit_query_newton.c
 *	  The logistic and linear fits of uplift_fit_query (see fit_query.h).
 */
#include "uplift.h"

#include "fit_query.h"

bytea *
fit_query_newton(const FitQuery *fq, Jsonb *opts)
{
	ereport(ERROR,
			(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
			 errmsg("uplift_fit_query cannot fit these options yet")));
	return NULL;
}
