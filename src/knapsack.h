/*
 * knapsack.h
 *	  The multiple-choice knapsack behind allocate_budget and the two-step
 *	  allocation path, on plain C arrays (no SPI, no tuples).
 *
 * Every unit may take at most one of its points (action, value, cost) or
 * nothing (no offer: value 0, cost 0).  Costs below zero are treated as zero
 * when the budget is spent ("budget cost"), so a saving never pays for other
 * offers.  The method is the LP relaxation of the multiple-choice knapsack:
 * each unit's points are reduced to the upper convex hull of (cost, value)
 * starting at no offer, and hull increments are taken in decreasing order of
 * incremental value per incremental cost (Sinha and Zoltners, 1979).
 */
#ifndef UPLIFT_KNAPSACK_H
#define UPLIFT_KNAPSACK_H

#include "uplift.h"

/* Largest action number a candidate may have (point indexes are int16). */
#define KS_MAX_ACTION	32767

/* One (action, value, cost) offer of one unit. */
typedef struct KsPoint
{
	double		value;
	double		cost;			/* as given; see ks_budget_cost */
	int32		action;
} KsPoint;

static inline double
ks_budget_cost(const KsPoint *p)
{
	return p->cost > 0.0 ? p->cost : 0.0;
}

/* A unit: its points are problem->points[first .. first + npoints). */
typedef struct KsUnit
{
	int64		unit_id;
	uint32		first;
	uint16		npoints;
	int16		current;		/* chosen point (index from first), -1 = no offer */
} KsUnit;

/* A unit's next hull increment, waiting in the heap. */
typedef struct KsHeapEntry
{
	double		ratio;			/* incremental value / incremental cost */
	uint32		unit;
	int16		target;
} KsHeapEntry;

typedef struct KsProblem
{
	/* input, filled with ks_add_unit in unit_id order */
	KsUnit	   *units;
	Size		nunits;
	Size		maxunits;
	KsPoint    *points;
	Size		npoints;
	Size		maxpoints;
	int64		nrows;			/* candidate rows read, for reporting */
	bool		action_seen[KS_MAX_ACTION + 1];

	/* settings */
	double		available;		/* budget that may be spent, >= 0, may be inf */
	double		min_roi;
	int64	   *caps;			/* per action, -1 = none; NULL = no caps at all */

	/* working state and results of ks_solve */
	int64	   *counts;			/* units per action */
	NeumaierSum spent;			/* sum of budget costs of the chosen points */
	bool		broken;			/* some increment did not fit */
	double		threshold;		/* ratio of the first increment that did not fit */
	double		lp_bound;		/* LP relaxation bound (no caps) */
	double		largest_increment;	/* largest value increment considered */
	int			max_unit_points;	/* most points of one unit */
	Size		peak_memory;	/* most bytes allocated while solving */
} KsProblem;

extern KsProblem *ks_create(double available, double min_roi, bool with_caps);
extern void ks_add_unit(KsProblem *p, int64 unit_id, KsPoint *pts, int n);
extern void ks_solve(KsProblem *p);
extern double ks_dual_bound(KsProblem *p);

/*
 * Keep the points a unit could ever choose (positive value, value/cost at
 * least min_roi) and sort them by budget cost, then value descending, then
 * action.  Unless keep_dominated, a point that costs at least as much as
 * another and is worth no more is dropped too.  Returns the new count.
 */
extern int	ks_prepare_points(KsPoint *pts, int n, double min_roi, bool keep_dominated);

/*
 * The next point on a unit's upper hull after point "current" (-1 = no
 * offer): the one with the largest value/cost increment, ties to the cheaper
 * one; -1 when no increment has value/cost >= min_roi.  With p, points whose
 * action has reached its cap are skipped, and when check_fit, so are points
 * that no longer fit in the budget.
 */
extern int	ks_next(const KsPoint *pts, int n, int current, double min_roi,
					const KsProblem *p, bool check_fit, double *ratio);

/*
 * A unit's upper hull from no offer, for points prepared without
 * keep_dominated: the hull points (into targets, the points ks_next would
 * visit one by one) and their ratios, made non-increasing so that rounding can
 * never reorder them, up to the first upgrade below min_roi.  Both arrays
 * need room for n entries; returns their count.  O(n).
 */
extern int	ks_hull(const KsPoint *pts, int n, double min_roi, int *targets,
					double *ratios);

/* The budget available now: budget * pace - spent, rounded down, >= 0. */
extern double ks_available(double budget, double pace, double spent);

/*
 * Would spending "add" instead of "sub" on top of "spent" stay within
 * "available"?  Decided on the compensated sum, so rounding never lets the
 * total exceed the budget.
 */
static inline bool
ks_fits(const NeumaierSum *spent, double sub, double add, double available)
{
	NeumaierSum t = *spent;

	if (isinf(available))
		return true;
	neumaier_add(&t, add);
	neumaier_add(&t, -sub);
	return (t.sum - available) + t.comp <= 0.0;
}

/* An increment of the two-step path: its ratio and the costs it moves between. */
typedef struct KsStep
{
	double		ratio;
	double		from_cost;
	double		to_cost;
} KsStep;

/*
 * Sort steps by ratio (descending) and cut after the group of equal ratios
 * that no longer fits in "available"; returns the new count.  *threshold is
 * that group's ratio, or 0 when everything fits.
 */
extern Size ks_steps_cut(KsStep *steps, Size n, double available, double *threshold);

#endif							/* UPLIFT_KNAPSACK_H */
