/*
 * thompson.c
 *	  Exact probabilities of Thompson sampling for a non-contextual campaign
 *	  with Beta-Bernoulli arms.
 *
 * Thompson sampling draws X_a from each arm's posterior Beta(alpha_a,
 * beta_a) and plays the arm with the largest draw.  The probability that
 * arm a is played is
 *
 *	  P_a = integral over [0, 1] of f_a(x) * prod_{b != a} F_b(x) dx
 *
 * with f the Beta density and F its distribution function, the regularized
 * incomplete beta function I_x(alpha, beta).  We integrate all arms at once
 * with adaptive Gauss-Kronrod (7-point Gauss, 15-point Kronrod) quadrature
 * on [0, 1], first cut at each posterior's mean +- {0, 1, 2, 4, 8, 16, 32}
 * standard deviations so that narrow posteriors are resolved; an interval
 * is split until |K15 - G7| <= 1e-13 for every arm.  I_x is Lentz's
 * continued fraction (Press et al., Numerical Recipes, 3rd ed., 6.4).
 *
 * Because alpha, beta >= 1 (a uniform prior plus counts) the densities are
 * bounded and the integrands smooth.
 */
#include "uplift.h"

#include "miscadmin.h"

#include "thompson.h"

#define QUAD_TOL		1e-13	/* absolute tolerance per interval and arm */
#define QUAD_MAX_DEPTH	40		/* bisections below a starting interval */
#define CF_MAX_ITER		1000000
#define CF_EPS			1e-16
#define CF_TINY			1e-300

/* Gauss-Kronrod 7-15 nodes on [-1, 1] (QUADPACK qk15). */
static const double xgk[8] = {
	0.991455371120812639206854697526329,
	0.949107912342758524526189684047851,
	0.864864423359769072789712788640926,
	0.741531185599394439863864773280788,
	0.586087235467691130294144845693013,
	0.405845151377397166906606412076961,
	0.207784955007898467600689403773245,
	0.000000000000000000000000000000000
};
static const double wgk[8] = {
	0.022935322010529224963732008058970,
	0.063092092629978553290700663189204,
	0.104790010322250183839876322541518,
	0.140653259715525918745189590510238,
	0.169004726639267902826583426598550,
	0.190350578064785409913256402421014,
	0.204432940075298892414161999234649,
	0.209482141084727828012999174891714
};
/* Gauss weights of the 7-point rule, at the odd-indexed Kronrod nodes. */
static const double wg[4] = {
	0.129484966168869693270611432679082,
	0.279705391489276667901467771423780,
	0.381830050505118944950369775488975,
	0.417959183673469387755102040816327
};

/* Continued fraction of I_x(a, b) (modified Lentz). */
static double
beta_cf(double a, double b, double x)
{
	double		qab = a + b;
	double		qap = a + 1.0;
	double		qam = a - 1.0;
	double		c = 1.0;
	double		d = 1.0 - qab * x / qap;
	double		h;

	if (fabs(d) < CF_TINY)
		d = CF_TINY;
	d = 1.0 / d;
	h = d;
	for (int m = 1; m <= CF_MAX_ITER; m++)
	{
		int			m2 = 2 * m;
		double		aa = m * (b - m) * x / ((qam + m2) * (a + m2));
		double		del;

		d = 1.0 + aa * d;
		if (fabs(d) < CF_TINY)
			d = CF_TINY;
		c = 1.0 + aa / c;
		if (fabs(c) < CF_TINY)
			c = CF_TINY;
		d = 1.0 / d;
		h *= d * c;
		aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
		d = 1.0 + aa * d;
		if (fabs(d) < CF_TINY)
			d = CF_TINY;
		c = 1.0 + aa / c;
		if (fabs(c) < CF_TINY)
			c = CF_TINY;
		d = 1.0 / d;
		del = d * c;
		h *= del;
		if (fabs(del - 1.0) <= CF_EPS)
			return h;
		if ((m & 1023) == 0)
			CHECK_FOR_INTERRUPTS();
	}
	ereport(ERROR,
			(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			 errmsg("incomplete beta function did not converge for a = %g, b = %g, x = %g",
					a, b, x)));
	return 0.0;					/* keep compiler quiet */
}

static double
log_beta_fn(double a, double b)
{
	return lgamma(a) + lgamma(b) - lgamma(a + b);
}

double
uplift_beta_cdf(double x, double a, double b)
{
	double		front;

	if (x <= 0.0)
		return 0.0;
	if (x >= 1.0)
		return 1.0;
	front = exp(a * log(x) + b * log1p(-x) - log_beta_fn(a, b));
	if (x < (a + 1.0) / (a + b + 2.0))
		return front * beta_cf(a, b, x) / a;
	return 1.0 - front * beta_cf(b, a, 1.0 - x) / b;
}

/* What the integrand needs: the arms' parameters and scratch space. */
typedef struct ThompsonArms
{
	int			n;
	const double *alpha;
	const double *beta;
	double	   *log_norm;		/* log B(alpha, beta) per arm */
	double	   *cdf;			/* scratch: F_b(x) */
	double	   *prefix;			/* scratch: prod_{b < a} F_b(x) */
} ThompsonArms;

/* g[a] = f_a(x) * prod_{b != a} F_b(x) for every arm a. */
static void
integrand(const ThompsonArms *arms, double x, double *g)
{
	int			n = arms->n;
	double		suffix = 1.0;

	for (int b = 0; b < n; b++)
		arms->cdf[b] = uplift_beta_cdf(x, arms->alpha[b], arms->beta[b]);
	arms->prefix[0] = 1.0;
	for (int b = 1; b < n; b++)
		arms->prefix[b] = arms->prefix[b - 1] * arms->cdf[b - 1];
	for (int a = n - 1; a >= 0; a--)
	{
		double		logpdf = (arms->alpha[a] - 1.0) * log(x) +
			(arms->beta[a] - 1.0) * log1p(-x) - arms->log_norm[a];

		g[a] = exp(logpdf) * arms->prefix[a] * suffix;
		suffix *= arms->cdf[a];
	}
}

/*
 * Add the integral over [lo, hi] of every arm's integrand to sum[], bisecting
 * until the Kronrod and Gauss rules agree; adds the error estimate to *err.
 */
static void
integrate(const ThompsonArms *arms, double lo, double hi, int depth,
		  double *sum, double *err, double *scratch)
{
	int			n = arms->n;
	double		center = 0.5 * (lo + hi);
	double		half = 0.5 * (hi - lo);
	double	   *kron = scratch;
	double	   *gauss = scratch + n;
	double	   *g = scratch + 2 * n;
	double		worst = 0.0;

	CHECK_FOR_INTERRUPTS();
	for (int a = 0; a < n; a++)
		kron[a] = gauss[a] = 0.0;
	for (int j = 0; j < 8; j++)
	{
		for (int side = 0; side < (j == 7 ? 1 : 2); side++)
		{
			double		x = center + (side ? -1.0 : 1.0) * half * xgk[j];

			integrand(arms, x, g);
			for (int a = 0; a < n; a++)
			{
				kron[a] += wgk[j] * g[a];
				if (j & 1)
					gauss[a] += wg[j / 2] * g[a];
			}
		}
	}
	for (int a = 0; a < n; a++)
	{
		kron[a] *= half;
		gauss[a] *= half;
		worst = Max(worst, fabs(kron[a] - gauss[a]));
	}
	if (worst <= QUAD_TOL || depth >= QUAD_MAX_DEPTH)
	{
		for (int a = 0; a < n; a++)
			sum[a] += kron[a];
		*err += worst * n;
		return;
	}
	integrate(arms, lo, center, depth + 1, sum, err, scratch + 3 * n);
	integrate(arms, center, hi, depth + 1, sum, err, scratch + 3 * n);
}

static int
cmp_double(const void *a, const void *b)
{
	double		x = *(const double *) a;
	double		y = *(const double *) b;

	return (x > y) - (x < y);
}

double
uplift_thompson_probs_exact(const double *alpha, const double *beta, int n,
							double *probs)
{
	static const double offsets[] = {0, 1, 2, 4, 8, 16, 32};
	int			n_off = lengthof(offsets);
	ThompsonArms arms;
	double	   *cuts = palloc(sizeof(double) * (2 + 2 * n_off * n));
	int			n_cuts = 0;
	double	   *scratch = palloc(sizeof(double) * 3 * n * (QUAD_MAX_DEPTH + 2));
	double		err = 0.0;
	double		total = 0.0;

	arms.n = n;
	arms.alpha = alpha;
	arms.beta = beta;
	arms.log_norm = palloc(sizeof(double) * n);
	arms.cdf = palloc(sizeof(double) * n);
	arms.prefix = palloc(sizeof(double) * n);
	for (int a = 0; a < n; a++)
	{
		double		s = alpha[a] + beta[a];
		double		mean = alpha[a] / s;
		double		sd = sqrt(alpha[a] * beta[a] / (s * s * (s + 1.0)));

		arms.log_norm[a] = log_beta_fn(alpha[a], beta[a]);
		for (int k = 0; k < n_off; k++)
		{
			double		lo = mean - offsets[k] * sd;
			double		hi = mean + offsets[k] * sd;

			if (lo > 0.0 && lo < 1.0)
				cuts[n_cuts++] = lo;
			if (k > 0 && hi > 0.0 && hi < 1.0)
				cuts[n_cuts++] = hi;
		}
	}
	cuts[n_cuts++] = 0.0;
	cuts[n_cuts++] = 1.0;
	qsort(cuts, n_cuts, sizeof(double), cmp_double);

	for (int a = 0; a < n; a++)
		probs[a] = 0.0;
	for (int i = 0; i + 1 < n_cuts; i++)
		if (cuts[i + 1] > cuts[i])
			integrate(&arms, cuts[i], cuts[i + 1], 0, probs, &err, scratch);

	/* the probabilities sum to 1 up to the quadrature error; make it exact */
	for (int a = 0; a < n; a++)
		total += probs[a];
	if (!(fabs(total - 1.0) < 1e-6))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("Thompson sampling probabilities did not integrate to 1"),
				 errdetail("They sum to %.17g.", total)));
	for (int a = 0; a < n; a++)
		probs[a] = Max(probs[a], 0.0) / total;
	return err + fabs(total - 1.0);
}
