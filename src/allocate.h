/*
 * allocate.h
 *	  Options shared by allocate_budget, allocate_budget_summary and the
 *	  two-step path (allocate_threshold, allocate_action).
 */
#ifndef UPLIFT_ALLOCATE_H
#define UPLIFT_ALLOCATE_H

#include "postgres.h"
#include "fmgr.h"
#include "datatype/timestamp.h"
#include "utils/jsonb.h"

typedef struct AllocateOptions
{
	double		min_roi;		/* smallest value/cost of a pair or an upgrade */
	double		spent;			/* already spent of budget * pace */
	double		pace;			/* share of the budget available by now */
	bool		include_no_offer;	/* return units left with no offer */
	JsonbValue *max_units;		/* object action -> cap, or NULL */
	int64		max_contacts;	/* contact_cap: offers that block a unit, 0 = none */
	Interval	window;			/* contact_cap: how far back offers count */
	TimestampTz as_of;			/* end of the window (default: now) */
	char	   *exclude;		/* query or table of units to leave alone, or NULL */
} AllocateOptions;

/* Why an allocation leaves a unit alone. */
typedef enum AllocateBlock
{
	ALLOCATE_FREE = 0,
	ALLOCATE_EXCLUDED,			/* returned by option exclude */
	ALLOCATE_CAPPED				/* offered max_contacts times in the window */
} AllocateBlock;

/* The units to leave alone (allocate_contact.c). */
typedef struct AllocateBlocked AllocateBlocked;

/*
 * Read and check options.  With full, every option of allocate_budget is
 * accepted; otherwise only those of the two-step path (min_roi, spent, pace).
 * With units, the options that need unit ids too (contact_cap, as_of,
 * exclude).
 */
extern void allocate_read_options(Jsonb *opts, const char *funcname, bool full,
								  bool units, AllocateOptions *o);

/* Read contact_cap, as_of and exclude (allocate_contact.c). */
extern void allocate_read_contact_options(Jsonb *opts, const char *funcname,
										  AllocateOptions *o);

/* Whether the options leave some units alone. */
static inline bool
allocate_blocks_units(const AllocateOptions *o)
{
	return o->max_contacts > 0 || o->exclude != NULL;
}

/*
 * Read the units to leave alone, with the caller's rights, into a set
 * allocated in cxt.  nsp is the extension's schema, where the assignment
 * log lives.  Connects to SPI itself.
 */
extern AllocateBlocked *allocate_blocked_load(const AllocateOptions *o, Oid nsp,
											  const char *funcname, MemoryContext cxt);
extern AllocateBlock allocate_blocked_lookup(const AllocateBlocked *b, int64 unit_id);


/* Check budget and return budget * pace - spent, rounded down, >= 0. */
extern double allocate_available(double budget, const AllocateOptions *o);

#endif							/* UPLIFT_ALLOCATE_H */
