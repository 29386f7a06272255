/*
 * trainbuf.h
 *	  The training-data buffer of uplift_fit, and the row sources
 *	  (rowsource.h) through which the solvers read it.
 *
 * Rows are kept per arm (action 0..K), in chunks.  A chunk holds "cap" rows
 * (a multiple of the tile): the features in tiles of "tile" rows (512, fewer
 * for very wide rows), each tile column-major (p columns of tile values),
 * for propensity-weighted fits a column of inverse propensities, and an
 * outcome column: one byte a row while every outcome is 0 or 1, else a
 * double.  A tile is what the solvers read as one block.  A row costs
 * p * 8 + 1 bytes (0/1 outcomes) up to (p + 2) * 8 bytes (with weights),
 * and chunks are never copied when the buffer grows, so the state stays
 * within about n * (p + 2) * 8 bytes.  Solvers read an arm chunk by chunk
 * without copying the features (see RowSource).
 */
#ifndef UPLIFT_TRAINBUF_H
#define UPLIFT_TRAINBUF_H

#include "postgres.h"
#include "lib/stringinfo.h"

#include "bytes.h"
#include "rowsource.h"
#include "uplift.h"

typedef struct TrainChunk
{
	struct TrainChunk *next;
	int32		nrows;			/* rows in use */
	int32		cap;			/* rows allocated */
	Size		bytes;			/* allocated for the chunk */
	double	   *x;				/* tiles: see TRAINBUF_X */
	double	   *w;				/* cap inverse propensities, or NULL */
	uint8	   *y01;			/* cap outcomes of 0 or 1 (binary buffers), */
	double	   *y;				/* or cap outcomes; NULL while y01 is used */
	bool		y_apart;		/* y has an allocation of its own */
} TrainChunk;

/* Outcome i of chunk c. */
static inline double
trainbuf_outcome(const TrainChunk *c, int32 i)
{
	return c->y != NULL ? c->y[i] : (double) c->y01[i];
}

/* Feature j of row i of chunk c in a buffer with p features and tile rows. */
#define TRAINBUF_X(c, p, tile, i, j) \
	((c)->x[((Size) (i) / (tile)) * (tile) * (p) + \
			(Size) (j) * (tile) + (Size) (i) % (tile)])

/*
 * Moments of one arm, kept instead of rows when the base is linear: with
 * u = (x, y) (q = p + 1 values) and the shift c = the arm's first row,
 *	  w = sum w_i,  s = sum w_i (u_i - c),  m = sum w_i (u_i - c)(u_i - c)'
 * (m row-major q x q, lower triangle used), w_i = 1/propensity or 1.  Rows
 * are summed into the open block and the block into the totals with
 * Neumaier compensation every ROWBLOCK_ROWS rows.
 */
typedef struct ArmMoments
{
	double	   *shift;			/* q */
	NeumaierSum w;
	NeumaierSum *s;				/* q */
	NeumaierSum *m;				/* q * q */
	int32		blk_n;
	double		blk_w;
	double	   *blk_s;			/* q */
	double	   *blk_m;			/* q * q */
} ArmMoments;

typedef struct TrainArm
{
	int64		nrows;
	TrainChunk *head;
	TrainChunk *tail;
	ArmMoments *mom;			/* moments buffers: NULL until the first row */
	double		prop_min;		/* range of propensities (weighted buffers) */
	double		prop_max;
	bool		released;		/* a releasing walk has freed its rows */
	TrainChunk *spare;			/* the arm's next chunk, allocated ahead and
								 * faulted in meanwhile (prefault.h), or NULL */
} TrainArm;

typedef struct TrainBuf
{
	MemoryContext cxt;			/* where chunks live */
	int32		p;				/* features per row */
	int32		tile;			/* rows per tile, a function of p */
	bool		weighted;		/* rows carry an inverse propensity */
	bool		moments;		/* keep per-arm moments, not rows */
	bool		all_binary;		/* every outcome so far is 0 or 1: chunks keep
								 * their outcomes as bytes */
	int32		n_arms;			/* arms allocated: actions 0..n_arms-1 */
	TrainArm   *arms;
	int64		nrows;			/* rows over all arms */
	Size		bytes;			/* bytes of chunk storage allocated */
	double	   *scratch;		/* p + 1 values */
	bool		releasable;		/* its last reader may free the rows as it goes */
	bool		released;		/* it did: the rows of some arms are gone */
	bool		prefault_ok;	/* may allocate spares (uplift.prefault) */
	struct Prefaulter *prefault;	/* faults in spare chunks; NULL until the
									 * first chunk of the largest size */
} TrainBuf;

/* Highest action (treatment) and most features a fit accepts. */
#define TRAINBUF_MAX_ACTION 256
#define TRAINBUF_MAX_FEATURES 10000

/*
 * Widest rows kept as moments (linear base): a row then costs (p+1)(p+2)/2
 * multiply-adds and an arm (p+1)^2 * 24 bytes, whatever the number of rows.
 */
#define TRAINBUF_MOMENTS_MAX_FEATURES 64

extern TrainBuf *trainbuf_create(MemoryContext cxt, int32 p, bool weighted,
								 bool moments);

/*
 * The moments of an arm of a moments buffer, open block included: w, the
 * mean of u = (x, y) (q values) and the centred co-moment
 * sum w_i (u_i - mean)(u_i - mean)' (q x q, full).
 */
extern double trainbuf_arm_moments(const TrainBuf *buf, int32 action,
								   double *mean, double *comoment);

/*
 * Append one row; x holds p finite values, propensity is ignored unless the
 * buffer is weighted.  The caller has validated the values.
 */
extern void trainbuf_append(TrainBuf *buf, const double *x, int32 action,
							double outcome, double propensity);

/*
 * No more rows will be appended for now: free the chunks allocated ahead of
 * need (after their pages are faulted in, if that is still going on).
 */
extern void trainbuf_rows_done(TrainBuf *buf);

/* Highest action with at least one row, or -1 for an empty buffer. */
extern int32 trainbuf_max_action(const TrainBuf *buf);

/*
 * Renumber the arms: the rows of arm a < n become those of arm
 * new_of_old[a] (a permutation of the arms with rows, or a map into a
 * larger range); arms n and above must be empty.
 */
extern void trainbuf_renumber_arms(TrainBuf *buf, const int32 *new_of_old, int32 n);

/* Move every row of "from" into "into" (same p and weighting). */
extern void trainbuf_merge(TrainBuf *into, TrainBuf *from);

/* Versioned bytes: write, and read back into a new buffer in cxt. */
extern void trainbuf_serialize(StringInfo out, const TrainBuf *buf);
extern TrainBuf *trainbuf_deserialize(ByteReader *r, MemoryContext cxt);

/*
 * A walk over the rows of the arms flagged in "take" (NULL: every arm), one
 * tile at a time (up to buf->tile rows of one chunk), reading only every
 * stride-th tile when stride > 1.  Every row source walks the buffer so.
 */
typedef struct TileCursor
{
	const TrainBuf *buf;
	const bool *take;
	int32		arm;			/* current arm; -1 before the first */
	const TrainChunk *chunk;	/* current chunk */
	int32		pos;			/* first row of the next tile in it */
	int			stride;
	int64		tile_no;		/* tiles passed since the start */
	TrainBuf   *release;		/* a releasing walk's buffer, or NULL */
	double		ybuf[ROWBLOCK_ROWS];	/* a tile's outcomes kept as bytes */
} TileCursor;

/*
 * One tile: n rows of an arm's chunk from row "start", and their outcomes
 * (valid until the cursor moves on).
 */
typedef struct TrainTile
{
	int32		arm;
	const TrainChunk *chunk;
	int32		start;
	int32		n;
	const double *y;
} TrainTile;

extern void trainbuf_cursor_start(TileCursor *cur, const TrainBuf *buf,
								  const bool *take, int stride);

/* The next tile; false at the end. */
extern bool trainbuf_cursor_next(TileCursor *cur, TrainTile *tile);

/*
 * A walk of the rows of the arms flagged in "take" (NULL: every arm) that
 * frees each chunk once it has handed out its last tile (call only when
 * buf->releasable, as the last reader of those arms): trainbuf_cursor_next
 * then frees the chunk the walk has left before it returns the next tile;
 * at the end those arms are marked released, and buf->released is set.  A
 * later walk of a released arm is an error.
 */
extern void trainbuf_release_start(TileCursor *cur, TrainBuf *buf, const bool *take);

/* Point cols[0..p-1] at the tile's feature columns. */
extern void trainbuf_tile_columns(const TrainBuf *buf, const TrainTile *tile,
								  const double **cols);

/* The rows of one arm, z = x, read without copying. */
typedef struct ArmSource
{
	RowSource	base;
	const TrainBuf *buf;
	TrainBuf   *release;		/* the same buffer when its last pass frees the rows */
	bool	   *take;			/* n_arms flags: only the source's arm */
	double		wscale;
	bool		use_weights;
	TileCursor	cur;
	const double **cols;		/* p column pointers */
} ArmSource;

extern void trainbuf_arm_source(ArmSource *src, const TrainBuf *buf,
								int32 action, bool use_weights, double wscale);

/*
 * Let the source's last pass (rewind_last) free the arm's rows, when the
 * buffer allows it: call only when nothing reads them after.
 */
extern void trainbuf_arm_source_release(ArmSource *src, TrainBuf *buf);

#endif							/* UPLIFT_TRAINBUF_H */
