/*
 * learn_head.c
 *	  Fitting one head with the base's solver (see learn_head.h).
 */
#include "postgres.h"

#include <math.h>

#include "learn_forest.h"
#include "learn_head.h"
#include "linear.h"
#include "logistic.h"

void
learn_head_fit(RowSource *src, const LearnSettings *s, int32 base,
			   int32 role, int32 action, UpliftHead *head, const char *what)
{
	head->role = role;
	head->action = action;
	if (base == UPLIFT_BASE_FOREST)
		learn_forest_head(src, s, head, what);
	else if (base == UPLIFT_BASE_LOGISTIC)
	{
		head->link = UPLIFT_LINK_LOGIT;
		logistic_fit(src, s->l2, s->max_iter, s->tol, head, what);
	}
	else
	{
		head->link = UPLIFT_LINK_IDENTITY;
		linear_fit(src, s->l2, head, what);
	}
}

void
learn_head_fit_moments(int d, const double *g, const double *r,
					   const double *zbar, double ybar, const LearnSettings *s,
					   int64 nrows, int32 role, int32 action, UpliftHead *head,
					   const char *what)
{
	head->role = role;
	head->action = action;
	linear_fit_moments(d, g, r, zbar, ybar, s->l2, nrows, head, what);
}

void
learn_outcome_heads(const TrainBuf *buf, const LearnSettings *s,
					UpliftModel *m, const ArmWeights *aw, bool last_use)
{
	for (int32 a = 0; a <= m->n_actions; a++)
	{
		ArmSource	src;
		char		what[64];
		bool		use = aw != NULL && aw[a].use;

		snprintf(what, sizeof(what), "treatment %d", a);
		trainbuf_arm_source(&src, buf, a, use, use ? aw[a].scale : 1.0);
		if (last_use)
			trainbuf_arm_source_release(&src, unconstify(TrainBuf *, buf));
		learn_head_fit(&src.base, s, m->base, UPLIFT_HEAD_OUTCOME, a,
					   &m->heads[a], what);
	}
}

/*
 * The weights 1/propensity of an arm must have a finite sum: each is finite
 * (the row checks see to it), but many huge ones overflow, and the per-arm
 * normalisation would then silently weigh every row 0.
 */
void
learn_check_weight_total(double total, int32 action)
{
	if (!isfinite(total))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("propensity of uplift_fit is too small: the weights 1/propensity of treatment %d sum beyond double precision", action),
				 errhint("Clip small propensities with option \"min_propensity\" (for example 0.001), or repair the logged propensities.")));
}
