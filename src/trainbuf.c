/*
 * trainbuf.c
 *	  The training-data buffer of uplift_fit (see trainbuf.h).
 *
 * Each arm owns a list of chunks.  A new chunk doubles the capacity of the
 * previous one up to TRAINBUF_CHUNK_BYTES (32 MB), so small fits stay small
 * and big fits never copy what they already hold: peak memory is the rows
 * themselves plus at most one partly filled chunk per arm.  Tiles keep the p
 * values a row writes, and the columns a solver reads, within a few pages.
 *
 * Once an arm takes chunks of the largest size, its next chunk is allocated
 * ahead (the arm's spare) and its pages are faulted in on a helper thread
 * (prefault.h) while the scan fills the current one: on a large fit the
 * kernel's first touch of fresh pages otherwise costs about as much as the
 * scan.  Spares add at most one largest chunk per arm until the rows are
 * done (trainbuf_rows_done).
 */
#include "postgres.h"

#include <math.h>
#include <sys/mman.h>

#include "miscadmin.h"
#include "utils/memutils.h"

#include "prefault.h"
#include "trainbuf.h"

#define TRAINBUF_FORMAT_VERSION 2
#define TRAINBUF_CHUNK_BYTES ((Size) 32 * 1024 * 1024)

static void drop_spares(TrainBuf *buf);

static Size
row_bytes(const TrainBuf *buf)
{
	return ((Size) buf->p + (buf->weighted ? 1 : 0)) * sizeof(double) +
		(buf->all_binary ? 1 : sizeof(double));
}

/* Rows per tile: 512, or fewer so that a tile stays near 64 kB. */
static int32
tile_rows(int32 p)
{
	int32		t = ROWBLOCK_ROWS;

	while (t > 8 && (Size) t * p * sizeof(double) > 65536)
		t /= 2;
	return t;
}

TrainBuf *
trainbuf_create(MemoryContext cxt, int32 p, bool weighted, bool moments)
{
	TrainBuf   *buf = MemoryContextAllocZero(cxt, sizeof(TrainBuf));

	buf->cxt = cxt;
	buf->p = p;
	buf->tile = tile_rows(p);
	buf->weighted = weighted;
	buf->moments = moments;
	buf->all_binary = true;
	buf->scratch = MemoryContextAlloc(cxt, 2 * (p + 1) * sizeof(double));
	return buf;
}

/* Empty moments of an arm, shifted by u (p + 1 values). */
static ArmMoments *
moments_create(TrainBuf *buf, const double *u)
{
	int			q = buf->p + 1;
	ArmMoments *mo = MemoryContextAllocZero(buf->cxt, sizeof(ArmMoments));

	mo->shift = MemoryContextAlloc(buf->cxt, q * sizeof(double));
	memcpy(mo->shift, u, q * sizeof(double));
	mo->s = MemoryContextAllocZero(buf->cxt, q * sizeof(NeumaierSum));
	mo->m = MemoryContextAllocZero(buf->cxt, (Size) q * q * sizeof(NeumaierSum));
	mo->blk_s = MemoryContextAllocZero(buf->cxt, q * sizeof(double));
	mo->blk_m = MemoryContextAllocZero(buf->cxt, (Size) q * q * sizeof(double));
	buf->bytes += (Size) q * q * (sizeof(NeumaierSum) + sizeof(double));
	return mo;
}

/* Add the open block to the totals. */
static void
moments_flush(ArmMoments *mo, int q)
{
	neumaier_add(&mo->w, mo->blk_w);
	mo->blk_w = 0.0;
	for (int j = 0; j < q; j++)
	{
		neumaier_add(&mo->s[j], mo->blk_s[j]);
		mo->blk_s[j] = 0.0;
		for (int k = 0; k <= j; k++)
		{
			neumaier_add(&mo->m[j * q + k], mo->blk_m[j * q + k]);
			mo->blk_m[j * q + k] = 0.0;
		}
	}
	mo->blk_n = 0;
}

/* One row u (p + 1 values) of weight w. */
static void
moments_add(TrainBuf *buf, ArmMoments *mo, const double *u, double w)
{
	int			q = buf->p + 1;
	double	   *d = buf->scratch + q;

	for (int j = 0; j < q; j++)
		d[j] = u[j] - mo->shift[j];
	mo->blk_w += w;
	for (int j = 0; j < q; j++)
	{
		double		wd = w * d[j];
		double	   *row = mo->blk_m + (Size) j * q;

		mo->blk_s[j] += wd;
		for (int k = 0; k <= j; k++)
			row[k] += wd * d[k];
	}
	if (++mo->blk_n == ROWBLOCK_ROWS)
		moments_flush(mo, q);
}

/* Totals of an arm with the open block (w returned; s and m lower). */
static double
moments_totals(const ArmMoments *mo, int q, double *s, double *m)
{
	for (int j = 0; j < q; j++)
	{
		s[j] = neumaier_value(&mo->s[j]) + mo->blk_s[j];
		for (int k = 0; k <= j; k++)
			m[j * q + k] = neumaier_value(&mo->m[j * q + k]) + mo->blk_m[j * q + k];
	}
	return neumaier_value(&mo->w) + mo->blk_w;
}

/*
 * Add totals (w, s, m) taken around the shift c to mo: moved to mo's shift
 * first, with d = c - mo->shift,
 *	  s' = s + w d,  m' = m + s d' + d s' + w d d'.
 */
static void
moments_add_totals(ArmMoments *mo, int q, const double *c, double w,
				   const double *s, const double *m)
{
	double	   *d = palloc(q * sizeof(double));

	for (int j = 0; j < q; j++)
		d[j] = c[j] - mo->shift[j];
	neumaier_add(&mo->w, w);
	for (int j = 0; j < q; j++)
	{
		neumaier_add(&mo->s[j], s[j]);
		neumaier_add(&mo->s[j], w * d[j]);
		for (int k = 0; k <= j; k++)
		{
			neumaier_add(&mo->m[j * q + k], m[j * q + k]);
			neumaier_add(&mo->m[j * q + k],
						 s[j] * d[k] + d[j] * s[k] + w * d[j] * d[k]);
		}
	}
	pfree(d);
}

double
trainbuf_arm_moments(const TrainBuf *buf, int32 action, double *mean,
					 double *comoment)
{
	int			q = buf->p + 1;
	const ArmMoments *mo = buf->arms[action].mom;
	double	   *s = palloc(q * sizeof(double));
	double	   *m = palloc((Size) q * q * sizeof(double));
	double		w = moments_totals(mo, q, s, m);

	for (int j = 0; j < q; j++)
		mean[j] = mo->shift[j] + s[j] / w;
	for (int j = 0; j < q; j++)
		for (int k = 0; k <= j; k++)
		{
			/* s[j] (s[k] / w): the product s[j] s[k] alone may overflow */
			comoment[j * q + k] = m[j * q + k] - s[j] * (s[k] / w);
			comoment[k * q + j] = comoment[j * q + k];
		}
	pfree(s);
	pfree(m);
	return w;
}

/* Make room for actions 0..action. */
static void
ensure_arm(TrainBuf *buf, int32 action)
{
	int32		n;

	if (action < buf->n_arms)
		return;
	n = Max(action + 1, Min(2 * buf->n_arms, TRAINBUF_MAX_ACTION + 1));
	n = Max(n, 2);
	if (buf->arms == NULL)
		buf->arms = MemoryContextAllocZero(buf->cxt, n * sizeof(TrainArm));
	else
	{
		buf->arms = repalloc(buf->arms, n * sizeof(TrainArm));
		memset(buf->arms + buf->n_arms, 0, (n - buf->n_arms) * sizeof(TrainArm));
	}
	for (int32 a = buf->n_arms; a < n; a++)
	{
		buf->arms[a].prop_min = INFINITY;
		buf->arms[a].prop_max = -INFINITY;
	}
	buf->n_arms = n;
}

void
trainbuf_renumber_arms(TrainBuf *buf, const int32 *new_of_old, int32 n)
{
	int32		moved = Min(n, buf->n_arms);
	TrainArm   *old = palloc(sizeof(TrainArm) * Max(moved, 1));

	memcpy(old, buf->arms, sizeof(TrainArm) * moved);
	memset(buf->arms, 0, sizeof(TrainArm) * moved);
	for (int32 a = 0; a < moved; a++)
	{
		buf->arms[a].prop_min = INFINITY;
		buf->arms[a].prop_max = -INFINITY;
	}
	for (int32 a = 0; a < moved; a++)
	{
		ensure_arm(buf, new_of_old[a]);
		buf->arms[new_of_old[a]] = old[a];
	}
	pfree(old);
}

/* A new, empty chunk of at least "rows" rows, allocated in one piece. */
static TrainChunk *
chunk_alloc(TrainBuf *buf, Size rows)
{
	int32		cap = (int32) (((rows + buf->tile - 1) / buf->tile) * buf->tile);
	Size		data = (Size) cap * row_bytes(buf);
	bool		big = data >= TRAINBUF_CHUNK_BYTES / 4;
	Size		total = MAXALIGN(sizeof(TrainChunk)) + data + (big ? HUGE_PAGE_BYTES : 0);
	TrainChunk *c;
	char	   *base;
	char	   *start;

	if (buf->bytes > MaxAllocHugeSize - total)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("training data of uplift_fit exceeds the size limit"),
				 errdetail("The state holds " INT64_FORMAT " rows of %d features in %zu bytes.",
						   buf->nrows, buf->p, buf->bytes),
				 errhint("Fit on a sample of the rows, or fewer features.")));
	base = MemoryContextAllocHuge(buf->cxt, total);
	start = base + MAXALIGN(sizeof(TrainChunk));
	if (big)
	{
		start = (char *) TYPEALIGN(HUGE_PAGE_BYTES, start);
		prefault_advise_huge(start, data);
	}
	c = (TrainChunk *) base;
	c->next = NULL;
	c->nrows = 0;
	c->cap = cap;
	c->bytes = total;
	c->x = (double *) start;
	c->w = buf->weighted ? c->x + (Size) cap * buf->p : NULL;
	c->y01 = NULL;
	c->y = NULL;
	c->y_apart = false;
	if (buf->all_binary)
		c->y01 = (uint8 *) (c->x + (Size) cap * (buf->p + (buf->weighted ? 1 : 0)));
	else
		c->y = c->x + (Size) cap * (buf->p + (buf->weighted ? 1 : 0));
	buf->bytes += total;
	return c;
}

/*
 * The first outcome other than 0 or 1 has come: every chunk's outcomes,
 * kept as bytes so far, become doubles (a column of their own for the
 * chunks already allocated).
 */
static void
widen_outcomes(TrainBuf *buf)
{
	/* a spare keeps its outcomes as bytes: allocate it afresh later */
	drop_spares(buf);
	for (int32 a = 0; a < buf->n_arms; a++)
		for (TrainChunk *c = buf->arms[a].head; c != NULL; c = c->next)
		{
			Size		len = (Size) c->cap * sizeof(double);
			double	   *y = MemoryContextAllocHuge(buf->cxt, len);

			CHECK_FOR_INTERRUPTS();
			for (int32 i = 0; i < c->nrows; i++)
				y[i] = c->y01[i];
			c->y = y;
			c->y01 = NULL;
			c->y_apart = true;
			c->bytes += len;
			buf->bytes += len;
		}
	buf->all_binary = false;
}

/* Bytes of a chunk's rows that its helper faults in: its whole rows. */
static Size
chunk_row_bytes(const TrainBuf *buf, const TrainChunk *c)
{
	return (Size) c->cap * row_bytes(buf);
}

/*
 * Allocate the arm's next chunk of "rows" rows now and have the helper fault
 * it in, when the helper is free; else the arm goes without a spare.
 */
static void
arm_start_spare(TrainBuf *buf, TrainArm *arm, Size rows)
{
	if (buf->prefault == NULL)
		buf->prefault = prefault_create(buf->cxt);
	if (!prefault_idle(buf->prefault))
		return;
	arm->spare = chunk_alloc(buf, rows);
	prefault_start(buf->prefault, arm->spare->x, chunk_row_bytes(buf, arm->spare));
}

/* Free the spares, once the helper is done with whatever it touches. */
static void
drop_spares(TrainBuf *buf)
{
	if (buf->prefault == NULL)
		return;
	prefault_finish(buf->prefault);
	for (int32 a = 0; a < buf->n_arms; a++)
	{
		TrainChunk *spare = buf->arms[a].spare;

		if (spare == NULL)
			continue;
		buf->bytes -= spare->bytes;
		pfree(spare);
		buf->arms[a].spare = NULL;
	}
}

void
trainbuf_rows_done(TrainBuf *buf)
{
	drop_spares(buf);
}

static TrainChunk *
arm_new_chunk(TrainBuf *buf, TrainArm *arm)
{
	Size		max_rows = Max(TRAINBUF_CHUNK_BYTES / row_bytes(buf), (Size) buf->tile);
	Size		cap = arm->tail ? (Size) arm->tail->cap * 2 : (Size) buf->tile;
	TrainChunk *c;

	cap = Min(cap, max_rows);
	if (arm->spare != NULL)
	{
		/* a spare has the largest size, which cap has reached */
		c = arm->spare;
		arm->spare = NULL;
		prefault_may_write(buf->prefault, c->x);
	}
	else
		c = chunk_alloc(buf, cap);
	if (arm->tail)
		arm->tail->next = c;
	else
		arm->head = c;
	arm->tail = c;
	if (buf->prefault_ok && cap == max_rows &&
		chunk_row_bytes(buf, c) >= TRAINBUF_CHUNK_BYTES / 4)
		arm_start_spare(buf, arm, max_rows);
	return c;
}

void
trainbuf_append(TrainBuf *buf, const double *x, int32 action,
				double outcome, double propensity)
{
	TrainArm   *arm;
	TrainChunk *c;
	int32		i;
	int32		tile = buf->tile;
	double	   *dst;

	if (buf->weighted && !isfinite(1.0 / propensity))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("propensity of uplift_fit is too small: its inverse overflows double precision"),
				 errdetail("Got %g.", propensity),
				 errhint("Clip small propensities with option \"min_propensity\" (for example 0.001), or repair the logged propensity.")));
	ensure_arm(buf, action);
	arm = &buf->arms[action];
	if (buf->weighted)
	{
		arm->prop_min = Min(arm->prop_min, propensity);
		arm->prop_max = Max(arm->prop_max, propensity);
	}
	if (outcome == 0.0)
		outcome = 0.0;			/* -0 is kept as 0, as a byte keeps it */
	else if (outcome != 1.0 && buf->all_binary)
		widen_outcomes(buf);
	arm->nrows++;
	buf->nrows++;
	if (buf->moments)
	{
		double	   *u = buf->scratch;

		memcpy(u, x, buf->p * sizeof(double));
		u[buf->p] = outcome;
		if (arm->mom == NULL)
			arm->mom = moments_create(buf, u);
		moments_add(buf, arm->mom, u, buf->weighted ? 1.0 / propensity : 1.0);
		return;
	}
	c = arm->tail;
	if (c == NULL || c->nrows == c->cap)
		c = arm_new_chunk(buf, arm);
	i = c->nrows++;
	dst = c->x + (Size) (i / tile) * tile * buf->p + i % tile;
	for (int32 j = 0; j < buf->p; j++)
		dst[(Size) j * tile] = x[j];
	if (c->y01 != NULL)
		c->y01[i] = (uint8) outcome;
	else
		c->y[i] = outcome;
	if (buf->weighted)
		c->w[i] = 1.0 / propensity;
}

int32
trainbuf_max_action(const TrainBuf *buf)
{
	for (int32 a = buf->n_arms - 1; a >= 0; a--)
		if (buf->arms[a].nrows > 0)
			return a;
	return -1;
}

/*
 * Move the rows of "from" into "into".  When both live in the same memory
 * context (states of one aggregate) the chunk lists are linked, not copied;
 * "from" is a state PostgreSQL passes as the second argument of the combine
 * function and never uses again.
 */
void
trainbuf_merge(TrainBuf *into, TrainBuf *from)
{
	/* the rows from here on may go to chunks of "into" or of "from" */
	drop_spares(into);
	drop_spares(from);
	/* one way of keeping outcomes for both */
	if (into->all_binary && !from->all_binary)
		widen_outcomes(into);
	else if (from->all_binary && !into->all_binary)
		widen_outcomes(from);
	for (int32 a = 0; a < from->n_arms; a++)
	{
		TrainArm   *src = &from->arms[a];
		TrainArm   *dst;

		if (src->nrows == 0)
			continue;
		ensure_arm(into, a);
		dst = &into->arms[a];
		if (into->moments)
		{
			int			q = into->p + 1;
			double	   *sum = palloc(q * sizeof(double));
			double	   *m = palloc((Size) q * q * sizeof(double));
			double		w = moments_totals(src->mom, q, sum, m);

			if (dst->mom == NULL)
				dst->mom = moments_create(into, src->mom->shift);
			moments_add_totals(dst->mom, q, src->mom->shift, w, sum, m);
			pfree(sum);
			pfree(m);
		}
		else if (into->cxt == from->cxt)
		{
			if (dst->tail)
				dst->tail->next = src->head;
			else
				dst->head = src->head;
			dst->tail = src->tail;
		}
		else
		{
			for (TrainChunk *c = src->head; c != NULL; c = c->next)
			{
				TrainChunk *copy = chunk_alloc(into, c->nrows);

				CHECK_FOR_INTERRUPTS();
				memcpy(copy->x, c->x, (Size) copy->cap * into->p * sizeof(double));
				if (c->y01 != NULL)
					memcpy(copy->y01, c->y01, c->nrows);
				else
					memcpy(copy->y, c->y, c->nrows * sizeof(double));
				if (into->weighted)
					memcpy(copy->w, c->w, c->nrows * sizeof(double));
				copy->nrows = c->nrows;
				if (dst->tail)
					dst->tail->next = copy;
				else
					dst->head = copy;
				dst->tail = copy;
			}
		}
		dst->nrows += src->nrows;
		dst->prop_min = Min(dst->prop_min, src->prop_min);
		dst->prop_max = Max(dst->prop_max, src->prop_max);
	}
	if (into->cxt == from->cxt)
		into->bytes += from->bytes;
	into->nrows += from->nrows;
	into->all_binary = into->all_binary && from->all_binary;
	/* "from" no longer owns its chunks */
	from->n_arms = 0;
	from->nrows = 0;
	from->bytes = 0;
}

/*
 * Make room for the rows of every arm at once, so that the buffer is
 * allocated once at its final size, not doubled (and copied) as it fills,
 * and backed by huge pages where the kernel can.
 */
static void
reserve_rows(StringInfo out, const TrainBuf *buf)
{
	Size		headers = (Size) buf->n_arms * 64 + 64;
	Size		room = (MaxAllocSize - (Size) out->len - 1 - headers) / row_bytes(buf);

	if ((uint64) buf->nrows > room)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("training data of uplift_fit is too large to pass between parallel processes"),
				 errdetail("A partial state is limited to 1 GB."),
				 errhint("Run the fit without parallel workers: SET max_parallel_workers_per_gather = 0.")));
	enlargeStringInfo(out, (int) ((Size) buf->nrows * row_bytes(buf) + headers));
	prefault_advise_huge(out->data + out->len, (Size) (out->maxlen - out->len));
}

/*
 * Format 2: u8 version, i32 p, u8 weighted, u8 moments, u8 all_binary,
 * i32 arms, then per arm: i64 rows, f64 propensity min and max, then the
 * arm's moments, or its p feature columns, the outcome column (one byte a
 * row when every outcome is 0 or 1) and (weighted) the inverse-propensity
 * column.
 */
void
trainbuf_serialize(StringInfo out, const TrainBuf *buf)
{
	bytes_put_u8(out, TRAINBUF_FORMAT_VERSION);
	bytes_put_i32(out, buf->p);
	bytes_put_u8(out, buf->weighted ? 1 : 0);
	bytes_put_u8(out, buf->moments ? 1 : 0);
	bytes_put_u8(out, buf->all_binary ? 1 : 0);
	bytes_put_i32(out, buf->n_arms);
	if (!buf->moments)
		reserve_rows(out, buf);
	for (int32 a = 0; a < buf->n_arms; a++)
	{
		const TrainArm *arm = &buf->arms[a];

		bytes_put_i64(out, arm->nrows);
		bytes_put_f64(out, arm->prop_min);
		bytes_put_f64(out, arm->prop_max);
		if (buf->moments)
		{
			int			q = buf->p + 1;
			double	   *sum;
			double	   *m;

			if (arm->mom == NULL)
				continue;
			sum = palloc(q * sizeof(double));
			m = palloc((Size) q * q * sizeof(double));
			bytes_put_f64s(out, arm->mom->shift, q);
			bytes_put_f64(out, moments_totals(arm->mom, q, sum, m));
			bytes_put_f64s(out, sum, q);
			for (int j = 0; j < q; j++)
				bytes_put_f64s(out, m + (Size) j * q, j + 1);
			pfree(sum);
			pfree(m);
			continue;
		}
		for (int32 j = 0; j < buf->p; j++)
			for (const TrainChunk *c = arm->head; c != NULL; c = c->next)
			{
				CHECK_FOR_INTERRUPTS();
				for (int32 i = 0; i < c->nrows; i += buf->tile)
					bytes_put_f64s(out, &TRAINBUF_X(c, buf->p, buf->tile, i, j),
								   Min(buf->tile, c->nrows - i));
			}
		for (const TrainChunk *c = arm->head; c != NULL; c = c->next)
		{
			if (c->y01 != NULL)
				bytes_put_01s(out, c->y01, c->nrows);
			else
				bytes_put_f64s(out, c->y, c->nrows);
		}
		if (buf->weighted)
			for (const TrainChunk *c = arm->head; c != NULL; c = c->next)
				bytes_put_f64s(out, c->w, c->nrows);
	}
}

TrainBuf *
trainbuf_deserialize(ByteReader *r, MemoryContext cxt)
{
	TrainBuf   *buf;
	int32		p;
	int32		n_arms;
	uint8		weighted;
	uint8		moments;

	if (bytes_get_u8(r) != TRAINBUF_FORMAT_VERSION)
		bytes_corrupted(r, "unknown format version of the training data");
	p = bytes_get_i32(r);
	if (p < 1 || p > TRAINBUF_MAX_FEATURES)
		bytes_corrupted(r, "feature count is out of range");
	weighted = bytes_get_u8(r);
	moments = bytes_get_u8(r);
	if (weighted > 1 || moments > 1)
		bytes_corrupted(r, "a flag is out of range");
	buf = trainbuf_create(cxt, p, weighted == 1, moments == 1);
	buf->all_binary = bytes_get_u8(r) != 0;
	n_arms = bytes_get_i32(r);
	if (n_arms < 0 || n_arms > TRAINBUF_MAX_ACTION + 1)
		bytes_corrupted(r, "arm count is out of range");
	if (n_arms > 0)
		ensure_arm(buf, n_arms - 1);
	for (int32 a = 0; a < n_arms; a++)
	{
		TrainArm   *arm = &buf->arms[a];
		int64		nrows = bytes_get_i64(r);
		Size		row_size = (p + (buf->weighted ? 1 : 0)) * sizeof(double) +
			(buf->all_binary ? 1 : sizeof(double));
		TrainChunk *c;

		arm->prop_min = bytes_get_f64(r);
		arm->prop_max = bytes_get_f64(r);
		if (buf->moments)
		{
			int			q = p + 1;
			double	   *shift = palloc(q * sizeof(double));
			double	   *sum = palloc(q * sizeof(double));
			double	   *m = palloc((Size) q * q * sizeof(double));
			double		w;

			if (nrows < 0)
				bytes_corrupted(r, "row count is negative");
			if (nrows == 0)
				continue;
			bytes_get_f64s(r, shift, q);
			w = bytes_get_f64(r);
			bytes_get_f64s(r, sum, q);
			for (int j = 0; j < q; j++)
				bytes_get_f64s(r, m + (Size) j * q, j + 1);
			arm->mom = moments_create(buf, shift);
			moments_add_totals(arm->mom, q, shift, w, sum, m);
			arm->nrows = nrows;
			buf->nrows += nrows;
			continue;
		}
		if (nrows < 0 || (uint64) nrows > (r->len - r->pos) / row_size)
			bytes_corrupted(r, "row count exceeds the bytes present");
		if (nrows == 0)
			continue;
		c = chunk_alloc(buf, (Size) nrows);
		for (int32 j = 0; j < p; j++)
		{
			CHECK_FOR_INTERRUPTS();
			for (int64 i = 0; i < nrows; i += buf->tile)
				bytes_get_f64s(r, &TRAINBUF_X(c, p, buf->tile, i, j),
							   Min(buf->tile, nrows - i));
		}
		if (c->y01 != NULL)
			bytes_get_01s(r, c->y01, (Size) nrows);
		else
			bytes_get_f64s(r, c->y, (Size) nrows);
		if (buf->weighted)
			bytes_get_f64s(r, c->w, (Size) nrows);
		c->nrows = (int32) nrows;
		arm->head = arm->tail = c;
		arm->nrows = nrows;
		buf->nrows += nrows;
	}
	return buf;
}

void
trainbuf_cursor_start(TileCursor *cur, const TrainBuf *buf, const bool *take,
					  int stride)
{
	for (int32 a = 0; a < buf->n_arms; a++)
		if (buf->arms[a].released && (take == NULL || take[a]))
			elog(ERROR, "the rows of arm %d of the training buffer were released", a);
	cur->buf = buf;
	cur->take = take;
	cur->arm = -1;
	cur->chunk = NULL;
	cur->pos = 0;
	cur->stride = stride;
	cur->tile_no = 0;
	cur->release = NULL;
}

/* The outcomes of a tile: the chunk's own, or its bytes as doubles. */
static const double *
tile_outcomes(TileCursor *cur, const TrainTile *tile)
{
	const TrainChunk *c = tile->chunk;

	if (c->y != NULL)
		return c->y + tile->start;
	for (int32 i = 0; i < tile->n; i++)
		cur->ybuf[i] = c->y01[tile->start + i];
	return cur->ybuf;
}

/* The next tile of a walk, freeing nothing. */
static bool
cursor_advance(TileCursor *cur, TrainTile *tile)
{
	const TrainBuf *buf = cur->buf;

	for (;;)
	{
		const TrainChunk *c = cur->chunk;
		bool		take;

		if (c == NULL)
		{
			do
			{
				if (++cur->arm >= buf->n_arms)
					return false;
			} while (cur->take != NULL && !cur->take[cur->arm]);
			cur->chunk = buf->arms[cur->arm].head;
			cur->pos = 0;
			continue;
		}
		if (cur->pos >= c->nrows)
		{
			cur->chunk = c->next;
			cur->pos = 0;
			continue;
		}
		tile->arm = cur->arm;
		tile->chunk = c;
		tile->start = cur->pos;
		tile->n = Min(buf->tile, c->nrows - cur->pos);
		cur->pos += tile->n;
		take = cur->stride <= 1 || cur->tile_no % cur->stride == 0;
		cur->tile_no++;
		if (take)
		{
			tile->y = tile_outcomes(cur, tile);
			return true;
		}
	}
}

void
trainbuf_release_start(TileCursor *cur, TrainBuf *buf, const bool *take)
{
	drop_spares(buf);
	Assert(buf->releasable);
	trainbuf_cursor_start(cur, buf, take, 1);
	cur->release = buf;
}

/* Free chunk c of arm a, which a walk has left. */
static void
release_chunk(TrainBuf *buf, int32 a, TrainChunk *c)
{
	TrainArm   *arm = &buf->arms[a];

	Assert(arm->head == c);
	arm->head = c->next;
	if (arm->tail == c)
		arm->tail = NULL;
	buf->bytes -= Min(buf->bytes, c->bytes);
	if (c->y_apart)
		pfree(c->y);
	pfree(c);
}

bool
trainbuf_cursor_next(TileCursor *cur, TrainTile *tile)
{
	TrainBuf   *buf = cur->release;
	TrainChunk *prev = (TrainChunk *) cur->chunk;
	int32		prev_arm = cur->arm;
	bool		more = cursor_advance(cur, tile);

	if (buf == NULL)
		return more;
	/* a releasing walk has left prev: its last tile has been used */
	if (prev != NULL && (!more || tile->chunk != prev))
		release_chunk(buf, prev_arm, prev);
	if (!more)
	{
		for (int32 a = 0; a < buf->n_arms; a++)
			if (cur->take == NULL || cur->take[a])
				buf->arms[a].released = true;
		buf->released = true;
	}
	return more;
}

void
trainbuf_tile_columns(const TrainBuf *buf, const TrainTile *tile,
					  const double **cols)
{
	for (int32 j = 0; j < buf->p; j++)
		cols[j] = &TRAINBUF_X(tile->chunk, buf->p, buf->tile, tile->start, j);
}

/* RowSource over one arm: blocks are slices of the chunks' columns. */
static bool
arm_next(RowSource *s, RowBlock *blk)
{
	ArmSource  *src = (ArmSource *) s;
	TrainTile	t;

	if (!trainbuf_cursor_next(&src->cur, &t))
		return false;
	trainbuf_tile_columns(src->buf, &t, src->cols);
	blk->n = t.n;
	blk->arm = t.arm;
	blk->col = src->cols;
	blk->y = t.y;
	blk->w = src->use_weights ? t.chunk->w + t.start : NULL;
	blk->wscale = src->wscale;
	return true;
}

static void
arm_rewind(RowSource *s, int stride)
{
	ArmSource  *src = (ArmSource *) s;

	trainbuf_cursor_start(&src->cur, src->buf, src->take, stride);
}

static void
arm_rewind_last(RowSource *s)
{
	ArmSource  *src = (ArmSource *) s;

	if (src->release == NULL)
	{
		arm_rewind(s, 1);
		return;
	}
	trainbuf_release_start(&src->cur, src->release, src->take);
}

void
trainbuf_arm_source_release(ArmSource *src, TrainBuf *buf)
{
	Assert(buf == src->buf);
	src->release = buf->releasable ? buf : NULL;
}

void
trainbuf_arm_source(ArmSource *src, const TrainBuf *buf, int32 action,
					bool use_weights, double wscale)
{
	memset(src, 0, sizeof(ArmSource));
	src->base.d = buf->p;
	src->base.nrows = buf->arms[action].nrows;
	src->base.next = arm_next;
	src->base.rewind = arm_rewind;
	src->base.rewind_last = arm_rewind_last;
	src->buf = buf;
	src->take = palloc0(Max(buf->n_arms, 1) * sizeof(bool));
	src->take[action] = true;
	src->use_weights = use_weights && buf->weighted;
	src->wscale = wscale;
	src->cols = palloc0(Max(buf->p, 1) * sizeof(double *));
	arm_rewind(&src->base, 1);
}
