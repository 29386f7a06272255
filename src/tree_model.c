/*
 * tree_model.c
 *	  The shape and the byte format of grown forests (see tree_model.h;
 *	  their prediction is in tree_score.c).
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
#include "tree_grow.h"
#include "tree_model.h"

#define TREE_FOREST_MAGIC 0x55505446	/* "UPTF" */
#define TREE_FOREST_VERSION 1
#define WHAT "tree forest"

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
