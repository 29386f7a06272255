/*
 * ope_compare_estimators.h
 *	  Paired off-policy estimators on plain arrays: the difference of two
 *	  policies on one log (IPS, SNIPS, DR), the self-normalised and switch
 *	  doubly robust estimators, the average effect per action of a randomized
 *	  log, and a deployed allocation against a baseline (ope_compare_estimators.c).  The
 *	  SQL glue is ope_compare.c.
 *
 * Every estimator here is a smooth function of the means of a small vector
 * u_i computed per row, so the state is, per group of rows, the
 * compensated sums of the u_i and of their pairwise products.  Its standard
 * error is that of the mean of a linear combination a . u_i (the estimator's
 * influence function, by the delta method), whose sums follow from those
 * moments: sum a.u and sum (a.u)^2 = a' M a.
 */
#ifndef UPLIFT_OPE_COMPARE_ESTIMATORS_H
#define UPLIFT_OPE_COMPARE_ESTIMATORS_H

#include "uplift.h"
#include "ope_estimators.h"

/* Stored codes (serialized states): never renumber. */
typedef enum CmpKind
{
	CMP_IPS_DIFF = 1,
	CMP_SNIPS_DIFF = 2,
	CMP_DR_DIFF = 3,
	CMP_SNDR = 4,
	CMP_SWITCH_DR = 5,
	CMP_ATE = 6,
	CMP_ALLOCATION = 7
} CmpKind;

typedef enum CmpBaseline
{
	CMP_BASELINE_NO_OFFER = 0,
	CMP_BASELINE_LOGGED = 1,
	CMP_BASELINE_UNTARGETED = 2
} CmpBaseline;

#define CMP_MAX_DIM			8
#define CMP_N_PRODUCTS		(CMP_MAX_DIM * (CMP_MAX_DIM + 1) / 2)
#define CMP_MAX_ACTIONS		1000	/* actions 0..CMP_MAX_ACTIONS */

typedef struct CmpOptions
{
	double		alpha;			/* 1 - confidence level */
	double		clip;			/* largest importance weight; +inf = none */
	double		tau;			/* switch-DR threshold; +inf = plain DR */
	double		epsilon;		/* allocation: exploration share */
	double		min_propensity; /* allocation: floor per action */
	int32		n_actions;		/* allocation: K, actions 1..K */
	int32		baseline;		/* allocation: CmpBaseline */
	bool		self_normalized;	/* allocation: SNIPS (true) or IPS */
} CmpOptions;

/* Moments of the row vectors u of one group of rows. */
typedef struct CmpGroup
{
	int64		n;
	NeumaierSum s[CMP_MAX_DIM];		/* sum u_j */
	NeumaierSum m[CMP_N_PRODUCTS];	/* sum u_j u_k, j <= k, row-major */
} CmpGroup;

typedef struct CmpState
{
	int32		kind;			/* CmpKind */
	int32		dim;			/* length of u */
	CmpOptions	opts;
	int32		n_groups;		/* groups in use: ATE and allocation by action */
	int32		cap_groups;
	CmpGroup   *groups;
	int64	   *chosen;			/* allocation: rows per chosen action */
	MemoryContext cxt;			/* where groups live; not serialized */
} CmpState;

/* The allocation as deployed against its baseline, for one outcome. */
typedef struct CmpComparison
{
	double		policy;			/* estimated mean outcome per row */
	double		baseline;
	OpeResult	diff;			/* policy - baseline */
} CmpComparison;

extern void cmp_options_default(CmpOptions *o);
extern bool cmp_options_equal(const CmpOptions *a, const CmpOptions *b);
extern int	cmp_dim(CmpKind kind);
extern void cmp_state_init(CmpState *st, CmpKind kind, const CmpOptions *o,
						   MemoryContext cxt);
extern void cmp_reserve_groups(CmpState *st, int32 n_groups);
extern void cmp_merge(CmpState *st, const CmpState *other);

/*
 * Add one checked row.  False when a weight or a term is not finite (the
 * caller raises an error).  "r" is the reward, "p" the logged propensity,
 * "t" target propensities, "q" outcome-model predictions, in the order of the
 * SQL arguments.
 */
extern bool cmp_add_diff(CmpState *st, double r, double p, double ta, double tb,
						 double ql, double qa, double qb);
extern bool cmp_add_dr(CmpState *st, double r, double p, double t,
					   double ql, double qt);
extern void cmp_add_ate(CmpState *st, int32 action, double y);
extern bool cmp_add_allocation(CmpState *st, int32 action, double p,
							   int32 chosen, double value, double cost);

/* The allocation policy's probability of "action" when it chose "chosen". */
extern double cmp_policy_propensity(const CmpOptions *o, int32 action, int32 chosen);

/* Results; see ope_compare_estimators.c for the formulas. */
extern void cmp_estimate(const CmpState *st, OpeResult *res);
extern void cmp_ate(const CmpState *st, int32 action, OpeResult *res);
extern void cmp_allocation(const CmpState *st, int outcome, CmpComparison *res);

#endif							/* UPLIFT_OPE_COMPARE_ESTIMATORS_H */
