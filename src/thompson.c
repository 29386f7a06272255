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
 * The Beta densities and the continued fraction's prefactor come from
 * Stirling's formula in a form without cancellation (log_beta_front), so
 * posteriors from millions of trials keep their accuracy.  Because alpha,
 * beta >= 1 (a uniform prior plus counts) the densities are bounded and the
 * integrands smooth.  At most QUAD_MAX_INTERVALS intervals are evaluated.
 *
 * The continued fraction needs about sqrt(min(alpha, beta)) terms, which
 * for counts near 10^15 would take minutes.  An arm whose alpha and beta
 * both exceed EXACT_MAX_SHAPE is therefore described by the second-order
 * Edgeworth expansion of its distribution around the normal with the same
 * mean, standard deviation, skewness and excess kurtosis (Kendall and
 * Stuart, The Advanced Theory of Statistics, vol. 1, 6.18); its error is
 * of order (alpha + beta)^(-3/2), below 1e-9 there.  Counts whose
 * posteriors are too narrow for double precision (alpha + beta above
 * MAX_SHAPE_SUM) are an error.
 *
 * Beta(alpha, beta) is sub-Gaussian with variance proxy
 * 1 / (4 (alpha + beta + 1)) (Marchal and Arbel, Electron. Commun. Probab.
 * 22, 2017), so beyond mean -/+ sqrt(345 / (alpha + beta + 1)) its tails are
 * below e^-690 (1e-300): there F is taken as 0 or 1 without the continued
 * fraction, and where two arms' F are 0 the integrand is 0.
 */
#include "uplift.h"

#include "miscadmin.h"

#include "thompson.h"

#define QUAD_TOL		1e-13	/* absolute tolerance per interval and arm */
#define QUAD_MAX_DEPTH	40		/* bisections below a starting interval */
#define QUAD_MAX_INTERVALS 20000	/* intervals evaluated in all */
#define CF_MAX_ITER		1000000
#define CF_EPS			1e-16
#define CF_TINY			1e-300
#define EXACT_MAX_SHAPE	1e5		/* larger alpha and beta: Edgeworth */
#define MAX_SHAPE_SUM	1e18	/* alpha + beta of the narrowest posterior */
#define THIN_MIN_ARMS	4		/* thin the cuts of more arms than this */
#define SUBGAUSS_LOG_TAIL 345.0 /* 2 t^2 (alpha + beta + 1) = 690: tail e^-690 */

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

/* log1p(z) - z, without cancellation for small |z|. */
static double
log1pmx(double z)
{
	double		sum = 0.0;
	double		zk;

	if (fabs(z) >= 0.05)
		return log1p(z) - z;
	/* sum over k >= 2 of (-1)^(k+1) z^k / k */
	zk = z * z;
	for (int k = 2; k < 40; k++)
	{
		double		term = ((k & 1) ? zk : -zk) / k;

		sum += term;
		if (fabs(term) <= 1e-17 * fabs(sum))
			break;
		zk *= z;
	}
	return sum;
}

/* lgamma(z) - ((z - 1/2) log z - z + log(2 pi) / 2), Stirling's remainder. */
static double
stirling_delta(double z)
{
	if (z >= 10.0)
	{
		double		r = 1.0 / z;
		double		r2 = r * r;

		return r * (1.0 / 12 - r2 * (1.0 / 360 - r2 * (1.0 / 1260 -
														r2 * (1.0 / 1680 - r2 / 1188))));
	}
	return lgamma(z) - ((z - 0.5) * log(z) - z + 0.5 * log(2.0 * M_PI));
}

/*
 * log(x^a (1-x)^b / B(a, b)), accurate also for very large a and b.  With
 * s = a + b, p = a / s, q = b / s and t = x - p, Stirling's formula gives
 *
 *	  x^a (1-x)^b / B(a, b) = sqrt(a b / (2 pi s)) (x/p)^a ((1-x)/q)^b
 *	                          exp(delta(s) - delta(a) - delta(b))
 *
 * and a log(x/p) + b log((1-x)/q) = a log1pmx(t/p) + b log1pmx(-t/q), whose
 * terms do not cancel (the linear parts a t/p - b t/q are exactly 0).  This
 * is the approach of Didonato and Morris (ACM TOMS 708, 1992, brcomp).
 */
static double
log_beta_front(double x, double a, double b)
{
	double		s = a + b;
	double		p = a / s;
	double		q = b / s;
	double		t = x - p;

	/* x in [0, 1] keeps both ratios >= -1 but for rounding */
	return 0.5 * log(a * b / (2.0 * M_PI * s)) +
		a * log1pmx(Max(t / p, -1.0)) + b * log1pmx(Max(-t / q, -1.0)) +
		stirling_delta(s) - stirling_delta(a) - stirling_delta(b);
}

/*
 * I_x(a, b), or 1 - I_x(a, b) when upper: the smaller side comes straight
 * from the continued fraction, so neither tail loses digits to 1 - p.
 */
static double
beta_tail(double x, double a, double b, bool upper)
{
	double		log_front;
	double		front;
	double		side;

	if (x <= 0.0)
		return upper ? 1.0 : 0.0;
	if (x >= 1.0)
		return upper ? 0.0 : 1.0;
	log_front = log_beta_front(x, a, b);

	/*
	 * Far in a tail the prefactor underflows and the smaller side is 0; the
	 * continued fraction (a modest factor) is not needed, and with a huge a
	 * or b it could stall one unit in the last place away from convergence.
	 */
	if (log_front < -1000.0)
		return (x < a / (a + b)) == upper ? 1.0 : 0.0;
	front = exp(log_front);
	if (x < (a + 1.0) / (a + b + 2.0))
	{
		side = front * beta_cf(a, b, x) / a;
		return upper ? 1.0 - side : side;
	}
	side = front * beta_cf(b, a, 1.0 - x) / b;
	return upper ? side : 1.0 - side;
}

double
uplift_beta_cdf(double x, double a, double b)
{
	return beta_tail(x, a, b, false);
}

/*
 * Moments of Beta(a, b) for its Edgeworth expansion: mean, standard
 * deviation, skewness and excess kurtosis (the closed forms of the Beta
 * distribution, written with s = a + b).
 */
typedef struct BetaMoments
{
	double		mean;
	double		sd;
	double		skew;
	double		kurt;
} BetaMoments;

static void
beta_moments(double a, double b, BetaMoments *m)
{
	double		s = a + b;

	m->mean = a / s;
	m->sd = sqrt(a / s * (b / s) / (s + 1.0));
	m->skew = 2.0 * (b - a) * sqrt(s + 1.0) / ((s + 2.0) * sqrt(a) * sqrt(b));
	m->kurt = 6.0 * ((a - b) / s * ((a - b) / s) * s * (s + 1.0) / (a * b) - (s + 2.0) / s) /
		(s + 3.0) * s / (s + 2.0);
}

/*
 * The Edgeworth expansion at z = (x - mean) / sd, to order 1/s:
 *	  F(x) = Phi(z) - phi(z) [g/6 He2(z) + k/24 He3(z) + g^2/72 He5(z)]
 *	  f(x) = phi(z) / sd [1 + g/6 He3(z) + k/24 He4(z) + g^2/72 He6(z)]
 * with He the Hermite polynomials, g the skewness and k the excess
 * kurtosis.  The upper tail 1 - F comes from erfc directly.
 */
static double
edgeworth_tail(double x, const BetaMoments *m, bool upper)
{
	double		z = (x - m->mean) / m->sd;
	double		z2 = z * z;
	double		phi = exp(-0.5 * z2) / sqrt(2.0 * M_PI);
	double		corr = m->skew / 6.0 * (z2 - 1.0) +
		m->kurt / 24.0 * z * (z2 - 3.0) +
		m->skew * m->skew / 72.0 * z * ((z2 - 10.0) * z2 + 15.0);
	double		p;

	if (upper)
		p = 0.5 * erfc(z / M_SQRT2) + phi * corr;
	else
		p = 0.5 * erfc(-z / M_SQRT2) - phi * corr;
	return Min(Max(p, 0.0), 1.0);
}

static double
edgeworth_density(double x, const BetaMoments *m)
{
	double		z = (x - m->mean) / m->sd;
	double		z2 = z * z;
	double		phi = exp(-0.5 * z2) / sqrt(2.0 * M_PI);
	double		corr = 1.0 + m->skew / 6.0 * z * (z2 - 3.0) +
		m->kurt / 24.0 * ((z2 - 6.0) * z2 + 3.0) +
		m->skew * m->skew / 72.0 * (((z2 - 15.0) * z2 + 45.0) * z2 - 15.0);

	return Max(phi * corr, 0.0) / m->sd;
}

/* What the integrand needs: the arms' parameters and scratch space. */
typedef struct ThompsonArms
{
	int			n;
	bool		mirror;			/* integrate over y = 1 - x */
	double	   *alpha;			/* parameters of the integration variable */
	double	   *beta;
	BetaMoments *approx;		/* per arm: moments, or sd 0 when exact */
	double	   *mean;			/* per arm: mean and tail radius */
	double	   *radius;
	int			budget;			/* interval evaluations left */
	double	   *cdf;			/* scratch: F_b(x) */
	double	   *prefix;			/* scratch: prod_{b < a} F_b(x) */
} ThompsonArms;

/*
 * F_b(x), or 1 - F_b(x) mirrored, of arm b.  Beyond the arm's radius the
 * smaller tail is below 1e-300 and is taken as 0.
 */
static double
arm_tail(const ThompsonArms *arms, int b, double x)
{
	if (x < arms->mean[b] - arms->radius[b])
		return arms->mirror ? 1.0 : 0.0;
	if (x > arms->mean[b] + arms->radius[b])
		return arms->mirror ? 0.0 : 1.0;
	if (arms->approx[b].sd > 0.0)
		return edgeworth_tail(x, &arms->approx[b], arms->mirror);
	return beta_tail(x, arms->alpha[b], arms->beta[b], arms->mirror);
}

/* The density of arm a at x. */
static double
arm_density(const ThompsonArms *arms, int a, double x)
{
	if (arms->approx[a].sd > 0.0)
		return edgeworth_density(x, &arms->approx[a]);
	/* x^(alpha-1) (1-x)^(beta-1) / B(alpha, beta) */
	return exp(log_beta_front(x, arms->alpha[a], arms->beta[a])) / (x * (1.0 - x));
}

/*
 * g[a] = f_a(x) * prod_{b != a} F_b(x) for every arm a; mirrored, with
 * y = 1 - x, Y_a ~ Beta(beta_a, alpha_a): g[a] = f_a(y) * prod_{b != a} (1 - F_b(y)),
 * the probability that Y_a is the smallest.
 */
static void
integrand(const ThompsonArms *arms, double x, double *g)
{
	int			n = arms->n;
	double		suffix = 1.0;
	int			zeros = 0;

	/* a node that rounds onto an end point carries no weight */
	if (!(x > 0.0 && x < 1.0))
	{
		for (int a = 0; a < n; a++)
			g[a] = 0.0;
		return;
	}
	for (int b = 0; b < n; b++)
	{
		arms->cdf[b] = arm_tail(arms, b, x);
		if (arms->cdf[b] == 0.0)
			zeros++;
	}

	/*
	 * g[a] has every tail but arm a's as a factor: with two tails 0 every
	 * g is 0, and with one only that arm's g can be non-zero (the densities
	 * of the others need not be computed).
	 */
	if (zeros > 0)
	{
		for (int a = 0; a < n; a++)
			g[a] = 0.0;
		if (zeros > 1)
			return;
		for (int a = 0; a < n; a++)
			if (arms->cdf[a] == 0.0)
			{
				double		others = 1.0;

				for (int b = 0; b < n; b++)
					if (b != a)
						others *= arms->cdf[b];
				g[a] = others == 0.0 ? 0.0 : arm_density(arms, a, x) * others;
			}
		return;
	}
	arms->prefix[0] = 1.0;
	for (int b = 1; b < n; b++)
		arms->prefix[b] = arms->prefix[b - 1] * arms->cdf[b - 1];
	for (int a = n - 1; a >= 0; a--)
	{
		g[a] = arm_density(arms, a, x) * arms->prefix[a] * suffix;
		suffix *= arms->cdf[a];
	}
}

/*
 * Add the integral over [lo, hi] of every arm's integrand to sum[], bisecting
 * until the Kronrod and Gauss rules agree; adds the error estimate to *err.
 */
static void
integrate(ThompsonArms *arms, double lo, double hi, int depth,
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
	arms->budget--;
	if (worst <= QUAD_TOL || depth >= QUAD_MAX_DEPTH || arms->budget <= 0)
	{
		for (int a = 0; a < n; a++)
			sum[a] += kron[a];
		*err += worst * n;
		return;
	}
	integrate(arms, lo, center, depth + 1, sum, err, scratch + 3 * n);
	integrate(arms, center, hi, depth + 1, sum, err, scratch + 3 * n);
}

/* A cut of [0, 1] and the standard deviation of the posterior it resolves. */
typedef struct Cut
{
	double		x;
	double		sd;
} Cut;

static int
cmp_cut(const void *a, const void *b)
{
	double		x = ((const Cut *) a)->x;
	double		y = ((const Cut *) b)->x;

	return (x > y) - (x < y);
}

/*
 * Drop the sorted cuts that lie closer to the previous one kept than a
 * quarter of the narrower of their two posteriors' standard deviations
 * (0 and 1 stay).  With many arms their 13 cuts each crowd together (257
 * arms near one mean: 3,300 intervals of 15 nodes, each evaluating every
 * arm); an interval of a quarter of a standard deviation is resolved by one
 * Gauss-Kronrod rule or its bisections, so the thinning only saves
 * evaluations, and a narrow posterior keeps its own cuts among wide ones.
 * Returns the number of cuts kept.
 */
static int
thin_cuts(Cut *cuts, int n_cuts)
{
	int			kept = 1;

	for (int i = 1; i < n_cuts; i++)
	{
		if (cuts[i].x - cuts[kept - 1].x < Min(cuts[i].sd, cuts[kept - 1].sd) / 4.0)
		{
			if (i == n_cuts - 1 && kept > 1)
				cuts[kept - 1] = cuts[i];	/* the end point 1 replaces it */
			continue;
		}
		cuts[kept++] = cuts[i];
	}
	if (cuts[kept - 1].x != cuts[n_cuts - 1].x)
		cuts[kept++] = cuts[n_cuts - 1];
	return kept;
}

double
uplift_thompson_probs_exact(const double *alpha, const double *beta, int n,
							double *probs)
{
	static const double offsets[] = {0, 1, 2, 4, 8, 16, 32};
	int			n_off = lengthof(offsets);
	ThompsonArms arms;
	Cut		   *cuts = palloc(sizeof(Cut) * (2 + 2 * n_off * n));
	int			n_cuts = 0;
	double	   *scratch = palloc(sizeof(double) * 3 * n * (QUAD_MAX_DEPTH + 2));
	double		err = 0.0;
	double		total = 0.0;

	/*
	 * Doubles resolve points near 0 far better than points near 1, so when
	 * the best arm's posterior lies above 1/2 we integrate over y = 1 - x:
	 * arm a wins when Y_a = 1 - X_a ~ Beta(beta_a, alpha_a) is the smallest.
	 */
	arms.n = n;
	arms.mirror = false;
	for (int a = 0; a < n; a++)
		if (alpha[a] > beta[a])
			arms.mirror = true;
	arms.alpha = palloc(sizeof(double) * n);
	arms.beta = palloc(sizeof(double) * n);
	arms.approx = palloc0(sizeof(BetaMoments) * n);
	for (int a = 0; a < n; a++)
	{
		if (!(alpha[a] + beta[a] <= MAX_SHAPE_SUM))
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("Thompson sampling probabilities cannot be computed for trials above %g", MAX_SHAPE_SUM),
					 errdetail("Action %d has a posterior Beta(%g, %g), narrower than double precision resolves.",
							   a, alpha[a], beta[a]),
					 errhint("Pass counts in a smaller unit, or a window of recent trials.")));
		/* a uniform prior makes every parameter at least 1 */
		arms.alpha[a] = Max(arms.mirror ? beta[a] : alpha[a], 1.0);
		arms.beta[a] = Max(arms.mirror ? alpha[a] : beta[a], 1.0);
		if (Min(alpha[a], beta[a]) > EXACT_MAX_SHAPE)
			beta_moments(arms.alpha[a], arms.beta[a], &arms.approx[a]);
	}
	arms.budget = QUAD_MAX_INTERVALS;
	arms.mean = palloc(sizeof(double) * n);
	arms.radius = palloc(sizeof(double) * n);
	arms.cdf = palloc(sizeof(double) * n);
	arms.prefix = palloc(sizeof(double) * n);
	for (int a = 0; a < n; a++)
	{
		double		s = arms.alpha[a] + arms.beta[a];
		double		mean = arms.alpha[a] / s;
		double		sd = sqrt(arms.alpha[a] * arms.beta[a] / (s * s * (s + 1.0)));

		/* beyond mean -/+ radius every tail is below 1e-300 (see above) */
		arms.mean[a] = mean;
		arms.radius[a] = sqrt(SUBGAUSS_LOG_TAIL / (s + 1.0));
		for (int k = 0; k < n_off; k++)
		{
			double		lo = mean - offsets[k] * sd;
			double		hi = mean + offsets[k] * sd;

			if (lo > 0.0 && lo < 1.0)
				cuts[n_cuts++] = (Cut) {lo, sd};
			if (k > 0 && hi > 0.0 && hi < 1.0)
				cuts[n_cuts++] = (Cut) {hi, sd};
		}
	}
	cuts[n_cuts++] = (Cut) {0.0, 1.0};
	cuts[n_cuts++] = (Cut) {1.0, 1.0};
	qsort(cuts, n_cuts, sizeof(Cut), cmp_cut);
	if (n > THIN_MIN_ARMS)
		n_cuts = thin_cuts(cuts, n_cuts);

	for (int a = 0; a < n; a++)
		probs[a] = 0.0;
	for (int i = 0; i + 1 < n_cuts; i++)
		if (cuts[i + 1].x > cuts[i].x)
			integrate(&arms, cuts[i].x, cuts[i + 1].x, 0, probs, &err, scratch);

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
