/*
 * tree_bins.h
 *	  Binning for the histogram tree engine: every feature value becomes one
 *	  byte, a bin code, so that a training row costs p bytes of features.
 *
 * Code 0 is the missing value (NaN) of every feature.  A numeric feature
 * has codes 1..nbins: with edges e[0] < ... < e[nbins-2] (quantiles of a
 * deterministic sample), code c holds e[c-2] < x <= e[c-1], so "code <= c"
 * is "x <= e[c-1]".  A categorical feature holds level values (compared for
 * equality): code 1 is "other" (levels not kept), codes 2..nbins the kept
 * levels in increasing order of value.
 *
 * The sample is the rows whose 64-bit key hashes (with the seed) are among
 * the sample_size smallest; it depends on the set of rows, not on their
 * order, so bins computed from any arrangement of the same rows agree.
 */
#ifndef UPLIFT_TREE_BINS_H
#define UPLIFT_TREE_BINS_H

#include "postgres.h"

#include <math.h>

#include "lower_bound.h"

/* Most value codes of a feature (code 0, missing, comes on top). */
#define TREE_MAX_BINS 255
#define TREE_CODE_MISSING 0
#define TREE_CODE_OTHER 1

typedef struct TreeBinFeature
{
	bool		categorical;
	int			nbins;			/* value codes 1..nbins */
	int			nvalues;		/* edges (nbins - 1) or kept levels (nbins - 1) */
	double	   *values;			/* numeric: edges; categorical: sorted levels */
} TreeBinFeature;

typedef struct TreeBins
{
	int			p;
	int			max_code;		/* highest code of any feature */
	TreeBinFeature *feat;		/* p features */
} TreeBins;

/* Options of tree_bins_build. */
typedef struct TreeBinOptions
{
	int			max_bins;		/* value bins of a numeric feature, 2..255 */
	int			max_levels;		/* kept levels of a categorical one, 1..254 */
	int64		sample_size;	/* rows in the sample, >= 1 */
	uint64		seed;
} TreeBinOptions;

/* The splitmix64 finalizer: a fast, well-mixed 64-bit hash of x. */
static inline uint64
tree_mix64(uint64 x)
{
	x ^= x >> 30;
	x *= UINT64CONST(0xbf58476d1ce4e5b9);
	x ^= x >> 27;
	x *= UINT64CONST(0x94d049bb133111eb);
	x ^= x >> 31;
	return x;
}

/* The 32-bit row hash kept per training row, from its 64-bit key. */
static inline uint32
tree_row_hash(uint64 key)
{
	return (uint32) (tree_mix64(key ^ UINT64CONST(0x9e3779b97f4a7c15)) >> 32);
}

/*
 * The sample: a row is in it when the order of its key is at most the cut
 * of all the keys (the sample_size-th smallest order; every order when
 * there are no more rows than that).  Callers holding their rows in another
 * layout gather the sample with these and pass only it to tree_bins_build,
 * which then keeps all of it.
 */
static inline uint64
tree_bins_sample_order(uint64 key, uint64 seed)
{
	return tree_mix64(key ^ tree_mix64(seed ^ UINT64CONST(0x62696e73)));	/* "bins" */
}

extern uint64 tree_bins_sample_cut(const uint64 *keys, int64 n,
								   const TreeBinOptions *opt);

/*
 * Bins for the n rows of x (row-major, n x p, NaN = missing) with keys
 * keys[i]; categorical[j] marks categorical features (NULL: none).
 */
extern TreeBins *tree_bins_build(const double *x, int64 n, int p,
								 const uint64 *keys, const bool *categorical,
								 const TreeBinOptions *opt);

/*
 * The bins of one feature from the m values of its sample (NaN = missing),
 * each standing for one row: what tree_bins_build gives the feature over
 * the rows this is the sample of.  Sorts x in place (missing values out).
 */
extern void tree_bins_feature(double *x, int64 m, bool categorical,
							  const TreeBinOptions *opt, TreeBinFeature *out);

/*
 * Bins from a sample already drawn: m rows of x (row-major, m x p), row i
 * standing for count[i] identical rows.  With a count of one a row, the
 * bins of tree_bins_build over its sample.
 */
extern TreeBins *tree_bins_build_sample(const double *x, const int64 *count,
										int64 m, int p, const bool *categorical,
										const TreeBinOptions *opt);

/* The code of value x of a feature (inline: coding rows is a hot loop). */
static inline uint8
tree_bins_code(const TreeBinFeature *f, double x)
{
	int			i;

	if (isnan(x))
		return TREE_CODE_MISSING;
	i = uplift_lower_bound(f->values, f->nvalues, x);
	if (!f->categorical)
		return (uint8) (1 + i);
	if (i < f->nvalues && f->values[i] == x)
		return (uint8) (2 + i);
	return TREE_CODE_OTHER;
}

/* Codes of n rows (row-major n x p bytes). */
extern void tree_bins_apply(const TreeBins *bins, const double *x, int64 n,
							uint8 *codes);

#endif							/* UPLIFT_TREE_BINS_H */
