/*
 * assign.c
 *	  Hashed assignment: uplift_assign (weights and a global holdout),
 *	  uplift_in_holdout, uplift_assign_hash, and the pieces the other
 *	  assignment glue shares (assign.h): unit ids, weight arrays, the draw of
 *	  an action and the uplift_assignment result.  Exploration and Thompson
 *	  sampling are in explore.c.
 *
 * Every draw is a pure function of its arguments: the action comes from the
 * uniform number u = (h >> 11) * 2^-53 of the 64-bit hash h of (namespace,
 * seed, experiment, unit) (hash.c), compared against the cumulative
 * normalized weights.  Holdout membership uses the same hash in its own
 * namespace, so it is independent of every experiment's split.
 *
 * Per call site the parsed weights and the hash prefix of the experiment are
 * kept in fn_extra, keyed by the argument bytes, so a scan that assigns
 * millions of units with constant arguments parses them once.
 */
#include "uplift.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "funcapi.h"
#include "nodes/primnodes.h"
#include "utils/builtins.h"
#include "utils/expandedrecord.h"
#include "utils/memutils.h"

#include "arrays.h"
#include "assign.h"
#include "hash.h"

/* The name of the global holdout when none is given. */
#define DEFAULT_HOLDOUT_NAME "global"

/* What one call site of uplift_assign keeps between calls. */
typedef struct AssignCache
{
	UpliftPrefixCache action;	/* action namespace */
	UpliftWeightsCache weights;
	struct varlena *holdout_name;	/* key of holdout_prefix */
	UpliftHashPrefix holdout_prefix;	/* holdout namespace, seed 0 */
	double		share;			/* holdout share of uplift_assign */
	bool		args_checked;	/* uplift_assign: looked for constant arguments */
	Datum	   *fixed_results;	/* uplift_assign with constant arguments */
	TupleDesc	tupdesc;
} AssignCache;

void
uplift_arg_not_null(FunctionCallInfo fcinfo, int argno, const char *name)
{
	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s must not be NULL", name),
				 errhint("Filter out rows with a NULL %s before assigning.", name)));
}

double *
uplift_weights_array(ArrayType *arr, const char *what, MemoryContext cxt, int *n)
{
	MemoryContext old = MemoryContextSwitchTo(cxt);
	double	   *w = uplift_array_read(PointerGetDatum(arr), what, 1, UPLIFT_ASSIGN_MAX_ARMS,
									  "Give one weight per action, action 0 (no offer) first.", n);
	double		total = 0.0;

	MemoryContextSwitchTo(old);

	for (int i = 0; i < *n; i++)
	{
		if (w[i] < 0.0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s must not be negative", what),
					 errdetail("Element %d is %g.", i + 1, w[i]),
					 errhint("Use 0 for an action that must never be drawn.")));
		total += w[i];
	}
	if (!(total > 0.0) || isinf(total))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must have a positive finite sum", what),
				 errdetail("The elements sum to %g.", total),
				 errhint("Give each action a share, e.g. ARRAY[0.5, 0.5] for an even split.")));
	return w;
}

void
uplift_cumulative(const double *w, int n, double *cum, double *propensity)
{
	double		total = 0.0;
	double		sum = 0.0;

	/* plain left-to-right sums: the specification other languages follow */
	for (int a = 0; a < n; a++)
		total += w[a];
	for (int a = 0; a < n; a++)
	{
		sum += w[a];
		cum[a] = sum / total;
		propensity[a] = w[a] / total;
	}
}

int
uplift_pick(const double *w, int n, double u, double *propensity)
{
	double	   *cum = palloc(sizeof(double) * n);
	double	   *props = palloc(sizeof(double) * n);
	int			a;

	uplift_cumulative(w, n, cum, props);
	a = uplift_pick_cumulative(cum, n, u);
	*propensity = props[a];
	pfree(cum);
	pfree(props);
	return a;
}

bool
uplift_varlena_equal(const struct varlena *a, const struct varlena *b)
{
	return a != NULL && b != NULL &&
		VARSIZE_ANY_EXHDR(a) == VARSIZE_ANY_EXHDR(b) &&
		memcmp(VARDATA_ANY(a), VARDATA_ANY(b), VARSIZE_ANY_EXHDR(a)) == 0;
}

struct varlena *
uplift_varlena_copy(const struct varlena *v, MemoryContext cxt)
{
	struct varlena *copy = MemoryContextAlloc(cxt, VARSIZE_ANY(v));

	memcpy(copy, v, VARSIZE_ANY(v));
	return copy;
}

/* The result row type, blessed and kept in fn_mcxt on the first call. */
static TupleDesc
assignment_tupdesc(FunctionCallInfo fcinfo, TupleDesc *tupdesc)
{
	if (*tupdesc == NULL)
	{
		MemoryContext old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);
		TupleDesc	td;

		if (get_call_result_type(fcinfo, NULL, &td) != TYPEFUNC_COMPOSITE)
			elog(ERROR, "return type must be a row type");
		*tupdesc = BlessTupleDesc(CreateTupleDescCopy(td));
		MemoryContextSwitchTo(old);
	}
	return *tupdesc;
}

/* The fields of an uplift_assignment. */
static void
assignment_values(Datum *values, int action, double propensity, bool holdout)
{
	values[0] = Int32GetDatum(action);
	values[1] = Float8GetDatum(propensity);
	values[2] = BoolGetDatum(holdout);
}

Datum
uplift_assignment_datum(FunctionCallInfo fcinfo, TupleDesc *tupdesc,
						int action, double propensity, bool holdout)
{
	Datum		values[3];
	bool		nulls[3] = {false, false, false};

	assignment_values(values, action, propensity, holdout);
	return HeapTupleGetDatum(heap_form_tuple(assignment_tupdesc(fcinfo, tupdesc),
											 values, nulls));
}

static AssignCache *
assign_cache(FunctionCallInfo fcinfo)
{
	if (fcinfo->flinfo->fn_extra == NULL)
		fcinfo->flinfo->fn_extra = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt,
														  sizeof(AssignCache));
	return (AssignCache *) fcinfo->flinfo->fn_extra;
}

const UpliftHashPrefix *
uplift_action_prefix(FunctionCallInfo fcinfo, UpliftPrefixCache *pc, text *experiment,
					 int64 seed)
{
	if (pc->experiment == NULL || pc->seed != seed ||
		!uplift_varlena_equal((struct varlena *) experiment, pc->experiment))
	{
		MemoryContext cxt = fcinfo->flinfo->fn_mcxt;

		if (pc->experiment)
		{
			pfree(pc->experiment);
			pc->experiment = NULL;
		}
		uplift_hash_prefix_init(&pc->prefix, UPLIFT_HASH_NS_ACTION, seed,
								VARDATA_ANY(experiment), VARSIZE_ANY_EXHDR(experiment));
		pc->seed = seed;
		pc->experiment = uplift_varlena_copy((struct varlena *) experiment, cxt);
	}
	return &pc->prefix;
}

/* The cached holdout-namespace prefix for this holdout name. */
static const UpliftHashPrefix *
holdout_prefix(FunctionCallInfo fcinfo, AssignCache *c, text *name)
{
	if (!uplift_varlena_equal((struct varlena *) name, c->holdout_name))
	{
		MemoryContext cxt = fcinfo->flinfo->fn_mcxt;

		if (c->holdout_name)
		{
			pfree(c->holdout_name);
			c->holdout_name = NULL;
		}
		uplift_hash_prefix_init(&c->holdout_prefix, UPLIFT_HASH_NS_HOLDOUT, 0,
								VARDATA_ANY(name), VARSIZE_ANY_EXHDR(name));
		c->holdout_name = uplift_varlena_copy((struct varlena *) name, cxt);
	}
	return &c->holdout_prefix;
}

void
uplift_cached_weights(FunctionCallInfo fcinfo, UpliftWeightsCache *wc, ArrayType *weights)
{
	MemoryContext cxt = fcinfo->flinfo->fn_mcxt;
	double	   *w;
	int			n;

	if (uplift_varlena_equal((struct varlena *) weights, (struct varlena *) wc->key))
		return;
	w = uplift_weights_array(weights, "weights", CurrentMemoryContext, &n);
	if (wc->key)
	{
		pfree(wc->key);
		pfree(wc->cum);
		pfree(wc->props);
		wc->key = NULL;
	}
	wc->cum = MemoryContextAlloc(cxt, sizeof(double) * n);
	wc->props = MemoryContextAlloc(cxt, sizeof(double) * n);
	uplift_cumulative(w, n, wc->cum, wc->props);
	wc->n = n;
	wc->version++;
	wc->key = (ArrayType *) uplift_varlena_copy((struct varlena *) weights, cxt);
}

/* The holdout share argument, named as the SQL function names it. */
static double
holdout_share_arg(FunctionCallInfo fcinfo, int argno, const char *name)
{
	double		share;

	uplift_arg_not_null(fcinfo, argno, name);
	share = PG_GETARG_FLOAT8(argno);
	if (isnan(share) || share < 0.0 || share > 1.0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be between 0 and 1", name),
				 errdetail("Got %g.", share),
				 errhint("The holdout is the share of all units that no experiment treats, e.g. 0.05.")));
	return share;
}

/* Is the unit in the holdout of this share and name? */
static bool
in_holdout(FunctionCallInfo fcinfo, AssignCache *c, const UpliftUnit *unit,
		   double share, text *name)
{
	if (share <= 0.0)
		return false;
	return uplift_hash_uniform(uplift_unit_hash(holdout_prefix(fcinfo, c, name), unit)) < share;
}

/* Is argument argno of this call a Const node? */
static bool
arg_is_const(FmgrInfo *flinfo, int argno)
{
	List	   *args;

	if (flinfo->fn_expr == NULL || !IsA(flinfo->fn_expr, FuncExpr))
		return false;
	args = ((FuncExpr *) flinfo->fn_expr)->args;
	return argno < list_length(args) && IsA(list_nth(args, argno), Const);
}

/*
 * A fixed result of uplift_assign, as a read-only expanded record in
 * fn_mcxt: a query selecting one field, (uplift_assign(...)).action, reads
 * it from the record's values without the checks and the deforming a flat
 * row costs; a query that keeps the row gets it flattened, as any expanded
 * record is.
 */
static Datum
fixed_result(FunctionCallInfo fcinfo, AssignCache *c, int action, double propensity,
			 bool holdout)
{
	ExpandedRecordHeader *erh;
	Datum		values[3];
	bool		nulls[3] = {false, false, false};

	erh = make_expanded_record_from_tupdesc(assignment_tupdesc(fcinfo, &c->tupdesc),
											fcinfo->flinfo->fn_mcxt);
	assignment_values(values, action, propensity, holdout);
	expanded_record_set_fields(erh, values, nulls, false);
	return EOHPGetRODatum(&erh->hdr);
}

/*
 * uplift_assign(experiment, unit_id, weights, holdout, holdout_name):
 * args 0..4; the unit is a bigint or a text.
 *
 * When every argument but the unit is a constant in the expression (not a
 * parameter, which PL/pgSQL may change between calls of one cached
 * expression) the results are fixed per action: they are built once, in
 * fn_mcxt, and every call returns one of them (results[n] is the holdout
 * result; see fixed_result).
 */
static Datum
assign_common(FunctionCallInfo fcinfo, bool unit_is_text)
{
	AssignCache *c = assign_cache(fcinfo);
	UpliftUnit	unit;
	int			action;
	bool		holdout;

	uplift_unit_arg(fcinfo, 1, unit_is_text, &unit);
	if (c->fixed_results == NULL)
	{
		uplift_arg_not_null(fcinfo, 0, "experiment");
		uplift_arg_not_null(fcinfo, 2, "weights");
		c->share = holdout_share_arg(fcinfo, 3, "holdout");
		uplift_arg_not_null(fcinfo, 4, "holdout_name");
		uplift_cached_weights(fcinfo, &c->weights, PG_GETARG_ARRAYTYPE_P(2));
		uplift_action_prefix(fcinfo, &c->action, PG_GETARG_TEXT_PP(0), 0);
		if (c->share > 0.0)
			holdout_prefix(fcinfo, c, PG_GETARG_TEXT_PP(4));
	}

	holdout = c->share > 0.0 &&
		uplift_hash_uniform(uplift_unit_hash(&c->holdout_prefix, &unit)) < c->share;
	action = holdout ? 0 :
		uplift_pick_cumulative(c->weights.cum, c->weights.n,
							   uplift_hash_uniform(uplift_unit_hash(&c->action.prefix, &unit)));

	if (c->fixed_results)
		return c->fixed_results[holdout ? c->weights.n : action];

	if (!c->args_checked)
	{
		FmgrInfo   *flinfo = fcinfo->flinfo;

		c->args_checked = true;
		if (arg_is_const(flinfo, 0) && arg_is_const(flinfo, 2) &&
			arg_is_const(flinfo, 3) && arg_is_const(flinfo, 4))
		{
			MemoryContext old = MemoryContextSwitchTo(flinfo->fn_mcxt);
			Datum	   *results = palloc(sizeof(Datum) * (c->weights.n + 1));

			for (int a = 0; a < c->weights.n; a++)
				results[a] = fixed_result(fcinfo, c, a, c->weights.props[a], false);
			results[c->weights.n] = fixed_result(fcinfo, c, 0, 1.0, true);
			MemoryContextSwitchTo(old);
			c->fixed_results = results;
			return results[holdout ? c->weights.n : action];
		}
	}
	return holdout ?
		uplift_assignment_datum(fcinfo, &c->tupdesc, 0, 1.0, true) :
		uplift_assignment_datum(fcinfo, &c->tupdesc, action, c->weights.props[action], false);
}

PG_FUNCTION_INFO_V1(uplift_assign_int8);
Datum
uplift_assign_int8(PG_FUNCTION_ARGS)
{
	return assign_common(fcinfo, false);
}

PG_FUNCTION_INFO_V1(uplift_assign_text);
Datum
uplift_assign_text(PG_FUNCTION_ARGS)
{
	return assign_common(fcinfo, true);
}

/* uplift_in_holdout(unit_id, share, holdout_name) */
static Datum
in_holdout_common(FunctionCallInfo fcinfo, bool unit_is_text)
{
	AssignCache *c = assign_cache(fcinfo);
	UpliftUnit	unit;
	double		share;

	uplift_unit_arg(fcinfo, 0, unit_is_text, &unit);
	share = holdout_share_arg(fcinfo, 1, "share");
	uplift_arg_not_null(fcinfo, 2, "holdout_name");
	PG_RETURN_BOOL(in_holdout(fcinfo, c, &unit, share, PG_GETARG_TEXT_PP(2)));
}

PG_FUNCTION_INFO_V1(uplift_in_holdout_int8);
Datum
uplift_in_holdout_int8(PG_FUNCTION_ARGS)
{
	return in_holdout_common(fcinfo, false);
}

PG_FUNCTION_INFO_V1(uplift_in_holdout_text);
Datum
uplift_in_holdout_text(PG_FUNCTION_ARGS)
{
	return in_holdout_common(fcinfo, true);
}

/* uplift_assign_hash(experiment, unit_id, seed): the raw action-namespace hash */
static Datum
assign_hash_common(FunctionCallInfo fcinfo, bool unit_is_text)
{
	AssignCache *c = assign_cache(fcinfo);
	UpliftUnit	unit;

	uplift_arg_not_null(fcinfo, 0, "experiment");
	uplift_unit_arg(fcinfo, 1, unit_is_text, &unit);
	uplift_arg_not_null(fcinfo, 2, "seed");
	PG_RETURN_INT64((int64) uplift_unit_hash(uplift_action_prefix(fcinfo, &c->action,
																  PG_GETARG_TEXT_PP(0),
																  PG_GETARG_INT64(2)),
											 &unit));
}

PG_FUNCTION_INFO_V1(uplift_assign_hash_int8);
Datum
uplift_assign_hash_int8(PG_FUNCTION_ARGS)
{
	return assign_hash_common(fcinfo, false);
}

PG_FUNCTION_INFO_V1(uplift_assign_hash_text);
Datum
uplift_assign_hash_text(PG_FUNCTION_ARGS)
{
	return assign_hash_common(fcinfo, true);
}
