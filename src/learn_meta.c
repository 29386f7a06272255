/*
 * learn_meta.c
 *	  The class-transformation, X- and DR-learners (see learn_meta.h and
 *	  doc/learners.md).
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
 * With base "forest" every head above is a forest: the outcome heads of
 * 0/1 outcomes predict probabilities directly, and the regressions of the
 * class transformation's y*, the imputed effects and the pseudo-outcomes are
 * regression forests (a forest head's in-sample predictions enter the DR
 * pseudo-outcomes as the linear heads' do).
 *
 * No learner here splits the rows: every fit is a deterministic function
 * of the set of rows, whatever their order or the plan that gathered them.
 */
#include "postgres.h"

#include <math.h>

#include "miscadmin.h"

#include "learn_head.h"
#include "learn_meta.h"
#include "learn_pseudo.h"
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

	for (int i = 0; i < n; i++)
		out[i] = learn_ct_outcome(arm, inv_prop(f, arm, w, i), y[i]);
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
		out[i] = learn_dr_outcome(arm, k, inv_prop(f, arm, w, i), y[i], f->mu_k[i], f->mu_0[i]);
}

/* The base of the heads that regress derived outcomes: linear, or forest. */
static int32
effect_base(const UpliftModel *m)
{
	return m->base == UPLIFT_BASE_FOREST ? UPLIFT_BASE_FOREST : UPLIFT_BASE_LINEAR;
}

double *
learn_share_inverse(const TrainBuf *buf, int32 n_arms)
{
	double	   *share_inv = palloc(sizeof(double) * n_arms);
	int64		n = 0;

	for (int32 a = 0; a < n_arms; a++)
		n += buf->arms[a].nrows;
	for (int32 a = 0; a < n_arms; a++)
		share_inv[a] = (double) n / (double) buf->arms[a].nrows;
	return share_inv;
}

/* The fill state of model m: arm shares and block scratch. */
static void
meta_fill_init(MetaFill *f, const TrainBuf *buf, const UpliftModel *m)
{
	f->m = m;
	f->share_inv = learn_share_inverse(buf, m->n_actions + 1);
	f->action = 0;
	f->mu_k = palloc(ROWBLOCK_ROWS * sizeof(double));
	f->mu_0 = palloc(ROWBLOCK_ROWS * sizeof(double));
}

void
learn_class_transform(const TrainBuf *buf, const LearnSettings *s,
					  UpliftModel *m)
{
	MetaFill	f;
	PseudoSource src;
	bool	   *take = palloc0(buf->n_arms * sizeof(bool));

	meta_fill_init(&f, buf, m);
	take[0] = take[1] = true;
	m->n_heads = 1;
	m->heads = palloc0(sizeof(UpliftHead));
	pseudo_source_init(&src, buf, take, NULL,
					   m->base == UPLIFT_BASE_LOGISTIC ? fill_ct_class : fill_ct_outcome,
					   &f);
	/* its head is the rows' last reader */
	pseudo_source_release(&src, unconstify(TrainBuf *, buf));
	learn_head_fit(&src.base, s, m->base, UPLIFT_HEAD_TRANSFORMED, 1,
				   &m->heads[0], "the class_transform model");
}

void
learn_x(const TrainBuf *buf, const LearnSettings *s, UpliftModel *m,
		const ArmWeights *aw)
{
	int32		K = m->n_actions;
	bool	   *take = palloc0(buf->n_arms * sizeof(bool));
	MetaFill	f;

	m->n_heads = (K + 1) + 2 * K;
	m->heads = palloc0(m->n_heads * sizeof(UpliftHead));
	m->mix = palloc(K * sizeof(double));
	meta_fill_init(&f, buf, m);
	learn_outcome_heads(buf, s, m, aw, false);
	for (int32 k = 1; k <= K; k++)
	{
		PseudoSource src;
		UpliftHead *h0 = &m->heads[K + 1 + 2 * (k - 1)];
		char		what[64];

		CHECK_FOR_INTERRUPTS();
		f.action = k;
		memset(take, 0, buf->n_arms * sizeof(bool));
		take[0] = true;
		snprintf(what, sizeof(what), "the control effect model of treatment %d", k);
		pseudo_source_init(&src, buf, take, aw, fill_x_control, &f);
		/* the control rows' last reader is the last treatment's head */
		if (k == K)
			pseudo_source_release(&src, unconstify(TrainBuf *, buf));
		learn_head_fit(&src.base, s, effect_base(m), UPLIFT_HEAD_EFFECT_CONTROL, k,
					   h0, what);

		take[0] = false;
		take[k] = true;
		snprintf(what, sizeof(what), "the effect model of treatment %d", k);
		pseudo_source_init(&src, buf, take, aw, fill_x_treated, &f);
		/* the rows of k are not read after */
		pseudo_source_release(&src, unconstify(TrainBuf *, buf));
		learn_head_fit(&src.base, s, effect_base(m), UPLIFT_HEAD_EFFECT, k,
					   h0 + 1, what);

		m->mix[k - 1] = (double) buf->arms[k].nrows /
			(double) (buf->arms[k].nrows + buf->arms[0].nrows);
	}
}

void
learn_dr(const TrainBuf *buf, const LearnSettings *s, UpliftModel *m)
{
	int32		K = m->n_actions;
	bool	   *take = palloc(buf->n_arms * sizeof(bool));
	MetaFill	f;

	for (int32 a = 0; a < buf->n_arms; a++)
		take[a] = true;
	m->n_heads = (K + 1) + K;
	m->heads = palloc0(m->n_heads * sizeof(UpliftHead));
	meta_fill_init(&f, buf, m);
	learn_outcome_heads(buf, s, m, NULL, false);
	for (int32 k = 1; k <= K; k++)
	{
		PseudoSource src;
		char		what[64];

		CHECK_FOR_INTERRUPTS();
		f.action = k;
		snprintf(what, sizeof(what), "the effect model of treatment %d", k);
		pseudo_source_init(&src, buf, take, NULL, fill_dr, &f);
		if (k == K)
			pseudo_source_release(&src, unconstify(TrainBuf *, buf));
		learn_head_fit(&src.base, s, effect_base(m), UPLIFT_HEAD_EFFECT, k,
					   &m->heads[K + k], what);
	}
}
