/*
 * lower_bound.h
 *	  The binary search in a sorted array of doubles that the bins, the
 *	  forests' scoring layout and the drift checks share.
 */
#ifndef UPLIFT_LOWER_BOUND_H
#define UPLIFT_LOWER_BOUND_H

#include "postgres.h"

/*
 * Index of the first of x[0..n-1] (increasing) that is >= v, or n; v is not
 * NaN.  Without branches: the halving steps depend only on n, and each
 * comparison selects a half by a mask (the comparisons are unpredictable,
 * and this search is the inner loop of coding rows).
 */
static inline int32
uplift_lower_bound(const double *x, int32 n, double v)
{
	const double *base = x;

	if (n <= 0)
		return 0;
	while (n > 1)
	{
		int32		half = n / 2;

		base += half & -(int32) (base[half - 1] < v);
		n -= half;
	}
	return (int32) (base - x) + (*base < v);
}

#endif							/* UPLIFT_LOWER_BOUND_H */
