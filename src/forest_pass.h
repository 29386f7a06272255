/*
 * forest_pass.h
 *	  The aggregate uplift_forest_pass, one pass of uplift_fit_query's uplift
 *	  forest over the rows of a query (forest_pass.c), and its setup and
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
 *	  With an arm set, a pass of any kind takes the rows of that treatment
 *	  alone, as arm 0 of a one-arm forest (a head of the T-learner with base
 *	  "forest"); their keys are still those of their treatment.
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

/* The task of a pass, as the driver states it. */
typedef struct ForestPassSetup
{
	int			kind;
	int32		p;
	int32		n_arms;
	int32		arm;			/* the only treatment taken (n_arms 1), or -1 */
	int			design;			/* FOREST_DESIGN_*: p features make the columns */
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
