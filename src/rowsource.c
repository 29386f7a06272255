/*
 * rowsource.c
 *	  A row source over plain C arrays (see rowsource.h).
 */
#include "postgres.h"

#include "rowsource.h"

static bool
array_next(RowSource *s, RowBlock *blk)
{
	ArraySource *src = (ArraySource *) s;

	for (;;)
	{
		int64		start = src->pos;
		int			n;
		bool		take;

		if (start >= s->nrows)
			return false;
		n = (int) Min((int64) ROWBLOCK_ROWS, s->nrows - start);
		src->pos += n;
		take = src->stride <= 1 || src->block_no % src->stride == 0;
		src->block_no++;
		if (!take)
			continue;
		for (int j = 0; j < s->d; j++)
			src->cols[j] = src->x + (Size) j * s->nrows + start;
		blk->n = n;
		blk->arm = -1;
		blk->col = src->cols;
		blk->y = src->y + start;
		blk->w = src->w != NULL ? src->w + start : NULL;
		blk->wscale = 1.0;
		return true;
	}
}

static void
array_rewind(RowSource *s, int stride)
{
	ArraySource *src = (ArraySource *) s;

	src->pos = 0;
	src->stride = stride;
	src->block_no = 0;
}

void
rowsource_array(ArraySource *src, int d, int64 nrows, const double *x,
				const double *y, const double *w)
{
	memset(src, 0, sizeof(ArraySource));
	src->base.d = d;
	src->base.nrows = nrows;
	src->base.next = array_next;
	src->base.rewind = array_rewind;
	src->x = x;
	src->y = y;
	src->w = w;
	src->cols = palloc0(Max(d, 1) * sizeof(double *));
	array_rewind(&src->base, 1);
}
