/*
 * forest_pass.h
 *	  The aggregate uplift_forest_pass, one pass of one of uplift_fit_query's
 *	  forests over the rows of a query (forest_pass.c), and its setup and
 *	  result.
 *
 * uplift_forest_pass(features, treatment, outcome, propensity, setup)
 * takes its task from setup (a bytea, the same on every row, made by
 * forest_pass_setup):
 *
 *	  kind "sample": per arm the exact sums of w and w y (w the row's inverse
 *	  propensity in a weighted fit, else 1) and the largest w, the largest
 *	  |outcome|, whether every outcome is 0 or 1, and the bin sample: the
 *	  rows whose keys (learn_forest.h) order first (tree_bins_sample_order),
 *	  at most sample_size distinct keys, each with the number of rows that
 *	  share it.
 *
 *	  kind "level": the statistics of the open block of a level of the
 *	  forest (tree_stats.h) over the rows, routed as the setup's router says
 *	  (tree_grower_write_router); kind "leaves": honest estimation's sums per
 *	  leaf.  A row's weight is w times its arm's factor in a weighted arm
 *	  (learn_forest_weight_factor), else 1.
 *
 *	  A pass takes the rows of the treatments the setup names.  The uplift
 *	  forest's statistics have an arm per treatment; a forest head's
 *	  ("pooled") have one, over the rows' features or the S-learner's
 *	  design, and of their outcome or one derived from it and the outcome
 *	  forests the setup carries (class transformation, X- and DR-learners).
 *
 * The state is a value of type uplift_forest_pass_state, its size bounded
 * by the sample or the block (never by the rows), with a combine function,
 * so passes run in parallel workers and on the shards of a distributed
 * table; the result is the state's portable form, read by forest_pass_read.
 */
#ifndef UPLIFT_FOREST_PASS_H
#define UPLIFT_FOREST_PASS_H

#include "postgres.h"

#include "exact_sum.h"
#include "tree_grow.h"

#define FOREST_PASS_SAMPLE 0
#define FOREST_PASS_LEVEL 1
#define FOREST_PASS_LEAVES 2

/*
 * The columns of a row: its features, or the forest S-learner's design, the
 * features and an indicator of each treatment 1..n_arms-1 (uplift_s_design
 * without products); over the design the statistics have one arm, and the
 * weights are still each treatment's.
 */
#define FOREST_DESIGN_FEATURES 0
#define FOREST_DESIGN_S 1

/* The outcome a forest is grown on (learn_meta.c): the row's, or derived. */
#define FOREST_DERIVE_NONE 0
#define FOREST_DERIVE_CT 1		/* +-y / propensity */
#define FOREST_DERIVE_X_CONTROL 2	/* mu_k(x) - y */
#define FOREST_DERIVE_X_TREATED 3	/* y - mu_0(x) */
#define FOREST_DERIVE_DR 4		/* the doubly robust pseudo-outcome of k */

/* The task of a pass, as the driver states it. */
typedef struct ForestPassSetup
{
	int			kind;
	int32		p;				/* features of a row */
	int32		n_arms;			/* treatments 0..n_arms-1 */
	const bool *take;			/* n_arms: the treatments whose rows are taken */
	bool		pooled;			/* a forest head: the statistics have one arm */
	int			design;			/* FOREST_DESIGN_*: p features make the columns */
	int			derive;			/* FOREST_DERIVE_* */
	int32		action;			/* k of a derived outcome */
	const double *share_inv;	/* n_arms: n / n_a, or NULL when not derived */
	const struct TreeForest *mu_k;	/* the outcome forests it reads, or NULL */
	const struct TreeForest *mu_0;
	bool		weighted;		/* the query has a propensity column */
	double		min_propensity;
	const bool *use_w;			/* n_arms: weighted by inverse propensity */
	const double *factor;		/* n_arms: their weight factors (level kinds) */
	int64		sample_size;	/* sample */
	uint64		seed;			/* sample */
	const TreeGrower *grower;	/* level kinds: the growing forest */
} ForestPassSetup;

/* The setup's bytes. */
extern bytea *forest_pass_setup(const ForestPassSetup *setup);

/* A pass's result. */
typedef struct ForestPassResult
{
	int			kind;
	int32		p;				/* columns: the features, or the design's */
	int32		n_arms;
	int64		nrows;
	/* sample */
	ExactSum   *sum_w;			/* n_arms */
	ExactSum   *sum_wy;			/* n_arms */
	double	   *max_w;			/* n_arms */
	double		max_y;
	bool		binary;			/* every outcome is 0 or 1 */
	int64		n_sample;		/* distinct keys in the sample */
	double	   *sample_x;		/* n_sample x p, row-major */
	int64	   *sample_count;	/* n_sample */
	/* level kinds */
	TreeStats  *stats;
} ForestPassResult;

/* A pass's result (uplift_forest_pass's value), read and checked. */
extern ForestPassResult *forest_pass_read(bytea *result);

#endif							/* UPLIFT_FOREST_PASS_H */
