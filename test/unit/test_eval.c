/*
 * test_eval.c
 *	  Unit tests of the merge of sorted runs (src/eval_metrics.c) that the
 *	  evaluation aggregates' combine function uses under a parallel plan, run
 *	  without a server: rows split into parts in input order, each part
 *	  sorted, the parts merged, give the rows of one sort of all rows (every
 *	  row once, in metric_sort's order, and with a total order exactly the
 *	  same array), and the same Qini, AUUC and decile counts as one sort,
 *	  with many ties in the score; and the radix sort of each layout against
 *	  scores of every sign, magnitude and spacing.  Prints TAP.
 */
#include "postgres.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "eval_metrics.h"
#include "unit.h"

#undef printf

#define NROWS 20000

/* A small deterministic generator (the C library's rand differs by platform). */
static uint64 rng_state = 88172645463325252ULL;

static double
next_uniform(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (double) (rng_state >> 11) / 9007199254740992.0;
}

/*
 * n rows per arm of the layout: scores on a grid of 50 values (many ties),
 * a 0/1 outcome, a cost or (ordered) the input sequence.
 */
static void
fill(MetricData *d, MetricLayout layout, int64 n)
{
	int			w = METRIC_WIDTH(layout);
	int64		seq = 0;

	memset(d, 0, sizeof(MetricData));
	d->layout = layout;
	for (int a = 0; a < 2; a++)
	{
		d->arm[a].rows = palloc(n * w * sizeof(double));
		d->arm[a].n = d->arm[a].cap = n;
		for (int64 i = 0; i < n; i++)
		{
			double	   *row = d->arm[a].rows + i * w;

			row[0] = floor(next_uniform() * 50) / 50;
			row[1] = next_uniform() < 0.2 + 0.3 * row[0] * a ? 1.0 : 0.0;
			if (layout == METRIC_COST)
				row[2] = next_uniform();
			else if (layout == METRIC_ORDERED)
			{
				seq++;
				memcpy(&row[2], &seq, sizeof(seq));
			}
		}
	}
}

/* A copy of rows [from, to) of each arm. */
static void
slice(const MetricData *d, double from, double to, MetricData *out)
{
	int			w = METRIC_WIDTH(d->layout);

	memset(out, 0, sizeof(MetricData));
	out->layout = d->layout;
	for (int a = 0; a < 2; a++)
	{
		int64		lo = (int64) (from * d->arm[a].n);
		int64		hi = (int64) (to * d->arm[a].n);

		out->arm[a].n = out->arm[a].cap = hi - lo;
		out->arm[a].rows = palloc(Max(hi - lo, 1) * w * sizeof(double));
		memcpy(out->arm[a].rows, d->arm[a].rows + lo * w, (hi - lo) * w * sizeof(double));
	}
}

/* The three parts of d (a fifth, a half, the rest) sorted, then merged. */
static void
split_sort_merge(const MetricData *d, MetricData *out)
{
	MetricData	part[3];
	const double cut[4] = {0, 0.2, 0.7, 1};
	int			w = METRIC_WIDTH(d->layout);

	for (int k = 0; k < 3; k++)
	{
		slice(d, cut[k], cut[k + 1], &part[k]);
		metric_sort(&part[k]);
	}
	memset(out, 0, sizeof(MetricData));
	out->layout = d->layout;
	for (int a = 0; a < 2; a++)
	{
		int64		n01 = part[0].arm[a].n + part[1].arm[a].n;
		double	   *first = palloc(Max(n01, 1) * w * sizeof(double));

		out->arm[a].n = out->arm[a].cap = n01 + part[2].arm[a].n;
		out->arm[a].rows = palloc(Max(out->arm[a].n, 1) * w * sizeof(double));
		metric_merge_rows(d->layout, part[0].arm[a].rows, part[0].arm[a].n,
						  part[1].arm[a].rows, part[1].arm[a].n, first);
		metric_merge_rows(d->layout, first, n01,
						  part[2].arm[a].rows, part[2].arm[a].n, out->arm[a].rows);
	}
	out->sorted = true;
}

static int
cmp_double(const void *a, const void *b)
{
	double		x = *(const double *) a,
				y = *(const double *) b;

	return x < y ? -1 : (x > y ? 1 : 0);
}

/* Every row of want is in got once: the rows as keys, sorted, are equal. */
static bool
same_rows(const MetricArm *got, const MetricArm *want, int w)
{
	double	   *kg = palloc(Max(got->n, 1) * sizeof(double));
	double	   *kw = palloc(Max(want->n, 1) * sizeof(double));
	bool		same = got->n == want->n;

	for (int64 i = 0; same && i < got->n; i++)
	{
		/* an injective key of a row: score, outcome and third slot */
		kg[i] = got->rows[i * w] * 4 + got->rows[i * w + 1] * 2 +
			(w == 3 ? got->rows[i * w + 2] * 1e-3 : 0);
		kw[i] = want->rows[i * w] * 4 + want->rows[i * w + 1] * 2 +
			(w == 3 ? want->rows[i * w + 2] * 1e-3 : 0);
	}
	if (!same)
		return false;
	qsort(kg, got->n, sizeof(double), cmp_double);
	qsort(kw, want->n, sizeof(double), cmp_double);
	return memcmp(kg, kw, got->n * sizeof(double)) == 0;
}

static bool
descending(const MetricArm *arm, int w)
{
	for (int64 i = 1; i < arm->n; i++)
		if (arm->rows[(i - 1) * w] < arm->rows[i * w])
			return false;
	return true;
}

static void
test_layout(MetricLayout layout, const char *name)
{
	MetricData	all,
				one,
				merged;
	int			w = METRIC_WIDTH(layout);
	bool		rows_ok = true,
				order_ok = true,
				exact = true;

	fill(&all, layout, NROWS);
	slice(&all, 0, 1, &one);
	metric_sort(&one);
	split_sort_merge(&all, &merged);
	for (int a = 0; a < 2; a++)
	{
		rows_ok &= same_rows(&merged.arm[a], &one.arm[a], w);
		order_ok &= descending(&merged.arm[a], w);
		exact &= memcmp(merged.arm[a].rows, one.arm[a].rows,
						one.arm[a].n * w * sizeof(double)) == 0;
	}
	unit_check(rows_ok, "%s: the merged runs hold every row once", name);
	unit_check(order_ok, "%s: the merged runs are in descending score order", name);
	if (layout == METRIC_ORDERED)
		unit_check(exact, "%s: a total order merges to exactly the sorted array", name);
}

static void
test_metrics(void)
{
	MetricData	all,
				one,
				merged;
	bool		undef1,
				undef2;
	double		q1,
				q2;

	fill(&all, METRIC_PLAIN, NROWS);
	slice(&all, 0, 1, &one);
	split_sort_merge(&all, &merged);
	q1 = metric_qini_auc(&one, true, &undef1);
	q2 = metric_qini_auc(&merged, true, &undef2);
	unit_check(!undef1 && !undef2 && q1 == q2 && fabs(q1) > 1e-3,
			   "Qini of the merged runs equals that of one sort (%.15g, %.15g)", q2, q1);

	slice(&all, 0, 1, &one);
	split_sort_merge(&all, &merged);
	q1 = metric_auuc(&one, &undef1);
	q2 = metric_auuc(&merged, &undef2);
	unit_check(!undef1 && !undef2 && q1 == q2,
			   "AUUC of the merged runs equals that of one sort (%.15g, %.15g)", q2, q1);

	slice(&all, 0, 1, &one);
	metric_sort(&one);
	split_sort_merge(&all, &merged);
	unit_check(metric_count_groups(&merged) == metric_count_groups(&one) &&
			   metric_count_groups(&one) == 50,
			   "the merged runs have the 50 tie groups of the scores");
}

/* A sorted state is not sorted again; rows whose scores change are. */
static void
test_sorted_flag(void)
{
	MetricData	d;
	double		first;

	fill(&d, METRIC_PLAIN, 100);
	metric_sort(&d);
	unit_check(d.sorted && descending(&d.arm[0], 2) && descending(&d.arm[1], 2),
			   "metric_sort marks the rows sorted");
	/* swap two rows: a sorted state keeps its order */
	first = d.arm[0].rows[0];
	d.arm[0].rows[0] = d.arm[0].rows[99 * 2];
	d.arm[0].rows[99 * 2] = first;
	metric_sort(&d);
	unit_check(d.arm[0].rows[0] <= first && !descending(&d.arm[0], 2),
			   "metric_sort leaves rows marked sorted as they are");
	d.sorted = false;
	metric_sort(&d);
	unit_check(descending(&d.arm[0], 2), "rows marked unsorted are sorted");
	metric_set_perfect_scores(&d, PERFECT_QINI);
	unit_check(descending(&d.arm[0], 2) && descending(&d.arm[1], 2),
			   "the perfect scores are sorted after they replace the scores");
}

/* ---- the radix sort ---- */

static int	cmp_width;

/* Rows ordered by the bits of each slot: a total order on bit patterns. */
static int
cmp_row_bits(const void *a, const void *b)
{
	for (int k = 0; k < cmp_width; k++)
	{
		uint64		x,
					y;

		memcpy(&x, (const double *) a + k, sizeof(x));
		memcpy(&y, (const double *) b + k, sizeof(y));
		if (x != y)
			return x < y ? -1 : 1;
	}
	return 0;
}

/* got holds exactly the rows of want, bit for bit, in any order. */
static bool
same_row_bits(const MetricArm *got, const double *want, int64 n, int w)
{
	double	   *g = palloc(Max(n, 1) * w * sizeof(double));
	double	   *x = palloc(Max(n, 1) * w * sizeof(double));
	bool		same;

	if (got->n != n)
		return false;
	memcpy(g, got->rows, n * w * sizeof(double));
	memcpy(x, want, n * w * sizeof(double));
	cmp_width = w;
	qsort(g, n, w * sizeof(double), cmp_row_bits);
	qsort(x, n, w * sizeof(double), cmp_row_bits);
	same = memcmp(g, x, n * w * sizeof(double)) == 0;
	pfree(g);
	pfree(x);
	return same;
}

static double
score_uniform(int64 i)
{
	return next_uniform();
}

static double
score_grid(int64 i)
{
	return floor(next_uniform() * 50) / 50;
}

static double
score_constant(int64 i)
{
	return 0.25;
}

/* scores that differ only in their last two bytes */
static double
score_low_bytes(int64 i)
{
	return 1.0 + (double) ((i * 7919) % 300) * DBL_EPSILON;
}

/* both signs, every magnitude, zeros of both signs, subnormals, extremes */
static double
score_wide(int64 i)
{
	static const double special[] = {0.0, -0.0, DBL_MIN, -DBL_MIN, 5e-324,
	-5e-324, DBL_MAX, -DBL_MAX, 1.0, -1.0};
	double		u = next_uniform();

	if (i % 7 == 0)
		return special[(i / 7) % lengthof(special)];
	return ldexp(u, (int) (next_uniform() * 2000) - 1000) *
		(next_uniform() < 0.5 ? -1 : 1);
}

/* n rows per arm with scores from gen: sorted, descending, the same rows */
static void
check_sort(MetricLayout layout, int64 n, double (*gen) (int64), const char *name)
{
	MetricData	d;
	int			w = METRIC_WIDTH(layout);
	double	   *before[2];
	bool		ok = true;

	memset(&d, 0, sizeof(d));
	d.layout = layout;
	for (int a = 0; a < 2; a++)
	{
		d.arm[a].rows = palloc(Max(n, 1) * w * sizeof(double));
		d.arm[a].n = d.arm[a].cap = n;
		for (int64 i = 0; i < n; i++)
		{
			double	   *row = d.arm[a].rows + i * w;

			row[0] = gen(i);
			row[1] = next_uniform() < 0.3 ? 1.0 : 0.0;
			if (layout == METRIC_COST)
				row[2] = next_uniform();
			else if (layout == METRIC_ORDERED)
			{
				/* input sequences, not in input order, some negative */
				int64		seq = (i * 7919) % (n + 1) - n / 3;

				memcpy(&row[2], &seq, sizeof(seq));
			}
		}
		before[a] = palloc(Max(n, 1) * w * sizeof(double));
		memcpy(before[a], d.arm[a].rows, n * w * sizeof(double));
	}
	metric_sort(&d);
	for (int a = 0; a < 2; a++)
	{
		ok = ok && descending(&d.arm[a], w) && same_row_bits(&d.arm[a], before[a], n, w);
		for (int64 i = 1; layout == METRIC_ORDERED && i < n; i++)
		{
			const double *prev = d.arm[a].rows + (i - 1) * w;
			const double *row = d.arm[a].rows + i * w;
			int64		s0,
						s1;

			memcpy(&s0, &prev[2], sizeof(s0));
			memcpy(&s1, &row[2], sizeof(s1));
			ok = ok && (prev[0] != row[0] || s0 > s1);
		}
	}
	unit_check(ok, "%s, %lld rows an arm, %s: sorted by descending score%s, every row kept",
			   layout == METRIC_PLAIN ? "score and outcome" :
			   layout == METRIC_COST ? "score, value and cost" : "score, outcome and sequence",
			   (long long) n, name,
			   layout == METRIC_ORDERED ? " then descending sequence" : "");
}

static void
test_radix_sort(void)
{
	static const int64 sizes[] = {0, 1, 2, 63, 64, 65, 1000, 300000};
	MetricData	d;
	MetricGroup g;
	MetricCursor cur;
	int64		zeros = 0;

	for (int k = 0; k < lengthof(sizes); k++)
	{
		check_sort(METRIC_PLAIN, sizes[k], score_uniform, "uniform scores");
		check_sort(METRIC_COST, sizes[k], score_wide, "scores of both signs and every magnitude");
		check_sort(METRIC_ORDERED, sizes[k], score_grid, "50 distinct scores");
	}
	check_sort(METRIC_ORDERED, 300000, score_wide, "scores of both signs and every magnitude");
	check_sort(METRIC_ORDERED, 100000, score_constant, "one score");
	check_sort(METRIC_PLAIN, 300000, score_wide, "scores of both signs and every magnitude");
	check_sort(METRIC_PLAIN, 300000, score_grid, "50 distinct scores");
	check_sort(METRIC_COST, 300000, score_grid, "50 distinct scores");
	check_sort(METRIC_PLAIN, 100000, score_constant, "one score");
	check_sort(METRIC_PLAIN, 100000, score_low_bytes, "scores apart in their last bytes");

	/* -0 and +0 are one tie group, between the positive and negative scores */
	memset(&d, 0, sizeof(d));
	d.layout = METRIC_PLAIN;
	d.arm[0].rows = palloc(3000 * 2 * sizeof(double));
	d.arm[0].n = d.arm[0].cap = 3000;
	for (int i = 0; i < 3000; i++)
	{
		d.arm[0].rows[i * 2] = (i % 3 == 0) ? -0.0 : (i % 3 == 1 ? 0.0 : (i % 2 ? 1.0 : -1.0));
		d.arm[0].rows[i * 2 + 1] = 1.0;
	}
	metric_sort(&d);
	metric_cursor_init(&cur, &d, false);
	while (metric_cursor_next(&cur, &g))
		if (g.score == 0)
			zeros += (int64) g.n[0];
	unit_check(metric_count_groups(&d) == 3 && zeros == 2000,
			   "-0 and +0 sort as one score: 3 tie groups, 2000 zeros in one");

	/* interrupts: checked often, and a cancel is raised */
	memset(&d, 0, sizeof(d));
	d.layout = METRIC_PLAIN;
	for (int a = 0; a < 2; a++)
	{
		d.arm[a].rows = palloc(2000000 * 2 * sizeof(double));
		d.arm[a].n = d.arm[a].cap = 2000000;
		for (int64 i = 0; i < 2000000; i++)
		{
			d.arm[a].rows[i * 2] = next_uniform();
			d.arm[a].rows[i * 2 + 1] = 0;
		}
	}
	unit_interrupts_start();
	metric_sort(&d);
	unit_interrupts_stop();
	unit_check(descending(&d.arm[0], 2) && unit_max_interrupt_gap < 0.01,
			   "sorting 2,000,000 rows an arm checks for interrupts at least every 10 ms of CPU: longest gap %.1f ms",
			   unit_max_interrupt_gap * 1000);
	d.sorted = false;
	for (int64 i = 0; i < 2000000; i++)
		d.arm[0].rows[i * 2] = next_uniform();
	unit_cancel_after = 5;
	unit_interrupts_start();
	unit_check(UNIT_THROWS(metric_sort(&d), ERRCODE_QUERY_CANCELED),
			   "a cancel during the sort is raised with 57014");
	unit_interrupts_stop();
	unit_cancel_after = -1;
}

int
main(void)
{
	test_layout(METRIC_PLAIN, "score and outcome");
	test_layout(METRIC_COST, "score, value and cost");
	test_layout(METRIC_ORDERED, "score, outcome and sequence");
	test_metrics();
	test_sorted_flag();
	test_radix_sort();
	return unit_done();
}
