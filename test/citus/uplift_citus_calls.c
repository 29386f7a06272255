/*
 * uplift_citus_calls.c
 *	  A test module (not part of the extension) that runs an aggregate split
 *	  the way Citus runs a custom aggregate it pushes down to its shards, so
 *	  that the tests see what our support functions see there:
 *
 *	  - on a shard, citus_calls_partial(aggregate, args) calls the
 *		aggregate's transition function row by row through a FmgrInfo made
 *		afresh for each row (no call expression, no fn_extra kept between
 *		rows), in the outer aggregate's context and memory, keeps the state
 *		as Citus keeps it (a changed state is copied into the aggregate's
 *		context unless it is a read-write expanded object already there, the
 *		old one freed), and at the end returns the state as text through the
 *		state type's output function;
 *	  - on the coordinator, citus_calls_combine(aggregate, state text,
 *		NULL::result type) reads each state back through the type's input
 *		function, merges them with the combine function, and calls the final
 *		function (with NULL extra arguments when it takes them), each
 *		through a fresh FmgrInfo in the outer aggregate's context.
 *
 *	  Several arguments come as one row value, ROW(a, b, ...), one argument
 *	  as itself, and are checked as Citus checks them on a shard: a row value
 *	  is taken apart into the arguments, whatever the aggregate, and each
 *	  must be of the type the aggregate declares.  An aggregate whose state
 *	  is internal, which Citus does not push down, is refused.  Only for
 *	  tests: it runs any function it is told to.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_aggregate.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/expandeddatum.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/syscache.h"
#include "utils/typcache.h"

PG_MODULE_MAGIC;

/* The inner aggregate's state, as the outer aggregate's state. */
typedef struct InnerState
{
	Oid			agg;
	Oid			transtype;
	int16		translen;
	bool		transbyval;
	bool		started;		/* the state has a value (perhaps NULL) */
	bool		isnull;
	Datum		value;
} InnerState;

static MemoryContext
outer_context(FunctionCallInfo fcinfo)
{
	MemoryContext cxt;

	if (!AggCheckCallContext(fcinfo, &cxt))
		elog(ERROR, "citus_calls: called outside an aggregate");
	return cxt;
}

static Form_pg_aggregate
agg_form(Oid agg, HeapTuple *tup)
{
	*tup = SearchSysCache1(AGGFNOID, ObjectIdGetDatum(agg));
	if (!HeapTupleIsValid(*tup))
		elog(ERROR, "citus_calls: %u is not an aggregate", agg);
	return (Form_pg_aggregate) GETSTRUCT(*tup);
}

static InnerState *
inner_state(FunctionCallInfo fcinfo, MemoryContext cxt)
{
	InnerState *s;
	HeapTuple	tup;
	Form_pg_aggregate form;
	bool		initnull;
	Datum		init;

	if (!PG_ARGISNULL(0))
		return (InnerState *) PG_GETARG_POINTER(0);
	s = MemoryContextAllocZero(cxt, sizeof(InnerState));
	s->agg = PG_GETARG_OID(1);
	form = agg_form(s->agg, &tup);
	s->transtype = form->aggtranstype;
	if (s->transtype == INTERNALOID || !OidIsValid(form->aggcombinefn))
		elog(ERROR, "citus_calls: Citus does not push this aggregate down (internal state or no combine function)");
	init = SysCacheGetAttr(AGGFNOID, tup, Anum_pg_aggregate_agginitval, &initnull);
	ReleaseSysCache(tup);
	get_typlenbyval(s->transtype, &s->translen, &s->transbyval);
	s->isnull = true;
	if (!initnull)
	{
		Oid			input;
		Oid			ioparam;
		MemoryContext old = MemoryContextSwitchTo(cxt);

		getTypeInputInfo(s->transtype, &input, &ioparam);
		s->value = OidInputFunctionCall(input, TextDatumGetCString(init), ioparam, -1);
		s->isnull = false;
		s->started = true;
		MemoryContextSwitchTo(old);
	}
	return s;
}

/* Keep the value a support function returned as the new state. */
static void
keep_state(InnerState *s, Datum value, bool isnull, MemoryContext cxt)
{
	if (!s->transbyval && DatumGetPointer(value) != DatumGetPointer(s->value))
	{
		if (!isnull)
		{
			bool		in_place = DatumIsReadWriteExpandedObject(value, false, s->translen) &&
				MemoryContextGetParent(DatumGetEOHP(value)->eoh_context) == cxt;

			if (!in_place)
			{
				MemoryContext old = MemoryContextSwitchTo(cxt);

				value = datumCopy(value, s->transbyval, s->translen);
				MemoryContextSwitchTo(old);
			}
		}
		if (s->started && !s->isnull)
		{
			if (DatumIsReadWriteExpandedObject(s->value, false, s->translen))
				DeleteExpandedObject(s->value);
			else
				pfree(DatumGetPointer(s->value));
		}
	}
	s->value = value;
	s->isnull = isnull;
	s->started = true;
}

/*
 * Error unless an argument of type "got" is what the aggregate declares at
 * position i, exactly, as Citus checks it on a shard.
 */
static void
check_arg_type(Oid agg, int i, Oid got)
{
	Oid		   *declared;
	int			nargs;

	get_func_signature(agg, &declared, &nargs);
	if (i >= nargs || declared[i] != got)
		elog(ERROR, "citus_calls: could not confirm type correctness: argument %d is of type %s, the aggregate takes %s",
			 i + 1, format_type_be(got), i < nargs ? format_type_be(declared[i]) : "fewer");
}

/*
 * The arguments of one row, as a shard takes them: a row value (a record)
 * is the aggregate's arguments, one a field; anything else is its one
 * argument.  Each must be of the type the aggregate declares.
 */
static void
row_args(FunctionCallInfo fcinfo, Oid agg, int argno, int nargs, Datum *values, bool *nulls)
{
	HeapTupleHeader rec;
	TupleDesc	desc;
	HeapTupleData tuple;

	if (get_fn_expr_argtype(fcinfo->flinfo, argno) != RECORDOID)
	{
		if (nargs != 1)
			elog(ERROR, "citus_calls: could not confirm type correctness: one argument for an aggregate of %d", nargs);
		check_arg_type(agg, 0, get_fn_expr_argtype(fcinfo->flinfo, argno));
		values[0] = PG_GETARG_DATUM(argno);
		nulls[0] = PG_ARGISNULL(argno);
		return;
	}
	if (PG_ARGISNULL(argno))
		elog(ERROR, "citus_calls: a NULL row of arguments");
	rec = PG_GETARG_HEAPTUPLEHEADER(argno);
	desc = lookup_rowtype_tupdesc(HeapTupleHeaderGetTypeId(rec), HeapTupleHeaderGetTypMod(rec));
	if (desc->natts != nargs)
		elog(ERROR, "citus_calls: could not confirm type correctness: the row has %d fields, the aggregate %d arguments",
			 desc->natts, nargs);
	tuple.t_len = HeapTupleHeaderGetDatumLength(rec);
	tuple.t_data = rec;
	ItemPointerSetInvalid(&tuple.t_self);
	tuple.t_tableOid = InvalidOid;
	for (int i = 0; i < nargs; i++)
		check_arg_type(agg, i, TupleDescAttr(desc, i)->atttypid);
	heap_deform_tuple(&tuple, desc, values, nulls);
	ReleaseTupleDesc(desc);
}

/*
 * state := fn(state, values...) with an aggregate's rules for a strict
 * function: a row with a NULL input is skipped, and the first row's first
 * input becomes the state.
 */
static void
advance(FunctionCallInfo fcinfo, InnerState *s, FmgrInfo *info, int nargs,
		const Datum *values, const bool *nulls, MemoryContext cxt)
{
	LOCAL_FCINFO(inner, FUNC_MAX_ARGS);
	Datum		result;

	if (info->fn_strict)
	{
		for (int i = 0; i < nargs; i++)
			if (nulls[i])
				return;
		if (!s->started)
		{
			MemoryContext old = MemoryContextSwitchTo(cxt);

			s->value = datumCopy(values[0], s->transbyval, s->translen);
			s->isnull = false;
			s->started = true;
			MemoryContextSwitchTo(old);
			return;
		}
		if (s->isnull)
			return;
	}
	InitFunctionCallInfoData(*inner, info, nargs + 1, fcinfo->fncollation,
							 fcinfo->context, fcinfo->resultinfo);
	inner->args[0].value = s->value;
	inner->args[0].isnull = !s->started || s->isnull;
	for (int i = 0; i < nargs; i++)
	{
		inner->args[i + 1].value = values[i];
		inner->args[i + 1].isnull = nulls[i];
	}
	result = FunctionCallInvoke(inner);
	keep_state(s, result, inner->isnull, cxt);
}

/* citus_calls_partial_sfunc(internal, aggregate oid, args anyelement) */
PG_FUNCTION_INFO_V1(citus_calls_partial_sfunc);
Datum
citus_calls_partial_sfunc(PG_FUNCTION_ARGS)
{
	MemoryContext cxt = outer_context(fcinfo);
	InnerState *s = inner_state(fcinfo, cxt);
	FmgrInfo	info;
	HeapTuple	tup;
	Oid			transfn = agg_form(s->agg, &tup)->aggtransfn;
	int			nargs = get_func_nargs(s->agg);
	Datum		values[FUNC_MAX_ARGS];
	bool		nulls[FUNC_MAX_ARGS];

	ReleaseSysCache(tup);
	row_args(fcinfo, s->agg, 2, nargs, values, nulls);
	fmgr_info(transfn, &info);
	advance(fcinfo, s, &info, nargs, values, nulls, cxt);
	PG_RETURN_POINTER(s);
}

/* The state as text, through its type's output function. */
PG_FUNCTION_INFO_V1(citus_calls_partial_ffunc);
Datum
citus_calls_partial_ffunc(PG_FUNCTION_ARGS)
{
	InnerState *s = PG_ARGISNULL(0) ? NULL : (InnerState *) PG_GETARG_POINTER(0);
	FmgrInfo	info;
	Oid			output;
	bool		varlena;

	if (s == NULL || !s->started || s->isnull)
		PG_RETURN_NULL();
	getTypeOutputInfo(s->transtype, &output, &varlena);
	fmgr_info(output, &info);
	PG_RETURN_TEXT_P(cstring_to_text(OutputFunctionCall(&info, s->value)));
}

/* citus_calls_combine_sfunc(internal, aggregate oid, state text, anyelement) */
PG_FUNCTION_INFO_V1(citus_calls_combine_sfunc);
Datum
citus_calls_combine_sfunc(PG_FUNCTION_ARGS)
{
	MemoryContext cxt = outer_context(fcinfo);
	InnerState *s = inner_state(fcinfo, cxt);
	FmgrInfo	info;
	HeapTuple	tup;
	Oid			combinefn = agg_form(s->agg, &tup)->aggcombinefn;
	Oid			input;
	Oid			ioparam;
	bool		isnull = PG_ARGISNULL(2);
	Datum		value;

	ReleaseSysCache(tup);
	getTypeInputInfo(s->transtype, &input, &ioparam);
	fmgr_info(input, &info);
	value = InputFunctionCall(&info, isnull ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(2)),
							  ioparam, -1);
	fmgr_info(combinefn, &info);
	advance(fcinfo, s, &info, 1, &value, &isnull, cxt);
	PG_RETURN_POINTER(s);
}

/*
 * The final function over the merged state; one that takes extra arguments
 * gets as many NULLs as this function has arguments after the state.
 */
PG_FUNCTION_INFO_V1(citus_calls_combine_ffunc);
Datum
citus_calls_combine_ffunc(PG_FUNCTION_ARGS)
{
	InnerState *s = PG_ARGISNULL(0) ? NULL : (InnerState *) PG_GETARG_POINTER(0);
	LOCAL_FCINFO(inner, FUNC_MAX_ARGS);
	FmgrInfo	info;
	HeapTuple	tup;
	Form_pg_aggregate form;
	Oid			finalfn;
	bool		extra;
	int			nargs;
	Datum		result;

	if (s == NULL)
		PG_RETURN_NULL();
	form = agg_form(s->agg, &tup);
	finalfn = form->aggfinalfn;
	extra = form->aggfinalextra;
	ReleaseSysCache(tup);
	if (!OidIsValid(finalfn))
	{
		if (!s->started || s->isnull)
			PG_RETURN_NULL();
		PG_RETURN_DATUM(s->value);
	}
	fmgr_info(finalfn, &info);
	if (info.fn_strict && (!s->started || s->isnull))
		PG_RETURN_NULL();
	nargs = extra ? fcinfo->nargs : 1;
	InitFunctionCallInfoData(*inner, &info, nargs, fcinfo->fncollation,
							 fcinfo->context, fcinfo->resultinfo);
	inner->args[0].value = s->value;
	inner->args[0].isnull = !s->started || s->isnull;
	for (int i = 1; i < nargs; i++)
	{
		inner->args[i].value = (Datum) 0;
		inner->args[i].isnull = true;
	}
	result = FunctionCallInvoke(inner);
	fcinfo->isnull = inner->isnull;
	return result;
}
