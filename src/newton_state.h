/*
 * newton_state.h
 *	  The aggregate uplift_newton_pass, one pass of uplift_fit_query's
 *	  logistic and linear fits over the rows of a query (newton_state.c),
 *	  and the layout of its setup and result arrays.
 *
 * uplift_newton_pass(features, treatment, outcome, propensity, setup)
 * takes its task from setup (a float8[], the same on every row):
 *
 *	  kind "summary": per arm the rows, the propensity ranges, the clipped
 *	  rows and the sums an in-memory fit learns before Newton's method
 *	  (weights, outcomes, features, each plain and weighted by 1/propensity).
 *
 *	  kind "gradient": per arm the gradient and Hessian of the loss (the
 *	  logistic loss, or half the squared error) at given coefficients, with
 *	  the features centred on a given vector and the rows weighted as the
 *	  arm's settings say.
 *
 * The state is a value of type uplift_newton_state (its size depends on the
 * arms and features, never on the rows) with a combine function, so passes
 * run in parallel workers and on the shards of a distributed table; the
 * result is a float8[] of the sums.
 */
#ifndef UPLIFT_NEWTON_STATE_H
#define UPLIFT_NEWTON_STATE_H

#include "postgres.h"

#define NEWTON_KIND_SUMMARY 0
#define NEWTON_KIND_GRADIENT 1

/*
 * setup: [0] kind, [1] base (UpliftBase code, 0: none chosen yet; a logistic
 * base makes an outcome other than 0 and 1 an error, as in uplift_fit, and
 * in a gradient pass selects the logistic loss), [2] weighted (1: the
 * propensity argument is used), [3] min_propensity, [4] Hessian wanted (1/0),
 * [5] arms (gradient: K + 1; summary: 0), [6] features p (gradient: p;
 * summary: 0), then for a gradient pass per arm a:
 * NEWTON_ARM_SETUP(p) values: active (1/0: 0 skips the arm's rows), use
 * weights (1/0), weight scale, centre (p), coefficients (p + 1, centred
 * form: intercept, then one per feature).
 */
#define NEWTON_SETUP_HEAD 7
#define NEWTON_ARM_SETUP(p) (3 + (p) + (p) + 1)

/*
 * result: [0] kind, [1] arms, [2] p, [3] every outcome 0 or 1 (1/0), then
 * per arm NEWTON_ARM_HEAD values: rows, clipped rows, fitted propensity min
 * and max (after clipping), given propensity min and max (NaN without
 * weighted rows), then the arm's newton_values(kind, p) sums:
 *	  summary: sum w, sum y, sum w y, sum x (p), sum w x (p), w = 1/propensity
 *	  gradient: g (p + 1), then the lower triangle of H row by row
 *	  ((p + 1)(p + 2) / 2), H[i][k] at i (i + 1) / 2 + k.
 */
#define NEWTON_RESULT_HEAD 4
#define NEWTON_ARM_HEAD 6

static inline int
newton_values(int kind, int p)
{
	return kind == NEWTON_KIND_SUMMARY ? 3 + 2 * p : (p + 1) + (p + 1) * (p + 2) / 2;
}

#endif							/* UPLIFT_NEWTON_STATE_H */
