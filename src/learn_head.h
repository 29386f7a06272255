/*
 * learn_head.h
 *	  Fitting one head of a model, the one place every learner fits a head,
 *	  and the settings and per-arm weights that all learners share.
 *
 * A head is fitted over a RowSource (the training buffer's rows of some
 * arms, or a derived outcome over them) with the base's solver, or from
 * centred moments with the ridge solver.  The learners (learn_ts.c,
 * learn_meta.c) call these; the dispatcher (learn.c) calls the learners.
 */
#ifndef UPLIFT_LEARN_HEAD_H
#define UPLIFT_LEARN_HEAD_H

#include "postgres.h"

#include "model.h"
#include "rowsource.h"
#include "progress.h"
#include "trainbuf.h"
#include "tree_grow.h"

/* Resolved settings of one fit (the options of uplift_fit). */
typedef struct LearnSettings
{
	int32		learner;		/* UpliftLearner */
	int32		base;			/* UpliftBase, or 0: chosen from the outcome */
	double		l2;				/* penalty on every coefficient but the intercept */
	int32		max_iter;		/* Newton steps per logistic fit */
	double		tol;			/* Newton stops when no coefficient moves more */
	bool		interactions;	/* s_learner: action-by-feature columns */
	int64		seed;			/* recorded; the fit itself is deterministic */
	double		min_propensity; /* logged propensities are clipped to it (0: off) */
	int32		n_names;		/* feature names given, or 0 */
	char	  **feature_names;
	char	   *group;			/* the group's key, as text, or NULL */
	bool		skip_incomplete;	/* an arm without rows: NULL, not an error */
	/* learner or base "forest" (src/learn_forest.c) */
	bool		forest;			/* the tree settings below apply */
	TreeParams	tree;
	bool		criterion_set;	/* tree.criterion was given */
	int32		bins;			/* most value bins of a feature */
	int64		bin_sample;		/* rows the bin edges are quantiles of */
	/* not stored: named features' native columns that are categorical */
	int32		n_categorical;
	const bool *categorical;
	/* not stored: where the fit reports its phases, or NULL */
	Progress   *progress;
} LearnSettings;

/*
 * Per-arm weighting of a propensity-weighted fit: use the rows' inverse
 * propensities at all, and the scale that makes them average 1 in the arm.
 */
typedef struct ArmWeights
{
	bool		use;
	double		scale;
} ArmWeights;

/*
 * Whether a fit weighs an arm's rows by their inverse propensities: the fit
 * has propensities, and they vary within the arm (nrows rows, propensities
 * from prop_min to prop_max).
 */
static inline bool
learn_weighs_arm(bool weighted, int64 nrows, double prop_min, double prop_max)
{
	return weighted && nrows > 0 && prop_min < prop_max;
}

/*
 * Fit head (given role and action) over src with the solver of base
 * (UPLIFT_BASE_LOGISTIC or UPLIFT_BASE_LINEAR); "what" names it in errors.
 */
extern void learn_head_fit(RowSource *src, const LearnSettings *s, int32 base,
						   int32 role, int32 action, UpliftHead *head,
						   const char *what);

/*
 * Fit a linear head from centred moments (see linear_fit_moments) with the
 * penalty of the settings.
 */
extern void learn_head_fit_moments(int d, const double *g, const double *r,
								   const double *zbar, double ybar,
								   const LearnSettings *s, int64 nrows,
								   int32 role, int32 action, UpliftHead *head,
								   const char *what);

/*
 * The outcome heads m->heads[0..K], one per arm on that arm's rows with
 * base m->base, weighted as aw says (NULL: unweighted).  With last_use
 * (nothing reads the rows after) a head may free its arm's rows in its
 * last pass, when the buffer allows it.
 */
extern void learn_outcome_heads(const TrainBuf *buf, const LearnSettings *s,
								UpliftModel *m, const ArmWeights *aw, bool last_use);

/*
 * Error (22003) unless the weights 1/propensity of arm "action" have a
 * finite total.
 */
extern void learn_check_weight_total(double total, int32 action);

#endif							/* UPLIFT_LEARN_HEAD_H */
