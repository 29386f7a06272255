/*
 * learn.h
 *	  The learner dispatcher of uplift_fit: its state (settings, training
 *	  buffer, range of the logged propensities), the settings codec and the
 *	  fit from the state to an UpliftModel.
 *
 * learn.c takes every decision of a fit before a learner runs: the options
 * read into settings, rows or per-arm moments, the checks on each row and
 * on the arms, the base, the per-arm weights and the model's header with
 * its canonical options.  It calls the learners (learn_ts.c, learn_meta.c),
 * which fit their heads through learn_head.c with the solvers (linear.c,
 * logistic.c).  src/fit.c is the SQL glue.
 */
#ifndef UPLIFT_LEARN_H
#define UPLIFT_LEARN_H

#include "postgres.h"
#include "lib/stringinfo.h"
#include "utils/jsonb.h"

#include "bytes.h"
#include "learn_head.h"
#include "model.h"
#include "trainbuf.h"

typedef struct LearnState
{
	LearnSettings settings;
	TrainBuf   *buf;
	/* logged propensities as given, before min_propensity clips them */
	double		prop_min;		/* NaN before the first weighted row */
	double		prop_max;
	int64		n_clipped;		/* rows raised to min_propensity */
} LearnState;

/*
 * A new state in cxt for rows of p features (with a propensity when
 * weighted), with the settings read from the options of uplift_fit (NULL:
 * every default).
 */
extern LearnState *learn_state_create(MemoryContext cxt, Jsonb *opts, int32 p,
									  bool weighted);

/* A new empty state in cxt with the settings and row layout of st. */
extern LearnState *learn_state_empty_like(const LearnState *st,
										  MemoryContext cxt);

/*
 * Check one row (p feature values already read) and add it; propensity is
 * ignored unless the state is weighted.
 */
extern void learn_state_add(LearnState *st, const double *x, int32 action,
							double outcome, double propensity);

/*
 * The checks learn_state_add makes on a row (treatment range, finite
 * outcome, 0/1 outcome when base is logistic, propensity in (0, 1] when
 * weighted), with the same errors.
 */
extern void learn_check_row(int32 base, bool weighted, int32 action,
							double outcome, double propensity);

/*
 * Make a state without rows stand for rows kept elsewhere (the passes of
 * uplift_fit_query): n_arms arms with these rows and propensity ranges.
 * The state's prop_min, prop_max and n_clipped are the caller's to set.
 */
extern void learn_state_summarize(LearnState *st, int32 n_arms, const int64 *nrows,
								  const double *prop_min, const double *prop_max,
								  bool all_binary);

/* Move the rows of "from" into "into" (the same settings). */
extern void learn_state_merge(LearnState *into, LearnState *from);

/* Do these options of uplift_fit grow forests (learner or base "forest")? */
extern bool learn_fits_forest(Jsonb *opts);

/* The error for a NULL argument of a row of uplift_fit ("features", ...). */
extern void learn_null_arg_error(const char *what) pg_attribute_noreturn();

/*
 * Will uplift_fit with these options keep its rows, rather than per-arm
 * moments?  For the planner, which sees constant options before any row: it
 * never raises an error (bad options are reported when the fit runs; they
 * count as keeping rows) and assumes few enough features for moments.
 */
extern bool learn_options_keep_rows(Jsonb *opts);

/* Versioned bytes: write, and read back into a new state in cxt. */
extern void learn_state_serialize(StringInfo out, const LearnState *st);
extern LearnState *learn_state_deserialize(ByteReader *r, MemoryContext cxt);

/*
 * Fit the model the settings ask for; palloc'd in the current context.
 * Long fits report their phases to progress (NULL: nowhere).
 */
extern UpliftModel *learn_fit(const LearnState *st, Progress *progress);

/*
 * The decisions learn_fit takes before its learner runs, from the state's
 * arms (not its rows): checks the arms and the learner's restrictions,
 * chooses the base and returns the model's header (no heads yet; arm rows
 * and outcome means allocated, not set).  settings, a copy of st's, may be
 * completed (a forest's criterion).
 */
extern UpliftModel *learn_fit_header(const LearnState *st, LearnSettings *settings);

/*
 * Error unless every number of a fitted model is finite and the model is
 * valid (what learn_fit checks last).
 */
extern void learn_model_check(const UpliftModel *m);

/*
 * Why st cannot be fitted for want of rows in an arm (a palloc'd sentence
 * for an error detail), or NULL when every arm has rows.
 */
extern char *learn_incomplete(const LearnState *st);

#endif							/* UPLIFT_LEARN_H */
