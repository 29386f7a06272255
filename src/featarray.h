/*
 * featarray.h
 *	  Reading a features argument (float8[] or float4[]) into a C array.
 */
#ifndef UPLIFT_FEATARRAY_H
#define UPLIFT_FEATARRAY_H

#include "postgres.h"

/*
 * Number of elements of the one-dimensional float8[] or float4[] array d;
 * errors (naming "what") if it has more dimensions, a NULL element or a
 * non-finite value.  When out is not NULL and the length is at most max_len,
 * the values are written to out[0..n-1] as doubles.
 */
extern int	uplift_features_read(Datum d, double *out, int max_len, const char *what);

/* Read exactly "expected" features into out; a wrong length names both. */
extern void uplift_features_read_exact(Datum d, double *out, int expected,
									   const char *what);

#endif							/* UPLIFT_FEATARRAY_H */
