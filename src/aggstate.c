/*
 * aggstate.c
 *	  Text input and output, binary send and receive of the aggregate
 *	  states that are values of a concrete type, so that Citus can ship
 *	  them between shards and the coordinator (doc/citus.md): the text form
 *	  is base64 of the portable form that each type writes and reads back
 *	  (aggstate.h), the binary form the portable form itself.  A value that
 *	  does not read back is an error 22P02 (text) or 22P03 (binary).
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
