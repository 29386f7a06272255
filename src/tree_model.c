/*
 * tree_model.c
 *	  Prediction and the byte format of grown forests (see tree_model.h).
 *
 * The format, in network byte order:
 *	  u32 magic "UPTF", u16 version, u8 criterion, u8 zero,
 *	  i32 p, n_arms, n_trees, n_nodes, n_values, n_sets,
 *	  per feature: u8 categorical, u16 nbins, and for a categorical one its
 *	  nbins - 1 levels (f64, increasing),
 *	  n_trees i32 roots, n_nodes nodes (i32 left, i32 aux, i16 feature,
 *	  u8 flags, u8 code, f64 threshold), n_values f64 leaf values, n_sets
 *	  32-byte code sets, p f64 importances,
 *	  u64 FNV-1a hash of every byte before it.
 * Reading checks the hash first, then that the nodes form n_trees binary
 * trees (each tree contiguous, children after their parent, every node but
 * a root the child of exactly one node) and that every field is in range,
 * so a value that reads is safe to walk.
 */
#include "postgres.h"

#include <float.h>
#include <math.h>

#include "bytes.h"
#include "lower_bound.h"
#include "tree_grow.h"
#include "tree_model.h"

#define TREE_FOREST_MAGIC 0x55505446	/* "UPTF" */
#define TREE_FOREST_VERSION 1
#define WHAT "tree forest"

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

/* Each numeric feature's distinct thresholds, increasing; false if too many. */
static bool
collect_cuts(const TreeForest *f, TreeWalk *w)
{
	int32	   *count = palloc0(sizeof(int32) * f->p);

	for (int32 i = 0; i < f->n_nodes; i++)
		if (f->nodes[i].left >= 0 && !(f->nodes[i].flags & TREE_NODE_CATEGORICAL))
			count[f->nodes[i].feature]++;
	w->n_cuts = palloc0(sizeof(int32) * f->p);
	w->cuts = palloc0(sizeof(double *) * f->p);
	for (int32 j = 0; j < f->p; j++)
		w->cuts[j] = palloc(sizeof(double) * Max(count[j], 1));
	for (int32 i = 0; i < f->n_nodes; i++)
	{
		const TreeNode *nd = &f->nodes[i];

		if (nd->left >= 0 && !(nd->flags & TREE_NODE_CATEGORICAL))
			w->cuts[nd->feature][w->n_cuts[nd->feature]++] = nd->u.threshold;
	}
	for (int32 j = 0; j < f->p; j++)
	{
		double	   *c = w->cuts[j];
		int32		m = 0;

		qsort(c, w->n_cuts[j], sizeof(double), cmp_double);
		for (int32 k = 0; k < w->n_cuts[j]; k++)
			if (m == 0 || c[k] > c[m - 1])
				c[m++] = c[k];
		w->n_cuts[j] = m;
	}
	pfree(count);
	for (int32 j = 0; j < f->p; j++)
		if (w->n_cuts[j] > WALK_MAX_CUTS)
			return false;
	return true;
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
		wn.k = (uint16) (1 + uplift_lower_bound(w->cuts[j], w->n_cuts[j], nd->u.threshold));
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
}

/*
 * The codes of a row of raw values: for a numeric feature 1 + the rank of
 * its value among the cuts, a missing one 0 in the first slot and
 * TREE_WALK_SET in the second; for a categorical one its bin code (0 when
 * missing) in both.  The last slot stays 0.
 */
static void
walk_code_row(const TreeForest *f, const double *x, uint16 *slots)
{
	const TreeWalk *w = f->walk;

	for (int32 j = 0; j < f->p; j++)
	{
		double		v = x[j];
		uint16		c;

		if (f->feat[j].categorical)
			c = tree_bins_code(&f->feat[j], v);
		else if (isnan(v))
		{
			slots[2 * j] = 0;
			slots[2 * j + 1] = TREE_WALK_SET;
			continue;
		}
		else
			c = (uint16) (1 + uplift_lower_bound(w->cuts[j], w->n_cuts[j], v));
		slots[2 * j] = slots[2 * j + 1] = c;
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
 * Add the values of the m leaves cur[] to out[n_arms], tree after tree.
 * With one or two arms the sums stay in registers (the same additions in
 * the same order).
 */
static inline void
add_leaves(const TreeForest *f, const int32 *cur, int m, double *out)
{
	const double *values = f->values;
	const int32 *value_at = f->walk->value_at;

	if (f->n_arms == 1)
	{
		double		s0 = out[0];

		for (int k = 0; k < m; k++)
			s0 += values[value_at[cur[k]]];
		out[0] = s0;
	}
	else if (f->n_arms == 2)
	{
		double		s0 = out[0],
					s1 = out[1];

		for (int k = 0; k < m; k++)
		{
			const double *v = values + value_at[cur[k]];

			s0 += v[0];
			s1 += v[1];
		}
		out[0] = s0;
		out[1] = s1;
	}
	else
		for (int k = 0; k < m; k++)
		{
			const double *v = values + value_at[cur[k]];

			for (int32 a = 0; a < f->n_arms; a++)
				out[a] += v[a];
		}
}

/* Largest row (in slots) coded on the stack. */
#define WALK_STACK_SLOTS 1025

/* tree_forest_predict through f->walk: the same sums in the same order. */
static void
walk_average(const TreeForest *f, const double *x, double *out)
{
	uint16		stack_slots[WALK_STACK_SLOTS];
	uint16	   *slots = f->walk->n_slots <= WALK_STACK_SLOTS ? stack_slots :
		palloc(sizeof(uint16) * f->walk->n_slots);
	int32		cur[TREE_WALK_BLOCK];

	walk_code_row(f, x, slots);
	for (int32 a = 0; a < f->n_arms; a++)
		out[a] = 0.0;
	for (int32 t0 = 0; t0 < f->n_trees; t0 += TREE_WALK_BLOCK)
	{
		int			m = Min(TREE_WALK_BLOCK, f->n_trees - t0);

		walk_block(f, slots, t0, m, f->walk->block_depth[t0 / TREE_WALK_BLOCK], cur);
		add_leaves(f, cur, m, out);
	}
	for (int32 a = 0; a < f->n_arms; a++)
		out[a] /= f->n_trees;
	if (slots != stack_slots)
		pfree(slots);
}

void
tree_forest_predict(const TreeForest *f, const double *x, double *out)
{
	if (f->walk != NULL)
		walk_average(f, x, out);
	else
		average_leaves(f, x, NULL, out);
}

void
tree_forest_predict_codes(const TreeForest *f, const uint8 *codes, double *out)
{
	average_leaves(f, NULL, codes, out);
}

void
tree_forest_shape(const TreeForest *f, int32 *max_depth, int32 *leaves)
{
	int32	   *depth = palloc_extended(sizeof(int32) * f->n_nodes,
										MCXT_ALLOC_HUGE | MCXT_ALLOC_ZERO);

	*max_depth = 0;
	*leaves = 0;
	/* children come after their parent, so one pass in order sees parents first */
	for (int32 i = 0; i < f->n_nodes; i++)
	{
		const TreeNode *nd = &f->nodes[i];

		if (nd->left < 0)
		{
			(*leaves)++;
			*max_depth = Max(*max_depth, depth[i]);
			continue;
		}
		depth[nd->left] = depth[nd->left + 1] = depth[i] + 1;
	}
	pfree(depth);
}

/* FNV-1a, 64 bits. */
static uint64
fnv1a64(const uint8 *p, Size len)
{
	uint64		h = UINT64CONST(0xcbf29ce484222325);

	for (Size i = 0; i < len; i++)
	{
		h ^= p[i];
		h *= UINT64CONST(0x100000001b3);
	}
	return h;
}

void
tree_forest_serialize(StringInfo buf, const TreeForest *f)
{
	int			start = buf->len;

	bytes_put_u32(buf, TREE_FOREST_MAGIC);
	bytes_put_u16(buf, TREE_FOREST_VERSION);
	bytes_put_u8(buf, f->criterion);
	bytes_put_u8(buf, 0);
	bytes_put_i32(buf, f->p);
	bytes_put_i32(buf, f->n_arms);
	bytes_put_i32(buf, f->n_trees);
	bytes_put_i32(buf, f->n_nodes);
	bytes_put_i32(buf, f->n_values);
	bytes_put_i32(buf, f->n_sets);
	for (int32 j = 0; j < f->p; j++)
	{
		bytes_put_u8(buf, f->feat[j].categorical ? 1 : 0);
		bytes_put_u16(buf, (uint16) f->feat[j].nbins);
		if (f->feat[j].categorical)
			bytes_put_f64s(buf, f->feat[j].values, f->feat[j].nvalues);
	}
	for (int32 t = 0; t < f->n_trees; t++)
		bytes_put_i32(buf, f->roots[t]);
	for (int32 i = 0; i < f->n_nodes; i++)
	{
		const TreeNode *nd = &f->nodes[i];

		bool		leaf = nd->left < 0,
					cat = !leaf && (nd->flags & TREE_NODE_CATEGORICAL);

		bytes_put_i32(buf, nd->left);
		bytes_put_i32(buf, leaf ? nd->u.value : cat ? nd->u.set : 0);
		bytes_put_u16(buf, (uint16) nd->feature);
		bytes_put_u8(buf, nd->flags);
		bytes_put_u8(buf, nd->code);
		bytes_put_f64(buf, leaf || cat ? 0.0 : nd->u.threshold);
	}
	bytes_put_f64s(buf, f->values, f->n_values);
	for (int32 s = 0; s < f->n_sets; s++)
		appendBinaryStringInfo(buf, (const char *) f->sets[s].bits, sizeof(TreeCodeSet));
	bytes_put_f64s(buf, f->importance, f->p);
	bytes_put_u64(buf, fnv1a64((const uint8 *) buf->data + start, buf->len - start));
}

/* A count read from the header: within [lo, hi], else corrupted. */
static int32
get_count(ByteReader *r, int32 lo, int32 hi, const char *detail)
{
	int32		v = bytes_get_i32(r);

	if (v < lo || v > hi)
		bytes_corrupted(r, detail);
	return v;
}

/* Error unless n elements of elem bytes each can still follow. */
static void
expect_room(ByteReader *r, Size n, Size elem)
{
	if (n > (r->len - r->pos) / elem)
		bytes_corrupted(r, "Element count exceeds the bytes present");
}

static double
get_finite(ByteReader *r)
{
	double		v = bytes_get_f64(r);

	if (!isfinite(v))
		bytes_corrupted(r, "Value is not finite");
	return v;
}

static void
read_features(ByteReader *r, TreeForest *f)
{
	f->feat = palloc0(sizeof(TreeBinFeature) * f->p);
	for (int32 j = 0; j < f->p; j++)
	{
		TreeBinFeature *bf = &f->feat[j];
		uint8		cat = bytes_get_u8(r);

		bf->nbins = bytes_get_u16(r);
		if (cat > 1 || bf->nbins < 1 || bf->nbins > TREE_MAX_BINS)
			bytes_corrupted(r, "Invalid feature");
		bf->categorical = cat == 1;
		if (!bf->categorical)
			continue;
		bf->nvalues = bf->nbins - 1;
		expect_room(r, bf->nvalues, sizeof(double));
		bf->values = palloc(sizeof(double) * Max(bf->nvalues, 1));
		for (int32 k = 0; k < bf->nvalues; k++)
		{
			bf->values[k] = get_finite(r);
			if (k > 0 && !(bf->values[k] > bf->values[k - 1]))
				bytes_corrupted(r, "Levels are not increasing");
		}
	}
}

/* Read and check one node, i, of the tree spanning nodes [lo, hi). */
static void
read_node(ByteReader *r, TreeForest *f, int32 i, int32 hi, int32 *parents,
		  int32 *next_value)
{
	TreeNode   *nd = &f->nodes[i];
	int32		aux;			/* leaf value, code set, or 0 */
	double		threshold;

	memset(nd, 0, sizeof(TreeNode));
	nd->left = bytes_get_i32(r);
	aux = bytes_get_i32(r);
	nd->feature = (int16) bytes_get_u16(r);
	nd->flags = bytes_get_u8(r);
	nd->code = bytes_get_u8(r);
	threshold = get_finite(r);
	if (nd->left == -1)
	{
		if (aux != *next_value || nd->feature != 0 || nd->flags != 0 ||
			nd->code != 0 || threshold != 0.0)
			bytes_corrupted(r, "Invalid leaf");
		nd->u.value = aux;
		*next_value += f->n_arms;
		return;
	}
	if (nd->left <= i || nd->left + 1 >= hi || nd->feature < 0 || nd->feature >= f->p ||
		(nd->flags & ~(TREE_NODE_DEFAULT_LEFT | TREE_NODE_CATEGORICAL)) != 0 ||
		((nd->flags & TREE_NODE_CATEGORICAL) != 0) != f->feat[nd->feature].categorical)
		bytes_corrupted(r, "Invalid split node");
	if (nd->flags & TREE_NODE_CATEGORICAL)
	{
		if (aux < 0 || aux >= f->n_sets || nd->code != 0 || threshold != 0.0)
			bytes_corrupted(r, "Invalid categorical split");
		nd->u.set = aux;
	}
	else if (aux != 0 || nd->code < 1 || nd->code > f->feat[nd->feature].nbins ||
			 (nd->code == f->feat[nd->feature].nbins &&
			  ((nd->flags & TREE_NODE_DEFAULT_LEFT) || threshold != DBL_MAX)))
		bytes_corrupted(r, "Invalid numeric split");
	else
		nd->u.threshold = threshold;
	parents[nd->left]++;
	parents[nd->left + 1]++;
}

static void
read_trees(ByteReader *r, TreeForest *f)
{
	int32	   *parents;
	int32		next_value = 0;

	/* the roots, then 20 bytes a node, must be there before anything is allocated */
	expect_room(r, f->n_trees, sizeof(int32));
	if ((Size) f->n_nodes > (r->len - r->pos - (Size) f->n_trees * sizeof(int32)) / 20)
		bytes_corrupted(r, "Node count exceeds the bytes present");
	parents = palloc_extended(sizeof(int32) * f->n_nodes, MCXT_ALLOC_HUGE | MCXT_ALLOC_ZERO);
	f->roots = palloc(sizeof(int32) * f->n_trees);
	for (int32 t = 0; t < f->n_trees; t++)
	{
		f->roots[t] = bytes_get_i32(r);
		if (t == 0 ? f->roots[t] != 0 :
			f->roots[t] <= f->roots[t - 1] || f->roots[t] >= f->n_nodes)
			bytes_corrupted(r, "Invalid tree root");
	}
	f->nodes = palloc_extended(sizeof(TreeNode) * f->n_nodes, MCXT_ALLOC_HUGE);
	for (int32 t = 0; t < f->n_trees; t++)
	{
		int32		hi = t + 1 < f->n_trees ? f->roots[t + 1] : f->n_nodes;

		for (int32 i = f->roots[t]; i < hi; i++)
			read_node(r, f, i, hi, parents, &next_value);
		for (int32 i = f->roots[t]; i < hi; i++)
			if (parents[i] != (i == f->roots[t] ? 0 : 1))
				bytes_corrupted(r, "Nodes do not form a tree");
	}
	if (next_value != f->n_values)
		bytes_corrupted(r, "Leaf values do not match the leaves");
	pfree(parents);
}

void
tree_forest_put(StringInfo buf, const TreeForest *f)
{
	StringInfoData fb;

	bytes_put_u8(buf, f != NULL ? 1 : 0);
	if (f == NULL)
		return;
	initStringInfo(&fb);
	tree_forest_serialize(&fb, f);
	bytes_put_u32(buf, (uint32) fb.len);
	appendBinaryStringInfo(buf, fb.data, fb.len);
	pfree(fb.data);
}

TreeForest *
tree_forest_get(ByteReader *r)
{
	uint32		len;
	TreeForest *f;

	if (bytes_get_u8(r) == 0)
		return NULL;
	len = bytes_get_u32(r);
	if (len > r->len - r->pos)
		bytes_corrupted(r, "A forest is longer than the value");
	f = tree_forest_deserialize(r->data + r->pos, len);
	r->pos += len;
	return f;
}

TreeForest *
tree_forest_deserialize(const void *data, Size len)
{
	ByteReader	r;
	TreeForest *f = palloc0(sizeof(TreeForest));
	const uint8 *bytes = data;
	uint64		stored = 0;

	bytes_reader_init(&r, data, len, WHAT);
	if (len < 8)
		bytes_corrupted(&r, "Value is truncated");
	for (int i = 0; i < 8; i++)
		stored = (stored << 8) | bytes[len - 8 + i];
	if (stored != fnv1a64(bytes, len - 8))
		bytes_corrupted(&r, "Checksum does not match");
	r.len = len - 8;
	if (bytes_get_u32(&r) != TREE_FOREST_MAGIC)
		bytes_corrupted(&r, "Not a tree forest");
	if (bytes_get_u16(&r) != TREE_FOREST_VERSION)
		bytes_corrupted(&r, "Unknown tree forest version");
	f->criterion = bytes_get_u8(&r);
	if (f->criterion > TREE_ENTROPY || bytes_get_u8(&r) != 0)
		bytes_corrupted(&r, "Invalid header");
	f->p = get_count(&r, 1, PG_INT16_MAX, "Invalid feature count");
	f->n_arms = get_count(&r, 1, TREE_MAX_ARMS, "Invalid arm count");
	f->n_trees = get_count(&r, 1, TREE_MAX_TREES, "Invalid tree count");
	f->n_nodes = get_count(&r, f->n_trees, PG_INT32_MAX - 1, "Invalid node count");
	f->n_values = get_count(&r, f->n_arms, PG_INT32_MAX, "Invalid value count");
	f->n_sets = get_count(&r, 0, PG_INT32_MAX, "Invalid code set count");
	read_features(&r, f);
	read_trees(&r, f);
	expect_room(&r, f->n_values, sizeof(double));
	f->values = palloc_extended(sizeof(double) * f->n_values, MCXT_ALLOC_HUGE);
	for (int32 i = 0; i < f->n_values; i++)
		f->values[i] = get_finite(&r);
	expect_room(&r, f->n_sets, sizeof(TreeCodeSet));
	f->sets = palloc_extended(sizeof(TreeCodeSet) * Max(f->n_sets, 1), MCXT_ALLOC_HUGE);
	for (int32 s = 0; s < f->n_sets; s++)
		for (int k = 0; k < (int) sizeof(TreeCodeSet); k++)
			f->sets[s].bits[k] = bytes_get_u8(&r);
	f->importance = palloc(sizeof(double) * f->p);
	for (int32 j = 0; j < f->p; j++)
	{
		f->importance[j] = get_finite(&r);
		if (f->importance[j] < 0.0)
			bytes_corrupted(&r, "Negative importance");
	}
	bytes_expect_end(&r);
	tree_forest_prepare(f);
	return f;
}
