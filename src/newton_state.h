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
 *	  kind "gradient": the gradient and Hessian of the loss (the logistic
 *	  loss, or half the squared error) at given coefficients for each head of
 *	  a design: one head per arm on its rows (t_learner), one head on the
 *	  s_learner design of all rows, or one on the class-transformed outcome
 *	  of arms 0 and 1; the design's columns centred on a given vector, the
 *	  rows weighted as each arm's settings say.
 *
 * The state is a value of type uplift_newton_state (its size depends on the
 * arms, heads and features, never on the rows) with a combine function, so
 * passes run in parallel workers and on the shards of a distributed table;
 * the result is a float8[] of the counts and sums.
 */
#ifndef UPLIFT_NEWTON_STATE_H
#define UPLIFT_NEWTON_STATE_H

#include "postgres.h"

#define NEWTON_KIND_SUMMARY 0
#define NEWTON_KIND_GRADIENT 1

/* The design of a gradient pass. */
#define NEWTON_DESIGN_ARMS 0	/* a head per arm, z = x (t_learner) */
#define NEWTON_DESIGN_S 1		/* one head, z = uplift_s_design(x, arm) */
#define NEWTON_DESIGN_CT 2		/* one head on arms 0 and 1, transformed y */

/*
 * setup: [0] kind, [1] base (UpliftBase code, 0: none chosen yet; a logistic
 * base makes an outcome other than 0 and 1 an error, as in uplift_fit, and
 * in a gradient pass selects the logistic loss), [2] weighted (1: the
 * propensity argument is used), [3] min_propensity, [4] Hessian wanted (1/0),
 * [5] arms, [6] features p, [7] design, [8] interactions (1/0, the
 * s_learner's), all of [4]..[8] 0 in a summary pass.  Then, in a gradient
 * pass, per arm NEWTON_ARM_SETUP values: use weights (1/0), weight scale
 * (the row weighs scale / propensity), and the class transformation's
 * inverse share of the arm (for unweighted rows); then per head
 * NEWTON_HEAD_SETUP(d) values: active (1/0: 0 skips the head's rows),
 * centre (d), coefficients (d + 1, centred form: intercept first), d the
 * design's columns.
 */
#define NEWTON_SETUP_HEAD 9
#define NEWTON_ARM_SETUP 3
#define NEWTON_HEAD_SETUP(d) (1 + (d) + (d) + 1)

/*
 * result: [0] kind, [1] arms, [2] p, [3] every outcome 0 or 1 (1/0),
 * [4] heads, [5] d, then per arm NEWTON_ARM_HEAD values: rows, clipped rows,
 * fitted propensity min and max (after clipping), given propensity min and
 * max (NaN without weighted rows); then per head newton_values(kind, d)
 * sums:
 *	  summary (a head per arm, d = p): sum w, sum y, sum w y, sum x (p),
 *	  sum w x (p), w = 1/propensity
 *	  gradient: g (d + 1), then the lower triangle of H row by row
 *	  ((d + 1)(d + 2) / 2), H[i][k] at i (i + 1) / 2 + k.
 */
#define NEWTON_RESULT_HEAD 6
#define NEWTON_ARM_HEAD 6

static inline int
newton_values(int kind, int d)
{
	return kind == NEWTON_KIND_SUMMARY ? 3 + 2 * d : (d + 1) + (d + 1) * (d + 2) / 2;
}

#endif							/* UPLIFT_NEWTON_STATE_H */
