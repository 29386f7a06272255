/*
 * ope_compare.c
 *	  SQL glue of the paired off-policy aggregates ips_diff, snips_diff,
 *	  dr_diff, sndr_value, switch_dr_value, uplift_ate and ope_allocation:
 *	  argument checks, options, transition, combine, serialization and final
 *	  functions.  The arithmetic is in ope_compare_estimators.c.
 *
 * As for ips_value, a NULL or non-finite input is an error, not a skipped
 * row, and the options are read from the first row and must be the same
 * (byte for byte) on every row.
 */
#include "uplift.h"

#include "catalog/pg_type.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/typcache.h"

#include "bytes.h"
#include "ope.h"
#include "ope_compare_estimators.h"
#include "options.h"

#define CMP_STATE_FORMAT_VERSION 1

typedef struct CmpAgg
{
	CmpState	st;
	char	   *opts_bytes;		/* options of the first row, NULL if none */
	int			opts_len;
} CmpAgg;

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

static void
check_same_options(CmpAgg *agg, FunctionCallInfo fcinfo, int argno)
{
	if (!ope_options_same(fcinfo, argno, agg->opts_bytes, agg->opts_len))
		ope_options_differ(kind_name(agg->st.kind));
}

/* The state of this transition call, created on the first row. */
static CmpAgg *
trans_state(FunctionCallInfo fcinfo, CmpKind kind, int opts_argno)
{
	MemoryContext aggcxt;
	CmpAgg	   *agg;
	CmpOptions	o;
	Jsonb	   *j = NULL;

	if (!PG_ARGISNULL(0))
	{
		agg = (CmpAgg *) PG_GETARG_POINTER(0);
		if (opts_argno > 0)
			check_same_options(agg, fcinfo, opts_argno);
		return agg;
	}
	aggcxt = uplift_agg_context(fcinfo, kind_name(kind));
	if (opts_argno > 0 && !PG_ARGISNULL(opts_argno))
		j = PG_GETARG_JSONB_P(opts_argno);
	parse_options(j, kind, &o);
	agg = MemoryContextAllocZero(aggcxt, sizeof(CmpAgg));
	cmp_state_init(&agg->st, kind, &o, aggcxt);
	if (opts_argno > 0)
		ope_options_keep(fcinfo, opts_argno, aggcxt, &agg->opts_bytes, &agg->opts_len);
	return agg;
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
	CmpAgg	   *agg = trans_state(fcinfo, kind, PG_NARGS() > n_args + 1 ? n_args + 1 : 0);
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
	CmpAgg	   *agg = trans_state(fcinfo, kind, PG_NARGS() > 6 ? 6 : 0);
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
	CmpAgg	   *agg = trans_state(fcinfo, CMP_ATE, PG_NARGS() > 3 ? 3 : 0);
	int32		action = arg_action(fcinfo, 1, CMP_ATE, "action", CMP_MAX_ACTIONS);
	double		y = arg_value(fcinfo, 2, CMP_ATE, "outcome");

	cmp_add_ate(&agg->st, action, y);
	PG_RETURN_POINTER(agg);
}

/* ope_allocation(action, logged_propensity, chosen_action, value, cost, options) */
PG_FUNCTION_INFO_V1(ope_allocation_transfn);
Datum
ope_allocation_transfn(PG_FUNCTION_ARGS)
{
	CmpAgg	   *agg = trans_state(fcinfo, CMP_ALLOCATION, 6);
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

PG_FUNCTION_INFO_V1(ope_compare_combinefn);
Datum
ope_compare_combinefn(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt = uplift_agg_context(fcinfo, "ope_compare_combinefn");
	CmpAgg	   *a = PG_ARGISNULL(0) ? NULL : (CmpAgg *) PG_GETARG_POINTER(0);
	CmpAgg	   *b = PG_ARGISNULL(1) ? NULL : (CmpAgg *) PG_GETARG_POINTER(1);

	if (b == NULL)
		PG_RETURN_POINTER(a);
	if (a == NULL)
	{
		a = MemoryContextAllocZero(aggcxt, sizeof(CmpAgg));
		cmp_state_init(&a->st, b->st.kind, &b->st.opts, aggcxt);
	}
	if (a->st.kind != b->st.kind)
		elog(ERROR, "cannot combine paired off-policy states of kinds %d and %d",
			 a->st.kind, b->st.kind);
	if (!cmp_options_equal(&a->st.opts, &b->st.opts))
		ope_options_differ(kind_name(a->st.kind));
	cmp_merge(&a->st, &b->st);
	PG_RETURN_POINTER(a);
}

/*
 * Serialized state, format 1 (big-endian, src/bytes.h): u8 version, u8 kind,
 * options (f64 alpha, clip, tau, epsilon, min_propensity, i32 actions,
 * u8 baseline, u8 self_normalized), u32 groups, then per group i64 rows,
 * i64 chosen, and the compensated sums (f64 sum, f64 compensation) of the
 * dim components and the dim (dim + 1) / 2 products.
 */
PG_FUNCTION_INFO_V1(ope_compare_serialfn);
Datum
ope_compare_serialfn(PG_FUNCTION_ARGS)
{
	CmpAgg	   *agg = (CmpAgg *) PG_GETARG_POINTER(0);
	CmpState   *st = &agg->st;
	int			n_products = st->dim * (st->dim + 1) / 2;
	StringInfoData buf;

	uplift_agg_context(fcinfo, "ope_compare_serialfn");
	bytes_begin_bytea(&buf);
	bytes_put_u8(&buf, CMP_STATE_FORMAT_VERSION);
	bytes_put_u8(&buf, (uint8) st->kind);
	bytes_put_f64(&buf, st->opts.alpha);
	bytes_put_f64(&buf, st->opts.clip);
	bytes_put_f64(&buf, st->opts.tau);
	bytes_put_f64(&buf, st->opts.epsilon);
	bytes_put_f64(&buf, st->opts.min_propensity);
	bytes_put_i32(&buf, st->opts.n_actions);
	bytes_put_u8(&buf, (uint8) st->opts.baseline);
	bytes_put_u8(&buf, st->opts.self_normalized ? 1 : 0);
	bytes_put_u32(&buf, (uint32) st->n_groups);
	for (int g = 0; g < st->n_groups; g++)
	{
		bytes_put_i64(&buf, st->groups[g].n);
		bytes_put_i64(&buf, st->chosen[g]);
		for (int i = 0; i < st->dim; i++)
			bytes_put_sum(&buf, &st->groups[g].s[i]);
		for (int k = 0; k < n_products; k++)
			bytes_put_sum(&buf, &st->groups[g].m[k]);
	}
	PG_RETURN_BYTEA_P(bytes_end_bytea(&buf));
}

PG_FUNCTION_INFO_V1(ope_compare_deserialfn);
Datum
ope_compare_deserialfn(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt = uplift_agg_context(fcinfo, "ope_compare_deserialfn");
	bytea	   *in = PG_GETARG_BYTEA_PP(0);
	ByteReader	r;
	CmpOptions	o;
	CmpAgg	   *agg;
	CmpState   *st;
	uint8		kind;
	int			dim;
	uint32		n_groups;

	bytes_reader_init(&r, VARDATA_ANY(in), VARSIZE_ANY_EXHDR(in), "paired off-policy state");
	if (bytes_get_u8(&r) != CMP_STATE_FORMAT_VERSION)
		bytes_corrupted(&r, "unknown format version");
	kind = bytes_get_u8(&r);
	if (kind < CMP_IPS_DIFF || kind > CMP_ALLOCATION)
		bytes_corrupted(&r, "unknown estimator");
	cmp_options_default(&o);
	o.alpha = bytes_get_f64(&r);
	o.clip = bytes_get_f64(&r);
	o.tau = bytes_get_f64(&r);
	o.epsilon = bytes_get_f64(&r);
	o.min_propensity = bytes_get_f64(&r);
	o.n_actions = bytes_get_i32(&r);
	o.baseline = bytes_get_u8(&r);
	o.self_normalized = bytes_get_u8(&r) != 0;
	if (o.n_actions < 0 || o.n_actions > CMP_MAX_ACTIONS ||
		o.baseline > CMP_BASELINE_UNTARGETED)
		bytes_corrupted(&r, "options out of range");
	dim = cmp_dim((CmpKind) kind);
	n_groups = bytes_get_count(&r, 16 + 16 * (dim + dim * (dim + 1) / 2),
							   CMP_MAX_ACTIONS + 1);
	if (kind == CMP_ALLOCATION ? n_groups != (uint32) o.n_actions + 1 :
		kind == CMP_ATE ? n_groups == 0 : n_groups != 1)
		bytes_corrupted(&r, "wrong number of groups");

	agg = MemoryContextAllocZero(aggcxt, sizeof(CmpAgg));
	st = &agg->st;
	cmp_state_init(st, (CmpKind) kind, &o, aggcxt);
	cmp_reserve_groups(st, (int32) n_groups);
	for (uint32 g = 0; g < n_groups; g++)
	{
		st->groups[g].n = bytes_get_i64(&r);
		st->chosen[g] = bytes_get_i64(&r);
		if (st->groups[g].n < 0 || st->chosen[g] < 0)
			bytes_corrupted(&r, "negative count");
		for (int i = 0; i < dim; i++)
			bytes_get_sum(&r, &st->groups[g].s[i]);
		for (int k = 0; k < dim * (dim + 1) / 2; k++)
			bytes_get_sum(&r, &st->groups[g].m[k]);
	}
	bytes_expect_end(&r);
	PG_RETURN_POINTER(agg);
}

static CmpAgg *
final_state(FunctionCallInfo fcinfo, CmpKind kind)
{
	CmpAgg	   *agg = PG_ARGISNULL(0) ? NULL : (CmpAgg *) PG_GETARG_POINTER(0);

	uplift_agg_context(fcinfo, kind_name(kind));
	if (agg == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("%s needs at least one logged row", kind_name(kind)),
				 errdetail("The input has no rows, so there is nothing to estimate from."),
				 errhint("Check the WHERE or FILTER clause.")));
	return agg;
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
	CmpAgg	   *agg = final_state(fcinfo, kind);
	OpeResult	res;
	TupleDesc	tupdesc;

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type of %s must be a row type", kind_name(kind));
	cmp_estimate(&agg->st, &res);
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
	CmpAgg	   *agg = final_state(fcinfo, CMP_ATE);
	CmpState   *st = &agg->st;
	Oid			elemtype;
	TupleDesc	tupdesc = uplift_result_rows_desc(fcinfo, &elemtype);
	int			n_actions = st->n_groups - 1;
	Datum	   *elems;

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
	CmpAgg	   *agg = final_state(fcinfo, CMP_ALLOCATION);
	Oid			elemtype;
	TupleDesc	tupdesc = uplift_result_rows_desc(fcinfo, &elemtype);
	static const char *const outcomes[] = {"value", "cost"};
	Datum		elems[2];

	for (int o = 0; o < 2; o++)
	{
		CmpComparison c;
		Datum		values[8];
		bool		nulls[8] = {0};

		cmp_allocation(&agg->st, o, &c);
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
