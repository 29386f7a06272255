/*
 * aggstate.c
 *	  Text input and output, binary send and receive of the aggregate
 *	  states that are values of a concrete type, so that Citus can ship
 *	  them between shards and the coordinator (doc/citus.md): the text form
 *	  is base64 of the portable form that each type writes and reads back
 *	  (aggstate.h), the binary form the portable form itself.  A value that
 *	  does not read back is an error 22P02 (text) or 22P03 (binary).  The
 *	  states that live in memory as expanded objects (aggstate.h) have their
 *	  own functions here, at the end.
 */
#include "uplift.h"

#include "libpq/pqformat.h"
#include "utils/memutils.h"

#include "aggstate.h"
#include "bytes.h"

Datum
aggstate_in(FunctionCallInfo fcinfo, const AggStateType *type)
{
	int			len;
	char	   *bytes = bytes_from_base64(PG_GETARG_CSTRING(0), type->name, &len);

	PG_RETURN_POINTER(type->read(bytes, len, ERRCODE_INVALID_TEXT_REPRESENTATION));
}

/* base64 takes 4 characters for 3 bytes: the text of a large state may not fit. */
Datum
aggstate_out(FunctionCallInfo fcinfo, const AggStateType *type)
{
	bytea	   *bytes = type->write(aggstate_arg(fcinfo, 0));

	if ((double) VARSIZE(bytes) / 3 * 4 + 4 >= (double) MaxAllocSize)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("%s is too large for its text form", type->name),
				 errdetail("The state takes %zu bytes.", (Size) VARSIZE(bytes)),
				 errhint("Use its binary form, or a smaller state (the normal interval keeps no rows).")));
	PG_RETURN_CSTRING(bytes_to_base64(bytes, type->name));
}

Datum
aggstate_recv(FunctionCallInfo fcinfo, const AggStateType *type)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	void	   *value = type->read(buf->data + buf->cursor, buf->len - buf->cursor,
								   ERRCODE_INVALID_BINARY_REPRESENTATION);

	buf->cursor = buf->len;
	PG_RETURN_POINTER(value);
}

Datum
aggstate_send(FunctionCallInfo fcinfo, const AggStateType *type)
{
	bytea	   *bytes = type->write(aggstate_arg(fcinfo, 0));
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendbytes(&buf, VARDATA(bytes), VARSIZE(bytes) - VARHDRSZ);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

Datum
aggstate_serialize(FunctionCallInfo fcinfo, const AggStateType *type)
{
	uplift_agg_context(fcinfo, type->name);
	PG_RETURN_BYTEA_P(type->write(PG_GETARG_POINTER(0)));
}

Datum
aggstate_deserialize(FunctionCallInfo fcinfo, const AggStateType *type)
{
	MemoryContext old = MemoryContextSwitchTo(uplift_agg_context(fcinfo, type->name));
	bytea	   *in = PG_GETARG_BYTEA_PP(0);
	void	   *value = type->read(VARDATA_ANY(in), VARSIZE_ANY_EXHDR(in),
								   ERRCODE_INVALID_BINARY_REPRESENTATION);

	MemoryContextSwitchTo(old);
	PG_RETURN_POINTER(value);
}

void
aggstate_invalid(const char *typname, int code, const char *detail)
{
	ereport(ERROR,
			(errcode(code),
			 errmsg("invalid %s value", typname),
			 errdetail("%s.", detail),
			 errhint("Pass only values that %s_out or %s_send wrote.", typname, typname)));
}

/* ------------------------------------------- states as expanded objects */

static Size object_flat_size(ExpandedObjectHeader *eohptr);
static void object_flatten(ExpandedObjectHeader *eohptr, void *result, Size allocated_size);

static const ExpandedObjectMethods object_methods = {object_flat_size, object_flatten};

/* The portable form, made once for the two calls that flatten an object. */
static Size
object_flat_size(ExpandedObjectHeader *eohptr)
{
	AggStateObject *obj = (AggStateObject *) eohptr;

	if (obj->flat == NULL)
	{
		MemoryContext old = MemoryContextSwitchTo(obj->hdr.eoh_context);

		obj->flat = obj->type->write(obj->state);
		MemoryContextSwitchTo(old);
	}
	return VARSIZE(obj->flat);
}

static void
object_flatten(ExpandedObjectHeader *eohptr, void *result, Size allocated_size)
{
	AggStateObject *obj = (AggStateObject *) eohptr;

	if (object_flat_size(eohptr) != allocated_size)
		elog(ERROR, "%s changed while it was flattened", obj->type->name);
	memcpy(result, obj->flat, allocated_size);
	pfree(obj->flat);
	obj->flat = NULL;
}

AggStateObject *
aggstate_object_new(MemoryContext parent, const AggStateType *type)
{
	MemoryContext cxt = AllocSetContextCreate(parent, "aggregate state", ALLOCSET_DEFAULT_SIZES);
	AggStateObject *obj = MemoryContextAllocZero(cxt, sizeof(AggStateObject));

	MemoryContextSetIdentifier(cxt, type->name);
	EOH_init_header(&obj->hdr, &object_methods, cxt);
	obj->type = type;
	return obj;
}

/* d as one of type's objects (read-write or not), or NULL. */
static inline AggStateObject *
object_of(Datum d, const AggStateType *type)
{
	AggStateObject *obj;

	if (!VARATT_IS_EXTERNAL_EXPANDED(DatumGetPointer(d)))
		return NULL;
	obj = (AggStateObject *) DatumGetEOHP(d);
	if (obj->hdr.eoh_methods != &object_methods || obj->type != type)
		return NULL;
	return obj;
}

/* A flat value's portable form, read (and so checked) in the current context. */
static void *
object_read_flat(Datum d, const AggStateType *type, int code)
{
	struct varlena *v = pg_detoast_datum_packed((struct varlena *) DatumGetPointer(d));

	return type->read(VARDATA_ANY(v), VARSIZE_ANY_EXHDR(v), code);
}

AggStateObject *
aggstate_object_arg(FunctionCallInfo fcinfo, int argno, const AggStateType *type,
					MemoryContext aggcxt)
{
	Datum		d = PG_GETARG_DATUM(argno);
	AggStateObject *obj;
	AggStateObject *copy;
	MemoryContext old;

	if (likely(VARATT_IS_EXTERNAL_EXPANDED_RW(DatumGetPointer(d))))
	{
		obj = (AggStateObject *) DatumGetEOHP(d);
		if (likely(obj->hdr.eoh_methods == &object_methods && obj->type == type))
		{
			if (unlikely(obj->flat != NULL))
			{
				pfree(obj->flat);
				obj->flat = NULL;
			}
			return obj;
		}
	}
	/* not ours to change: a copy, through the portable form */
	obj = object_of(d, type);
	copy = aggstate_object_new(aggcxt, type);
	old = MemoryContextSwitchTo(copy->hdr.eoh_context);
	if (obj != NULL)
	{
		bytea	   *flat = type->write(obj->state);

		copy->state = type->read(VARDATA(flat), VARSIZE(flat) - VARHDRSZ,
								 ERRCODE_INVALID_BINARY_REPRESENTATION);
		pfree(flat);
	}
	else
		copy->state = object_read_flat(d, type, ERRCODE_INVALID_BINARY_REPRESENTATION);
	MemoryContextSwitchTo(old);
	return copy;
}

void *
aggstate_object_view(FunctionCallInfo fcinfo, int argno, const AggStateType *type)
{
	Datum		d = PG_GETARG_DATUM(argno);
	AggStateObject *obj = object_of(d, type);

	if (obj != NULL)
		return obj->state;
	return object_read_flat(d, type, ERRCODE_INVALID_BINARY_REPRESENTATION);
}

/* Check a portable form by reading it in a context of its own; a copy of it. */
static bytea *
object_checked_copy(const char *data, Size len, const AggStateType *type, int code)
{
	MemoryContext cxt = AllocSetContextCreate(CurrentMemoryContext, "state check",
											  ALLOCSET_DEFAULT_SIZES);
	MemoryContext old = MemoryContextSwitchTo(cxt);

	type->read(data, len, code);
	MemoryContextSwitchTo(old);
	MemoryContextDelete(cxt);
	return bytes_copy_bytea(data, len);
}

/* The portable form of a state argument, flat or an object. */
static bytea *
object_bytes(FunctionCallInfo fcinfo, const AggStateType *type)
{
	Datum		d = PG_GETARG_DATUM(0);
	AggStateObject *obj = object_of(d, type);

	if (obj != NULL)
		return type->write(obj->state);
	return (bytea *) pg_detoast_datum_packed((struct varlena *) DatumGetPointer(d));
}

Datum
aggstate_object_in(FunctionCallInfo fcinfo, const AggStateType *type)
{
	int			len;
	char	   *bytes = bytes_from_base64(PG_GETARG_CSTRING(0), type->name, &len);

	PG_RETURN_BYTEA_P(object_checked_copy(bytes, len, type, ERRCODE_INVALID_TEXT_REPRESENTATION));
}

Datum
aggstate_object_out(FunctionCallInfo fcinfo, const AggStateType *type)
{
	bytea	   *bytes = object_bytes(fcinfo, type);

	if ((double) VARSIZE_ANY(bytes) / 3 * 4 + 4 >= (double) MaxAllocSize)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("%s is too large for its text form", type->name),
				 errdetail("The state takes %zu bytes.", (Size) VARSIZE_ANY(bytes)),
				 errhint("Use its binary form.")));
	PG_RETURN_CSTRING(bytes_to_base64(bytes, type->name));
}

Datum
aggstate_object_recv(FunctionCallInfo fcinfo, const AggStateType *type)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	bytea	   *copy = object_checked_copy(buf->data + buf->cursor, buf->len - buf->cursor, type,
										   ERRCODE_INVALID_BINARY_REPRESENTATION);

	buf->cursor = buf->len;
	PG_RETURN_BYTEA_P(copy);
}

Datum
aggstate_object_send(FunctionCallInfo fcinfo, const AggStateType *type)
{
	bytea	   *bytes = object_bytes(fcinfo, type);

	PG_RETURN_BYTEA_P(bytes_copy_bytea(VARDATA_ANY(bytes), VARSIZE_ANY_EXHDR(bytes)));
}

Datum
aggstate_object_serialize(FunctionCallInfo fcinfo, const AggStateType *type)
{
	uplift_agg_context(fcinfo, type->name);
	PG_RETURN_BYTEA_P(object_bytes(fcinfo, type));
}

Datum
aggstate_object_deserialize(FunctionCallInfo fcinfo, const AggStateType *type)
{
	AggStateObject *obj = aggstate_object_new(uplift_agg_context(fcinfo, type->name), type);
	MemoryContext old = MemoryContextSwitchTo(obj->hdr.eoh_context);

	obj->state = object_read_flat(PG_GETARG_DATUM(0), type, ERRCODE_INVALID_BINARY_REPRESENTATION);
	MemoryContextSwitchTo(old);
	PG_RETURN_DATUM(AggStateObjectDatum(obj));
}
