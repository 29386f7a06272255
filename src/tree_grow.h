/*
 * tree_grow.h
 *	  Growing a forest, level by level and every tree at once, from the
 *	  sufficient statistics of binned rows (tree_stats.h, tree_split.h).
 *
 * A row's multiplicity in a tree (Poisson(1) bootstrap count, or 0/1 for a
 * subsample) and, with honest estimation, the half it belongs to are drawn
 * from a hash of its row hash, the tree and the seed, never from its
 * position, so the same rows in any order give the same forest.  The
 * features a node may split on (max_features of them) are drawn from a hash
 * of the seed, the tree and the node.
 *
 * Each level is one pass over the rows: the rows of every open node of every
 * tree add up into blocks of statistics (nodes x features x bins x arms; the
 * level as a whole bounded by stats_memory), then every node takes its best
 * split.  A level larger than 16 MB comes in several blocks, each for a
 * group of trees, so that the memory of a fit does not grow with the number
 * of trees; each tree still sees the rows once per level.  A numeric
 * feature splits between consecutive bins; a categorical one orders its
 * levels by their uplift at the node (by their mean for plain criteria) and
 * splits that order; missing values go to the side that gives the larger
 * gain (the heavier side when the node saw none), or alone against every
 * value when that gains most (a numeric split with code nbins and an
 * infinite threshold: "missing incorporated in attributes").  With honest estimation
 * the structure is grown on half of each tree's rows and the leaves' values
 * are the other half's means (an arm without rows there keeps the value the
 * structure half gave it).
 *
 * max_depth counts levels of splits, as scikit-learn's does: a tree of
 * max_depth d has at most 2^d leaves.  causalml's max_depth counts levels of
 * nodes, so its max_depth d is max_depth d - 1 here.
 *
 * Everything is allocated in CurrentMemoryContext, which the caller resets;
 * the memory a fit needs beyond the rows is the statistics of one level
 * (bounded by stats_memory) and the trees.
 */
#ifndef UPLIFT_TREE_GROW_H
#define UPLIFT_TREE_GROW_H

#include "postgres.h"
#include "lib/stringinfo.h"

#include "bytes.h"
#include "tree_bins.h"
#include "tree_model.h"
#include "tree_split.h"
#include "tree_stats.h"

/* Largest max_depth and number of trees a forest may have. */
#define TREE_MAX_DEPTH 20
#define TREE_MAX_TREES 10000
/* Most arms (control and treatments). */
#define TREE_MAX_ARMS 256
/* Largest bootstrap multiplicity of a row in a tree. */
#define TREE_MAX_COUNT 15

/* Training rows (all of them, or one partition): about p + 13 bytes a row. */
typedef struct TreeData
{
	int64		n;
	int32		p;
	int32		n_arms;
	const uint8 *codes;			/* n x p bin codes, row-major */
	const uint8 *arm;			/* n arms (0 = control), or NULL: all 0 */
	const double *y;			/* n outcomes */
	const double *w;			/* n weights >= 0, or NULL: all 1 */
	const uint32 *rowhash;		/* n row hashes (tree_row_hash) */
} TreeData;

/*
 * What the grower needs to know of all the rows before it starts: counts,
 * and the largest magnitudes, which fix the statistics' grids.  Mergeable.
 */
typedef struct TreeDataSummary
{
	int64		n;
	int32		n_arms;
	int64		arm_rows[TREE_MAX_ARMS];
	double		max_w;
	double		max_y;
	bool		binary;			/* every outcome is 0 or 1 */
} TreeDataSummary;

typedef struct TreeParams
{
	TreeCriterion criterion;
	int32		n_trees;
	int32		max_depth;		/* split levels: a tree has at most 2^max_depth leaves */
	double		min_samples_leaf;
	double		min_samples_treatment;
	double		n_reg;
	bool		normalization;
	int32		max_features;	/* features tried per node; 0: all */
	bool		bootstrap;		/* Poisson(1) counts; else a subsample */
	double		subsample;		/* without bootstrap: share of rows per tree */
	bool		honest;
	uint64		seed;
	Size		stats_memory;	/* bytes for the statistics of one level */
} TreeParams;

/*
 * Defaults: causalml's (kl, n_reg 100, normalised, min_samples_leaf 100,
 * min_samples_treatment 10), 100 bootstrapped trees of depth 5, all
 * features, 256 MB of statistics.
 */
extern void tree_params_default(TreeParams *par);

/* Summaries: start empty, add rows (checking each), merge two. */
extern void tree_data_summary_init(TreeDataSummary *s, int32 n_arms);
extern void tree_data_summarize(TreeDataSummary *s, const TreeData *d,
								const TreeBins *bins);
extern void tree_data_summary_merge(TreeDataSummary *into,
									const TreeDataSummary *from);

/*
 * Growing step by step, so that the statistics of each level can be
 * computed over any partition of the rows and merged:
 *
 *	  g = tree_grower_create(bins, par, summary);
 *	  while ((st = tree_grower_level(g)) != NULL)
 *	  {
 *		  tree_grower_add_rows(g, st, rows);	(for every partition; merge)
 *		  tree_grower_split(g, st);
 *	  }
 *	  if ((st = tree_grower_leaves(g)) != NULL)	(honest estimation)
 *	  {
 *		  tree_grower_add_leaf_rows(g, st, rows);	(idem)
 *		  tree_grower_set_leaves(g, st);
 *	  }
 *	  forest = tree_grower_forest(g);
 *
 * tree_grower_level may open a level in several blocks (one per group of
 * trees): callers loop until it returns NULL and never count on one block a
 * level.  tree_grower_depth is the level of the open block (0-based).
 * tree_grower_split and tree_grower_set_leaves free the block they are given.
 * tree_grow does exactly that on one set of rows.
 */
typedef struct TreeGrower TreeGrower;

extern TreeGrower *tree_grower_create(const TreeBins *bins, const TreeParams *par,
									  const TreeDataSummary *summary);
extern TreeStats *tree_grower_level(TreeGrower *g);
extern int32 tree_grower_depth(const TreeGrower *g);

/*
 * The most bytes of one block (4 MB unless set; a block holds one tree at
 * least).  Rows read by passes of a query take a pass per block, so they
 * want larger blocks than rows held in memory.  The trees are the same.
 */
extern void tree_grower_set_block_bytes(TreeGrower *g, Size bytes);
extern void tree_grower_add_rows(const TreeGrower *g, TreeStats *st,
								 const TreeData *d);
extern void tree_grower_split(TreeGrower *g, TreeStats *st);
extern TreeStats *tree_grower_leaves(TreeGrower *g);
extern void tree_grower_add_leaf_rows(const TreeGrower *g, TreeStats *st,
									  const TreeData *d);
extern void tree_grower_set_leaves(TreeGrower *g, TreeStats *st);
extern TreeForest *tree_grower_forest(TreeGrower *g);

/*
 * A pass over a partition of the rows in another process (forest_pass.c):
 * the open block's routing (which node of which tree a row reaches, its
 * draws, its value's grid, the features of each slot) and the bins, as
 * bytes, the level's block (leaves false) or honest estimation's (true,
 * after tree_grower_leaves).  Read back, a grower that can only add rows:
 * tree_grower_router_stats makes its empty block, tree_grower_add_rows
 * (or tree_grower_add_leaf_rows) fills it, and the merged blocks go to the
 * growing grower's tree_grower_split (or tree_grower_set_leaves).  The
 * reader checks everything a walk relies on.
 */
extern void tree_grower_write_router(const TreeGrower *g, bool leaves, StringInfo out);
extern TreeGrower *tree_grower_read_router(ByteReader *r, bool *leaves);
extern const TreeBins *tree_grower_bins(const TreeGrower *g);
extern TreeStats *tree_grower_router_stats(const TreeGrower *g, bool leaves);

extern TreeForest *tree_grow(const TreeData *d, const TreeBins *bins,
							 const TreeParams *par);

#endif							/* UPLIFT_TREE_GROW_H */
