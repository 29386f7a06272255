/*
 * fit_query_forest.c
 *	  The forests of uplift_fit_query, grown level by level (see fit_query.h).
 */
#include "uplift.h"

#include "fit_query.h"

bytea *
fit_query_forest(const FitQuery *fq, Jsonb *opts)
{
	ereport(ERROR,
			(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
			 errmsg("uplift_fit_query cannot grow forests yet")));
	return NULL;
}
