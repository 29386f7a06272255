/*
 * learners.h
 *	  From a training buffer to an UpliftModel: the T-learner and S-learner
 *	  here, the class-transformation, X- and DR-learners in learners_meta.c.
 *
 * Learners work on the plain arrays of a TrainBuf and know nothing of the
 * function-call interface; src/fit.c is the SQL glue.
 */
#ifndef UPLIFT_LEARNERS_H
#define UPLIFT_LEARNERS_H

#include "postgres.h"

#include "model.h"
#include "trainbuf.h"

/* Resolved settings of one fit (the options of uplift_fit). */
typedef struct LearnSettings
{
	int32		learner;		/* UpliftLearner (not forest) */
	int32		base;			/* UpliftBase, or 0: chosen from the outcome */
	double		l2;				/* penalty on every coefficient but the intercept */
	int32		max_iter;		/* Newton steps per logistic fit */
	double		tol;			/* Newton stops when no coefficient moves more */
	bool		interactions;	/* s_learner: action-by-feature columns */
	int64		seed;			/* recorded; the fit itself is deterministic */
	double		min_propensity; /* logged propensities are clipped to it (0: off) */
	int32		n_names;		/* feature names given, or 0 */
	char	  **feature_names;
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

/* Fit the model the settings ask for; palloc'd in the current context. */
extern UpliftModel *uplift_learn(const TrainBuf *buf, const LearnSettings *s);

/* Fit one head over src with the base's solver ("what" names it in errors). */
extern void uplift_fit_head(RowSource *src, const LearnSettings *s, int32 base,
							UpliftHead *head, const char *what);

/*
 * learners_meta.c: check the learner's restrictions on the data (K actions)
 * and return the base it uses: the option's, else one chosen from the data.
 */
extern int32 uplift_learner_base(const TrainBuf *buf, const LearnSettings *s,
								 int32 K);

/*
 * learners_meta.c: fit the heads of a class_transform, x_learner or
 * dr_learner model m, whose header uplift_learn has filled in.
 */
extern void uplift_learn_meta(const TrainBuf *buf, const LearnSettings *s,
							  UpliftModel *m, const ArmWeights *aw);

#endif							/* UPLIFT_LEARNERS_H */
