/*
 * allocate_scale.c
 *	  The two-step allocation path for inputs too large for one backend or
 *	  spread over machines: the aggregate allocate_threshold finds the
 *	  efficiency threshold (the Lagrange multiplier of the budget) and
 *	  allocate_action gives each unit its action at that threshold.
 *
 * Both work on one row per unit with arrays of per-action values and costs
 * (element k is action k, a NULL element means "not offered"), optionally
 * after the unit's id, which options contact_cap and exclude need
 * (allocate_contact.c): a unit they leave alone adds nothing and gets 0.  Both
 * build the unit's hull increments with the same code as allocate_budget
 * (ks_hull in knapsack.c), so ratios agree bit for bit.  A unit takes every increment
 * whose value/cost ratio is strictly above the threshold; the threshold is
 * the ratio of the first group of equal ratios that no longer fits, so the
 * chosen costs never exceed the budget.
 *
 * The aggregate's state holds the increments that can still matter: after
 * sorting by ratio, those below the group that overflows the budget can never
 * change the threshold, whatever other rows add, so they are dropped (also
 * after merging partial states).  The state is thus bounded by the number of
 * increments that fit in the budget, and merging is exact.
 */
#include "uplift.h"

#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"

#include "allocate.h"
#include "arrays.h"
#include "bytes.h"
#include "knapsack.h"

/*
 * The options of a two-step call with unit ids, read once per call site:
 * the options themselves and the units their contact cap and exclusions
 * leave alone (read again only when the options' bytes change).
 */
typedef struct OptionsCache
{
	MemoryContext cxt;			/* holds this cache and everything it points to */
	AllocateOptions o;
	AllocateBlocked *blocked;
	Size		len;
	char		data[FLEXIBLE_ARRAY_MEMBER];	/* the options' bytes */
} OptionsCache;

static const AllocateOptions *
allocate_cached_options(FunctionCallInfo fcinfo, Jsonb *opts, const char *funcname,
						AllocateBlocked **blocked)
{
	OptionsCache *c = fcinfo->flinfo->fn_extra;
	Size		len = opts == NULL ? 0 : VARSIZE(opts);
	MemoryContext cxt;
	MemoryContext old;
	OptionsCache *fresh;

	if (c != NULL && c->len == len && (len == 0 || memcmp(c->data, opts, len) == 0))
	{
		*blocked = c->blocked;
		return &c->o;
	}
	/* parse into a new context, so that an error leaves the cache as it was */
	cxt = AllocSetContextCreate(fcinfo->flinfo->fn_mcxt, "allocation options",
								ALLOCSET_SMALL_SIZES);
	old = MemoryContextSwitchTo(cxt);
	fresh = palloc0(offsetof(OptionsCache, data) + len);
	fresh->cxt = cxt;
	fresh->len = len;
	if (len > 0)
		memcpy(fresh->data, opts, len);
	allocate_read_options(opts, funcname, false, true, &fresh->o);
	fresh->blocked = allocate_blocked_load(&fresh->o, get_func_namespace(fcinfo->flinfo->fn_oid),
										   funcname, cxt);
	MemoryContextSwitchTo(old);
	if (c != NULL)
		MemoryContextDelete(c->cxt);
	fcinfo->flinfo->fn_extra = fresh;
	*blocked = fresh->blocked;
	return &fresh->o;
}

PG_FUNCTION_INFO_V1(allocate_threshold_transfn);
PG_FUNCTION_INFO_V1(allocate_threshold_combinefn);
PG_FUNCTION_INFO_V1(allocate_threshold_serialfn);
PG_FUNCTION_INFO_V1(allocate_threshold_deserialfn);
PG_FUNCTION_INFO_V1(allocate_threshold_finalfn);
PG_FUNCTION_INFO_V1(allocate_action);

#define THRESHOLD_STATE_VERSION 1
#define MIN_PRUNE_AT 65536

typedef struct ThresholdState
{
	double		budget;			/* as passed, to check it does not change */
	double		available;
	double		min_roi;
	int64		units;
	Size		n;
	Size		max;
	Size		prune_at;
	KsStep	   *steps;
} ThresholdState;

/*
 * A unit's points from its arrays of values and costs (element k = action
 * k), prepared as allocate_budget prepares them.  Returns the count; *pts is
 * palloc'd in the current context.
 */
static int
unit_points(Datum values, Datum costs, double min_roi, KsPoint **pts)
{
	const char *hint = "Element k of action_values and action_costs is action k, e.g. ARRAY[value_1, value_2].";
	bool	   *vnull,
			   *cnull;
	int			nv,
				nc,
				m = 0;
	double	   *v = uplift_array_read_nulls(values, "action_values", KS_MAX_ACTION, hint,
											&vnull, &nv);
	double	   *c = uplift_array_read_nulls(costs, "action_costs", KS_MAX_ACTION, hint,
											&cnull, &nc);

	uplift_array_check_length("action_costs", nc, nv, nv, hint);
	*pts = palloc(Max(nv, 1) * sizeof(KsPoint));
	for (int k = 0; k < nv; k++)
	{
		if (vnull[k] || cnull[k])
			continue;
		(*pts)[m].action = k + 1;
		(*pts)[m].value = v[k];
		(*pts)[m].cost = c[k];
		m++;
	}
	return ks_prepare_points(*pts, m, min_roi, false);
}

/* Drop the increments that can no longer matter (see the file header). */
static void
state_prune(ThresholdState *s)
{
	double		threshold;

	if (!isinf(s->available))
		s->n = ks_steps_cut(s->steps, s->n, s->available, &threshold);
	s->prune_at = Max(2 * s->n, MIN_PRUNE_AT);
}

static void
state_reserve(ThresholdState *s, MemoryContext cxt, Size extra)
{
	Size		need = s->n + extra;

	if (need <= s->max)
		return;
	if ((double) need * 1.5 * sizeof(KsStep) >= (double) MaxAllocHugeSize)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("allocate_threshold state is too large"),
				 errdetail("It would hold %zu increments.", need)));
	s->max = Max(need + need / 2, 1024);
	if (s->steps == NULL)
		s->steps = MemoryContextAllocHuge(cxt, s->max * sizeof(KsStep));
	else
		s->steps = repalloc_huge(s->steps, s->max * sizeof(KsStep));
}

static ThresholdState *
state_create(MemoryContext cxt, double budget, double available, double min_roi)
{
	ThresholdState *s = MemoryContextAllocZero(cxt, sizeof(ThresholdState));

	s->budget = budget;
	s->available = available;
	s->min_roi = min_roi;
	s->prune_at = MIN_PRUNE_AT;
	return s;
}

/* The unit_id argument of the overloads that take one (argument 1 of the
 * transition function, 0 of allocate_action), which must not be NULL. */
static int64
unit_id_arg(FunctionCallInfo fcinfo, const char *funcname)
{
	int			argno = PG_NARGS() == 6 ? 1 : 0;

	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("unit_id of %s must not be NULL", funcname),
				 errhint("The contact cap and the exclusions are looked up by unit_id; filter out rows without one.")));
	return PG_GETARG_INT64(argno);
}

/*
 * allocate_threshold_transfn(state, [unit_id,] action_values, action_costs,
 * budget [, options]): with unit ids, the units that options contact_cap and
 * exclude leave alone add no increments.
 */
Datum
allocate_threshold_transfn(PG_FUNCTION_ARGS)
{
	MemoryContext cxt = uplift_agg_context(fcinfo, "allocate_threshold");
	ThresholdState *s = PG_ARGISNULL(0) ? NULL : (ThresholdState *) PG_GETARG_POINTER(0);
	int			base = PG_NARGS() == 6 ? 1 : 0;	/* 1: unit_id comes first */
	Jsonb	   *opts = (PG_NARGS() > 4 + base && !PG_ARGISNULL(4 + base)) ?
		PG_GETARG_JSONB_P(4 + base) : NULL;
	const AllocateOptions *o = NULL;
	AllocateOptions plain;
	AllocateBlocked *blocked = NULL;
	double		budget;
	KsPoint    *pts;
	int		   *targets;
	double	   *ratios;
	int			n,
				k;

	if (PG_ARGISNULL(3 + base))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("budget of allocate_threshold must not be NULL"),
				 errhint("Pass 'Infinity' for no limit.")));
	budget = PG_GETARG_FLOAT8(3 + base);
	if (base == 1)
		o = allocate_cached_options(fcinfo, opts, "allocate_threshold", &blocked);
	if (s == NULL)
	{
		if (o == NULL)
		{
			allocate_read_options(opts, "allocate_threshold", false, false, &plain);
			o = &plain;
		}
		s = state_create(cxt, budget, allocate_available(budget, o), o->min_roi);
	}
	else if (budget != s->budget && !(isnan(budget) && isnan(s->budget)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("budget of allocate_threshold must be the same on every row"),
				 errdetail("Got %g and %g.", s->budget, budget)));
	s->units++;
	if (PG_ARGISNULL(1 + base) || PG_ARGISNULL(2 + base))
		PG_RETURN_POINTER(s);
	if (base == 1 && allocate_blocked_lookup(blocked, unit_id_arg(fcinfo, "allocate_threshold")) != ALLOCATE_FREE)
		PG_RETURN_POINTER(s);

	n = unit_points(PG_GETARG_DATUM(1 + base), PG_GETARG_DATUM(2 + base), s->min_roi, &pts);
	targets = palloc(Max(n, 1) * sizeof(int));
	ratios = palloc(Max(n, 1) * sizeof(double));
	k = ks_hull(pts, n, s->min_roi, targets, ratios);
	state_reserve(s, cxt, k);
	for (int j = 0; j < k; j++)
	{
		KsStep	   *st = &s->steps[s->n++];

		st->ratio = ratios[j];
		st->from_cost = j == 0 ? 0.0 : ks_budget_cost(&pts[targets[j - 1]]);
		st->to_cost = ks_budget_cost(&pts[targets[j]]);
	}
	if (s->n >= s->prune_at)
		state_prune(s);
	PG_RETURN_POINTER(s);
}

static void
check_same_params(const ThresholdState *a, const ThresholdState *b)
{
	if (a->available != b->available || a->min_roi != b->min_roi)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("allocate_threshold got different budgets or options on different rows"),
				 errhint("Pass the same budget and options on every row.")));
}

Datum
allocate_threshold_combinefn(PG_FUNCTION_ARGS)
{
	MemoryContext cxt = uplift_agg_context(fcinfo, "allocate_threshold_combinefn");
	ThresholdState *a = PG_ARGISNULL(0) ? NULL : (ThresholdState *) PG_GETARG_POINTER(0);
	ThresholdState *b = PG_ARGISNULL(1) ? NULL : (ThresholdState *) PG_GETARG_POINTER(1);

	if (b == NULL)
	{
		if (a == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(a);
	}
	if (a == NULL)
		a = state_create(cxt, b->budget, b->available, b->min_roi);
	else
		check_same_params(a, b);
	a->units += b->units;
	state_reserve(a, cxt, b->n);
	if (b->n > 0)
		memcpy(a->steps + a->n, b->steps, b->n * sizeof(KsStep));
	a->n += b->n;
	if (a->n >= a->prune_at)
		state_prune(a);
	PG_RETURN_POINTER(a);
}

Datum
allocate_threshold_serialfn(PG_FUNCTION_ARGS)
{
	ThresholdState *s = (ThresholdState *) PG_GETARG_POINTER(0);
	StringInfoData buf;

	if (s->n > PG_UINT32_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("allocate_threshold state is too large to serialize")));
	initStringInfo(&buf);
	bytes_put_u8(&buf, THRESHOLD_STATE_VERSION);
	bytes_put_f64(&buf, s->budget);
	bytes_put_f64(&buf, s->available);
	bytes_put_f64(&buf, s->min_roi);
	bytes_put_i64(&buf, s->units);
	bytes_put_u32(&buf, (uint32) s->n);
	for (Size i = 0; i < s->n; i++)
	{
		if ((i & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		bytes_put_f64(&buf, s->steps[i].ratio);
		bytes_put_f64(&buf, s->steps[i].from_cost);
		bytes_put_f64(&buf, s->steps[i].to_cost);
	}
	PG_RETURN_BYTEA_P(bytes_copy_bytea(buf.data, buf.len));
}

Datum
allocate_threshold_deserialfn(PG_FUNCTION_ARGS)
{
	MemoryContext cxt = uplift_agg_context(fcinfo, "allocate_threshold_deserialfn");
	bytea	   *b = PG_GETARG_BYTEA_PP(0);
	ByteReader	r;
	ThresholdState *s;
	double		budget,
				available,
				min_roi;
	uint32		n;

	bytes_reader_init(&r, VARDATA_ANY(b), VARSIZE_ANY_EXHDR(b), "allocate_threshold state");
	if (bytes_get_u8(&r) != THRESHOLD_STATE_VERSION)
		bytes_corrupted(&r, "Unknown format version.");
	budget = bytes_get_f64(&r);
	available = bytes_get_f64(&r);
	min_roi = bytes_get_f64(&r);
	s = state_create(cxt, budget, available, min_roi);
	s->units = bytes_get_i64(&r);
	n = bytes_get_count(&r, 3 * sizeof(double), PG_UINT32_MAX);
	state_reserve(s, cxt, n);
	for (uint32 i = 0; i < n; i++)
	{
		if ((i & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		s->steps[i].ratio = bytes_get_f64(&r);
		s->steps[i].from_cost = bytes_get_f64(&r);
		s->steps[i].to_cost = bytes_get_f64(&r);
	}
	s->n = n;
	bytes_expect_end(&r);
	PG_RETURN_POINTER(s);
}

Datum
allocate_threshold_finalfn(PG_FUNCTION_ARGS)
{
	ThresholdState *s;
	double		threshold;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	s = (ThresholdState *) PG_GETARG_POINTER(0);
	s->n = ks_steps_cut(s->steps, s->n, s->available, &threshold);
	PG_RETURN_FLOAT8(threshold);
}

/* min_roi of the options, parsed once per query and kept in fn_extra. */
typedef struct ActionCache
{
	Size		len;
	double		min_roi;
	char		data[FLEXIBLE_ARRAY_MEMBER];
} ActionCache;

static double
cached_min_roi(FunctionCallInfo fcinfo)
{
	ActionCache *c = fcinfo->flinfo->fn_extra;
	Jsonb	   *opts;
	AllocateOptions o;
	Size		len;

	if (PG_NARGS() < 4 || PG_ARGISNULL(3))
		return 0.0;
	opts = PG_GETARG_JSONB_P(3);
	len = VARSIZE(opts);
	if (c != NULL && c->len == len && memcmp(c->data, opts, len) == 0)
		return c->min_roi;
	allocate_read_options(opts, "allocate_action", false, false, &o);
	c = MemoryContextAlloc(fcinfo->flinfo->fn_mcxt, offsetof(ActionCache, data) + len);
	c->len = len;
	c->min_roi = o.min_roi;
	memcpy(c->data, opts, len);
	if (fcinfo->flinfo->fn_extra != NULL)
		pfree(fcinfo->flinfo->fn_extra);
	fcinfo->flinfo->fn_extra = c;
	return c->min_roi;
}

/*
 * allocate_action([unit_id,] action_values, action_costs, threshold
 * [, options]): with unit ids, a unit that options contact_cap and exclude
 * leave alone gets 0.
 */
Datum
allocate_action(PG_FUNCTION_ARGS)
{
	int			base = PG_NARGS() == 5 ? 1 : 0;	/* 1: unit_id comes first */
	double		threshold;
	double		min_roi;
	KsPoint    *pts;
	int		   *targets;
	double	   *ratios;
	int			n,
				k;
	int32		action = 0;

	if (PG_ARGISNULL(2 + base))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("threshold of allocate_action must not be NULL"),
				 errhint("Compute it with allocate_threshold over the same rows.")));
	threshold = PG_GETARG_FLOAT8(2 + base);
	if (isnan(threshold) || threshold < 0.0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("threshold of allocate_action must not be negative"),
				 errdetail("Got %g.", threshold),
				 errhint("Pass the threshold that allocate_threshold returns for the same rows.")));
	if (base == 1)
	{
		AllocateBlocked *blocked;
		const AllocateOptions *o;

		o = allocate_cached_options(fcinfo, PG_ARGISNULL(4) ? NULL : PG_GETARG_JSONB_P(4),
									"allocate_action", &blocked);
		min_roi = o->min_roi;
		if (allocate_blocked_lookup(blocked, unit_id_arg(fcinfo, "allocate_action")) != ALLOCATE_FREE)
			PG_RETURN_INT32(0);
	}
	else
		min_roi = cached_min_roi(fcinfo);
	if (PG_ARGISNULL(base) || PG_ARGISNULL(1 + base))
		PG_RETURN_INT32(0);

	n = unit_points(PG_GETARG_DATUM(base), PG_GETARG_DATUM(1 + base), min_roi, &pts);
	targets = palloc(Max(n, 1) * sizeof(int));
	ratios = palloc(Max(n, 1) * sizeof(double));
	k = ks_hull(pts, n, min_roi, targets, ratios);
	/* the hull's ratios do not increase: take its prefix above the threshold */
	for (int j = 0; j < k && ratios[j] > threshold; j++)
		action = pts[targets[j]].action;
	PG_RETURN_INT32(action);
}
