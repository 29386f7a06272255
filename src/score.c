/*
 * score.c
 *	  Scoring with a stored model: uplift_score, uplift_scores and
 *	  uplift_predict, and the prediction routines behind them.
 *
 * The model argument is detoasted, validated and parsed once per call site
 * (uplift_model_cached_arg), so scoring a table costs one pass over the
 * features plus a few dot products per row.  A NULL model is an error, NULL
 * features (or action) give NULL, and a score that is not finite is an
 * error: none of them can pass for a number.
 */
#include "uplift.h"

#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"

#include "arrays.h"
#include "named_features.h"
#include "model.h"
#include "tree_model.h"

static inline double
inverse_link(int32 link, double eta)
{
	if (link == UPLIFT_LINK_LOGIT)
		return 1.0 / (1.0 + exp(-eta));
	return eta;
}

/*
 * sum + coef[0] z[0] + ... + coef[n-1] z[n-1], added in that order (so that
 * scores do not change with how the terms are grouped).
 */
static inline double
add_products(double sum, const double *coef, const double *z, int n)
{
	for (int j = 0; j < n; j++)
		sum += coef[j] * z[j];
	return sum;
}

/*
 * The head's linear predictor over design z, or for a forest head its
 * prediction (the mean of its trees' leaves).
 */
static inline double
head_eta(const UpliftHead *head, const double *z)
{
	if (head->forest != NULL)
	{
		double		v;

		tree_forest_predict(head->forest, z, &v);
		return v;
	}
	return add_products(head->coef[0], head->coef + 1, z, head->n_coef - 1);
}

/* Predicted outcome of arm a (0..K) of the uplift forest's head. */
static double
arms_predict(const UpliftModel *m, const double *x, int a)
{
	double		out[UPLIFT_MAX_ACTIONS + 1];

	tree_forest_predict(m->heads[0].forest, x, out);
	return out[a];
}

/*
 * The S-learner's joint linear predictor under action a, read off the design
 * [x, d_1..d_K, d_1 x, .., d_K x] without building it: the intercept, the
 * feature block, then action a's indicator and interaction block, added in
 * the design's order (the other actions' terms are exact zeros).  O(p) per
 * action whatever K is.
 */
static double
joint_eta(const UpliftModel *m, const double *x, int action)
{
	const UpliftHead *head = &m->heads[0];
	const double *coef = head->coef + 1;
	int			p = m->n_features;
	int			k_count = m->n_actions;
	double		eta;

	if (head->forest != NULL)
	{
		uplift_s_design(m, x, action, m->scratch);
		return head_eta(head, m->scratch);
	}
	eta = add_products(head->coef[0], coef, x, p);
	if (action == 0)
		return eta;
	eta += coef[p + action - 1];
	if (m->interactions)
		eta = add_products(eta, coef + p + k_count + (Size) (action - 1) * p, x, p);
	return eta;
}

double
uplift_check_score(double v, const char *what, int action)
{
	if (!isfinite(v))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("%s of action %d is out of range", what, action),
				 errdetail("It overflows to %g.", v),
				 errhint("Check the arguments for extreme values, such as features far outside the range the model was fitted on.")));
	return v;
}

static double
predict_unchecked(const UpliftModel *m, const double *x, int action)
{
	const UpliftHead *head;

	if (m->learner == UPLIFT_LEARNER_FOREST)
		return arms_predict(m, x, action);
	if (uplift_model_has_outcomes(m))
	{
		head = &m->heads[action];
		return inverse_link(head->link, head_eta(head, x));
	}
	if (m->learner == UPLIFT_LEARNER_S)
		return inverse_link(m->heads[0].link, joint_eta(m, x, action));
	ereport(ERROR,
			(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
			 errmsg("uplift_predict is not available for %s models",
					uplift_learner_name(m->learner)),
			 errhint("A %s model estimates effects directly; use uplift_score.",
					 uplift_learner_name(m->learner))));
	pg_unreachable();
}

double
uplift_model_predict(const UpliftModel *m, const double *x, int action)
{
	return uplift_check_score(predict_unchecked(m, x, action), "predicted outcome", action);
}

/*
 * The learner's effect of action k (1..K) against control, before
 * calibration; base is the control prediction for the T- and S-learner.
 */
static double
raw_effect(const UpliftModel *m, const double *x, int k, double base)
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
			return predict_unchecked(m, x, k) - base;
	}
}

/* The control prediction raw_effect needs (0 when it needs none). */
static double
effect_base(const UpliftModel *m, const double *x)
{
	if (m->learner == UPLIFT_LEARNER_T || m->learner == UPLIFT_LEARNER_S)
		return predict_unchecked(m, x, 0);
	return 0.0;
}

/* A raw effect of action k, calibrated when the model is, and checked. */
static double
finish_effect(const UpliftModel *m, double e, int action)
{
	if (m->calib_slope != NULL)
		e = m->calib_intercept[action - 1] + m->calib_slope[action - 1] * e;
	return uplift_check_score(e, "effect", action);
}

static double
calibrated_effect(const UpliftModel *m, const double *x, int action, double base)
{
	return finish_effect(m, raw_effect(m, x, action, base), action);
}

/*
 * The uplift forest's effects of actions 1..K, from one walk of its trees
 * (which gives every arm's outcome at once).
 */
static void
forest_effects(const UpliftModel *m, const double *x, double *effects)
{
	double		out[UPLIFT_MAX_ACTIONS + 1];

	tree_forest_predict(m->heads[0].forest, x, out);
	for (int k = 1; k <= m->n_actions; k++)
		effects[k - 1] = finish_effect(m, out[k] - out[0], k);
}

double
uplift_model_effect(const UpliftModel *m, const double *x, int action)
{
	double		effects[UPLIFT_MAX_ACTIONS];

	if (action == 0)
		return 0.0;
	if (m->learner != UPLIFT_LEARNER_FOREST)
		return calibrated_effect(m, x, action, effect_base(m, x));
	forest_effects(m, x, effects);
	return effects[action - 1];
}

void
uplift_model_effects(const UpliftModel *m, const double *x, double *effects)
{
	double		base;

	if (m->learner == UPLIFT_LEARNER_FOREST)
	{
		forest_effects(m, x, effects);
		return;
	}
	base = effect_base(m, x);
	for (int k = 1; k <= m->n_actions; k++)
	{
		/* one action costs O(p): a sensible step between interrupt checks */
		CHECK_FOR_INTERRUPTS();
		effects[k - 1] = calibrated_effect(m, x, k, base);
	}
}

/*
 * The model and features of a scoring call (x is the cache's buffer), or
 * NULL when the features are NULL: a row without features has no score.  A
 * NULL model is an error, not a NULL for every row, so that a job whose
 * model query found nothing fails instead of scoring nothing.
 */
const UpliftModel *
uplift_scoring_args(FunctionCallInfo fcinfo, int model_argno, int features_argno,
					const char *funcname, double **x)
{
	const UpliftModel *m;

	if (PG_ARGISNULL(model_argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("model of %s must not be NULL", funcname),
				 errhint("Check the query that supplies the model: a NULL model usually means it found none.")));
	if (PG_ARGISNULL(features_argno))
		return NULL;
	m = uplift_model_cached_arg(fcinfo, model_argno, x);
	features_read_for_model(fcinfo, features_argno, m, *x);
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

/*
 * The results of the scoring functions for model m and features x (m is
 * NULL when the features are): shared by the calls that take a model and
 * those that take a model's name.
 */
static Datum
score_result(FunctionCallInfo fcinfo, const UpliftModel *m, const double *x)
{
	if (m == NULL)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(uplift_model_effect(m, x, 1));
}

int32
uplift_model_action_arg(FunctionCallInfo fcinfo, const UpliftModel *m, int argno)
{
	int32		action;

	if (uplift_arg_type(fcinfo, argno) == TEXTOID)
	{
		text	   *label = PG_GETARG_TEXT_PP(argno);

		return uplift_model_action_of_label(m, VARDATA_ANY(label), VARSIZE_ANY_EXHDR(label));
	}
	action = PG_GETARG_INT32(argno);
	check_action(m, action, 0);
	return action;
}

static Datum
score_action_result(FunctionCallInfo fcinfo, const UpliftModel *m, const double *x)
{
	int32		action;

	if (m == NULL || PG_ARGISNULL(2))
		PG_RETURN_NULL();
	action = uplift_model_action_arg(fcinfo, m, 2);
	PG_RETURN_FLOAT8(uplift_model_effect(m, x, action));
}

static Datum
scores_result(FunctionCallInfo fcinfo, const UpliftModel *m, const double *x)
{
	int			k_count;
	double	   *effects;
	Datum	   *elems;

	if (m == NULL)
		PG_RETURN_NULL();
	k_count = m->n_actions;
	effects = palloc(sizeof(double) * k_count);
	elems = palloc(sizeof(Datum) * k_count);
	uplift_model_effects(m, x, effects);
	for (int k = 0; k < k_count; k++)
		elems[k] = Float8GetDatum(effects[k]);
	PG_RETURN_ARRAYTYPE_P(construct_array(elems, k_count, FLOAT8OID, sizeof(float8),
										  FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
}

static Datum
predict_result(FunctionCallInfo fcinfo, const UpliftModel *m, const double *x)
{
	int32		action;

	if (m == NULL || PG_ARGISNULL(2))
		PG_RETURN_NULL();
	action = uplift_model_action_arg(fcinfo, m, 2);
	PG_RETURN_FLOAT8(uplift_model_predict(m, x, action));
}

/*
 * The SQL functions: each takes a model (uplift_model) or, in its _name
 * variant, the name of a deployed one (text, src/registry.c).
 */

PG_FUNCTION_INFO_V1(uplift_score);
Datum
uplift_score(PG_FUNCTION_ARGS)
{
	double	   *x;
	const UpliftModel *m = uplift_scoring_args(fcinfo, 0, 1, "uplift_score", &x);

	return score_result(fcinfo, m, x);
}

PG_FUNCTION_INFO_V1(uplift_score_name);
Datum
uplift_score_name(PG_FUNCTION_ARGS)
{
	double	   *x;
	const UpliftModel *m = uplift_named_scoring_args(fcinfo, 0, 1, "uplift_score", &x);

	return score_result(fcinfo, m, x);
}

PG_FUNCTION_INFO_V1(uplift_score_action);
Datum
uplift_score_action(PG_FUNCTION_ARGS)
{
	double	   *x;
	const UpliftModel *m = uplift_scoring_args(fcinfo, 0, 1, "uplift_score", &x);

	return score_action_result(fcinfo, m, x);
}

PG_FUNCTION_INFO_V1(uplift_score_action_name);
Datum
uplift_score_action_name(PG_FUNCTION_ARGS)
{
	double	   *x;
	const UpliftModel *m = uplift_named_scoring_args(fcinfo, 0, 1, "uplift_score", &x);

	return score_action_result(fcinfo, m, x);
}

PG_FUNCTION_INFO_V1(uplift_scores);
Datum
uplift_scores(PG_FUNCTION_ARGS)
{
	double	   *x;
	const UpliftModel *m = uplift_scoring_args(fcinfo, 0, 1, "uplift_scores", &x);

	return scores_result(fcinfo, m, x);
}

PG_FUNCTION_INFO_V1(uplift_scores_name);
Datum
uplift_scores_name(PG_FUNCTION_ARGS)
{
	double	   *x;
	const UpliftModel *m = uplift_named_scoring_args(fcinfo, 0, 1, "uplift_scores", &x);

	return scores_result(fcinfo, m, x);
}

PG_FUNCTION_INFO_V1(uplift_predict);
Datum
uplift_predict(PG_FUNCTION_ARGS)
{
	double	   *x;
	const UpliftModel *m = uplift_scoring_args(fcinfo, 0, 1, "uplift_predict", &x);

	return predict_result(fcinfo, m, x);
}

PG_FUNCTION_INFO_V1(uplift_predict_name);
Datum
uplift_predict_name(PG_FUNCTION_ARGS)
{
	double	   *x;
	const UpliftModel *m = uplift_named_scoring_args(fcinfo, 0, 1, "uplift_predict", &x);

	return predict_result(fcinfo, m, x);
}

/*
 * uplift_action(model, label) and uplift_action_label(model, action): an
 * action's number and its treatment label.
 */
PG_FUNCTION_INFO_V1(uplift_action);
Datum
uplift_action(PG_FUNCTION_ARGS)
{
	const UpliftModel *m = uplift_model_cached_arg(fcinfo, 0, NULL);
	text	   *label = PG_GETARG_TEXT_PP(1);

	PG_RETURN_INT32(uplift_model_action_of_label(m, VARDATA_ANY(label), VARSIZE_ANY_EXHDR(label)));
}

PG_FUNCTION_INFO_V1(uplift_action_label);
Datum
uplift_action_label(PG_FUNCTION_ARGS)
{
	const UpliftModel *m = uplift_model_cached_arg(fcinfo, 0, NULL);
	int32		action = PG_GETARG_INT32(1);

	check_action(m, action, 0);
	if (m->action_labels == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the model has no treatment labels"),
				 errhint("Only a model fitted with a text treatment names its actions; this one numbers them 0..%d.",
						 m->n_actions)));
	PG_RETURN_TEXT_P(cstring_to_text(m->action_labels[action]));
}
