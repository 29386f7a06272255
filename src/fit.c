/*
 * fit.c
 *	  SQL glue of the uplift_fit aggregates: transition, combine, serial,
 *	  deserial and final functions.
 *
 *	  uplift_fit(features, treatment, outcome [, options])
 *	  uplift_fit(features, treatment, outcome, propensity, options)
 *
 * features is float8[], float4[], bigint[], integer[], smallint[] or
 * numeric[], or jsonb (named features); treatment is an integer, a boolean
 * or a text label (src/treatment.c).  The transition function reads each
 * row's arguments and hands them to the learner dispatcher (src/learn.c),
 * which checks them, keeps them and, in the final function, fits the model
 * returned in its stored form.  Named features are kept as typed rows
 * (src/features.c) until the final function learns their encoding and hands
 * the learner the encoded rows.  Options are read from the first row of each
 * partial aggregate.
 */
#include "postgres.h"

#include "fmgr.h"
#include "miscadmin.h"
#include "utils/jsonb.h"

#include "bytes.h"
#include "arrays.h"
#include "named_features.h"
#include "learn.h"
#include "model.h"
#include "progress.h"
#include "treatment.h"
#include "uplift.h"

PG_FUNCTION_INFO_V1(uplift_fit_transfn);
PG_FUNCTION_INFO_V1(uplift_fit_combinefn);
PG_FUNCTION_INFO_V1(uplift_fit_serialfn);
PG_FUNCTION_INFO_V1(uplift_fit_deserialfn);
PG_FUNCTION_INFO_V1(uplift_fit_finalfn);

/* The state: a learner's state (array features) or named features' rows. */
typedef struct FitState
{
	LearnState *learn;			/* NULL for named features */
	FeatRows   *feat;			/* NULL for array features */
	double	   *x;				/* p values: the row being read */
	TreatLabels *labels;		/* a text treatment's labels, or NULL */
	Progress	progress;		/* off in states built by combine or deserial */
	bytea	   *fitted;			/* the model, once a fit has freed the rows */
} FitState;

/* Serialized states start with their kind. */
#define FIT_STATE_ARRAYS 1
#define FIT_STATE_NAMED 2

static FitState *
fit_state_new(LearnState *learn, double *x, MemoryContext cxt)
{
	FitState   *st = MemoryContextAllocZero(cxt, sizeof(FitState));

	st->learn = learn;
	st->x = x != NULL ? x :
		MemoryContextAlloc(cxt, Max(learn->buf->p, 1) * sizeof(double));
	return st;
}

static FitState *
fit_state_named(FeatRows *feat, MemoryContext cxt)
{
	FitState   *st = MemoryContextAllocZero(cxt, sizeof(FitState));

	st->feat = feat;
	return st;
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
	if (expect < 0)
		uplift_array_check_length("features of uplift_fit", fa.n, 1, UPLIFT_MAX_FEATURES,
								  "Pass at least one feature per row.");
	else
		uplift_array_check_length("features of uplift_fit", fa.n, expect, expect,
								  "Every row of one fit needs as many features as the first.");
	if (*out == NULL)
		*out = MemoryContextAlloc(cxt, fa.n * sizeof(double));
	uplift_features_copy(&fa, *out, "features of uplift_fit");
	return fa.n;
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
	double		propensity = 1.0;

	for (int i = 1; i <= 3 + (weighted ? 1 : 0); i++)
		if (PG_ARGISNULL(i))
			learn_null_arg_error(i == 1 ? "features" : i == 2 ? "treatment" :
						   i == 3 ? "outcome" : "propensity");
	if (weighted)
		propensity = PG_GETARG_FLOAT8(4);

	if (st == NULL)
	{
		int			optarg = weighted ? 5 : 4;
		Jsonb	   *opts = NULL;
		double	   *x = NULL;
		int32		p = read_features(PG_GETARG_DATUM(1), &x, aggcxt, -1);
		TreatLabels *labels;

		if (PG_NARGS() > optarg && !PG_ARGISNULL(optarg))
			opts = PG_GETARG_JSONB_P(optarg);
		labels = treatment_labels_for_call(fcinfo, 2, opts, aggcxt);
		opts = treatment_options_without_control(opts);
		st = fit_state_new(learn_state_create(aggcxt, opts, p, weighted), x,
						   aggcxt);
		st->labels = labels;
		progress_begin_agg(&st->progress, fcinfo, aggcxt);
	}
	else
		(void) read_features(PG_GETARG_DATUM(1), &st->x, aggcxt,
							 st->learn->buf->p);

	learn_state_add(st->learn, st->x, treatment_read(fcinfo, 2, st->labels),
					PG_GETARG_FLOAT8(3), propensity);
	progress_rows(&st->progress, 1);
	PG_RETURN_POINTER(st);
}

/*
 * uplift_fit_transfn_jsonb(state, features, treatment, outcome [, options])
 * uplift_fit_transfn_jsonb(state, features, treatment, outcome, propensity, options)
 */
PG_FUNCTION_INFO_V1(uplift_fit_transfn_jsonb);
Datum
uplift_fit_transfn_jsonb(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt = uplift_agg_context(fcinfo, "uplift_fit_transfn");
	FitState   *st = PG_ARGISNULL(0) ? NULL : (FitState *) PG_GETARG_POINTER(0);
	bool		weighted = PG_NARGS() == 6;

	for (int i = 1; i <= 3 + (weighted ? 1 : 0); i++)
		if (PG_ARGISNULL(i))
			learn_null_arg_error(i == 1 ? "features" : i == 2 ? "treatment" :
						   i == 3 ? "outcome" : "propensity");
	if (st == NULL)
	{
		int			optarg = weighted ? 5 : 4;
		Jsonb	   *opts = NULL;
		FeatRows   *feat;
		TreatLabels *labels;

		if (PG_NARGS() > optarg && !PG_ARGISNULL(optarg))
			opts = PG_GETARG_JSONB_P(optarg);
		labels = treatment_labels_for_call(fcinfo, 2, opts, aggcxt);
		opts = treatment_options_without_control(opts);
		feat = features_rows_create(aggcxt, opts, weighted);
		/* the learner's options are checked on the first row, as for arrays */
		(void) learn_state_create(CurrentMemoryContext, features_learner_options(feat),
								  1, weighted);
		st = fit_state_named(feat, aggcxt);
		st->labels = labels;
		progress_begin_agg(&st->progress, fcinfo, aggcxt);
	}
	features_rows_add(st->feat, PG_GETARG_JSONB_P(1), treatment_read(fcinfo, 2, st->labels),
					  PG_GETARG_FLOAT8(3), weighted ? PG_GETARG_FLOAT8(4) : 1.0);
	progress_rows(&st->progress, 1);
	PG_RETURN_POINTER(st);
}

/* Renumber the actions of a state's rows: id a becomes new_of_old[a], a < n. */
static void
fit_state_renumber(FitState *st, const int32 *new_of_old, int32 n)
{
	if (st->feat != NULL)
	{
		for (int64 i = 0; i < st->feat->nrows; i++)
			st->feat->action[i] = new_of_old[st->feat->action[i]];
	}
	else
		trainbuf_renumber_arms(st->learn->buf, new_of_old, n);
}

/*
 * Take st2's labels into st1's (a new dictionary when st1 has none yet) and
 * renumber st2's rows to match, before they are merged.
 */
static void
fit_labels_merge(FitState *st1, FitState *st2, MemoryContext aggcxt)
{
	if (st2->labels == NULL)
		return;
	if (st1->labels == NULL)
		st1->labels = treatment_labels_empty_like(st2->labels, aggcxt);
	fit_state_renumber(st2, treatment_labels_merge(st1->labels, st2->labels),
					   st2->labels->n + 1);
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
	if (st2->feat != NULL)
	{
		if (st1 == NULL)
		{
			if (st2->feat->cxt == aggcxt)
				PG_RETURN_POINTER(st2);
			st1 = fit_state_named(features_rows_empty_like(st2->feat, aggcxt), aggcxt);
		}
		fit_labels_merge(st1, st2, aggcxt);
		features_rows_merge(st1->feat, st2->feat);
		PG_RETURN_POINTER(st1);
	}
	if (st1 == NULL)
	{
		if (st2->learn->buf->cxt == aggcxt)
			PG_RETURN_POINTER(st2);
		st1 = fit_state_new(learn_state_empty_like(st2->learn, aggcxt), NULL,
							aggcxt);
	}
	fit_labels_merge(st1, st2, aggcxt);
	learn_state_merge(st1->learn, st2->learn);
	PG_RETURN_POINTER(st1);
}

Datum
uplift_fit_serialfn(PG_FUNCTION_ARGS)
{
	FitState   *st = (FitState *) PG_GETARG_POINTER(0);
	StringInfoData out;

	(void) uplift_agg_context(fcinfo, "uplift_fit_serialfn");
	bytes_begin_bytea(&out);
	bytes_put_u8(&out, st->feat != NULL ? FIT_STATE_NAMED : FIT_STATE_ARRAYS);
	treatment_labels_serialize(&out, st->labels);
	if (st->feat != NULL)
		features_rows_serialize(&out, st->feat);
	else
		learn_state_serialize(&out, st->learn);
	PG_RETURN_BYTEA_P(bytes_end_bytea(&out));
}

Datum
uplift_fit_deserialfn(PG_FUNCTION_ARGS)
{
	bytea	   *bytes = PG_GETARG_BYTEA_PP(0);
	MemoryContext cxt;
	ByteReader	r;
	uint8		kind;
	TreatLabels *labels;
	FitState   *st;

	if (!AggCheckCallContext(fcinfo, &cxt))
		cxt = CurrentMemoryContext;
	bytes_reader_init(&r, VARDATA_ANY(bytes), VARSIZE_ANY_EXHDR(bytes),
					  "uplift_fit state");
	kind = bytes_get_u8(&r);
	if (kind != FIT_STATE_ARRAYS && kind != FIT_STATE_NAMED)
		bytes_corrupted(&r, "Unknown kind of state");
	labels = treatment_labels_deserialize(&r, cxt);
	if (kind == FIT_STATE_ARRAYS)
		st = fit_state_new(learn_state_deserialize(&r, cxt), NULL, cxt);
	else
		st = fit_state_named(features_rows_deserialize(&r, cxt), cxt);
	st->labels = labels;
	PG_RETURN_POINTER(st);
}

/* Errors of a grouped fit name the group. */
static void
fit_group_context(void *arg)
{
	errcontext("uplift_fit of group \"%s\"", (const char *) arg);
}

/*
 * The learner's state for named features: the encoding learned from every
 * row, and the rows encoded with it.
 */
static LearnState *
learn_named(const FeatRows *feat, FeatDesign **design)
{
	FeatDesign *d = features_design_build(feat);
	Jsonb	   *opts = features_learner_options(feat);
	bool		native = learn_fits_forest(opts);
	char	   *problem;
	LearnState *learn;
	double	   *x;

	/* forests take categories and missing values as they are */
	if (native)
		features_design_native(d, feat);
	problem = uplift_feature_names_problem(d->names, d->p);
	x = palloc(sizeof(double) * Max(d->p, 1));
	if (problem != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the columns of the named features of uplift_fit are not usable"),
				 errdetail("%s", problem),
				 errhint("Rename the key whose name is that of another key's column (key=level, missingindicator_key) or of the form action_<k>.")));
	learn = learn_state_create(CurrentMemoryContext, opts, d->p, feat->weighted);
	if (native)
	{
		bool	   *categorical = palloc(sizeof(bool) * Max(d->p, 1));

		for (int32 j = 0; j < d->enc->n_keys; j++)
			categorical[d->enc->keys[j].col] = d->enc->keys[j].categorical;
		learn->settings.n_categorical = d->p;
		learn->settings.categorical = categorical;
	}

	for (int64 i = 0; i < feat->nrows; i++)
	{
		if ((i & 0xFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		features_design_row(d, feat, i, x);
		learn_state_add(learn, x, feat->action[i], feat->outcome[i],
						feat->weighted ? feat->propensity[i] : 1.0);
	}
	*design = d;
	return learn;
}

static bytea *
fit_bytes_copy(const bytea *b, MemoryContext cxt)
{
	bytea	   *copy = MemoryContextAlloc(cxt, VARSIZE(b));

	memcpy(copy, b, VARSIZE(b));
	return copy;
}

Datum
uplift_fit_finalfn(PG_FUNCTION_ARGS)
{
	FitState   *st;
	LearnState *learn;
	FeatDesign *design = NULL;
	const LearnSettings *settings;
	ErrorContextCallback group_context;
	UpliftModel *model;
	char	  **action_labels = NULL;

	MemoryContext aggcxt = uplift_agg_context(fcinfo, "uplift_fit_finalfn");
	bytea	   *result;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("uplift_fit needs at least one row"),
				 errhint("Check the query's WHERE clause.")));
	st = (FitState *) PG_GETARG_POINTER(0);
	/* a rescan of a hashed aggregate finalizes its states again */
	if (st->fitted != NULL)
		PG_RETURN_BYTEA_P(fit_bytes_copy(st->fitted, CurrentMemoryContext));
	/* the actions in the labels' byte order (in place: a second call keeps them) */
	if (st->labels != NULL)
	{
		fit_state_renumber(st, treatment_labels_order(st->labels), st->labels->n + 1);
		action_labels = treatment_labels_model(st->labels);
	}
	learn = st->feat != NULL ? learn_named(st->feat, &design) : st->learn;
	/* the rows' last reader, but for a window's frame: a forest may free them */
	learn->buf->releasable = st->feat != NULL ||
		AggCheckCallContext(fcinfo, NULL) == AGG_CONTEXT_AGGREGATE;
	settings = &learn->settings;
	if (settings->skip_incomplete)
	{
		char	   *why = learn_incomplete(learn);

		if (why != NULL)
		{
			ereport(WARNING,
					(settings->group != NULL ?
					 errmsg("uplift_fit skipped group \"%s\"", settings->group) :
					 errmsg("uplift_fit skipped its rows"),
					 errdetail("%s", why),
					 errhint("%s model is NULL because of option \"skip_incomplete\".",
							 settings->group != NULL ? "Its" : "The")));
			PG_RETURN_NULL();
		}
	}
	if (settings->group != NULL)
	{
		group_context.callback = fit_group_context;
		group_context.arg = settings->group;
		group_context.previous = error_context_stack;
		error_context_stack = &group_context;
	}
	progress_phase(&st->progress, "fitting");
	model = learn_fit(learn, &st->progress);
	if (settings->group != NULL)
		error_context_stack = group_context.previous;
	if (design != NULL)
	{
		model->format_version = UPLIFT_MODEL_FORMAT_ENCODING;
		model->feature_names = design->names;
		model->encoding = design->enc;
	}
	model->action_labels = action_labels;
	result = uplift_model_serialize(model);
	if (learn->buf->released)
		st->fitted = fit_bytes_copy(result, aggcxt);
	PG_RETURN_BYTEA_P(result);
}
