/*
 * calibrate.c
 *	  uplift_fit_calibration: fit, on a holdout, one calibration line per action
 *	  that maps a model's predicted effects onto observed effects, and store
 *	  it in the model; and uplift_value_cost, which combines a value model
 *	  and a cost model into per-action candidates for allocation.
 *
 * Calibration regresses a pseudo-outcome of the true effect on the raw
 * predicted effect s_k(x), over every holdout row.  With e the logged
 * propensity of the row's action a and mu_a(x) the model's own outcome
 * prediction, the doubly robust (AIPW) pseudo-outcome
 *
 *	  phi_k = mu_k(x) - mu_0(x) + 1[a = k] (y - mu_k(x)) / e - 1[a = 0] (y - mu_0(x)) / e
 *
 * has E[phi_k | x] = tau_k(x) under randomization whatever mu is (Kennedy,
 * "Towards optimal doubly robust estimation of heterogeneous causal effects",
 * 2020), and the better mu, the smaller its variance.  For a learner without
 * outcome predictions (class_transform) mu is 0 and phi_k is the
 * Horvitz-Thompson transformed outcome.  The least-squares line
 * intercept_k + slope_k * s_k(x) is then the best linear predictor of the
 * true effect given the score (Chernozhukov, Demirer, Duflo and
 * Fernandez-Val, "Generic machine learning inference on heterogeneous
 * treatment effects", 2018).  A slope of 1 and an intercept of 0 mean the
 * model was calibrated already; a slope not significantly above 0 means the
 * scores carry no detectable signal (their BLP test), which is a warning.
 * The slope's ordinary least-squares standard error is stored with the line.
 * A holdout without control rows, or without rows of an action, is an error:
 * it cannot show that action's effect.  The state is six compensated sums
 * and a row count per action, with the model, so the aggregate is
 * constant-size and mergeable; it is a value of type
 * uplift_fit_calibration_state (not internal), so that Citus computes partial
 * states on its shards (doc/citus.md).
 */
#include "uplift.h"

#include "catalog/pg_type.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

#include "aggstate.h"
#include "bytes.h"
#include "arrays.h"
#include "model.h"
#include "named_features.h"

#define CALIB_STATE_VERSION 2

/* Two-sided 5% critical value of the slope's t statistic. */
#define CALIB_SIGNIFICANT_T 1.959963984540054

typedef struct CalibSums
{
	NeumaierSum n;
	NeumaierSum s;
	NeumaierSum ss;
	NeumaierSum y;
	NeumaierSum sy;
	NeumaierSum yy;
	int64		treated;		/* rows that got this action */
} CalibSums;

/*
 * The aggregate's state, as it lives in memory: an expanded object
 * (aggstate.h) around this structure, so that the model is parsed once per
 * aggregate, not once per row, even where the transition function is called
 * without a cache of its own (Citus's shards make a new call site for every
 * row).  It holds the sums of each action 1..K, the model being calibrated
 * (its bytes, 4-byte header, and parsed), and the model argument last seen
 * as passed (maybe a toast pointer, a compressed or short-header copy, never
 * longer than the model) and known to hold that model, so that a row passing
 * it again is not detoasted and compared again.  Its text and binary forms
 * are the portable format of state_bytes.
 */
typedef struct CalibState
{
	int32		n_actions;
	int64		control;		/* rows that got action 0 */
	bytea	   *model_bytes;
	UpliftModel *model;
	double	   *x;				/* one row's features */
	char	   *raw_seen;		/* room for model_bytes' size */
	Size		raw_seen_len;	/* 0 when no argument was checked yet */
	CalibSums	sums[FLEXIBLE_ARRAY_MEMBER];	/* one per action 1..K */
} CalibState;

static bytea *state_bytes(const void *value);
static void *state_read(const char *data, Size len, int code);

static const AggStateType calib_state_type = {"uplift_fit_calibration_state", state_bytes, state_read};

/*
 * A new state in the current memory context for the model whose bytes
 * (4-byte header) are given, parsed already as m when m is not NULL.
 */
static CalibState *
calib_state_new(const bytea *model_bytes, UpliftModel *m)
{
	Size		model_len = VARSIZE(model_bytes);
	bytea	   *own_bytes = palloc(model_len);
	CalibState *st;

	memcpy(own_bytes, model_bytes, model_len);
	if (m == NULL)
		m = uplift_model_deserialize(own_bytes);
	st = palloc0(offsetof(CalibState, sums) + sizeof(CalibSums) * m->n_actions);
	st->n_actions = m->n_actions;
	st->model = m;
	st->model_bytes = own_bytes;
	st->x = palloc(sizeof(double) * Max(m->n_features, 1));
	st->raw_seen = palloc(model_len);
	return st;
}

/* A new, empty state object under aggcxt for the model of these bytes. */
static AggStateObject *
calib_object_new(MemoryContext aggcxt, const bytea *model_bytes)
{
	AggStateObject *obj = aggstate_object_new(aggcxt, &calib_state_type);
	MemoryContext old = MemoryContextSwitchTo(obj->hdr.eoh_context);

	obj->state = calib_state_new(model_bytes, NULL);
	MemoryContextSwitchTo(old);
	return obj;
}

static void
check_propensity(double e)
{
	if (!(e > 0.0 && e <= 1.0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("propensity must be in (0, 1]"),
				 errdetail("Got %g.", e),
				 errhint("Pass the logged probability of the action the row received.")));
}

/* Error unless b holds the same model bytes as a. */
static void
check_same_model(const bytea *a, const bytea *b)
{
	if (VARSIZE_ANY_EXHDR(a) != VARSIZE_ANY_EXHDR(b) ||
		memcmp(VARDATA_ANY(a), VARDATA_ANY(b), VARSIZE_ANY_EXHDR(a)) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("uplift_fit_calibration needs the same model on every row"),
				 errhint("Calibrate one model per aggregate call, e.g. GROUP BY the model's name.")));
}

/*
 * Error unless the model argument of this row holds the state's model.  An
 * argument passed exactly as the one last checked (the same toast pointer,
 * for a model read from a table) is not detoasted and compared again.
 */
static void
check_row_model(CalibState *st, Datum arg)
{
	struct varlena *raw = (struct varlena *) DatumGetPointer(arg);
	Size		len = VARSIZE_ANY(raw);

	if (st->raw_seen_len == len && memcmp(st->raw_seen, raw, len) == 0)
		return;
	check_same_model(st->model_bytes, PG_DETOAST_DATUM_PACKED(arg));
	if (len <= VARSIZE(st->model_bytes))
	{
		memcpy(st->raw_seen, raw, len);
		st->raw_seen_len = len;
	}
}

/* The model's effect of action k before any calibration it carries. */
static double
raw_effect(const UpliftModel *m, const double *x, int k)
{
	UpliftModel plain = *m;

	plain.calib_slope = NULL;
	plain.calib_intercept = NULL;
	return uplift_model_effect(&plain, x, k);
}

/* Add one holdout row (features x, action a, outcome y, propensity e). */
static void
calib_add_row(CalibState *st, const UpliftModel *m, const double *x, int32 a,
			  double y, double e)
{
	bool		has_mu = m->learner != UPLIFT_LEARNER_CLASS_TRANSFORM;
	double		mu_0 = has_mu ? uplift_model_predict(m, x, 0) : 0.0;

	if (a == 0)
		st->control++;
	for (int k = 1; k <= m->n_actions; k++)
	{
		CalibSums  *cs = &st->sums[k - 1];
		double		s = raw_effect(m, x, k);
		double		mu_k = has_mu ? uplift_model_predict(m, x, k) : 0.0;
		double		phi = (mu_k - mu_0) +
			((a == k) ? (y - mu_k) / e : (a == 0) ? -(y - mu_0) / e : 0.0);

		CHECK_FOR_INTERRUPTS();
		uplift_check_score(phi, "the calibration pseudo-outcome", k);
		if (a == k)
			cs->treated++;
		neumaier_add(&cs->n, 1.0);
		neumaier_add(&cs->s, s);
		neumaier_add(&cs->ss, s * s);
		neumaier_add(&cs->y, phi);
		neumaier_add(&cs->sy, s * phi);
		neumaier_add(&cs->yy, phi * phi);
	}
}

/*
 * uplift_fit_calibration_transfn(state, model, features, action, outcome,
 * propensity).  A NULL model is an error (calibrating nothing would replace a
 * model by NULL); a row with any other NULL argument is skipped.
 */
PG_FUNCTION_INFO_V1(uplift_fit_calibration_transfn);
Datum
uplift_fit_calibration_transfn(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt = uplift_agg_context(fcinfo, "uplift_fit_calibration");
	AggStateObject *obj = PG_ARGISNULL(0) ? NULL :
		aggstate_object_arg(fcinfo, 0, &calib_state_type, aggcxt);
	CalibState *st;
	int32		action;
	double		y;
	double		e;

	if (PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("model of uplift_fit_calibration must not be NULL"),
				 errhint("Check the query that supplies the model: a NULL model usually means it found none.")));
	for (int i = 2; i <= 5; i++)
		if (PG_ARGISNULL(i))
		{
			if (obj == NULL)
				PG_RETURN_NULL();
			PG_RETURN_DATUM(AggStateObjectDatum(obj));
		}

	if (obj == NULL)
		obj = calib_object_new(aggcxt, PG_DETOAST_DATUM(PG_GETARG_DATUM(1)));
	st = obj->state;
	check_row_model(st, PG_GETARG_DATUM(1));

	features_read_for_model(fcinfo, 2, st->model, st->x);
	action = uplift_model_action_arg(fcinfo, st->model, 3);
	y = PG_GETARG_FLOAT8(4);
	e = PG_GETARG_FLOAT8(5);
	uplift_check_finite(y, "outcome");
	check_propensity(e);

	calib_add_row(st, st->model, st->x, action, y, e);
	PG_RETURN_DATUM(AggStateObjectDatum(obj));
}

/*
 * The same, features jsonb (read through the model's encoding).  Both take
 * the action as a number or as a treatment label of the model (text).
 */
PG_FUNCTION_INFO_V1(uplift_fit_calibration_transfn_jsonb);
Datum
uplift_fit_calibration_transfn_jsonb(PG_FUNCTION_ARGS)
{
	return uplift_fit_calibration_transfn(fcinfo);
}

static void
calib_sums_merge(CalibSums *a, const CalibSums *b)
{
	neumaier_merge(&a->n, &b->n);
	neumaier_merge(&a->s, &b->s);
	neumaier_merge(&a->ss, &b->ss);
	neumaier_merge(&a->y, &b->y);
	neumaier_merge(&a->sy, &b->sy);
	neumaier_merge(&a->yy, &b->yy);
	a->treated += b->treated;
}

/*
 * Not strict: a NULL side (a partial aggregate without rows) gives the
 * other, copied, since the result may be changed in place later.
 */
PG_FUNCTION_INFO_V1(uplift_fit_calibration_combinefn);
Datum
uplift_fit_calibration_combinefn(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt = uplift_agg_context(fcinfo, "uplift_fit_calibration");
	AggStateObject *obj;
	CalibState *a;
	const CalibState *b;

	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
	b = aggstate_object_view(fcinfo, 1, &calib_state_type);
	if (PG_ARGISNULL(0))
	{
		obj = calib_object_new(aggcxt, b->model_bytes);
		a = obj->state;
		a->control = b->control;
		memcpy(a->sums, b->sums, sizeof(CalibSums) * b->n_actions);
		PG_RETURN_DATUM(AggStateObjectDatum(obj));
	}
	obj = aggstate_object_arg(fcinfo, 0, &calib_state_type, aggcxt);
	a = obj->state;
	check_same_model(a->model_bytes, b->model_bytes);
	a->control += b->control;
	for (int k = 0; k < a->n_actions; k++)
		calib_sums_merge(&a->sums[k], &b->sums[k]);
	PG_RETURN_DATUM(AggStateObjectDatum(obj));
}

/*
 * The portable form of a state (big-endian, src/bytes.h): u8 version, u32
 * model bytes and the model (without its varlena header), i64 control rows,
 * u32 actions, then per action six compensated sums (f64 sum, f64
 * compensation: rows, s, s^2, phi, s phi, phi^2) and i64 treated rows.
 * These are the bytes of the serialized internal state of version 0.1.0.
 */
static bytea *
state_bytes(const void *value)
{
	const CalibState *st = value;
	const bytea *model = st->model_bytes;
	StringInfoData buf;

	bytes_begin_bytea(&buf);
	bytes_put_u8(&buf, CALIB_STATE_VERSION);
	bytes_put_u32(&buf, VARSIZE(model) - VARHDRSZ);
	appendBinaryStringInfo(&buf, VARDATA(model), VARSIZE(model) - VARHDRSZ);
	bytes_put_i64(&buf, st->control);
	bytes_put_u32(&buf, st->n_actions);
	for (int k = 0; k < st->n_actions; k++)
	{
		bytes_put_sum(&buf, &st->sums[k].n);
		bytes_put_sum(&buf, &st->sums[k].s);
		bytes_put_sum(&buf, &st->sums[k].ss);
		bytes_put_sum(&buf, &st->sums[k].y);
		bytes_put_sum(&buf, &st->sums[k].sy);
		bytes_put_sum(&buf, &st->sums[k].yy);
		bytes_put_i64(&buf, st->sums[k].treated);
	}
	return bytes_end_bytea(&buf);
}

static void
state_invalid(int code, const char *detail)
{
	aggstate_invalid("uplift_fit_calibration_state", code, detail);
}

/* Sums a state can hold: finite-or-infinite numbers, counts in range. */
static void
check_sums(const CalibSums *cs, int code)
{
	double		n = neumaier_value(&cs->n);

	if (!aggstate_sum_ok(&cs->n) || !aggstate_sum_ok(&cs->s) || !aggstate_sum_ok(&cs->ss) || !aggstate_sum_ok(&cs->y) ||
		!aggstate_sum_ok(&cs->sy) || !aggstate_sum_ok(&cs->yy))
		state_invalid(code, "A sum is not a number");
	if (!(n >= 0.0 && n == floor(n)) || cs->treated < 0 || (double) cs->treated > n)
		state_invalid(code, "A row count is out of range");
}

/*
 * A state from its portable form, checked completely (the model by the
 * model's own reader), so that no value given as text or binary can make
 * the aggregate misbehave; errors carry "code".
 */
static void *
state_read(const char *data, Size len, int code)
{
	ByteReader	r;
	uint32		model_len;
	bytea	   *model_bytes;
	UpliftModel *m;
	uint32		n_actions;
	int64		control;
	CalibState *st;

	bytes_reader_init(&r, data, len, "uplift_fit_calibration_state");
	if (len < 1 + 4 || bytes_get_u8(&r) != CALIB_STATE_VERSION)
		state_invalid(code, "Unknown format version");
	model_len = bytes_get_u32(&r);
	if (model_len > len - r.pos || len - r.pos - model_len < 8 + 4)
		state_invalid(code, "The length does not match the model");
	model_bytes = bytes_copy_bytea(r.data + r.pos, model_len);
	r.pos += model_len;
	m = uplift_model_deserialize(model_bytes);
	control = bytes_get_i64(&r);
	n_actions = bytes_get_u32(&r);
	if (control < 0 || n_actions != (uint32) m->n_actions)
		state_invalid(code, "The counts do not match the model");
	if (len - r.pos != (Size) n_actions * (12 * sizeof(double) + sizeof(int64)))
		state_invalid(code, "The length does not match the actions");
	st = calib_state_new(model_bytes, m);
	st->control = control;
	for (int k = 0; k < (int) n_actions; k++)
	{
		bytes_get_sum(&r, &st->sums[k].n);
		bytes_get_sum(&r, &st->sums[k].s);
		bytes_get_sum(&r, &st->sums[k].ss);
		bytes_get_sum(&r, &st->sums[k].y);
		bytes_get_sum(&r, &st->sums[k].sy);
		bytes_get_sum(&r, &st->sums[k].yy);
		st->sums[k].treated = bytes_get_i64(&r);
		check_sums(&st->sums[k], code);
	}
	return st;
}

PG_FUNCTION_INFO_V1(uplift_fit_calibration_state_in);
Datum
uplift_fit_calibration_state_in(PG_FUNCTION_ARGS)
{
	return aggstate_object_in(fcinfo, &calib_state_type);
}

PG_FUNCTION_INFO_V1(uplift_fit_calibration_state_out);
Datum
uplift_fit_calibration_state_out(PG_FUNCTION_ARGS)
{
	return aggstate_object_out(fcinfo, &calib_state_type);
}

PG_FUNCTION_INFO_V1(uplift_fit_calibration_state_recv);
Datum
uplift_fit_calibration_state_recv(PG_FUNCTION_ARGS)
{
	return aggstate_object_recv(fcinfo, &calib_state_type);
}

PG_FUNCTION_INFO_V1(uplift_fit_calibration_state_send);
Datum
uplift_fit_calibration_state_send(PG_FUNCTION_ARGS)
{
	return aggstate_object_send(fcinfo, &calib_state_type);
}

/*
 * The serial and deserial functions of version 0.1.0, whose aggregate keeps
 * the same value as an internal state, for installations not yet updated.
 */
PG_FUNCTION_INFO_V1(uplift_fit_calibration_serialfn);
Datum
uplift_fit_calibration_serialfn(PG_FUNCTION_ARGS)
{
	return aggstate_object_serialize(fcinfo, &calib_state_type);
}

PG_FUNCTION_INFO_V1(uplift_fit_calibration_deserialfn);
Datum
uplift_fit_calibration_deserialfn(PG_FUNCTION_ARGS)
{
	return aggstate_object_deserialize(fcinfo, &calib_state_type);
}

/*
 * The least-squares line of the pseudo-outcome on the score for action k,
 * and the slope's ordinary least-squares standard error
 * sqrt(RSS / (n - 2) / Sxx), from the sums.
 */
static void
calib_line(const CalibSums *cs, int k, double *intercept, double *slope, double *slope_se)
{
	double		n = neumaier_value(&cs->n);
	double		mean_s = neumaier_value(&cs->s) / n;
	double		mean_y = neumaier_value(&cs->y) / n;
	double		var_s = neumaier_value(&cs->ss) / n - mean_s * mean_s;
	double		var_y = neumaier_value(&cs->yy) / n - mean_y * mean_y;
	double		cov = neumaier_value(&cs->sy) / n - mean_s * mean_y;
	double		rss;

	if (!isfinite(var_s) || !isfinite(var_y) || !isfinite(cov))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("cannot calibrate action %d: its scores or pseudo-outcomes are too large", k),
				 errhint("Check the holdout for extreme outcomes or tiny propensities.")));
	if (n < 3)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("cannot calibrate action %d: the holdout has fewer than 3 rows", k),
				 errhint("Calibrate on a larger holdout.")));
	if (!(var_s > 1e-12 * Max(1.0, mean_s * mean_s)))
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("cannot calibrate action %d: its predicted effects do not vary", k),
				 errhint("Calibrate on a holdout with varied features, or keep the model uncalibrated.")));
	*slope = cov / var_s;
	*intercept = mean_y - *slope * mean_s;
	/* residual sum of squares n (var_y - cov^2 / var_s), never below 0 */
	rss = Max(0.0, n * (var_y - cov * (cov / var_s)));
	*slope_se = sqrt(rss / (n - 2) / (n * var_s));
}

/* Refuse a holdout that cannot show action k's effect. */
static void
calib_check_rows(const CalibState *st, int k)
{
	if (st->control == 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("cannot calibrate: the holdout has no control row (action 0)"),
				 errhint("Calibrate on a randomized holdout that keeps a control group.")));
	if (st->sums[k - 1].treated == 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("cannot calibrate action %d: the holdout has no row with action %d", k, k),
				 errhint("Calibrate on a randomized holdout in which every action was assigned.")));
}

/*
 * Warn when the holdout shows no signal: the slope is the best linear
 * predictor's beta_2 of Chernozhukov et al., and beta_2 = 0 means the scores
 * carry no information on the effect.
 */
static void
calib_warn(int k, double slope, double slope_se)
{
	if (!(slope > 0.0))
		ereport(WARNING,
				(errmsg("calibration slope of action %d is not positive", k),
				 errdetail("The slope is %g (standard error %g): on this holdout the model ranks units no better than at random, or in reverse.",
						   slope, slope_se),
				 errhint("Do not target with this model's effects of action %d before checking it on more data.", k)));
	else if (slope < CALIB_SIGNIFICANT_T * slope_se)
		ereport(WARNING,
				(errmsg("calibration slope of action %d is not significant", k),
				 errdetail("The slope is %g with standard error %g (t = %.2f < 1.96): the holdout cannot tell the model's ranking from noise.",
						   slope, slope_se, slope / slope_se),
				 errhint("Calibrate on a larger holdout, or treat action %d's effects as uninformative.", k)));
}

PG_FUNCTION_INFO_V1(uplift_fit_calibration_finalfn);
Datum
uplift_fit_calibration_finalfn(PG_FUNCTION_ARGS)
{
	const CalibState *st;
	UpliftModel out;
	UpliftModel *m = &out;

	uplift_agg_context(fcinfo, "uplift_fit_calibration");
	if (PG_ARGISNULL(0) || PG_GETARG_POINTER(0) == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("uplift_fit_calibration needs at least one row without NULL"),
				 errhint("Rows with a NULL features, action, outcome or propensity are skipped; check that the holdout's outcomes are filled in.")));
	st = aggstate_object_view(fcinfo, 0, &calib_state_type);
	/* the state's model with new lines; the state itself stays as it is */
	out = *st->model;

	m->calib_intercept = palloc(sizeof(double) * m->n_actions);
	m->calib_slope = palloc(sizeof(double) * m->n_actions);
	m->calib_slope_se = palloc(sizeof(double) * m->n_actions);
	m->calib_rows = palloc(sizeof(int64) * m->n_actions);
	for (int k = 1; k <= m->n_actions; k++)
		calib_check_rows(st, k);
	for (int k = 1; k <= m->n_actions; k++)
	{
		calib_line(&st->sums[k - 1], k, &m->calib_intercept[k - 1], &m->calib_slope[k - 1],
				   &m->calib_slope_se[k - 1]);
		calib_warn(k, m->calib_slope[k - 1], m->calib_slope_se[k - 1]);
		m->calib_rows[k - 1] = (int64) neumaier_value(&st->sums[k - 1].n);
	}
	PG_RETURN_BYTEA_P(uplift_model_serialize(m));
}

/*
 * uplift_value_cost(value_model, cost_model, features): per action 1..K the
 * estimated incremental value, incremental cost, net value (value - cost)
 * and value per unit of cost: the candidates that allocate_budget takes.
 * NULL features give no rows; a NULL model is an error.  Named features
 * (jsonb) are encoded by each model for itself, so the two models may have
 * different encodings.
 */
static void
check_models_match(const UpliftModel *value_model, const UpliftModel *cost_model)
{
	/* named features are read through each model's own encoding */
	bool		same_array = value_model->encoding != NULL ||
		value_model->n_features == cost_model->n_features;

	if (value_model->n_actions != cost_model->n_actions || !same_array)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("value and cost models do not match"),
				 errdetail("The value model has %d actions and %d features, the cost model %d and %d.",
						   value_model->n_actions, value_model->n_features,
						   cost_model->n_actions, cost_model->n_features)));
}

/*
 * Start the result rows.  The row type comes from the caller's expected
 * descriptor when there is one: looking it up in the per-query context on
 * every call would keep a few hundred bytes per input row until the query
 * ends.
 */
static void
begin_rows(FunctionCallInfo fcinfo)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;

	if (rsinfo != NULL && IsA(rsinfo, ReturnSetInfo) && rsinfo->expectedDesc != NULL)
		InitMaterializedSRF(fcinfo, MAT_SRF_USE_EXPECTED_DESC);
	else
		InitMaterializedSRF(fcinfo, 0);
}

PG_FUNCTION_INFO_V1(uplift_value_cost);
Datum
uplift_value_cost(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	double	   *xv;
	double	   *xc;
	const UpliftModel *value_model = uplift_scoring_args(fcinfo, 0, 2, "uplift_value_cost", &xv);
	const UpliftModel *cost_model = uplift_scoring_args(fcinfo, 1, 2, "uplift_value_cost", &xc);

	begin_rows(fcinfo);
	if (value_model == NULL)
		return (Datum) 0;
	check_models_match(value_model, cost_model);
	for (int k = 1; k <= value_model->n_actions; k++)
	{
		double		value = uplift_model_effect(value_model, xv, k);
		double		cost = uplift_model_effect(cost_model, xc, k);
		Datum		values[5];
		bool		nulls[5] = {false, false, false, false, cost <= 0.0};

		CHECK_FOR_INTERRUPTS();
		values[0] = Int32GetDatum(k);
		values[1] = Float8GetDatum(value);
		values[2] = Float8GetDatum(cost);
		values[3] = Float8GetDatum(uplift_check_score(value - cost, "net value", k));
		values[4] = Float8GetDatum(cost > 0.0 ? uplift_check_score(value / cost, "value per cost", k) : 0.0);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

/* The same, features jsonb. */
PG_FUNCTION_INFO_V1(uplift_value_cost_jsonb);
Datum
uplift_value_cost_jsonb(PG_FUNCTION_ARGS)
{
	return uplift_value_cost(fcinfo);
}
