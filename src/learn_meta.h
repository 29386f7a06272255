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

/*
 * The derived outcomes of one row of arm "arm", with ip its inverse
 * propensity (the logged one, or learn_share_inverse's) and mu_k, mu_0 the
 * outcome heads' predictions for it: the class transformation's y* (linear
 * and forest bases) and the DR-learner's pseudo-outcome of action k.  Every
 * fit computes them here, so that they agree to the bit.
 */
static inline double
learn_ct_outcome(int32 arm, double ip, double y)
{
	return (arm == 1 ? 1.0 : -1.0) * ip * y;
}

static inline double
learn_dr_outcome(int32 arm, int32 k, double ip, double y, double mu_k, double mu_0)
{
	double		phi = mu_k - mu_0;

	if (arm == k)
		phi += ip * (y - mu_k);
	else if (arm == 0)
		phi -= ip * (y - mu_0);
	return phi;
}

/* n / n_a for the arms 0..n_arms-1 of buf: the inverses of the arm shares. */
extern double *learn_share_inverse(const TrainBuf *buf, int32 n_arms);

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
