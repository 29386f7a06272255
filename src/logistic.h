/*
 * logistic.h
 *	  L2-penalised logistic regression with an unpenalised intercept,
 *	  fitted by Newton's method (IRLS) with a Cholesky solve.
 */
#ifndef UPLIFT_LOGISTIC_H
#define UPLIFT_LOGISTIC_H

#include "postgres.h"

#include <math.h>

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

/*
 * The loss terms of one row with linear predictor eta, outcome y and weight
 * w: the gradient weight r = w (mu - y) and the Hessian weight
 * s = w mu (1 - mu), mu = 1 / (1 + exp(-eta)), formed without overflow.
 */
static inline void
logistic_row(double eta, double y, double w, double *r, double *s)
{
	double		e = exp(-fabs(eta));
	double		mu = eta >= 0 ? 1.0 / (1.0 + e) : e / (1.0 + e);

	*r = w * (mu - y);
	*s = w * mu * (1.0 - mu);
}

/*
 * Newton's method as a sequence of steps, each from the loss's gradient and
 * Hessian at the current coefficients, however the caller forms them: one
 * pass over a RowSource (logistic_fit), or one pass of an aggregate over a
 * query for several heads at once (fit_query_newton.c).  Set it->g (and
 * it->h, D x D full, when it->need_h) at it->coef, without the penalty, then
 * call newton_iter_step, which updates it->coef in place; repeat while it
 * returns NEWTON_CONTINUE.  The penalty l2 applies to every coefficient but
 * the first (the intercept).
 */
typedef struct NewtonResult
{
	int			n_iter;
	bool		converged;
	double		max_grad;
} NewtonResult;

typedef enum NewtonStatus
{
	NEWTON_CONTINUE,			/* evaluate at it->coef again */
	NEWTON_DONE,				/* it->res holds the outcome */
	NEWTON_OVERFLOW,			/* the sums are not finite */
	NEWTON_SINGULAR				/* the Hessian cannot be factored */
} NewtonStatus;

typedef struct NewtonIter
{
	int			D;				/* coefficients, the intercept first */
	double		l2;
	int			max_iter;
	double		tol;
	double	   *coef;			/* D: where to evaluate next (the caller's) */
	bool		need_h;			/* the next evaluation forms the Hessian */
	double	   *g;				/* D: the caller writes the gradient here */
	double	   *h;				/* D x D: the Hessian, factored in place */
	NewtonResult res;
	/* the last step, for its shortening */
	double	   *g_prev;
	double	   *delta;
	double	   *prev;
	double		t;
	double		last_step;
	bool		have_prev;
	int			shortenings;
} NewtonIter;

extern void newton_iter_init(NewtonIter *it, int D, double l2, int max_iter,
							 double tol, double *coef);
extern NewtonStatus newton_iter_step(NewtonIter *it);
extern void newton_iter_free(NewtonIter *it);

/* The starting intercept logit(ybar), ybar kept inside (1e-6, 1 - 1e-6). */
extern double logistic_start(double ybar);

/*
 * Store the centred coefficients coef (d + 1, around centre) and Newton's
 * outcome in head, warning when it did not converge in max_iter steps.  src
 * names the argument of an overflow (NULL: guess the features).
 */
extern void logistic_finish(RowSource *src, int d, const double *coef,
							const double *centre, const NewtonResult *res,
							int max_iter, int64 nrows, UpliftHead *head,
							const char *what);

/* Error (22000) for a Hessian that cannot be factored. */
extern void logistic_singular_error(const char *what, double l2) pg_attribute_noreturn();

#endif							/* UPLIFT_LOGISTIC_H */
