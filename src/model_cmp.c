/*
 * model_cmp.c
 *	  Equality, an ordering and hashing of uplift_model values, so that
 *	  DISTINCT, GROUP BY, = and <> work on models.
 *
 * Two models are equal when their stored bytes are equal: the writer stores
 * every model in one canonical form (see model_format.c), so equal models have
 * equal bytes.  The order (memcmp of the common prefix, then the shorter
 * value first) is arbitrary but stable; it exists for the btree operator
 * class that sorting needs.  Each function detoasts its arguments once, so a
 * compressed or out-of-line value compares as its plain copy, and frees the
 * detoasted copies so that sorting many rows does not grow memory.
 */
#include "postgres.h"

#include "access/detoast.h"
#include "common/hashfn.h"
#include "fmgr.h"

PG_FUNCTION_INFO_V1(uplift_model_eq);
PG_FUNCTION_INFO_V1(uplift_model_ne);
PG_FUNCTION_INFO_V1(uplift_model_lt);
PG_FUNCTION_INFO_V1(uplift_model_le);
PG_FUNCTION_INFO_V1(uplift_model_gt);
PG_FUNCTION_INFO_V1(uplift_model_ge);
PG_FUNCTION_INFO_V1(uplift_model_cmp);
PG_FUNCTION_INFO_V1(uplift_model_hash);
PG_FUNCTION_INFO_V1(uplift_model_hash_extended);

/* Byte order of two buffers: common prefix first, then length. */
static int
model_bytes_cmp(const char *a, Size alen, const char *b, Size blen)
{
	int			c = memcmp(a, b, Min(alen, blen));

	if (c != 0)
		return c < 0 ? -1 : 1;
	if (alen == blen)
		return 0;
	return alen < blen ? -1 : 1;
}

/* Compare arguments 0 and 1 of a call; detoasts each once. */
static int
model_args_cmp(FunctionCallInfo fcinfo)
{
	struct varlena *a = PG_GETARG_VARLENA_PP(0);
	struct varlena *b = PG_GETARG_VARLENA_PP(1);
	int			c = model_bytes_cmp(VARDATA_ANY(a), VARSIZE_ANY_EXHDR(a),
									VARDATA_ANY(b), VARSIZE_ANY_EXHDR(b));

	PG_FREE_IF_COPY(a, 0);
	PG_FREE_IF_COPY(b, 1);
	return c;
}

/* Equality of arguments 0 and 1: lengths first, then the bytes. */
static bool
model_args_eq(FunctionCallInfo fcinfo)
{
	Datum		da = PG_GETARG_DATUM(0);
	Datum		db = PG_GETARG_DATUM(1);
	struct varlena *a;
	struct varlena *b;
	bool		eq;

	/* Unequal raw sizes: unequal values, without detoasting. */
	if (toast_raw_datum_size(da) != toast_raw_datum_size(db))
		return false;
	a = PG_GETARG_VARLENA_PP(0);
	b = PG_GETARG_VARLENA_PP(1);
	eq = memcmp(VARDATA_ANY(a), VARDATA_ANY(b), VARSIZE_ANY_EXHDR(a)) == 0;
	PG_FREE_IF_COPY(a, 0);
	PG_FREE_IF_COPY(b, 1);
	return eq;
}

Datum
uplift_model_eq(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(model_args_eq(fcinfo));
}

Datum
uplift_model_ne(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(!model_args_eq(fcinfo));
}

Datum
uplift_model_lt(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(model_args_cmp(fcinfo) < 0);
}

Datum
uplift_model_le(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(model_args_cmp(fcinfo) <= 0);
}

Datum
uplift_model_gt(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(model_args_cmp(fcinfo) > 0);
}

Datum
uplift_model_ge(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(model_args_cmp(fcinfo) >= 0);
}

Datum
uplift_model_cmp(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT32(model_args_cmp(fcinfo));
}

Datum
uplift_model_hash(PG_FUNCTION_ARGS)
{
	struct varlena *m = PG_GETARG_VARLENA_PP(0);
	Datum		h = hash_any((unsigned char *) VARDATA_ANY(m), VARSIZE_ANY_EXHDR(m));

	PG_FREE_IF_COPY(m, 0);
	return h;
}

Datum
uplift_model_hash_extended(PG_FUNCTION_ARGS)
{
	struct varlena *m = PG_GETARG_VARLENA_PP(0);
	Datum		h = hash_any_extended((unsigned char *) VARDATA_ANY(m),
									  VARSIZE_ANY_EXHDR(m), PG_GETARG_INT64(1));

	PG_FREE_IF_COPY(m, 0);
	return h;
}
