/*
 * learn_pseudo.c
 *	  Row source with a derived outcome (see learn_pseudo.h).
 */
#include "postgres.h"

#include <math.h>

#include "learn_forest.h"
#include "learn_pseudo.h"

static bool
pseudo_next(RowSource *s, RowBlock *blk)
{
	PseudoSource *src = (PseudoSource *) s;
	const TrainBuf *buf = src->buf;
	TrainTile	t;
	const double *w;

	if (!trainbuf_cursor_next(&src->cur, &t))
		return false;
	trainbuf_tile_columns(buf, &t, src->cols);
	w = buf->weighted ? t.chunk->w + t.start : NULL;
	if (src->kept_all && src->stride == 1)
		blk->y = src->kept + src->pos;
	else
	{
		src->fill(src->arg, t.arm, t.n, src->cols, t.y, w, src->out);
		if (src->kept != NULL && src->stride == 1 && src->pos + t.n <= s->nrows)
			memcpy(src->kept + src->pos, src->out, sizeof(double) * t.n);
		blk->y = src->out;
	}
	src->pos += t.n;
	blk->n = t.n;
	blk->arm = t.arm;
	blk->col = src->cols;
	blk->w = NULL;
	blk->wscale = 1.0;
	if (src->aw != NULL && src->aw[t.arm].use)
	{
		blk->w = w;
		blk->wscale = src->aw[t.arm].scale;
	}
	return true;
}

/* Start a pass; the last may free the rows behind it (see release). */
static void
pseudo_start(PseudoSource *src, int stride, bool last)
{
	/* a full pass one row at a time has filled the kept outcomes */
	if (src->kept != NULL && src->stride == 1 && src->pos == src->base.nrows)
		src->kept_all = true;
	src->pos = 0;
	src->stride = stride;
	if (last && src->release != NULL)
		trainbuf_release_start(&src->cur, src->release, src->take);
	else
		trainbuf_cursor_start(&src->cur, src->buf, src->take, stride);
}

static void
pseudo_rewind(RowSource *s, int stride)
{
	pseudo_start((PseudoSource *) s, stride, false);
}

static void
pseudo_rewind_last(RowSource *s)
{
	pseudo_start((PseudoSource *) s, 1, true);
}

void
pseudo_source_release(PseudoSource *src, TrainBuf *buf)
{
	Assert(buf == src->buf);
	src->release = buf->releasable ? buf : NULL;
}

static void
pseudo_keep(RowSource *s, bool on)
{
	PseudoSource *src = (PseudoSource *) s;

	if (src->kept != NULL)
		pfree(src->kept);
	src->kept = on ? palloc_extended(sizeof(double) * Max(s->nrows, 1), MCXT_ALLOC_HUGE) :
		NULL;
	src->kept_all = false;
	src->pos = s->nrows + 1;	/* filled from the next rewind on */
}

void
pseudo_source_init(PseudoSource *src, const TrainBuf *buf, const bool *take,
				   const ArmWeights *aw, PseudoFill fill, void *arg)
{
	memset(src, 0, sizeof(PseudoSource));
	src->base.d = buf->p;
	for (int32 a = 0; a < buf->n_arms; a++)
		if (take[a])
			src->base.nrows += buf->arms[a].nrows;
	src->base.next = pseudo_next;
	src->base.rewind = pseudo_rewind;
	src->base.keep = pseudo_keep;
	src->base.rewind_last = pseudo_rewind_last;
	src->buf = buf;
	src->take = take;
	src->aw = aw;
	src->fill = fill;
	src->arg = arg;
	src->cols = palloc0(Max(buf->p, 1) * sizeof(double *));
	src->out = palloc(ROWBLOCK_ROWS * sizeof(double));
	pseudo_rewind(&src->base, 1);
}

void
pseudo_head_predict(const UpliftHead *head, int n, const double *const *col,
					double *out)
{
	if (head->forest != NULL)
	{
		learn_forest_predict(head, n, col, out);
		return;
	}
	for (int i = 0; i < n; i++)
		out[i] = head->coef[0];
	for (int j = 1; j < head->n_coef; j++)
	{
		const double *z = col[j - 1];
		double		b = head->coef[j];

		for (int i = 0; i < n; i++)
			out[i] += b * z[i];
	}
	if (head->link == UPLIFT_LINK_LOGIT)
		for (int i = 0; i < n; i++)
			out[i] = 1.0 / (1.0 + exp(-out[i]));
}
