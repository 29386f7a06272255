/*
 * eval_metrics.h
 *	  The arithmetic of uplift evaluation (Qini, AUUC, uplift at k, curves,
 *	  percentile bins, net value) on plain C arrays.  Nothing here knows about
 *	  SQL; src/eval.c holds the aggregate glue.
 *
 * Rows are kept per arm (arm 0 = control, arm 1 = treated), so the treatment
 * needs no storage.  A row is a run of doubles:
 *   METRIC_PLAIN    score, outcome                 (16 bytes)
 *   METRIC_COST     score, value, cost             (24 bytes)
 *   METRIC_ORDERED  score, outcome, input sequence (24 bytes; the sequence is
 *                   an int64 stored in the third slot)
 * After metric_sort each arm is in descending score order (METRIC_ORDERED:
 * equal scores later-input first, scikit-uplift's order), and a cursor walks
 * both arms together, one group of equal scores (or one row) at a time.
 */
#ifndef UPLIFT_EVAL_METRICS_H
#define UPLIFT_EVAL_METRICS_H

#include "postgres.h"

#include <math.h>

typedef enum MetricLayout
{
	METRIC_PLAIN = 0,
	METRIC_COST = 1,
	METRIC_ORDERED = 2
} MetricLayout;

#define METRIC_WIDTH(layout) ((layout) == METRIC_PLAIN ? 2 : 3)

typedef struct MetricArm
{
	double	   *rows;			/* n rows of METRIC_WIDTH doubles */
	int64		n;
	int64		cap;			/* allocated rows */
} MetricArm;

typedef struct MetricData
{
	MetricLayout layout;
	MetricArm	arm[2];			/* [0] control, [1] treated */
	bool		sorted;			/* each arm in metric_sort's order */
} MetricData;

/* Sums over one group of rows (or a fraction of one), per arm. */
typedef struct MetricGroup
{
	double		score;
	double		n[2];			/* rows */
	double		y[2];			/* outcome (value) sum */
	double		y2[2];			/* squared outcome sum */
	double		c[2];			/* cost sum (METRIC_COST) */
} MetricGroup;

typedef struct MetricCursor
{
	const MetricData *d;
	int64		pos[2];
	bool		split_ties;		/* one row per group, in sorted order */
} MetricCursor;

/* Sorting and walking */
extern void metric_sort(MetricData *d);
/* out (na + nb rows) = the rows of a and b, each in metric_sort's order, merged */
extern void metric_merge_rows(MetricLayout layout, const double *a, int64 na,
							  const double *b, int64 nb, double *out);
extern void metric_cursor_init(MetricCursor *c, const MetricData *d, bool split_ties);
extern bool metric_cursor_next(MetricCursor *c, MetricGroup *g);
extern int64 metric_count_groups(const MetricData *d);
extern void metric_group_add(MetricGroup *into, const MetricGroup *g, double fraction);
extern void metric_totals(const MetricData *d, MetricGroup *tot);

/* Curves */
typedef enum MetricCurve
{
	CURVE_QINI = 0,
	CURVE_UPLIFT = 1
} MetricCurve;

/* called at each depth x (rows targeted) with the cumulative sums there */
typedef void (*MetricDepthFn) (void *arg, double x, const MetricGroup *cum);

typedef struct MetricCurveResult
{
	double		auc[2];			/* trapezoid area under each curve */
	double		last_x;			/* rows */
	double		last_y[2];		/* curve value at the last point */
} MetricCurveResult;

extern double metric_qini_value(double nt, double nc, double yt, double yc);
extern double metric_uplift_value(double nt, double nc, double yt, double yc);
extern void metric_walk(MetricData *d, int64 points, MetricDepthFn fn, void *arg);
extern void metric_curves(MetricData *d, MetricCurveResult *res);

typedef enum MetricPerfect
{
	PERFECT_QINI = 0,			/* score y for treated, -y for control */
	PERFECT_UPLIFT = 1			/* 2*(y == t) + (y or t), scikit-uplift's rule */
} MetricPerfect;

extern void metric_set_perfect_scores(MetricData *d, MetricPerfect kind);
extern double metric_random_qini_gain(const MetricData *d);

/* The three scalar metrics; "undefined" is set when the normaliser is 0. */
extern double metric_qini_auc(MetricData *d, bool negative_effect, bool *undefined);
extern double metric_auuc(MetricData *d, bool *undefined);

typedef enum MetricStrategy
{
	STRATEGY_OVERALL = 0,
	STRATEGY_BY_GROUP = 1
} MetricStrategy;

/* top: sums of the rows kept by the cut at k */
extern void metric_top_k(MetricData *d, double k, MetricStrategy strategy,
						 bool split_ties, MetricGroup *top);
extern void metric_top_n(MetricData *d, int64 rows, MetricStrategy strategy,
						 bool split_ties, MetricGroup *top);

/* balance[0 .. n - winsize]: treated share of each window of the ranking */
extern void metric_treatment_balance(MetricData *d, int64 winsize, bool split_ties,
									 double *balance);

/* bins[0..nbins-1]; sum of score*rows in score_sum[] */
extern void metric_bins(MetricData *d, int nbins, MetricStrategy strategy,
						bool split_ties, MetricGroup *bins, double *score_sum);

/* Kendall's tau-b of (rank, value) over n items, rank = position 0..n-1 */
extern double metric_kendall_tau_b(const double *value, int n);

/* two-sided 95% normal quantile */
#define METRIC_Z95 1.959963984540054

/* The statistics of one bin (or of all rows). */
typedef struct MetricBinStats
{
	double		n[2];
	double		rate[2];		/* mean outcome; NaN when the arm has no row */
	double		std[2];			/* sqrt((mean(y^2) - rate^2) / n) */
	double		uplift;			/* rate[1] - rate[0] */
	double		std_uplift;		/* sqrt(std[1]^2 + std[0]^2) */
	double		mean_score;		/* score_sum / rows */
} MetricBinStats;

/*
 * rate and std are NaN for an arm without rows; a value whose sums
 * overflowed double precision is +inf.
 */
extern void metric_bin_stats(const MetricGroup *g, double score_sum, MetricBinStats *s);

/*
 * +inf for NaN: where NaN cannot mean "no rows", it comes from a sum that
 * overflowed (inf - inf).
 */
static inline double
metric_overflow_inf(double x)
{
	return isnan(x) ? INFINITY : x;
}

/* Rows whose outcome is neither 0 nor 1. */
extern int64 metric_count_non_binary(const MetricData *d);

typedef struct MetricCalibration
{
	double		calibration_error;	/* row-weighted mean |mean_score - uplift| */
	double		max_gap;
	int32		within_ci;		/* bins whose 95% interval holds mean_score */
	double		kendall_tau;
	int32		inversions;		/* uplift above the previous bin's */
} MetricCalibration;

extern void metric_calibration(const MetricBinStats *s, int nbins, MetricCalibration *c);

/* Net value of targeting the top x rows. */
typedef enum MetricNetScale
{
	NET_SCALE_QINI = 0,
	NET_SCALE_UPLIFT = 1,
	NET_SCALE_NONE = 2
} MetricNetScale;

typedef struct MetricNet
{
	double		value_uplift;	/* Vt/Nt - Vc/Nc */
	double		inc_value;
	double		inc_cost;
	double		net;
} MetricNet;

extern void metric_net(MetricNetScale scale, double fixed_cost, double x,
					   const MetricGroup *cum, MetricNet *r);

#endif							/* UPLIFT_EVAL_METRICS_H */
