/*
 * learn_pseudo.h
 *	  A row source whose outcome is computed from each row: the transformed
 *	  outcomes, imputed effects and pseudo-outcomes of the meta-learners
 *	  (learn_meta.c).
 *
 * The source reads the rows of chosen arms of a TrainBuf in place (features
 * and propensity weights are not copied) and fills a block-sized outcome
 * column through a callback, so a head can be fitted on a derived outcome
 * without a second copy of the data.
 */
#ifndef UPLIFT_LEARN_PSEUDO_H
#define UPLIFT_LEARN_PSEUDO_H

#include "postgres.h"

#include "learn_head.h"
#include "trainbuf.h"

/*
 * Compute the n derived outcomes of a block of rows of arm "arm": col holds
 * the p feature columns, y the observed outcomes, w the rows' inverse
 * propensities (NULL when the fit has none).  Writes out[0..n-1].
 */
typedef void (*PseudoFill) (void *arg, int32 arm, int n,
							const double *const *col, const double *y,
							const double *w, double *out);

typedef struct PseudoSource
{
	RowSource	base;
	const TrainBuf *buf;
	const bool *take;			/* n_arms flags: arms whose rows are read */
	const ArmWeights *aw;		/* n_arms weightings, or NULL: unweighted */
	PseudoFill	fill;
	void	   *arg;
	TileCursor	cur;
	const double **cols;		/* p column pointers */
	double	   *out;			/* ROWBLOCK_ROWS derived outcomes */
	int			stride;			/* of the current pass */
	int64		pos;			/* rows it has handed out */
	double	   *kept;			/* nrows derived outcomes (keep on), or NULL */
	bool		kept_all;		/* a full pass has filled them */
	TrainBuf   *release;		/* the same buffer when its last pass frees the rows */
} PseudoSource;

/*
 * Set up src over the arms flagged in take (buf->n_arms flags), weighting
 * the rows as aw says (NULL: every weight 1).
 */
extern void pseudo_source_init(PseudoSource *src, const TrainBuf *buf,
							   const bool *take, const ArmWeights *aw,
							   PseudoFill fill, void *arg);

/*
 * Let the source's last pass (rewind_last) free the rows of its arms, when
 * the buffer allows it: call only when nothing reads them after.
 */
extern void pseudo_source_release(PseudoSource *src, TrainBuf *buf);

/*
 * The linear predictor of head over a block of n rows with columns col
 * (z = x), through the head's inverse link: out[i] = g(eta_i).
 */
extern void pseudo_head_predict(const UpliftHead *head, int n,
								const double *const *col, double *out);

#endif							/* UPLIFT_LEARN_PSEUDO_H */
