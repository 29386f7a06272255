/*
 * drift.h
 *	  Distribution drift between a reference and a current sample, on plain
 *	  C arrays: quantiles, PSI, Jensen-Shannon, the two-sample KS statistic,
 *	  Wasserstein-1, their approximations on a reference grid, and the
 *	  chi-square survival function.
 */
#ifndef UPLIFT_DRIFT_H
#define UPLIFT_DRIFT_H

#include "postgres.h"

#include "uplift.h"

#define DRIFT_BINS 10			/* PSI bins: the reference's deciles */
#define DRIFT_GRID 1000			/* cells of the reference grid of a profile */
#define DRIFT_SHARE_FLOOR 1e-4	/* a zero share in PSI */
#define DRIFT_BATCH 1024		/* values counted per drift_count_batch call */

/* numpy's default (linear) quantile of sorted x[0..n-1] at level q */
extern double drift_quantile(const double *sorted, int64 n, double q);

/* the 9 inner edges of the decile bins of sorted x */
extern void drift_decile_edges(const double *sorted, int64 n, double *edges);

/* bin 0..DRIFT_BINS-1 of v: edges[k-1] < v <= edges[k], outer edges infinite */
extern int	drift_bin(const double *edges, double v);

/* PSI and the Jensen-Shannon distance (natural log) over bucket counts */
extern double drift_psi(const double *ref, const double *cur, int nbuckets);
extern double drift_js(const double *ref, const double *cur, int nbuckets);

/* exact two-sample KS statistic and Wasserstein-1 of sorted samples */
extern double drift_ks_exact(const double *a, int64 na, const double *b, int64 nb);
extern double drift_wasserstein_exact(const double *a, int64 na,
									  const double *b, int64 nb);

/*
 * The reference as a grid: increasing points x[0..npoints-1] with the
 * reference's distribution function on each side of every point,
 * cdf_left[k] = F(x[k]-) and cdf[k] = F(x[k]).
 */
typedef struct DriftGrid
{
	int			npoints;
	double	   *x;
	double	   *cdf_left;
	double	   *cdf;
	/* what drift_grid_index builds for a check (all NULL until then) */
	double	   *padded;			/* -inf, x[0..npoints-1], +inf */
	uint8	   *cell_bin;		/* decile bin of every cell, or NULL */
	int			nbuckets;		/* a bucket index, or first == NULL */
	double		lo;
	double		scale;
	int		   *first;
} DriftGrid;

/* the grid of sorted x: its distinct values if few, else DRIFT_GRID cells */
extern void drift_grid_build(DriftGrid *g, const double *sorted, int64 n);

/*
 * Merging grids (profiles of separate windows): the distribution function of
 * the union at the points of both grids, weighted by the sizes na and nb.
 * At a point of one grid the other's function is interpolated linearly
 * inside its cell, which is exact when the cell holds no reference mass and
 * otherwise off by at most that mass.  err_a and err_b bound the error of
 * each grid's stored function; the result's bound is returned.  The merged
 * grid keeps at most DRIFT_GRID + 1 points (the extremes and the first point
 * at or above each level k / DRIFT_GRID).
 */
extern double drift_grid_merge(const DriftGrid *a, double na, double err_a,
							   const DriftGrid *b, double nb, double err_b,
							   DriftGrid *out);

/* the number of reference values <= v of n, read (interpolated) from a grid */
extern double drift_grid_count_le(const DriftGrid *g, double n, double v);

/* numpy's linear quantile of the n reference values, read from a grid */
extern double drift_grid_quantile(const DriftGrid *g, double n, double q);

/* build what speeds up placing values on the grid (see DriftGrid) */
extern void drift_grid_index(DriftGrid *g, const double *edges);

/*
 * The current sample counted on a reference grid, per point k: values equal
 * to x[k] (at), strictly between x[k-1] and x[k] (in, and the sum of their
 * distances above x[k-1]); and values below x[0] and above the last point,
 * with their sums.  A point's counts share one cache line.  The distances
 * within a cell are positive and below its width, so their plain sum has no
 * cancellation (relative error at most n times the machine epsilon).
 */
typedef struct DriftCell
{
	int64		at;
	int64		in;
	double		offsets;
} DriftCell;

typedef struct DriftGridCounts
{
	int64		n;
	DriftCell  *cells;
	int64		n_below;
	int64		n_above;
	NeumaierSum sum_below;
	NeumaierSum sum_above;
} DriftGridCounts;

/* count up to DRIFT_BATCH values into decile bins and onto the grid */
extern void drift_count_batch(const double *edges, const DriftGrid *g, double *bins,
							  DriftGridCounts *c, const double *values, int n);
extern double drift_ks_grid(const DriftGrid *g, const DriftGridCounts *c);
extern double drift_wasserstein_grid(const DriftGrid *g, const DriftGridCounts *c);

/* P(X >= x) for X chi-square with df degrees of freedom */
extern double drift_chisq_sf(double x, double df);

#endif							/* UPLIFT_DRIFT_H */
