/*
 * learn_ts.h
 *	  The T-learner and S-learner: their heads, fitted on the rows of a
 *	  training buffer or from the per-arm moments of a moments buffer.
 *
 * Each fills in the heads of a model m whose header the dispatcher
 * (learn.c) has set (learner, base, actions, features, arm statistics).
 */
#ifndef UPLIFT_LEARN_TS_H
#define UPLIFT_LEARN_TS_H

#include "postgres.h"

#include "learn_head.h"
#include "model.h"
#include "trainbuf.h"

/* One outcome head per arm, weighted as aw says. */
extern void learn_t(const TrainBuf *buf, const LearnSettings *s,
					UpliftModel *m, const ArmWeights *aw);

/* One joint head over the s_learner design of all rows. */
extern void learn_s(const TrainBuf *buf, const LearnSettings *s,
					UpliftModel *m, const ArmWeights *aw);

/*
 * The linear heads of a t_learner or s_learner model from the per-arm
 * moments of a moments buffer; also sets m's arm rows and outcome means.
 */
extern void learn_ts_moments(const TrainBuf *buf, const LearnSettings *s,
							 UpliftModel *m);

#endif							/* UPLIFT_LEARN_TS_H */
