/*
 * tree_model.h
 *	  A grown forest as compact arrays: its nodes, its leaves' per-arm
 *	  means, the code sets of categorical splits and the level tables of
 *	  categorical features; prediction of a row without allocating, feature
 *	  importances, and a versioned, fully validated byte format.
 *
 * Every tree's nodes are contiguous, root first, and a split node's
 * children come after it (left, then right at left + 1).  A row goes left
 * at a numeric split when x <= threshold (codes 1..code), at a categorical
 * split when the code of its level is in the node's code set, and a
 * missing value (NaN) goes where the default-left flag says.
 */
#ifndef UPLIFT_TREE_MODEL_H
#define UPLIFT_TREE_MODEL_H

#include "postgres.h"
#include "lib/stringinfo.h"

#include "tree_bins.h"

#define TREE_NODE_DEFAULT_LEFT	0x01	/* missing values go left */
#define TREE_NODE_CATEGORICAL	0x02	/* split on a code set */

typedef struct TreeNode
{
	int32		left;			/* left child (right is left + 1); -1: leaf */
	int16		feature;
	uint8		flags;
	uint8		code;			/* numeric split: codes 1..code go left */
	union
	{
		double		threshold;	/* numeric split: x <= threshold goes left */
		int32		set;		/* categorical split: its code set */
		int32		value;		/* leaf: the first of its n_arms values */
	}			u;
} TreeNode;						/* 16 bytes: four to a cache line */

/* Codes going left at a categorical split: bit c of byte c / 8. */
typedef struct TreeCodeSet
{
	uint8		bits[32];
} TreeCodeSet;

typedef struct TreeForest
{
	int32		p;				/* features */
	int32		n_arms;			/* values per leaf */
	int32		n_trees;
	int32		n_nodes;
	int32		n_values;
	int32		n_sets;
	uint8		criterion;		/* TreeCriterion it was grown with */
	int32	   *roots;			/* n_trees */
	TreeNode   *nodes;
	double	   *values;
	TreeCodeSet *sets;
	double	   *importance;		/* p: gain per feature, summing to 1 (or all 0) */
	TreeBinFeature *feat;		/* p: categorical level tables (numeric: none) */
} TreeForest;

static inline bool
tree_code_in_set(const TreeCodeSet *s, uint8 code)
{
	return (s->bits[code >> 3] >> (code & 7)) & 1;
}

/* Whether a row whose code at split node nd's feature is c goes left. */
static inline bool
tree_node_goes_left(const TreeNode *nd, const TreeCodeSet *sets, uint8 c)
{
	if (c == TREE_CODE_MISSING)
		return (nd->flags & TREE_NODE_DEFAULT_LEFT) != 0;
	if (nd->flags & TREE_NODE_CATEGORICAL)
		return tree_code_in_set(&sets[nd->u.set], c);
	return c <= nd->code;
}

/*
 * The mean over trees of the leaves' per-arm values for a row, out[n_arms]:
 * from raw values x[p] (NaN = missing), or from bin codes[p].  Neither
 * allocates.
 */
extern void tree_forest_predict(const TreeForest *f, const double *x, double *out);
extern void tree_forest_predict_codes(const TreeForest *f, const uint8 *codes,
									  double *out);

/* Depth of the deepest leaf, and the number of leaves. */
extern void tree_forest_shape(const TreeForest *f, int32 *max_depth, int32 *leaves);

/* Versioned bytes with a checksum, and back: every byte is checked. */
extern void tree_forest_serialize(StringInfo buf, const TreeForest *f);
extern TreeForest *tree_forest_deserialize(const void *data, Size len);

#endif							/* UPLIFT_TREE_MODEL_H */
