/*
 * aggstate.h
 *	  The aggregate states that are values of a concrete type
 *	  (uplift_ope_state, uplift_ope_compare_state,
 *	  uplift_fit_calibration_state; doc/citus.md): their text input and
 *	  output (base64 of the portable form) and binary send and receive (the
 *	  portable form itself) around each type's writer and checked reader
 *	  (aggstate.c).
 */
#ifndef UPLIFT_AGGSTATE_H
#define UPLIFT_AGGSTATE_H

#include "uplift.h"

#include "utils/expandeddatum.h"

typedef struct AggStateType
{
	const char *name;			/* the SQL type */
	/* the portable form of a value */
	bytea	   *(*write) (const void *value);
	/*
	 * A value, in the current memory context, from its portable form,
	 * checked completely; an error with SQLSTATE "code" otherwise.
	 */
	void	   *(*read) (const char *data, Size len, int code);
} AggStateType;

extern Datum aggstate_in(FunctionCallInfo fcinfo, const AggStateType *type);
extern Datum aggstate_out(FunctionCallInfo fcinfo, const AggStateType *type);
extern Datum aggstate_recv(FunctionCallInfo fcinfo, const AggStateType *type);
extern Datum aggstate_send(FunctionCallInfo fcinfo, const AggStateType *type);

/*
 * The serial and deserial functions of version 0.1.0, whose aggregates kept
 * the same values as internal states, for installations not yet updated:
 * the portable form, and a value read back into the aggregate's context.
 */
extern Datum aggstate_serialize(FunctionCallInfo fcinfo, const AggStateType *type);
extern Datum aggstate_deserialize(FunctionCallInfo fcinfo, const AggStateType *type);

/* The error of a reader for a value its portable form does not allow. */
extern void aggstate_invalid(const char *typname, int code, const char *detail)
			pg_attribute_noreturn();

/* A compensated sum a state may hold: infinite after an overflow, never NaN. */
static inline bool
aggstate_sum_ok(const NeumaierSum *s)
{
	return !isnan(s->sum) && !isnan(s->comp);
}

/*
 * A state argument, detoasted (a state read back from a table may be); the
 * test is inline, as transition functions take their state on every row.
 */
static inline struct varlena *
aggstate_arg(FunctionCallInfo fcinfo, int argno)
{
	struct varlena *v = (struct varlena *) DatumGetPointer(PG_GETARG_DATUM(argno));

	if (unlikely(VARATT_IS_EXTENDED(v)))
		v = pg_detoast_datum(v);
	return v;
}

/*
 * States kept in memory as expanded objects (utils/expandeddatum.h), for
 * aggregates whose state is a structure that grows (allocate_threshold,
 * uplift_drift_profile) or holds what is costly to read again on every row
 * (the parsed model of uplift_fit_calibration; doc/citus.md): the structure
 * lives in a memory context of its own under the aggregate's, the aggregate
 * passes it from row to row by its read-write pointer without a copy, and
 * wherever it is flattened (into a tuple, a parallel worker's result, text
 * or binary) it becomes its portable form, which type->write makes and
 * type->read reads back, checked.  A flat value is a varlena of the portable
 * form.
 */
typedef struct AggStateObject
{
	ExpandedObjectHeader hdr;
	const AggStateType *type;
	void	   *state;			/* the type's structure, in hdr.eoh_context */
	bytea	   *flat;			/* its portable form while being flattened */
} AggStateObject;

/* A new object, empty, in a new context under parent; the caller sets state. */
extern AggStateObject *aggstate_object_new(MemoryContext parent, const AggStateType *type);

/*
 * The object a transition or combine function may change: argument argno
 * itself when it is one of type's objects passed read-write, else a new one
 * under aggcxt read from the value (flat or read-only), since a value that is
 * not the aggregate's own must not be changed.  Return it with
 * AggStateObjectDatum.
 */
extern AggStateObject *aggstate_object_arg(FunctionCallInfo fcinfo, int argno,
										   const AggStateType *type, MemoryContext aggcxt);

/*
 * A state to read: the structure of an object argument (read-write or not),
 * or one read from a flat value in the current context.
 */
extern void *aggstate_object_view(FunctionCallInfo fcinfo, int argno, const AggStateType *type);

#define AggStateObjectDatum(obj) EOHPGetRWDatum(&(obj)->hdr)

/*
 * The input, output, receive and send functions of such a type: the text
 * form is base64 of the portable form, checked on input by type->read.
 */
extern Datum aggstate_object_in(FunctionCallInfo fcinfo, const AggStateType *type);
extern Datum aggstate_object_out(FunctionCallInfo fcinfo, const AggStateType *type);
extern Datum aggstate_object_recv(FunctionCallInfo fcinfo, const AggStateType *type);
extern Datum aggstate_object_send(FunctionCallInfo fcinfo, const AggStateType *type);

/* The serial and deserial functions of version 0.1.0 for such a state. */
extern Datum aggstate_object_serialize(FunctionCallInfo fcinfo, const AggStateType *type);
extern Datum aggstate_object_deserialize(FunctionCallInfo fcinfo, const AggStateType *type);

#endif							/* UPLIFT_AGGSTATE_H */
