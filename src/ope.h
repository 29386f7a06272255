/*
 * ope.h
 *	  What the off-policy glue (ope.c) shares with the paired off-policy
 *	  glue (ope_compare.c): checks of the per-row arguments, where a NULL,
 *	  NaN or infinite value, or a propensity out of range, is an error naming
 *	  the argument and the function, never a skipped row.
 */
#ifndef UPLIFT_OPE_H
#define UPLIFT_OPE_H

#include "postgres.h"
#include "fmgr.h"
#include "nodes/nodes.h"

/*
 * True when called by an aggregate (or window aggregate), which owns the
 * state argument: what AggCheckCallContext tells, without its call, for the
 * transition functions that change their state value in place on every row.
 */
static inline bool
ope_in_aggregate(FunctionCallInfo fcinfo)
{
	return fcinfo->context != NULL &&
		(IsA(fcinfo->context, AggState) || IsA(fcinfo->context, WindowAggState));
}

/* A finite, non-NULL float8 argument "what" of function "fn". */
extern double ope_arg_finite(FunctionCallInfo fcinfo, int argno, const char *fn,
							 const char *what);

/*
 * A propensity argument: a logged one in (0, 1], a target (or baseline) one
 * in [0, 1].
 */
extern double ope_arg_propensity(FunctionCallInfo fcinfo, int argno, const char *fn,
								 const char *what, bool logged);

/*
 * The options argument is read on the first row and must be the same on
 * every row.  A support function parses each distinct options value once:
 * ope_options_lookup copies the parsed form of argument argno into
 * "parsed" if it is the one cached for this call site, and
 * ope_options_remember caches it after parsing.
 */
extern bool ope_options_lookup(FunctionCallInfo fcinfo, int argno, void *parsed, Size size);
extern void ope_options_remember(FunctionCallInfo fcinfo, int argno, const void *parsed,
								 Size size);

/*
 * True when the calling support function is declared on internal, as in an
 * installation not yet updated from version 0.1.0: the aggregate then does
 * not copy the states it is returned, so they are made in its context.
 */
extern bool ope_internal_state(FunctionCallInfo fcinfo);

/* The error for options that differ between rows (or partial states). */
extern void ope_options_differ(const char *fn) pg_attribute_noreturn();

#endif							/* UPLIFT_OPE_H */
