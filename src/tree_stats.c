/*
 * tree_stats.c
 *	  Exact, mergeable sufficient statistics of the tree engine (see
 *	  tree_stats.h).
 */
#include "postgres.h"

#include <math.h>

#include "utils/memutils.h"

#include "tree_stats.h"

#define TREE_STATS_MAGIC 0x54535453	/* "TSTS" */
#define TREE_STATS_VERSION 1

/*
 * The grid step for sums of n_rows x max_count values of magnitude at most
 * m: the smallest power of two q with n_rows x max_count x m <= 2^51 q, so
 * that every partial sum is an integer multiple of q below 2^52 (with room
 * for the half step each rounding may add), and a single value is at most
 * 2^51 steps (what tree_quant_round needs).
 */
static double
grid_step(int64 n_rows, int max_count, double m, const char *what)
{
	double		t;
	int			e;

	if (!isfinite(m))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("%s is too large for the tree statistics", what),
				 errhint("Rescale the outcome or the weights so that their squares are finite.")));
	t = (double) Max(n_rows, 1) * Max(max_count, 1) * m / 2251799813685248.0;
	if (t <= 0.0)
		return 1.0;
	(void) frexp(t, &e);
	return ldexp(1.0, e);
}

void
tree_quant_init(TreeQuant *q, int64 n_rows, int max_count, double max_w,
				double max_y)
{
	q->qw = grid_step(n_rows, max_count, max_w, "weight");
	q->qwy = grid_step(n_rows, max_count, max_w * max_y, "weight x outcome");
	q->qwy2 = grid_step(n_rows, max_count, max_w * max_y * max_y,
						"weight x outcome^2");
	q->inv_qw = 1.0 / q->qw;
	q->inv_qwy = 1.0 / q->qwy;
	q->inv_qwy2 = 1.0 / q->qwy2;
}

Size
tree_stats_size(int32 n_slots, int32 n_feat, int32 n_codes, int32 n_arms,
				Size max_bytes)
{
	double		bytes = (double) n_slots * n_feat * n_codes * n_arms * sizeof(TreeCell);

	if (n_slots < 0 || n_feat < 0 || n_codes < 0 || n_arms < 0 ||
		bytes > (double) max_bytes || bytes > (double) MaxAllocHugeSize)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("tree statistics of one level need %.0f MB, more than stats_memory (%zu MB)",
						ceil(bytes / 1048576.0), max_bytes / 1048576),
				 errdetail("%d nodes x %d features x %d bins x %d arms of %zu bytes each.",
						   n_slots, n_feat, n_codes, n_arms, sizeof(TreeCell)),
				 errhint("Raise stats_memory, or lower n_trees, max_depth, max_features or bins.")));
	return (Size) bytes;
}

TreeStats *
tree_stats_create(int32 n_slots, int32 n_feat, int32 n_codes, int32 n_arms,
				  Size max_bytes)
{
	Size		bytes = tree_stats_size(n_slots, n_feat, n_codes, n_arms, max_bytes);
	TreeStats  *s = palloc(sizeof(TreeStats));

	s->n_slots = n_slots;
	s->n_feat = n_feat;
	s->n_codes = n_codes;
	s->n_arms = n_arms;
	s->cells = palloc_extended(Max(bytes, sizeof(TreeCell)),
							   MCXT_ALLOC_HUGE | MCXT_ALLOC_ZERO);
	return s;
}

void
tree_stats_node_totals(const TreeStats *s, int32 slot, TreeCell *out)
{
	memset(out, 0, sizeof(TreeCell) * s->n_arms);
	for (int32 c = 0; c < s->n_codes; c++)
	{
		const TreeCell *cell = tree_stats_at(s, slot, 0, c);

		for (int32 a = 0; a < s->n_arms; a++)
			tree_cell_merge(&out[a], &cell[a]);
	}
}

static Size
n_cells(const TreeStats *s)
{
	return (Size) s->n_slots * s->n_feat * s->n_codes * s->n_arms;
}

void
tree_stats_merge(TreeStats *into, const TreeStats *from)
{
	Size		n = n_cells(into);

	if (into->n_slots != from->n_slots || into->n_feat != from->n_feat ||
		into->n_codes != from->n_codes || into->n_arms != from->n_arms)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("cannot merge tree statistics of different shapes"),
				 errdetail("%d x %d x %d x %d cells against %d x %d x %d x %d.",
						   into->n_slots, into->n_feat, into->n_codes, into->n_arms,
						   from->n_slots, from->n_feat, from->n_codes, from->n_arms),
				 errhint("Merge only statistics of the same level of the same forest.")));
	for (Size i = 0; i < n; i++)
		tree_cell_merge(&into->cells[i], &from->cells[i]);
}

void
tree_stats_serialize(StringInfo buf, const TreeStats *s)
{
	Size		n = n_cells(s);

	bytes_put_u32(buf, TREE_STATS_MAGIC);
	bytes_put_u8(buf, TREE_STATS_VERSION);
	bytes_put_i32(buf, s->n_slots);
	bytes_put_i32(buf, s->n_feat);
	bytes_put_i32(buf, s->n_codes);
	bytes_put_i32(buf, s->n_arms);
	bytes_put_f64s(buf, (const double *) s->cells, n * 4);
}

static int32
get_dim(ByteReader *r)
{
	int32		d = bytes_get_i32(r);

	if (d < 0)
		bytes_corrupted(r, "Negative dimension");
	return d;
}

TreeStats *
tree_stats_deserialize(ByteReader *r, Size max_bytes)
{
	int32		dims[4];
	TreeStats  *s;

	if (bytes_get_u32(r) != TREE_STATS_MAGIC)
		bytes_corrupted(r, "Not tree statistics");
	if (bytes_get_u8(r) != TREE_STATS_VERSION)
		bytes_corrupted(r, "Unknown tree statistics version");
	for (int i = 0; i < 4; i++)
		dims[i] = get_dim(r);
	if ((double) dims[0] * dims[1] * dims[2] * dims[3] * sizeof(TreeCell) !=
		(double) (r->len - r->pos))
		bytes_corrupted(r, "Cell count does not match the bytes present");
	s = tree_stats_create(dims[0], dims[1], dims[2], dims[3], max_bytes);
	bytes_get_f64s(r, (double *) s->cells, n_cells(s) * 4);
	for (Size i = 0; i < n_cells(s); i++)
	{
		const TreeCell *c = &s->cells[i];

		if (!isfinite(c->n) || !isfinite(c->sw) || !isfinite(c->swy) ||
			!isfinite(c->swy2) || c->n < 0 || c->n != floor(c->n))
			bytes_corrupted(r, "Invalid cell");
	}
	bytes_expect_end(r);
	return s;
}
