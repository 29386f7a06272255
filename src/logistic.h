/*
 * logistic.h
 *	  L2-penalised logistic regression with an unpenalised intercept,
 *	  fitted by Newton's method (IRLS) with a Cholesky solve.
 */
#ifndef UPLIFT_LOGISTIC_H
#define UPLIFT_LOGISTIC_H

#include "postgres.h"

#include "model.h"
#include "rowsource.h"

/*
 * Fit P(y = 1) = 1 / (1 + exp(-(b + z.beta))) to the rows of src (y in
 * {0, 1}), minimising
 *	  sum_i w_i [log(1 + exp(eta_i)) - y_i eta_i] + (l2/2) ||beta||^2.
 * Newton stops when no coefficient moves by more than tol in a step, or
 * after max_iter steps.  Stores the result in head; "what" names the head in
 * errors and warnings.
 */
extern void logistic_fit(RowSource *src, double l2, int max_iter, double tol,
						 UpliftHead *head, const char *what);

#endif							/* UPLIFT_LOGISTIC_H */
