/*
 * interaction.c
 *	  uplift_interaction: the 2x2 factorial interaction contrast of two
 *	  experiments randomized independently over the same units,
 *	  mean(11) - mean(10) - mean(01) + mean(00), with the standard error
 *	  sqrt(sum over cells of var_c / n_c).
 *
 * The state is a float8[12]: for each cell c = 2 * treated_a + treated_b
 * its count, mean and sum of squared deviations (Welford's update; two
 * states merge with Chan et al.'s formula), so it is a concrete, mergeable
 * type that parallel plans combine without serialization functions.
 */
#include "uplift.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/builtins.h"

#include "eval_metrics.h"
#include "moments.h"

#define INTERACTION_CELLS	4
#define INTERACTION_STATE_LEN	(3 * INTERACTION_CELLS)

/* Merge state "from" into state "into", cell by cell. */
static void
interaction_merge(double *into, const double *from)
{
	for (int c = 0; c < INTERACTION_CELLS; c++)
		moments_merge(into + 3 * c, from + 3 * c);
}

/* The state array argument, checked: one dimension, 12 values, no NULL. */
static double *
interaction_state(FunctionCallInfo fcinfo, int argno)
{
	ArrayType  *arr = PG_GETARG_ARRAYTYPE_P(argno);

	if (ARR_NDIM(arr) != 1 || ARR_DIMS(arr)[0] != INTERACTION_STATE_LEN ||
		ARR_HASNULL(arr) || ARR_ELEMTYPE(arr) != FLOAT8OID)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("uplift_interaction state must be a float8[] of %d values",
						INTERACTION_STATE_LEN),
				 errhint("Call uplift_interaction as an aggregate.")));
	return (double *) ARR_DATA_PTR(arr);
}

/* Error naming the argument when argument argno is NULL. */
static void
interaction_not_null(FunctionCallInfo fcinfo, int argno, const char *name)
{
	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s must not be NULL", name),
				 errhint("Exclude rows on purpose, e.g. WHERE %s IS NOT NULL.", name)));
}

/*
 * Integer argument argno, at least min: the actions (min 0: 0 is control,
 * 1..K the actions) and the treated actions (min 1).
 */
static int32
interaction_int_arg(FunctionCallInfo fcinfo, int argno, const char *name, int32 min)
{
	int32		x;

	interaction_not_null(fcinfo, argno, name);
	x = PG_GETARG_INT32(argno);
	if (x < min)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be at least %d", name, min),
				 errdetail("Got %d.", x),
				 errhint("Actions are 0 (control) and 1..K; a treated action is one of 1..K.")));
	return x;
}

/*
 * Arm of an action: 0 control, 1 treated, -1 when the row is left out
 * (another action when a treated action is named; treated < 0: any action
 * above 0 counts as treated).
 */
static int
interaction_arm(int32 action, int32 treated)
{
	if (action == 0)
		return 0;
	if (treated < 0 || action == treated)
		return 1;
	return -1;
}

/*
 * uplift_interaction_transfn(state, action_a, action_b, outcome
 * [, treated_a, treated_b]): the transition function, which updates the
 * state in place (it lives in the aggregate's memory context).
 */
PG_FUNCTION_INFO_V1(uplift_interaction_transfn);
Datum
uplift_interaction_transfn(PG_FUNCTION_ARGS)
{
	double	   *st;
	int32		treated_a = -1,
				treated_b = -1;
	int			arm_a,
				arm_b;
	double		y;

	uplift_agg_context(fcinfo, "uplift_interaction_transfn");
	st = interaction_state(fcinfo, 0);
	if (PG_NARGS() > 4)
	{
		treated_a = interaction_int_arg(fcinfo, 4, "treated_a", 1);
		treated_b = interaction_int_arg(fcinfo, 5, "treated_b", 1);
	}
	arm_a = interaction_arm(interaction_int_arg(fcinfo, 1, "action_a", 0), treated_a);
	arm_b = interaction_arm(interaction_int_arg(fcinfo, 2, "action_b", 0), treated_b);
	interaction_not_null(fcinfo, 3, "outcome");
	y = PG_GETARG_FLOAT8(3);
	uplift_check_finite(y, "outcome");
	if (arm_a >= 0 && arm_b >= 0)
		moments_add(st + 3 * (2 * arm_a + arm_b), y);
	PG_RETURN_DATUM(PG_GETARG_DATUM(0));
}

/* uplift_interaction_combinefn(state, state): merged into the first, in place. */
PG_FUNCTION_INFO_V1(uplift_interaction_combinefn);
Datum
uplift_interaction_combinefn(PG_FUNCTION_ARGS)
{
	uplift_agg_context(fcinfo, "uplift_interaction_combinefn");
	interaction_merge(interaction_state(fcinfo, 0), interaction_state(fcinfo, 1));
	PG_RETURN_DATUM(PG_GETARG_DATUM(0));
}

/*
 * uplift_interaction_finalfn(state) -> uplift_estimate: NULL estimate when a
 * cell is empty, NULL standard error (and interval) when a cell has one row.
 */
PG_FUNCTION_INFO_V1(uplift_interaction_finalfn);
Datum
uplift_interaction_finalfn(PG_FUNCTION_ARGS)
{
	const double *st = interaction_state(fcinfo, 0);
	static const double sign[INTERACTION_CELLS] = {1.0, -1.0, -1.0, 1.0};
	TupleDesc	tupdesc;
	Datum		values[5];
	bool		nulls[5] = {true, true, true, true, false};
	double		estimate = 0.0,
				var = 0.0,
				n = 0.0,
				min_n = INFINITY;

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("uplift_interaction must return the composite uplift_estimate")));
	for (int c = 0; c < INTERACTION_CELLS; c++)
	{
		const double *cell = st + 3 * c;

		n += cell[0];
		min_n = Min(min_n, cell[0]);
		estimate += sign[c] * cell[1];
		if (cell[0] >= 2.0)
			var += cell[2] / (cell[0] - 1.0) / cell[0];
	}
	if (min_n >= 1.0)
	{
		values[0] = Float8GetDatum(estimate);
		nulls[0] = false;
	}
	if (min_n >= 2.0)
	{
		double		se = sqrt(var);

		values[1] = Float8GetDatum(se);
		values[2] = Float8GetDatum(estimate - METRIC_Z95 * se);
		values[3] = Float8GetDatum(estimate + METRIC_Z95 * se);
		nulls[1] = nulls[2] = nulls[3] = false;
	}
	values[4] = Int64GetDatum((int64) n);
	tupdesc = BlessTupleDesc(tupdesc);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}
