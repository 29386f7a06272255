/*
 * learners.h
 *	  The T-learner and S-learner: from a training buffer to an UpliftModel.
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
	int32		learner;		/* UPLIFT_LEARNER_T or UPLIFT_LEARNER_S */
	int32		base;			/* UpliftBase, or 0: chosen from the outcome */
	double		l2;				/* penalty on every coefficient but the intercept */
	int32		max_iter;		/* Newton steps per logistic fit */
	double		tol;			/* Newton stops when no coefficient moves more */
	bool		interactions;	/* s_learner: action-by-feature columns */
	int64		seed;			/* recorded; the fit itself is deterministic */
	int32		n_names;		/* feature names given, or 0 */
	char	  **feature_names;
} LearnSettings;

/* Fit the model the settings ask for; palloc'd in the current context. */
extern UpliftModel *uplift_learn(const TrainBuf *buf, const LearnSettings *s);

#endif							/* UPLIFT_LEARNERS_H */
