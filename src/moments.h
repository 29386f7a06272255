/*
 * moments.h
 *	  A group's count, mean and sum of squared deviations, kept as three
 *	  doubles so that aggregate states made of such groups are plain float8
 *	  arrays: Welford's update adds a value, Chan et al.'s formula merges two
 *	  groups (uplift_interaction, uplift_portfolio_holdout).
 */
#ifndef UPLIFT_MOMENTS_H
#define UPLIFT_MOMENTS_H

#include <math.h>
#include <string.h>

/* cell[0] count, cell[1] mean, cell[2] sum of squared deviations */
static inline void
moments_add(double *cell, double y)
{
	double		delta = y - cell[1];

	cell[0] += 1.0;
	cell[1] += delta / cell[0];
	cell[2] += delta * (y - cell[1]);
}

/* Merge group b into group a. */
static inline void
moments_merge(double *a, const double *b)
{
	double		n = a[0] + b[0];
	double		delta;

	if (b[0] == 0.0)
		return;
	if (a[0] == 0.0)
	{
		memcpy(a, b, 3 * sizeof(double));
		return;
	}
	delta = b[1] - a[1];
	a[2] += b[2] + delta * delta * a[0] * b[0] / n;
	a[1] += delta * b[0] / n;
	a[0] = n;
}

/* The squared standard error of the group's mean, s^2 / n; NaN below two values. */
static inline double
moments_var_of_mean(const double *cell)
{
	if (cell[0] < 2.0)
		return NAN;
	return cell[2] / (cell[0] - 1.0) / cell[0];
}

#endif							/* UPLIFT_MOMENTS_H */
