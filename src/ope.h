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
 * every row: ope_options_keep copies its bytes into cxt (*bytes stays NULL
 * for a NULL argument), ope_options_same compares a later row's with them.
 */
extern void ope_options_keep(FunctionCallInfo fcinfo, int argno, MemoryContext cxt,
							 char **bytes, int *len);
extern bool ope_options_same(FunctionCallInfo fcinfo, int argno, const char *bytes,
							 int len);

/* The error for options that differ between rows (or partial states). */
extern void ope_options_differ(const char *fn) pg_attribute_noreturn();

#endif							/* UPLIFT_OPE_H */
