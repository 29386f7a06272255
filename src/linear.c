/*
 * linear.c
 *	  Ridge regression with an unpenalised intercept, from rows or from
 *	  centred moments, and the errors the solvers share.
 *
 * The objective is
 *	  (1/2) sum_i w_i (y_i - b - z_i.beta)^2 + (l2/2) ||beta||^2,
 * the squared-error twin of the logistic objective's convention, so l2 is
 * scikit-learn's Ridge(alpha = l2) and l2 = 0 is ordinary least squares.
 * Because the intercept is not penalised, centring is exact: with m the
 * weighted column means, beta solves
 *	  (Zc' W Zc + l2 I) beta = Zc' W (y - ybar),  b = ybar - m.beta
 * which keeps the normal equations well conditioned.  Sums over rows are
 * formed per block of rows and added across blocks with Neumaier
 * compensation.
 */
#include "postgres.h"

#include <math.h>

#include "miscadmin.h"
#include "utils/memutils.h"

#include "linalg.h"
#include "linear.h"
#include "uplift.h"

StaticAssertDecl((Size) LINEAR_MAX_COLUMNS * LINEAR_MAX_COLUMNS * sizeof(NeumaierSum) <= MaxAllocSize,
				 "the largest design's compensated sums fit in one allocation");

void
linear_check_columns(int64 columns, int32 n_features, const char *what)
{
	if (columns > LINEAR_MAX_COLUMNS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("features of uplift_fit are too many: %d features give %s " INT64_FORMAT " columns, at most %d",
						n_features, what, columns, LINEAR_MAX_COLUMNS),
				 errdetail("Each model forms and factors a dense matrix of columns x columns sums (%.1f GB here).",
						   (double) columns * columns * sizeof(NeumaierSum) / 1e9),
				 errhint("Fit on fewer features (select or combine them); for the s_learner, which has a column per feature and action, set \"interactions\": false or use the t_learner.")));
}

/* Largest |value| of n values, ignoring NaN. */
static double
max_abs(const double *x, int n, double scale, double m)
{
	for (int i = 0; i < n; i++)
		if (fabs(scale * x[i]) > m)
			m = fabs(scale * x[i]);
	return m;
}

void
linear_overflow_error(RowSource *src, const char *guess, const char *what)
{
	double		max_x = 0.0,
				max_y = 0.0,
				max_w = 0.0;
	const char *arg = guess;
	RowBlock	blk;

	if (src != NULL)
	{
		src->rewind(src, 1);
		while (src->next(src, &blk))
		{
			CHECK_FOR_INTERRUPTS();
			for (int j = 0; j < src->d; j++)
				max_x = max_abs(blk.col[j], blk.n, 1.0, max_x);
			max_y = max_abs(blk.y, blk.n, 1.0, max_y);
			if (blk.w)
				max_w = max_abs(blk.w, blk.n, blk.wscale, max_w);
		}
		arg = max_w > Max(max_x, max_y) ? "propensity" :
			max_x > max_y ? "features" : "outcome";
	}
	ereport(ERROR,
			(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			 errmsg("%s of uplift_fit %s: the fit of %s overflows double precision", arg,
					strcmp(arg, "propensity") == 0 ? "is too small" :
					strcmp(arg, "features") == 0 ? "are too large" : "is too large", what),
			 src == NULL ?
			 errdetail("Its sums of squares and products are not finite numbers.") :
			 max_w > 0 ?
			 errdetail("Its sums of squares and products are not finite numbers; the largest |outcome| is %g, the largest |feature| %g and the largest row weight %g.",
					   max_y, max_x, max_w) :
			 errdetail("Its sums of squares and products are not finite numbers; the largest |outcome| is %g and the largest |feature| %g.",
					   max_y, max_x),
			 errhint("Rescale the outcome or the features (for example to thousands), or clip small propensities with option \"min_propensity\".")));
}

void
linear_singular_error(const char *what, double l2)
{
	ereport(ERROR,
			(errcode(ERRCODE_DATA_EXCEPTION),
			 errmsg("the design of %s is singular", what),
			 errdetail("Some feature is constant or a combination of other features on these rows%s.",
					   l2 > 0 ? "" : ", and l2 is 0"),
			 errhint("Remove constant or collinear features, or set option \"l2\" above 0.")));
}

double
linear_means(RowSource *src, int stride, double *mean)
{
	int			d = src->d;
	NeumaierSum *acc = palloc0((d + 2) * sizeof(NeumaierSum));
	double	   *blk_sum = palloc((d + 2) * sizeof(double));
	RowBlock	blk;
	double		sw;

	src->rewind(src, stride);
	while (src->next(src, &blk))
	{
		CHECK_FOR_INTERRUPTS();
		memset(blk_sum, 0, (d + 2) * sizeof(double));
		for (int i = 0; i < blk.n; i++)
		{
			double		w = blk.w ? blk.wscale * blk.w[i] : 1.0;

			blk_sum[d] += w * blk.y[i];
			blk_sum[d + 1] += w;
		}
		for (int j = 0; j < d; j++)
		{
			const double *z = blk.col[j];
			double		s = 0.0;

			if (blk.w)
				for (int i = 0; i < blk.n; i++)
					s += blk.wscale * blk.w[i] * z[i];
			else
				for (int i = 0; i < blk.n; i++)
					s += z[i];
			blk_sum[j] = s;
		}
		for (int j = 0; j < d + 2; j++)
			neumaier_add(&acc[j], blk_sum[j]);
	}
	sw = neumaier_value(&acc[d + 1]);
	for (int j = 0; j <= d; j++)
		mean[j] = sw > 0 ? neumaier_value(&acc[j]) / sw : 0.0;
	pfree(acc);
	pfree(blk_sum);
	return sw;
}

void
linear_fit(RowSource *src, double l2, UpliftHead *head, const char *what)
{
	int			d = src->d;
	double	   *mean = palloc((d + 1) * sizeof(double));
	NeumaierSum *gram = palloc0((Size) d * d * sizeof(NeumaierSum));
	NeumaierSum *rhs = palloc0(Max(d, 1) * sizeof(NeumaierSum));
	double	   *zc = palloc((Size) Max(d, 1) * ROWBLOCK_ROWS * sizeof(double));
	double	   *wzc = palloc((Size) Max(d, 1) * ROWBLOCK_ROWS * sizeof(double));
	double	   *yc = palloc(ROWBLOCK_ROWS * sizeof(double));
	double	   *a = palloc((Size) Max(d, 1) * d * sizeof(double));
	double	   *beta = palloc(Max(d, 1) * sizeof(double));
	double		ybar;
	double		max_grad = 0.0;
	RowBlock	blk;

	linear_means(src, 1, mean);
	ybar = mean[d];

	src->rewind(src, 1);
	while (src->next(src, &blk))
	{
		CHECK_FOR_INTERRUPTS();
		for (int i = 0; i < blk.n; i++)
			yc[i] = blk.y[i] - ybar;
		for (int j = 0; j < d; j++)
		{
			const double *z = blk.col[j];
			double	   *c = zc + (Size) j * ROWBLOCK_ROWS;
			double	   *wc = wzc + (Size) j * ROWBLOCK_ROWS;

			for (int i = 0; i < blk.n; i++)
				c[i] = z[i] - mean[j];
			if (blk.w)
				for (int i = 0; i < blk.n; i++)
					wc[i] = blk.wscale * blk.w[i] * c[i];
			else
				memcpy(wc, c, blk.n * sizeof(double));
		}
		for (int j = 0; j < d; j++)
		{
			const double *wc = wzc + (Size) j * ROWBLOCK_ROWS;
			double		s = 0.0;

			if ((j & 63) == 63)
				CHECK_FOR_INTERRUPTS();
			for (int k = 0; k <= j; k++)
			{
				const double *c = zc + (Size) k * ROWBLOCK_ROWS;
				double		g = 0.0;

				for (int i = 0; i < blk.n; i++)
					g += wc[i] * c[i];
				neumaier_add(&gram[j * d + k], g);
			}
			for (int i = 0; i < blk.n; i++)
				s += wc[i] * yc[i];
			neumaier_add(&rhs[j], s);
		}
	}

	for (int j = 0; j < d; j++)
	{
		for (int k = 0; k <= j; k++)
		{
			a[j * d + k] = neumaier_value(&gram[j * d + k]);
			a[k * d + j] = a[j * d + k];
		}
		a[j * d + j] += l2;
		beta[j] = neumaier_value(&rhs[j]);
	}
	if (!linalg_all_finite(mean, d + 1) || !linalg_all_finite(a, (Size) d * d) ||
		!linalg_all_finite(beta, d))
		linear_overflow_error(src, NULL, what);
	if (d > 0)
	{
		double	   *a_copy = palloc((Size) d * d * sizeof(double));

		memcpy(a_copy, a, (Size) d * d * sizeof(double));
		if (!cholesky_solve(a, beta, d))
			linear_singular_error(what, l2);
		/* gradient of the objective at the solution: A beta - rhs */
		for (int j = 0; j < d; j++)
		{
			double		g = -neumaier_value(&rhs[j]);

			for (int k = 0; k < d; k++)
				g += a_copy[j * d + k] * beta[k];
			max_grad = Max(max_grad, fabs(g));
		}
		pfree(a_copy);
	}

	head->n_coef = d + 1;
	head->coef = palloc((d + 1) * sizeof(double));
	head->coef[0] = ybar;
	for (int j = 0; j < d; j++)
	{
		head->coef[j + 1] = beta[j];
		head->coef[0] -= mean[j] * beta[j];
	}
	if (!linalg_all_finite(head->coef, d + 1))
		linear_overflow_error(src, NULL, what);
	head->n_rows = src->nrows;
	head->n_iter = 0;
	head->converged = true;
	head->max_grad = max_grad;

	pfree(mean);
	pfree(gram);
	pfree(rhs);
	pfree(zc);
	pfree(wzc);
	pfree(yc);
	pfree(a);
	pfree(beta);
}

void
linear_fit_moments(int d, const double *g, const double *r, const double *zbar,
				   double ybar, double l2, int64 nrows, UpliftHead *head,
				   const char *what)
{
	double	   *a = palloc((Size) Max(d, 1) * d * sizeof(double));
	double	   *beta = palloc(Max(d, 1) * sizeof(double));
	double		max_grad = 0.0;

	if (!linalg_all_finite(g, (Size) d * d) || !linalg_all_finite(zbar, d))
		linear_overflow_error(NULL, "features", what);
	if (!linalg_all_finite(r, d) || !isfinite(ybar))
		linear_overflow_error(NULL, "outcome", what);
	memcpy(a, g, (Size) d * d * sizeof(double));
	for (int j = 0; j < d; j++)
	{
		a[j * d + j] += l2;
		beta[j] = r[j];
	}
	if (d > 0 && !cholesky_solve(a, beta, d))
		linear_singular_error(what, l2);
	/* gradient of the objective at the solution: (G + l2 I) beta - r */
	for (int j = 0; j < d; j++)
	{
		double		gj = l2 * beta[j] - r[j];

		for (int k = 0; k < d; k++)
			gj += g[j * d + k] * beta[k];
		max_grad = Max(max_grad, fabs(gj));
	}

	head->n_coef = d + 1;
	head->coef = palloc((d + 1) * sizeof(double));
	head->coef[0] = ybar;
	for (int j = 0; j < d; j++)
	{
		head->coef[j + 1] = beta[j];
		head->coef[0] -= zbar[j] * beta[j];
	}
	if (!linalg_all_finite(head->coef, d + 1))
		linear_overflow_error(NULL, "outcome", what);
	head->link = UPLIFT_LINK_IDENTITY;
	head->n_rows = nrows;
	head->n_iter = 0;
	head->converged = true;
	head->max_grad = max_grad;
	pfree(a);
	pfree(beta);
}
