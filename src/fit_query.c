/*
 * fit_query.c
 *	  uplift_fit_query(query text, options jsonb): the fits of uplift_fit over
 *	  passes of a query rather than one aggregate over its rows.
 *
 * uplift_fit keeps the training rows in its aggregate state, so the rows must
 * fit in one backend's memory and a parallel plan ships them all to the
 * leader.  Here each pass over the caller's query is one aggregate whose
 * state is small and mergeable (a gradient and Hessian per arm for Newton's
 * method, the statistics of one tree level for a forest), so the passes run
 * in parallel workers, and on the shards of a distributed table, and the
 * memory a fit needs does not grow with the rows.  This file checks the
 * arguments and reads the query's columns; the fits are in
 * fit_query_newton.c and fit_query_forest.c, which run their passes with
 * fit_query_pass (fit_query_pass.c).
 */
#include "uplift.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/lsyscache.h"
#include "utils/plancache.h"

#include "fit_query.h"
#include "learn.h"
#include "query.h"

#define WHAT "query of uplift_fit_query"

static const char *const column_names[] = {"features", "treatment", "outcome", "propensity"};

/* The hint for a column of the wrong type. */
static const char *
column_hint(int col)
{
	switch (col)
	{
		case FIT_QUERY_FEATURES:
			return "Return the features as float8[] (cast with ::float8[]).";
		case FIT_QUERY_TREATMENT:
			return "Return the treatment as int: 0 for control, 1..K for the actions (cast with ::int).";
		default:
			return "Cast the column with ::float8.";
	}
}

static bool
column_type_ok(int col, Oid type)
{
	if (col == FIT_QUERY_FEATURES)
		return type == FLOAT8ARRAYOID || type == FLOAT4ARRAYOID;
	if (col == FIT_QUERY_TREATMENT)
		return type == INT4OID;
	return type == FLOAT8OID;
}

/* The query's result columns: 3 or 4, of the types the passes take. */
static void
read_columns(FitQuery *fq)
{
	SPIPlanPtr	plan;
	List	   *sources;
	TupleDesc	desc;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	plan = SPI_prepare(fq->sql, 0, NULL);
	if (plan == NULL)
		elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
	sources = SPI_plan_get_plan_sources(plan);
	desc = list_length(sources) == 1 ?
		((CachedPlanSource *) linitial(sources))->resultDesc : NULL;
	if (desc == NULL || desc->natts < 3 || desc->natts > 4)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg(WHAT " must return 3 or 4 columns"),
				 errdetail("It returns %d.", desc == NULL ? 0 : desc->natts),
				 errhint("Return features, treatment, outcome and, for logged propensities, propensity, in that order.")));
	fq->ncols = desc->natts;
	for (int i = 0; i < desc->natts; i++)
	{
		Oid			type = TupleDescAttr(desc, i)->atttypid;

		if (!column_type_ok(i, type))
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("column %d (%s) of " WHAT " has type %s", i + 1,
							column_names[i], format_type_be(type)),
					 errhint("%s", column_hint(i))));
		fq->coltypes[i] = type;
	}
	SPI_finish();
}

/* Check the arguments and read the query's columns into fq. */
static void
fit_query_open(FitQuery *fq, FunctionCallInfo fcinfo)
{
	char	   *sql;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg(WHAT " must not be NULL"),
				 errhint("Pass the training query as text: SELECT features, treatment, outcome FROM ...")));
	sql = uplift_query_trim(text_to_cstring(PG_GETARG_TEXT_PP(0)));
	uplift_check_select_query(sql, WHAT);
	fq->sql = sql;
	fq->schema = quote_identifier(get_namespace_name(get_func_namespace(fcinfo->flinfo->fn_oid)));
	fq->cxt = CurrentMemoryContext;
	fq->progress = palloc0(sizeof(FitQueryProgress));
	progress_begin(&fq->progress->report, "uplift_fit_query", CurrentMemoryContext);
	read_columns(fq);
}

/*
 * uplift_fit_query(query text, options jsonb DEFAULT '{}') -> uplift_model:
 * the model uplift_fit would fit on the query's rows, the options those of
 * uplift_fit.
 */
PG_FUNCTION_INFO_V1(uplift_fit_query);
Datum
uplift_fit_query(PG_FUNCTION_ARGS)
{
	FitQuery	fq;
	Jsonb	   *opts = PG_ARGISNULL(1) ? NULL : PG_GETARG_JSONB_P(1);

	fit_query_open(&fq, fcinfo);
	if (learn_fits_forest(opts))
		PG_RETURN_BYTEA_P(fit_query_forest(&fq, opts));
	PG_RETURN_BYTEA_P(fit_query_newton(&fq, opts));
}
