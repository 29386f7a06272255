/*
 * ope_args.c
 *	  Checks of the per-row arguments of the off-policy aggregates: every
 *	  logged row counts, so a NULL, NaN or infinite value or a propensity out
 *	  of range is an error, never a skipped row (dropping logged rows
 *	  silently biases every estimator); the options must be the same on
 *	  every row.
 */
#include "uplift.h"

#include "ope_args.h"

double
ope_arg_finite(FunctionCallInfo fcinfo, int argno, const char *fn, const char *what)
{
	double		x;

	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s of %s must not be NULL", what, fn),
				 errdetail("Every logged row counts in the estimate; dropping a row would bias it."),
				 errhint("Repair the row, or exclude it explicitly with WHERE %s IS NOT NULL.", what)));
	x = PG_GETARG_FLOAT8(argno);
	if (isnan(x) || isinf(x))
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("%s of %s must be a finite number", what, fn),
				 errdetail("Got %g.", x),
				 errhint("Remove or repair rows with NaN or infinite values.")));
	return x;
}

double
ope_arg_propensity(FunctionCallInfo fcinfo, int argno, const char *fn,
				   const char *what, bool logged)
{
	double		p = ope_arg_finite(fcinfo, argno, fn, what);

	if (logged ? !(p > 0.0 && p <= 1.0) : !(p >= 0.0 && p <= 1.0))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("%s of %s must be in %s", what, fn, logged ? "(0, 1]" : "[0, 1]"),
				 errdetail("Got %g.", p),
				 errhint(logged ?
						 "The logged propensity is the probability with which the logging policy took the logged action; it must be positive for the row to be usable." :
						 "The target propensity is the probability that the evaluated policy takes the logged action on that row.")));
	return p;
}

/* The bytes of a jsonb argument, detoasted. */
static struct varlena *
options_varlena(FunctionCallInfo fcinfo, int argno)
{
	return pg_detoast_datum_packed((struct varlena *) DatumGetPointer(PG_GETARG_DATUM(argno)));
}

void
ope_options_keep(FunctionCallInfo fcinfo, int argno, MemoryContext cxt,
				 char **bytes, int *len)
{
	struct varlena *v;

	*bytes = NULL;
	*len = 0;
	if (PG_ARGISNULL(argno))
		return;
	v = options_varlena(fcinfo, argno);
	*len = VARSIZE_ANY_EXHDR(v);
	*bytes = MemoryContextAlloc(cxt, Max(*len, 1));
	memcpy(*bytes, VARDATA_ANY(v), *len);
}

bool
ope_options_same(FunctionCallInfo fcinfo, int argno, const char *bytes, int len)
{
	struct varlena *v;

	if (PG_ARGISNULL(argno))
		return bytes == NULL;
	v = options_varlena(fcinfo, argno);
	return bytes != NULL && VARSIZE_ANY_EXHDR(v) == len &&
		memcmp(VARDATA_ANY(v), bytes, len) == 0;
}

void
ope_options_differ(const char *fn)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("options of %s must be the same on every row", fn),
			 errhint("Pass the options as a constant, or group the rows by their options.")));
}
