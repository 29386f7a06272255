/*
 * test_learn.c
 *	  Unit tests of the solvers on plain arrays (src/rowsource.c,
 *	  src/linalg.c, src/linear.c, src/logistic.c), run without a server:
 *	  the Cholesky factor of a matrix built from a known factor, ridge
 *	  coefficients against the normal equations solved by hand, logistic
 *	  coefficients against the log-odds of group means and the optimality
 *	  conditions of a penalised fit, the blocks and subsample of the array
 *	  source, and errors for bad input.  Prints TAP.
 */
#include "postgres.h"

#include <math.h>
#include <stdio.h>

#include "utils/elog.h"

#include "linalg.h"
#include "linear.h"
#include "logistic.h"
#include "rowsource.h"
#include "unit.h"

#undef printf

static double
logit(double p)
{
	return log(p / (1.0 - p));
}

/* ---- linalg ---- */

static void
test_cholesky(void)
{
	/* A = L L' with L = [2 0 0; 1 2 0; 0 1 1] */
	double		a[9] = {4, 2, 0, 2, 5, 2, 0, 2, 2};
	const double l[9] = {2, 0, 0, 1, 2, 0, 0, 1, 1};
	/* A (1, -1, 2)' = (2, 1, 2)' */
	double		b[3] = {2, 1, 2};
	double		indefinite[4] = {1, 2, 2, 1};
	bool		ok;
	bool		same = true;

	ok = cholesky_factor(a, 3);
	for (int i = 0; i < 3; i++)
		for (int j = 0; j <= i; j++)
			same = same && unit_close(a[i * 3 + j], l[i * 3 + j], 1e-15);
	unit_check(ok && same, "cholesky_factor of L L' gives L");
	cholesky_solve_factored(a, b, 3);
	unit_check(unit_close(b[0], 1, 1e-14) && unit_close(b[1], -1, 1e-14) &&
			   unit_close(b[2], 2, 1e-14),
			   "cholesky_solve_factored solves A x = b: x = (%g, %g, %g)",
			   b[0], b[1], b[2]);
	unit_check(!cholesky_solve(indefinite, b, 2),
			   "cholesky_solve refuses an indefinite matrix");
	unit_check(linalg_all_finite(b, 3) && !linalg_all_finite((double[]) {1, NAN}, 2) &&
			   !linalg_all_finite((double[]) {INFINITY}, 1),
			   "linalg_all_finite tells finite values from NaN and Infinity");
}

/* ---- the array source ---- */

static void
test_array_source(void)
{
	int64		n = 1300;
	double	   *x = palloc(2 * n * sizeof(double));
	double	   *y = palloc(n * sizeof(double));
	ArraySource src;
	RowBlock	blk;
	int64		rows = 0;
	int			blocks = 0;
	bool		in_place = true;

	for (int64 i = 0; i < n; i++)
	{
		x[i] = i;
		x[n + i] = -i;
		y[i] = 2 * i;
	}
	rowsource_array(&src, 2, n, x, y, NULL);
	while (src.base.next(&src.base, &blk))
	{
		int64		first = rows;

		in_place = in_place && blk.col[0][0] == first && blk.col[1][0] == -first &&
			blk.y[blk.n - 1] == 2 * (first + blk.n - 1) && blk.w == NULL;
		rows += blk.n;
		blocks++;
	}
	unit_check(rows == n && blocks == 3 && in_place,
			   "the array source reads 1300 rows in place in blocks of 512, 512, 276");
	src.base.rewind(&src.base, 2);
	rows = 0;
	while (src.base.next(&src.base, &blk))
		rows += blk.n;
	unit_check(rows == 512 + 276, "with stride 2 it reads blocks 1 and 3 only");
}

/* ---- ridge ---- */

/*
 * A head fitted on arrays with the ridge or the logistic solver (100 Newton
 * steps at most, tolerance 1e-12).
 */
static UpliftHead
fit_arrays(bool logit, int d, int64 n, const double *x, const double *y,
		   const double *w, double l2)
{
	ArraySource src;
	UpliftHead	head;

	memset(&head, 0, sizeof(head));
	rowsource_array(&src, d, n, x, y, w);
	if (logit)
		logistic_fit(&src.base, l2, 100, 1e-12, &head, "the test head");
	else
		linear_fit(&src.base, l2, &head, "the test head");
	return head;
}

static UpliftHead
ridge(int d, int64 n, const double *x, const double *y, const double *w, double l2)
{
	return fit_arrays(false, d, n, x, y, w, l2);
}

static UpliftHead
logistic(int d, int64 n, const double *x, const double *y, const double *w, double l2)
{
	return fit_arrays(true, d, n, x, y, w, l2);
}

/* det of the 3 x 3 matrix whose columns are a, b, c */
static double
det3(const double *a, const double *b, const double *c)
{
	return a[0] * (b[1] * c[2] - b[2] * c[1]) -
		b[0] * (a[1] * c[2] - a[2] * c[1]) +
		c[0] * (a[1] * b[2] - a[2] * b[1]);
}

static void
test_ridge(void)
{
	/*
	 * One feature: x = 0..3, y = (1, 3, 2, 5), l2 = 2.  With xbar = 3/2 and
	 * ybar = 11/4, Sxx = 5 and Sxy = 11/2, so beta = Sxy / (Sxx + l2) = 11/14
	 * and b = ybar - xbar beta = 11/7.
	 */
	{
		double		x[4] = {0, 1, 2, 3};
		double		y[4] = {1, 3, 2, 5};
		UpliftHead	h = ridge(1, 4, x, y, NULL, 2.0);

		unit_check(h.n_coef == 2 && unit_close(h.coef[0], 11.0 / 7, 1e-14) &&
				   unit_close(h.coef[1], 11.0 / 14, 1e-14),
				   "ridge with l2 = 2 on 4 rows: b = 11/7, beta = 11/14 (got %.17g, %.17g)",
				   h.coef[0], h.coef[1]);
		unit_check(h.n_rows == 4 && h.converged && h.n_iter == 0 && h.max_grad < 1e-13,
				   "ridge reports its rows and a zero gradient");
	}

	/*
	 * Two features, row weights: the normal equations of
	 * (1/2) sum w (y - b - x.beta)^2 + (l2/2) |beta|^2 in the uncentred
	 * unknowns (b, beta1, beta2), solved by Cramer's rule.
	 */
	{
		enum
		{
			N = 7
		};
		double		x1[N] = {0, 1, 2, 3, 4, 1, 2};
		double		x2[N] = {1, 0, 1, 3, 2, 2, 5};
		double		y[N] = {1, 2, 2, 6, 5, 3, 4};
		double		w[N] = {1, 2, 1, 0.5, 1, 3, 1};
		double		x[2 * N];
		double		l2 = 0.75;
		double		s[3][3] = {{0}};
		double		r[3] = {0};
		double		c0[3],
					c1[3],
					c2[3],
					det;
		double		want[3];
		UpliftHead	h;

		memcpy(x, x1, sizeof(x1));
		memcpy(x + N, x2, sizeof(x2));
		for (int i = 0; i < N; i++)
		{
			double		u[3] = {1, x1[i], x2[i]};

			for (int j = 0; j < 3; j++)
			{
				for (int k = 0; k < 3; k++)
					s[j][k] += w[i] * u[j] * u[k];
				r[j] += w[i] * u[j] * y[i];
			}
		}
		s[1][1] += l2;
		s[2][2] += l2;
		for (int j = 0; j < 3; j++)
		{
			c0[j] = s[j][0];
			c1[j] = s[j][1];
			c2[j] = s[j][2];
		}
		det = det3(c0, c1, c2);
		want[0] = det3(r, c1, c2) / det;
		want[1] = det3(c0, r, c2) / det;
		want[2] = det3(c0, c1, r) / det;
		h = ridge(2, N, x, y, w, l2);
		unit_check(unit_close(h.coef[0], want[0], 1e-12) &&
				   unit_close(h.coef[1], want[1], 1e-12) &&
				   unit_close(h.coef[2], want[2], 1e-12),
				   "weighted ridge on 2 features equals the normal equations: (%.15g, %.15g, %.15g)",
				   want[0], want[1], want[2]);
	}

	/* Ordinary least squares recovers a plane exactly over several blocks. */
	{
		int64		n = 1300;
		double	   *x = palloc(2 * n * sizeof(double));
		double	   *y = palloc(n * sizeof(double));
		UpliftHead	h;

		for (int64 i = 0; i < n; i++)
		{
			x[i] = (i % 7) * 0.5;
			x[n + i] = sin((double) i);
			y[i] = 1 + 2 * x[i] - 3 * x[n + i];
		}
		h = ridge(2, n, x, y, NULL, 0.0);
		unit_check(unit_close(h.coef[0], 1, 1e-11) && unit_close(h.coef[1], 2, 1e-11) &&
				   unit_close(h.coef[2], -3, 1e-11),
				   "least squares on 1300 rows recovers y = 1 + 2 x1 - 3 x2");
	}
}

/* ---- logistic ---- */

/* 1 when step i of n spread evenly k marks (exactly k of n steps are 1) */
static int
spread(int64 i, int64 k, int64 n)
{
	return (int) ((i + 1) * k / n - i * k / n);
}

/*
 * Two groups, x = 0 (n0 rows, k0 of them 1) and x = 1 (n1 rows, k1 of them
 * 1), interleaved so that every block holds both; positive rows of group 0
 * weigh w0pos.  Returns n0 + n1.
 */
static int64
two_groups(int64 n0, int64 k0, int64 n1, int64 k1, double w0pos,
		   double **x, double **y, double **w)
{
	int64		n = n0 + n1;
	int64		seen[2] = {0, 0};

	*x = palloc(n * sizeof(double));
	*y = palloc(n * sizeof(double));
	*w = palloc(n * sizeof(double));
	for (int64 i = 0; i < n; i++)
	{
		int			g = spread(i, n1, n);
		int64		j = seen[g]++;

		(*x)[i] = g;
		(*y)[i] = g ? spread(j, k1, n1) : spread(j, k0, n0);
		(*w)[i] = g == 0 && (*y)[i] == 1 ? w0pos : 1;
	}
	return n;
}

static void
test_logistic(void)
{
	double	   *x,
			   *y,
			   *w;
	int64		n;
	UpliftHead	h;

	/*
	 * Without a penalty the fitted probabilities are the group means, so
	 * b = logit(3/10) and beta = logit(14/20) - logit(3/10) = 2 log(7/3).
	 */
	n = two_groups(10, 3, 20, 14, 1, &x, &y, &w);
	h = logistic(1, n, x, y, NULL, 0.0);
	unit_check(h.converged && unit_close(h.coef[0], log(3.0 / 7), 1e-10) &&
			   unit_close(h.coef[1], 2 * log(7.0 / 3), 1e-10),
			   "logistic on two groups: b = log(3/7), beta = 2 log(7/3) (got %.12g, %.12g)",
			   h.coef[0], h.coef[1]);

	/* weights 2 on the positives of group 0: its mean becomes 6/13 */
	n = two_groups(10, 3, 20, 14, 2, &x, &y, &w);
	h = logistic(1, n, x, y, w, 0.0);
	unit_check(unit_close(h.coef[0], logit(6.0 / 13), 1e-10) &&
			   unit_close(h.coef[1], logit(0.7) - logit(6.0 / 13), 1e-10),
			   "weighted logistic: the groups' weighted means, b = logit(6/13)");

	/*
	 * With l2 > 0 on the slope only, the optimum satisfies
	 * n0 (mu0 - p0) + n1 (mu1 - p1) = 0 and n1 (mu1 - p1) + l2 beta = 0.
	 */
	{
		double		l2 = 3.0;
		double		mu0,
					mu1;

		n = two_groups(10, 3, 20, 14, 1, &x, &y, &w);
		h = logistic(1, n, x, y, NULL, l2);
		mu0 = 1 / (1 + exp(-h.coef[0]));
		mu1 = 1 / (1 + exp(-(h.coef[0] + h.coef[1])));
		unit_check(fabs(10 * (mu0 - 0.3) + 20 * (mu1 - 0.7)) < 1e-9 &&
				   fabs(20 * (mu1 - 0.7) + l2 * h.coef[1]) < 1e-9 &&
				   h.coef[1] < 2 * log(7.0 / 3),
				   "penalised logistic satisfies its optimality conditions, slope shrunk to %.6g",
				   h.coef[1]);
	}

	/* no feature: the intercept is the log-odds of the mean, unpenalised */
	{
		double		y5[5] = {1, 0, 0, 1, 0};

		h = logistic(0, 5, NULL, y5, NULL, 10.0);
		unit_check(h.n_coef == 1 && unit_close(h.coef[0], log(2.0 / 3), 1e-10),
				   "logistic without features: b = logit(2/5)");
	}

	/*
	 * 300,000 rows: Newton starts on a subsample (every stride-th block)
	 * and finishes on all rows, at the same optimum.
	 */
	n = two_groups(150000, 45000, 150000, 120000, 1, &x, &y, &w);
	h = logistic(1, n, x, y, NULL, 0.0);
	unit_check(h.converged && h.n_rows == 300000 &&
			   unit_close(h.coef[0], logit(0.3), 1e-9) &&
			   unit_close(h.coef[1], logit(0.8) - logit(0.3), 1e-9),
			   "logistic on 300000 rows (subsample warm start): b = logit(0.3), beta = logit(0.8) - logit(0.3)");

	unit_cancel_after = 5;
	unit_interrupts_start();
	unit_check(UNIT_THROWS(logistic(1, n, x, y, NULL, 0.0), ERRCODE_QUERY_CANCELED),
			   "a cancel during a logistic fit is raised with 57014");
	unit_interrupts_stop();
	unit_cancel_after = -1;
}

/* ---- errors ---- */

static void
test_errors(void)
{
	double		x[8] = {1, 1, 1, 1, 0, 1, 2, 3};
	double		y01[4] = {0, 1, 1, 0};
	double		big[4] = {1e308, 1e308, 1e308, 1e308};
	const char *msg;

	unit_check(UNIT_THROWS(ridge(1, 4, x, y01, NULL, 0.0), ERRCODE_DATA_EXCEPTION),
			   "least squares on a constant feature is singular (22000)");
	unit_check(UNIT_THROWS(logistic(1, 4, x, y01, NULL, 0.0), ERRCODE_DATA_EXCEPTION),
			   "logistic on a constant feature is singular (22000)");
	unit_check(UNIT_THROWS(ridge(1, 4, x + 4, big, NULL, 1.0),
						   ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE) &&
			   unit_last_error(&msg) && strncmp(msg, "outcome of uplift_fit is too large", 34) == 0,
			   "ridge on outcomes whose sum overflows names the outcome (22003)");
	unit_check(UNIT_THROWS(linear_check_columns(LINEAR_MAX_COLUMNS + 1, 9000, "a design of"),
						   ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			   "a design wider than the dense solvers take is refused (54000)");
}

int
main(void)
{
	test_cholesky();
	test_array_source();
	test_ridge();
	test_logistic();
	test_errors();
	return unit_done();
}
