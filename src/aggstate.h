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

#endif							/* UPLIFT_AGGSTATE_H */
