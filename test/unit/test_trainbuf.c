/*
 * test_trainbuf.c
 *	  Unit tests of uplift_fit's training buffer (src/trainbuf.c), run
 *	  without a server: outcomes of 0 or 1 kept as one byte a row, widened
 *	  to doubles when another outcome arrives, and every row read back as
 *	  it was appended, through tiles, sources, merges (linked and copied),
 *	  the serialized form and the releasing walk, and through the spare
 *	  chunks a helper thread faults in ahead of need.  Prints TAP.
 */
#include "postgres.h"

#include <math.h>
#include <stdio.h>

#include "nodes/memnodes.h"

#include "trainbuf.h"
#include "unit.h"

#undef printf

#define P 3

/* Two memory contexts the stubs tell apart only by address. */
static MemoryContextData cxt_a;
static MemoryContextData cxt_b;

/* Row r of a generated set: features and an outcome of 0 or 1. */
static void
row_values(int64 r, double *x, double *y)
{
	for (int j = 0; j < P; j++)
		x[j] = (double) r * (j + 1) + 0.25;
	*y = (double) ((r * 7) % 3 == 0);
}

/* Append rows [from, to) of the generated set, arm r % 2. */
static void
append_rows(TrainBuf *buf, int64 from, int64 to)
{
	for (int64 r = from; r < to; r++)
	{
		double		x[P];
		double		y;

		row_values(r, x, &y);
		trainbuf_append(buf, x, (int32) (r % 2), y, 1.0);
	}
}

/*
 * Whether a walk of arm a's tiles gives, in order, the rows in "rows"
 * (indexes into the generated set; a negative index -k is a row whose
 * outcome is 0.5 and whose features are those of row k).
 */
static bool
arm_reads(const TrainBuf *buf, int32 a, const int64 *rows, int64 n)
{
	bool	   *take = palloc0(sizeof(bool) * buf->n_arms);
	TileCursor	cur;
	TrainTile	t;
	int64		k = 0;
	bool		same = true;

	take[a] = true;
	trainbuf_cursor_start(&cur, buf, take, 1);
	while (trainbuf_cursor_next(&cur, &t))
		for (int32 i = 0; i < t.n; i++, k++)
		{
			double		x[P];
			double		y;

			if (k >= n)
				return false;
			row_values(Abs(rows[k]), x, &y);
			if (rows[k] < 0)
				y = 0.5;
			for (int j = 0; j < P; j++)
				same = same && TRAINBUF_X(t.chunk, P, buf->tile, t.start + i, j) == x[j];
			same = same && t.y[i] == y && trainbuf_outcome(t.chunk, t.start + i) == y;
		}
	pfree(take);
	return same && k == n;
}

/* Rows of arm a among [from, to) of the generated set, appended to out. */
static int64
arm_rows(int32 a, int64 from, int64 to, int64 *out, int64 n)
{
	for (int64 r = from; r < to; r++)
		if (r % 2 == a)
			out[n++] = r;
	return n;
}

static bool
every_chunk(const TrainBuf *buf, bool bytes)
{
	for (int32 a = 0; a < buf->n_arms; a++)
		for (const TrainChunk *c = buf->arms[a].head; c != NULL; c = c->next)
			if ((c->y01 != NULL) != bytes || (c->y != NULL) == bytes)
				return false;
	return true;
}

static void
test_binary_rows(void)
{
	int64		n = 5000;
	int64	   *rows = palloc(sizeof(int64) * n);
	TrainBuf   *buf = trainbuf_create(&cxt_a, P, false, false);
	Size		row_storage;

	append_rows(buf, 0, n);
	row_storage = (Size) n * (P * sizeof(double) + 1);
	unit_check(buf->all_binary && every_chunk(buf, true),
			   "0/1 outcomes are kept as bytes in every chunk");
	unit_check(arm_reads(buf, 0, rows, arm_rows(0, 0, n, rows, 0)) &&
			   arm_reads(buf, 1, rows, arm_rows(1, 0, n, rows, 0)),
			   "every row of both arms reads back through tiles, bytes as doubles");
	unit_check(buf->bytes >= row_storage && buf->bytes < 2 * row_storage + 65536,
			   "the rows take P x 8 + 1 bytes each, within one doubling (%zu for %zu)",
			   buf->bytes, row_storage);
	pfree(rows);
}

static void
test_widen(void)
{
	int64		n = 3000;
	int64	   *rows = palloc(sizeof(int64) * (n + 1));
	TrainBuf   *buf = trainbuf_create(&cxt_a, P, false, false);
	double		x[P];
	double		y;
	int64		k;
	Size		before;

	append_rows(buf, 0, n);
	before = buf->bytes;
	row_values(7, x, &y);
	trainbuf_append(buf, x, 1, 0.5, 1.0);
	k = arm_rows(1, 0, n, rows, 0);
	rows[k++] = -7;
	unit_check(!buf->all_binary && every_chunk(buf, false),
			   "an outcome other than 0 or 1 widens every chunk's outcomes to doubles");
	unit_check(arm_reads(buf, 1, rows, k) &&
			   arm_reads(buf, 0, rows, arm_rows(0, 0, n, rows, 0)),
			   "after widening every row reads back as appended");
	unit_check(buf->bytes > before + (Size) n * sizeof(double) - 1,
			   "the widened columns are counted in the buffer's bytes");
	trainbuf_append(buf, x, 0, -0.0, 1.0);
	{
		TileCursor	cur;
		TrainTile	t;
		double		last = 1.0;

		trainbuf_cursor_start(&cur, buf, NULL, 1);
		while (trainbuf_cursor_next(&cur, &t))
			if (t.arm == 0)
				last = t.y[t.n - 1];
		unit_check(last == 0.0 && !signbit(last), "an outcome of -0 is kept as 0");
	}
	pfree(rows);
}

/* Serialize buf and read it back. */
static TrainBuf *
round_trip(const TrainBuf *buf, StringInfo out)
{
	ByteReader	r;

	initStringInfo(out);
	trainbuf_serialize(out, buf);
	bytes_reader_init(&r, out->data, out->len, "training data");
	return trainbuf_deserialize(&r, &cxt_b);
}

static void
test_serialize(void)
{
	int64		n = 2000;
	int64	   *rows = palloc(sizeof(int64) * (n + 1));
	TrainBuf   *buf = trainbuf_create(&cxt_a, P, false, false);
	StringInfoData out;
	TrainBuf   *back;
	double		x[P];
	double		y;
	int64		k;

	append_rows(buf, 0, n);
	back = round_trip(buf, &out);
	unit_check(back->all_binary && every_chunk(back, true) &&
			   arm_reads(back, 0, rows, arm_rows(0, 0, n, rows, 0)) &&
			   arm_reads(back, 1, rows, arm_rows(1, 0, n, rows, 0)),
			   "a binary buffer reads back from its bytes with byte outcomes");
	/* the outcome column of arm 0 starts after its header and features */
	{
		char	   *at = out.data + 1 + 4 + 3 + 4 + 8 + 8 + 8 +
			(Size) arm_rows(0, 0, n, rows, 0) * P * sizeof(double);
		ByteReader	r;

		*at = 2;
		bytes_reader_init(&r, out.data, out.len, "training data");
		unit_check(UNIT_THROWS(trainbuf_deserialize(&r, &cxt_b),
							   ERRCODE_INVALID_BINARY_REPRESENTATION),
				   "an outcome byte other than 0 or 1 is refused as corrupted (22P03)");
	}
	row_values(3, x, &y);
	trainbuf_append(buf, x, 1, 0.5, 1.0);
	back = round_trip(buf, &out);
	k = arm_rows(1, 0, n, rows, 0);
	rows[k++] = -3;
	unit_check(!back->all_binary && every_chunk(back, false) && arm_reads(back, 1, rows, k),
			   "a widened buffer reads back with double outcomes");
	pfree(rows);
}

/* Merge a buffer of rows [n, 2n) into one of rows [0, n); one has a 0.5. */
static bool
merge_case(bool same_cxt, bool widen_into, bool widen_from)
{
	int64		n = 1500;
	int64	   *rows = palloc(sizeof(int64) * (2 * n + 2));
	TrainBuf   *into = trainbuf_create(&cxt_a, P, false, false);
	TrainBuf   *from = trainbuf_create(same_cxt ? &cxt_a : &cxt_b, P, false, false);
	double		x[P];
	double		y;
	int64		k;
	bool		ok;

	append_rows(into, 0, n);
	append_rows(from, n, 2 * n);
	row_values(5, x, &y);
	if (widen_into)
		trainbuf_append(into, x, 1, 0.5, 1.0);
	if (widen_from)
		trainbuf_append(from, x, 1, 0.5, 1.0);
	trainbuf_merge(into, from);
	k = arm_rows(1, 0, n, rows, 0);
	if (widen_into)
		rows[k++] = -5;
	k = arm_rows(1, n, 2 * n, rows, k);
	if (widen_from)
		rows[k++] = -5;
	ok = arm_reads(into, 1, rows, k) &&
		arm_reads(into, 0, rows, arm_rows(0, n, 2 * n, rows, arm_rows(0, 0, n, rows, 0))) &&
		into->all_binary == !(widen_into || widen_from) &&
		every_chunk(into, into->all_binary) &&
		into->nrows == 2 * n + widen_into + widen_from;
	pfree(rows);
	return ok;
}

static void
test_merge(void)
{
	for (int same = 0; same <= 1; same++)
		for (int wi = 0; wi <= 1; wi++)
			for (int wf = 0; wf <= 1; wf++)
				unit_check(merge_case(same, wi, wf),
						   "merge (%s), %s into %s: every row in order",
						   same ? "linked" : "copied",
						   wf ? "double outcomes" : "byte outcomes",
						   wi ? "double outcomes" : "byte outcomes");
}

static void
test_release(void)
{
	TrainBuf   *buf = trainbuf_create(&cxt_a, P, false, false);
	TileCursor	cur;
	TrainTile	t;
	double		x[P];
	double		y;
	int64		n = 0;
	double		sum = 0.0,
				expect = 0.0;

	append_rows(buf, 0, 4000);
	row_values(1, x, &y);
	trainbuf_append(buf, x, 0, 0.5, 1.0);
	for (int64 r = 0; r < 4000; r++)
	{
		row_values(r, x, &y);
		expect += y;
	}
	expect += 0.5;
	buf->releasable = true;
	trainbuf_release_start(&cur, buf, NULL);
	while (trainbuf_cursor_next(&cur, &t))
		for (int32 i = 0; i < t.n; i++, n++)
			sum += t.y[i];
	unit_check(n == 4001 && sum == expect && buf->released && buf->bytes == 0,
			   "the releasing walk reads every row and frees every chunk, widened columns too");
}

static void
test_release_arm(void)
{
	TrainBuf   *buf = trainbuf_create(&cxt_a, P, false, false);
	int64	   *rows = palloc(sizeof(int64) * 3000);
	bool		take[2] = {true, false};
	TileCursor	cur;
	TrainTile	t;
	int64		n = 0;
	Size		before;

	append_rows(buf, 0, 3000);
	before = buf->bytes;
	buf->releasable = true;
	trainbuf_release_start(&cur, buf, take);
	while (trainbuf_cursor_next(&cur, &t))
		n += t.n;
	unit_check(n == 1500 && buf->released && buf->arms[0].released && !buf->arms[1].released &&
			   buf->bytes < before && buf->bytes > 0,
			   "a releasing walk of one arm frees that arm's rows only");
	unit_check(arm_reads(buf, 1, rows, arm_rows(1, 0, 3000, rows, 0)),
			   "the other arm still reads back whole");
	unit_check(UNIT_THROWS(trainbuf_cursor_start(&cur, buf, take, 1), ERRCODE_INTERNAL_ERROR) &&
			   UNIT_THROWS(trainbuf_cursor_start(&cur, buf, NULL, 1), ERRCODE_INTERNAL_ERROR),
			   "a walk of a released arm is an error");
	pfree(rows);
}

/*
 * Wide rows reach chunks of the largest size after a few thousand rows, so
 * that an arm gets a spare chunk, faulted in by the helper thread.
 */
#define WIDE_P 512

static double
wide_value(int64 r, int j)
{
	return (double) r + j * 0.5;
}

static double
wide_outcome(int64 r, int64 widen_at)
{
	return r == widen_at ? 0.5 : (double) (r % 3 == 0);
}

static void
wide_append(TrainBuf *buf, int64 from, int64 to, int64 widen_at)
{
	double	   *x = palloc(sizeof(double) * WIDE_P);

	for (int64 r = from; r < to; r++)
	{
		for (int j = 0; j < WIDE_P; j++)
			x[j] = wide_value(r, j);
		trainbuf_append(buf, x, (int32) (r % 2), wide_outcome(r, widen_at), 1.0);
	}
	pfree(x);
}

/* Whether arm a reads back rows a, a + 2, ... below n, in order. */
static bool
wide_reads(const TrainBuf *buf, int32 a, int64 n, int64 widen_at)
{
	bool		take[2] = {a == 0, a == 1};
	TileCursor	cur;
	TrainTile	t;
	int64		r = a;
	bool		same = true;

	trainbuf_cursor_start(&cur, buf, take, 1);
	while (trainbuf_cursor_next(&cur, &t))
		for (int32 i = 0; i < t.n; i++, r += 2)
		{
			for (int j = 0; j < WIDE_P; j++)
				same = same && TRAINBUF_X(t.chunk, WIDE_P, buf->tile, t.start + i, j) == wide_value(r, j);
			same = same && t.y[i] == wide_outcome(r, widen_at);
		}
	return same && r - 2 < n && r >= n;
}

/* Bytes of the chunks in the arms' lists. */
static Size
listed_bytes(const TrainBuf *buf)
{
	Size		bytes = 0;

	for (int32 a = 0; a < buf->n_arms; a++)
		for (const TrainChunk *c = buf->arms[a].head; c != NULL; c = c->next)
			bytes += c->bytes;
	return bytes;
}

static bool
any_spare(const TrainBuf *buf)
{
	for (int32 a = 0; a < buf->n_arms; a++)
		if (buf->arms[a].spare != NULL)
			return true;
	return false;
}

static void
test_spares(void)
{
	static MemoryContextData cxt_c;
	int64		n = 40000;
	int64		widen_at = 30001;
	TrainBuf   *buf = trainbuf_create(&cxt_c, WIDE_P, false, false);
	bool		had_spare;

	buf->prefault_ok = true;
	wide_append(buf, 0, 24000, widen_at);
	had_spare = any_spare(buf);
	unit_check(had_spare && buf->bytes > listed_bytes(buf),
			   "an arm taking chunks of the largest size has a spare chunk allocated ahead");
	wide_append(buf, 24000, n, widen_at);
	unit_check(!buf->all_binary && every_chunk(buf, false),
			   "an outcome of 0.5 after the spares widens every chunk in use");
	unit_check(wide_reads(buf, 0, n, widen_at) && wide_reads(buf, 1, n, widen_at),
			   "every row of both arms reads back, through the chunks that were spares");
	trainbuf_rows_done(buf);
	unit_check(!any_spare(buf) && buf->bytes == listed_bytes(buf),
			   "once the rows are done the spares are freed and counted no more");

	/* a reset waits for a helper still touching a spare */
	buf = trainbuf_create(&cxt_c, WIDE_P, false, false);
	buf->prefault_ok = true;
	wide_append(buf, 0, 24000, -1);
	unit_reset_context(&cxt_c);
	unit_check(any_spare(buf) && wide_reads(buf, 0, 24000, -1),
			   "a reset of the context joins the helper (the buffer as it was)");

	buf = trainbuf_create(&cxt_c, WIDE_P, false, false);
	wide_append(buf, 0, 24000, -1);
	unit_check(!any_spare(buf) && buf->prefault == NULL && buf->bytes == listed_bytes(buf),
			   "a buffer not allowed to prefault (uplift.prefault off) has no spares");
}

int
main(void)
{
	test_binary_rows();
	test_widen();
	test_serialize();
	test_merge();
	test_release();
	test_release_arm();
	test_spares();
	return unit_done();
}
