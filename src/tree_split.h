/*
 * tree_split.h
 *	  Split criteria of the tree engine, as functions of the per-arm sums of
 *	  a node and of a candidate left child (tree_stats.h).
 *
 * Uplift criteria (arm 0 is the control, arms 1..K the treatments; one
 * tree for every arm, as causalml grows it for several treatments):
 *	  kl   sum over treatments of KL(p_t || p_c)           (Rzepakowski and
 *	  ed   sum of 2 (p_t - p_c)^2                           Jaroszewicz 2012)
 *	  chi  sum of (p_t - p_c)^2 / p_c + (p_t - p_c)^2 / (1 - p_c)
 *	  ddp  |D(left) - D(right)|, D = p_t - p_c, one treatment only
 *	       (Hansotia and Rukstales 2002)
 *	  cts  p_L max_t p_t(L) + p_R max_t p_t(R) - max_t p_t(node), any outcome
 *	       (contextual treatment selection, Zhao et al. 2017)
 * with causalml's UpliftTreeClassifier conventions: p_t are the arms' means
 * shrunk towards the parent node's by n_reg pseudo-rows (an arm with at most
 * min_samples_treatment rows takes the parent's mean), the gain of kl, ed
 * and chi is p_L D(L) + p_R D(R) - D(node) divided, when normalization is on,
 * by causalml's normI factor (entropies of the arm and split shares, plus
 * 1/2), and a split needs min_samples_leaf rows on each side and
 * min_samples_treatment rows of every arm on each side.  causalml computes
 * its KL and normI in single precision; here everything is double.
 *
 * Plain criteria, for forests that predict one outcome (one arm):
 *	  variance  sum w (y - mean)^2 of the node minus the children's
 *	  gini      sum w x 2 p (1 - p), node minus children (0/1 outcome)
 *	  entropy   sum w x H2(p), node minus children (0/1 outcome, bits)
 */
#ifndef UPLIFT_TREE_SPLIT_H
#define UPLIFT_TREE_SPLIT_H

#include "postgres.h"

#include "tree_stats.h"

typedef enum TreeCriterion
{
	TREE_KL,
	TREE_ED,
	TREE_CHI,
	TREE_DDP,
	TREE_CTS,
	TREE_VARIANCE,
	TREE_GINI,
	TREE_ENTROPY
} TreeCriterion;

/* Names, in TreeCriterion order, NULL-terminated (for option parsing). */
extern const char *const tree_criterion_names[];

static inline bool
tree_criterion_is_uplift(TreeCriterion c)
{
	return c <= TREE_CTS;
}

typedef struct TreeSplitParams
{
	TreeCriterion criterion;
	int32		n_arms;			/* uplift: 2 or more; plain: 1 */
	double		n_reg;
	bool		normalization;
	double		min_samples_leaf;
	double		min_samples_treatment;
} TreeSplitParams;

/*
 * Scratch for tree_split_gain, so that scanning candidate splits never
 * allocates: three arrays of n_arms.
 */
typedef struct TreeSplitScratch
{
	TreeCell   *right;
	double	   *sum_left;
	double	   *sum_right;
} TreeSplitScratch;

extern void tree_split_scratch_init(TreeSplitScratch *scr, int32 n_arms);

/*
 * The node's summary: the per-arm means of cells (n_arms), shrunk towards
 * parent (NULL at the root) as described above.
 */
extern void tree_node_summary(const TreeSplitParams *sp, const TreeCell *cells,
							  const double *parent, double *out);

/* The evaluation function D of a summary (kl, ed, chi, ddp, cts). */
extern double tree_summary_score(const TreeSplitParams *sp, const double *summary);

/*
 * The gain of splitting node (per-arm totals, with summary node_summary)
 * into left and node - left, or -INFINITY when the split is not allowed.
 * *importance gets causalml's unnormalised, size-weighted gain (what
 * feature importances add up).
 */
extern double tree_split_gain(const TreeSplitParams *sp, const TreeCell *node,
							  const double *node_summary, const TreeCell *left,
							  TreeSplitScratch *scr, double *importance);

#endif							/* UPLIFT_TREE_SPLIT_H */
