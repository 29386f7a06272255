/*
 * ope_compare.c
 *	  SQL glue of the paired off-policy aggregates ips_diff, snips_diff,
 *	  dr_diff, sndr_value, switch_dr_value, uplift_ate and ope_allocation:
 *	  argument checks, options, transition, combine and final functions, and
 *	  their state type uplift_ope_compare_state (doc/citus.md).  The
 *	  arithmetic is in ope_compare_estimators.c.
 *
 * As for ips_value, a NULL or non-finite input is an error, not a skipped
 * row, and the options are read from the first row and must be the same on
 * every row.
 */
#include "uplift.h"

#include "catalog/pg_type.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/typcache.h"

#include "aggstate.h"
#include "bytes.h"
#include "ope.h"
#include "ope_compare_estimators.h"
#include "options.h"

#define CMP_STATE_FORMAT_VERSION 1

/*
 * A value of type uplift_ope_compare_state, the state of every aggregate
 * here, as it lives in memory: the estimator state, then room for
 * st.cap_groups groups and as many counts of chosen actions (st.n_groups in
 * use).  The transition and combine functions change the value they are
 * given in place, within the aggregate, so a row costs no copy; st.groups
 * and st.chosen are pointed into the value on each call, as it may have
 * moved.  The text and binary forms are the portable format of state_write.
 */
typedef struct CmpStateValue
{
	int32		vl_len_;		/* varlena header */
	CmpState	st;
	CmpGroup	groups[FLEXIBLE_ARRAY_MEMBER];	/* then int64 chosen[cap] */
} CmpStateValue;

static const char *const diff_keys[] = {"alpha", "clip", NULL};
static const char *const switch_keys[] = {"alpha", "tau", NULL};
static const char *const ate_keys[] = {"alpha", NULL};
static const char *const allocation_keys[] = {"actions", "epsilon", "min_propensity",
"baseline", "estimator", "alpha", "clip", NULL};
static const char *const baseline_choices[] = {"no_offer", "logged", "untargeted", NULL};
static const char *const estimator_choices[] = {"ips", "snips", NULL};

static const char *
kind_name(CmpKind kind)
{
	switch (kind)
	{
		case CMP_IPS_DIFF:
			return "ips_diff";
		case CMP_SNIPS_DIFF:
			return "snips_diff";
		case CMP_DR_DIFF:
			return "dr_diff";
		case CMP_SNDR:
			return "sndr_value";
		case CMP_SWITCH_DR:
			return "switch_dr_value";
		case CMP_ATE:
			return "uplift_ate";
		case CMP_ALLOCATION:
			return "ope_allocation";
	}
	return "?";
}

static void
parse_allocation_options(Jsonb *j, CmpOptions *o)
{
	if (options_lookup(j, "actions") == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("option \"actions\" of ope_allocation is required"),
				 errhint("Pass the number K of offer actions (actions 1..K), e.g. '{\"actions\": 2}'.")));
	o->n_actions = (int32) options_int(j, "actions", 1, 1, CMP_MAX_ACTIONS);
	o->epsilon = options_float(j, "epsilon", 0.0, 0.0, 1.0);
	o->min_propensity = options_float(j, "min_propensity", 0.0, 0.0, 1.0);
	if (o->min_propensity * (o->n_actions + 1) > 1.0 + 1e-12)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("option \"min_propensity\" of ope_allocation cannot be met by %d actions",
						o->n_actions + 1),
				 errhint("Use a min_propensity of at most 1/%d.", o->n_actions + 1)));
	o->baseline = options_choice(j, "baseline", CMP_BASELINE_NO_OFFER, baseline_choices);
	o->self_normalized = options_choice(j, "estimator", 1, estimator_choices) == 1;
}

static void
parse_options(Jsonb *j, CmpKind kind, CmpOptions *o)
{
	const char *fn = kind_name(kind);
	const char *const *keys;

	cmp_options_default(o);
	if (j == NULL)
	{
		if (kind == CMP_ALLOCATION)
			parse_allocation_options(NULL, o);
		return;
	}
	keys = kind == CMP_SWITCH_DR ? switch_keys : kind == CMP_ATE ? ate_keys :
		kind == CMP_ALLOCATION ? allocation_keys : diff_keys;
	options_check_keys(j, fn, keys);

	o->alpha = options_float(j, "alpha", OPE_DEFAULT_ALPHA, 0.0, 1.0);
	if (!(o->alpha > 0.0 && o->alpha < 1.0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("option \"alpha\" of %s must be strictly between 0 and 1", fn),
				 errdetail("Got %g.", o->alpha),
				 errhint("alpha = 0.05 gives a 95%% interval.")));
	o->clip = options_float(j, "clip", INFINITY, 0.0, INFINITY);
	if (!(o->clip > 0.0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("option \"clip\" of %s must be greater than 0", fn),
				 errdetail("Got %g.", o->clip),
				 errhint("clip is the largest importance weight kept; weights above it are set to it.")));
	o->tau = options_float(j, "tau", INFINITY, 0.0, INFINITY);
	if (kind == CMP_ALLOCATION)
		parse_allocation_options(j, o);
}

/* The options of this row, parsed once per distinct options value. */
static void
row_options(FunctionCallInfo fcinfo, int argno, CmpKind kind, CmpOptions *o)
{
	if (argno == 0 || PG_ARGISNULL(argno))
	{
		parse_options(NULL, kind, o);
		return;
	}
	if (ope_options_lookup(fcinfo, argno, o, sizeof(*o)))
		return;
	parse_options(PG_GETARG_JSONB_P(argno), kind, o);
	ope_options_remember(fcinfo, argno, o, sizeof(*o));
}

/* ------------------------------------------------------ the state value */

static Size
value_size(int32 cap_groups)
{
	return offsetof(CmpStateValue, groups) + (Size) cap_groups * (sizeof(CmpGroup) + sizeof(int64));
}

/* Point the state into its value, for a value this call may change. */
static CmpState *
value_attach(CmpStateValue *v)
{
	v->st.groups = v->groups;
	v->st.chosen = (int64 *) (v->groups + v->st.cap_groups);
	v->st.cxt = NULL;
	return &v->st;
}

/* A read-only look at a value: its state, pointing into it. */
static void
value_view(const CmpStateValue *v, CmpState *st)
{
	*st = v->st;
	st->groups = (CmpGroup *) v->groups;
	st->chosen = (int64 *) (v->groups + v->st.cap_groups);
	st->cxt = NULL;
}

/*
 * A new state in cxt with groups 0..n_groups-1 in use and room for
 * cap_groups, copying the groups and counts of "from" if given.
 */
static CmpStateValue *
value_make(MemoryContext cxt, CmpKind kind, const CmpOptions *o, int32 n_groups,
		   int32 cap_groups, const CmpState *from)
{
	Size		size = value_size(cap_groups);
	CmpStateValue *v = MemoryContextAllocZero(cxt, size);

	SET_VARSIZE(v, size);
	v->st.kind = kind;
	v->st.dim = cmp_dim(kind);
	v->st.opts = *o;
	v->st.n_groups = n_groups;
	v->st.cap_groups = cap_groups;
	value_attach(v);
	if (from != NULL)
	{
		memcpy(v->st.groups, from->groups, from->n_groups * sizeof(CmpGroup));
		memcpy(v->st.chosen, from->chosen, from->n_groups * sizeof(int64));
	}
	return v;
}

static CmpStateValue *
value_new(MemoryContext cxt, CmpKind kind, const CmpOptions *o)
{
	int32		n_groups = kind == CMP_ALLOCATION ? o->n_actions + 1 : 1;

	return value_make(cxt, kind, o, n_groups, n_groups, NULL);
}

/*
 * v itself, or a larger copy in cxt, so that groups 0..n_groups-1 exist
 * (the capacity doubles).  The aggregate machinery copies a returned value
 * that is not its state and frees the old one.
 */
static CmpStateValue *
value_reserve(CmpStateValue *v, int32 n_groups, MemoryContext cxt)
{
	int32		cap;
	CmpState	old;

	if (n_groups <= v->st.n_groups)
		return v;
	if (n_groups <= v->st.cap_groups)
	{
		v->st.n_groups = n_groups;
		return v;
	}
	cap = Min(Max(n_groups, Max(v->st.cap_groups * 2, 4)), CMP_MAX_ACTIONS + 1);
	value_view(v, &old);
	return value_make(cxt, (CmpKind) v->st.kind, &v->st.opts, n_groups, cap, &old);
}

static inline CmpStateValue *
value_arg(FunctionCallInfo fcinfo, int argno)
{
	return (CmpStateValue *) aggstate_arg(fcinfo, argno);
}

static void
check_kind(const CmpStateValue *v, CmpKind kind)
{
	if (v->st.kind != kind)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("a state of %s cannot be used by %s", kind_name(v->st.kind), kind_name(kind)),
				 errhint("Combine and finish a state with the aggregate that made it.")));
}

/* ------------------------------------------------------------ transition */

/*
 * The state of this transition call: a new one on the first row (in the
 * per-row context, which the aggregate copies it out of), else the one
 * passed, which only an aggregate may pass: it is changed in place.
 */
static CmpStateValue *
trans_state(FunctionCallInfo fcinfo, CmpKind kind, int opts_argno)
{
	CmpStateValue *v;
	CmpOptions	o;

	if (unlikely(!ope_in_aggregate(fcinfo)))
		uplift_agg_context(fcinfo, kind_name(kind));	/* the error */
	if (PG_ARGISNULL(0))
	{
		row_options(fcinfo, opts_argno, kind, &o);
		return value_new(CurrentMemoryContext, kind, &o);
	}
	v = value_arg(fcinfo, 0);
	check_kind(v, kind);
	if (opts_argno > 0)
	{
		row_options(fcinfo, opts_argno, kind, &o);
		if (!cmp_options_equal(&o, &v->st.opts))
			ope_options_differ(kind_name(kind));
	}
	value_attach(v);
	return v;
}

static double
arg_value(FunctionCallInfo fcinfo, int argno, CmpKind kind, const char *what)
{
	return ope_arg_finite(fcinfo, argno, kind_name(kind), what);
}

static double
arg_probability(FunctionCallInfo fcinfo, int argno, CmpKind kind, const char *what,
				bool logged)
{
	return ope_arg_propensity(fcinfo, argno, kind_name(kind), what, logged);
}

/* An action argument in 0..max_action. */
static int32
arg_action(FunctionCallInfo fcinfo, int argno, CmpKind kind, const char *what,
		   int32 max_action)
{
	int32		a;

	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s of %s must not be NULL", what, kind_name(kind)),
				 errhint(kind == CMP_ALLOCATION ?
						 "Give units without an allocated action action 0, e.g. coalesce(a.action, 0)." :
						 "Exclude the row explicitly with WHERE action IS NOT NULL.")));
	a = PG_GETARG_INT32(argno);
	if (a < 0 || a > max_action)
		ereport(ERROR,
				(errcode(a > CMP_MAX_ACTIONS ? ERRCODE_PROGRAM_LIMIT_EXCEEDED : ERRCODE_DATA_EXCEPTION),
				 errmsg("%s of %s must be between 0 and %d", what, kind_name(kind), max_action),
				 errdetail("Got %d.", a),
				 errhint(kind == CMP_ALLOCATION ?
						 "Actions are 0 (no offer) and 1..K, K the \"actions\" option." :
						 "Actions are 0 (control) and 1..K.")));
	return a;
}

static void
row_overflow(CmpKind kind)
{
	ereport(ERROR,
			(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			 errmsg("a weighted term of %s overflows", kind_name(kind)),
			 errdetail("A propensity ratio times the reward or outcome is not a finite number."),
			 errhint("Clip the weights with the \"clip\" option, repair tiny logged propensities, or rescale the reward.")));
}

/* ips_diff, snips_diff (3 value arguments) and dr_diff (6). */
static Datum
diff_trans(FunctionCallInfo fcinfo, CmpKind kind)
{
	int			n_args = kind == CMP_DR_DIFF ? 7 : 4;
	CmpStateValue *agg = trans_state(fcinfo, kind, PG_NARGS() > n_args + 1 ? n_args + 1 : 0);
	double		r = arg_value(fcinfo, 1, kind, "reward");
	double		p = arg_probability(fcinfo, 2, kind, "logged_propensity", true);
	double		ta = arg_probability(fcinfo, 3, kind, "target_propensity", false);
	double		tb = arg_probability(fcinfo, 4, kind, "baseline_propensity", false);
	double		ql = 0.0,
				qa = 0.0,
				qb = 0.0;

	if (kind == CMP_DR_DIFF)
	{
		ql = arg_value(fcinfo, 5, kind, "q_logged");
		qa = arg_value(fcinfo, 6, kind, "q_target");
		qb = arg_value(fcinfo, 7, kind, "q_baseline");
	}
	if (!cmp_add_diff(&agg->st, r, p, ta, tb, ql, qa, qb))
		row_overflow(kind);
	PG_RETURN_POINTER(agg);
}

PG_FUNCTION_INFO_V1(ips_diff_transfn);
Datum
ips_diff_transfn(PG_FUNCTION_ARGS)
{
	return diff_trans(fcinfo, CMP_IPS_DIFF);
}

PG_FUNCTION_INFO_V1(snips_diff_transfn);
Datum
snips_diff_transfn(PG_FUNCTION_ARGS)
{
	return diff_trans(fcinfo, CMP_SNIPS_DIFF);
}

PG_FUNCTION_INFO_V1(dr_diff_transfn);
Datum
dr_diff_transfn(PG_FUNCTION_ARGS)
{
	return diff_trans(fcinfo, CMP_DR_DIFF);
}

/* sndr_value and switch_dr_value: the arguments of dr_value. */
static Datum
dr_family_trans(FunctionCallInfo fcinfo, CmpKind kind)
{
	CmpStateValue *agg = trans_state(fcinfo, kind, PG_NARGS() > 6 ? 6 : 0);
	double		r = arg_value(fcinfo, 1, kind, "reward");
	double		p = arg_probability(fcinfo, 2, kind, "logged_propensity", true);
	double		t = arg_probability(fcinfo, 3, kind, "target_propensity", false);
	double		ql = arg_value(fcinfo, 4, kind, "q_logged");
	double		qt = arg_value(fcinfo, 5, kind, "q_target");

	if (!cmp_add_dr(&agg->st, r, p, t, ql, qt))
		row_overflow(kind);
	PG_RETURN_POINTER(agg);
}

PG_FUNCTION_INFO_V1(sndr_value_transfn);
Datum
sndr_value_transfn(PG_FUNCTION_ARGS)
{
	return dr_family_trans(fcinfo, CMP_SNDR);
}

PG_FUNCTION_INFO_V1(switch_dr_value_transfn);
Datum
switch_dr_value_transfn(PG_FUNCTION_ARGS)
{
	return dr_family_trans(fcinfo, CMP_SWITCH_DR);
}

/* uplift_ate(action, outcome [, options]) */
PG_FUNCTION_INFO_V1(uplift_ate_transfn);
Datum
uplift_ate_transfn(PG_FUNCTION_ARGS)
{
	CmpStateValue *agg = trans_state(fcinfo, CMP_ATE, PG_NARGS() > 3 ? 3 : 0);
	int32		action = arg_action(fcinfo, 1, CMP_ATE, "action", CMP_MAX_ACTIONS);
	double		y = arg_value(fcinfo, 2, CMP_ATE, "outcome");

	agg = value_reserve(agg, action + 1, CurrentMemoryContext);
	cmp_add_ate(&agg->st, action, y);
	PG_RETURN_POINTER(agg);
}

/* ope_allocation(action, logged_propensity, chosen_action, value, cost, options) */
PG_FUNCTION_INFO_V1(ope_allocation_transfn);
Datum
ope_allocation_transfn(PG_FUNCTION_ARGS)
{
	CmpStateValue *agg = trans_state(fcinfo, CMP_ALLOCATION, 6);
	int32		k = agg->st.opts.n_actions;
	int32		action = arg_action(fcinfo, 1, CMP_ALLOCATION, "action", k);
	double		p = arg_probability(fcinfo, 2, CMP_ALLOCATION, "logged_propensity", true);
	int32		chosen = arg_action(fcinfo, 3, CMP_ALLOCATION, "chosen_action", k);
	double		value = arg_value(fcinfo, 4, CMP_ALLOCATION, "value");
	double		cost = arg_value(fcinfo, 5, CMP_ALLOCATION, "cost");

	if (!cmp_add_allocation(&agg->st, action, p, chosen, value, cost))
		row_overflow(CMP_ALLOCATION);
	PG_RETURN_POINTER(agg);
}

/*
 * Not strict: a NULL side (a partial aggregate without rows) gives the
 * other, copied, since the result may be changed in place later.
 */
PG_FUNCTION_INFO_V1(ope_compare_combinefn);
Datum
ope_compare_combinefn(PG_FUNCTION_ARGS)
{
	CmpStateValue *a;
	CmpStateValue *b;
	CmpState	other;

	uplift_agg_context(fcinfo, "ope_compare_combinefn");
	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
	b = value_arg(fcinfo, 1);
	value_view(b, &other);
	if (PG_ARGISNULL(0))
		PG_RETURN_POINTER(value_make(CurrentMemoryContext, (CmpKind) other.kind, &other.opts,
									 other.n_groups, other.n_groups, &other));
	a = value_arg(fcinfo, 0);
	check_kind(b, a->st.kind);
	if (!cmp_options_equal(&a->st.opts, &other.opts))
		ope_options_differ(kind_name(a->st.kind));
	value_attach(a);
	a = value_reserve(a, other.n_groups, CurrentMemoryContext);
	cmp_merge(&a->st, &other);
	PG_RETURN_POINTER(a);
}

/* -------------------------------------------- portable form and type I/O */

/*
 * The portable form of a state, format 1 (big-endian, src/bytes.h): u8
 * version, u8 kind, options (f64 alpha, clip, tau, epsilon, min_propensity,
 * i32 actions, u8 baseline, u8 self_normalized), u32 groups, then per group
 * i64 rows, i64 chosen, and the compensated sums (f64 sum, f64
 * compensation) of the dim components and the dim (dim + 1) / 2 products.
 */
#define CMP_STATE_FIXED_BYTES (1 + 1 + 5 * 8 + 4 + 1 + 1 + 4)

static void
state_write(StringInfo buf, const CmpStateValue *v)
{
	CmpState	st;
	int			n_products;

	value_view(v, &st);
	n_products = st.dim * (st.dim + 1) / 2;
	bytes_put_u8(buf, CMP_STATE_FORMAT_VERSION);
	bytes_put_u8(buf, (uint8) st.kind);
	bytes_put_f64(buf, st.opts.alpha);
	bytes_put_f64(buf, st.opts.clip);
	bytes_put_f64(buf, st.opts.tau);
	bytes_put_f64(buf, st.opts.epsilon);
	bytes_put_f64(buf, st.opts.min_propensity);
	bytes_put_i32(buf, st.opts.n_actions);
	bytes_put_u8(buf, (uint8) st.opts.baseline);
	bytes_put_u8(buf, st.opts.self_normalized ? 1 : 0);
	bytes_put_u32(buf, (uint32) st.n_groups);
	for (int g = 0; g < st.n_groups; g++)
	{
		bytes_put_i64(buf, st.groups[g].n);
		bytes_put_i64(buf, st.chosen[g]);
		for (int i = 0; i < st.dim; i++)
			bytes_put_sum(buf, &st.groups[g].s[i]);
		for (int k = 0; k < n_products; k++)
			bytes_put_sum(buf, &st.groups[g].m[k]);
	}
}

static void
state_invalid(int code, const char *detail)
{
	aggstate_invalid("uplift_ope_compare_state", code, detail);
}

/* Options a state can hold: those parse_options accepts. */
static void
check_options(CmpKind kind, const CmpOptions *o, int code)
{
	if (!(o->alpha > 0.0 && o->alpha < 1.0) || !(o->clip > 0.0) || !(o->tau >= 0.0))
		state_invalid(code, "alpha, clip or tau is out of range");
	if (!(o->epsilon >= 0.0 && o->epsilon <= 1.0) ||
		!(o->min_propensity >= 0.0 && o->min_propensity <= 1.0) ||
		o->n_actions < (kind == CMP_ALLOCATION ? 1 : 0) || o->n_actions > CMP_MAX_ACTIONS ||
		o->baseline < CMP_BASELINE_NO_OFFER || o->baseline > CMP_BASELINE_UNTARGETED)
		state_invalid(code, "An allocation option is out of range");
}

/* The groups of a state read back: counts and sums it can hold. */
static void
read_groups(ByteReader *r, CmpState *st, int code)
{
	int			n_products = st->dim * (st->dim + 1) / 2;

	for (int g = 0; g < st->n_groups; g++)
	{
		CmpGroup   *grp = &st->groups[g];

		grp->n = bytes_get_i64(r);
		st->chosen[g] = bytes_get_i64(r);
		if (grp->n < 0 || st->chosen[g] < 0 ||
			(st->kind != CMP_ALLOCATION && st->chosen[g] != 0))
			state_invalid(code, "A row count is out of range");
		for (int i = 0; i < st->dim; i++)
			bytes_get_sum(r, &grp->s[i]);
		for (int k = 0; k < n_products; k++)
			bytes_get_sum(r, &grp->m[k]);
		for (int i = 0; i < st->dim; i++)
			if (!aggstate_sum_ok(&grp->s[i]))
				state_invalid(code, "A sum is not a number");
		for (int k = 0; k < n_products; k++)
			if (!aggstate_sum_ok(&grp->m[k]))
				state_invalid(code, "A sum is not a number");
	}
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
	CmpOptions	o;
	CmpStateValue *v;
	uint8		kind;
	int			dim;
	uint32		n_groups;

	if (len < CMP_STATE_FIXED_BYTES)
		state_invalid(code, "The value is too short");
	bytes_reader_init(&r, data, len, "uplift_ope_compare_state");
	if (bytes_get_u8(&r) != CMP_STATE_FORMAT_VERSION)
		state_invalid(code, "Unknown format version");
	kind = bytes_get_u8(&r);
	if (kind < CMP_IPS_DIFF || kind > CMP_ALLOCATION)
		state_invalid(code, "Unknown estimator");
	cmp_options_default(&o);
	o.alpha = bytes_get_f64(&r);
	o.clip = bytes_get_f64(&r);
	o.tau = bytes_get_f64(&r);
	o.epsilon = bytes_get_f64(&r);
	o.min_propensity = bytes_get_f64(&r);
	o.n_actions = bytes_get_i32(&r);
	o.baseline = bytes_get_u8(&r);
	o.self_normalized = bytes_get_u8(&r) != 0;
	check_options((CmpKind) kind, &o, code);
	dim = cmp_dim((CmpKind) kind);
	n_groups = bytes_get_u32(&r);
	if (kind == CMP_ALLOCATION ? n_groups != (uint32) o.n_actions + 1 :
		kind == CMP_ATE ? n_groups == 0 || n_groups > CMP_MAX_ACTIONS + 1 : n_groups != 1)
		state_invalid(code, "Wrong number of groups");
	if (len - CMP_STATE_FIXED_BYTES != (Size) n_groups * (16 + 16 * (dim + dim * (dim + 1) / 2)))
		state_invalid(code, "The length does not match the groups");

	v = value_make(CurrentMemoryContext, (CmpKind) kind, &o, (int32) n_groups,
				   (int32) n_groups, NULL);
	read_groups(&r, &v->st, code);
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

static const AggStateType cmp_state_type = {"uplift_ope_compare_state", state_bytes, state_read};

PG_FUNCTION_INFO_V1(uplift_ope_compare_state_in);
Datum
uplift_ope_compare_state_in(PG_FUNCTION_ARGS)
{
	return aggstate_in(fcinfo, &cmp_state_type);
}

PG_FUNCTION_INFO_V1(uplift_ope_compare_state_out);
Datum
uplift_ope_compare_state_out(PG_FUNCTION_ARGS)
{
	return aggstate_out(fcinfo, &cmp_state_type);
}

PG_FUNCTION_INFO_V1(uplift_ope_compare_state_recv);
Datum
uplift_ope_compare_state_recv(PG_FUNCTION_ARGS)
{
	return aggstate_recv(fcinfo, &cmp_state_type);
}

PG_FUNCTION_INFO_V1(uplift_ope_compare_state_send);
Datum
uplift_ope_compare_state_send(PG_FUNCTION_ARGS)
{
	return aggstate_send(fcinfo, &cmp_state_type);
}

/* ------------------------------------------------------------------ final */

/* The state to finish, as a read-only view. */
static void
final_state(FunctionCallInfo fcinfo, CmpKind kind, CmpState *st)
{
	CmpStateValue *v = PG_ARGISNULL(0) ? NULL : value_arg(fcinfo, 0);

	uplift_agg_context(fcinfo, kind_name(kind));
	if (v == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("%s needs at least one logged row", kind_name(kind)),
				 errdetail("The input has no rows, so there is nothing to estimate from."),
				 errhint("Check the WHERE or FILTER clause.")));
	check_kind(v, kind);
	value_view(v, st);
}

/* An error rather than a NaN or infinity that would look like a number. */
static void
check_result(const OpeResult *res, CmpKind kind)
{
	if ((res->has_estimate && !isfinite(res->estimate)) ||
		(res->has_se && !(isfinite(res->std_error) && isfinite(res->ci_low) &&
						  isfinite(res->ci_high))))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("%s overflows", kind_name(kind)),
				 errdetail("A sum of weighted terms or of their squares is not a finite number."),
				 errhint("Clip the weights with the \"clip\" option or rescale the reward.")));
}

/* An uplift_estimate row. */
static Datum
estimate_datum(TupleDesc tupdesc, const OpeResult *res)
{
	Datum		values[5];
	bool		nulls[5];

	values[0] = Float8GetDatum(res->estimate);
	values[1] = Float8GetDatum(res->std_error);
	values[2] = Float8GetDatum(res->ci_low);
	values[3] = Float8GetDatum(res->ci_high);
	values[4] = Int64GetDatum(res->n);
	nulls[0] = !res->has_estimate;
	nulls[1] = nulls[2] = nulls[3] = !res->has_se;
	nulls[4] = false;
	return HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls));
}

/* The final functions of the aggregates that return one uplift_estimate. */
static Datum
estimate_final(FunctionCallInfo fcinfo, CmpKind kind)
{
	CmpState	st;
	OpeResult	res;
	TupleDesc	tupdesc;

	final_state(fcinfo, kind, &st);
	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type of %s must be a row type", kind_name(kind));
	cmp_estimate(&st, &res);
	check_result(&res, kind);
	return estimate_datum(BlessTupleDesc(tupdesc), &res);
}

PG_FUNCTION_INFO_V1(ips_diff_finalfn);
Datum
ips_diff_finalfn(PG_FUNCTION_ARGS)
{
	return estimate_final(fcinfo, CMP_IPS_DIFF);
}

PG_FUNCTION_INFO_V1(snips_diff_finalfn);
Datum
snips_diff_finalfn(PG_FUNCTION_ARGS)
{
	return estimate_final(fcinfo, CMP_SNIPS_DIFF);
}

PG_FUNCTION_INFO_V1(dr_diff_finalfn);
Datum
dr_diff_finalfn(PG_FUNCTION_ARGS)
{
	return estimate_final(fcinfo, CMP_DR_DIFF);
}

PG_FUNCTION_INFO_V1(sndr_value_finalfn);
Datum
sndr_value_finalfn(PG_FUNCTION_ARGS)
{
	return estimate_final(fcinfo, CMP_SNDR);
}

PG_FUNCTION_INFO_V1(switch_dr_value_finalfn);
Datum
switch_dr_value_finalfn(PG_FUNCTION_ARGS)
{
	return estimate_final(fcinfo, CMP_SWITCH_DR);
}

static Datum
composite_array(Datum *elems, int n, Oid elemtype)
{
	int16		typlen;
	bool		typbyval;
	char		typalign;

	get_typlenbyvalalign(elemtype, &typlen, &typbyval, &typalign);
	return PointerGetDatum(construct_array(elems, n, elemtype, typlen, typbyval, typalign));
}

/* uplift_ate: element a for action a against control, a = 1..K. */
PG_FUNCTION_INFO_V1(uplift_ate_finalfn);
Datum
uplift_ate_finalfn(PG_FUNCTION_ARGS)
{
	CmpState	state;
	CmpState   *st = &state;
	Oid			elemtype;
	TupleDesc	tupdesc;
	int			n_actions;
	Datum	   *elems;

	final_state(fcinfo, CMP_ATE, st);
	tupdesc = uplift_result_rows_desc(fcinfo, &elemtype);
	n_actions = st->n_groups - 1;

	if (st->groups[0].n == 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("uplift_ate needs control rows (action 0)"),
				 errdetail("Every effect is measured against the control arm, which has no row."),
				 errhint("Check the WHERE clause, or code the reference arm as action 0.")));
	if (n_actions == 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("uplift_ate needs rows with an action other than 0"),
				 errdetail("Only control rows were given."),
				 errhint("Check the WHERE clause: the effects compare actions 1..K with action 0.")));
	elems = palloc(sizeof(Datum) * n_actions);
	for (int a = 1; a <= n_actions; a++)
	{
		OpeResult	res;

		cmp_ate(st, a, &res);
		check_result(&res, CMP_ATE);
		elems[a - 1] = estimate_datum(tupdesc, &res);
	}
	return composite_array(elems, n_actions, elemtype);
}

/* ope_allocation: one uplift_policy_comparison per outcome, value and cost. */
PG_FUNCTION_INFO_V1(ope_allocation_finalfn);
Datum
ope_allocation_finalfn(PG_FUNCTION_ARGS)
{
	CmpState	st;
	Oid			elemtype;
	TupleDesc	tupdesc;
	static const char *const outcomes[] = {"value", "cost"};
	Datum		elems[2];

	final_state(fcinfo, CMP_ALLOCATION, &st);
	tupdesc = uplift_result_rows_desc(fcinfo, &elemtype);

	for (int o = 0; o < 2; o++)
	{
		CmpComparison c;
		Datum		values[8];
		bool		nulls[8] = {0};

		cmp_allocation(&st, o, &c);
		check_result(&c.diff, CMP_ALLOCATION);
		values[0] = CStringGetTextDatum(outcomes[o]);
		values[1] = Float8GetDatum(c.policy);
		values[2] = Float8GetDatum(c.baseline);
		values[3] = Float8GetDatum(c.diff.estimate);
		values[4] = Float8GetDatum(c.diff.std_error);
		values[5] = Float8GetDatum(c.diff.ci_low);
		values[6] = Float8GetDatum(c.diff.ci_high);
		values[7] = Int64GetDatum(c.diff.n);
		nulls[4] = nulls[5] = nulls[6] = !c.diff.has_se;
		elems[o] = HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls));
	}
	return composite_array(elems, 2, elemtype);
}
