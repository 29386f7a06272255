/*
 * drift.c
 *	  Numerics of distribution drift on plain arrays (see drift.h): the
 *	  reference's deciles, PSI and Jensen-Shannon over buckets, the exact KS
 *	  statistic and Wasserstein-1 of two sorted samples, the same two on a
 *	  bounded reference grid, and the chi-square survival function.
 */
#include "postgres.h"

#include <math.h>

#include "miscadmin.h"
#include "utils/float.h"

#include "drift.h"
#include "lower_bound.h"

/*
 * numpy.quantile(x, q) with its default method "linear": the virtual index
 * h = (n - 1) q, then numpy's _lerp, which interpolates from the upper
 * neighbour when the fraction is at least 1/2.
 */
double
drift_quantile(const double *sorted, int64 n, double q)
{
	double		h = (double) (n - 1) * q;
	int64		lo = (int64) floor(h);
	double		t = h - (double) lo;
	double		a,
				b;

	if (lo >= n - 1)
		return sorted[n - 1];
	if (lo < 0)
		return sorted[0];
	a = sorted[lo];
	b = sorted[lo + 1];
	if (t >= 0.5)
		return b - (b - a) * (1.0 - t);
	return a + (b - a) * t;
}

void
drift_decile_edges(const double *sorted, int64 n, double *edges)
{
	for (int k = 1; k < DRIFT_BINS; k++)
		edges[k - 1] = drift_quantile(sorted, n, (double) k / DRIFT_BINS);
}

/* the number of edges below v, without branches (edges are sorted) */
int
drift_bin(const double *edges, double v)
{
	int			k = 0;

	for (int i = 0; i < DRIFT_BINS - 1; i++)
		k += (edges[i] < v);
	return k;
}

/* shares of counts; a zero share becomes floor_share when it is positive */
static void
shares(const double *counts, int n, double floor_share, double *out)
{
	double		total = 0.0;

	for (int i = 0; i < n; i++)
		total += counts[i];
	for (int i = 0; i < n; i++)
	{
		out[i] = total > 0 ? counts[i] / total : 0.0;
		if (out[i] == 0.0 && floor_share > 0)
			out[i] = floor_share;
	}
}

double
drift_psi(const double *ref, const double *cur, int nbuckets)
{
	double	   *r = palloc(nbuckets * sizeof(double));
	double	   *c = palloc(nbuckets * sizeof(double));
	double		psi = 0.0;

	shares(ref, nbuckets, DRIFT_SHARE_FLOOR, r);
	shares(cur, nbuckets, DRIFT_SHARE_FLOOR, c);
	for (int i = 0; i < nbuckets; i++)
		psi += (c[i] - r[i]) * log(c[i] / r[i]);
	pfree(r);
	pfree(c);
	return psi;
}

/* scipy.spatial.distance.jensenshannon(ref, cur) with base e */
double
drift_js(const double *ref, const double *cur, int nbuckets)
{
	double	   *p = palloc(nbuckets * sizeof(double));
	double	   *q = palloc(nbuckets * sizeof(double));
	double		div = 0.0;

	shares(ref, nbuckets, 0.0, p);
	shares(cur, nbuckets, 0.0, q);
	for (int i = 0; i < nbuckets; i++)
	{
		double		m = 0.5 * (p[i] + q[i]);

		if (p[i] > 0)
			div += 0.5 * p[i] * log(p[i] / m);
		if (q[i] > 0)
			div += 0.5 * q[i] * log(q[i] / m);
	}
	pfree(p);
	pfree(q);
	return sqrt(div > 0 ? div : 0.0);
}

/* after x: advance *i past every a[*i] <= x */
static inline void
skip_through(const double *a, int64 na, int64 *i, double x)
{
	while (*i < na && a[*i] <= x)
		(*i)++;
}

/*
 * sup |F_a - F_b| over the merged values: both distribution functions are
 * evaluated after every distinct value, where the supremum is attained.
 */
double
drift_ks_exact(const double *a, int64 na, const double *b, int64 nb)
{
	int64		i = 0,
				j = 0;
	double		d = 0.0;

	while (i < na && j < nb)
	{
		double		x = Min(a[i], b[j]);
		double		diff;

		CHECK_FOR_INTERRUPTS();
		skip_through(a, na, &i, x);
		skip_through(b, nb, &j, x);
		diff = fabs((double) i / na - (double) j / nb);
		if (diff > d)
			d = diff;
	}
	return d;
}

/*
 * The integral of |F_a - F_b| (scipy.stats.wasserstein_distance): between
 * consecutive merged values both functions are constant.  Neumaier sum.
 */
double
drift_wasserstein_exact(const double *a, int64 na, const double *b, int64 nb)
{
	int64		i = 0,
				j = 0;
	double		x = Min(a[0], b[0]);
	NeumaierSum s = {0, 0};

	while (i < na || j < nb)
	{
		double		next;

		CHECK_FOR_INTERRUPTS();
		skip_through(a, na, &i, x);
		skip_through(b, nb, &j, x);
		if (i >= na && j >= nb)
			break;
		next = (i >= na) ? b[j] : (j >= nb) ? a[i] : Min(a[i], b[j]);
		neumaier_add(&s, fabs((double) i / na - (double) j / nb) * (next - x));
		x = next;
	}
	return neumaier_value(&s);
}

/* first index with sorted[i] >= v (strict: > v) */
static int64
search(const double *sorted, int64 n, double v, bool strict)
{
	int64		lo = 0,
				hi = n;

	while (lo < hi)
	{
		int64		mid = lo + (hi - lo) / 2;

		if (sorted[mid] < v || (strict && sorted[mid] == v))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

void
drift_grid_build(DriftGrid *g, const double *sorted, int64 n)
{
	int64		distinct = 0;
	int			np = 0;

	for (int64 i = 0; i < n && distinct <= DRIFT_GRID + 1; i++)
		if (i == 0 || sorted[i] != sorted[i - 1])
			distinct++;

	g->x = palloc((DRIFT_GRID + 1) * sizeof(double));
	if (distinct <= DRIFT_GRID + 1)
	{
		/* few values: the grid is the reference's own, and exact */
		for (int64 i = 0; i < n; i++)
			if (i == 0 || sorted[i] != sorted[i - 1])
				g->x[np++] = sorted[i];
	}
	else
	{
		for (int k = 0; k <= DRIFT_GRID; k++)
		{
			double		q = drift_quantile(sorted, n, (double) k / DRIFT_GRID);

			if (np == 0 || q > g->x[np - 1])
				g->x[np++] = q;
		}
	}
	g->npoints = np;
	g->cdf_left = palloc(np * sizeof(double));
	g->cdf = palloc(np * sizeof(double));
	for (int k = 0; k < np; k++)
	{
		g->cdf_left[k] = (double) search(sorted, n, g->x[k], false) / n;
		g->cdf[k] = (double) search(sorted, n, g->x[k], true) / n;
	}
}

/*
 * The distribution function of grid g on both sides of v, *left = F(v-) and
 * *right = F(v), and how far it may be off beyond the grid's own error: the
 * mass of the cell that v falls inside, where it is interpolated linearly.
 */
static double
grid_eval(const DriftGrid *g, double v, double *left, double *right)
{
	int			k = uplift_lower_bound(g->x, g->npoints, v);
	double		lo,
				hi,
				t;

	if (k < g->npoints && g->x[k] == v)
	{
		*left = g->cdf_left[k];
		*right = g->cdf[k];
		return 0.0;
	}
	if (k == 0 || k == g->npoints)
	{
		*left = *right = (k == 0) ? 0.0 : 1.0;
		return 0.0;
	}
	lo = g->cdf[k - 1];
	hi = g->cdf_left[k];
	t = (v - g->x[k - 1]) / (g->x[k] - g->x[k - 1]);
	*left = *right = lo + (hi - lo) * t;
	return hi - lo;
}

double
drift_grid_count_le(const DriftGrid *g, double n, double v)
{
	double		left,
				right;

	grid_eval(g, v, &left, &right);
	return right * n;
}

/*
 * The value of rank r (0-based) of the n reference values: an atom at a grid
 * point, or a linear interpolation inside a cell that holds mass.  Ranks are
 * counts, so a grid without mass inside its cells gives the exact value.
 */
static double
grid_value_at_rank(const DriftGrid *g, double n, double r)
{
	int			k = 0;
	double		lo,
				hi;

	while (k < g->npoints - 1 && !(g->cdf[k] * n > r + 0.5))
		k++;
	if (k == 0 || g->cdf_left[k] * n <= r + 0.5)
		return g->x[k];
	lo = g->cdf[k - 1] * n;
	hi = g->cdf_left[k] * n;
	return g->x[k - 1] + (g->x[k] - g->x[k - 1]) *
		Min(Max((r + 0.5 - lo) / (hi - lo), 0.0), 1.0);
}

/* drift_quantile's interpolation on ranks read from the grid */
double
drift_grid_quantile(const DriftGrid *g, double n, double q)
{
	double		h = (n - 1) * q;
	double		lo = floor(h);
	double		t = h - lo;
	double		a,
				b;

	if (lo >= n - 1)
		return grid_value_at_rank(g, n, n - 1);
	a = grid_value_at_rank(g, n, lo);
	b = grid_value_at_rank(g, n, lo + 1);
	if (t >= 0.5)
		return b - (b - a) * (1.0 - t);
	return a + (b - a) * t;
}

/* keep the extremes and the first point at or above each level k / DRIFT_GRID */
static void
grid_thin(DriftGrid *g, double *err)
{
	int			np = 0;
	int			next = 1;

	for (int i = 0; i < g->npoints; i++)
	{
		bool		keep = (i == 0 || i == g->npoints - 1);

		while (next < DRIFT_GRID && g->cdf[i] >= (double) next / DRIFT_GRID)
		{
			keep = true;
			next++;
		}
		if (!keep)
			continue;
		g->x[np] = g->x[i];
		g->cdf_left[np] = g->cdf_left[i];
		g->cdf[np] = g->cdf[i];
		err[np] = err[i];
		np++;
	}
	g->npoints = np;
}

double
drift_grid_merge(const DriftGrid *a, double na, double err_a,
				 const DriftGrid *b, double nb, double err_b, DriftGrid *out)
{
	int			cap = a->npoints + b->npoints;
	double		n = na + nb;
	double	   *err = palloc(cap * sizeof(double));
	double		bound = 0.0;
	int			i = 0,
				j = 0,
				np = 0;

	out->x = palloc(cap * sizeof(double));
	out->cdf_left = palloc(cap * sizeof(double));
	out->cdf = palloc(cap * sizeof(double));
	out->first = NULL;
	while (i < a->npoints || j < b->npoints)
	{
		double		v,
					la,
					ra,
					lb,
					rb,
					ea,
					eb;

		if (j >= b->npoints || (i < a->npoints && a->x[i] <= b->x[j]))
			v = a->x[i];
		else
			v = b->x[j];
		ea = err_a + grid_eval(a, v, &la, &ra);
		eb = err_b + grid_eval(b, v, &lb, &rb);
		out->x[np] = v;
		out->cdf_left[np] = (na * la + nb * lb) / n;
		out->cdf[np] = (na * ra + nb * rb) / n;
		err[np] = (na * ea + nb * eb) / n;
		np++;
		while (i < a->npoints && a->x[i] == v)
			i++;
		while (j < b->npoints && b->x[j] == v)
			j++;
	}
	out->npoints = np;
	if (np > DRIFT_GRID + 1)
		grid_thin(out, err);
	for (int k = 0; k < out->npoints; k++)
		bound = Max(bound, err[k]);
	pfree(err);
	return bound;
}

#define GRID_BUCKETS 1024

/* the number of edges at or below v */
static int
edges_at_or_below(const double *edges, double v)
{
	int			k = 0;

	for (int i = 0; i < DRIFT_BINS - 1; i++)
		k += (edges[i] <= v);
	return k;
}

/*
 * The decile bin of every grid cell, when every edge is a grid point (as in
 * a profile built from rows, whose deciles are its quantiles at k/10 and
 * whose grid holds its quantiles at k/1000): a value v with lower bound k,
 * x[k-1] < v <= x[k], has as many edges below it as there are at or below
 * x[k-1].  NULL otherwise (merged profiles, grids of distinct values).
 */
static uint8 *
cell_bins(const DriftGrid *g, const double *edges)
{
	uint8	   *bins;

	for (int e = 0; e < DRIFT_BINS - 1; e++)
	{
		int			k = uplift_lower_bound(g->x, g->npoints, edges[e]);

		if (k == g->npoints || g->x[k] != edges[e])
			return NULL;
	}
	bins = palloc((g->npoints + 1) * sizeof(uint8));
	bins[0] = 0;
	for (int k = 1; k <= g->npoints; k++)
		bins[k] = edges_at_or_below(edges, g->x[k - 1]);
	return bins;
}

/*
 * What a check needs to place values fast: the grid's points between
 * sentinels (-inf before, +inf after, so that no step leaves the array), the
 * decile bin of every cell when the edges allow it, and, for a wide enough
 * grid, equal-width buckets over [x[0], x[last]] where first[b] is the first
 * point at or above the start of bucket b.
 */
void
drift_grid_index(DriftGrid *g, const double *edges)
{
	double		span = g->x[g->npoints - 1] - g->x[0];

	g->padded = palloc((g->npoints + 2) * sizeof(double));
	g->padded[0] = -get_float8_infinity();
	memcpy(g->padded + 1, g->x, g->npoints * sizeof(double));
	g->padded[g->npoints + 1] = get_float8_infinity();
	g->cell_bin = cell_bins(g, edges);
	g->first = NULL;
	if (g->npoints < 32 || !(span > 0) || !isfinite(span) || !isfinite(GRID_BUCKETS / span))
		return;
	g->nbuckets = GRID_BUCKETS;
	g->lo = g->x[0];
	g->scale = GRID_BUCKETS / span;
	g->first = palloc((GRID_BUCKETS + 1) * sizeof(int));
	for (int b = 0; b <= GRID_BUCKETS; b++)
		g->first[b] = uplift_lower_bound(g->x, g->npoints, g->lo + b / g->scale);
}

/*
 * uplift_lower_bound through the bucket index: the bucket's first point, a
 * step or two without branches (or a search when the bucket holds many
 * points), then a check that falls back to a full search, so it is exact
 * whatever the rounding of the bucket's bounds.  x has sentinels at x[-1]
 * and x[n].
 */
static inline int
grid_find(const DriftGrid *g, const double *x, double v)
{
	double		t = (v - g->lo) * g->scale;
	int			b = (t <= 0) ? 0 : (t >= g->nbuckets) ? g->nbuckets - 1 : (int) t;
	int			k = g->first[b];
	int			end = g->first[b + 1];

	if (end - k > 2)
		k += uplift_lower_bound(x + k, end - k, v);
	else
	{
		k += (x[k] < v);
		k += (x[k] < v);
	}
	k -= (x[k - 1] >= v);
	if (unlikely(!(x[k - 1] < v && x[k] >= v)))
		k = uplift_lower_bound(x, g->npoints, v);
	return k;
}

/* a value below or above the grid: counted with its sum */
static void
count_outside(const DriftGrid *g, DriftGridCounts *c, int k, double v)
{
	if (k == 0)
	{
		c->n_below++;
		neumaier_add(&c->sum_below, v);
	}
	else
	{
		c->n_above++;
		neumaier_add(&c->sum_above, v);
	}
}

/*
 * Count n (at most DRIFT_BATCH) values: their decile bins
 * (bins[0..DRIFT_BINS-1]) and their places on the grid.  The cells are found
 * for the whole batch first, then counted: the searches do not wait on the
 * counts' stores, and a cell's counts sit in one cache line.  Values strictly
 * inside a cell or on its upper point are counted without branches.
 */
void
drift_count_batch(const double *edges, const DriftGrid *g, double *bins,
				  DriftGridCounts *c, const double *values, int n)
{
	const double *x = g->padded + 1;
	int			np = g->npoints;
	int			cell[DRIFT_BATCH];
	int64		nbin[DRIFT_BINS] = {0};

	Assert(n <= DRIFT_BATCH && g->padded != NULL);
	for (int i = 0; i < n; i++)
		cell[i] = g->first ? grid_find(g, x, values[i]) : uplift_lower_bound(x, np, values[i]);
	for (int i = 0; i < n; i++)
	{
		double		v = values[i];
		int			k = cell[i];
		bool		on = (x[k] == v);
		DriftCell  *cc = &c->cells[Min(k, np - 1)];

		nbin[g->cell_bin ? g->cell_bin[k] : drift_bin(edges, v)]++;
		if (unlikely(!on && (k == 0 || k == np)))
		{
			count_outside(g, c, k, v);
			continue;
		}
		cc->at += on;
		cc->in += !on;
		cc->offsets += on ? 0.0 : v - x[k - 1];
	}
	for (int b = 0; b < DRIFT_BINS; b++)
		bins[b] += (double) nbin[b];
	c->n += n;
}

/*
 * KS on the grid: both distribution functions on each side of every point.
 * Exact when the reference has no mass strictly between points; otherwise
 * below the truth by at most the largest such mass of one cell.
 */
double
drift_ks_grid(const DriftGrid *g, const DriftGridCounts *c)
{
	double		n = (double) c->n;
	int64		below = c->n_below;
	double		d = 0.0;

	for (int k = 0; k < g->npoints; k++)
	{
		double		left,
					right;

		below += c->cells[k].in;
		left = fabs(g->cdf_left[k] - below / n);
		below += c->cells[k].at;
		right = fabs(g->cdf[k] - below / n);
		d = Max(d, Max(left, right));
	}
	return d;
}

/* integral over [0, w] of |d0 + (d1 - d0) t / w| */
static double
abs_linear_integral(double d0, double d1, double w)
{
	if ((d0 >= 0) == (d1 >= 0))
		return w * (fabs(d0) + fabs(d1)) / 2;
	return w * (d0 * d0 + d1 * d1) / (2 * (fabs(d0) + fabs(d1)));
}

/*
 * Wasserstein-1 on the grid.  Outside the grid and in every cell where one
 * distribution function lies above the other the integral is exact for the
 * current sample (its values' sums are kept) and spreads the reference's
 * mass inside a cell evenly; in a cell where the two cross, both are taken as
 * linear.  See doc/monitoring.md for the error bound.
 */
double
drift_wasserstein_grid(const DriftGrid *g, const DriftGridCounts *c)
{
	double		n = (double) c->n;
	int			last = g->npoints - 1;
	int64		upto;			/* current values <= x[k - 1] */
	NeumaierSum s = {0, 0};

	neumaier_add(&s, (c->n_below * g->x[0] - neumaier_value(&c->sum_below)) / n);
	neumaier_add(&s, (neumaier_value(&c->sum_above) - c->n_above * g->x[last]) / n);
	upto = c->n_below + c->cells[0].at;
	for (int k = 1; k <= last; k++)
	{
		double		w = g->x[k] - g->x[k - 1];
		double		a0 = g->cdf[k - 1],
					a1 = g->cdf_left[k];
		double		b0 = upto / n,
					b1 = (upto + c->cells[k].in) / n;
		double		icur = b0 * w + (c->cells[k].in * w - c->cells[k].offsets) / n;
		double		iref = w * (a0 + a1) / 2;

		if (a1 <= b0)
			neumaier_add(&s, icur - iref);
		else if (b1 <= a0)
			neumaier_add(&s, iref - icur);
		else
			neumaier_add(&s, abs_linear_integral(a0 - b0, a1 - b1, w));
		upto += c->cells[k].in + c->cells[k].at;
	}
	return neumaier_value(&s);
}

/*
 * Q(a, x), the regularized upper incomplete gamma function: the series of
 * P(a, x) below x = a + 1, Lentz's continued fraction of Q above (Press et
 * al., Numerical Recipes, 3rd ed., 6.2).
 */
static double
gamma_q(double a, double x)
{
	double		lead = a * log(x) - x - lgamma(a);

	if (x < a + 1)
	{
		double		term = 1.0 / a,
					sum = term;

		for (int i = 1; i < 10000 && fabs(term) > fabs(sum) * 1e-17; i++)
		{
			term *= x / (a + i);
			sum += term;
		}
		return 1.0 - sum * exp(lead);
	}
	else
	{
		double		tiny = 1e-300;
		double		b = x + 1 - a,
					cc = 1 / tiny,
					d = 1 / b,
					h = d;

		for (int i = 1; i < 10000; i++)
		{
			double		an = -i * (i - a);
			double		delta;

			b += 2;
			d = an * d + b;
			if (fabs(d) < tiny)
				d = tiny;
			cc = b + an / cc;
			if (fabs(cc) < tiny)
				cc = tiny;
			d = 1 / d;
			delta = d * cc;
			h *= delta;
			if (fabs(delta - 1) < 1e-16)
				break;
		}
		return exp(lead) * h;
	}
}

double
drift_chisq_sf(double x, double df)
{
	if (x <= 0)
		return 1.0;
	if (isinf(x))
		return 0.0;
	return gamma_q(df / 2, x / 2);
}
