/*
 * learners_meta.c
 *	  The class-transformation, X- and DR-learners (see doc/learners.md).
 *
 * Each fits its heads on the TrainBuf in place, through a PseudoSource whose
 * outcome is derived from the row.  With K actions against control 0, n_a
 * rows in arm a and n rows in all, the propensity of row i for the arm it
 * is in is the logged one (the propensity argument, clipped to
 * min_propensity) or else the arm share n_a / n; w_i below is its inverse.
 *
 *	  class_transform (K = 1)
 *	    logistic base: z_i = y_i t_i + (1 - y_i)(1 - t_i), one logistic model
 *	      of z on x over all rows, effect(x) = 2 P(z = 1 | x) - 1
 *	      (Jaskowski and Jaroszewicz 2012; scikit-uplift ClassTransformation);
 *	    linear base: the propensity-corrected transformed outcome
 *	      y*_i = y_i (t_i - e_i) / (e_i (1 - e_i)) = +w_i y_i (treated) or
 *	      -w_i y_i (control), one linear model of y* on x, effect(x) = its
 *	      prediction (Athey and Imbens 2016; ClassTransformationReg).
 *	  x_learner (Kunzel, Sekhon, Bickel and Yu 2019)
 *	    outcome models mu_a per arm (as the T-learner); per action k the
 *	    imputed effects d = mu_k(x) - y on control rows and d = y - mu_0(x) on
 *	    rows of arm k, each regressed linearly on x (tau0_k, tau1_k);
 *	    effect_k(x) = g_k tau0_k(x) + (1 - g_k) tau1_k(x) with the constant
 *	    g_k = n_k / (n_k + n_0).  Logged propensities weight the four
 *	    regressions by 1/propensity (normalised per arm, as the T-learner).
 *	  dr_learner (Kennedy 2020, without sample splitting)
 *	    unweighted outcome models mu_a per arm; per action k the
 *	    pseudo-outcome on EVERY row
 *	      phi_k = mu_k(x) - mu_0(x) + [t = k] w (y - mu_k(x))
 *	              - [t = 0] w (y - mu_0(x)),
 *	    regressed linearly on x over all rows: effect_k(x).
 *
 * No learner here splits the rows: every fit is a deterministic function
 * of the set of rows, whatever their order or the plan that gathered them.
 */
#include "postgres.h"

#include <math.h>

#include "miscadmin.h"

#include "learners.h"
#include "learners_pseudo.h"
#include "linear.h"
#include "logistic.h"
#include "trainbuf.h"

/* What the derived outcomes of one head need. */
typedef struct MetaFill
{
	const UpliftModel *m;
	const double *share_inv;	/* n_arms: n / n_a, inverse of the arm share */
	int32		action;			/* k of the head */
	double	   *mu_k;			/* ROWBLOCK_ROWS scratch */
	double	   *mu_0;
} MetaFill;

/* Inverse propensity of row i of a block of arm "arm". */
static inline double
inv_prop(const MetaFill *f, int32 arm, const double *w, int i)
{
	return w != NULL ? w[i] : f->share_inv[arm];
}

/* class_transform, logistic base: z = 1 when y equals t. */
static void
fill_ct_class(void *arg, int32 arm, int n, const double *const *col,
			  const double *y, const double *w, double *out)
{
	for (int i = 0; i < n; i++)
		out[i] = arm == 1 ? y[i] : 1.0 - y[i];
}

/* class_transform, linear base: y* = +-y / propensity. */
static void
fill_ct_outcome(void *arg, int32 arm, int n, const double *const *col,
				const double *y, const double *w, double *out)
{
	MetaFill   *f = (MetaFill *) arg;
	double		sign = arm == 1 ? 1.0 : -1.0;

	for (int i = 0; i < n; i++)
		out[i] = sign * inv_prop(f, arm, w, i) * y[i];
}

/* x_learner on control rows: d = mu_k(x) - y. */
static void
fill_x_control(void *arg, int32 arm, int n, const double *const *col,
			   const double *y, const double *w, double *out)
{
	MetaFill   *f = (MetaFill *) arg;

	pseudo_head_predict(&f->m->heads[f->action], n, col, f->mu_k);
	for (int i = 0; i < n; i++)
		out[i] = f->mu_k[i] - y[i];
}

/* x_learner on rows of arm k: d = y - mu_0(x). */
static void
fill_x_treated(void *arg, int32 arm, int n, const double *const *col,
			   const double *y, const double *w, double *out)
{
	MetaFill   *f = (MetaFill *) arg;

	pseudo_head_predict(&f->m->heads[0], n, col, f->mu_0);
	for (int i = 0; i < n; i++)
		out[i] = y[i] - f->mu_0[i];
}

/* dr_learner: the doubly robust pseudo-outcome of action k, on every row. */
static void
fill_dr(void *arg, int32 arm, int n, const double *const *col,
		const double *y, const double *w, double *out)
{
	MetaFill   *f = (MetaFill *) arg;
	int32		k = f->action;

	pseudo_head_predict(&f->m->heads[k], n, col, f->mu_k);
	pseudo_head_predict(&f->m->heads[0], n, col, f->mu_0);
	for (int i = 0; i < n; i++)
	{
		double		phi = f->mu_k[i] - f->mu_0[i];

		if (arm == k)
			phi += inv_prop(f, arm, w, i) * (y[i] - f->mu_k[i]);
		else if (arm == 0)
			phi -= inv_prop(f, arm, w, i) * (y[i] - f->mu_0[i]);
		out[i] = phi;
	}
}

/* Are all logged propensities exactly 1/2 (or none given)? */
static bool
propensities_half(const TrainBuf *buf)
{
	if (!buf->weighted)
		return true;
	for (int32 a = 0; a < buf->n_arms; a++)
		if (buf->arms[a].nrows > 0 &&
			(buf->arms[a].prop_min != 0.5 || buf->arms[a].prop_max != 0.5))
			return false;
	return true;
}

static void
propensity_range(const TrainBuf *buf, double *lo, double *hi)
{
	*lo = 1.0;
	*hi = 0.0;
	for (int32 a = 0; a < buf->n_arms; a++)
		if (buf->arms[a].nrows > 0)
		{
			*lo = Min(*lo, buf->arms[a].prop_min);
			*hi = Max(*hi, buf->arms[a].prop_max);
		}
}

int32
uplift_learner_base(const TrainBuf *buf, const LearnSettings *s, int32 K)
{
	if (s->learner != UPLIFT_LEARNER_CLASS_TRANSFORM)
		return s->base != 0 ? s->base :
			buf->all_binary ? UPLIFT_BASE_LOGISTIC : UPLIFT_BASE_LINEAR;

	if (K != 1)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("learner \"class_transform\" of uplift_fit needs a binary treatment"),
				 errdetail("The rows have treatments 0 to %d; the class transformation compares one action with control.", K),
				 errhint("Use learner \"x_learner\" or \"dr_learner\", which estimate each action against control, or fit one model per action on its rows and the control rows.")));
	if (s->base == UPLIFT_BASE_LOGISTIC && !propensities_half(buf))
	{
		double		lo,
					hi;

		propensity_range(buf, &lo, &hi);
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("learner \"class_transform\" with base \"logistic\" needs propensities of 1/2"),
				 errdetail("The logged propensities range from %g to %g; the class transformation is unbiased only under a 50/50 assignment.", lo, hi),
				 errhint("Omit option \"base\" or set it to \"linear\" to fit the propensity-corrected transformed outcome, or use learner \"dr_learner\".")));
	}
	if (s->base != 0)
		return s->base;
	return buf->all_binary && propensities_half(buf) ?
		UPLIFT_BASE_LOGISTIC : UPLIFT_BASE_LINEAR;
}

/* An effect head (identity link) of role and action over src. */
static void
fit_effect(PseudoSource *src, const LearnSettings *s, UpliftHead *head,
		   int32 role, int32 action, const char *what)
{
	head->role = role;
	head->action = action;
	uplift_fit_head(&src->base, s, UPLIFT_BASE_LINEAR, head, what);
}

/* Outcome heads 0..K, weighted as aw says (NULL: unweighted). */
static void
fit_outcomes(const TrainBuf *buf, const LearnSettings *s, UpliftModel *m,
			 const ArmWeights *aw)
{
	for (int32 a = 0; a <= m->n_actions; a++)
	{
		ArmSource	src;
		char		what[64];
		bool		use = aw != NULL && aw[a].use;

		snprintf(what, sizeof(what), "treatment %d", a);
		trainbuf_arm_source(&src, buf, a, use, use ? aw[a].scale : 1.0);
		m->heads[a].role = UPLIFT_HEAD_OUTCOME;
		m->heads[a].action = a;
		uplift_fit_head(&src.base, s, m->base, &m->heads[a], what);
	}
}

static void
learn_class_transform(const TrainBuf *buf, const LearnSettings *s,
					  UpliftModel *m, MetaFill *f)
{
	PseudoSource src;
	bool	   *take = palloc0(buf->n_arms * sizeof(bool));
	UpliftHead *head;

	take[0] = take[1] = true;
	m->n_heads = 1;
	m->heads = palloc0(sizeof(UpliftHead));
	head = &m->heads[0];
	head->role = UPLIFT_HEAD_TRANSFORMED;
	head->action = 1;
	if (m->base == UPLIFT_BASE_LOGISTIC)
	{
		pseudo_source_init(&src, buf, take, NULL, fill_ct_class, f);
		uplift_fit_head(&src.base, s, UPLIFT_BASE_LOGISTIC, head,
						"the class_transform model");
	}
	else
	{
		pseudo_source_init(&src, buf, take, NULL, fill_ct_outcome, f);
		uplift_fit_head(&src.base, s, UPLIFT_BASE_LINEAR, head,
						"the class_transform model");
	}
}

static void
learn_x(const TrainBuf *buf, const LearnSettings *s, UpliftModel *m,
		const ArmWeights *aw, MetaFill *f)
{
	int32		K = m->n_actions;
	bool	   *take = palloc0(buf->n_arms * sizeof(bool));

	m->n_heads = (K + 1) + 2 * K;
	m->heads = palloc0(m->n_heads * sizeof(UpliftHead));
	m->mix = palloc(K * sizeof(double));
	fit_outcomes(buf, s, m, aw);
	for (int32 k = 1; k <= K; k++)
	{
		PseudoSource src;
		UpliftHead *h0 = &m->heads[K + 1 + 2 * (k - 1)];
		char		what[64];

		CHECK_FOR_INTERRUPTS();
		f->action = k;
		memset(take, 0, buf->n_arms * sizeof(bool));
		take[0] = true;
		snprintf(what, sizeof(what), "the control effect model of treatment %d", k);
		pseudo_source_init(&src, buf, take, aw, fill_x_control, f);
		fit_effect(&src, s, h0, UPLIFT_HEAD_EFFECT_CONTROL, k, what);

		take[0] = false;
		take[k] = true;
		snprintf(what, sizeof(what), "the effect model of treatment %d", k);
		pseudo_source_init(&src, buf, take, aw, fill_x_treated, f);
		fit_effect(&src, s, h0 + 1, UPLIFT_HEAD_EFFECT, k, what);

		m->mix[k - 1] = (double) buf->arms[k].nrows /
			(double) (buf->arms[k].nrows + buf->arms[0].nrows);
	}
}

static void
learn_dr(const TrainBuf *buf, const LearnSettings *s, UpliftModel *m,
		 MetaFill *f)
{
	int32		K = m->n_actions;
	bool	   *take = palloc(buf->n_arms * sizeof(bool));

	for (int32 a = 0; a < buf->n_arms; a++)
		take[a] = true;
	m->n_heads = (K + 1) + K;
	m->heads = palloc0(m->n_heads * sizeof(UpliftHead));
	fit_outcomes(buf, s, m, NULL);
	for (int32 k = 1; k <= K; k++)
	{
		PseudoSource src;
		char		what[64];

		CHECK_FOR_INTERRUPTS();
		f->action = k;
		snprintf(what, sizeof(what), "the effect model of treatment %d", k);
		pseudo_source_init(&src, buf, take, NULL, fill_dr, f);
		fit_effect(&src, s, &m->heads[K + k], UPLIFT_HEAD_EFFECT, k, what);
	}
}

void
uplift_learn_meta(const TrainBuf *buf, const LearnSettings *s, UpliftModel *m,
				  const ArmWeights *aw)
{
	MetaFill	f;
	double	   *share_inv = palloc0(buf->n_arms * sizeof(double));
	int64		n = 0;

	for (int32 a = 0; a <= m->n_actions; a++)
		n += buf->arms[a].nrows;
	for (int32 a = 0; a <= m->n_actions; a++)
		share_inv[a] = (double) n / (double) buf->arms[a].nrows;
	f.m = m;
	f.share_inv = share_inv;
	f.action = 0;
	f.mu_k = palloc(ROWBLOCK_ROWS * sizeof(double));
	f.mu_0 = palloc(ROWBLOCK_ROWS * sizeof(double));

	switch (s->learner)
	{
		case UPLIFT_LEARNER_CLASS_TRANSFORM:
			learn_class_transform(buf, s, m, &f);
			break;
		case UPLIFT_LEARNER_X:
			learn_x(buf, s, m, aw, &f);
			break;
		case UPLIFT_LEARNER_DR:
			learn_dr(buf, s, m, &f);
			break;
		default:
			elog(ERROR, "unexpected learner code %d", s->learner);
	}
}
