/*
 * ope.c
 *	  SQL glue of the off-policy evaluation aggregates ips_value,
 *	  snips_value, dr_value and ope_overlap: input checks, options,
 *	  transition, combine, serialization and final functions.  The
 *	  arithmetic is in ope_estimators.c.
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

#include "bytes.h"
#include "ope.h"
#include "ope_args.h"
#include "options.h"

#define OPE_STATE_FORMAT_VERSION 1

/* Largest integer a JSON number holds exactly. */
#define OPE_MAX_SEED INT64CONST(9007199254740991)

/*
 * The aggregate state: the estimator state plus, for the overloads with
 * options, a copy of the options bytes seen on the first row (to check that
 * later rows pass the same options).  Only "st" is serialized.
 */
typedef struct OpeAgg
{
	OpeState	st;
	char	   *opts_bytes;
	int			opts_len;
} OpeAgg;

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

/*
 * Check the options argument of this row against the first row's.  Comparing
 * the bytes costs little; the options are parsed again only if they differ.
 */
static void
check_same_options(OpeAgg *agg, FunctionCallInfo fcinfo, int argno)
{
	OpeOptions	o;

	if (ope_options_same(fcinfo, argno, agg->opts_bytes, agg->opts_len))
		return;
	if (PG_ARGISNULL(argno))
		ope_options_default(&o);
	else
		parse_options(PG_GETARG_JSONB_P(argno), agg->st.kind, &o);
	if (!ope_options_equal(&o, &agg->st.opts))
		ope_options_differ(kind_name(agg->st.kind));
}

/* The state of this transition call, created on the first row. */
static OpeAgg *
trans_state(FunctionCallInfo fcinfo, OpeKind kind, int opts_argno)
{
	MemoryContext aggcxt;
	OpeAgg	   *agg;
	OpeOptions	o;
	Jsonb	   *j = NULL;

	/*
	 * A non-NULL internal state can only come from the aggregate machinery,
	 * so the aggregate context is checked once, when the state is created.
	 */
	if (!PG_ARGISNULL(0))
	{
		agg = (OpeAgg *) PG_GETARG_POINTER(0);
		if (opts_argno > 0)
			check_same_options(agg, fcinfo, opts_argno);
		return agg;
	}

	aggcxt = uplift_agg_context(fcinfo, kind_name(kind));
	if (opts_argno > 0 && !PG_ARGISNULL(opts_argno))
		j = PG_GETARG_JSONB_P(opts_argno);
	parse_options(j, kind, &o);
	agg = MemoryContextAllocZero(aggcxt, sizeof(OpeAgg));
	ope_state_init(&agg->st, kind, &o, aggcxt);
	if (opts_argno > 0)
		ope_options_keep(fcinfo, opts_argno, aggcxt, &agg->opts_bytes, &agg->opts_len);
	return agg;
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
	OpeAgg	   *agg = trans_state(fcinfo, kind, opts_argno);
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
	if (!ope_add(&agg->st, reward, logged, target, q_logged, q_target))
		weight_overflow(reward, logged, target, kind);
	PG_RETURN_POINTER(agg);
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
	OpeAgg	   *agg = trans_state(fcinfo, OPE_OVERLAP, PG_NARGS() > 3 ? 3 : 0);
	double		logged = arg_logged(fcinfo, 1, OPE_OVERLAP);
	double		target = arg_target(fcinfo, 2, OPE_OVERLAP);

	if (!ope_add(&agg->st, 0.0, logged, target, 0.0, 0.0))
		weight_overflow(1.0, logged, target, OPE_OVERLAP);
	PG_RETURN_POINTER(agg);
}

PG_FUNCTION_INFO_V1(ope_combinefn);
Datum
ope_combinefn(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt = uplift_agg_context(fcinfo, "ope_combinefn");
	OpeAgg	   *a = PG_ARGISNULL(0) ? NULL : (OpeAgg *) PG_GETARG_POINTER(0);
	OpeAgg	   *b = PG_ARGISNULL(1) ? NULL : (OpeAgg *) PG_GETARG_POINTER(1);

	if (b == NULL)
		PG_RETURN_POINTER(a);
	if (a == NULL)
	{
		a = MemoryContextAllocZero(aggcxt, sizeof(OpeAgg));
		ope_state_init(&a->st, b->st.kind, &b->st.opts, aggcxt);
	}
	if (a->st.kind != b->st.kind)
		elog(ERROR, "cannot combine off-policy states of kinds %d and %d",
			 a->st.kind, b->st.kind);
	if (!ope_options_equal(&a->st.opts, &b->st.opts))
		ope_options_differ(kind_name(a->st.kind));
	ope_merge(&a->st, &b->st);
	PG_RETURN_POINTER(a);
}

/*
 * Serialized state, format 1 (big-endian, src/bytes.h): u8 version, u8 kind,
 * options (f64 alpha, f64 clip, u8 ci, i32 n_boot, i64 seed, f64 floor,
 * f64 min_ess_share, f64 max_weight_share, f64 mean_tolerance), i64 n,
 * i64 n_clipped, i64 n_below_floor, f64 max_w, f64 min_logged, five sums
 * (f64 sum, f64 compensation each: w, w^2, c, c^2, w c), u32 kept rows
 * followed by stride doubles per row.
 */
PG_FUNCTION_INFO_V1(ope_serialfn);
Datum
ope_serialfn(PG_FUNCTION_ARGS)
{
	OpeAgg	   *agg = (OpeAgg *) PG_GETARG_POINTER(0);
	OpeState   *st = &agg->st;
	int			stride = ope_row_stride(st);
	StringInfoData buf;

	uplift_agg_context(fcinfo, "ope_serialfn");
	bytes_begin_bytea(&buf);
	bytes_put_u8(&buf, OPE_STATE_FORMAT_VERSION);
	bytes_put_u8(&buf, (uint8) st->kind);
	bytes_put_f64(&buf, st->opts.alpha);
	bytes_put_f64(&buf, st->opts.clip);
	bytes_put_u8(&buf, (uint8) st->opts.ci);
	bytes_put_i32(&buf, st->opts.n_boot);
	bytes_put_i64(&buf, st->opts.seed);
	bytes_put_f64(&buf, st->opts.floor);
	bytes_put_f64(&buf, st->opts.min_ess_share);
	bytes_put_f64(&buf, st->opts.max_weight_share);
	bytes_put_f64(&buf, st->opts.mean_tolerance);
	bytes_put_i64(&buf, st->n);
	bytes_put_i64(&buf, st->n_clipped);
	bytes_put_i64(&buf, st->n_below_floor);
	bytes_put_f64(&buf, st->max_w);
	bytes_put_f64(&buf, st->min_logged);
	bytes_put_sum(&buf, &st->s_w);
	bytes_put_sum(&buf, &st->s_ww);
	bytes_put_sum(&buf, &st->s_c);
	bytes_put_sum(&buf, &st->s_cc);
	bytes_put_sum(&buf, &st->s_wc);
	bytes_put_u32(&buf, (uint32) (stride > 0 ? st->n_rows : 0));
	if (stride > 0)
		bytes_put_f64s(&buf, st->rows, st->n_rows * stride);

	PG_RETURN_BYTEA_P(bytes_end_bytea(&buf));
}

PG_FUNCTION_INFO_V1(ope_deserialfn);
Datum
ope_deserialfn(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt = uplift_agg_context(fcinfo, "ope_deserialfn");
	bytea	   *in = PG_GETARG_BYTEA_PP(0);
	ByteReader	r;
	OpeOptions	o;
	OpeAgg	   *agg;
	OpeState   *st;
	uint8		version,
				kind;
	int			stride;
	uint32		n_rows;

	bytes_reader_init(&r, VARDATA_ANY(in), VARSIZE_ANY_EXHDR(in), "off-policy state");
	version = bytes_get_u8(&r);
	if (version != OPE_STATE_FORMAT_VERSION)
		bytes_corrupted(&r, "unknown format version");
	kind = bytes_get_u8(&r);
	if (kind < OPE_IPS || kind > OPE_OVERLAP)
		bytes_corrupted(&r, "unknown estimator");
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
	if (o.ci != OPE_CI_NORMAL && o.ci != OPE_CI_BOOTSTRAP)
		bytes_corrupted(&r, "unknown interval method");
	if (o.n_boot < 10 || o.n_boot > OPE_MAX_N_BOOT)
		bytes_corrupted(&r, "bootstrap replicates out of range");

	agg = MemoryContextAllocZero(aggcxt, sizeof(OpeAgg));
	st = &agg->st;
	ope_state_init(st, (OpeKind) kind, &o, aggcxt);
	st->n = bytes_get_i64(&r);
	st->n_clipped = bytes_get_i64(&r);
	st->n_below_floor = bytes_get_i64(&r);
	st->max_w = bytes_get_f64(&r);
	st->min_logged = bytes_get_f64(&r);
	bytes_get_sum(&r, &st->s_w);
	bytes_get_sum(&r, &st->s_ww);
	bytes_get_sum(&r, &st->s_c);
	bytes_get_sum(&r, &st->s_cc);
	bytes_get_sum(&r, &st->s_wc);
	if (st->n < 0 || st->n_clipped < 0 || st->n_below_floor < 0)
		bytes_corrupted(&r, "negative count");

	stride = ope_row_stride(st);
	n_rows = bytes_get_count(&r, sizeof(double) * Max(stride, 1), PG_UINT32_MAX);
	if (stride == 0 ? n_rows != 0 : (int64) n_rows != st->n)
		bytes_corrupted(&r, "kept rows do not match the row count");
	if (n_rows > 0)
	{
		ope_reserve_rows(st, n_rows);
		bytes_get_f64s(&r, st->rows, (Size) n_rows * stride);
		st->n_rows = n_rows;
	}
	bytes_expect_end(&r);
	PG_RETURN_POINTER(agg);
}

static OpeAgg *
final_state(FunctionCallInfo fcinfo, OpeKind kind)
{
	OpeAgg	   *agg = PG_ARGISNULL(0) ? NULL : (OpeAgg *) PG_GETARG_POINTER(0);

	uplift_agg_context(fcinfo, kind_name(kind));
	if (agg == NULL || agg->st.n == 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("%s needs at least one logged row", kind_name(kind)),
				 errdetail("The input has no rows, so there is nothing to estimate from."),
				 errhint("Check the WHERE or FILTER clause.")));
	return agg;
}

static Datum
estimator_final(FunctionCallInfo fcinfo, OpeKind kind)
{
	OpeAgg	   *agg = final_state(fcinfo, kind);
	OpeResult	res;
	TupleDesc	tupdesc;
	Datum		values[5];
	bool		nulls[5];

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type of %s must be a row type", kind_name(kind));
	tupdesc = BlessTupleDesc(tupdesc);

	ope_estimate(&agg->st, &res);
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
	OpeAgg	   *agg = final_state(fcinfo, OPE_OVERLAP);
	OpeOverlap	res;
	TupleDesc	tupdesc;
	Datum		values[10];
	bool		nulls[10] = {0};
	Datum	   *warnings;

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type of ope_overlap must be a row type");
	tupdesc = BlessTupleDesc(tupdesc);

	ope_overlap(&agg->st, &res);
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

/* The elements of a one-dimensional float8[] argument, which must hold no NULL. */
static double *
float8_elements(ArrayType *arr, const char *what, int *n)
{
	Datum	   *elems;
	bool	   *nulls;
	double	   *x;

	if (ARR_NDIM(arr) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("%s must be a one-dimensional array", what)));
	deconstruct_array(arr, FLOAT8OID, sizeof(float8), FLOAT8PASSBYVAL,
					  TYPALIGN_DOUBLE, &elems, &nulls, n);
	x = palloc(sizeof(double) * Max(*n, 1));
	for (int i = 0; i < *n; i++)
	{
		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("%s must not contain NULL", what),
					 errdetail("Element %d is NULL.", i + 1)));
		x[i] = DatumGetFloat8(elems[i]);
		if (isnan(x[i]) || isinf(x[i]))
			ereport(ERROR,
					(errcode(ERRCODE_DATA_EXCEPTION),
					 errmsg("%s must hold finite numbers", what),
					 errdetail("Element %d is %g.", i + 1, x[i])));
	}
	return x;
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
	int			n_values,
				n_probs;
	double	   *values = float8_elements(PG_GETARG_ARRAYTYPE_P(0), "outcomes", &n_values);
	double	   *probs = float8_elements(PG_GETARG_ARRAYTYPE_P(1), "probs", &n_probs);
	NeumaierSum total = {0};
	NeumaierSum mass = {0};

	if (n_values != n_probs || n_values == 0)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("outcomes and probs must have the same, positive length"),
				 errdetail("outcomes has %d elements and probs has %d.", n_values, n_probs),
				 errhint("Give one outcome and one probability per action 0..K.")));
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
