/*
 * featarray.c
 *	  Reading a features argument (float8[] or float4[]) into a C array,
 *	  with the checks every function that takes features shares.
 */
#include "uplift.h"

#include "catalog/pg_type.h"
#include "utils/array.h"

#include "featarray.h"

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

static void
check_value(double x, int i, const char *what)
{
	if (!isfinite(x))
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("%s must not contain NaN or infinite values", what),
				 errdetail("Element %d is %g.", i + 1, x),
				 errhint("Repair or filter the rows with non-finite feature values.")));
}

int
uplift_features_read(Datum d, double *out, int max_len, const char *what)
{
	ArrayType  *arr = DatumGetArrayTypeP(d);
	Oid			elemtype = ARR_ELEMTYPE(arr);
	int			n;

	if (ARR_NDIM(arr) == 0)
		return 0;
	if (ARR_NDIM(arr) != 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("%s must be a one-dimensional array", what),
				 errdetail("It has %d dimensions.", ARR_NDIM(arr))));
	if (elemtype != FLOAT8OID && elemtype != FLOAT4OID)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("%s must be float8[] or float4[]", what)));
	n = ARR_DIMS(arr)[0];
	if (ARR_HASNULL(arr))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s must not contain NULL", what),
				 errdetail("Element %d is NULL.", first_null(arr, n)),
				 errhint("Impute or filter missing feature values before calling.")));
	if (out == NULL || n > max_len)
		return n;

	if (elemtype == FLOAT8OID)
	{
		const float8 *v = (const float8 *) ARR_DATA_PTR(arr);

		for (int i = 0; i < n; i++)
		{
			check_value(v[i], i, what);
			out[i] = v[i];
		}
	}
	else
	{
		const float4 *v = (const float4 *) ARR_DATA_PTR(arr);

		for (int i = 0; i < n; i++)
		{
			check_value(v[i], i, what);
			out[i] = v[i];
		}
	}
	return n;
}

void
uplift_features_read_exact(Datum d, double *out, int expected, const char *what)
{
	int			n = uplift_features_read(d, out, expected, what);

	if (n != expected)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("%s has %d elements but the model has %d features", what, n, expected),
				 errhint("Pass the features in the order and number used to fit the model.")));
}
