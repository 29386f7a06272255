/*
 * fit_query.h
 *	  uplift_fit_query: a fit over passes of a query, each pass one aggregate
 *	  with a bounded, mergeable state, so that no backend holds the training
 *	  rows (see fit_query.c).
 */
#ifndef UPLIFT_FIT_QUERY_H
#define UPLIFT_FIT_QUERY_H

#include "postgres.h"
#include "utils/jsonb.h"

#include "progress.h"

/* Columns of a training query, by position. */
#define FIT_QUERY_FEATURES 0
#define FIT_QUERY_TREATMENT 1
#define FIT_QUERY_OUTCOME 2
#define FIT_QUERY_PROPENSITY 3

/* What the fit reports while it runs (uplift.progress). */
typedef struct FitQueryProgress
{
	Progress	report;
	int			passes;			/* run so far */
	int64		rows_per_pass;	/* the query's rows, once the first pass counted them */
	const char *task;			/* what the next passes are for */
} FitQueryProgress;

typedef struct FitQuery
{
	const char *sql;			/* the caller's query, checked */
	const char *schema;			/* the extension's schema, quoted */
	int			ncols;			/* 3, or 4 with a propensity */
	Oid			coltypes[4];	/* the query's column types */
	MemoryContext cxt;			/* where pass results are copied */
	FitQueryProgress *progress;	/* changes as the passes run */
} FitQuery;

/*
 * Say what the next passes are for ("growing the forest: level 2 of 5"):
 * each pass is reported, when a report is due, as "pass N, <task>" with the
 * rows read by the passes so far (task is copied).
 */
extern void fit_query_task(const FitQuery *fq, const char *task);

/* The first pass counted the query's rows: every pass reads as many. */
extern void fit_query_count_rows(const FitQuery *fq, int64 rows);

/*
 * Run one pass: SELECT <call> FROM (<query>) AS q(features, treatment,
 * outcome[, propensity]), where call is an aggregate call over the columns
 * q.features, q.treatment, q.outcome and q.propensity that may use the
 * parameters $1..$nargs.  Returns the single result (NULL sets *isnull),
 * copied into fq->cxt.  The query runs read-only, with the caller's rights
 * and snapshot (every pass sees the same rows), and may use parallel plans.
 */
extern Datum fit_query_pass(const FitQuery *fq, const char *call, int nargs,
							Oid *argtypes, Datum *args, bool *isnull);

/*
 * The call of a pass's aggregate (in the extension's schema) over the
 * query's columns and the setup $1: aggregate(features, treatment, outcome,
 * propensity or NULL, $1).
 */
extern char *fit_query_call(const FitQuery *fq, const char *aggregate);

/*
 * The first pass of every fit: per arm the rows and the propensity ranges,
 * in a state without rows (learn_state_summarize) with the settings of
 * opts, for learn_fit_header (fit_query_newton.c).
 */
struct LearnState;
extern struct LearnState *fit_query_summary(const FitQuery *fq, Jsonb *opts);

/* The fits: the serialized uplift_model, palloc'd in the current context. */
extern bytea *fit_query_newton(const FitQuery *fq, Jsonb *opts);
extern bytea *fit_query_forest(const FitQuery *fq, Jsonb *opts);

#endif							/* UPLIFT_FIT_QUERY_H */
