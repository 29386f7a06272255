/*
 * tree_score.c
 *	  Prediction of grown forests (see tree_model.h): a plain walk of the
 *	  nodes, and the two layouts a forest gets when it is read, the level
 *	  walk over coded rows and the leaf masks.
 */
#include "postgres.h"

#include <math.h>

#include "miscadmin.h"
#include "port/pg_bitutils.h"

#include "lower_bound.h"
#include "tree_model.h"

/*
 * One step of a row of raw values down from split node nd.  A numeric split
 * (the common case) is decided without a branch: left when x <= threshold,
 * or when x is missing and the node sends missing values left.
 */
static inline const TreeNode *
step_values(const TreeForest *f, const TreeNode *nd, const double *x)
{
	double		v = x[nd->feature];
	int			go_left;

	if (likely(!(nd->flags & TREE_NODE_CATEGORICAL)))
		go_left = (v <= nd->u.threshold) |
			((v != v) & (nd->flags & TREE_NODE_DEFAULT_LEFT));
	else if (isnan(v))
		go_left = (nd->flags & TREE_NODE_DEFAULT_LEFT) != 0;
	else
		go_left = tree_code_in_set(&f->sets[nd->u.set],
								   tree_bins_code(&f->feat[nd->feature], v));
	return &f->nodes[nd->left + 1 - go_left];
}

/* One step of a row of bin codes down from split node nd. */
static inline const TreeNode *
step_codes(const TreeForest *f, const TreeNode *nd, const uint8 *codes)
{
	return &f->nodes[nd->left + (tree_node_goes_left(nd, f->sets, codes[nd->feature]) ? 0 : 1)];
}

/* Trees walked side by side, so that their independent loads overlap. */
#define WALK_GROUP 8

/*
 * Average the leaves a row reaches (raw values x, or codes when x is NULL)
 * over f->nodes.  A walk is a chain of dependent loads whose latency, not
 * its work, bounds one tree, so WALK_GROUP trees advance one level per
 * round.
 */
static void
average_leaves(const TreeForest *f, const double *x, const uint8 *codes,
			   double *out)
{
	for (int32 a = 0; a < f->n_arms; a++)
		out[a] = 0.0;
	for (int32 t0 = 0; t0 < f->n_trees; t0 += WALK_GROUP)
	{
		const TreeNode *cur[WALK_GROUP];
		int			m = Min(WALK_GROUP, f->n_trees - t0);
		bool		moving = true;

		for (int k = 0; k < m; k++)
			cur[k] = &f->nodes[f->roots[t0 + k]];
		while (moving)
		{
			moving = false;
			for (int k = 0; k < m; k++)
			{
				if (cur[k]->left < 0)
					continue;
				cur[k] = x ? step_values(f, cur[k], x) : step_codes(f, cur[k], codes);
				moving = true;
			}
		}
		for (int k = 0; k < m; k++)
		{
			const double *v = f->values + cur[k]->u.value;

			for (int32 a = 0; a < f->n_arms; a++)
				out[a] += v[a];
		}
	}
	for (int32 a = 0; a < f->n_arms; a++)
		out[a] /= f->n_trees;
}

/* ---- the scoring layout (TreeWalk) ---- */

/* Most slots and thresholds of a feature the 16-bit codes can tell apart. */
#define WALK_MAX_SLOTS PG_UINT16_MAX
#define WALK_MAX_CUTS (PG_UINT16_MAX - 2)

static int
cmp_double(const void *a, const void *b)
{
	double		x = *(const double *) a,
				y = *(const double *) b;

	return (x > y) - (x < y);
}

/* Most bytes of the padded cuts of a forest's features. */
#define WALK_MAX_SEARCH_BYTES (16 * 1024 * 1024)

/*
 * Each numeric feature's distinct thresholds, increasing, as rows of
 * w->search padded with +inf to a common power-of-2 stride; false if a
 * feature has too many for the codes or the rows would be too large.
 */
static bool
collect_cuts(const TreeForest *f, TreeWalk *w)
{
	double	  **cuts = palloc0(sizeof(double *) * f->p);
	int32		most = 0;

	w->n_cuts = palloc0(sizeof(int32) * f->p);
	for (int32 i = 0; i < f->n_nodes; i++)
		if (f->nodes[i].left >= 0 && !(f->nodes[i].flags & TREE_NODE_CATEGORICAL))
			w->n_cuts[f->nodes[i].feature]++;
	for (int32 j = 0; j < f->p; j++)
		cuts[j] = palloc(sizeof(double) * Max(w->n_cuts[j], 1));
	memset(w->n_cuts, 0, sizeof(int32) * f->p);
	for (int32 i = 0; i < f->n_nodes; i++)
	{
		const TreeNode *nd = &f->nodes[i];

		if (nd->left >= 0 && !(nd->flags & TREE_NODE_CATEGORICAL))
			cuts[nd->feature][w->n_cuts[nd->feature]++] = nd->u.threshold;
	}
	w->searched = palloc(sizeof(int32) * f->p);
	w->search_row = palloc(sizeof(int32) * f->p);
	for (int32 j = 0; j < f->p; j++)
	{
		double	   *c = cuts[j];
		int32		m = 0;

		qsort(c, w->n_cuts[j], sizeof(double), cmp_double);
		for (int32 k = 0; k < w->n_cuts[j]; k++)
			if (m == 0 || c[k] > c[m - 1])
				c[m++] = c[k];
		w->n_cuts[j] = m;
		most = Max(most, m);
		w->search_row[j] = m > 0 ? w->n_searched : -1;
		if (m > 0)
			w->searched[w->n_searched++] = j;
	}
	w->stride = 1;
	while (w->stride <= most && w->stride <= WALK_MAX_CUTS)
		w->stride *= 2;
	if (most <= WALK_MAX_CUTS &&
		(int64) w->n_searched * w->stride <= WALK_MAX_SEARCH_BYTES / (int64) sizeof(double))
	{
		w->search = palloc(sizeof(double) * Max(w->n_searched * w->stride, 1));
		for (int32 s = 0; s < w->n_searched; s++)
		{
			int32		j = w->searched[s];
			double	   *row = w->search + (int64) s * w->stride;

			memcpy(row, cuts[j], sizeof(double) * w->n_cuts[j]);
			for (int32 k = w->n_cuts[j]; k < w->stride; k++)
				row[k] = INFINITY;
		}
	}
	for (int32 j = 0; j < f->p; j++)
		pfree(cuts[j]);
	pfree(cuts);
	return w->search != NULL;
}

/* The cuts of feature j, increasing (w->n_cuts[j] of them). */
static inline const double *
walk_cuts(const TreeWalk *w, int32 j)
{
	return w->search + (int64) w->search_row[j] * w->stride;
}

/* The walk node of split or leaf i. */
static TreeWalkNode
walk_node(const TreeForest *f, const TreeWalk *w, int32 i)
{
	const TreeNode *nd = &f->nodes[i];
	TreeWalkNode wn;

	if (nd->left < 0)
	{
		wn.next = i;
		wn.slot = (uint16) (w->n_slots - 1);
		wn.k = 0;
	}
	else if (nd->flags & TREE_NODE_CATEGORICAL)
	{
		wn.next = nd->left;
		wn.slot = (uint16) (2 * nd->feature);
		wn.k = TREE_WALK_SET;
	}
	else
	{
		int32		j = nd->feature;

		wn.next = nd->left;
		wn.slot = (uint16) (2 * j + ((nd->flags & TREE_NODE_DEFAULT_LEFT) ? 0 : 1));
		/* the threshold is among the cuts: its rank + 1 */
		wn.k = (uint16) (1 + uplift_lower_bound(walk_cuts(w, j), w->n_cuts[j], nd->u.threshold));
	}
	return wn;
}

/* The deepest leaf of each block of TREE_WALK_BLOCK trees. */
static void
walk_block_depths(const TreeForest *f, TreeWalk *w)
{
	int32	   *depth = palloc_extended(sizeof(int32) * f->n_nodes,
										MCXT_ALLOC_HUGE | MCXT_ALLOC_ZERO);
	int32		n_blocks = (f->n_trees + TREE_WALK_BLOCK - 1) / TREE_WALK_BLOCK;

	w->block_depth = palloc0(sizeof(int32) * n_blocks);
	for (int32 t = 0; t < f->n_trees; t++)
	{
		int32		hi = t + 1 < f->n_trees ? f->roots[t + 1] : f->n_nodes;
		int32	   *bd = &w->block_depth[t / TREE_WALK_BLOCK];

		/* children come after their parent */
		for (int32 i = f->roots[t]; i < hi; i++)
		{
			const TreeNode *nd = &f->nodes[i];

			if (nd->left < 0)
				*bd = Max(*bd, depth[i]);
			else
				depth[nd->left] = depth[nd->left + 1] = depth[i] + 1;
		}
	}
	pfree(depth);
}

/* Features searched together, their independent steps overlapping. */
#define SEARCH_BLOCK 16

/*
 * For features w->searched[s0 .. s0 + m - 1], m <= SEARCH_BLOCK: code[k],
 * 0 when the feature's value in x is missing, else 1 + how many of its cuts
 * lie below it.  The searches advance together, a halving step at a time
 * without branches, so the step of one feature need not wait for the load
 * of another's.
 */
static inline void
search_block(const TreeWalk *w, const double *x, int32 s0, int m, int32 *code)
{
	const double *cuts[SEARCH_BLOCK];
	double		v[SEARCH_BLOCK];
	int32		rank[SEARCH_BLOCK];

	for (int k = 0; k < m; k++)
	{
		cuts[k] = w->search + (int64) (s0 + k) * w->stride;
		v[k] = x[w->searched[s0 + k]];
		rank[k] = 0;
	}
	for (int32 half = w->stride / 2; half > 0; half /= 2)
		for (int k = 0; k < m; k++)
			rank[k] += half & -(int32) (cuts[k][rank[k] + half - 1] < v[k]);
	for (int k = 0; k < m; k++)
		code[k] = isnan(v[k]) ? 0 : 1 + rank[k];
}

/*
 * The codes of a row of raw values: for a numeric feature 1 + the rank of
 * its value among the cuts, a missing one 0 in the first slot and
 * TREE_WALK_SET in the second; for a categorical one its bin code (0 when
 * missing) in both.  A feature no split reads gets code 1; the last slot
 * stays 0.
 */
static void
walk_code_row(const TreeForest *f, const double *x, uint16 *slots)
{
	const TreeWalk *w = f->walk;

	for (int32 j = 0; j < f->p; j++)
		slots[2 * j] = slots[2 * j + 1] =
			f->feat[j].categorical ? tree_bins_code(&f->feat[j], x[j]) : 1;
	for (int32 s0 = 0; s0 < w->n_searched; s0 += SEARCH_BLOCK)
	{
		int32		code[SEARCH_BLOCK];
		int			m = Min(SEARCH_BLOCK, w->n_searched - s0);

		search_block(w, x, s0, m, code);
		for (int k = 0; k < m; k++)
		{
			int32		j = w->searched[s0 + k];

			slots[2 * j] = (uint16) code[k];
			slots[2 * j + 1] = code[k] == 0 ? TREE_WALK_SET : (uint16) code[k];
		}
	}
	slots[w->n_slots - 1] = 0;
}

/*
 * Walk trees t0..t0+m-1 down "depth" levels together: cur[k] ends at the
 * leaf of tree t0 + k.  Every step of every tree is independent of the
 * other trees', so their loads overlap.
 */
static void
walk_block(const TreeForest *f, const uint16 *slots, int32 t0, int m,
		   int32 depth, int32 *cur)
{
	const TreeWalkNode *wn = f->walk->nodes;

	for (int k = 0; k < m; k++)
		cur[k] = f->roots[t0 + k];
	if (!f->walk->has_sets)
	{
		for (int32 d = 0; d < depth; d++)
			for (int k = 0; k < m; k++)
			{
				const TreeWalkNode *nd = &wn[cur[k]];

				cur[k] = nd->next + (slots[nd->slot] > nd->k);
			}
		return;
	}
	for (int32 d = 0; d < depth; d++)
		for (int k = 0; k < m; k++)
		{
			const TreeWalkNode *nd = &wn[cur[k]];

			if (unlikely(nd->k == TREE_WALK_SET))
				cur[k] = nd->next +
					!tree_node_goes_left(&f->nodes[cur[k]], f->sets,
										 (uint8) slots[nd->slot]);
			else
				cur[k] = nd->next + (slots[nd->slot] > nd->k);
		}
}

/*
 * Add to out[n_arms], tree after tree, the values of m leaves, those at
 * f->values + at[k].  With one or two arms the sums stay in registers (the
 * same additions in the same order).
 */
static inline void
add_leaves(const TreeForest *f, const int32 *at, int m, double *out)
{
	const double *values = f->values;

	if (f->n_arms == 1)
	{
		double		s0 = out[0];

		for (int k = 0; k < m; k++)
			s0 += values[at[k]];
		out[0] = s0;
	}
	else if (f->n_arms == 2)
	{
		double		s0 = out[0],
					s1 = out[1];

		for (int k = 0; k < m; k++)
		{
			const double *v = values + at[k];

			s0 += v[0];
			s1 += v[1];
		}
		out[0] = s0;
		out[1] = s1;
	}
	else
		for (int k = 0; k < m; k++)
		{
			const double *v = values + at[k];

			for (int32 a = 0; a < f->n_arms; a++)
				out[a] += v[a];
		}
}

/* tree_forest_predict through f->walk: the same sums in the same order. */
static void
walk_average(const TreeForest *f, const double *x, double *out)
{
	uint16	   *slots = f->walk->slots;
	int32		cur[TREE_WALK_BLOCK];

	walk_code_row(f, x, slots);
	for (int32 a = 0; a < f->n_arms; a++)
		out[a] = 0.0;
	for (int32 t0 = 0; t0 < f->n_trees; t0 += TREE_WALK_BLOCK)
	{
		int			m = Min(TREE_WALK_BLOCK, f->n_trees - t0);

		walk_block(f, slots, t0, m, f->walk->block_depth[t0 / TREE_WALK_BLOCK], cur);
		for (int k = 0; k < m; k++)
			cur[k] = f->walk->value_at[cur[k]];
		add_leaves(f, cur, m, out);
	}
	for (int32 a = 0; a < f->n_arms; a++)
		out[a] /= f->n_trees;
}

/* ---- leaf masks (TreeMasks) ---- */

/* Most bytes of a mask table, and most features it reads a row. */
#define MASK_MAX_BYTES (16 * 1024 * 1024)
#define MASK_MAX_USED 64
#define MASK_USED_PER_LEVEL 6

/* Mask codes of feature j: missing, then 1 + each rank among the cuts. */
static int32
mask_codes(const TreeForest *f, const TreeWalk *w, int32 j)
{
	return f->feat[j].categorical ? f->feat[j].nbins + 1 : w->n_cuts[j] + 2;
}

/* Whether split i sends a row whose mask code of its feature is c left. */
static bool
mask_goes_left(const TreeForest *f, const TreeWalk *w, int32 i, int32 c)
{
	const TreeNode *nd = &f->nodes[i];

	if (nd->flags & TREE_NODE_CATEGORICAL)
		return tree_node_goes_left(nd, f->sets, (uint8) c);
	if (c == 0)
		return (nd->flags & TREE_NODE_DEFAULT_LEFT) != 0;
	return c <= w->nodes[i].k;
}

/*
 * Number each tree's leaves left to right: n_leaves[i] leaves under node i,
 * the first of them rank[i] within its tree.  False when a tree has more
 * than 32.
 */
static bool
mask_number_leaves(const TreeForest *f, int32 *n_leaves, int32 *rank)
{
	for (int32 t = 0; t < f->n_trees; t++)
	{
		int32		lo = f->roots[t],
					hi = t + 1 < f->n_trees ? f->roots[t + 1] : f->n_nodes;

		/* children come after their parent: count bottom up, rank top down */
		for (int32 i = hi - 1; i >= lo; i--)
			n_leaves[i] = f->nodes[i].left < 0 ? 1 :
				n_leaves[f->nodes[i].left] + n_leaves[f->nodes[i].left + 1];
		if (n_leaves[lo] > 32)
			return false;
		rank[lo] = 0;
		for (int32 i = lo; i < hi; i++)
			if (f->nodes[i].left >= 0)
			{
				int32		l = f->nodes[i].left;

				rank[l] = rank[i];
				rank[l + 1] = rank[i] + n_leaves[l];
			}
	}
	return true;
}

/*
 * The features some split reads, the walk's searched features first, then
 * the categorical ones, and the first table row of each.
 */
static TreeMasks *
mask_tables_shape(const TreeForest *f, const TreeWalk *w, int64 *rows)
{
	TreeMasks  *m = palloc0(sizeof(TreeMasks));
	bool	   *read = palloc0(sizeof(bool) * f->p);

	for (int32 i = 0; i < f->n_nodes; i++)
		if (f->nodes[i].left >= 0 && (f->nodes[i].flags & TREE_NODE_CATEGORICAL))
			read[f->nodes[i].feature] = true;
	m->used = palloc(sizeof(int32) * f->p);
	m->first_row = palloc(sizeof(int32) * f->p);
	memcpy(m->used, w->searched, sizeof(int32) * w->n_searched);
	m->n_used = w->n_searched;
	for (int32 j = 0; j < f->p; j++)
		if (read[j])
			m->used[m->n_used++] = j;
	*rows = 0;
	for (int32 u = 0; u < m->n_used; u++)
	{
		m->first_row[u] = (int32) *rows;
		*rows += mask_codes(f, w, m->used[u]);
	}
	m->n_words = (f->n_trees + TREE_MASK_GROUP - 1) / TREE_MASK_GROUP * TREE_MASK_GROUP;
	pfree(read);
	return m;
}

/*
 * Leaf masks for f, or NULL when a tree has over 32 leaves, the table would
 * exceed MASK_MAX_BYTES, or rows read more than MASK_USED_PER_LEVEL
 * features for each level of the deepest tree (then the walk, whose cost
 * grows with the depth rather than the features, is faster).
 */
static TreeMasks *
masks_build(const TreeForest *f, const TreeWalk *w)
{
	int32	   *n_leaves = palloc_extended(sizeof(int32) * f->n_nodes, MCXT_ALLOC_HUGE);
	int32	   *rank = palloc_extended(sizeof(int32) * f->n_nodes, MCXT_ALLOC_HUGE);
	int32	   *row_of = palloc0(sizeof(int32) * f->p);
	TreeMasks  *m = NULL;
	int64		rows;
	int32		depth = 0,
				leaves = 0;

	for (int32 b = 0; b < (f->n_trees + TREE_WALK_BLOCK - 1) / TREE_WALK_BLOCK; b++)
		depth = Max(depth, w->block_depth[b]);
	if (mask_number_leaves(f, n_leaves, rank))
		m = mask_tables_shape(f, w, &rows);
	for (int32 t = 0; m != NULL && t < f->n_trees; t++)
		leaves += n_leaves[f->roots[t]];
	if (m != NULL &&
		(m->n_used > MASK_MAX_USED || m->n_used > MASK_USED_PER_LEVEL * Max(depth, 1) ||
		 rows * m->n_words > MASK_MAX_BYTES / (int64) sizeof(uint32)))
	{
		pfree(m->used);
		pfree(m->first_row);
		pfree(m);
		m = NULL;
	}
	if (m != NULL)
	{
		for (int32 u = 0; u < m->n_used; u++)
			row_of[m->used[u]] = m->first_row[u];
		m->table = palloc_extended(sizeof(uint32) * rows * m->n_words, MCXT_ALLOC_HUGE);
		memset(m->table, 0xff, sizeof(uint32) * rows * m->n_words);
		m->first_leaf = palloc(sizeof(int32) * f->n_trees);
		m->leaf_value = palloc_extended(sizeof(int32) * leaves, MCXT_ALLOC_HUGE);
		for (int32 t = 0, next = 0; t < f->n_trees; t++)
		{
			int32		lo = f->roots[t],
						hi = t + 1 < f->n_trees ? f->roots[t + 1] : f->n_nodes;

			CHECK_FOR_INTERRUPTS();
			m->first_leaf[t] = next;
			next += n_leaves[lo];
			for (int32 i = lo; i < hi; i++)
			{
				const TreeNode *nd = &f->nodes[i];
				int32		l = nd->left,
							n_codes;
				uint32		left_leaves;

				if (l < 0)
				{
					m->leaf_value[m->first_leaf[t] + rank[i]] = nd->u.value;
					continue;
				}
				/* a split has a leaf on its right: under 32 on its left */
				left_leaves = (uint32) (((UINT64CONST(1) << n_leaves[l]) - 1) << rank[l]);
				n_codes = mask_codes(f, w, nd->feature);
				for (int32 c = 0; c < n_codes; c++)
					if (!mask_goes_left(f, w, i, c))
						m->table[(int64) (row_of[nd->feature] + c) * m->n_words + t] &= ~left_leaves;
			}
		}
	}
	pfree(n_leaves);
	pfree(rank);
	pfree(row_of);
	return m;
}

/*
 * leaf[k], the first value of the leaf the row reaches in tree t0 + k,
 * for the n <= TREE_MASK_GROUP trees from t0; row[u] is the row's table row
 * of feature m->used[u].
 */
static inline void
mask_group_leaves(const TreeMasks *m, const uint32 *const *row, int32 t0, int n,
				  int32 *leaf)
{
	uint32		reach[TREE_MASK_GROUP];
	uint32		r0 = ~(uint32) 0,
				r1 = r0,
				r2 = r0,
				r3 = r0,
				r4 = r0,
				r5 = r0,
				r6 = r0,
				r7 = r0;

	/* eight accumulators the compiler keeps in registers */
	for (int32 u = 0; u < m->n_used; u++)
	{
		const uint32 *r = row[u] + t0;

		r0 &= r[0];
		r1 &= r[1];
		r2 &= r[2];
		r3 &= r[3];
		r4 &= r[4];
		r5 &= r[5];
		r6 &= r[6];
		r7 &= r[7];
	}
	reach[0] = r0;
	reach[1] = r1;
	reach[2] = r2;
	reach[3] = r3;
	reach[4] = r4;
	reach[5] = r5;
	reach[6] = r6;
	reach[7] = r7;
	for (int k = 0; k < n; k++)
		leaf[k] = m->leaf_value[m->first_leaf[t0 + k] + pg_rightmost_one_pos32(reach[k])];
}

/* tree_forest_predict through f->walk->masks: the same sums in the same order. */
static void
masks_average(const TreeForest *f, const double *x, double *out)
{
	const TreeWalk *w = f->walk;
	const TreeMasks *m = w->masks;
	const uint32 *row[MASK_MAX_USED];

	for (int32 s0 = 0; s0 < w->n_searched; s0 += SEARCH_BLOCK)
	{
		int32		code[SEARCH_BLOCK];
		int			n = Min(SEARCH_BLOCK, w->n_searched - s0);

		search_block(w, x, s0, n, code);
		for (int k = 0; k < n; k++)
			row[s0 + k] = m->table + (int64) (m->first_row[s0 + k] + code[k]) * m->n_words;
	}
	for (int32 u = w->n_searched; u < m->n_used; u++)
	{
		int32		j = m->used[u];

		row[u] = m->table +
			(int64) (m->first_row[u] + tree_bins_code(&f->feat[j], x[j])) * m->n_words;
	}
	StaticAssertStmt(TREE_WALK_BLOCK % TREE_MASK_GROUP == 0,
					 "a block of trees is whole groups of masks");
	for (int32 a = 0; a < f->n_arms; a++)
		out[a] = 0.0;
	for (int32 b0 = 0; b0 < f->n_trees; b0 += TREE_WALK_BLOCK)
	{
		int32		leaf[TREE_WALK_BLOCK];
		int			nb = Min(TREE_WALK_BLOCK, f->n_trees - b0);

		/* the leaves first, then their values: the loads of those overlap */
		for (int32 t0 = b0; t0 < b0 + nb; t0 += TREE_MASK_GROUP)
			mask_group_leaves(m, row, t0, Min(TREE_MASK_GROUP, f->n_trees - t0),
							  leaf + (t0 - b0));
		add_leaves(f, leaf, nb, out);
	}
	for (int32 a = 0; a < f->n_arms; a++)
		out[a] /= f->n_trees;
}

void
tree_forest_prepare(TreeForest *f)
{
	TreeWalk   *w;

	if (f->walk != NULL || 2 * (int64) f->p + 1 > WALK_MAX_SLOTS)
		return;
	w = palloc0(sizeof(TreeWalk));
	w->n_slots = 2 * f->p + 1;
	if (!collect_cuts(f, w))
	{
		pfree(w);				/* walk f->nodes instead */
		return;
	}
	w->slots = palloc(sizeof(uint16) * w->n_slots);
	w->nodes = palloc_extended(sizeof(TreeWalkNode) * f->n_nodes, MCXT_ALLOC_HUGE);
	w->value_at = palloc_extended(sizeof(int32) * f->n_nodes, MCXT_ALLOC_HUGE);
	for (int32 i = 0; i < f->n_nodes; i++)
	{
		w->nodes[i] = walk_node(f, w, i);
		w->value_at[i] = f->nodes[i].left < 0 ? f->nodes[i].u.value : 0;
		if (w->nodes[i].k == TREE_WALK_SET)
			w->has_sets = true;
	}
	walk_block_depths(f, w);
	f->walk = w;
	w->masks = masks_build(f, w);
}

void
tree_forest_predict(const TreeForest *f, const double *x, double *out)
{
	if (f->walk != NULL && f->walk->masks != NULL)
		masks_average(f, x, out);
	else if (f->walk != NULL)
		walk_average(f, x, out);
	else
		average_leaves(f, x, NULL, out);
}

void
tree_forest_predict_codes(const TreeForest *f, const uint8 *codes, double *out)
{
	average_leaves(f, NULL, codes, out);
}

