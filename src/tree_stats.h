/*
 * tree_stats.h
 *	  Sufficient statistics of the histogram tree engine: per node, per
 *	  feature, per bin code and per arm, the sums n, sum w, sum w y and
 *	  sum w y^2 of the rows that reach the node.  Every split criterion is a
 *	  function of them (tree_split.h).
 *
 * A block of statistics is mergeable: the block of a union of row sets is
 * the sum of their blocks, so computing it is an aggregate over any
 * partition of the rows.  The sums are exact, hence independent of row
 * order and partition: each row's w, w y and w y^2 is rounded to a dyadic
 * grid (a power of two chosen from the number of rows and the largest
 * values, TreeQuant) so fine that every partial sum is an integer number of
 * grid steps below 2^52, which doubles add without rounding.  The grid keeps
 * about 51 - log2(rows x largest multiplicity) significant bits of the
 * largest value (27 bits at a million rows).
 */
#ifndef UPLIFT_TREE_STATS_H
#define UPLIFT_TREE_STATS_H

#include "postgres.h"
#include "lib/stringinfo.h"

#include <math.h>

#include "bytes.h"

/* The sums of one arm in one bin (or node). */
typedef struct TreeCell
{
	double		n;				/* rows, counted with their multiplicity */
	double		sw;				/* sum of weights */
	double		swy;			/* sum of weight x outcome */
	double		swy2;			/* sum of weight x outcome^2 */
} TreeCell;

/* Grid steps of w, w y and w y^2 (powers of two), and their inverses. */
typedef struct TreeQuant
{
	double		qw;
	double		qwy;
	double		qwy2;
	double		inv_qw;
	double		inv_qwy;
	double		inv_qwy2;
} TreeQuant;

/* A row's rounded w, w y and w y^2, before its multiplicity. */
typedef struct TreeRowValue
{
	double		w;
	double		wy;
	double		wy2;
} TreeRowValue;

/*
 * The grids for n_rows rows of multiplicity at most max_count, weights of
 * magnitude at most max_w and outcomes at most max_y.
 */
extern void tree_quant_init(TreeQuant *q, int64 n_rows, int max_count,
							double max_w, double max_y);

/*
 * v rounded to the nearest multiple of step (ties to even).  v / step is at
 * most 2^51 in magnitude (see tree_quant_init), where adding and subtracting
 * 1.5 x 2^52 rounds a double to an integer exactly; multiplying by a power
 * of two or its inverse is exact.
 */
static inline double
tree_quant_round(double v, double step, double inv_step)
{
	const double magic = 6755399441055744.0;	/* 1.5 x 2^52 */
	double		t = v * inv_step;

	t = (t + magic) - magic;
	return t * step;
}

static inline void
tree_row_value(const TreeQuant *q, double w, double y, TreeRowValue *out)
{
	out->w = tree_quant_round(w, q->qw, q->inv_qw);
	out->wy = tree_quant_round(w * y, q->qwy, q->inv_qwy);
	out->wy2 = tree_quant_round(w * y * y, q->qwy2, q->inv_qwy2);
}

static inline void
tree_cell_add(TreeCell *c, double k, const TreeRowValue *v)
{
	c->n += k;
	c->sw += k * v->w;
	c->swy += k * v->wy;
	c->swy2 += k * v->wy2;
}

static inline void
tree_cell_merge(TreeCell *into, const TreeCell *from)
{
	into->n += from->n;
	into->sw += from->sw;
	into->swy += from->swy;
	into->swy2 += from->swy2;
}

/* into = a - b, cell by cell (the sibling of a child in its parent). */
static inline void
tree_cell_diff(TreeCell *into, const TreeCell *a, const TreeCell *b)
{
	into->n = a->n - b->n;
	into->sw = a->sw - b->sw;
	into->swy = a->swy - b->swy;
	into->swy2 = a->swy2 - b->swy2;
}

/*
 * A block: for each of n_slots nodes, n_feat feature slots (the features the
 * node may split on), n_codes bin codes and n_arms arms, one cell; cells
 * are laid out [slot][feature slot][code][arm].
 */
typedef struct TreeStats
{
	int32		n_slots;
	int32		n_feat;
	int32		n_codes;
	int32		n_arms;
	TreeCell   *cells;
} TreeStats;

/* Bytes of the cells of a block of that shape; errors past max_bytes. */
extern Size tree_stats_size(int32 n_slots, int32 n_feat, int32 n_codes,
							int32 n_arms, Size max_bytes);

/* A zeroed block (its size checked against max_bytes as above). */
extern TreeStats *tree_stats_create(int32 n_slots, int32 n_feat, int32 n_codes,
									int32 n_arms, Size max_bytes);

static inline TreeCell *
tree_stats_at(const TreeStats *s, int32 slot, int32 feat, int32 code)
{
	return s->cells + ((((Size) slot * s->n_feat + feat) * s->n_codes + code)
					   * s->n_arms);
}

/*
 * Add a row of the node in "slot": feats[f] is the feature in feature slot
 * f, codes the row's p codes, k its multiplicity.
 */
static inline void
tree_stats_add_row(TreeStats *s, int32 slot, const int32 *feats,
				   const uint8 *codes, int32 arm, double k,
				   const TreeRowValue *v)
{
	for (int32 f = 0; f < s->n_feat; f++)
		tree_cell_add(tree_stats_at(s, slot, f, codes[feats[f]]) + arm, k, v);
}

/* The node's per-arm totals (n_arms cells), summed over feature slot 0. */
extern void tree_stats_node_totals(const TreeStats *s, int32 slot, TreeCell *out);

/* Add "from" into "into"; errors unless they have the same shape. */
extern void tree_stats_merge(TreeStats *into, const TreeStats *from);

/* Versioned bytes, and back (every count and value checked). */
extern void tree_stats_serialize(StringInfo buf, const TreeStats *s);
extern TreeStats *tree_stats_deserialize(ByteReader *r, Size max_bytes);

#endif							/* UPLIFT_TREE_STATS_H */
