/*
 * score.c
 *	  Scoring with a stored model: uplift_score, uplift_scores and
 *	  uplift_predict, and the prediction routines behind them.
 *
 * The model argument is detoasted, validated and parsed once per call site
 * (uplift_model_cached_arg), so scoring a table costs one pass over the
 * features plus a few dot products per row.
 */
#include "uplift.h"

#include "catalog/pg_type.h"
#include "utils/array.h"

#include "featarray.h"
#include "model.h"

static inline double
inverse_link(int32 link, double eta)
{
	if (link == UPLIFT_LINK_LOGIT)
		return 1.0 / (1.0 + exp(-eta));
	return eta;
}

/* The head's linear predictor over design z. */
static inline double
head_eta(const UpliftHead *head, const double *z)
{
	double		eta = head->coef[0];

	for (int j = 1; j < head->n_coef; j++)
		eta += head->coef[j] * z[j - 1];
	return eta;
}

double
uplift_model_predict(const UpliftModel *m, const double *x, int action)
{
	const UpliftHead *head = &m->heads[0];

	if (uplift_model_has_outcomes(m))
	{
		head = &m->heads[action];
		return inverse_link(head->link, head_eta(head, x));
	}
	if (m->learner == UPLIFT_LEARNER_S)
	{
		double	   *z = palloc(sizeof(double) * (head->n_coef - 1));
		double		y;

		uplift_s_design(m, x, action, z);
		y = inverse_link(head->link, head_eta(head, z));
		pfree(z);
		return y;
	}
	ereport(ERROR,
			(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
			 errmsg("uplift_predict is not available for %s models",
					uplift_learner_name(m->learner)),
			 errhint("A %s model estimates effects directly; use uplift_score.",
					 uplift_learner_name(m->learner))));
	pg_unreachable();
}

/* The learner's effect of action k (1..K) against control, before calibration. */
static double
raw_effect(const UpliftModel *m, const double *x, int k)
{
	int			arms = m->n_actions + 1;
	const UpliftHead *head;

	switch (m->learner)
	{
		case UPLIFT_LEARNER_CLASS_TRANSFORM:
			head = &m->heads[0];
			if (head->link == UPLIFT_LINK_LOGIT)
				return 2.0 * inverse_link(head->link, head_eta(head, x)) - 1.0;
			return head_eta(head, x);
		case UPLIFT_LEARNER_X:
			head = &m->heads[arms + 2 * (k - 1)];
			return m->mix[k - 1] * head_eta(head, x) +
				(1.0 - m->mix[k - 1]) * head_eta(head + 1, x);
		case UPLIFT_LEARNER_DR:
			return head_eta(&m->heads[arms + k - 1], x);
		default:
			return uplift_model_predict(m, x, k) - uplift_model_predict(m, x, 0);
	}
}

double
uplift_model_effect(const UpliftModel *m, const double *x, int action)
{
	double		e;

	if (action == 0)
		return 0.0;
	e = raw_effect(m, x, action);
	if (m->calib_slope != NULL)
		e = m->calib_intercept[action - 1] + m->calib_slope[action - 1] * e;
	return e;
}

void
uplift_model_effects(const UpliftModel *m, const double *x, double *effects)
{
	for (int k = 1; k <= m->n_actions; k++)
		effects[k - 1] = uplift_model_effect(m, x, k);
}

/* The model and features of a scoring call; x is the cache's buffer. */
static const UpliftModel *
scoring_args(FunctionCallInfo fcinfo, double **x)
{
	const UpliftModel *m = uplift_model_cached_arg(fcinfo, 0, x);

	uplift_features_read_exact(PG_GETARG_DATUM(1), *x, m->n_features, "features");
	return m;
}

static void
check_action(const UpliftModel *m, int32 action, int32 lowest)
{
	if (action < lowest || action > m->n_actions)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("action %d is not in the model", action),
				 errdetail("The model has actions %d to %d.", lowest, m->n_actions)));
}

PG_FUNCTION_INFO_V1(uplift_score);
Datum
uplift_score(PG_FUNCTION_ARGS)
{
	double	   *x;
	const UpliftModel *m = scoring_args(fcinfo, &x);

	PG_RETURN_FLOAT8(uplift_model_effect(m, x, 1));
}

PG_FUNCTION_INFO_V1(uplift_score_action);
Datum
uplift_score_action(PG_FUNCTION_ARGS)
{
	double	   *x;
	const UpliftModel *m = scoring_args(fcinfo, &x);
	int32		action = PG_GETARG_INT32(2);

	check_action(m, action, 0);
	PG_RETURN_FLOAT8(uplift_model_effect(m, x, action));
}

PG_FUNCTION_INFO_V1(uplift_scores);
Datum
uplift_scores(PG_FUNCTION_ARGS)
{
	double	   *x;
	const UpliftModel *m = scoring_args(fcinfo, &x);
	int			k_count = m->n_actions;
	double	   *effects = palloc(sizeof(double) * k_count);
	Datum	   *elems = palloc(sizeof(Datum) * k_count);

	uplift_model_effects(m, x, effects);
	for (int k = 0; k < k_count; k++)
		elems[k] = Float8GetDatum(effects[k]);
	PG_RETURN_ARRAYTYPE_P(construct_array(elems, k_count, FLOAT8OID, sizeof(float8),
										  FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
}

PG_FUNCTION_INFO_V1(uplift_predict);
Datum
uplift_predict(PG_FUNCTION_ARGS)
{
	double	   *x;
	const UpliftModel *m = scoring_args(fcinfo, &x);
	int32		action = PG_GETARG_INT32(2);

	check_action(m, action, 0);
	PG_RETURN_FLOAT8(uplift_model_predict(m, x, action));
}
