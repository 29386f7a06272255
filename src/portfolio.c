/*
 * portfolio.c
 *	  uplift_portfolio_holdout: the effect of a whole portfolio of
 *	  experiments measured against the portfolio (global) holdout, next to
 *	  the sum of what each experiment measures on its own; the gap between
 *	  the two is the interference between the experiments.
 *
 * Each row is a unit: whether it is in the holdout, its action in each
 * experiment (NULL when it is not enrolled in one) and its outcome.  With
 * N units outside the holdout, experiment e treats n_e of them and
 * measures effect_e = mean(treated) - mean(control) among its enrolled
 * units; its share of the portfolio's effect per unit is (n_e / N) *
 * effect_e.  The portfolio's effect is mean(outside) - mean(holdout).  When
 * the effects add up, the two agree; for two experiments with treated
 * shares p_a, p_b and an interaction g (outcome a*A + b*B + g*A*B), the gap
 * is -g * p_a * p_b.
 *
 * The state is a float8[]: element 0 holds the number of experiments E,
 * then come 2 + 2E cells of (count, mean, sum of squared deviations):
 * holdout, outside the holdout, and per experiment treated and control
 * (Welford's update; two states merge with Chan et al.'s formula), so it
 * is a concrete type that parallel plans combine without serialization.
 */
#include "uplift.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/builtins.h"

#include "moments.h"

#define PORTFOLIO_MAX_EXPERIMENTS	1000
#define CELL_HOLDOUT	0
#define CELL_OUTSIDE	1
#define CELL_TREATED(e)	(2 + 2 * (e))
#define CELL_CONTROL(e)	(3 + 2 * (e))
#define STATE_LEN(e)	(1 + 3 * (2 + 2 * (e)))

/* The state argument: an empty array (no row yet) or E and its cells. */
static ArrayType *
portfolio_state(FunctionCallInfo fcinfo, int argno, int *nexp)
{
	ArrayType  *arr = PG_GETARG_ARRAYTYPE_P(argno);
	int			len = ARR_NDIM(arr) == 0 ? 0 : ARR_DIMS(arr)[0];
	const double *st = (const double *) ARR_DATA_PTR(arr);

	if (ARR_NDIM(arr) > 1 || ARR_HASNULL(arr) || ARR_ELEMTYPE(arr) != FLOAT8OID ||
		(len > 0 && (st[0] < 1 || st[0] > PORTFOLIO_MAX_EXPERIMENTS ||
					 st[0] != floor(st[0]) || len != STATE_LEN((int) st[0]))))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("uplift_portfolio_holdout state is not a valid float8[]"),
				 errhint("Call uplift_portfolio_holdout as an aggregate.")));
	*nexp = len == 0 ? 0 : (int) st[0];
	return arr;
}

/* A new zeroed state for E experiments, in the aggregate's context. */
static ArrayType *
portfolio_new_state(MemoryContext cxt, int nexp)
{
	int			len = STATE_LEN(nexp);
	MemoryContext old = MemoryContextSwitchTo(cxt);
	Datum	   *d = palloc(len * sizeof(Datum));
	ArrayType  *state;

	d[0] = Float8GetDatum((double) nexp);
	for (int i = 1; i < len; i++)
		d[i] = Float8GetDatum(0.0);
	state = construct_array(d, len, FLOAT8OID, sizeof(float8), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE);
	MemoryContextSwitchTo(old);
	return state;
}

static void
check_experiments(int have, int got)
{
	if (have != got)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("actions of uplift_portfolio_holdout has %d elements on one row and %d on another",
						have, got),
				 errhint("Element e is the unit's action in experiment e; pass the same experiments on every row.")));
}

/* The unit's actions: a one-dimensional int[] of 1 to 1000 experiments. */
static void
read_actions(ArrayType *arr, Datum **d, bool **nulls, int *n)
{
	if (ARR_NDIM(arr) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("actions of uplift_portfolio_holdout must not be empty"),
				 errhint("Element e is the unit's action in experiment e, NULL when it is not enrolled.")));
	if (ARR_NDIM(arr) != 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("actions of uplift_portfolio_holdout must be a one-dimensional array"),
				 errhint("Element e is the unit's action in experiment e, NULL when it is not enrolled.")));
	deconstruct_array(arr, INT4OID, 4, true, TYPALIGN_INT, d, nulls, n);
	if (*n > PORTFOLIO_MAX_EXPERIMENTS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("actions of uplift_portfolio_holdout has %d elements, more than %d",
						*n, PORTFOLIO_MAX_EXPERIMENTS)));
}

/*
 * uplift_portfolio_holdout_transfn(state, in_holdout, actions, outcome):
 * rows with a NULL are skipped, as avg skips them; updates the state in
 * place once it has its size.
 */
PG_FUNCTION_INFO_V1(uplift_portfolio_holdout_transfn);
Datum
uplift_portfolio_holdout_transfn(PG_FUNCTION_ARGS)
{
	int			nexp;
	ArrayType  *state;
	double	   *st;
	bool		in_holdout;
	double		y;
	Datum	   *acts;
	bool	   *nulls;
	int			n;
	MemoryContext cxt = uplift_agg_context(fcinfo, "uplift_portfolio_holdout_transfn");

	state = portfolio_state(fcinfo, 0, &nexp);
	if (PG_ARGISNULL(1) || PG_ARGISNULL(2) || PG_ARGISNULL(3))
		PG_RETURN_ARRAYTYPE_P(state);
	in_holdout = PG_GETARG_BOOL(1);
	y = PG_GETARG_FLOAT8(3);
	read_actions(PG_GETARG_ARRAYTYPE_P(2), &acts, &nulls, &n);
	uplift_check_finite(y, "outcome of uplift_portfolio_holdout");
	if (nexp == 0)
	{
		state = portfolio_new_state(cxt, n);
		nexp = n;
	}
	check_experiments(nexp, n);
	st = (double *) ARR_DATA_PTR(state) + 1;
	if (in_holdout)
	{
		moments_add(st + 3 * CELL_HOLDOUT, y);
		PG_RETURN_ARRAYTYPE_P(state);
	}
	moments_add(st + 3 * CELL_OUTSIDE, y);
	for (int e = 0; e < n; e++)
	{
		int32		a;

		if (nulls[e])
			continue;
		a = DatumGetInt32(acts[e]);
		if (a < 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("actions of uplift_portfolio_holdout must be 0 or more"),
					 errdetail("Element %d is %d.", e + 1, a),
					 errhint("Actions are 0 (control) and 1..K; pass NULL when the unit is not enrolled.")));
		moments_add(st + 3 * (a > 0 ? CELL_TREATED(e) : CELL_CONTROL(e)), y);
	}
	PG_RETURN_ARRAYTYPE_P(state);
}

/* uplift_portfolio_holdout_combinefn(state, state): merged into the first. */
PG_FUNCTION_INFO_V1(uplift_portfolio_holdout_combinefn);
Datum
uplift_portfolio_holdout_combinefn(PG_FUNCTION_ARGS)
{
	int			na,
				nb;
	ArrayType  *a;
	ArrayType  *b;
	double	   *sa;
	const double *sb;
	MemoryContext cxt = uplift_agg_context(fcinfo, "uplift_portfolio_holdout_combinefn");

	a = portfolio_state(fcinfo, 0, &na);
	b = portfolio_state(fcinfo, 1, &nb);
	if (nb == 0)
		PG_RETURN_ARRAYTYPE_P(a);
	if (na == 0)
	{
		a = portfolio_new_state(cxt, nb);
		na = nb;
	}
	check_experiments(na, nb);
	sa = (double *) ARR_DATA_PTR(a) + 1;
	sb = (const double *) ARR_DATA_PTR(b) + 1;
	for (int c = 0; c < 2 + 2 * na; c++)
		moments_merge(sa + 3 * c, sb + 3 * c);
	PG_RETURN_ARRAYTYPE_P(a);
}

/* A float8[] datum, NULL elements where the values are NaN. */
static Datum
float_array(const double *x, int n)
{
	Datum	   *d = palloc(Max(n, 1) * sizeof(Datum));
	bool	   *nulls = palloc(Max(n, 1) * sizeof(bool));
	int			dims[1] = {n};
	int			lbs[1] = {1};

	for (int i = 0; i < n; i++)
	{
		nulls[i] = isnan(x[i]);
		d[i] = Float8GetDatum(nulls[i] ? 0.0 : x[i]);
	}
	return PointerGetDatum(construct_md_array(d, nulls, 1, dims, lbs, FLOAT8OID,
											  sizeof(float8), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
}

/* NaN (no estimate) becomes a NULL column. */
static void
set_float(Datum *values, bool *nulls, int i, double x)
{
	nulls[i] = isnan(x);
	values[i] = Float8GetDatum(nulls[i] ? 0.0 : x);
}

/*
 * uplift_portfolio_holdout_finalfn(state) -> uplift_portfolio_report.  An
 * estimate is NULL when a group it needs is empty, its standard error NULL
 * when such a group has one row.  Standard errors treat the groups as
 * independent samples and the treated shares as fixed.
 */
PG_FUNCTION_INFO_V1(uplift_portfolio_holdout_finalfn);
Datum
uplift_portfolio_holdout_finalfn(PG_FUNCTION_ARGS)
{
	int			nexp;
	ArrayType  *state = portfolio_state(fcinfo, 0, &nexp);
	const double *st = (const double *) ARR_DATA_PTR(state) + 1;
	const double *hold = st + 3 * CELL_HOLDOUT;
	const double *out = st + 3 * CELL_OUTSIDE;
	TupleDesc	tupdesc;
	Datum		values[11];
	bool		nulls[11] = {false};
	double	   *effects = palloc(Max(nexp, 1) * sizeof(double));
	double	   *ses = palloc(Max(nexp, 1) * sizeof(double));
	double	   *shares = palloc(Max(nexp, 1) * sizeof(double));
	double		total = NAN,
				total_var = NAN,
				sum = 0.0,
				sum_var = 0.0;

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("uplift_portfolio_holdout must return the composite uplift_portfolio_report")));
	if (nexp == 0)
		PG_RETURN_NULL();
	if (hold[0] > 0 && out[0] > 0)
	{
		total = out[1] - hold[1];
		total_var = moments_var_of_mean(out) + moments_var_of_mean(hold);
	}
	for (int e = 0; e < nexp; e++)
	{
		const double *t = st + 3 * CELL_TREATED(e);
		const double *c = st + 3 * CELL_CONTROL(e);
		double		var = moments_var_of_mean(t) + moments_var_of_mean(c);

		shares[e] = out[0] > 0 ? t[0] / out[0] : NAN;
		effects[e] = (t[0] > 0 && c[0] > 0) ? t[1] - c[1] : NAN;
		ses[e] = isnan(effects[e]) ? NAN : sqrt(var);
		sum += shares[e] * effects[e];
		sum_var += shares[e] * shares[e] * var;
	}

	values[0] = Int64GetDatum((int64) hold[0]);
	values[1] = Int64GetDatum((int64) out[0]);
	set_float(values, nulls, 2, total);
	set_float(values, nulls, 3, sqrt(total_var));
	set_float(values, nulls, 4, sum);
	set_float(values, nulls, 5, sqrt(sum_var));
	set_float(values, nulls, 6, total - sum);
	set_float(values, nulls, 7, sqrt(total_var + sum_var));
	values[8] = float_array(effects, nexp);
	values[9] = float_array(ses, nexp);
	values[10] = float_array(shares, nexp);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}
