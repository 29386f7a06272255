/*
 * ope_estimators.h
 *	  Off-policy evaluation: the running state of the IPS, SNIPS and DR
 *	  estimators and of the overlap diagnostics, and the arithmetic that turns
 *	  it into estimates and intervals (ope_estimators.c).  The SQL glue
 *	  (aggregate transition, combine, serialization and final functions) is in
 *	  ope.c.
 *
 * With the normal interval the state is a fixed set of compensated sums, so
 * memory per group is constant and partial states merge exactly.  With the
 * bootstrap interval the state also keeps one or two doubles per row.
 */
#ifndef UPLIFT_OPE_ESTIMATORS_H
#define UPLIFT_OPE_ESTIMATORS_H

#include "uplift.h"

/* Stored codes (serialized states): never renumber. */
typedef enum OpeKind
{
	OPE_IPS = 1,
	OPE_SNIPS = 2,
	OPE_DR = 3,
	OPE_OVERLAP = 4
} OpeKind;

typedef enum OpeCi
{
	OPE_CI_NORMAL = 0,
	OPE_CI_BOOTSTRAP = 1
} OpeCi;

#define OPE_DEFAULT_ALPHA		0.05
#define OPE_DEFAULT_N_BOOT		1000
#define OPE_MAX_N_BOOT			100000
#define OPE_DEFAULT_FLOOR		0.001
#define OPE_DEFAULT_MIN_ESS_SHARE 0.1
#define OPE_DEFAULT_MAX_WEIGHT_SHARE 0.05
#define OPE_DEFAULT_MEAN_TOLERANCE 0.1

/* Rows the bootstrap may keep: their serialized bytes must fit in a bytea. */
#define OPE_MAX_ROW_DOUBLES ((int64) ((MaxAllocSize - 1024) / sizeof(double)))

typedef struct OpeOptions
{
	double		alpha;			/* 1 - confidence level */
	double		clip;			/* maximum weight (OBP's lambda_); +inf = none */
	int32		ci;				/* OpeCi */
	int32		n_boot;			/* bootstrap replicates */
	int64		seed;			/* bootstrap seed */
	/* overlap diagnostics */
	double		floor;			/* logged propensities below this are flagged */
	double		min_ess_share;	/* warn when ESS / n is below this */
	double		max_weight_share;	/* warn when one weight exceeds this share */
	double		mean_tolerance; /* warn when |mean weight - 1| exceeds this */
} OpeOptions;

typedef struct OpeState
{
	int32		kind;			/* OpeKind */
	OpeOptions	opts;
	int64		n;				/* rows */
	int64		n_clipped;		/* rows whose weight was clipped */
	int64		n_below_floor;	/* rows with logged propensity < floor */
	double		max_w;			/* largest (clipped) weight */
	double		min_logged;		/* smallest logged propensity */
	/* compensated sums; c is the row's contribution (see ope_estimators.c) */
	NeumaierSum s_w;			/* w */
	NeumaierSum s_ww;			/* w^2 */
	NeumaierSum s_c;			/* c */
	NeumaierSum s_cc;			/* c^2 */
	NeumaierSum s_wc;			/* w c */
	/* bootstrap only: stride doubles per row (c, or w and c for SNIPS) */
	double	   *rows;
	int64		n_rows;
	int64		cap_rows;
	MemoryContext rows_cxt;		/* where rows live; not serialized */
} OpeState;

/* An estimate and its interval; has_se is false when n < 2. */
typedef struct OpeResult
{
	double		estimate;
	double		std_error;
	double		ci_low;
	double		ci_high;
	int64		n;
	bool		has_estimate;
	bool		has_se;
	bool		estimate_overflow;	/* a sum of the estimate is not finite */
	bool		se_overflow;	/* the interval is not finite: has_se is false */
} OpeResult;

typedef struct OpeOverlap
{
	int64		n;
	double		sum_w;
	double		mean_w;
	double		max_w;
	double		ess;
	double		ess_share;
	double		min_logged;
	double		share_below_floor;
	int64		n_clipped;
	bool		overflow;		/* sum_w or ess is not finite: NULL */
	int			n_warnings;
	char	   *warnings[4];	/* palloc'd plain-words messages */
} OpeOverlap;

extern void ope_options_default(OpeOptions *opts);
extern bool ope_options_equal(const OpeOptions *a, const OpeOptions *b);
extern void ope_state_init(OpeState *st, OpeKind kind, const OpeOptions *opts,
						   MemoryContext rows_cxt);

/* Doubles kept per row for the bootstrap (0 when no rows are kept). */
static inline int
ope_row_stride(const OpeState *st)
{
	if (st->opts.ci != OPE_CI_BOOTSTRAP || st->kind == OPE_OVERLAP)
		return 0;
	return st->kind == OPE_SNIPS ? 2 : 1;
}

/*
 * Add one checked row; q_logged and q_target are used by DR only.  False
 * when the weight or the row's contribution is not finite: the caller must
 * then raise an error, as the state is left half-updated.
 */
extern bool ope_add(OpeState *st, double reward, double logged, double target,
					double q_logged, double q_target);

/* Add a partial state of the same kind and options into st. */
extern void ope_merge(OpeState *st, const OpeState *other);

/*
 * The capacity of rows (bootstrap) that takes "more" further rows: cap_rows
 * when they fit, else doubled (an error beyond OPE_MAX_ROW_DOUBLES).
 * ope_add and ope_merge grow rows in rows_cxt when they must; a state
 * without one must be given the room first.
 */
extern int64 ope_rows_capacity(const OpeState *st, int64 more);

extern void ope_estimate(OpeState *st, OpeResult *res);
extern void ope_overlap(const OpeState *st, OpeOverlap *res);

/* Standard normal quantile, Wichura's AS 241 (PPND16). */
extern double normal_quantile(double p);

#endif							/* UPLIFT_OPE_ESTIMATORS_H */
