/*
 * tree_bins.c
 *	  Quantile and level binning from a deterministic sample (see
 *	  tree_bins.h).
 */
#include "postgres.h"

#include <math.h>

#include "miscadmin.h"

#include "lower_bound.h"
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
 * A feature's sample: m values in increasing order, value i standing for
 * count[i] rows (count NULL: one each); "total" rows in all.
 */
typedef struct SampleColumn
{
	const double *v;
	const int64 *count;
	int64		m;
	int64		total;
} SampleColumn;

static inline int64
sample_count(const SampleColumn *c, int64 i)
{
	return c->count ? c->count[i] : 1;
}

/*
 * Edges of a numeric feature from its sorted sample: the type-1 quantiles
 * (inverse empirical CDF) q(i/B) = the value of rank ceil(i total / B) for
 * i = 1..B-1, without repeats and without the sample's maximum (which would
 * leave the top bin empty).
 */
static void
numeric_edges(TreeBinFeature *f, const SampleColumn *c, int max_bins)
{
	int64		at = 0,			/* the value holding ranks below "seen" */
				seen = c->m > 0 ? sample_count(c, 0) : 0;

	f->values = palloc(sizeof(double) * max_bins);
	f->nvalues = 0;
	for (int i = 1; i < max_bins && c->m > 0; i++)
	{
		int64		rank = ((int64) i * c->total + max_bins - 1) / max_bins;
		double		e;

		while (seen < rank)
			seen += sample_count(c, ++at);
		e = c->v[at];
		if (e >= c->v[c->m - 1])
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
categorical_levels(TreeBinFeature *f, const SampleColumn *c, int max_levels)
{
	LevelCount *lc = palloc_extended(sizeof(LevelCount) * Max(c->m, 1), MCXT_ALLOC_HUGE);
	int64		nl = 0;

	for (int64 i = 0; i < c->m; i++)
	{
		if (nl > 0 && lc[nl - 1].value == c->v[i])
			lc[nl - 1].count += sample_count(c, i);
		else
		{
			lc[nl].value = c->v[i];
			lc[nl++].count = sample_count(c, i);
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

/* Feature f's bins from its sorted sample. */
static void
feature_bins(TreeBinFeature *f, bool categorical, const SampleColumn *c,
			 const TreeBinOptions *opt)
{
	f->categorical = categorical;
	if (categorical)
		categorical_levels(f, c, opt->max_levels);
	else
		numeric_edges(f, c, opt->max_bins);
}

static TreeBins *
bins_new(int p)
{
	TreeBins   *bins = palloc(sizeof(TreeBins));

	bins->p = p;
	bins->max_code = 0;
	bins->feat = palloc0(sizeof(TreeBinFeature) * Max(p, 1));
	return bins;
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
	TreeBins   *bins = bins_new(p);
	uint64		threshold = tree_bins_sample_cut(keys, n, opt);
	uint64	   *h;
	double	   *v;
	int64		vcap;

	vcap = Max(Min(n, opt->sample_size), 1);
	h = palloc_extended(sizeof(uint64) * Max(n, 1), MCXT_ALLOC_HUGE);
	v = palloc_extended(sizeof(double) * vcap, MCXT_ALLOC_HUGE);
	for (int64 i = 0; i < n; i++)
		h[i] = tree_bins_sample_order(keys[i], opt->seed);

	for (int j = 0; j < p; j++)
	{
		int64		m = 0;

		for (int64 i = 0; i < n; i++)
		{
			double		xv = x[i * p + j];

			if (h[i] > threshold)
				continue;
			if (m == vcap)
			{
				/* rows sharing the threshold hash (equal keys) go in too */
				vcap *= 2;
				v = repalloc_huge(v, sizeof(double) * vcap);
			}
			v[m++] = xv;
		}
		tree_bins_feature(v, m, categorical != NULL && categorical[j], opt,
						  &bins->feat[j]);
		bins->max_code = Max(bins->max_code, bins->feat[j].nbins);
		CHECK_FOR_INTERRUPTS();
	}
	pfree(h);
	pfree(v);
	return bins;
}

void
tree_bins_feature(double *x, int64 m, bool categorical, const TreeBinOptions *opt,
				  TreeBinFeature *out)
{
	SampleColumn c = {x, NULL, 0, 0};

	check_bin_options(opt);
	for (int64 i = 0; i < m; i++)
		if (!isnan(x[i]))
			x[c.m++] = x[i];
	qsort(x, c.m, sizeof(double), cmp_double);
	c.total = c.m;
	feature_bins(out, categorical, &c, opt);
}

/* A sample value and the rows it stands for. */
typedef struct CountedValue
{
	double		value;
	int64		count;
} CountedValue;

static int
cmp_counted_value(const void *a, const void *b)
{
	return cmp_double(&((const CountedValue *) a)->value,
					  &((const CountedValue *) b)->value);
}

TreeBins *
tree_bins_build_sample(const double *x, const int64 *count, int64 m, int p,
					   const bool *categorical, const TreeBinOptions *opt)
{
	TreeBins   *bins = bins_new(p);
	CountedValue *cv = palloc_extended(sizeof(CountedValue) * Max(m, 1), MCXT_ALLOC_HUGE);
	double	   *v = palloc_extended(sizeof(double) * Max(m, 1), MCXT_ALLOC_HUGE);
	int64	   *cnt = palloc_extended(sizeof(int64) * Max(m, 1), MCXT_ALLOC_HUGE);

	check_bin_options(opt);
	for (int j = 0; j < p; j++)
	{
		SampleColumn c = {v, cnt, 0, 0};
		int64		k = 0;

		for (int64 i = 0; i < m; i++)
			if (!isnan(x[i * p + j]) && count[i] > 0)
			{
				cv[k].value = x[i * p + j];
				cv[k++].count = count[i];
			}
		qsort(cv, k, sizeof(CountedValue), cmp_counted_value);
		for (int64 i = 0; i < k; i++)
		{
			v[i] = cv[i].value;
			cnt[i] = cv[i].count;
			c.total += cv[i].count;
		}
		c.m = k;
		feature_bins(&bins->feat[j], categorical != NULL && categorical[j], &c, opt);
		bins->max_code = Max(bins->max_code, bins->feat[j].nbins);
		CHECK_FOR_INTERRUPTS();
	}
	pfree(cv);
	pfree(v);
	pfree(cnt);
	return bins;
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
