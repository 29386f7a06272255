/*
 * logistic.c
 *	  L2-penalised logistic regression by Newton's method (see logistic.h).
 *
 * The objective
 *	  f(b, beta) = sum_i w_i [log(1 + exp(eta_i)) - y_i eta_i] + (l2/2) ||beta||^2
 * is scikit-learn's LogisticRegression(C = 1/l2) objective divided by C, so
 * both have the same minimiser.  Each Newton step solves H delta = g with a
 * Cholesky factorisation of the (d+1) x (d+1) Hessian
 *	  H = U' S U + l2 I (intercept excluded),  S = diag(w_i mu_i (1 - mu_i)),
 * and shortens a step that overshoots (see newton()).
 *
 * The design is shifted by a centre vector c (eta = b~ + (z - c).beta, the
 * intercept unpenalised, so the minimiser is the same and b = b~ - c.beta);
 * this keeps the Hessian well conditioned.
 *
 * On many rows a cold start would cost several passes over all the data, so
 * Newton first converges on a deterministic subsample (every stride-th block
 * of rows, with the penalty scaled by the sampled fraction) and then finishes
 * on all rows, which from such a start takes two or three steps.  Sums over
 * rows are formed per block and added across blocks with Neumaier
 * compensation.
 */
#include "postgres.h"

#include <math.h>

#include "miscadmin.h"

#include "linalg.h"
#include "linear.h"
#include "logistic.h"
#include "uplift.h"

/* Subsample warm start: aim for about this many blocks of rows. */
#define WARM_BLOCKS 128
/* ... and only when the data has at least this many times more. */
#define WARM_MIN_RATIO 4

typedef struct NewtonWork
{
	int			d;				/* design columns; D = d + 1 with the intercept */
	const double *centre;		/* d values */
	double	   *eta;			/* ROWBLOCK_ROWS scratch */
	double	   *r;
	double	   *s;
	double	   *zc;				/* d centred columns */
	double	   *szc;			/* s * zc */
	NeumaierSum *acc_g;			/* D */
	NeumaierSum *acc_h;			/* D * D, lower triangle */
	double	   *blk_h;			/* D * D */
} NewtonWork;

/*
 * sum a[i] * b[i] over n values, in four interleaved partial sums: four
 * independent chains of multiply-adds run in parallel (and the compiler can
 * pack them into one vector operation), and the partial sums are a little
 * more accurate than one running sum.
 */
static inline double
dot4(const double *a, const double *b, int n)
{
	double		s0 = 0.0,
				s1 = 0.0,
				s2 = 0.0,
				s3 = 0.0;
	int			i = 0;

	for (; i + 4 <= n; i += 4)
	{
		s0 += a[i] * b[i];
		s1 += a[i + 1] * b[i + 1];
		s2 += a[i + 2] * b[i + 2];
		s3 += a[i + 3] * b[i + 3];
	}
	for (; i < n; i++)
		s0 += a[i] * b[i];
	return (s0 + s1) + (s2 + s3);
}

/*
 * One pass over the rows: gradient g and, if h is not NULL, Hessian (lower
 * triangle mirrored) of the loss at coef.
 */
static void
newton_pass(RowSource *src, int stride, NewtonWork *wk, const double *coef,
			double *g, double *h)
{
	int			d = wk->d;
	int			D = d + 1;
	RowBlock	blk;
	double		offset = coef[0];

	for (int j = 0; j < d; j++)
		offset -= coef[j + 1] * wk->centre[j];
	memset(wk->acc_g, 0, D * sizeof(NeumaierSum));
	if (h)
		memset(wk->acc_h, 0, (Size) D * D * sizeof(NeumaierSum));

	src->rewind(src, stride);
	while (src->next(src, &blk))
	{
		int			n = blk.n;
		double		sr = 0.0;
		double		ss = 0.0;
		double	   *restrict eta = wk->eta;
		double	   *restrict r = wk->r;
		double	   *restrict s = wk->s;

		CHECK_FOR_INTERRUPTS();
		for (int i = 0; i < n; i++)
			eta[i] = offset;
		for (int j = 0; j < d; j++)
		{
			const double *restrict z = blk.col[j];
			double		bj = coef[j + 1];

			for (int i = 0; i < n; i++)
				eta[i] += bj * z[i];
		}
		for (int i = 0; i < n; i++)
		{
			double		w = blk.w ? blk.wscale * blk.w[i] : 1.0;

			logistic_row(eta[i], blk.y[i], w, &r[i], &s[i]);
			sr += r[i];
			ss += s[i];
		}
		neumaier_add(&wk->acc_g[0], sr);
		if (h)
			wk->blk_h[0] = ss;
		for (int j = 0; j < d; j++)
		{
			const double *restrict z = blk.col[j];
			double	   *restrict zc = wk->zc + (Size) j * ROWBLOCK_ROWS;
			double	   *restrict szc = wk->szc + (Size) j * ROWBLOCK_ROWS;
			double		cj = wk->centre[j];

			if ((j & 63) == 63)
				CHECK_FOR_INTERRUPTS();
			for (int i = 0; i < n; i++)
				zc[i] = z[i] - cj;
			neumaier_add(&wk->acc_g[j + 1], dot4(r, zc, n));
			if (h)
			{
				for (int i = 0; i < n; i++)
					szc[i] = s[i] * zc[i];
				wk->blk_h[(j + 1) * D] = dot4(s, zc, n);
				for (int k = 0; k <= j; k++)
					wk->blk_h[(j + 1) * D + k + 1] =
						dot4(szc, wk->zc + (Size) k * ROWBLOCK_ROWS, n);
			}
		}
		if (h)
			for (int j = 0; j < D; j++)
				for (int k = 0; k <= j; k++)
					neumaier_add(&wk->acc_h[j * D + k], wk->blk_h[j * D + k]);
	}

	for (int j = 0; j < D; j++)
		g[j] = neumaier_value(&wk->acc_g[j]);
	if (h)
		for (int j = 0; j < D; j++)
			for (int k = 0; k <= j; k++)
			{
				h[j * D + k] = neumaier_value(&wk->acc_h[j * D + k]);
				h[k * D + j] = h[j * D + k];
			}
}

/*
 * A Hessian that cannot be factored: collinear features, or fitted
 * probabilities driven to 0 or 1 (separation) so that no row carries weight.
 */
void
logistic_singular_error(const char *what, double l2)
{
	ereport(ERROR,
			(errcode(ERRCODE_DATA_EXCEPTION),
			 errmsg("the logistic regression of %s is singular", what),
			 errdetail("Some feature is constant or collinear on these rows, or the features separate the outcomes so that the coefficients grow without bound%s.",
					   l2 > 0 ? "" : " (l2 is 0)"),
			 errhint("Remove constant or collinear features, or set option \"l2\" above 0.")));
}

static double
dot(const double *a, const double *b, int n)
{
	double		s = 0.0;

	for (int i = 0; i < n; i++)
		s += a[i] * b[i];
	return s;
}

void
newton_iter_init(NewtonIter *it, int D, double l2, int max_iter, double tol,
				 double *coef)
{
	memset(it, 0, sizeof(NewtonIter));
	it->D = D;
	it->l2 = l2;
	it->max_iter = max_iter;
	it->tol = tol;
	it->coef = coef;
	it->g = palloc(D * sizeof(double));
	it->h = palloc((Size) D * D * sizeof(double));
	it->g_prev = palloc(D * sizeof(double));
	it->delta = palloc(D * sizeof(double));
	it->prev = palloc(D * sizeof(double));
	it->t = 1.0;
	it->need_h = true;
}

void
newton_iter_free(NewtonIter *it)
{
	pfree(it->g);
	pfree(it->h);
	pfree(it->g_prev);
	pfree(it->delta);
	pfree(it->prev);
}

/*
 * One step of Newton's method from the loss's gradient it->g and, when
 * it->need_h was set, Hessian it->h at it->coef (both without the penalty).
 * Coefficients are in centred form.
 *
 * The step length is checked without evaluating the objective (which would
 * cost a logarithm per row): along the step, phi(t) = f(prev - t delta) is
 * convex, and with phi'(0) = -g_prev.delta < 0 the step t decreased f by
 * about t (phi'(0) + phi'(t)) / 2.  When phi'(0) + phi'(t) > 0 the step
 * overshot, and t moves to the secant root of phi'.
 *
 * Newton converges quadratically: once the steps shrink like
 * |delta_k| ~ C |delta_{k-1}|^2, the next step is predicted below tol, and
 * the last pass then reuses the factored Hessian and skips forming a new
 * one (its rows cost most of a pass).  A reused Hessian still gives a
 * descent direction; if that step is not below tol after all, the next pass
 * forms the Hessian again.
 */
NewtonStatus
newton_iter_step(NewtonIter *it)
{
	int			D = it->D;
	double		l2 = it->l2;
	double	   *coef = it->coef;
	double	   *g = it->g;
	double	   *h = it->h;
	bool		fresh_h = it->need_h;
	double		max_delta = 0.0;

	for (int j = 1; j < D; j++)
		g[j] += l2 * coef[j];
	if (!linalg_all_finite(g, D) || (fresh_h && !linalg_all_finite(h, (Size) D * D)))
		return NEWTON_OVERFLOW;
	if (fresh_h)
	{
		for (int j = 1; j < D; j++)
			h[j * D + j] += l2;
		if (!cholesky_factor(h, D))
			return NEWTON_SINGULAR;
	}

	if (it->have_prev && it->shortenings < 40)
	{
		double		d0 = -dot(it->g_prev, it->delta, D);
		double		dt = -dot(g, it->delta, D);

		if (d0 < 0 && d0 + dt > 0)
		{
			double		t_new = it->t * d0 / (d0 - dt);

			it->t = Max(Min(t_new, 0.5 * it->t), 0.1 * it->t);
			it->shortenings++;
			it->need_h = true;
			for (int j = 0; j < D; j++)
				coef[j] = it->prev[j] - it->t * it->delta[j];
			return NEWTON_CONTINUE;
		}
	}

	it->res.max_grad = 0.0;
	for (int j = 0; j < D; j++)
		it->res.max_grad = Max(it->res.max_grad, fabs(g[j]));
	if (it->res.n_iter >= it->max_iter || it->res.max_grad == 0.0)
	{
		it->res.converged = it->res.max_grad == 0.0;
		return NEWTON_DONE;
	}

	memcpy(it->delta, g, D * sizeof(double));
	cholesky_solve_factored(h, it->delta, D);
	memcpy(it->prev, coef, D * sizeof(double));
	memcpy(it->g_prev, g, D * sizeof(double));
	it->have_prev = true;
	it->t = 1.0;
	it->shortenings = 0;
	for (int j = 0; j < D; j++)
	{
		coef[j] -= it->delta[j];
		max_delta = Max(max_delta, fabs(it->delta[j]));
	}
	it->res.n_iter++;
	if (max_delta <= it->tol)
	{
		it->res.converged = true;
		return NEWTON_DONE;
	}
	/* predicted next step C |delta|^2 with C = |delta| / |last|^2 */
	it->need_h = !(fresh_h && it->last_step > 0 &&
				   max_delta * max_delta * max_delta / (it->last_step * it->last_step) <= it->tol);
	it->last_step = max_delta;
	return NEWTON_CONTINUE;
}

/* Newton's method on the rows of src (every stride-th block) from coef. */
static NewtonResult
newton(RowSource *src, int stride, NewtonWork *wk, double l2, int max_iter,
	   double tol, double *coef, const char *what)
{
	NewtonIter	it;
	NewtonStatus status;
	NewtonResult res;

	newton_iter_init(&it, wk->d + 1, l2, max_iter, tol, coef);
	do
	{
		newton_pass(src, stride, wk, coef, it.g, it.need_h ? it.h : NULL);
		status = newton_iter_step(&it);
		if (status == NEWTON_OVERFLOW)
			linear_overflow_error(src, NULL, what);
		if (status == NEWTON_SINGULAR)
			logistic_singular_error(what, l2);
	} while (status == NEWTON_CONTINUE);
	res = it.res;
	newton_iter_free(&it);
	return res;
}

double
logistic_start(double ybar)
{
	ybar = Min(Max(ybar, 1e-6), 1 - 1e-6);
	return log(ybar / (1 - ybar));
}

void
logistic_finish(RowSource *src, int d, const double *coef, const double *centre,
				const NewtonResult *res, int max_iter, int64 nrows,
				UpliftHead *head, const char *what)
{
	int			D = d + 1;

	if (!res->converged)
		ereport(WARNING,
				(errmsg("logistic regression of %s did not converge in %d iterations", what, max_iter),
				 errdetail("The largest gradient component is %g.", res->max_grad),
				 errhint("Raise option \"max_iter\" or \"l2\". When all outcomes of these rows are equal, or the features separate them, some coefficient has no finite value.")));

	head->n_coef = D;
	head->coef = palloc(D * sizeof(double));
	head->coef[0] = coef[0];
	for (int j = 0; j < d; j++)
	{
		head->coef[j + 1] = coef[j + 1];
		head->coef[0] -= coef[j + 1] * centre[j];
	}
	if (!linalg_all_finite(head->coef, D))
		linear_overflow_error(src, src == NULL ? "features" : NULL, what);
	head->n_rows = nrows;
	head->n_iter = res->n_iter;
	head->converged = res->converged;
	head->max_grad = res->max_grad;
}

void
logistic_fit(RowSource *src, double l2, int max_iter, double tol,
			 UpliftHead *head, const char *what)
{
	int			d = src->d;
	int			D = d + 1;
	int64		nblocks = (src->nrows + ROWBLOCK_ROWS - 1) / ROWBLOCK_ROWS;
	int			stride = 1;
	double	   *centre = palloc((d + 1) * sizeof(double));
	double	   *coef = palloc0(D * sizeof(double));
	NewtonWork	wk;
	NewtonResult res;
	double		ybar;

	if (nblocks >= (int64) WARM_BLOCKS * WARM_MIN_RATIO)
		stride = (int) Min(nblocks / WARM_BLOCKS, PG_INT32_MAX);

	wk.d = d;
	wk.centre = centre;
	wk.eta = palloc(ROWBLOCK_ROWS * sizeof(double));
	wk.r = palloc(ROWBLOCK_ROWS * sizeof(double));
	wk.s = palloc(ROWBLOCK_ROWS * sizeof(double));
	wk.zc = palloc((Size) Max(d, 1) * ROWBLOCK_ROWS * sizeof(double));
	wk.szc = palloc((Size) Max(d, 1) * ROWBLOCK_ROWS * sizeof(double));
	wk.acc_g = palloc(D * sizeof(NeumaierSum));
	wk.acc_h = palloc((Size) D * D * sizeof(NeumaierSum));
	wk.blk_h = palloc((Size) D * D * sizeof(double));

	/* centre and starting intercept from the (sampled) means */
	linear_means(src, stride, centre);
	if (!linalg_all_finite(centre, d + 1))
		linear_overflow_error(src, NULL, what);
	ybar = centre[d];
	coef[0] = logistic_start(ybar);

	if (stride > 1)
	{
		/* warm start; the penalty shrinks with the sampled fraction */
		(void) newton(src, stride, &wk, l2 / stride, max_iter, tol, coef, what);
	}
	res = newton(src, 1, &wk, l2, max_iter, tol, coef, what);
	logistic_finish(src, d, coef, centre, &res, max_iter, src->nrows, head, what);

	pfree(centre);
	pfree(coef);
	pfree(wk.eta);
	pfree(wk.r);
	pfree(wk.s);
	pfree(wk.zc);
	pfree(wk.szc);
	pfree(wk.acc_g);
	pfree(wk.acc_h);
	pfree(wk.blk_h);
}
