/*
 * allocate.h
 *	  Options shared by allocate_budget, allocate_budget_summary and the
 *	  two-step path (allocate_threshold, allocate_action).
 */
#ifndef UPLIFT_ALLOCATE_H
#define UPLIFT_ALLOCATE_H

#include "postgres.h"
#include "utils/jsonb.h"

typedef struct AllocateOptions
{
	double		min_roi;		/* smallest value/cost of a pair or an upgrade */
	double		spent;			/* already spent of budget * pace */
	double		pace;			/* share of the budget available by now */
	bool		include_no_offer;	/* return units left with no offer */
	JsonbValue *max_units;		/* object action -> cap, or NULL */
} AllocateOptions;

/*
 * Read and check options.  With full, every option of allocate_budget is
 * accepted; otherwise only those of the two-step path (min_roi, spent, pace).
 */
extern void allocate_read_options(Jsonb *opts, const char *funcname, bool full,
								  AllocateOptions *o);

/* Check budget and return budget * pace - spent, rounded down, >= 0. */
extern double allocate_available(double budget, const AllocateOptions *o);

#endif							/* UPLIFT_ALLOCATE_H */
