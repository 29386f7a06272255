/*
 * arrays.c
 *	  The one reader of float8[] (and float4[], bigint[], integer[],
 *	  smallint[] and numeric[] features) arguments, with one SQLSTATE and
 *	  one message per fault (arrays.h).
 *
 * A short array is stored with a one-byte varlena header; detoasting it
 * would copy it on every row.  The array's fields follow its header in the
 * same layout whatever the header's size, so they are read in place with
 * memcpy (the elements may then be unaligned).  Numerics are read from
 * their base-10000 digits where decimal.c can round them exactly.
 */
#include "uplift.h"

#include <limits.h>

#include "catalog/pg_type.h"
#include "access/tupmacs.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"

#include "arrays.h"
#include "decimal.h"
#include "model.h"

/* Offsets of ArrayType's fields after its varlena header. */
#define FA_NDIM_OFFSET			0
#define FA_DATAOFFSET_OFFSET	sizeof(int32)
#define FA_ELEMTYPE_OFFSET		(2 * sizeof(int32))
#define FA_DIM0_OFFSET			(2 * sizeof(int32) + sizeof(Oid))

static bool
element_is_null(const FeatureArray *fa, int i)
{
	return fa->nullbitmap != NULL && !(fa->nullbitmap[i / 8] & (1 << (i % 8)));
}

static bool
is_feature_type(Oid elemtype)
{
	return elemtype == FLOAT8OID || elemtype == FLOAT4OID ||
		elemtype == INT8OID || elemtype == INT4OID || elemtype == INT2OID ||
		elemtype == NUMERICOID;
}

/*
 * Open d in place: errors unless it has at most one dimension and float8,
 * float4, bigint, integer, smallint or numeric elements.  NULL elements
 * are allowed here (fa->nullbitmap).  A numeric[] is detoasted whole, so
 * that its elements are aligned.
 */
static void
array_open(Datum d, FeatureArray *fa, const char *what)
{
	struct varlena *v = PG_DETOAST_DATUM_PACKED(d);
	const char *raw = VARDATA_ANY(v);
	int32		ndim;
	int32		dataoffset;

	memcpy(&ndim, raw + FA_NDIM_OFFSET, sizeof(int32));
	memcpy(&dataoffset, raw + FA_DATAOFFSET_OFFSET, sizeof(int32));
	memcpy(&fa->elemtype, raw + FA_ELEMTYPE_OFFSET, sizeof(Oid));
	fa->n = 0;
	fa->nullbitmap = NULL;
	if (ndim > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("%s must be a one-dimensional array", what),
				 errdetail("It has %d dimensions.", ndim),
				 errhint("Pass a flat array, e.g. ARRAY[0.5, 1.5].")));
	if (!is_feature_type(fa->elemtype))
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("%s must be float8[], float4[], bigint[], integer[], smallint[] or numeric[]", what)));
	if (ndim == 1)
		memcpy(&fa->n, raw + FA_DIM0_OFFSET, sizeof(int32));

	if (dataoffset != 0 || fa->elemtype == NUMERICOID)
	{
		ArrayType  *arr = DatumGetArrayTypeP(d);

		fa->nullbitmap = ARR_NULLBITMAP(arr);
		fa->data = ARR_DATA_PTR(arr);
	}
	else
		fa->data = raw + ARR_OVERHEAD_NONULLS(1) - VARHDRSZ;
}

static void
check_no_null(const FeatureArray *fa, const char *what)
{
	for (int i = 0; fa->nullbitmap != NULL && i < fa->n; i++)
		if (element_is_null(fa, i))
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("%s must not contain NULL", what),
					 errdetail("Element %d is NULL.", i + 1),
					 errhint("Replace the NULL with a number, or leave out the row.")));
}

/*
 * The on-disk layout of numeric (PostgreSQL's numeric.c): a uint16 header,
 * short form (flag 0x8000: sign 0x2000, display scale, 7-bit weight) or
 * long form (sign in the top bits, display scale, then an int16 weight),
 * followed by base-10000 digits.
 */
#define NUM_FLAG_MASK 0xC000
#define NUM_NEG 0x4000
#define NUM_SHORT 0x8000
#define NUM_SPECIAL 0xC000
#define NUM_SHORT_NEG 0x2000
#define NUM_SHORT_WEIGHT_SIGN 0x0040
#define NUM_SHORT_WEIGHT_MASK 0x003F

/*
 * A numeric as the nearest double, read from its digits (decimal.c) rather
 * than printed and parsed again when that is exact: the same double as
 * float8's input of the numeric's text.  false when the value is compressed
 * or external, when the digits pass 2^64 or when decimal.c cannot decide.
 */
static bool
numeric_digits_double(Numeric num, double *out)
{
	const char *p = VARDATA_ANY(num);
	Size		len = VARSIZE_ANY_EXHDR(num);
	uint16		header;
	int			weight;
	bool		neg;
	uint64		acc = 0;

	if (VARATT_IS_COMPRESSED(num) || VARATT_IS_EXTERNAL(num) || len < sizeof(uint16))
		return false;
	memcpy(&header, p, sizeof(uint16));
	if ((header & NUM_FLAG_MASK) == NUM_SPECIAL)
		return false;
	if ((header & NUM_FLAG_MASK) == NUM_SHORT)
	{
		neg = (header & NUM_SHORT_NEG) != 0;
		weight = (header & NUM_SHORT_WEIGHT_MASK) |
			((header & NUM_SHORT_WEIGHT_SIGN) ? ~NUM_SHORT_WEIGHT_MASK : 0);
		p += sizeof(uint16);
		len -= sizeof(uint16);
	}
	else
	{
		int16		w;

		if (len < 2 * sizeof(uint16))
			return false;
		neg = (header & NUM_FLAG_MASK) == NUM_NEG;
		memcpy(&w, p + sizeof(uint16), sizeof(int16));
		weight = w;
		p += 2 * sizeof(uint16);
		len -= 2 * sizeof(uint16);
	}
	for (Size i = 0; i < len / sizeof(int16); i++)
	{
		int16		digit;

		memcpy(&digit, p + i * sizeof(int16), sizeof(int16));
		if (digit < 0 || acc > (PG_UINT64_MAX - digit) / 10000)
			return false;
		acc = acc * 10000 + digit;
	}
	/* value = acc * 10000^(weight - ndigits + 1) */
	if (!uplift_decimal_to_double(acc, 4 * (weight - (int) (len / sizeof(int16)) + 1), out))
		return false;
	if (neg)
		*out = -*out;
	return true;
}

double
uplift_numeric_double(Numeric num, bool overflow_error)
{
	double		d;

	if (numeric_digits_double(num, &d))
		return d;
	return DatumGetFloat8(DirectFunctionCall1(overflow_error ? numeric_float8 :
											  numeric_float8_no_overflow,
											  NumericGetDatum(num)));
}

/*
 * Copy the elements as doubles into out[0..n-1] (a NULL element, which
 * takes no space in the data, as 0), then check that they are finite.
 */
static void
copy_elements(const FeatureArray *fa, double *out, const char *what)
{
	const char *p = fa->data;

	if (fa->elemtype == FLOAT8OID && fa->nullbitmap == NULL)
		memcpy(out, p, fa->n * sizeof(double));
	else
		for (int i = 0; i < fa->n; i++)
		{
			if (element_is_null(fa, i))
				out[i] = 0.0;
			else if (fa->elemtype == FLOAT8OID)
			{
				memcpy(&out[i], p, sizeof(double));
				p += sizeof(double);
			}
			else if (fa->elemtype == INT8OID)
			{
				int64		v;

				memcpy(&v, p, sizeof(int64));
				out[i] = (double) v;
				p += sizeof(int64);
			}
			else if (fa->elemtype == INT4OID)
			{
				int32		v;

				memcpy(&v, p, sizeof(int32));
				out[i] = v;
				p += sizeof(int32);
			}
			else if (fa->elemtype == INT2OID)
			{
				int16		v;

				memcpy(&v, p, sizeof(int16));
				out[i] = v;
				p += sizeof(int16);
			}
			else if (fa->elemtype == NUMERICOID)
			{
				out[i] = uplift_numeric_double((Numeric) p, true);
				p = att_addlength_pointer(p, -1, p);
				p = (const char *) att_align_nominal(p, TYPALIGN_INT);
			}
			else
			{
				float4		f;

				memcpy(&f, p, sizeof(float4));
				out[i] = f;
				p += sizeof(float4);
			}
		}
	for (int i = 0; i < fa->n; i++)
		if (!isfinite(out[i]))
			ereport(ERROR,
					(errcode(ERRCODE_DATA_EXCEPTION),
					 errmsg("%s must contain finite numbers", what),
					 errdetail("Element %d is %g.", i + 1, out[i]),
					 errhint("Replace NaN and infinite elements with finite numbers, or leave out the row.")));
}

void
uplift_array_check_length(const char *what, int n, int min_len, int max_len,
						  const char *hint)
{
	char		span[64];

	if (n >= min_len && n <= max_len)
		return;
	if (min_len == max_len)
		snprintf(span, sizeof(span), "%d", min_len);
	else if (max_len == INT_MAX)
		snprintf(span, sizeof(span), "at least %d", min_len);
	else if (min_len <= 0)
		snprintf(span, sizeof(span), "at most %d", max_len);
	else
		snprintf(span, sizeof(span), "%d to %d", min_len, max_len);
	ereport(ERROR,
			(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
			 errmsg("%s must have %s elements", what, span),
			 errdetail("It has %d.", n),
			 errhint("%s", hint)));
}

void
uplift_features_open(Datum d, FeatureArray *fa, const char *what)
{
	array_open(d, fa, what);
	uplift_array_check_length(what, fa->n, 0, UPLIFT_MAX_FEATURES,
							  "Select the features that matter; a model takes at most this many.");
	check_no_null(fa, what);
}

void
uplift_features_copy(const FeatureArray *fa, double *out, const char *what)
{
	copy_elements(fa, out, what);
}

void
uplift_features_read_exact(Datum d, double *out, int expected, const char *what)
{
	FeatureArray fa;

	array_open(d, &fa, what);
	uplift_array_check_length(what, fa.n, expected, expected,
							  "Pass the features in the order and number used to fit the model.");
	check_no_null(&fa, what);
	copy_elements(&fa, out, what);
}

double *
uplift_array_read(Datum d, const char *what, int min_len, int max_len,
				  const char *length_hint, int *n)
{
	FeatureArray fa;
	double	   *out;

	array_open(d, &fa, what);
	uplift_array_check_length(what, fa.n, min_len, max_len, length_hint);
	check_no_null(&fa, what);
	out = palloc(sizeof(double) * Max(fa.n, 1));
	copy_elements(&fa, out, what);
	*n = fa.n;
	return out;
}

double *
uplift_array_read_nulls(Datum d, const char *what, int max_len,
						const char *length_hint, bool **isnull, int *n)
{
	FeatureArray fa;
	double	   *out;

	array_open(d, &fa, what);
	uplift_array_check_length(what, fa.n, 0, max_len, length_hint);
	out = palloc(sizeof(double) * Max(fa.n, 1));
	*isnull = palloc(sizeof(bool) * Max(fa.n, 1));
	for (int i = 0; i < fa.n; i++)
		(*isnull)[i] = element_is_null(&fa, i);
	copy_elements(&fa, out, what);
	*n = fa.n;
	return out;
}
