/*
 * fit_query_pass.c
 *	  One pass of uplift_fit_query: an aggregate call over the caller's
 *	  query, run through SPI (see fit_query.h).  A file of its own, below
 *	  the fits that run passes and the entry point that calls the fits.
 */
#include "uplift.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "utils/datum.h"
#include "utils/lsyscache.h"

#include "fit_query.h"
#include "query.h"

#define WHAT "query of uplift_fit_query"

Datum
fit_query_pass(const FitQuery *fq, const char *call, int nargs, Oid *argtypes,
			   Datum *args, bool *isnull)
{
	StringInfoData sql;
	TupleDesc	desc;
	Datum		result;
	int16		typlen;
	bool		typbyval;
	MemoryContext old;

	FitQueryProgress *prog = fq->progress;

	prog->passes++;
	if (prog->report.on)
	{
		/* the phase outlives the pass's memory: the fit's context keeps it */
		old = MemoryContextSwitchTo(fq->cxt);
		progress_phase(&prog->report, psprintf("pass %d, %s", prog->passes,
											   prog->task != NULL ? prog->task : "fitting"));
		MemoryContextSwitchTo(old);
	}
	initStringInfo(&sql);
	appendStringInfo(&sql, "SELECT %s FROM (\n%s\n) AS q(features, treatment, outcome%s)",
					 call, fq->sql, fq->ncols == 4 ? ", propensity" : "");
	uplift_check_select_query(sql.data, WHAT);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute_with_args(sql.data, nargs, argtypes, args, NULL, true, 0) != SPI_OK_SELECT ||
		SPI_processed != 1)
		elog(ERROR, "a pass of uplift_fit_query did not return one row");
	desc = SPI_tuptable->tupdesc;
	result = SPI_getbinval(SPI_tuptable->vals[0], desc, 1, isnull);
	get_typlenbyval(TupleDescAttr(desc, 0)->atttypid, &typlen, &typbyval);
	old = MemoryContextSwitchTo(fq->cxt);
	if (!*isnull)
		result = datumCopy(result, typbyval, typlen);
	MemoryContextSwitchTo(old);
	SPI_finish();
	pfree(sql.data);
	/* counted, and reported as the next pass starts */
	prog->report.rows += prog->rows_per_pass;
	return result;
}

void
fit_query_task(const FitQuery *fq, const char *task)
{
	if (fq->progress->report.on)
		fq->progress->task = MemoryContextStrdup(fq->cxt, task);
}

void
fit_query_count_rows(const FitQuery *fq, int64 rows)
{
	if (fq->progress->rows_per_pass == 0)
	{
		fq->progress->rows_per_pass = rows;
		fq->progress->report.rows += rows;
	}
}

char *
fit_query_call(const FitQuery *fq, const char *aggregate)
{
	return psprintf("%s.%s(q.features%s, q.treatment, q.outcome, %s, $1)",
					fq->schema, aggregate,
					fq->coltypes[FIT_QUERY_FEATURES] == FLOAT8ARRAYOID ? "" : "::pg_catalog.float8[]",
					fq->ncols == 4 ? "q.propensity" : "NULL::pg_catalog.float8");
}
