/*
 * learn_meta.h
 *	  The class-transformation, X- and DR-learners: heads fitted on
 *	  outcomes derived from the rows of a training buffer (learn_pseudo.h).
 *
 * Each fills in the heads of a model m whose header the dispatcher
 * (learn.c) has set (learner, base, actions, features, arm statistics) and
 * whose learner-specific restrictions it has checked.
 */
#ifndef UPLIFT_LEARN_META_H
#define UPLIFT_LEARN_META_H

#include "postgres.h"

#include "learn_head.h"
#include "model.h"
#include "trainbuf.h"

/* One head on the transformed outcome of arms 0 and 1 (K = 1). */
extern void learn_class_transform(const TrainBuf *buf, const LearnSettings *s,
								  UpliftModel *m);

/*
 * Outcome heads per arm, then per action the two imputed-effect heads and
 * their mix; logged propensities weigh the rows as aw says.
 */
extern void learn_x(const TrainBuf *buf, const LearnSettings *s,
					UpliftModel *m, const ArmWeights *aw);

/* Unweighted outcome heads per arm, then per action a pseudo-outcome head. */
extern void learn_dr(const TrainBuf *buf, const LearnSettings *s,
					 UpliftModel *m);

#endif							/* UPLIFT_LEARN_META_H */
