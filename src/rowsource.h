/*
 * rowsource.h
 *	  The row-block interface through which the solvers (linear.c,
 *	  logistic.c) read their rows, and a row source over plain arrays.
 *
 * A solver sees its rows only as a sequence of blocks of at most
 * ROWBLOCK_ROWS rows, each a set of design columns, an outcome and optional
 * weights, and may restart the sequence (reading every stride-th block for
 * a warm start).  The training buffer (trainbuf.h) and the learners'
 * derived-outcome sources (learn_pseudo.h) implement it over uplift_fit's
 * state; ArraySource implements it over C arrays, so that the solvers can be
 * called and tested without a server.
 */
#ifndef UPLIFT_ROWSOURCE_H
#define UPLIFT_ROWSOURCE_H

#include "postgres.h"

/* Most rows of a RowBlock. */
#define ROWBLOCK_ROWS 512

/*
 * A block of rows as the solvers see it: n rows, d design columns, the
 * outcome and an optional weight column (weight = wscale * w[i]; w NULL
 * means every weight is 1), and the arm the rows are in when they come
 * from the training buffer (the forests weigh each arm themselves).
 */
typedef struct RowBlock
{
	int			n;
	const double *const *col;	/* d column pointers, each n values */
	const double *y;
	const double *w;
	double		wscale;
	int32		arm;			/* the arm all n rows are in, or -1 */
} RowBlock;

/*
 * A source of row blocks for one head.  next() returns false at the end;
 * rewind() restarts, reading only every "stride"-th block when stride > 1
 * (a deterministic subsample for warm starts).
 */
typedef struct RowSource RowSource;
struct RowSource
{
	int			d;				/* design columns, without the intercept */
	int64		nrows;			/* rows over a full pass */
	bool		(*next) (RowSource *src, RowBlock *blk);
	void		(*rewind) (RowSource *src, int stride);

	/*
	 * Optional (NULL when there is nothing to keep): on, the caller is about
	 * to read every row many times, so a source that computes a row's
	 * outcome keeps the outcomes of its first full pass and reads them back
	 * in the passes after; off, it frees them.
	 */
	void		(*keep) (RowSource *src, bool on);

	/*
	 * Optional (NULL: rewind with stride 1): restart for the caller's last
	 * pass, in which a source that may free its rows frees each block's
	 * rows once the block is passed.
	 */
	void		(*rewind_last) (RowSource *src);
};

/*
 * Rows from plain arrays: x holds d columns of nrows values each (column j
 * at x + j * nrows), y the nrows outcomes and w the nrows weights (NULL:
 * every weight 1).  The arrays are read in place and must outlive the
 * source.
 */
typedef struct ArraySource
{
	RowSource	base;
	const double *x;
	const double *y;
	const double *w;
	int64		pos;			/* first row of the next block */
	int			stride;
	int64		block_no;		/* blocks passed since the start */
	const double **cols;		/* d column pointers */
} ArraySource;

extern void rowsource_array(ArraySource *src, int d, int64 nrows,
							const double *x, const double *y, const double *w);

#endif							/* UPLIFT_ROWSOURCE_H */
