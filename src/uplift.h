/*
 * uplift.h
 *	  Definitions shared by every part of the uplift extension: compensated
 *	  summation and the aggregate-context check.
 */
#ifndef UPLIFT_H
#define UPLIFT_H

#include "postgres.h"
#include "access/tupdesc.h"
#include "fmgr.h"

#include <math.h>

/*
 * Neumaier's variant of Kahan summation.  Sums over millions of rows keep
 * their digits, and adding two partial sums (parallel combine) is exact up to
 * the final rounding.
 */
typedef struct NeumaierSum
{
	double		sum;
	double		comp;
} NeumaierSum;

static inline void
neumaier_add(NeumaierSum *s, double x)
{
	double		t = s->sum + x;

	if (fabs(s->sum) >= fabs(x))
		s->comp += (s->sum - t) + x;
	else
		s->comp += (x - t) + s->sum;
	s->sum = t;
}

static inline void
neumaier_merge(NeumaierSum *into, const NeumaierSum *from)
{
	neumaier_add(into, from->sum);
	neumaier_add(into, from->comp);
}

static inline double
neumaier_value(const NeumaierSum *s)
{
	return s->sum + s->comp;
}

/*
 * Memory context of the aggregate calling this transition or combine
 * function; an error when called outside an aggregate.
 */
/* Setting uplift.parallel_fit_rows (see fit_plan.c). */
extern PGDLLIMPORT bool uplift_parallel_fit_rows;

/* Setting uplift.prefault (see trainbuf.c and prefault.h). */
extern PGDLLIMPORT bool uplift_prefault;

extern MemoryContext uplift_agg_context(FunctionCallInfo fcinfo, const char *funcname);

/*
 * Row descriptor (blessed) and element type of the array of rows a function
 * returns, read from the function's declared result type; see uplift.c.
 */
extern TupleDesc uplift_result_rows_desc(FunctionCallInfo fcinfo, Oid *elemtype);

/*
 * Type of argument argno of the call: the call expression's, or the
 * function's declared one when there is no expression; see uplift.c.
 */
extern Oid	uplift_arg_type(FunctionCallInfo fcinfo, int argno);

/* Error unless x is finite; "what" names the argument. */
extern void uplift_check_finite(double x, const char *what);

#endif							/* UPLIFT_H */
