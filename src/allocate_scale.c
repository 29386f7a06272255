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
 * The aggregate's state, of type uplift_allocate_threshold_state (a concrete
 * type, so that Citus splits the aggregate; doc/citus.md), holds the
 * increments that can still matter: after sorting by ratio, those below the
 * group that overflows the budget can never change the threshold, whatever
 * other rows add, so they are dropped (also after merging partial states).
 * Increments of no cost (an infinite ratio) always fit and are never kept, and
 * with an infinite budget nothing is kept (the threshold is 0).  What bounds
 * the state is therefore the budget, not a constant: after a cut it holds the
 * increments whose groups fit in the available budget plus the group that
 * overflows it (24 bytes each), and it grows to twice that (at least 65,536
 * increments) before the next cut.  Merging is exact.  In memory the state is
 * an expanded object (aggstate.h) around ThresholdState; its portable form is
 * threshold_write's.
 */
#include "uplift.h"

#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "port/pg_crc32c.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"

#include "aggstate.h"
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

#define THRESHOLD_STATE_VERSION 2	/* 1: without the checksum */
#define MIN_PRUNE_AT 65536

/*
 * Bytes of the portable form without the increments: u8 version, f64
 * budget, f64 available, f64 min_roi, i64 units, u32 increments, and the
 * trailing u32 checksum.
 */
#define THRESHOLD_FIXED_BYTES (1 + 3 * 8 + 8 + 4 + 4)
#define THRESHOLD_STEP_BYTES (3 * 8)

static bytea *threshold_write(const void *state);
static void *threshold_read(const char *data, Size len, int code);

static const AggStateType threshold_type = {
	"uplift_allocate_threshold_state", threshold_write, threshold_read
};

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

	if (isinf(s->available))
		s->n = 0;				/* everything fits: the threshold is 0 */
	else
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
	MemoryContext aggcxt = uplift_agg_context(fcinfo, "allocate_threshold");
	AggStateObject *obj = PG_ARGISNULL(0) ? NULL :
		aggstate_object_arg(fcinfo, 0, &threshold_type, aggcxt);
	ThresholdState *s = obj == NULL ? NULL : (ThresholdState *) obj->state;
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
		obj = aggstate_object_new(aggcxt, &threshold_type);
		s = state_create(obj->hdr.eoh_context, budget, allocate_available(budget, o), o->min_roi);
		obj->state = s;
	}
	else if (budget != s->budget && !(isnan(budget) && isnan(s->budget)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("budget of allocate_threshold must be the same on every row"),
				 errdetail("Got %g and %g.", s->budget, budget)));
	s->units++;
	if (PG_ARGISNULL(1 + base) || PG_ARGISNULL(2 + base))
		PG_RETURN_DATUM(AggStateObjectDatum(obj));
	if (base == 1 && allocate_blocked_lookup(blocked, unit_id_arg(fcinfo, "allocate_threshold")) != ALLOCATE_FREE)
		PG_RETURN_DATUM(AggStateObjectDatum(obj));

	n = unit_points(PG_GETARG_DATUM(1 + base), PG_GETARG_DATUM(2 + base), s->min_roi, &pts);
	targets = palloc(Max(n, 1) * sizeof(int));
	ratios = palloc(Max(n, 1) * sizeof(double));
	k = ks_hull(pts, n, s->min_roi, targets, ratios);
	state_reserve(s, obj->hdr.eoh_context, k);
	for (int j = 0; j < k; j++)
	{
		KsStep	   *st = &s->steps[s->n];

		/* an increment of no cost always fits: it never sets the threshold */
		if (isinf(ratios[j]))
			continue;
		st->ratio = ratios[j];
		st->from_cost = j == 0 ? 0.0 : ks_budget_cost(&pts[targets[j - 1]]);
		st->to_cost = ks_budget_cost(&pts[targets[j]]);
		s->n++;
	}
	if (s->n >= s->prune_at)
		state_prune(s);
	PG_RETURN_DATUM(AggStateObjectDatum(obj));
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

/*
 * Not strict: a NULL side (a part without rows) gives the other.  The first
 * argument is changed in place when the aggregate owns it.
 */
Datum
allocate_threshold_combinefn(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt = uplift_agg_context(fcinfo, "allocate_threshold_combinefn");
	AggStateObject *obj;
	ThresholdState *a;
	const ThresholdState *b;

	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
	b = aggstate_object_view(fcinfo, 1, &threshold_type);
	if (PG_ARGISNULL(0))
	{
		obj = aggstate_object_new(aggcxt, &threshold_type);
		a = state_create(obj->hdr.eoh_context, b->budget, b->available, b->min_roi);
		obj->state = a;
	}
	else
	{
		obj = aggstate_object_arg(fcinfo, 0, &threshold_type, aggcxt);
		a = obj->state;
		check_same_params(a, b);
	}
	a->units += b->units;
	state_reserve(a, obj->hdr.eoh_context, b->n);
	if (b->n > 0)
		memcpy(a->steps + a->n, b->steps, b->n * sizeof(KsStep));
	a->n += b->n;
	if (a->n >= a->prune_at)
		state_prune(a);
	PG_RETURN_DATUM(AggStateObjectDatum(obj));
}

/* ------------------------------------------------ portable form, type I/O */

static uint32
threshold_crc(const char *data, Size len)
{
	pg_crc32c	crc;

	INIT_CRC32C(crc);
	COMP_CRC32C(crc, data, len);
	FIN_CRC32C(crc);
	return crc;
}

/*
 * The portable form, format 2 (big-endian, src/bytes.h): u8 version, f64
 * budget, f64 available, f64 min_roi, i64 units, u32 increments followed by
 * three f64 each (ratio, from_cost, to_cost), u32 CRC-32C of the bytes
 * before it.
 */
static bytea *
threshold_write(const void *state)
{
	const ThresholdState *s = state;
	StringInfoData buf;

	if (s->n > (MaxAllocSize - THRESHOLD_FIXED_BYTES - VARHDRSZ) / THRESHOLD_STEP_BYTES)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("uplift_allocate_threshold_state is too large for its portable form"),
				 errdetail("It holds %zu increments.", s->n)));
	bytes_begin_bytea(&buf);
	enlargeStringInfo(&buf, THRESHOLD_FIXED_BYTES + s->n * THRESHOLD_STEP_BYTES);
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
	bytes_put_u32(&buf, threshold_crc(buf.data + VARHDRSZ, buf.len - VARHDRSZ));
	return bytes_end_bytea(&buf);
}

static void
threshold_invalid(int code, const char *detail)
{
	aggstate_invalid("uplift_allocate_threshold_state", code, detail);
}

/* Budget, options and count a state can hold: those the transition makes. */
static void
threshold_check_head(const ThresholdState *s, int code)
{
	if (!(s->budget >= 0.0))
		threshold_invalid(code, "The budget is negative or not a number");
	if (!(s->available >= 0.0 && s->available <= s->budget))
		threshold_invalid(code, "The available budget is out of range");
	if (!(s->min_roi >= 0.0 && isfinite(s->min_roi)))
		threshold_invalid(code, "min_roi is out of range");
	if (s->units < 0)
		threshold_invalid(code, "The unit count is negative");
}

/*
 * A state from its portable form, checked completely (length, checksum,
 * version, every figure), in the current context; errors carry "code".
 */
static void *
threshold_read(const char *data, Size len, int code)
{
	ByteReader	r;
	ByteReader	tail;
	ThresholdState head;
	ThresholdState *s;
	uint32		n;

	if (len < THRESHOLD_FIXED_BYTES)
		threshold_invalid(code, "The value is too short");
	bytes_reader_init(&tail, data + len - 4, 4, "uplift_allocate_threshold_state");
	if (bytes_get_u32(&tail) != threshold_crc(data, len - 4))
		threshold_invalid(code, "Its checksum does not match its contents");
	bytes_reader_init(&r, data, len - 4, "uplift_allocate_threshold_state");
	if (bytes_get_u8(&r) != THRESHOLD_STATE_VERSION)
		threshold_invalid(code, "Unknown format version");
	memset(&head, 0, sizeof(head));
	head.budget = bytes_get_f64(&r);
	head.available = bytes_get_f64(&r);
	head.min_roi = bytes_get_f64(&r);
	head.units = bytes_get_i64(&r);
	threshold_check_head(&head, code);
	n = bytes_get_u32(&r);
	if ((Size) n != (len - THRESHOLD_FIXED_BYTES) / THRESHOLD_STEP_BYTES ||
		(len - THRESHOLD_FIXED_BYTES) % THRESHOLD_STEP_BYTES != 0)
		threshold_invalid(code, "The length does not match the increments");
	s = state_create(CurrentMemoryContext, head.budget, head.available, head.min_roi);
	s->units = head.units;
	state_reserve(s, CurrentMemoryContext, n);
	for (uint32 i = 0; i < n; i++)
	{
		KsStep	   *st = &s->steps[i];

		if ((i & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		st->ratio = bytes_get_f64(&r);
		st->from_cost = bytes_get_f64(&r);
		st->to_cost = bytes_get_f64(&r);
		if (!(st->ratio >= s->min_roi) || !(st->from_cost >= 0.0) ||
			!(st->to_cost >= st->from_cost) || !isfinite(st->to_cost))
			threshold_invalid(code, "An increment is out of range");
	}
	s->n = n;
	bytes_expect_end(&r);
	return s;
}

PG_FUNCTION_INFO_V1(uplift_allocate_threshold_state_in);
Datum
uplift_allocate_threshold_state_in(PG_FUNCTION_ARGS)
{
	return aggstate_object_in(fcinfo, &threshold_type);
}

PG_FUNCTION_INFO_V1(uplift_allocate_threshold_state_out);
Datum
uplift_allocate_threshold_state_out(PG_FUNCTION_ARGS)
{
	return aggstate_object_out(fcinfo, &threshold_type);
}

PG_FUNCTION_INFO_V1(uplift_allocate_threshold_state_recv);
Datum
uplift_allocate_threshold_state_recv(PG_FUNCTION_ARGS)
{
	return aggstate_object_recv(fcinfo, &threshold_type);
}

PG_FUNCTION_INFO_V1(uplift_allocate_threshold_state_send);
Datum
uplift_allocate_threshold_state_send(PG_FUNCTION_ARGS)
{
	return aggstate_object_send(fcinfo, &threshold_type);
}

/*
 * The serial and deserial functions of version 0.1.0, whose aggregates keep
 * the same object as an internal state, for installations not yet updated.
 */
Datum
allocate_threshold_serialfn(PG_FUNCTION_ARGS)
{
	return aggstate_object_serialize(fcinfo, &threshold_type);
}

Datum
allocate_threshold_deserialfn(PG_FUNCTION_ARGS)
{
	return aggstate_object_deserialize(fcinfo, &threshold_type);
}

/* The final function cuts the state in place, as the next transition would. */
Datum
allocate_threshold_finalfn(PG_FUNCTION_ARGS)
{
	ThresholdState *s;
	double		threshold;

	uplift_agg_context(fcinfo, "allocate_threshold_finalfn");
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	s = aggstate_object_view(fcinfo, 0, &threshold_type);
	if (isinf(s->available))
		PG_RETURN_FLOAT8(0.0);
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
