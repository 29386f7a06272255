/*
 * ope.c
 *	  SQL glue of the off-policy evaluation aggregates ips_value,
 *	  snips_value, dr_value and ope_overlap: input checks, options,
 *	  transition, combine and final functions, and their state type
 *	  uplift_ope_state (doc/citus.md).  The arithmetic is in
 *	  ope_estimators.c.
 *
 * Every row must have a finite reward, a logged propensity in (0, 1] and a
 * target propensity in [0, 1] (and finite q_logged, q_target for DR); a NULL
 * in any of them is an error, because silently dropping a logged row biases
 * the estimate.  The options (if any) are read from the first row and must
 * be the same on every row.
 */
#include "uplift.h"

#include "catalog/pg_type.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"

#include "aggstate.h"
#include "arrays.h"
#include "bytes.h"
#include "ope.h"
#include "ope_estimators.h"
#include "options.h"

#define OPE_STATE_FORMAT_VERSION 1

/* Largest integer a JSON number holds exactly. */
#define OPE_MAX_SEED INT64CONST(9007199254740991)

/* Rows a new bootstrap state has room for before it first grows. */
#define OPE_FIRST_ROWS 1024

/*
 * Bytes of the portable form before the kept rows: u8 version, u8 kind,
 * options (six f64, u8, i32, i64), three i64 counts, two f64, five sums of
 * two f64, u32 kept rows.
 */
#define OPE_STATE_FIXED_BYTES (1 + 1 + 6 * 8 + 1 + 4 + 8 + 3 * 8 + 2 * 8 + 5 * 16 + 4)

/*
 * A value of type uplift_ope_state, the state of every aggregate here, as
 * it lives in memory: the estimator state and, for the bootstrap interval,
 * room for st.cap_rows kept rows (st.n_rows in use).  The transition and
 * combine functions change the value they are given in place, within the
 * aggregate, so a row costs no copy; st.rows is pointed at "rows" on each
 * call, as the value may have moved.  The text and binary forms are the
 * portable format of state_write, never this memory image.
 */
typedef struct OpeStateValue
{
	int32		vl_len_;		/* varlena header */
	OpeState	st;
	double		rows[FLEXIBLE_ARRAY_MEMBER];
} OpeStateValue;

static const char *const estimator_keys[] = {"alpha", "clip", "ci", "n_boot", "seed", NULL};
static const char *const overlap_keys[] = {"floor", "clip", "min_ess_share",
"max_weight_share", "mean_tolerance", NULL};
static const char *const ci_choices[] = {"normal", "bootstrap", NULL};

static const char *
kind_name(OpeKind kind)
{
	switch (kind)
	{
		case OPE_IPS:
			return "ips_value";
		case OPE_SNIPS:
			return "snips_value";
		case OPE_DR:
			return "dr_value";
		case OPE_OVERLAP:
			return "ope_overlap";
	}
	return "?";
}

static void
parse_options(Jsonb *j, OpeKind kind, OpeOptions *o)
{
	const char *fn = kind_name(kind);

	ope_options_default(o);
	if (j == NULL)
		return;
	options_check_keys(j, fn, kind == OPE_OVERLAP ? overlap_keys : estimator_keys);

	o->clip = options_float(j, "clip", INFINITY, 0.0, INFINITY);
	if (!(o->clip > 0.0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("option \"clip\" of %s must be greater than 0", fn),
				 errdetail("Got %g.", o->clip),
				 errhint("clip is the largest importance weight kept; weights above it are set to it.")));

	if (kind == OPE_OVERLAP)
	{
		o->floor = options_float(j, "floor", OPE_DEFAULT_FLOOR, 0.0, 1.0);
		o->min_ess_share = options_float(j, "min_ess_share", OPE_DEFAULT_MIN_ESS_SHARE, 0.0, 1.0);
		o->max_weight_share = options_float(j, "max_weight_share", OPE_DEFAULT_MAX_WEIGHT_SHARE, 0.0, 1.0);
		o->mean_tolerance = options_float(j, "mean_tolerance", OPE_DEFAULT_MEAN_TOLERANCE, 0.0, INFINITY);
		return;
	}

	o->alpha = options_float(j, "alpha", OPE_DEFAULT_ALPHA, 0.0, 1.0);
	if (!(o->alpha > 0.0 && o->alpha < 1.0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("option \"alpha\" of %s must be strictly between 0 and 1", fn),
				 errdetail("Got %g.", o->alpha),
				 errhint("alpha = 0.05 gives a 95%% interval.")));
	o->ci = options_choice(j, "ci", OPE_CI_NORMAL, ci_choices);
	if (o->ci != OPE_CI_BOOTSTRAP &&
		(options_lookup(j, "n_boot") != NULL || options_lookup(j, "seed") != NULL))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("options \"n_boot\" and \"seed\" of %s apply only to the bootstrap interval", fn),
				 errhint("Add \"ci\": \"bootstrap\", or drop n_boot and seed.")));
	o->n_boot = (int32) options_int(j, "n_boot", OPE_DEFAULT_N_BOOT, 10, OPE_MAX_N_BOOT);
	o->seed = options_int(j, "seed", 0, -OPE_MAX_SEED, OPE_MAX_SEED);
}

/* The options of this row, parsed once per distinct options value. */
static void
row_options(FunctionCallInfo fcinfo, int argno, OpeKind kind, OpeOptions *o)
{
	if (argno == 0 || PG_ARGISNULL(argno))
	{
		ope_options_default(o);
		return;
	}
	if (ope_options_lookup(fcinfo, argno, o, sizeof(*o)))
		return;
	parse_options(PG_GETARG_JSONB_P(argno), kind, o);
	ope_options_remember(fcinfo, argno, o, sizeof(*o));
}

/* ------------------------------------------------------ the state value */

static Size
value_size(int stride, int64 cap_rows)
{
	return offsetof(OpeStateValue, rows) + (Size) cap_rows * stride * sizeof(double);
}

/* Point the state at its value's rows, for a value this call may change. */
static OpeState *
value_attach(OpeStateValue *v)
{
	v->st.rows = v->rows;
	v->st.rows_cxt = NULL;
	return &v->st;
}

/* A read-only look at a value: its state, pointing at its rows. */
static void
value_view(const OpeStateValue *v, OpeState *st)
{
	*st = v->st;
	st->rows = (double *) v->rows;
	st->rows_cxt = NULL;
}

/* A new empty state in cxt, with room for cap_rows kept rows if it keeps any. */
static OpeStateValue *
value_new(MemoryContext cxt, OpeKind kind, const OpeOptions *o, int64 cap_rows)
{
	OpeState	st;
	OpeStateValue *v;
	Size		size;

	ope_state_init(&st, kind, o, NULL);
	if (ope_row_stride(&st) == 0)
		cap_rows = 0;
	size = value_size(ope_row_stride(&st), cap_rows);
	v = MemoryContextAllocZero(cxt, size);
	SET_VARSIZE(v, size);
	v->st = st;
	v->st.cap_rows = cap_rows;
	value_attach(v);
	return v;
}

static OpeStateValue *
value_copy(const OpeStateValue *v, MemoryContext cxt)
{
	OpeStateValue *copy = MemoryContextAlloc(cxt, VARSIZE(v));

	memcpy(copy, v, VARSIZE(v));
	value_attach(copy);
	return copy;
}

/*
 * v itself, or a larger copy in cxt when its rows cannot take "more" further
 * rows (bootstrap only; the capacity doubles).  The aggregate machinery
 * copies a returned value that is not its state and frees the old one; an
 * internal state (0.1.0) is not copied, so the old one is freed here.
 */
static OpeStateValue *
value_reserve(OpeStateValue *v, int64 more, MemoryContext cxt, bool internal_state)
{
	int			stride = ope_row_stride(&v->st);
	int64		cap;
	OpeStateValue *bigger;

	if (stride == 0 || v->st.n_rows + more <= v->st.cap_rows)
		return v;
	cap = ope_rows_capacity(&v->st, more);
	bigger = MemoryContextAlloc(cxt, value_size(stride, cap));
	memcpy(bigger, v, value_size(stride, v->st.n_rows));
	SET_VARSIZE(bigger, value_size(stride, cap));
	bigger->st.cap_rows = cap;
	if (internal_state)
		pfree(v);
	value_attach(bigger);
	return bigger;
}

static inline OpeStateValue *
value_arg(FunctionCallInfo fcinfo, int argno)
{
	return (OpeStateValue *) aggstate_arg(fcinfo, argno);
}

static void
check_kind(const OpeStateValue *v, OpeKind kind)
{
	if (v->st.kind != kind)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("a state of %s cannot be used by %s", kind_name(v->st.kind), kind_name(kind)),
				 errhint("Combine and finish a state with the aggregate that made it.")));
}

/* ------------------------------------------------------------ transition */

/*
 * Where a new or grown state goes: the current (per-row) context, which the
 * aggregate copies a returned value out of, or the aggregate's own context
 * for an internal state, which it does not copy.
 */
static MemoryContext
new_value_context(FunctionCallInfo fcinfo, OpeKind kind)
{
	if (ope_internal_state(fcinfo))
		return uplift_agg_context(fcinfo, kind_name(kind));
	return CurrentMemoryContext;
}

/*
 * The state of this transition call: a new one on the first row, else the
 * one passed, with room for one more kept row.  Only an aggregate may pass
 * one: it is changed in place.
 */
static OpeStateValue *
trans_state(FunctionCallInfo fcinfo, OpeKind kind, int opts_argno)
{
	OpeStateValue *v;
	OpeOptions	o;

	if (unlikely(!ope_in_aggregate(fcinfo)))
		uplift_agg_context(fcinfo, kind_name(kind));	/* the error */
	if (PG_ARGISNULL(0))
	{
		row_options(fcinfo, opts_argno, kind, &o);
		return value_new(new_value_context(fcinfo, kind), kind, &o, OPE_FIRST_ROWS);
	}
	v = value_arg(fcinfo, 0);
	check_kind(v, kind);
	if (opts_argno > 0)
	{
		row_options(fcinfo, opts_argno, kind, &o);
		if (!ope_options_equal(&o, &v->st.opts))
			ope_options_differ(kind_name(kind));
	}
	value_attach(v);
	if (v->st.n_rows < v->st.cap_rows || ope_row_stride(&v->st) == 0)
		return v;
	return value_reserve(v, 1, new_value_context(fcinfo, kind), ope_internal_state(fcinfo));
}

static double
arg_value(FunctionCallInfo fcinfo, int argno, OpeKind kind, const char *what)
{
	return ope_arg_finite(fcinfo, argno, kind_name(kind), what);
}

static double
arg_logged(FunctionCallInfo fcinfo, int argno, OpeKind kind)
{
	return ope_arg_propensity(fcinfo, argno, kind_name(kind), "logged_propensity", true);
}

static double
arg_target(FunctionCallInfo fcinfo, int argno, OpeKind kind)
{
	return ope_arg_propensity(fcinfo, argno, kind_name(kind), "target_propensity", false);
}

static void
weight_overflow(double reward, double logged, double target, OpeKind kind)
{
	ereport(ERROR,
			(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			 errmsg("importance weight of %s overflows", kind_name(kind)),
			 errdetail("target_propensity %g / logged_propensity %g with reward %g is not a finite number.",
					   target, logged, reward)));
}

static Datum
estimator_trans(FunctionCallInfo fcinfo, OpeKind kind)
{
	int			n_value_args = kind == OPE_DR ? 5 : 3;
	int			opts_argno = PG_NARGS() > n_value_args + 1 ? n_value_args + 1 : 0;
	OpeStateValue *v = trans_state(fcinfo, kind, opts_argno);
	double		reward = arg_value(fcinfo, 1, kind, "reward");
	double		logged = arg_logged(fcinfo, 2, kind);
	double		target = arg_target(fcinfo, 3, kind);
	double		q_logged = 0.0,
				q_target = 0.0;

	if (kind == OPE_DR)
	{
		q_logged = arg_value(fcinfo, 4, kind, "q_logged");
		q_target = arg_value(fcinfo, 5, kind, "q_target");
	}
	if (!ope_add(&v->st, reward, logged, target, q_logged, q_target))
		weight_overflow(reward, logged, target, kind);
	PG_RETURN_POINTER(v);
}

PG_FUNCTION_INFO_V1(ips_value_transfn);
Datum
ips_value_transfn(PG_FUNCTION_ARGS)
{
	return estimator_trans(fcinfo, OPE_IPS);
}

PG_FUNCTION_INFO_V1(snips_value_transfn);
Datum
snips_value_transfn(PG_FUNCTION_ARGS)
{
	return estimator_trans(fcinfo, OPE_SNIPS);
}

PG_FUNCTION_INFO_V1(dr_value_transfn);
Datum
dr_value_transfn(PG_FUNCTION_ARGS)
{
	return estimator_trans(fcinfo, OPE_DR);
}

PG_FUNCTION_INFO_V1(ope_overlap_transfn);
Datum
ope_overlap_transfn(PG_FUNCTION_ARGS)
{
	OpeStateValue *v = trans_state(fcinfo, OPE_OVERLAP, PG_NARGS() > 3 ? 3 : 0);
	double		logged = arg_logged(fcinfo, 1, OPE_OVERLAP);
	double		target = arg_target(fcinfo, 2, OPE_OVERLAP);

	if (!ope_add(&v->st, 0.0, logged, target, 0.0, 0.0))
		weight_overflow(1.0, logged, target, OPE_OVERLAP);
	PG_RETURN_POINTER(v);
}

/*
 * Not strict: a NULL side (a partial aggregate without rows) gives the
 * other, copied, since the result may be changed in place later.
 */
PG_FUNCTION_INFO_V1(ope_combinefn);
Datum
ope_combinefn(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt = uplift_agg_context(fcinfo, "ope_combinefn");
	bool		internal_state = ope_internal_state(fcinfo);
	MemoryContext newcxt = internal_state ? aggcxt : CurrentMemoryContext;
	OpeStateValue *a;
	OpeStateValue *b;
	OpeState	other;

	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
	b = value_arg(fcinfo, 1);
	if (PG_ARGISNULL(0))
		PG_RETURN_POINTER(value_copy(b, newcxt));
	a = value_arg(fcinfo, 0);
	check_kind(b, a->st.kind);
	if (!ope_options_equal(&a->st.opts, &b->st.opts))
		ope_options_differ(kind_name(a->st.kind));
	value_view(b, &other);
	value_attach(a);
	a = value_reserve(a, other.n_rows, newcxt, internal_state);
	ope_merge(&a->st, &other);
	PG_RETURN_POINTER(a);
}

/* -------------------------------------------- portable form and type I/O */

/*
 * The portable form of a state, format 1 (big-endian, src/bytes.h): u8
 * version, u8 kind, options (f64 alpha, f64 clip, u8 ci, i32 n_boot, i64
 * seed, f64 floor, f64 min_ess_share, f64 max_weight_share, f64
 * mean_tolerance), i64 n, i64 n_clipped, i64 n_below_floor, f64 max_w, f64
 * min_logged, five sums (f64 sum, f64 compensation each: w, w^2, c, c^2,
 * w c), u32 kept rows followed by stride doubles per row.  These are the
 * bytes of the serialized internal state of version 0.1.0.
 */
static void
state_write(StringInfo buf, const OpeStateValue *v)
{
	const OpeState *st = &v->st;
	int			stride = ope_row_stride(st);

	bytes_put_u8(buf, OPE_STATE_FORMAT_VERSION);
	bytes_put_u8(buf, (uint8) st->kind);
	bytes_put_f64(buf, st->opts.alpha);
	bytes_put_f64(buf, st->opts.clip);
	bytes_put_u8(buf, (uint8) st->opts.ci);
	bytes_put_i32(buf, st->opts.n_boot);
	bytes_put_i64(buf, st->opts.seed);
	bytes_put_f64(buf, st->opts.floor);
	bytes_put_f64(buf, st->opts.min_ess_share);
	bytes_put_f64(buf, st->opts.max_weight_share);
	bytes_put_f64(buf, st->opts.mean_tolerance);
	bytes_put_i64(buf, st->n);
	bytes_put_i64(buf, st->n_clipped);
	bytes_put_i64(buf, st->n_below_floor);
	bytes_put_f64(buf, st->max_w);
	bytes_put_f64(buf, st->min_logged);
	bytes_put_sum(buf, &st->s_w);
	bytes_put_sum(buf, &st->s_ww);
	bytes_put_sum(buf, &st->s_c);
	bytes_put_sum(buf, &st->s_cc);
	bytes_put_sum(buf, &st->s_wc);
	bytes_put_u32(buf, (uint32) (stride > 0 ? st->n_rows : 0));
	if (stride > 0)
		bytes_put_f64s(buf, v->rows, st->n_rows * stride);
}

static void
state_invalid(int code, const char *detail)
{
	aggstate_invalid("uplift_ope_state", code, detail);
}

static bool
in_unit(double x)
{
	return x >= 0.0 && x <= 1.0;
}

/* Options a state can hold: those parse_options accepts. */
static void
check_options(const OpeOptions *o, int code)
{
	if (!(o->alpha > 0.0 && o->alpha < 1.0) || !(o->clip > 0.0))
		state_invalid(code, "alpha or clip is out of range");
	if (o->ci != OPE_CI_NORMAL && o->ci != OPE_CI_BOOTSTRAP)
		state_invalid(code, "Unknown interval method");
	if (o->n_boot < 10 || o->n_boot > OPE_MAX_N_BOOT || o->seed < -OPE_MAX_SEED ||
		o->seed > OPE_MAX_SEED)
		state_invalid(code, "n_boot or seed is out of range");
	if (!in_unit(o->floor) || !in_unit(o->min_ess_share) || !in_unit(o->max_weight_share) ||
		!(o->mean_tolerance >= 0.0))
		state_invalid(code, "An overlap threshold is out of range");
}

/* Counts, extremes and sums a state can hold after st->n rows. */
static void
check_figures(const OpeState *st, int code)
{
	if (st->n < 0 || st->n_clipped < 0 || st->n_clipped > st->n ||
		st->n_below_floor < 0 || st->n_below_floor > st->n)
		state_invalid(code, "A row count is negative or exceeds the number of rows");
	if (!(st->max_w >= 0.0 && st->max_w <= st->opts.clip && isfinite(st->max_w)))
		state_invalid(code, "The largest weight is out of range");
	if (!(st->min_logged == INFINITY || (st->min_logged > 0.0 && st->min_logged <= 1.0)))
		state_invalid(code, "The smallest logged propensity is out of range");
	if (!aggstate_sum_ok(&st->s_w) || !aggstate_sum_ok(&st->s_ww) || !aggstate_sum_ok(&st->s_c) ||
		!aggstate_sum_ok(&st->s_cc) || !aggstate_sum_ok(&st->s_wc))
		state_invalid(code, "A sum is not a number");
}

/*
 * A state from its portable form, checked completely, so that no value
 * given as text or binary can make an aggregate misbehave; errors carry
 * "code".
 */
static void *
state_read(const char *data, Size len, int code)
{
	ByteReader	r;
	OpeOptions	o;
	OpeState	head;
	OpeStateValue *v;
	uint8		version,
				kind;
	int			stride;
	uint32		n_rows;

	if (len < OPE_STATE_FIXED_BYTES)
		state_invalid(code, "The value is too short");
	bytes_reader_init(&r, data, len, "uplift_ope_state");
	version = bytes_get_u8(&r);
	if (version != OPE_STATE_FORMAT_VERSION)
		state_invalid(code, "Unknown format version");
	kind = bytes_get_u8(&r);
	if (kind < OPE_IPS || kind > OPE_OVERLAP)
		state_invalid(code, "Unknown estimator");
	ope_options_default(&o);
	o.alpha = bytes_get_f64(&r);
	o.clip = bytes_get_f64(&r);
	o.ci = bytes_get_u8(&r);
	o.n_boot = bytes_get_i32(&r);
	o.seed = bytes_get_i64(&r);
	o.floor = bytes_get_f64(&r);
	o.min_ess_share = bytes_get_f64(&r);
	o.max_weight_share = bytes_get_f64(&r);
	o.mean_tolerance = bytes_get_f64(&r);
	check_options(&o, code);

	ope_state_init(&head, (OpeKind) kind, &o, NULL);
	head.n = bytes_get_i64(&r);
	head.n_clipped = bytes_get_i64(&r);
	head.n_below_floor = bytes_get_i64(&r);
	head.max_w = bytes_get_f64(&r);
	head.min_logged = bytes_get_f64(&r);
	bytes_get_sum(&r, &head.s_w);
	bytes_get_sum(&r, &head.s_ww);
	bytes_get_sum(&r, &head.s_c);
	bytes_get_sum(&r, &head.s_cc);
	bytes_get_sum(&r, &head.s_wc);
	check_figures(&head, code);

	stride = ope_row_stride(&head);
	n_rows = bytes_get_u32(&r);
	if (stride == 0 ? n_rows != 0 : (int64) n_rows != head.n)
		state_invalid(code, "The kept rows do not match the row count");
	if (n_rows > OPE_MAX_ROW_DOUBLES / Max(stride, 1) ||
		len - OPE_STATE_FIXED_BYTES != (Size) n_rows * stride * sizeof(double))
		state_invalid(code, "The length does not match the kept rows");

	v = value_new(CurrentMemoryContext, (OpeKind) kind, &o, n_rows);
	head.cap_rows = v->st.cap_rows;
	v->st = head;
	value_attach(v);
	bytes_get_f64s(&r, v->rows, (Size) n_rows * stride);
	for (Size i = 0; i < (Size) n_rows * stride; i++)
		if (!isfinite(v->rows[i]))
			state_invalid(code, "A kept row is not a finite number");
	v->st.n_rows = n_rows;
	return v;
}

static bytea *
state_bytes(const void *v)
{
	StringInfoData buf;

	bytes_begin_bytea(&buf);
	state_write(&buf, v);
	return bytes_end_bytea(&buf);
}

static const AggStateType ope_state_type = {"uplift_ope_state", state_bytes, state_read};

PG_FUNCTION_INFO_V1(uplift_ope_state_in);
Datum
uplift_ope_state_in(PG_FUNCTION_ARGS)
{
	return aggstate_in(fcinfo, &ope_state_type);
}

PG_FUNCTION_INFO_V1(uplift_ope_state_out);
Datum
uplift_ope_state_out(PG_FUNCTION_ARGS)
{
	return aggstate_out(fcinfo, &ope_state_type);
}

PG_FUNCTION_INFO_V1(uplift_ope_state_recv);
Datum
uplift_ope_state_recv(PG_FUNCTION_ARGS)
{
	return aggstate_recv(fcinfo, &ope_state_type);
}

PG_FUNCTION_INFO_V1(uplift_ope_state_send);
Datum
uplift_ope_state_send(PG_FUNCTION_ARGS)
{
	return aggstate_send(fcinfo, &ope_state_type);
}

/*
 * The serial and deserial functions of version 0.1.0, whose aggregates keep
 * the same value as an internal state, for installations not yet updated.
 */
PG_FUNCTION_INFO_V1(ope_serialfn);
Datum
ope_serialfn(PG_FUNCTION_ARGS)
{
	return aggstate_serialize(fcinfo, &ope_state_type);
}

PG_FUNCTION_INFO_V1(ope_deserialfn);
Datum
ope_deserialfn(PG_FUNCTION_ARGS)
{
	return aggstate_deserialize(fcinfo, &ope_state_type);
}

/* ------------------------------------------------------------------ final */

/*
 * The state to finish, as a read-only view.  The bootstrap sorts the kept
 * rows, so they are copied first: the value is not this function's to change.
 */
static void
final_state(FunctionCallInfo fcinfo, OpeKind kind, OpeState *st)
{
	OpeStateValue *v = PG_ARGISNULL(0) ? NULL : value_arg(fcinfo, 0);
	int			stride;

	uplift_agg_context(fcinfo, kind_name(kind));
	if (v != NULL)
	{
		check_kind(v, kind);
		value_view(v, st);
	}
	if (v == NULL || st->n == 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("%s needs at least one logged row", kind_name(kind)),
				 errdetail("The input has no rows, so there is nothing to estimate from."),
				 errhint("Check the WHERE or FILTER clause.")));
	stride = ope_row_stride(st);
	if (stride > 0 && st->n_rows > 0)
	{
		Size		bytes = (Size) st->n_rows * stride * sizeof(double);

		st->rows = palloc(bytes);
		memcpy(st->rows, v->rows, bytes);
	}
}

static Datum
estimator_final(FunctionCallInfo fcinfo, OpeKind kind)
{
	OpeState	st;
	OpeResult	res;
	TupleDesc	tupdesc;
	Datum		values[5];
	bool		nulls[5];

	final_state(fcinfo, kind, &st);
	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type of %s must be a row type", kind_name(kind));
	tupdesc = BlessTupleDesc(tupdesc);

	ope_estimate(&st, &res);

	if (res.estimate_overflow)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("%s overflows", kind_name(kind)),
				 errdetail("The sum of the weighted rewards or of the weights is not a finite number."),
				 errhint("Clip the weights with the \"clip\" option or rescale the reward.")));
	if (res.se_overflow)
		ereport(WARNING,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("the standard error and interval of %s overflow and are NULL", kind_name(kind)),
				 errdetail("The squares of the weighted rewards are too large to sum in double precision; the estimate itself is exact."),
				 errhint("Rescale the reward (for example to thousands) or clip the weights with the \"clip\" option.")));

	values[0] = Float8GetDatum(res.estimate);
	values[1] = Float8GetDatum(res.std_error);
	values[2] = Float8GetDatum(res.ci_low);
	values[3] = Float8GetDatum(res.ci_high);
	values[4] = Int64GetDatum(res.n);
	nulls[0] = !res.has_estimate;
	nulls[1] = nulls[2] = nulls[3] = !res.has_se;
	nulls[4] = false;
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}

PG_FUNCTION_INFO_V1(ips_value_finalfn);
Datum
ips_value_finalfn(PG_FUNCTION_ARGS)
{
	return estimator_final(fcinfo, OPE_IPS);
}

PG_FUNCTION_INFO_V1(snips_value_finalfn);
Datum
snips_value_finalfn(PG_FUNCTION_ARGS)
{
	return estimator_final(fcinfo, OPE_SNIPS);
}

PG_FUNCTION_INFO_V1(dr_value_finalfn);
Datum
dr_value_finalfn(PG_FUNCTION_ARGS)
{
	return estimator_final(fcinfo, OPE_DR);
}

PG_FUNCTION_INFO_V1(ope_overlap_finalfn);
Datum
ope_overlap_finalfn(PG_FUNCTION_ARGS)
{
	OpeState	st;
	OpeOverlap	res;
	TupleDesc	tupdesc;
	Datum		values[10];
	bool		nulls[10] = {0};
	Datum	   *warnings;

	final_state(fcinfo, OPE_OVERLAP, &st);
	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type of ope_overlap must be a row type");
	tupdesc = BlessTupleDesc(tupdesc);

	ope_overlap(&st, &res);
	warnings = palloc(sizeof(Datum) * Max(res.n_warnings, 1));
	for (int i = 0; i < res.n_warnings; i++)
		warnings[i] = CStringGetTextDatum(res.warnings[i]);

	if (res.overflow)
		ereport(WARNING,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("the weight sums of ope_overlap overflow: the figures built on them are NULL"),
				 errdetail("ess and ess_share need the sum of the squared weights, sum_weight and mean_weight the sum of the weights; a sum beyond double precision is reported as NULL."),
				 errhint("Clip the weights with the \"clip\" option.")));
	values[0] = Int64GetDatum(res.n);
	values[1] = Float8GetDatum(res.sum_w);
	values[2] = Float8GetDatum(res.mean_w);
	values[3] = Float8GetDatum(res.max_w);
	values[4] = Float8GetDatum(res.ess);
	values[5] = Float8GetDatum(res.ess_share);
	nulls[1] = nulls[2] = !isfinite(res.sum_w);
	nulls[4] = nulls[5] = res.overflow;
	values[6] = Float8GetDatum(res.min_logged);
	values[7] = Float8GetDatum(res.share_below_floor);
	values[8] = Int64GetDatum(res.n_clipped);
	values[9] = PointerGetDatum(res.n_warnings == 0 ? construct_empty_array(TEXTOID) :
								construct_array(warnings, res.n_warnings, TEXTOID,
												-1, false, TYPALIGN_INT));
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}

PG_FUNCTION_INFO_V1(ope_normal_quantile);
Datum
ope_normal_quantile(PG_FUNCTION_ARGS)
{
	double		p = PG_GETARG_FLOAT8(0);

	if (!(p > 0.0 && p < 1.0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("p must be strictly between 0 and 1"),
				 errdetail("Got %g.", p)));
	PG_RETURN_FLOAT8(normal_quantile(p));
}

/*
 * ope_expected_value(outcomes float8[], probs float8[]): sum_a probs[a] *
 * outcomes[a], the value of a row under a stochastic policy (q_target of DR
 * when outcomes are an outcome model's predictions per action).  probs must
 * be a probability distribution over the same actions.
 */
PG_FUNCTION_INFO_V1(ope_expected_value);
Datum
ope_expected_value(PG_FUNCTION_ARGS)
{
	const char *hint = "Give one outcome and one probability per action 0..K.";
	int			n_values,
				n_probs;
	double	   *values = uplift_array_read(PG_GETARG_DATUM(0), "outcomes", 1, INT_MAX, hint,
										   &n_values);
	double	   *probs = uplift_array_read(PG_GETARG_DATUM(1), "probs", n_values, n_values, hint,
										  &n_probs);
	NeumaierSum total = {0};
	NeumaierSum mass = {0};

	for (int a = 0; a < n_probs; a++)
	{
		if (probs[a] < 0.0 || probs[a] > 1.0)
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("probs must be in [0, 1]"),
					 errdetail("Element %d is %g.", a + 1, probs[a])));
		neumaier_add(&mass, probs[a]);
		neumaier_add(&total, probs[a] * values[a]);
	}
	if (fabs(neumaier_value(&mass) - 1.0) > 1e-9)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("probs must sum to 1"),
				 errdetail("They sum to %.17g.", neumaier_value(&mass)),
				 errhint("Pass the policy's probabilities of every action 0..K, e.g. from ope_target_probs.")));
	PG_RETURN_FLOAT8(neumaier_value(&total));
}

/* ------------------------------------------------ per-row argument checks */

/*
 * Every logged row counts, so a NULL, NaN or infinite value or a propensity
 * out of range is an error, never a skipped row (dropping logged rows
 * silently biases every estimator); the options must be the same on every
 * row.  ope_compare.c uses these too (ope.h).
 */
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

/*
 * What a support function keeps across calls (fn_extra): whether it is
 * declared on internal, and the last options argument it parsed.
 */
typedef struct OpeCallCache
{
	bool		internal_state;
	int			opts_len;		/* -1 until options are cached */
	char	   *opts_bytes;
	void	   *parsed;
} OpeCallCache;

static OpeCallCache *
call_cache(FunctionCallInfo fcinfo)
{
	OpeCallCache *c = fcinfo->flinfo->fn_extra;

	if (c != NULL)
		return c;
	c = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(OpeCallCache));
	c->internal_state = uplift_arg_type(fcinfo, 0) == INTERNALOID;
	c->opts_len = -1;
	fcinfo->flinfo->fn_extra = c;
	return c;
}

bool
ope_internal_state(FunctionCallInfo fcinfo)
{
	return call_cache(fcinfo)->internal_state;
}

/* The bytes of a jsonb argument, detoasted. */
static struct varlena *
options_varlena(FunctionCallInfo fcinfo, int argno)
{
	return pg_detoast_datum_packed((struct varlena *) DatumGetPointer(PG_GETARG_DATUM(argno)));
}

bool
ope_options_lookup(FunctionCallInfo fcinfo, int argno, void *parsed, Size size)
{
	OpeCallCache *c = call_cache(fcinfo);
	struct varlena *v = options_varlena(fcinfo, argno);

	if (c->opts_len != (int) VARSIZE_ANY_EXHDR(v) ||
		memcmp(VARDATA_ANY(v), c->opts_bytes, c->opts_len) != 0)
		return false;
	memcpy(parsed, c->parsed, size);
	return true;
}

void
ope_options_remember(FunctionCallInfo fcinfo, int argno, const void *parsed, Size size)
{
	OpeCallCache *c = call_cache(fcinfo);
	struct varlena *v = options_varlena(fcinfo, argno);
	int			len = VARSIZE_ANY_EXHDR(v);

	if (c->opts_bytes != NULL)
		pfree(c->opts_bytes);
	if (c->parsed == NULL)
		c->parsed = MemoryContextAlloc(fcinfo->flinfo->fn_mcxt, size);
	c->opts_bytes = MemoryContextAlloc(fcinfo->flinfo->fn_mcxt, Max(len, 1));
	memcpy(c->opts_bytes, VARDATA_ANY(v), len);
	memcpy(c->parsed, parsed, size);
	c->opts_len = len;
}

void
ope_options_differ(const char *fn)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("options of %s must be the same on every row", fn),
			 errhint("Pass the options as a constant, or group the rows by their options.")));
}
