/*
 * arrays.h
 *	  The one reader of float8[] (and float4[] features) arguments: features,
 *	  weights, effects, probabilities, value and cost arrays.  Every fault
 *	  has one SQLSTATE and one message, naming the argument:
 *
 *	  more than one dimension     2202E  "%s must be a one-dimensional array"
 *	  a length out of range       2202E  "%s must have N elements" (N, "at
 *	                                     most N", "at least N", "N to M")
 *	  a NULL element              22004  "%s must not contain NULL"
 *	  a NaN or infinite element   22000  "%s must contain finite numbers"
 *
 *	  (22000 as uplift_check_finite reports a NaN or infinite scalar.)  The
 *	  detail says which element or what length; doc/null-rules.md documents
 *	  the rule.
 */
#ifndef UPLIFT_ARRAYS_H
#define UPLIFT_ARRAYS_H

#include "postgres.h"

#include "utils/numeric.h"

/*
 * A float8[] or float4[] argument opened in place: a short array is not
 * copied (scoring reads features this way on every row).
 */
typedef struct FeatureArray
{
	int			n;				/* number of elements */
	Oid			elemtype;		/* FLOAT8OID, FLOAT4OID, INT4OID or NUMERICOID */
	const char *data;			/* the elements, possibly unaligned */
	const bits8 *nullbitmap;	/* NULL unless some element is NULL */
} FeatureArray;

/*
 * Open the features array d: errors (naming "what") unless it has at most
 * one dimension, float8, float4, integer or numeric elements, no NULL
 * element and at most
 * UPLIFT_MAX_FEATURES elements.
 */
extern void uplift_features_open(Datum d, FeatureArray *fa, const char *what);

/* Copy the elements as doubles into out[0..n-1]; errors on NaN or infinity. */
extern void uplift_features_copy(const FeatureArray *fa, double *out, const char *what);

/* Open and copy exactly "expected" features into out. */
extern void uplift_features_read_exact(Datum d, double *out, int expected,
									   const char *what);

/*
 * The float8[] argument d as a palloc'd C array of min_len to max_len finite
 * elements without NULL; *n is set to its length.  length_hint is the hint of
 * the error for a length out of range.
 */
extern double *uplift_array_read(Datum d, const char *what, int min_len, int max_len,
								 const char *length_hint, int *n);

/*
 * As uplift_array_read, for arguments where a NULL element has a meaning:
 * *isnull (palloc'd) marks the NULL elements, whose value is 0.
 */
extern double *uplift_array_read_nulls(Datum d, const char *what, int max_len,
									   const char *length_hint, bool **isnull, int *n);

/*
 * A numeric as the nearest double, the one float8's input gives for its
 * text: read from its digits when that is exact, else through its text.
 * Beyond double precision: the error of numeric_float8 if overflow_error,
 * else an infinity (the caller names the value in its own error).
 */
extern double uplift_numeric_double(Numeric num, bool overflow_error);

/* The length error unless min_len <= n <= max_len. */
extern void uplift_array_check_length(const char *what, int n, int min_len, int max_len,
									  const char *hint);

#endif							/* UPLIFT_ARRAYS_H */
