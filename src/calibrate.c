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
 * model was calibrated
 * already.  The state is five compensated sums per action, so the aggregate
 * is constant-size and mergeable.
 */
#include "uplift.h"

#include "catalog/pg_type.h"
#include "funcapi.h"
#include "utils/builtins.h"

#include "bytes.h"
#include "featarray.h"
#include "model.h"

#define CALIB_STATE_VERSION 1

typedef struct CalibSums
{
	NeumaierSum n;
	NeumaierSum s;
	NeumaierSum ss;
	NeumaierSum y;
	NeumaierSum sy;
} CalibSums;

typedef struct CalibState
{
	bytea	   *model_bytes;	/* the model being calibrated (detoasted copy) */
	int			n_actions;
	CalibSums  *sums;			/* one per action 1..K */
} CalibState;

static CalibState *
calib_state_new(MemoryContext cxt, const bytea *model_bytes, int n_actions)
{
	CalibState *st = MemoryContextAllocZero(cxt, sizeof(CalibState));
	Size		len = VARSIZE_ANY(model_bytes);

	st->model_bytes = MemoryContextAlloc(cxt, len);
	memcpy(st->model_bytes, model_bytes, len);
	st->n_actions = n_actions;
	st->sums = MemoryContextAllocZero(cxt, sizeof(CalibSums) * n_actions);
	return st;
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

/* The model's effect of action k before any calibration it carries. */
static double
raw_effect(const UpliftModel *m, const double *x, int k)
{
	UpliftModel plain = *m;

	plain.calib_slope = NULL;
	plain.calib_intercept = NULL;
	return uplift_model_effect(&plain, x, k);
}

PG_FUNCTION_INFO_V1(uplift_fit_calibration_transfn);
Datum
uplift_fit_calibration_transfn(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt = uplift_agg_context(fcinfo, "uplift_fit_calibration");
	CalibState *st = PG_ARGISNULL(0) ? NULL : (CalibState *) PG_GETARG_POINTER(0);
	const UpliftModel *m;
	double	   *x;
	int32		action;
	double		y;
	double		e;
	bool		has_mu;
	double		mu_0;

	/* rows with a NULL argument are skipped */
	for (int i = 1; i <= 5; i++)
		if (PG_ARGISNULL(i))
			PG_RETURN_POINTER(st);

	m = uplift_model_cached_arg(fcinfo, 1, &x);
	if (st == NULL)
		st = calib_state_new(aggcxt, PG_DETOAST_DATUM(PG_GETARG_DATUM(1)), m->n_actions);
	else
		check_same_model(st->model_bytes, PG_DETOAST_DATUM_PACKED(PG_GETARG_DATUM(1)));

	uplift_features_read_exact(PG_GETARG_DATUM(2), x, m->n_features, "features");
	action = PG_GETARG_INT32(3);
	y = PG_GETARG_FLOAT8(4);
	e = PG_GETARG_FLOAT8(5);
	if (action < 0 || action > m->n_actions)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("action %d is not in the model", action),
				 errdetail("The model has actions 0 to %d.", m->n_actions)));
	uplift_check_finite(y, "outcome");
	check_propensity(e);

	has_mu = m->learner != UPLIFT_LEARNER_CLASS_TRANSFORM;
	mu_0 = has_mu ? uplift_model_predict(m, x, 0) : 0.0;
	for (int k = 1; k <= m->n_actions; k++)
	{
		CalibSums  *cs = &st->sums[k - 1];
		double		s = raw_effect(m, x, k);
		double		mu_k = has_mu ? uplift_model_predict(m, x, k) : 0.0;
		double		ystar = (mu_k - mu_0) +
			((action == k) ? (y - mu_k) / e : (action == 0) ? -(y - mu_0) / e : 0.0);

		neumaier_add(&cs->n, 1.0);
		neumaier_add(&cs->s, s);
		neumaier_add(&cs->ss, s * s);
		neumaier_add(&cs->y, ystar);
		neumaier_add(&cs->sy, s * ystar);
	}
	PG_RETURN_POINTER(st);
}

PG_FUNCTION_INFO_V1(uplift_fit_calibration_combinefn);
Datum
uplift_fit_calibration_combinefn(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt = uplift_agg_context(fcinfo, "uplift_fit_calibration");
	CalibState *a = PG_ARGISNULL(0) ? NULL : (CalibState *) PG_GETARG_POINTER(0);
	CalibState *b = PG_ARGISNULL(1) ? NULL : (CalibState *) PG_GETARG_POINTER(1);

	if (b == NULL)
		PG_RETURN_POINTER(a);
	if (a == NULL)
	{
		a = calib_state_new(aggcxt, b->model_bytes, b->n_actions);
		memcpy(a->sums, b->sums, sizeof(CalibSums) * b->n_actions);
		PG_RETURN_POINTER(a);
	}
	check_same_model(a->model_bytes, b->model_bytes);
	for (int k = 0; k < a->n_actions; k++)
	{
		neumaier_merge(&a->sums[k].n, &b->sums[k].n);
		neumaier_merge(&a->sums[k].s, &b->sums[k].s);
		neumaier_merge(&a->sums[k].ss, &b->sums[k].ss);
		neumaier_merge(&a->sums[k].y, &b->sums[k].y);
		neumaier_merge(&a->sums[k].sy, &b->sums[k].sy);
	}
	PG_RETURN_POINTER(a);
}

PG_FUNCTION_INFO_V1(uplift_fit_calibration_serialfn);
Datum
uplift_fit_calibration_serialfn(PG_FUNCTION_ARGS)
{
	CalibState *st = (CalibState *) PG_GETARG_POINTER(0);
	StringInfoData buf;

	initStringInfo(&buf);
	bytes_put_u8(&buf, CALIB_STATE_VERSION);
	bytes_put_u32(&buf, VARSIZE_ANY_EXHDR(st->model_bytes));
	appendBinaryStringInfo(&buf, VARDATA_ANY(st->model_bytes), VARSIZE_ANY_EXHDR(st->model_bytes));
	bytes_put_u32(&buf, st->n_actions);
	for (int k = 0; k < st->n_actions; k++)
	{
		bytes_put_sum(&buf, &st->sums[k].n);
		bytes_put_sum(&buf, &st->sums[k].s);
		bytes_put_sum(&buf, &st->sums[k].ss);
		bytes_put_sum(&buf, &st->sums[k].y);
		bytes_put_sum(&buf, &st->sums[k].sy);
	}
	PG_RETURN_BYTEA_P(bytes_copy_bytea(buf.data, buf.len));
}

PG_FUNCTION_INFO_V1(uplift_fit_calibration_deserialfn);
Datum
uplift_fit_calibration_deserialfn(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt = uplift_agg_context(fcinfo, "uplift_fit_calibration");
	bytea	   *in = PG_GETARG_BYTEA_PP(0);
	ByteReader	r;
	uint32		model_len;
	bytea	   *model_bytes;
	uint32		n_actions;
	CalibState *st;

	bytes_reader_init(&r, VARDATA_ANY(in), VARSIZE_ANY_EXHDR(in), "uplift_fit_calibration state");
	if (bytes_get_u8(&r) != CALIB_STATE_VERSION)
		bytes_corrupted(&r, "Unknown state version");
	model_len = bytes_get_count(&r, 1, MaxAllocSize - VARHDRSZ);
	model_bytes = bytes_copy_bytea(r.data + r.pos, model_len);
	r.pos += model_len;
	n_actions = bytes_get_count(&r, 10 * sizeof(double), UPLIFT_MAX_ACTIONS);
	st = calib_state_new(aggcxt, model_bytes, n_actions);
	for (int k = 0; k < (int) n_actions; k++)
	{
		bytes_get_sum(&r, &st->sums[k].n);
		bytes_get_sum(&r, &st->sums[k].s);
		bytes_get_sum(&r, &st->sums[k].ss);
		bytes_get_sum(&r, &st->sums[k].y);
		bytes_get_sum(&r, &st->sums[k].sy);
	}
	bytes_expect_end(&r);
	PG_RETURN_POINTER(st);
}

PG_FUNCTION_INFO_V1(uplift_fit_calibration_finalfn);
Datum
uplift_fit_calibration_finalfn(PG_FUNCTION_ARGS)
{
	CalibState *st;
	UpliftModel *m;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	st = (CalibState *) PG_GETARG_POINTER(0);
	m = uplift_model_deserialize(st->model_bytes);
	if (m->n_actions != st->n_actions)
		elog(ERROR, "uplift_fit_calibration state does not match its model");

	m->calib_intercept = palloc(sizeof(double) * m->n_actions);
	m->calib_slope = palloc(sizeof(double) * m->n_actions);
	m->calib_rows = palloc(sizeof(int64) * m->n_actions);
	for (int k = 0; k < m->n_actions; k++)
	{
		CalibSums  *cs = &st->sums[k];
		double		n = neumaier_value(&cs->n);
		double		mean_s = neumaier_value(&cs->s) / n;
		double		mean_y = neumaier_value(&cs->y) / n;
		double		var_s = neumaier_value(&cs->ss) / n - mean_s * mean_s;
		double		cov = neumaier_value(&cs->sy) / n - mean_s * mean_y;

		if (n < 2 || !(var_s > 1e-12 * Max(1.0, mean_s * mean_s)))
			ereport(ERROR,
					(errcode(ERRCODE_DATA_EXCEPTION),
					 errmsg("cannot calibrate action %d: its predicted effects do not vary", k + 1),
					 errhint("Calibrate on a holdout with varied features, or keep the model uncalibrated.")));
		m->calib_slope[k] = cov / var_s;
		m->calib_intercept[k] = mean_y - m->calib_slope[k] * mean_s;
		m->calib_rows[k] = (int64) n;
	}
	PG_RETURN_BYTEA_P(uplift_model_serialize(m));
}

/*
 * uplift_value_cost(value_model, cost_model, features): per action 1..K the
 * estimated incremental value, incremental cost, net value (value - cost)
 * and value per unit of cost: the candidates that allocate_budget takes.
 */
PG_FUNCTION_INFO_V1(uplift_value_cost);
Datum
uplift_value_cost(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	double	   *xv;
	double	   *xc;
	const UpliftModel *value_model = uplift_model_cached_arg(fcinfo, 0, &xv);
	const UpliftModel *cost_model = uplift_model_cached_arg(fcinfo, 1, &xc);

	if (value_model->n_actions != cost_model->n_actions ||
		value_model->n_features != cost_model->n_features)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("value and cost models do not match"),
				 errdetail("The value model has %d actions and %d features, the cost model %d and %d.",
						   value_model->n_actions, value_model->n_features,
						   cost_model->n_actions, cost_model->n_features)));
	uplift_features_read_exact(PG_GETARG_DATUM(2), xv, value_model->n_features, "features");

	InitMaterializedSRF(fcinfo, 0);
	for (int k = 1; k <= value_model->n_actions; k++)
	{
		double		value = uplift_model_effect(value_model, xv, k);
		double		cost = uplift_model_effect(cost_model, xv, k);
		Datum		values[5];
		bool		nulls[5] = {false, false, false, false, cost <= 0.0};

		values[0] = Int32GetDatum(k);
		values[1] = Float8GetDatum(value);
		values[2] = Float8GetDatum(cost);
		values[3] = Float8GetDatum(value - cost);
		values[4] = Float8GetDatum(cost > 0.0 ? value / cost : 0.0);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}
