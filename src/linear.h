/*
 * linear.h
 *	  Ridge regression (ordinary least squares when l2 = 0) with an
 *	  unpenalised intercept, and the errors the solvers share.
 *
 * The solvers read plain arrays through a RowSource (rowsource.h) and know
 * nothing of the training buffer, the stored model format or fmgr; they
 * write their result into an UpliftHead.
 */
#ifndef UPLIFT_LINEAR_H
#define UPLIFT_LINEAR_H

#include "postgres.h"

#include "model.h"
#include "rowsource.h"

/*
 * Fit eta = b + z.beta to the rows of src, minimising
 *	  sum_i w_i (y_i - eta_i)^2 + l2 * ||beta||^2
 * and store the result in head (coef, n_coef, n_rows, n_iter, converged,
 * max_grad); head->coef is palloc'd in the current context.  "what" names
 * the head in errors.
 */
extern void linear_fit(RowSource *src, double l2, UpliftHead *head,
					   const char *what);

/*
 * The same fit from centred moments: G = sum w (z - zbar)(z - zbar)' (d x d,
 * full) and r = sum w (z - zbar)(y - ybar); solves (G + l2 I) beta = r and
 * sets the intercept ybar - zbar.beta.
 */
extern void linear_fit_moments(int d, const double *g, const double *r,
							   const double *zbar, double ybar, double l2,
							   int64 nrows, UpliftHead *head, const char *what);

/*
 * Most columns, the intercept included, of a design that the dense solvers
 * form and factor: a D x D matrix of compensated sums must fit in one
 * allocation (MaxAllocSize), so D <= 8191.
 */
#define LINEAR_MAX_COLUMNS 8191

/*
 * Error (54000) unless a design of "columns" columns, the intercept
 * included, fits the dense solvers; "what" names the design in the message.
 */
extern void linear_check_columns(int64 columns, int32 n_features, const char *what);

/*
 * Error (22003) for sums that overflowed double precision while fitting
 * "what": names the argument with the largest values in src (outcome,
 * features or the weight 1/propensity), or "guess" when src is NULL.
 */
extern void linear_overflow_error(RowSource *src, const char *guess,
								  const char *what) pg_attribute_noreturn();

/* Error for a singular system; "what" names the head. */
extern void linear_singular_error(const char *what, double l2) pg_attribute_noreturn();

/*
 * Weighted means of the design columns and the outcome over src (every
 * stride-th block): mean has d + 1 entries, the outcome last.  Returns the
 * sum of the weights.
 */
extern double linear_means(RowSource *src, int stride, double *mean);

#endif							/* UPLIFT_LINEAR_H */
