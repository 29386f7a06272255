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

#include "bytes.h"
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

/*
 * The layout a forest is scored with, built once when it is read (or
 * grown): not part of the byte format.  A row's values are first coded
 * against the thresholds its trees use (per feature, a binary search in
 * their sorted distinct values, the searches of all features advancing
 * together), then every tree is walked over the codes with 8-byte nodes
 * (or, with leaf masks, not walked: see TreeMasks).  A numeric split's threshold is the k-th (1-based) of
 * its feature's, and the row goes right when its code exceeds k; a missing
 * value is coded 0 (goes left) in one slot of its feature and above any k
 * (goes right) in the other, and a split reads the slot its default
 * direction asks for.  A leaf leads to itself through a slot that is always
 * 0, so every walk takes the same number of steps, without branches.  A
 * categorical split (k = TREE_WALK_SET) is decided by its code set.
 */
#define TREE_WALK_SET PG_UINT16_MAX

typedef struct TreeWalkNode
{
	int32		next;			/* left child (right: next + 1); a leaf: itself */
	uint16		slot;			/* the row code it reads */
	uint16		k;				/* goes right when that code > k */
} TreeWalkNode;

/*
 * Leaf masks, for forests whose trees have at most 64 leaves: each tree's
 * leaves numbered left to right, the leaf a row reaches is the leftmost
 * one outside the left subtree of every split that sends the row right
 * (Lucchese et al., QuickScorer, SIGIR 2015).  Whether a split sends a row
 * right depends only on the row's code of the split's feature, so one word
 * per tree, for each feature some split reads and each of its codes, holds
 * the leaves its splits on that feature leave reachable; a row's leaf is the
 * lowest bit set in the AND of its features' words.  A row's mask code of a
 * numeric feature is 0 when missing, else its walk code (1 + the rank of
 * its value among the cuts); of a categorical one, its bin code.
 */
#define TREE_MASK_GROUP 8		/* trees ANDed together; words per tree row padded to it */

typedef struct TreeMasks
{
	int32		n_words;		/* trees, rounded up to TREE_MASK_GROUP */
	int32		n_used;			/* features some split reads */
	int32	   *used;			/* n_used: those features */
	int32	   *first_row;		/* n_used: the table row of each one's code 0 */
	uint32	   *table;			/* rows x n_words: reachable leaves, per tree */
	int32	   *first_leaf;		/* n_trees: the tree's first entry in leaf_value */
	int32	   *leaf_value;		/* every tree's leaves, left to right: first value */
} TreeMasks;

typedef struct TreeWalk
{
	int32		n_slots;		/* 2 p + 1: two per feature, then a constant 0 */
	uint16	   *slots;			/* n_slots: the codes of the row being scored */
	bool		has_sets;		/* some split is categorical */
	int32	   *block_depth;	/* per block of TREE_WALK_BLOCK trees: deepest leaf */
	TreeWalkNode *nodes;		/* n_nodes, numbered as the forest's */
	int32	   *value_at;		/* n_nodes: a leaf's first value (else 0) */
	int32	   *n_cuts;			/* p: distinct thresholds of a numeric feature */
	int32	   *search_row;		/* p: its row of search, or -1 when it has none */
	int32		n_searched;		/* numeric features with thresholds */
	int32	   *searched;		/* n_searched: those features, increasing */
	int32		stride;			/* a power of 2 above every n_cuts */
	double	   *search;			/* n_searched x stride: the thresholds, then +inf */
	TreeMasks  *masks;			/* or NULL: then the trees are walked */
} TreeWalk;

/* Trees walked together, one level at a time. */
#define TREE_WALK_BLOCK 128

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
	TreeWalk   *walk;			/* scoring layout, or NULL (see tree_forest_prepare) */
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
 * allocates (tree_score.c).
 */
extern void tree_forest_predict(const TreeForest *f, const double *x, double *out);
extern void tree_forest_predict_codes(const TreeForest *f, const uint8 *codes,
									  double *out);

/*
 * Build f->walk, and f->walk->masks when they suit the forest, with which
 * tree_forest_predict scores (without them, it walks f->nodes directly; the
 * results are the same to the bit).  A forest the layout cannot hold (over
 * 32,766 features, over 65,533 thresholds of one feature, or over 16 MB of
 * padded thresholds) keeps f->walk NULL.
 */
extern void tree_forest_prepare(TreeForest *f);

/* Depth of the deepest leaf, and the number of leaves. */
extern void tree_forest_shape(const TreeForest *f, int32 *max_depth, int32 *leaves);

/* Versioned bytes with a checksum, and back: every byte is checked. */
extern void tree_forest_serialize(StringInfo buf, const TreeForest *f);
extern TreeForest *tree_forest_deserialize(const void *data, Size len);

/*
 * A forest or none inside a larger value: u8 1 and u32 length and the bytes
 * of tree_forest_serialize, or u8 0.  tree_forest_get reads one back (NULL
 * for none), rejecting a length past the end of the value.
 */
extern void tree_forest_put(StringInfo buf, const TreeForest *f);
extern TreeForest *tree_forest_get(ByteReader *r);

#endif							/* UPLIFT_TREE_MODEL_H */
