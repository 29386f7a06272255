/*
 * tree_bins.c
 *	  Quantile and level binning from a deterministic sample (see
 *	  tree_bins.h).
 */
#include "postgres.h"

#include <math.h>

#include "miscadmin.h"

#include "tree_bins.h"

static void
check_bin_options(const TreeBinOptions *opt)
{
	if (opt->max_bins < 2 || opt->max_bins > TREE_MAX_BINS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("bins must be between 2 and %d, not %d",
						TREE_MAX_BINS, opt->max_bins),
				 errhint("Each feature value is stored in one byte; ask for at most %d bins.",
						 TREE_MAX_BINS)));
	if (opt->max_levels < 1 || opt->max_levels > TREE_MAX_BINS - 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("max_levels must be between 1 and %d, not %d",
						TREE_MAX_BINS - 1, opt->max_levels),
				 errhint("Rarer levels share one bin; keep at most %d levels.",
						 TREE_MAX_BINS - 1)));
	if (opt->sample_size < 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("bin_sample must be at least 1"),
				 errhint("Bin edges are quantiles of a sample of this many rows.")));
}

static inline void
swap_u64(uint64 *a, uint64 *b)
{
	uint64		t = *a;

	*a = *b;
	*b = t;
}

/* The k-th smallest (0-based) of v[0..n-1]; reorders v (Hoare selection). */
static uint64
select_kth(uint64 *v, int64 n, int64 k)
{
	int64		lo = 0,
				hi = n - 1;

	while (hi > lo)
	{
		int64		mid = lo + (hi - lo) / 2;
		uint64		pivot;
		int64		i = lo,
					j = hi;

		/* median of three as pivot */
		if (v[mid] < v[lo])
			swap_u64(&v[mid], &v[lo]);
		if (v[hi] < v[lo])
			swap_u64(&v[hi], &v[lo]);
		if (v[hi] < v[mid])
			swap_u64(&v[hi], &v[mid]);
		pivot = v[mid];
		while (i <= j)
		{
			while (v[i] < pivot)
				i++;
			while (v[j] > pivot)
				j--;
			if (i <= j)
				swap_u64(&v[i++], &v[j--]);
		}
		if (k <= j)
			hi = j;
		else if (k >= i)
			lo = i;
		else
			break;
		CHECK_FOR_INTERRUPTS();
	}
	return v[k];
}

static int
cmp_double(const void *a, const void *b)
{
	double		x = *(const double *) a,
				y = *(const double *) b;

	return (x > y) - (x < y);
}

/*
 * Edges of a numeric feature from its m sorted sample values: the type-1
 * quantiles (inverse empirical CDF) q(i/B) = v[ceil(i m / B) - 1] for
 * i = 1..B-1, without repeats and without the sample's maximum (which would
 * leave the top bin empty).
 */
static void
numeric_edges(TreeBinFeature *f, const double *v, int64 m, int max_bins)
{
	f->values = palloc(sizeof(double) * max_bins);
	f->nvalues = 0;
	for (int i = 1; i < max_bins && m > 0; i++)
	{
		int64		pos = ((int64) i * m + max_bins - 1) / max_bins - 1;
		double		e = v[pos];

		if (e >= v[m - 1])
			break;
		if (f->nvalues == 0 || e > f->values[f->nvalues - 1])
			f->values[f->nvalues++] = e;
	}
	f->nbins = f->nvalues + 1;
}

typedef struct LevelCount
{
	double		value;
	int64		count;
}			LevelCount;

/* More frequent first; equally frequent: smaller value first. */
static int
cmp_level_count(const void *a, const void *b)
{
	const LevelCount *x = a,
			   *y = b;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return cmp_double(&x->value, &y->value);
}

/* Levels of a categorical feature: the max_levels most frequent, by value. */
static void
categorical_levels(TreeBinFeature *f, const double *v, int64 m, int max_levels)
{
	LevelCount *lc = palloc_extended(sizeof(LevelCount) * Max(m, 1), MCXT_ALLOC_HUGE);
	int64		nl = 0;

	for (int64 i = 0; i < m; i++)
	{
		if (nl > 0 && lc[nl - 1].value == v[i])
			lc[nl - 1].count++;
		else
		{
			lc[nl].value = v[i];
			lc[nl++].count = 1;
		}
	}
	qsort(lc, nl, sizeof(LevelCount), cmp_level_count);
	f->nvalues = (int) Min(nl, (int64) max_levels);
	f->values = palloc(sizeof(double) * Max(f->nvalues, 1));
	for (int i = 0; i < f->nvalues; i++)
		f->values[i] = lc[i].value;
	qsort(f->values, f->nvalues, sizeof(double), cmp_double);
	f->nbins = f->nvalues + 1;
	pfree(lc);
}

uint64
tree_bins_sample_cut(const uint64 *keys, int64 n, const TreeBinOptions *opt)
{
	uint64	   *order;
	uint64		cut;

	check_bin_options(opt);
	if (n <= opt->sample_size)
		return PG_UINT64_MAX;
	order = palloc_extended(sizeof(uint64) * n, MCXT_ALLOC_HUGE);
	for (int64 i = 0; i < n; i++)
		order[i] = tree_bins_sample_order(keys[i], opt->seed);
	cut = select_kth(order, n, opt->sample_size - 1);
	pfree(order);
	return cut;
}

TreeBins *
tree_bins_build(const double *x, int64 n, int p, const uint64 *keys,
				const bool *categorical, const TreeBinOptions *opt)
{
	TreeBins   *bins;
	uint64		threshold = tree_bins_sample_cut(keys, n, opt);
	uint64	   *h;
	double	   *v;
	int64		vcap;

	vcap = Max(Min(n, opt->sample_size), 1);
	h = palloc_extended(sizeof(uint64) * Max(n, 1), MCXT_ALLOC_HUGE);
	v = palloc_extended(sizeof(double) * vcap, MCXT_ALLOC_HUGE);
	bins = palloc(sizeof(TreeBins));
	bins->p = p;
	bins->max_code = 0;
	bins->feat = palloc0(sizeof(TreeBinFeature) * Max(p, 1));

	for (int64 i = 0; i < n; i++)
		h[i] = tree_bins_sample_order(keys[i], opt->seed);

	for (int j = 0; j < p; j++)
	{
		TreeBinFeature *f = &bins->feat[j];
		int64		m = 0;

		for (int64 i = 0; i < n; i++)
		{
			double		xv = x[i * p + j];

			if (h[i] > threshold || isnan(xv))
				continue;
			if (m == vcap)
			{
				/* rows sharing the threshold hash (equal keys) go in too */
				vcap *= 2;
				v = repalloc_huge(v, sizeof(double) * vcap);
			}
			v[m++] = xv;
		}
		qsort(v, m, sizeof(double), cmp_double);
		f->categorical = categorical != NULL && categorical[j];
		if (f->categorical)
			categorical_levels(f, v, m, opt->max_levels);
		else
			numeric_edges(f, v, m, opt->max_bins);
		bins->max_code = Max(bins->max_code, f->nbins);
		CHECK_FOR_INTERRUPTS();
	}
	pfree(h);
	pfree(v);
	return bins;
}

/* Index of the first of values[0..n-1] (sorted) that is >= x, or n. */
static inline int
lower_bound(const double *values, int n, double x)
{
	int			lo = 0,
				hi = n;

	while (lo < hi)
	{
		int			mid = (lo + hi) / 2;

		if (values[mid] < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

uint8
tree_bins_code(const TreeBinFeature *f, double x)
{
	int			i;

	if (isnan(x))
		return TREE_CODE_MISSING;
	i = lower_bound(f->values, f->nvalues, x);
	if (!f->categorical)
		return (uint8) (1 + i);
	if (i < f->nvalues && f->values[i] == x)
		return (uint8) (2 + i);
	return TREE_CODE_OTHER;
}

void
tree_bins_apply(const TreeBins *bins, const double *x, int64 n, uint8 *codes)
{
	int			p = bins->p;

	for (int64 i = 0; i < n; i++)
	{
		for (int j = 0; j < p; j++)
			codes[i * p + j] = tree_bins_code(&bins->feat[j], x[i * p + j]);
		if ((i & 0xffff) == 0)
			CHECK_FOR_INTERRUPTS();
	}
}
