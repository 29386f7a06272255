/*
 * eval_metrics.c
 *	  Uplift evaluation arithmetic on plain arrays: sorting, tie groups,
 *	  Qini and uplift curves, their areas, the cut at k and percentile bins.
 *
 * The formulas follow scikit-uplift 0.5.1 (sklift/metrics/metrics.py):
 *	 qini(x)	 = Yt(x) - Yc(x) * Nt(x) / Nc(x)
 *	 uplift(x) = (Yt(x) / Nt(x) - Yc(x) / Nc(x)) * x
 * over the x rows with the highest scores, one point per distinct score plus
 * (0, 0); a ratio with a zero denominator counts as 0.  Areas are trapezoids.
 * Every long sum uses Neumaier's compensated summation (uplift.h).
 */
#include "postgres.h"

#include <math.h>

#include "miscadmin.h"

#include "eval_metrics.h"
#include "uplift.h"

typedef struct RowPlain
{
	double		score;
	double		y;
} RowPlain;

typedef struct RowCost
{
	double		score;
	double		y;
	double		c;
} RowCost;

typedef struct RowOrdered
{
	double		score;
	double		y;
	int64		seq;
} RowOrdered;

/* descending score */
#define DESC_CMP(a, b) ((a)->score > (b)->score ? -1 : ((a)->score < (b)->score ? 1 : 0))
/* descending score, then the later input row first (scikit-uplift's order) */
#define ORDERED_CMP(a, b) \
	(DESC_CMP(a, b) != 0 ? DESC_CMP(a, b) : \
	 ((a)->seq > (b)->seq ? -1 : ((a)->seq < (b)->seq ? 1 : 0)))

#define ST_SORT sort_rows_plain
#define ST_ELEMENT_TYPE RowPlain
#define ST_COMPARE(a, b) DESC_CMP(a, b)
#define ST_CHECK_FOR_INTERRUPTS
#define ST_SCOPE static
#define ST_DEFINE
#include "lib/sort_template.h"

#define ST_SORT sort_rows_cost
#define ST_ELEMENT_TYPE RowCost
#define ST_COMPARE(a, b) DESC_CMP(a, b)
#define ST_CHECK_FOR_INTERRUPTS
#define ST_SCOPE static
#define ST_DEFINE
#include "lib/sort_template.h"

#define ST_SORT sort_rows_ordered
#define ST_ELEMENT_TYPE RowOrdered
#define ST_COMPARE(a, b) ORDERED_CMP(a, b)
#define ST_CHECK_FOR_INTERRUPTS
#define ST_SCOPE static
#define ST_DEFINE
#include "lib/sort_template.h"

static inline int64
row_seq(const double *row)
{
	int64		seq;

	memcpy(&seq, row + 2, sizeof(seq));
	return seq;
}

/*
 * The rows of an arm sort by an in-place radix sort, most significant byte
 * first (American flag sort: a count of each byte value, then every row
 * swapped into its bucket), so no second array is needed.  The key is the
 * score's 8 bytes, then for METRIC_ORDERED the sequence's 8; a level where
 * every row has the same byte moves nothing, and buckets of fewer than
 * RADIX_MIN_ROWS rows finish with the comparison sort.  Equal keys share
 * every byte, so ties stay together.
 */
#define RADIX_MIN_ROWS 64

/*
 * Byte "level" (0 the most significant) of an unsigned key that orders as
 * the rows do: the score descending (-0 and +0 alike, one tie group), then
 * the sequence descending.
 */
static inline int
row_digit(const double *row, int level)
{
	uint64		u;

	if (level < 8)
	{
		double		score = row[0] == 0 ? 0.0 : row[0];	/* -0 is +0 */

		memcpy(&u, &score, sizeof(u));
		u = (u >> 63) ? u : u ^ UINT64CONST(0x7FFFFFFFFFFFFFFF);
	}
	else
		u = ~((uint64) row_seq(row) ^ (UINT64CONST(1) << 63));
	return (int) ((u >> (56 - 8 * (level & 7))) & 0xFF);
}

static inline void
swap_rows(double *a, double *b, int w)
{
	for (int k = 0; k < w; k++)
	{
		double		t = a[k];

		a[k] = b[k];
		b[k] = t;
	}
}

typedef void (*RadixSortFn) (double *rows, int64 n, int level);

/*
 * Levels "level" and below of the sort of n rows of layout, the next level
 * of each bucket by sort.
 */
static pg_attribute_always_inline void
radix_sort_rows(double *rows, int64 n, MetricLayout layout, int level,
				RadixSortFn sort)
{
	int			w = METRIC_WIDTH(layout);
	int			levels = layout == METRIC_ORDERED ? 16 : 8;
	int64		count[256];
	int64		next[256];
	int64		end[256];
	int64		at = 0;
	int64		steps = 0;

	CHECK_FOR_INTERRUPTS();
	for (;;)
	{
		if (n < RADIX_MIN_ROWS)
		{
			if (layout == METRIC_PLAIN)
				sort_rows_plain((RowPlain *) rows, n);
			else if (layout == METRIC_COST)
				sort_rows_cost((RowCost *) rows, n);
			else
				sort_rows_ordered((RowOrdered *) rows, n);
			return;
		}
		memset(count, 0, sizeof(count));
		for (int64 i = 0; i < n; i++)
		{
			count[row_digit(rows + i * w, level)]++;
			if ((i & 0xFFFF) == 0xFFFF)
				CHECK_FOR_INTERRUPTS();
		}
		if (count[row_digit(rows, level)] < n)
			break;
		if (++level == levels)
			return;
	}

	for (int b = 0; b < 256; b++)
	{
		next[b] = at;
		at += count[b];
		end[b] = at;
	}
	for (int b = 0; b < 256; b++)
	{
		while (next[b] < end[b])
		{
			double	   *row = rows + next[b] * w;
			int			d = row_digit(row, level);

			if (d == b)
				next[b]++;
			else
				swap_rows(row, rows + next[d]++ * w, w);
			if ((++steps & 0xFFFF) == 0)
				CHECK_FOR_INTERRUPTS();
		}
	}
	if (level + 1 == levels)
		return;
	for (int b = 0; b < 256; b++)
		if (count[b] > 1)
			sort(rows + (end[b] - count[b]) * w, count[b], level + 1);
}

static void
radix_sort_plain(double *rows, int64 n, int level)
{
	radix_sort_rows(rows, n, METRIC_PLAIN, level, radix_sort_plain);
}

static void
radix_sort_cost(double *rows, int64 n, int level)
{
	radix_sort_rows(rows, n, METRIC_COST, level, radix_sort_cost);
}

static void
radix_sort_ordered(double *rows, int64 n, int level)
{
	radix_sort_rows(rows, n, METRIC_ORDERED, level, radix_sort_ordered);
}

void
metric_sort(MetricData *d)
{
	if (d->sorted)
		return;
	for (int a = 0; a < 2; a++)
	{
		MetricArm  *arm = &d->arm[a];

		if (arm->n < 2)
			continue;
		switch (d->layout)
		{
			case METRIC_PLAIN:
				radix_sort_plain(arm->rows, arm->n, 0);
				break;
			case METRIC_COST:
				radix_sort_cost(arm->rows, arm->n, 0);
				break;
			case METRIC_ORDERED:
				radix_sort_ordered(arm->rows, arm->n, 0);
				break;
		}
	}
	d->sorted = true;
}

/* True when row b comes before row a in metric_sort's order. */
static inline bool
row_before(MetricLayout layout, const double *b, const double *a)
{
	if (layout == METRIC_ORDERED)
		return ORDERED_CMP((const RowOrdered *) b, (const RowOrdered *) a) < 0;
	return b[0] > a[0];
}

/* One pass over two sorted runs (of equal rows, a's first). */
void
metric_merge_rows(MetricLayout layout, const double *a, int64 na,
				  const double *b, int64 nb, double *out)
{
	int			w = METRIC_WIDTH(layout);
	Size		row = w * sizeof(double);
	int64		i = 0,
				j = 0;

	while (i < na && j < nb)
	{
		if (row_before(layout, b + j * w, a + i * w))
			memcpy(out, b + j++ * w, row);
		else
			memcpy(out, a + i++ * w, row);
		out += w;
		if (((i + j) & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
	}
	memcpy(out, a + i * w, (na - i) * row);
	out += (na - i) * w;
	memcpy(out, b + j * w, (nb - j) * row);
}

void
metric_cursor_init(MetricCursor *c, const MetricData *d, bool split_ties)
{
	c->d = d;
	c->pos[0] = c->pos[1] = 0;
	c->split_ties = split_ties && d->layout == METRIC_ORDERED;
}

static inline void
group_take_row(MetricGroup *g, int a, const double *row, MetricLayout layout)
{
	double		y = row[1];

	g->n[a] += 1;
	g->y[a] += y;
	g->y2[a] += y * y;
	if (layout == METRIC_COST)
		g->c[a] += row[2];
}

/*
 * The next group: every remaining row (of either arm) with the highest
 * remaining score, or with split_ties the single next row of the merged
 * scikit-uplift order.  Group sums are short, so plain addition is enough.
 */
bool
metric_cursor_next(MetricCursor *c, MetricGroup *g)
{
	const MetricData *d = c->d;
	int			w = METRIC_WIDTH(d->layout);
	const double *r0 = NULL,
			   *r1 = NULL;
	double		s;

	memset(g, 0, sizeof(*g));
	if (c->pos[0] < d->arm[0].n)
		r0 = d->arm[0].rows + c->pos[0] * w;
	if (c->pos[1] < d->arm[1].n)
		r1 = d->arm[1].rows + c->pos[1] * w;
	if (r0 == NULL && r1 == NULL)
		return false;

	if (c->split_ties)
	{
		int			a;

		if (r0 == NULL)
			a = 1;
		else if (r1 == NULL)
			a = 0;
		else if (r0[0] != r1[0])
			a = r1[0] > r0[0] ? 1 : 0;
		else
			a = row_seq(r1) > row_seq(r0) ? 1 : 0;
		g->score = (a == 1 ? r1 : r0)[0];
		group_take_row(g, a, a == 1 ? r1 : r0, d->layout);
		c->pos[a]++;
		return true;
	}

	if (r0 == NULL)
		s = r1[0];
	else if (r1 == NULL)
		s = r0[0];
	else
		s = Max(r0[0], r1[0]);
	g->score = s;
	for (int a = 0; a < 2; a++)
	{
		const MetricArm *arm = &d->arm[a];

		while (c->pos[a] < arm->n && arm->rows[c->pos[a] * w] == s)
		{
			group_take_row(g, a, arm->rows + c->pos[a] * w, d->layout);
			c->pos[a]++;
		}
	}
	return true;
}

/* Number of groups of equal scores (distinct scores) of sorted data. */
int64
metric_count_groups(const MetricData *d)
{
	MetricCursor cur;
	MetricGroup g;
	int64		groups = 0;

	metric_cursor_init(&cur, d, false);
	while (metric_cursor_next(&cur, &g))
	{
		if ((++groups & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
	}
	return groups;
}

void
metric_group_add(MetricGroup *into, const MetricGroup *g, double fraction)
{
	for (int a = 0; a < 2; a++)
	{
		into->n[a] += fraction * g->n[a];
		into->y[a] += fraction * g->y[a];
		into->y2[a] += fraction * g->y2[a];
		into->c[a] += fraction * g->c[a];
	}
}

/* Totals over every row, with compensated sums. */
void
metric_totals(const MetricData *d, MetricGroup *tot)
{
	int			w = METRIC_WIDTH(d->layout);

	memset(tot, 0, sizeof(*tot));
	for (int a = 0; a < 2; a++)
	{
		const MetricArm *arm = &d->arm[a];
		NeumaierSum y = {0, 0},
					y2 = {0, 0},
					c = {0, 0};

		for (int64 i = 0; i < arm->n; i++)
		{
			const double *row = arm->rows + i * w;

			neumaier_add(&y, row[1]);
			neumaier_add(&y2, row[1] * row[1]);
			if (d->layout == METRIC_COST)
				neumaier_add(&c, row[2]);
			if ((i & 0xFFFF) == 0)
				CHECK_FOR_INTERRUPTS();
		}
		tot->n[a] = (double) arm->n;
		tot->y[a] = neumaier_value(&y);
		tot->y2[a] = neumaier_value(&y2);
		tot->c[a] = neumaier_value(&c);
	}
}

double
metric_qini_value(double nt, double nc, double yt, double yc)
{
	return yt - yc * (nc != 0 ? nt / nc : 0.0);
}

double
metric_uplift_value(double nt, double nc, double yt, double yc)
{
	return ((nt != 0 ? yt / nt : 0.0) - (nc != 0 ? yc / nc : 0.0)) * (nt + nc);
}

/*
 * Grid depth j of "points" evenly spaced depths over n rows: floor(n j / P),
 * and exactly n for j = P.
 */
static double
grid_depth(double n, int64 points, int64 j)
{
	return j >= points ? n : floor(n * (double) j / (double) points);
}

/*
 * Walk the depths of the current (sorted) order and report the cumulative
 * sums at each: depth 0 first, then with points = 0 the end of every group of
 * equal scores (the exact curve), else the depths floor(n j / points),
 * j = 1..points, where a tie group cut by a depth counts with the fraction
 * of its rows above the depth.
 */
void
metric_walk(MetricData *d, int64 points, MetricDepthFn fn, void *arg)
{
	MetricCursor cur;
	MetricGroup g,
				cum;
	NeumaierSum sums[4][2];
	double		n = (double) (d->arm[0].n + d->arm[1].n);
	double		x = 0,
				next = 0;
	int64		j = 0,
				steps = 0;

	memset(sums, 0, sizeof(sums));
	memset(&cum, 0, sizeof(cum));
	fn(arg, 0.0, &cum);
	if (points > 0)
	{
		/* first grid depth beyond 0 */
		while (j <= points && (next = grid_depth(n, points, j)) <= 0)
			j++;
	}

	metric_cursor_init(&cur, d, false);
	while (metric_cursor_next(&cur, &g))
	{
		double		rows = g.n[0] + g.n[1];

		/* grid depths strictly inside this group */
		while (points > 0 && j <= points && next < x + rows)
		{
			MetricGroup part = cum;

			metric_group_add(&part, &g, (next - x) / rows);
			part.score = g.score;
			fn(arg, next, &part);
			while (j <= points && grid_depth(n, points, j) <= next)
				j++;
			next = grid_depth(n, points, j);
		}

		for (int a = 0; a < 2; a++)
		{
			neumaier_add(&sums[0][a], g.n[a]);
			neumaier_add(&sums[1][a], g.y[a]);
			neumaier_add(&sums[2][a], g.y2[a]);
			neumaier_add(&sums[3][a], g.c[a]);
			cum.n[a] = neumaier_value(&sums[0][a]);
			cum.y[a] = neumaier_value(&sums[1][a]);
			cum.y2[a] = neumaier_value(&sums[2][a]);
			cum.c[a] = neumaier_value(&sums[3][a]);
		}
		cum.score = g.score;
		x = cum.n[0] + cum.n[1];

		if (points == 0)
			fn(arg, x, &cum);
		else if (j <= points && next == x)
		{
			fn(arg, x, &cum);
			while (j <= points && grid_depth(n, points, j) <= x)
				j++;
			next = grid_depth(n, points, j);
		}
		if ((++steps & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
	}
}

typedef struct AreaAcc
{
	double		px;
	double		py[2];
	NeumaierSum area[2];
} AreaAcc;

static void
area_step(void *arg, double x, const MetricGroup *cum)
{
	AreaAcc    *acc = (AreaAcc *) arg;
	double		y[2];

	y[CURVE_QINI] = metric_qini_value(cum->n[1], cum->n[0], cum->y[1], cum->y[0]);
	y[CURVE_UPLIFT] = metric_uplift_value(cum->n[1], cum->n[0], cum->y[1], cum->y[0]);
	for (int k = 0; k < 2; k++)
	{
		neumaier_add(&acc->area[k], (x - acc->px) * (y[k] + acc->py[k]) / 2.0);
		acc->py[k] = y[k];
	}
	acc->px = x;
}

/* Trapezoid areas under both exact curves of the current order. */
void
metric_curves(MetricData *d, MetricCurveResult *res)
{
	AreaAcc		acc;

	memset(&acc, 0, sizeof(acc));
	metric_walk(d, 0, area_step, &acc);
	for (int k = 0; k < 2; k++)
	{
		res->auc[k] = neumaier_value(&acc.area[k]);
		res->last_y[k] = acc.py[k];
	}
	res->last_x = acc.px;
}

/*
 * Replace every score by the score of the perfect ranking and re-sort.
 * PERFECT_QINI: y for treated rows, -y for control rows (qini_curve of
 * y*t - y*(1-t)).  PERFECT_UPLIFT: 2*(y == t) + summand, where summand is y
 * when control responders outnumber treated non-responders, else t
 * (perfect_uplift_curve).
 */
void
metric_set_perfect_scores(MetricData *d, MetricPerfect kind)
{
	int			w = METRIC_WIDTH(d->layout);
	bool		use_y = false;

	if (kind == PERFECT_UPLIFT)
	{
		int64		cr = 0,
					tn = 0;

		for (int64 i = 0; i < d->arm[0].n; i++)
			cr += (d->arm[0].rows[i * w + 1] == 1.0);
		CHECK_FOR_INTERRUPTS();
		for (int64 i = 0; i < d->arm[1].n; i++)
			tn += (d->arm[1].rows[i * w + 1] == 0.0);
		CHECK_FOR_INTERRUPTS();
		use_y = cr > tn;
	}

	for (int a = 0; a < 2; a++)
	{
		MetricArm  *arm = &d->arm[a];

		for (int64 i = 0; i < arm->n; i++)
		{
			double	   *row = arm->rows + i * w;
			double		y = row[1];

			if (kind == PERFECT_QINI)
				row[0] = a == 1 ? y : -y;
			else
				row[0] = 2.0 * (y == (double) a) + (use_y ? y : (double) a);
			if ((i & 0xFFFF) == 0)
				CHECK_FOR_INTERRUPTS();
		}
	}
	d->sorted = false;
	metric_sort(d);
}

/* scikit-uplift's "ratio_random": Yt - Nt * Yc / Nc over all rows */
double
metric_random_qini_gain(const MetricData *d)
{
	MetricGroup tot;

	metric_totals(d, &tot);
	return tot.y[1] - tot.n[1] * tot.y[0] / tot.n[0];
}

/*
 * (actual area - baseline) / (perfect area - baseline), the baseline being
 * the straight line from (0, 0) to the perfect curve's last point.
 */
static double
normalised_area(double actual, double perfect, double last_x, double last_y,
				bool *undefined)
{
	double		baseline = last_x * last_y / 2.0;
	double		denom = perfect - baseline;

	*undefined = (denom == 0 || isnan(denom));
	if (*undefined)
		return 0;
	return (actual - baseline) / denom;
}

double
metric_qini_auc(MetricData *d, bool negative_effect, bool *undefined)
{
	MetricCurveResult actual,
				perfect;

	metric_sort(d);
	metric_curves(d, &actual);
	if (negative_effect)
	{
		metric_set_perfect_scores(d, PERFECT_QINI);
		metric_curves(d, &perfect);
		return normalised_area(actual.auc[CURVE_QINI], perfect.auc[CURVE_QINI],
							   perfect.last_x, perfect.last_y[CURVE_QINI], undefined);
	}
	else
	{
		/* perfect curve (0, 0), (r, r), (n, r) */
		double		r = metric_random_qini_gain(d);
		double		n = (double) (d->arm[0].n + d->arm[1].n);
		double		area = (r - 0) * (r + 0) / 2.0 + (n - r) * (r + r) / 2.0;

		return normalised_area(actual.auc[CURVE_QINI], area, n, r, undefined);
	}
}

double
metric_auuc(MetricData *d, bool *undefined)
{
	MetricCurveResult actual,
				perfect;

	metric_sort(d);
	metric_curves(d, &actual);
	metric_set_perfect_scores(d, PERFECT_UPLIFT);
	metric_curves(d, &perfect);
	return normalised_area(actual.auc[CURVE_UPLIFT], perfect.auc[CURVE_UPLIFT],
						   perfect.last_x, perfect.last_y[CURVE_UPLIFT], undefined);
}

/*
 * A cut that keeps "want" rows of one arm (a = 0, 1) or of both (a = -1),
 * walking groups in order; a group that straddles the cut counts with the
 * fraction of its rows that fits.
 */
typedef struct Cut
{
	double		want;
	double		have;
} Cut;

static double
cut_take(Cut *cut, double rows)
{
	double		room = cut->want - cut->have;

	if (rows <= 0 || room <= 0)
		return 0;
	if (rows <= room)
	{
		cut->have += rows;
		return 1.0;
	}
	cut->have = cut->want;
	return room / rows;
}

static void
group_add_arm(MetricGroup *into, const MetricGroup *g, int a, double fraction)
{
	into->n[a] += fraction * g->n[a];
	into->y[a] += fraction * g->y[a];
	into->y2[a] += fraction * g->y2[a];
	into->c[a] += fraction * g->c[a];
}

/* Sums of the rows kept by a cut of want[0] rows overall, or want[a] per arm. */
static void
top_rows(MetricData *d, const double *want, MetricStrategy strategy,
		 bool split_ties, MetricGroup *top)
{
	MetricCursor cur;
	MetricGroup g;
	Cut			cut[2];
	int64		steps = 0;

	memset(top, 0, sizeof(*top));
	metric_sort(d);
	metric_cursor_init(&cur, d, split_ties);
	cut[0].want = want[0];
	cut[1].want = want[1];
	cut[0].have = cut[1].have = 0;

	while (metric_cursor_next(&cur, &g))
	{
		if (strategy == STRATEGY_OVERALL)
		{
			double		f = cut_take(&cut[0], g.n[0] + g.n[1]);

			if (f == 0)
				break;
			metric_group_add(top, &g, f);
		}
		else
		{
			for (int a = 0; a < 2; a++)
				group_add_arm(top, &g, a, cut_take(&cut[a], g.n[a]));
			if (cut[0].have >= cut[0].want && cut[1].have >= cut[1].want)
				break;
		}
		if ((++steps & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
	}
}

/*
 * Sums of the rows in the top k: 'overall' keeps floor(n k) rows of the
 * merged order, 'by_group' floor(n_t k) treated and floor(n_c k) control rows
 * (the products in double, truncated, as Python's int() does).
 */
void
metric_top_k(MetricData *d, double k, MetricStrategy strategy,
			 bool split_ties, MetricGroup *top)
{
	double		want[2];

	if (strategy == STRATEGY_OVERALL)
	{
		want[0] = floor((double) (d->arm[0].n + d->arm[1].n) * k);
		want[1] = 0;
	}
	else
	{
		want[0] = floor((double) d->arm[0].n * k);
		want[1] = floor((double) d->arm[1].n * k);
	}
	top_rows(d, want, strategy, split_ties, top);
}

/*
 * The same for an absolute number of rows (scikit-uplift's integer k): the
 * top "rows" rows overall, or the top "rows" rows of each arm.
 */
void
metric_top_n(MetricData *d, int64 rows, MetricStrategy strategy,
			 bool split_ties, MetricGroup *top)
{
	double		want[2] = {(double) rows, (double) rows};

	top_rows(d, want, strategy, split_ties, top);
}

/*
 * scikit-uplift's treatment_balance_curve: the share of treated rows in a
 * window of "winsize" consecutive rows of the ranking, for each of the
 * n - winsize + 1 window positions (numpy's convolve 'valid').  From the
 * cumulative treated count C(x) of the top x rows, balance[i] =
 * (C(i + winsize) - C(i)) / winsize.  Within a group of equal scores C grows
 * by the group's treated share per row (the expected count over the orders
 * of the tied rows) unless split_ties.  balance holds n - winsize + 1 values.
 */
void
metric_treatment_balance(MetricData *d, int64 winsize, bool split_ties,
						 double *balance)
{
	int64		n = d->arm[0].n + d->arm[1].n;
	double	   *cum = palloc_extended(sizeof(double) * (n + 1), MCXT_ALLOC_HUGE);
	MetricCursor cur;
	MetricGroup g;
	int64		pos = 0;

	metric_sort(d);
	metric_cursor_init(&cur, d, split_ties);
	cum[0] = 0;
	while (metric_cursor_next(&cur, &g))
	{
		int64		m = (int64) llround(g.n[0] + g.n[1]);
		double		share = g.n[1] / (g.n[0] + g.n[1]);

		for (int64 j = 1; j <= m && pos + j <= n; j++)
			cum[pos + j] = cum[pos] + (double) j * share;
		pos += m;
		CHECK_FOR_INTERRUPTS();
	}
	for (int64 i = 0; i + winsize <= n; i++)
	{
		balance[i] = (cum[i + winsize] - cum[i]) / (double) winsize;
		if ((i & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
	}
	pfree(cum);
}

/* Row count of bin b when n rows are split into nbins (numpy array_split). */
static double
bin_size(int64 n, int nbins, int b)
{
	return (double) (n / nbins + (b < n % nbins ? 1 : 0));
}

/*
 * Split the ordered rows into nbins consecutive bins like numpy's
 * array_split (the first n % nbins bins one row longer): over all rows
 * ('overall') or over each arm's rows separately ('by_group').  A group of
 * equal scores that straddles a boundary is shared in proportion to the rows
 * each bin takes, unless split_ties.
 */
void
metric_bins(MetricData *d, int nbins, MetricStrategy strategy,
			bool split_ties, MetricGroup *bins, double *score_sum)
{
	MetricCursor cur;
	MetricGroup g;
	int			b[2] = {0, 0};
	double		room[2];
	int64		n[2];
	int64		steps = 0;

	memset(bins, 0, sizeof(MetricGroup) * nbins);
	memset(score_sum, 0, sizeof(double) * nbins);
	metric_sort(d);
	metric_cursor_init(&cur, d, split_ties);
	if (strategy == STRATEGY_OVERALL)
		n[0] = n[1] = d->arm[0].n + d->arm[1].n;
	else
	{
		n[0] = d->arm[0].n;
		n[1] = d->arm[1].n;
	}
	room[0] = bin_size(n[0], nbins, 0);
	room[1] = bin_size(n[1], nbins, 0);

	while (metric_cursor_next(&cur, &g))
	{
		int			parts = strategy == STRATEGY_OVERALL ? 1 : 2;

		for (int p = 0; p < parts; p++)
		{
			double		rows = strategy == STRATEGY_OVERALL ? g.n[0] + g.n[1] : g.n[p];
			double		left = rows;

			while (left > 0 && b[p] < nbins)
			{
				double		take = Min(left, room[p]);
				double		f = take / rows;

				if (strategy == STRATEGY_OVERALL)
					metric_group_add(&bins[b[p]], &g, f);
				else
					group_add_arm(&bins[b[p]], &g, p, f);
				score_sum[b[p]] += g.score * take;
				left -= take;
				room[p] -= take;
				while (room[p] <= 0 && b[p] < nbins)
				{
					b[p]++;
					if (b[p] < nbins)
						room[p] = bin_size(n[p], nbins, b[p]);
				}
			}
		}
		if ((++steps & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
	}
}

/*
 * Kendall's tau-b between position (0 = first) and value, oriented so that
 * values decreasing along the positions give +1: pairs i < j with
 * value[i] > value[j] are concordant.  Positions have no ties, so
 * tau_b = (C - D) / sqrt(n0 * (n0 - n_value_ties)), n0 = n(n-1)/2.
 * NaN values are skipped.
 */
double
metric_kendall_tau_b(const double *value, int n)
{
	double		conc = 0,
				disc = 0,
				ties = 0,
				m = 0,
				n0;

	for (int i = 0; i < n; i++)
	{
		if (isnan(value[i]))
			continue;
		m++;
		for (int j = i + 1; j < n; j++)
		{
			if (isnan(value[j]))
				continue;
			if (value[i] > value[j])
				conc++;
			else if (value[i] < value[j])
				disc++;
			else
				ties++;
		}
	}
	n0 = m * (m - 1) / 2;
	if (n0 == 0 || n0 - ties == 0)
		return NAN;
	return (conc - disc) / sqrt(n0 * (n0 - ties));
}

/*
 * NaN marks an arm without rows; a sum that overflowed gives +inf instead
 * (never the NaN of inf - inf, nor a variance clamped to 0), so that the
 * caller can tell "no data" from "too large for double precision".
 */
void
metric_bin_stats(const MetricGroup *g, double score_sum, MetricBinStats *s)
{
	double		v;

	for (int a = 0; a < 2; a++)
	{
		s->n[a] = g->n[a];
		if (g->n[a] > 0)
		{
			double		mean = metric_overflow_inf(g->y[a] / g->n[a]);
			double		var = g->y2[a] / g->n[a] - mean * mean;

			s->rate[a] = mean;
			s->std[a] = isfinite(var) ? sqrt(Max(var, 0) / g->n[a]) : INFINITY;
		}
		else
			s->rate[a] = s->std[a] = NAN;
	}
	s->uplift = s->rate[1] - s->rate[0];
	if (isinf(s->rate[0]) || isinf(s->rate[1]))
		s->uplift = INFINITY;
	v = s->std[1] * s->std[1] + s->std[0] * s->std[0];
	s->std_uplift = isinf(v) ? hypot(s->std[1], s->std[0]) : sqrt(v);
	s->mean_score = (g->n[0] + g->n[1]) > 0 ?
		metric_overflow_inf(score_sum / (g->n[0] + g->n[1])) : NAN;
}

int64
metric_count_non_binary(const MetricData *d)
{
	int			w = METRIC_WIDTH(d->layout);
	int64		count = 0;

	for (int a = 0; a < 2; a++)
		for (int64 i = 0; i < d->arm[a].n; i++)
		{
			double		y = d->arm[a].rows[i * w + 1];

			count += (y != 0.0 && y != 1.0);
			if ((i & 0xFFFF) == 0)
				CHECK_FOR_INTERRUPTS();
		}
	return count;
}

/*
 * Calibration and monotonicity over the bins that have both arms:
 * the row-weighted mean and the largest |mean_score - uplift|, the bins whose
 * normal 95% interval holds mean_score, Kendall's tau-b of bin order and
 * uplift, and the adjacent inversions.
 */
void
metric_calibration(const MetricBinStats *s, int nbins, MetricCalibration *c)
{
	double	   *obs = palloc(sizeof(double) * nbins);
	double		gap_sum = 0,
				weight = 0;
	int			prev = -1;

	memset(c, 0, sizeof(*c));
	for (int b = 0; b < nbins; b++)
	{
		double		gap,
					w;

		obs[b] = s[b].uplift;
		if (isnan(s[b].uplift))
			continue;
		gap = fabs(s[b].mean_score - s[b].uplift);
		w = s[b].n[0] + s[b].n[1];
		gap_sum += w * gap;
		weight += w;
		c->max_gap = Max(c->max_gap, gap);
		if (gap <= METRIC_Z95 * s[b].std_uplift)
			c->within_ci++;
		if (prev >= 0 && s[b].uplift > s[prev].uplift)
			c->inversions++;
		prev = b;
	}
	c->calibration_error = weight > 0 ? gap_sum / weight : NAN;
	if (weight == 0)
		c->max_gap = NAN;
	c->kendall_tau = metric_kendall_tau_b(obs, nbins);
	pfree(obs);
}

/*
 * Incremental value and cost of targeting the x rows with the highest
 * scores.  scale 'qini': the treated rows' value minus the control rows'
 * value scaled to as many rows (Vt - Vc Nt/Nc); 'uplift': the difference of
 * means times x; 'none': Vt - Vc unscaled (the Starbucks exercise's NIR).
 * The fixed cost is paid per treated row ('qini', 'none') or per targeted
 * row ('uplift').
 */
void
metric_net(MetricNetScale scale, double fixed_cost, double x,
		   const MetricGroup *cum, MetricNet *r)
{
	double		nt = cum->n[1],
				nc = cum->n[0];

	r->value_uplift = (nt > 0 ? cum->y[1] / nt : 0) - (nc > 0 ? cum->y[0] / nc : 0);
	switch (scale)
	{
		case NET_SCALE_QINI:
			r->inc_value = metric_qini_value(nt, nc, cum->y[1], cum->y[0]);
			r->inc_cost = metric_qini_value(nt, nc, cum->c[1], cum->c[0]) + fixed_cost * nt;
			break;
		case NET_SCALE_UPLIFT:
			r->inc_value = metric_uplift_value(nt, nc, cum->y[1], cum->y[0]);
			r->inc_cost = metric_uplift_value(nt, nc, cum->c[1], cum->c[0]) + fixed_cost * x;
			break;
		case NET_SCALE_NONE:
			r->inc_value = cum->y[1] - cum->y[0];
			r->inc_cost = cum->c[1] - cum->c[0] + fixed_cost * nt;
			break;
	}
	r->net = r->inc_value - r->inc_cost;
}
