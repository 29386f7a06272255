/*
 * featarray.c
 *	  Reading a features argument (float8[] or float4[]) in place, with the
 *	  checks every function that takes features shares.
 *
 * A short array is stored with a one-byte varlena header; detoasting it
 * would copy it on every row.  The array's fields follow its header in the
 * same layout whatever the header's size, so they are read in place with
 * memcpy (the elements may then be unaligned).
 */
#include "uplift.h"

#include "catalog/pg_type.h"
#include "utils/array.h"

#include "arrays.h"
#include "model.h"

/* Offsets of ArrayType's fields after its varlena header. */
#define FA_NDIM_OFFSET			0
#define FA_DATAOFFSET_OFFSET	sizeof(int32)
#define FA_ELEMTYPE_OFFSET		(2 * sizeof(int32))
#define FA_DIM0_OFFSET			(2 * sizeof(int32) + sizeof(Oid))

/* 1-based position of the first NULL element of arr. */
static int
first_null(ArrayType *arr, int n)
{
	bits8	   *bitmap = ARR_NULLBITMAP(arr);

	for (int i = 0; i < n; i++)
		if (!(bitmap[i / 8] & (1 << (i % 8))))
			return i + 1;
	return 0;
}

void
uplift_features_open(Datum d, FeatureArray *fa, const char *what)
{
	struct varlena *v = PG_DETOAST_DATUM_PACKED(d);
	const char *raw = VARDATA_ANY(v);
	int32		ndim;
	int32		dataoffset;

	memcpy(&ndim, raw + FA_NDIM_OFFSET, sizeof(int32));
	memcpy(&dataoffset, raw + FA_DATAOFFSET_OFFSET, sizeof(int32));
	memcpy(&fa->elemtype, raw + FA_ELEMTYPE_OFFSET, sizeof(Oid));
	fa->n = 0;
	if (ndim > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("%s must be a one-dimensional array", what),
				 errdetail("It has %d dimensions.", ndim)));
	if (fa->elemtype != FLOAT8OID && fa->elemtype != FLOAT4OID)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("%s must be float8[] or float4[]", what)));
	if (ndim == 1)
		memcpy(&fa->n, raw + FA_DIM0_OFFSET, sizeof(int32));
	if (fa->n < 0 || fa->n > UPLIFT_MAX_FEATURES)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("%s has %d elements, more than the limit of %d",
						what, fa->n, UPLIFT_MAX_FEATURES)));

	if (dataoffset != 0)
	{
		/* the array has a null bitmap: find the NULL to name it */
		ArrayType  *arr = DatumGetArrayTypeP(d);
		int			null_at = first_null(arr, fa->n);

		if (null_at > 0)
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("%s must not contain NULL", what),
					 errdetail("Element %d is NULL.", null_at),
					 errhint("Impute or remove rows with missing features.")));
		fa->data = ARR_DATA_PTR(arr);
	}
	else
		fa->data = raw + ARR_OVERHEAD_NONULLS(1) - VARHDRSZ;
}

void
uplift_features_copy(const FeatureArray *fa, double *out, const char *what)
{
	if (fa->elemtype == FLOAT8OID)
		memcpy(out, fa->data, fa->n * sizeof(double));
	else
		for (int i = 0; i < fa->n; i++)
		{
			float4		f;

			memcpy(&f, fa->data + i * sizeof(float4), sizeof(float4));
			out[i] = f;
		}
	for (int i = 0; i < fa->n; i++)
		if (!isfinite(out[i]))
			ereport(ERROR,
					(errcode(ERRCODE_DATA_EXCEPTION),
					 errmsg("%s must not contain NaN or infinite values", what),
					 errdetail("Element %d is %g.", i + 1, out[i]),
					 errhint("Remove or repair rows with NaN or infinite values.")));
}

void
uplift_features_read_exact(Datum d, double *out, int expected, const char *what)
{
	FeatureArray fa;

	uplift_features_open(d, &fa, what);
	if (fa.n != expected)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("%s has %d elements but the model has %d features", what, fa.n, expected),
				 errhint("Pass the features in the order and number used to fit the model.")));
	uplift_features_copy(&fa, out, what);
}
