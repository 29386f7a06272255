/*
 * fit.c
 *	  SQL glue of the uplift_fit aggregates: transition, combine, serial,
 *	  deserial and final functions, and the parsing of their options.
 *
 *	  uplift_fit(features, treatment, outcome [, options])
 *	  uplift_fit(features, treatment, outcome, propensity, options)
 *
 * features is float8[] or float4[].  The transition function validates each
 * row and appends it to a TrainBuf; the final function hands the buffer to
 * the learners (src/learners.c) and returns the stored model.  Options are
 * read from the first row of each partial aggregate.
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "utils/array.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"

#include "bytes.h"
#include "arrays.h"
#include "learners.h"
#include "model.h"
#include "options.h"
#include "trainbuf.h"
#include "uplift.h"

PG_FUNCTION_INFO_V1(uplift_fit_transfn);
PG_FUNCTION_INFO_V1(uplift_fit_combinefn);
PG_FUNCTION_INFO_V1(uplift_fit_serialfn);
PG_FUNCTION_INFO_V1(uplift_fit_deserialfn);
PG_FUNCTION_INFO_V1(uplift_fit_finalfn);

#define FIT_STATE_VERSION 2

StaticAssertDecl(TRAINBUF_MAX_ACTION == UPLIFT_MAX_ACTIONS,
				 "the training buffer and the model agree on the number of actions");
StaticAssertDecl(TRAINBUF_MAX_FEATURES == UPLIFT_MAX_FEATURES,
				 "the training buffer and the model agree on the number of features");

typedef struct FitState
{
	LearnSettings settings;
	TrainBuf   *buf;
	double	   *x;				/* p values: the row being read */
	/* logged propensities as given, before min_propensity clips them */
	double		prop_min;
	double		prop_max;
	int64		n_clipped;		/* rows raised to min_propensity */
} FitState;

static const char *const fit_option_keys[] = {
	"learner", "base", "l2", "max_iter", "tol", "feature_names", "seed",
	"interactions", "min_propensity", NULL
};

static const char *const learner_names[] = {
	"t_learner", "s_learner", "class_transform", "x_learner", "dr_learner",
	"forest", NULL
};

static const char *const base_names[] = {"logistic", "linear", NULL};

/* feature_names: a JSON array of p strings. */
static void
parse_feature_names(Jsonb *opts, int32 p, LearnSettings *s)
{
	JsonbValue *v = options_lookup(opts, "feature_names");
	JsonbIterator *it;
	JsonbValue	elem;
	JsonbIteratorToken tok;
	int32		n = 0;
	char	   *problem;

	if (v == NULL)
		return;
	if (v->type != jbvBinary || !JsonContainerIsArray(v->val.binary.data) ||
		JsonContainerIsScalar(v->val.binary.data))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("option \"feature_names\" must be a JSON array of strings"),
				 errhint("Pass one name per feature, e.g. {\"feature_names\": [\"age\", \"spend\"]}.")));
	s->feature_names = palloc0(Max(p, 1) * sizeof(char *));
	it = JsonbIteratorInit(v->val.binary.data);
	while ((tok = JsonbIteratorNext(&it, &elem, true)) != WJB_DONE)
	{
		if (tok != WJB_ELEM)
			continue;
		if (elem.type != jbvString)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("option \"feature_names\" must be a JSON array of strings"),
					 errdetail("Element %d is not a string.", n + 1)));
		if (n < p)
			s->feature_names[n] = pnstrdup(elem.val.string.val, elem.val.string.len);
		n++;
	}
	if (n != p)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("option \"feature_names\" has %d names for %d features", n, p),
				 errhint("Give exactly one name per element of the features array.")));
	problem = uplift_feature_names_problem(s->feature_names, p);
	if (problem != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("option \"feature_names\" of uplift_fit is not usable"),
				 errdetail("%s", problem),
				 errhint("Give every feature its own name, not of the form action_<k>.")));
	s->n_names = p;
}

static const int32 learner_codes[] = {
	UPLIFT_LEARNER_T, UPLIFT_LEARNER_S, UPLIFT_LEARNER_CLASS_TRANSFORM,
	UPLIFT_LEARNER_X, UPLIFT_LEARNER_DR, UPLIFT_LEARNER_FOREST
};

static void
parse_options(Jsonb *opts, int32 p, bool weighted, LearnSettings *s)
{
	int			learner;
	int			base;

	options_check_keys(opts, "uplift_fit", fit_option_keys);
	learner = options_choice(opts, "learner", 0, learner_names);
	if (learner_codes[learner] == UPLIFT_LEARNER_FOREST)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("learner \"%s\" of uplift_fit is not supported yet", learner_names[learner]),
				 errhint("Use \"t_learner\", \"s_learner\", \"class_transform\", \"x_learner\" or \"dr_learner\".")));
	s->learner = learner_codes[learner];
	base = options_choice(opts, "base", -1, base_names);
	s->base = base < 0 ? 0 : base == 0 ? UPLIFT_BASE_LOGISTIC : UPLIFT_BASE_LINEAR;
	s->l2 = options_float(opts, "l2", 1.0, 0.0, 1e12);
	s->max_iter = (int32) options_int(opts, "max_iter", 100, 1, 100000);
	s->tol = options_float(opts, "tol", 1e-6, 0.0, 1.0);
	s->seed = options_int(opts, "seed", 0, PG_INT32_MIN, PG_INT32_MAX);
	if (s->learner != UPLIFT_LEARNER_S && options_lookup(opts, "interactions") != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("option \"interactions\" applies only to learner \"s_learner\"")));
	s->interactions = options_bool(opts, "interactions", true);
	if (!weighted && options_lookup(opts, "min_propensity") != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("option \"min_propensity\" needs the propensity argument of uplift_fit"),
				 errhint("Pass the logged propensities: uplift_fit(features, treatment, outcome, propensity, options).")));
	s->min_propensity = options_float(opts, "min_propensity", 0.0, 0.0, 1.0);
	parse_feature_names(opts, p, s);
}

/*
 * The features of one row: the number of elements, copied as doubles into
 * *out (allocated in cxt on the first row).  expect < 0 on the first row,
 * else the length every row must have.
 */
static int32
read_features(Datum d, double **out, MemoryContext cxt, int32 expect)
{
	FeatureArray fa;

	uplift_features_open(d, &fa, "features of uplift_fit");
	if (fa.n == 0)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("features of uplift_fit must not be empty"),
				 errhint("Pass at least one feature per row.")));
	if (expect >= 0 && fa.n != expect)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("features of uplift_fit have different lengths %d and %d", expect, fa.n),
				 errhint("Every row of one fit needs the same number of features.")));
	if (*out == NULL)
		*out = MemoryContextAlloc(cxt, fa.n * sizeof(double));
	uplift_features_copy(&fa, *out, "features of uplift_fit");
	return fa.n;
}

static void
null_arg_error(const char *what)
{
	ereport(ERROR,
			(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
			 errmsg("%s of uplift_fit must not be NULL", what),
			 errhint("Remove rows with a missing %s.", what)));
}

/*
 * Record a logged propensity in the range seen and clip it to
 * min_propensity; returns the propensity the row is fitted with.
 */
static double
note_propensity(FitState *st, double propensity)
{
	if (isnan(st->prop_min) || propensity < st->prop_min)
		st->prop_min = propensity;
	if (isnan(st->prop_max) || propensity > st->prop_max)
		st->prop_max = propensity;
	if (propensity < st->settings.min_propensity)
	{
		st->n_clipped++;
		return st->settings.min_propensity;
	}
	return propensity;
}

/* Add the propensity range and clipped count of "from" to "into". */
static void
merge_propensities(FitState *into, const FitState *from)
{
	if (!isnan(from->prop_min) &&
		(isnan(into->prop_min) || from->prop_min < into->prop_min))
		into->prop_min = from->prop_min;
	if (!isnan(from->prop_max) &&
		(isnan(into->prop_max) || from->prop_max > into->prop_max))
		into->prop_max = from->prop_max;
	into->n_clipped += from->n_clipped;
}

/*
 * uplift_fit_transfn(state, features, treatment, outcome [, options])
 * uplift_fit_transfn(state, features, treatment, outcome, propensity, options)
 */
Datum
uplift_fit_transfn(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt = uplift_agg_context(fcinfo, "uplift_fit_transfn");
	FitState   *st = PG_ARGISNULL(0) ? NULL : (FitState *) PG_GETARG_POINTER(0);
	bool		weighted = PG_NARGS() == 6;
	int32		action;
	double		outcome;
	double		propensity = 1.0;
	int32		p;

	for (int i = 1; i <= 3 + (weighted ? 1 : 0); i++)
		if (PG_ARGISNULL(i))
			null_arg_error(i == 1 ? "features" : i == 2 ? "treatment" :
						   i == 3 ? "outcome" : "propensity");
	action = PG_GETARG_INT32(2);
	outcome = PG_GETARG_FLOAT8(3);
	if (weighted)
		propensity = PG_GETARG_FLOAT8(4);

	if (st == NULL)
	{
		Jsonb	   *opts = NULL;
		int			optarg = weighted ? 5 : 4;
		MemoryContext old;

		st = MemoryContextAllocZero(aggcxt, sizeof(FitState));
		p = read_features(PG_GETARG_DATUM(1), &st->x, aggcxt, -1);
		if (PG_NARGS() > optarg && !PG_ARGISNULL(optarg))
			opts = PG_GETARG_JSONB_P(optarg);
		old = MemoryContextSwitchTo(aggcxt);
		parse_options(opts, p, weighted, &st->settings);
		MemoryContextSwitchTo(old);
		/*
		 * a linear T- or S-learner needs only each arm's moments, not its
		 * rows; the other learners derive outcomes from every row
		 */
		st->buf = trainbuf_create(aggcxt, p, weighted,
								  st->settings.base == UPLIFT_BASE_LINEAR &&
								  (st->settings.learner == UPLIFT_LEARNER_T ||
								   st->settings.learner == UPLIFT_LEARNER_S) &&
								  p <= TRAINBUF_MOMENTS_MAX_FEATURES);
		st->prop_min = NAN;
		st->prop_max = NAN;
	}
	else
		p = read_features(PG_GETARG_DATUM(1), &st->x, aggcxt, st->buf->p);

	if (action < 0 || action > TRAINBUF_MAX_ACTION)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("treatment of uplift_fit must be between 0 and %d", TRAINBUF_MAX_ACTION),
				 errdetail("Got %d.", action),
				 errhint("Use 0 for control and 1..K for the actions.")));
	uplift_check_finite(outcome, "outcome of uplift_fit");
	if (st->settings.base == UPLIFT_BASE_LOGISTIC && outcome != 0.0 && outcome != 1.0)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("outcome of uplift_fit must be 0 or 1 with base \"logistic\""),
				 errdetail("Got %g.", outcome),
				 errhint("Use option \"base\": \"linear\" for a continuous outcome.")));
	if (weighted && !(propensity > 0.0 && propensity <= 1.0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("propensity of uplift_fit must be in (0, 1]"),
				 errdetail("Got %g.", propensity),
				 errhint("Pass the logged probability of the treatment the row received.")));
	if (weighted)
		propensity = note_propensity(st, propensity);

	trainbuf_append(st->buf, st->x, action, outcome, propensity);
	PG_RETURN_POINTER(st);
}

/* A deep copy of settings into the current memory context. */
static void
copy_settings(LearnSettings *dst, const LearnSettings *src)
{
	*dst = *src;
	if (src->n_names > 0)
	{
		dst->feature_names = palloc(src->n_names * sizeof(char *));
		for (int32 i = 0; i < src->n_names; i++)
			dst->feature_names[i] = pstrdup(src->feature_names[i]);
	}
}

Datum
uplift_fit_combinefn(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt = uplift_agg_context(fcinfo, "uplift_fit_combinefn");
	FitState   *st1 = PG_ARGISNULL(0) ? NULL : (FitState *) PG_GETARG_POINTER(0);
	FitState   *st2 = PG_ARGISNULL(1) ? NULL : (FitState *) PG_GETARG_POINTER(1);

	if (st2 == NULL)
	{
		if (st1 == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(st1);
	}
	if (st1 == NULL)
	{
		MemoryContext old;

		if (st2->buf->cxt == aggcxt)
			PG_RETURN_POINTER(st2);
		old = MemoryContextSwitchTo(aggcxt);
		st1 = palloc0(sizeof(FitState));
		copy_settings(&st1->settings, &st2->settings);
		st1->buf = trainbuf_create(aggcxt, st2->buf->p, st2->buf->weighted,
								   st2->buf->moments);
		st1->x = palloc(Max(st2->buf->p, 1) * sizeof(double));
		st1->prop_min = NAN;
		st1->prop_max = NAN;
		MemoryContextSwitchTo(old);
	}
	if (st1->buf->p != st2->buf->p)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("features of uplift_fit have different lengths %d and %d",
						st1->buf->p, st2->buf->p),
				 errhint("Every row of one fit needs the same number of features.")));
	trainbuf_merge(st1->buf, st2->buf);
	merge_propensities(st1, st2);
	PG_RETURN_POINTER(st1);
}

/* Settings, then the rows; see trainbuf_serialize for the rows' format. */
Datum
uplift_fit_serialfn(PG_FUNCTION_ARGS)
{
	FitState   *st = (FitState *) PG_GETARG_POINTER(0);
	const LearnSettings *s = &st->settings;
	StringInfoData out;
	Size		guess;

	(void) uplift_agg_context(fcinfo, "uplift_fit_serialfn");
	guess = 1024 + (st->buf->moments ? 0 :
					(Size) st->buf->nrows * (st->buf->p + 2) * sizeof(double));
	bytes_begin_bytea(&out);
	if (guess < MaxAllocSize)
	{
		enlargeStringInfo(&out, (int) guess);
		trainbuf_advise_huge(out.data, out.maxlen);
	}
	bytes_put_u8(&out, FIT_STATE_VERSION);
	bytes_put_i32(&out, s->learner);
	bytes_put_i32(&out, s->base);
	bytes_put_f64(&out, s->l2);
	bytes_put_i32(&out, s->max_iter);
	bytes_put_f64(&out, s->tol);
	bytes_put_u8(&out, s->interactions ? 1 : 0);
	bytes_put_i64(&out, s->seed);
	bytes_put_f64(&out, s->min_propensity);
	bytes_put_f64(&out, st->prop_min);
	bytes_put_f64(&out, st->prop_max);
	bytes_put_i64(&out, st->n_clipped);
	bytes_put_i32(&out, s->n_names);
	for (int32 i = 0; i < s->n_names; i++)
		bytes_put_str(&out, s->feature_names[i]);
	trainbuf_serialize(&out, st->buf);
	PG_RETURN_BYTEA_P(bytes_end_bytea(&out));
}

Datum
uplift_fit_deserialfn(PG_FUNCTION_ARGS)
{
	bytea	   *bytes = PG_GETARG_BYTEA_PP(0);
	MemoryContext cxt;
	MemoryContext old;
	ByteReader	r;
	FitState   *st;
	LearnSettings *s;

	if (!AggCheckCallContext(fcinfo, &cxt))
		cxt = CurrentMemoryContext;
	old = MemoryContextSwitchTo(cxt);
	st = palloc0(sizeof(FitState));
	s = &st->settings;
	bytes_reader_init(&r, VARDATA_ANY(bytes), VARSIZE_ANY_EXHDR(bytes),
					  "uplift_fit state");
	if (bytes_get_u8(&r) != FIT_STATE_VERSION)
		bytes_corrupted(&r, "unknown format version");
	s->learner = bytes_get_i32(&r);
	s->base = bytes_get_i32(&r);
	s->l2 = bytes_get_f64(&r);
	s->max_iter = bytes_get_i32(&r);
	s->tol = bytes_get_f64(&r);
	s->interactions = bytes_get_u8(&r) != 0;
	s->seed = bytes_get_i64(&r);
	s->min_propensity = bytes_get_f64(&r);
	st->prop_min = bytes_get_f64(&r);
	st->prop_max = bytes_get_f64(&r);
	st->n_clipped = bytes_get_i64(&r);
	if (s->learner < UPLIFT_LEARNER_T || s->learner > UPLIFT_LEARNER_DR ||
		!(s->min_propensity >= 0 && s->min_propensity <= 1) || st->n_clipped < 0 ||
		s->base < 0 || s->base > UPLIFT_BASE_LINEAR || s->max_iter < 1 ||
		!(s->l2 >= 0) || !(s->tol >= 0))
		bytes_corrupted(&r, "settings are out of range");
	s->n_names = (int32) bytes_get_count(&r, sizeof(uint32), UPLIFT_MAX_FEATURES);
	if (s->n_names > 0)
	{
		s->feature_names = palloc(s->n_names * sizeof(char *));
		for (int32 i = 0; i < s->n_names; i++)
			s->feature_names[i] = bytes_get_str(&r);
	}
	st->buf = trainbuf_deserialize(&r, cxt);
	bytes_expect_end(&r);
	if (s->n_names != 0 && s->n_names != st->buf->p)
		bytes_corrupted(&r, "feature name count differs from the feature count");
	st->x = palloc(Max(st->buf->p, 1) * sizeof(double));
	MemoryContextSwitchTo(old);
	PG_RETURN_POINTER(st);
}

Datum
uplift_fit_finalfn(PG_FUNCTION_ARGS)
{
	FitState   *st;
	UpliftModel *m;

	(void) uplift_agg_context(fcinfo, "uplift_fit_finalfn");
	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("uplift_fit needs at least one row"),
				 errhint("Check the query's WHERE clause.")));
	st = (FitState *) PG_GETARG_POINTER(0);
	m = uplift_learn(st->buf, &st->settings);
	if (st->buf->weighted)
	{
		m->propensity_min = st->prop_min;
		m->propensity_max = st->prop_max;
		m->n_clipped = st->n_clipped;
	}
	PG_RETURN_BYTEA_P(uplift_model_serialize(m));
}
