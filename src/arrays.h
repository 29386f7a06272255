/*
 * featarray.h
 *	  Reading a features argument (float8[] or float4[]) in place, with the
 *	  checks every function that takes features shares.
 */
#ifndef UPLIFT_FEATARRAY_H
#define UPLIFT_FEATARRAY_H

#include "postgres.h"

/* A features array opened in place (no copy of a short-header array). */
typedef struct FeatureArray
{
	int			n;				/* number of elements */
	Oid			elemtype;		/* FLOAT8OID or FLOAT4OID */
	const char *data;			/* the elements, possibly unaligned */
} FeatureArray;

/*
 * Open the features array d: errors (naming "what") unless it has at most
 * one dimension, float8 or float4 elements, no NULL element and at most
 * UPLIFT_MAX_FEATURES elements.
 */
extern void uplift_features_open(Datum d, FeatureArray *fa, const char *what);

/* Copy the elements as doubles into out[0..n-1]; errors on NaN or infinity. */
extern void uplift_features_copy(const FeatureArray *fa, double *out, const char *what);

/* Open and copy exactly "expected" features into out; a wrong length names both. */
extern void uplift_features_read_exact(Datum d, double *out, int expected,
									   const char *what);

#endif							/* UPLIFT_FEATARRAY_H */
