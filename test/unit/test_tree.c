/*
 * test_tree.c
 *	  Unit tests of the histogram tree engine (src/tree_*.c), run without a
 *	  server: split criteria against closed forms computed by hand, binning
 *	  against hand-computed quantiles, exact merging of statistics, the same
 *	  forest from any row order or partition, recovery of simulated effects,
 *	  the byte format's round trip and its rejection of damaged bytes, and
 *	  errors for bad input; the exact sums of the forest's weights and means
 *	  against sums that cannot round, bins from a counted sample against the
 *	  sample written out, and routers read back from bytes.  Prints TAP.
 */
#include "postgres.h"

#include <float.h>
#include <math.h>
#include <stdio.h>

#include "lib/stringinfo.h"
#include "utils/elog.h"

#include "exact_sum.h"
#include "lower_bound.h"
#include "tree_bins.h"
#include "tree_grow.h"
#include "tree_model.h"
#include "tree_split.h"
#include "tree_stats.h"
#include "unit.h"

#undef printf

#define SQLSTATE_BAD_PARAM ERRCODE_INVALID_PARAMETER_VALUE
#define SQLSTATE_CORRUPTED ERRCODE_INVALID_BINARY_REPRESENTATION

/* ---- a small deterministic random generator (splitmix64) ---- */

typedef struct Rng
{
	uint64		s;
} Rng;

static uint64
rng_next(Rng *r)
{
	r->s += UINT64CONST(0x9e3779b97f4a7c15);
	return tree_mix64(r->s);
}

static double
rng_unif(Rng *r)
{
	return (double) (rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

/* ---- closed forms, written out independently of the engine ---- */

/* KL divergence of Bernoulli(p) from Bernoulli(q), natural log. */
static double
kl2(double p, double q)
{
	return p * log(p / q) + (1 - p) * log((1 - p) / (1 - q));
}

/* Binary entropy in bits. */
static double
h2(double p)
{
	return -p * log2(p) - (1 - p) * log2(1 - p);
}

static void
binary_cell(TreeCell *c, double n, double positives)
{
	c->n = n;
	c->sw = n;
	c->swy = positives;
	c->swy2 = positives;
}

static TreeSplitParams
split_params(TreeCriterion crit, int n_arms, double n_reg, bool norm)
{
	TreeSplitParams sp;

	sp.criterion = crit;
	sp.n_arms = n_arms;
	sp.n_reg = n_reg;
	sp.normalization = norm;
	sp.min_samples_leaf = 1;
	sp.min_samples_treatment = 10;
	return sp;
}

static double
gain_of(TreeSplitParams *sp, const TreeCell *node, const TreeCell *left,
		double *imp)
{
	TreeSplitScratch scr;
	double		summary[8];

	tree_split_scratch_init(&scr, sp->n_arms);
	tree_node_summary(sp, node, NULL, summary);
	return tree_split_gain(sp, node, summary, left, &scr, imp);
}

/*
 * The two-arm table: control 200 rows (40 positive), treatment 200 rows
 * (80 positive); the left child holds control 100 (10), treatment 120 (60).
 * With n_reg = 100 the children's shrunk means are
 *	  left:  control (10 + 0.2 x 100) / 200 = 0.15,  treated (60 + 40) / 220
 *	  right: control (30 + 20) / 200 = 0.25,         treated (20 + 40) / 180
 * and the left share is 220 / 400 = 0.55.
 */
static void
two_arm_table(TreeCell *node, TreeCell *left)
{
	binary_cell(&node[0], 200, 40);
	binary_cell(&node[1], 200, 80);
	binary_cell(&left[0], 100, 10);
	binary_cell(&left[1], 120, 60);
}

/* causalml's normI for that table, written out term by term. */
static double
two_arm_norm(void)
{
	double		pt_a = 120 / 200.1,
				pc_a = 100 / 200.1,
				share = -(0.5) * log(0.5);	/* -p_t log p_c, both 200/400 */

	return 0.9 * share * kl2(pt_a, pc_a)
		+ 0.1 * share * kl2(pt_a, pc_a)
		+ 0.5 * (-pt_a * log(pt_a))
		+ 0.5 * (-pc_a * log(pc_a))
		+ 0.5;
}

static void
test_criteria(void)
{
	TreeCell	node[3],
				left[3];
	TreeSplitParams sp;
	double		imp,
				g,
				want;
	double		pcl = 0.15,
				ptl = 100.0 / 220,
				pcr = 0.25,
				ptr = 60.0 / 180;

	two_arm_table(node, left);

	sp = split_params(TREE_KL, 2, 100, true);
	g = gain_of(&sp, node, left, &imp);
	want = (0.55 * kl2(ptl, pcl) + 0.45 * kl2(ptr, pcr) - kl2(0.4, 0.2)) / two_arm_norm();
	unit_check(unit_close(g, want, 1e-12), "kl gain, normalised: %.10f = %.10f", g, want);
	want = 220 * kl2(ptl, pcl) + 180 * kl2(ptr, pcr) - 400 * kl2(0.4, 0.2);
	unit_check(unit_close(imp, want, 1e-12), "kl importance is the unnormalised size-weighted gain");

	sp = split_params(TREE_KL, 2, 100, false);
	g = gain_of(&sp, node, left, &imp);
	want = 0.55 * kl2(ptl, pcl) + 0.45 * kl2(ptr, pcr) - kl2(0.4, 0.2);
	unit_check(unit_close(g, want, 1e-12), "kl gain, not normalised: %.10f = %.10f", g, want);

	sp = split_params(TREE_ED, 2, 100, false);
	g = gain_of(&sp, node, left, &imp);
	want = 0.55 * 2 * pow(ptl - pcl, 2) + 0.45 * 2 * pow(ptr - pcr, 2) - 2 * pow(0.2, 2);
	unit_check(unit_close(g, want, 1e-12), "ed gain: %.10f = %.10f", g, want);

	sp = split_params(TREE_CHI, 2, 100, true);
	g = gain_of(&sp, node, left, &imp);
	want = (0.55 * (pow(ptl - pcl, 2) / pcl + pow(ptl - pcl, 2) / (1 - pcl))
			+ 0.45 * (pow(ptr - pcr, 2) / pcr + pow(ptr - pcr, 2) / (1 - pcr))
			- (pow(0.2, 2) / 0.2 + pow(0.2, 2) / 0.8)) / two_arm_norm();
	unit_check(unit_close(g, want, 1e-12), "chi gain, normalised: %.10f = %.10f", g, want);

	sp = split_params(TREE_DDP, 2, 100, true);
	g = gain_of(&sp, node, left, &imp);
	want = fabs((ptl - pcl) - (ptr - pcr));
	unit_check(unit_close(g, want, 1e-12), "ddp gain (never normalised): %.10f = %.10f", g, want);

	/* three arms: a second treatment of 100 rows (30 positive), 50 (25) left */
	binary_cell(&node[2], 100, 30);
	binary_cell(&left[2], 50, 25);
	sp = split_params(TREE_KL, 3, 100, true);
	g = gain_of(&sp, node, left, &imp);
	{
		double		pt2l = (25 + 0.3 * 100) / 150.0,
					pt2r = (5 + 0.3 * 100) / 150.0,
					pc_a = 100 / 200.1,
					pt_a = 170 / 300.1,
					pt_a1 = 120 / 200.1,
					pt_a2 = 50 / 100.1,
					norm,
					raw;

		norm = 0.9 * (-(300.0 / 500) * log(200.0 / 500)) * kl2(pt_a, pc_a)
			+ 0.1 * (-(200.0 / 400) * log(200.0 / 400)) * kl2(pt_a1, pc_a)
			+ (200.0 / 500) * (-pt_a1 * log(pt_a1))
			+ 0.1 * (-(100.0 / 300) * log(200.0 / 300)) * kl2(pt_a2, pc_a)
			+ (100.0 / 500) * (-pt_a2 * log(pt_a2))
			+ (200.0 / 500) * (-pc_a * log(pc_a))
			+ 0.5;
		raw = (270.0 / 500) * (kl2(ptl, pcl) + kl2(pt2l, pcl))
			+ (230.0 / 500) * (kl2(ptr, pcr) + kl2(pt2r, pcr))
			- (kl2(0.4, 0.2) + kl2(0.3, 0.2));
		want = raw / norm;
	}
	unit_check(unit_close(g, want, 1e-12), "kl gain with two treatments sums over them: %.10f = %.10f", g, want);

	/* cts on a continuous outcome: means 1.5 and 2.5; n_reg 10 */
	node[0] = (TreeCell) {100, 100, 150, 0};
	node[1] = (TreeCell) {100, 100, 250, 0};
	left[0] = (TreeCell) {40, 40, 40, 0};
	left[1] = (TreeCell) {60, 60, 240, 0};
	sp = split_params(TREE_CTS, 2, 10, true);
	g = gain_of(&sp, node, left, &imp);
	/* left: control (40 + 15) / 50, treated (240 + 25) / 70; right: control
	 * (110 + 15) / 70, treated (10 + 25) / 50; both halves hold 100 rows */
	want = 0.5 * fmax(55.0 / 50, 265.0 / 70) + 0.5 * fmax(125.0 / 70, 35.0 / 50) - 2.5;
	unit_check(unit_close(g, want, 1e-12), "cts gain: %.10f = %.10f", g, want);

	/* plain criteria: one arm */
	node[0] = (TreeCell) {5, 5, 28, 258};	/* y = 1, 2, 3 | 10, 12 */
	left[0] = (TreeCell) {3, 3, 6, 14};
	sp = split_params(TREE_VARIANCE, 1, 0, false);
	g = gain_of(&sp, node, left, &imp);
	unit_check(unit_close(g, 101.2 - 2 - 2, 1e-12), "variance gain: %.10f = 97.2", g);

	binary_cell(&node[0], 10, 5);
	binary_cell(&left[0], 4, 1);
	sp = split_params(TREE_GINI, 1, 0, false);
	g = gain_of(&sp, node, left, &imp);
	want = 10 * 0.5 - 4 * 2 * 0.25 * 0.75 - 6 * 2 * (2.0 / 3) * (1.0 / 3);
	unit_check(unit_close(g, want, 1e-12), "gini gain: %.10f = %.10f", g, want);
	sp = split_params(TREE_ENTROPY, 1, 0, false);
	g = gain_of(&sp, node, left, &imp);
	want = 10 * 1.0 - 4 * h2(0.25) - 6 * h2(2.0 / 3);
	unit_check(unit_close(g, want, 1e-12), "entropy gain: %.10f = %.10f", g, want);

	/* split rules */
	two_arm_table(node, left);
	sp = split_params(TREE_KL, 2, 100, true);
	sp.min_samples_leaf = 181;	/* the right child has 180 rows */
	unit_check(gain_of(&sp, node, left, &imp) == -INFINITY,
			   "a child under min_samples_leaf rules the split out");
	sp.min_samples_leaf = 180;
	unit_check(isfinite(gain_of(&sp, node, left, &imp)),
			   "a child of exactly min_samples_leaf rows is allowed");
	sp = split_params(TREE_KL, 2, 100, true);
	sp.min_samples_treatment = 81;	/* the right child has 80 treated rows */
	unit_check(gain_of(&sp, node, left, &imp) == -INFINITY,
			   "an arm under min_samples_treatment in a child rules the split out");
	{
		double		parent[2] = {0.2, 0.4},
					out[2];
		TreeCell	cells[2];

		binary_cell(&cells[0], 10, 9);	/* 10 rows: not more than 10 */
		binary_cell(&cells[1], 11, 0);
		sp = split_params(TREE_KL, 2, 100, true);
		tree_node_summary(&sp, cells, parent, out);
		unit_check(out[0] == 0.2 && unit_close(out[1], 40.0 / 111, 1e-15),
				   "an arm of at most min_samples_treatment rows takes the parent's mean, others shrink");
	}
}

/* ---- binning ---- */

static TreeBinOptions
bin_options(int max_bins, int64 sample)
{
	TreeBinOptions o;

	o.max_bins = max_bins;
	o.max_levels = 32;
	o.sample_size = sample;
	o.seed = 1;
	return o;
}

/* uplift_lower_bound against counting, on sorted arrays with repeats. */
static void
test_lower_bound(void)
{
	double		x[70];
	Rng			r = {5};
	int64		checked = 0,
				wrong = 0;

	for (int n = 0; n <= 70; n++)
		for (int rep = 0; rep < 20; rep++)
		{
			/* increasing by steps of 0 or 1 from 0: sorted, with repeats */
			for (int i = 0; i < n; i++)
				x[i] = (i > 0 ? x[i - 1] : 0.0) + (rng_unif(&r) < 0.5 ? 0.0 : 1.0);
			for (double v = -1.5; v <= n / 2 + 3; v += 0.5)
			{
				int32		want = 0;

				while (want < n && x[want] < v)
					want++;
				wrong += uplift_lower_bound(x, n, v) != want;
				checked++;
			}
			wrong += uplift_lower_bound(x, n, -INFINITY) != 0;
			wrong += uplift_lower_bound(x, n, INFINITY) != n;
			checked += 2;
		}
	unit_check(wrong == 0,
			   "uplift_lower_bound is the first index not below the value (" INT64_FORMAT " of " INT64_FORMAT " wrong)",
			   wrong, checked);
}

static void
test_bins(void)
{
	double		x[10] = {7, 3, 10, 1, 5, 9, 2, 8, 6, 4};
	uint64		keys[10];
	TreeBinOptions o = bin_options(4, 1000);
	TreeBins   *b;
	bool		cat = true;

	for (int i = 0; i < 10; i++)
		keys[i] = i;
	b = tree_bins_build(x, 10, 1, keys, NULL, &o);
	/* type-1 quantiles of 1..10 at 1/4, 2/4, 3/4: the 3rd, 5th and 8th values */
	unit_check(b->feat[0].nvalues == 3 && b->feat[0].values[0] == 3 &&
			   b->feat[0].values[1] == 5 && b->feat[0].values[2] == 8,
			   "numeric edges are the sample's quartiles 3, 5, 8");
	unit_check(tree_bins_code(&b->feat[0], 3) == 1 && tree_bins_code(&b->feat[0], 3.5) == 2 &&
			   tree_bins_code(&b->feat[0], 5) == 2 && tree_bins_code(&b->feat[0], 8) == 3 &&
			   tree_bins_code(&b->feat[0], 8.01) == 4 && tree_bins_code(&b->feat[0], -100) == 1 &&
			   tree_bins_code(&b->feat[0], 100) == 4 && tree_bins_code(&b->feat[0], NAN) == 0,
			   "codes: x <= 3 is 1, (3, 5] is 2, (5, 8] is 3, above is 4, missing is 0");

	{
		double		bin01[6] = {0, 1, 1, 0, 1, 1};

		b = tree_bins_build(bin01, 6, 1, keys, NULL, &o);
		unit_check(b->feat[0].nbins == 2 && b->feat[0].values[0] == 0,
				   "a 0/1 feature gets two bins (no edge at the maximum)");
	}
	{
		double		c[7] = {5, 7, 9, 5, 7, 5, NAN};
		TreeBinOptions oc = bin_options(4, 1000);

		oc.max_levels = 2;
		b = tree_bins_build(c, 7, 1, keys, &cat, &oc);
		unit_check(b->feat[0].nvalues == 2 && b->feat[0].values[0] == 5 &&
				   b->feat[0].values[1] == 7 &&
				   tree_bins_code(&b->feat[0], 5) == 2 && tree_bins_code(&b->feat[0], 7) == 3 &&
				   tree_bins_code(&b->feat[0], 9) == 1 && tree_bins_code(&b->feat[0], 6) == 1 &&
				   tree_bins_code(&b->feat[0], NAN) == 0,
				   "categorical: the 2 most frequent levels get codes 2, 3; others 1; missing 0");
	}
	{
		/* a sample of 500 of 5000 rows: the same bins from reversed rows */
		int64		n = 5000;
		double	   *xa = palloc(sizeof(double) * n),
				   *xb = palloc(sizeof(double) * n);
		uint64	   *ka = palloc(sizeof(uint64) * n),
				   *kb = palloc(sizeof(uint64) * n);
		Rng			r = {42};
		TreeBins   *ba,
				   *bb,
				   *ball;
		TreeBinOptions os = bin_options(16, 500);
		bool		same = true;

		for (int64 i = 0; i < n; i++)
		{
			xa[i] = rng_unif(&r);
			ka[i] = 1000 + i;
			xb[n - 1 - i] = xa[i];
			kb[n - 1 - i] = ka[i];
		}
		ba = tree_bins_build(xa, n, 1, ka, NULL, &os);
		bb = tree_bins_build(xb, n, 1, kb, NULL, &os);
		same = ba->feat[0].nvalues == bb->feat[0].nvalues;
		for (int k = 0; same && k < ba->feat[0].nvalues; k++)
			same = ba->feat[0].values[k] == bb->feat[0].values[k];
		os.sample_size = n;
		ball = tree_bins_build(xa, n, 1, ka, NULL, &os);
		unit_check(same && ba->feat[0].nvalues == 15 &&
				   ba->feat[0].values[0] != ball->feat[0].values[0],
				   "bins from a 500-row hash sample do not depend on row order (and differ from all rows')");
	}
	{
		/*
		 * The values of the sample alone (rows whose order is at most the
		 * cut), missing values among them, give tree_bins_build's bins.
		 */
		int64		n = 3000;
		double	   *xs = palloc(sizeof(double) * n),
				   *col = palloc(sizeof(double) * n);
		uint64	   *ks = palloc(sizeof(uint64) * n);
		Rng			r = {7};
		TreeBinOptions os = bin_options(16, 400);
		TreeBinFeature f;
		TreeBins   *all;
		uint64		cut;
		int64		m = 0;
		bool		same;

		for (int64 i = 0; i < n; i++)
		{
			xs[i] = i % 50 == 0 ? NAN : floor(rng_unif(&r) * 100);
			ks[i] = 77 + 3 * i;
		}
		all = tree_bins_build(xs, n, 1, ks, NULL, &os);
		cut = tree_bins_sample_cut(ks, n, &os);
		for (int64 i = 0; i < n; i++)
			if (tree_bins_sample_order(ks[i], os.seed) <= cut)
				col[m++] = xs[i];
		tree_bins_feature(col, m, false, &os, &f);
		same = m == 400 && f.nvalues == all->feat[0].nvalues && f.nbins == all->feat[0].nbins;
		for (int k = 0; same && k < f.nvalues; k++)
			same = f.values[k] == all->feat[0].values[k];
		unit_check(same && f.nvalues > 5,
				   "the bins of a feature's sample values (missing ones included) are tree_bins_build's");
	}
	unit_check(UNIT_THROWS(({ TreeBinOptions ob = bin_options(256, 10); tree_bins_build(x, 10, 1, keys, NULL, &ob); }),
						   SQLSTATE_BAD_PARAM),
			   "bins = 256 is rejected with 22023");
	unit_check(UNIT_THROWS(({ TreeBinOptions ob = bin_options(1, 10); tree_bins_build(x, 10, 1, keys, NULL, &ob); }),
						   SQLSTATE_BAD_PARAM),
			   "bins = 1 is rejected with 22023");
}

/* ---- statistics ---- */

typedef struct StatRows
{
	int			n;
	uint8		codes[3000][3];
	uint8		arm[3000];
	double		y[3000];
	double		w[3000];
	int			k[3000];
} StatRows;

static void
add_rows(TreeStats *st, const StatRows *r, const TreeQuant *q, const int *idx, int n)
{
	int32		feats[3] = {0, 1, 2};

	for (int i = 0; i < n; i++)
	{
		TreeRowValue v;
		int			j = idx[i];

		tree_row_value(q, r->w[j], r->y[j], &v);
		tree_stats_add_row(st, j % 2, feats, r->codes[j], r->arm[j], r->k[j], &v);
	}
}

static void
test_stats(void)
{
	static StatRows r;
	static int	all[3000],
				a[3000],
				b[3000];
	static bool in_a[3000];
	int			na = 0,
				nb = 0;
	Rng			g = {7};
	TreeQuant	q;
	TreeStats  *full,
			   *sa,
			   *sb,
			   *back;
	Size		bytes;
	StringInfoData buf;
	ByteReader	rd;
	bool		raw_differs = false;

	r.n = 3000;
	for (int i = 0; i < r.n; i++)
	{
		for (int j = 0; j < 3; j++)
			r.codes[i][j] = rng_next(&g) % 5;
		r.arm[i] = rng_next(&g) % 3;
		r.y[i] = 100.0 * (rng_unif(&g) - 0.3) / (0.05 + rng_unif(&g));
		r.w[i] = 0.5 + 2.5 * rng_unif(&g);
		r.k[i] = 1 + rng_next(&g) % 3;
		all[i] = i;
		in_a[i] = rng_next(&g) % 3 == 0;
		if (in_a[i])
			a[na++] = i;
	}
	for (int i = r.n - 1; i >= 0; i--)	/* the rest, in reverse order */
		if (!in_a[i])
			b[nb++] = i;
	{
		double		max_w = 0,
					max_y = 0;

		for (int i = 0; i < r.n; i++)
		{
			max_w = fmax(max_w, r.w[i]);
			max_y = fmax(max_y, fabs(r.y[i]));
		}
		tree_quant_init(&q, r.n, 3, max_w, max_y);
	}
	full = tree_stats_create(2, 3, 5, 3, 1 << 20);
	sa = tree_stats_create(2, 3, 5, 3, 1 << 20);
	sb = tree_stats_create(2, 3, 5, 3, 1 << 20);
	add_rows(full, &r, &q, all, r.n);
	add_rows(sa, &r, &q, a, na);
	add_rows(sb, &r, &q, b, nb);
	tree_stats_merge(sa, sb);
	bytes = sizeof(TreeCell) * 2 * 3 * 5 * 3;
	unit_check(na + nb == r.n && memcmp(full->cells, sa->cells, bytes) == 0,
			   "merge(stats(A), stats(B)) equals stats(A u B) bit for bit (%d + %d rows)", na, nb);

	/* the same sums without the grid: the order of additions shows */
	{
		double		fwd = 0,
					rev = 0;

		for (int i = 0; i < r.n; i++)
			fwd += r.k[i] * r.w[i] * r.y[i] * r.y[i];
		for (int i = r.n - 1; i >= 0; i--)
			rev += r.k[i] * r.w[i] * r.y[i] * r.y[i];
		raw_differs = fwd != rev;
	}
	unit_check(raw_differs, "(the data would expose order-dependent sums without the grid)");

	initStringInfo(&buf);
	tree_stats_serialize(&buf, full);
	bytes_reader_init(&rd, buf.data, buf.len, "tree statistics");
	back = tree_stats_deserialize(&rd, 1 << 20);
	unit_check(back->n_slots == 2 && back->n_feat == 3 && back->n_codes == 5 && back->n_arms == 3 &&
			   memcmp(back->cells, full->cells, bytes) == 0,
			   "statistics survive serialization unchanged");
	bytes_reader_init(&rd, buf.data, buf.len - 1, "tree statistics");
	unit_check(UNIT_THROWS(tree_stats_deserialize(&rd, 1 << 20), SQLSTATE_CORRUPTED),
			   "truncated statistics are rejected with 22P03");
	buf.data[0] ^= 1;
	bytes_reader_init(&rd, buf.data, buf.len, "tree statistics");
	unit_check(UNIT_THROWS(tree_stats_deserialize(&rd, 1 << 20), SQLSTATE_CORRUPTED),
			   "statistics with a wrong magic are rejected with 22P03");
	unit_check(UNIT_THROWS(tree_stats_merge(full, tree_stats_create(1, 3, 5, 3, 1 << 20)),
						   ERRCODE_DATA_EXCEPTION),
			   "merging statistics of different shapes is rejected with 22000");
	unit_check(UNIT_THROWS(tree_stats_create(1000, 100, 256, 4, 1 << 20),
						   ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			   "statistics over the memory cap are rejected with 54000");
}

/* ---- simulated campaigns ---- */

typedef struct Sim
{
	int64		n;
	int32		p;
	double	   *x;
	uint8	   *arm;
	double	   *y;
	uint64	   *keys;
	uint32	   *rowhash;
	uint8	   *codes;
	bool	   *cat;
	TreeBins   *bins;
	TreeData	d;
} Sim;

typedef enum SimKind
{
	SIM_STEP,					/* uplift 0.3 where x0 > 0.5, 0/1 outcome */
	SIM_STEP_CONTINUOUS,		/* uplift 3 where x0 > 0.5, else -3; noisy outcome */
	SIM_MISSING,				/* as SIM_STEP; a fifth of x0 missing, with uplift */
	SIM_CATEGORICAL,			/* uplift 0.3 for levels 1, 3, 5 of x1 */
	SIM_PLAIN,					/* one arm: y = 5 where x0 > 0.5, else 1, plus noise */
	SIM_THREE_ARMS				/* arm 2: uplift 0.3 where x0 > 0.5; arm 1: none */
} SimKind;

static double
sim_uplift(SimKind kind, const double *x)
{
	switch (kind)
	{
		case SIM_CATEGORICAL:
			return ((int) x[1] % 2 == 1) ? 0.3 : 0.0;
		case SIM_MISSING:
			return (isnan(x[0]) || x[0] > 0.5) ? 0.3 : 0.0;
		case SIM_STEP_CONTINUOUS:
			return x[0] > 0.5 ? 0.3 : -0.3;
		default:
			return x[0] > 0.5 ? 0.3 : 0.0;
	}
}

static void
sim_bin(Sim *s, int64 sample)
{
	TreeBinOptions o = bin_options(32, sample);

	s->bins = tree_bins_build(s->x, s->n, s->p, s->keys, s->cat, &o);
	tree_bins_apply(s->bins, s->x, s->n, s->codes);
	s->d.n = s->n;
	s->d.p = s->p;
	s->d.codes = s->codes;
	s->d.y = s->y;
	s->d.w = NULL;
	s->d.rowhash = s->rowhash;
}

static Sim *
sim_make(SimKind kind, int64 n, int32 p, uint64 seed)
{
	Sim		   *s = palloc0(sizeof(Sim));
	Rng			r = {seed};

	s->n = n;
	s->p = p;
	s->x = palloc(sizeof(double) * n * p);
	s->arm = palloc(n);
	s->y = palloc(sizeof(double) * n);
	s->keys = palloc(sizeof(uint64) * n);
	s->rowhash = palloc(sizeof(uint32) * n);
	s->codes = palloc(n * p);
	s->cat = palloc0(sizeof(bool) * p);
	if (kind == SIM_CATEGORICAL)
		s->cat[1] = true;
	for (int64 i = 0; i < n; i++)
	{
		double	   *x = s->x + i * p;
		double		u = rng_unif(&r);

		for (int32 j = 0; j < p; j++)
			x[j] = rng_unif(&r);
		if (kind == SIM_CATEGORICAL)
			x[1] = (double) (rng_next(&r) % 6);
		if (kind == SIM_MISSING && rng_next(&r) % 5 == 0)
			x[0] = NAN;
		s->arm[i] = kind == SIM_PLAIN ? 0 : rng_next(&r) % (kind == SIM_THREE_ARMS ? 3 : 2);
		if (kind == SIM_PLAIN)
			s->y[i] = (x[0] > 0.5 ? 5.0 : 1.0) + (u - 0.5);
		else if (kind == SIM_STEP_CONTINUOUS)
			s->y[i] = 10 * (0.3 + 0.1 * (x[2] > 0.5)) + 10 * s->arm[i] * sim_uplift(kind, x) +
				4 * (u - 0.5);
		else if (kind == SIM_THREE_ARMS)
			s->y[i] = u < 0.3 + 0.1 * (x[2] > 0.5) + (s->arm[i] == 2) * sim_uplift(kind, x) ? 1 : 0;
		else
			s->y[i] = u < 0.3 + 0.1 * (x[2] > 0.5) + s->arm[i] * sim_uplift(kind, x) ? 1 : 0;
		s->keys[i] = 1000 + i;
		s->rowhash[i] = tree_row_hash(s->keys[i]);
	}
	s->d.n_arms = kind == SIM_PLAIN ? 1 : kind == SIM_THREE_ARMS ? 3 : 2;
	s->d.arm = kind == SIM_PLAIN ? NULL : s->arm;
	sim_bin(s, n);
	return s;
}

/* The same rows in another order (a seeded shuffle), binned again. */
static Sim *
sim_shuffle(const Sim *a, uint64 seed, int64 sample)
{
	Sim		   *s = palloc0(sizeof(Sim));
	Rng			r = {seed};
	int64	   *perm = palloc(sizeof(int64) * a->n);

	*s = *a;
	s->x = palloc(sizeof(double) * a->n * a->p);
	s->arm = palloc(a->n);
	s->y = palloc(sizeof(double) * a->n);
	s->keys = palloc(sizeof(uint64) * a->n);
	s->rowhash = palloc(sizeof(uint32) * a->n);
	s->codes = palloc(a->n * a->p);
	for (int64 i = 0; i < a->n; i++)
		perm[i] = i;
	for (int64 i = a->n - 1; i > 0; i--)
	{
		int64		j = rng_next(&r) % (uint64) (i + 1),
					t = perm[i];

		perm[i] = perm[j];
		perm[j] = t;
	}
	for (int64 i = 0; i < a->n; i++)
	{
		int64		k = perm[i];

		memcpy(s->x + i * a->p, a->x + k * a->p, sizeof(double) * a->p);
		s->arm[i] = a->arm[k];
		s->y[i] = a->y[k];
		s->keys[i] = a->keys[k];
		s->rowhash[i] = a->rowhash[k];
	}
	s->d.arm = a->d.arm ? s->arm : NULL;
	sim_bin(s, sample);
	return s;
}

static TreeParams
forest_params(TreeCriterion crit, int n_trees, int depth)
{
	TreeParams	par;

	tree_params_default(&par);
	par.criterion = crit;
	par.n_trees = n_trees;
	par.max_depth = depth;
	par.min_samples_leaf = 100;
	par.seed = 7;
	return par;
}

static StringInfo
forest_bytes(const TreeForest *f)
{
	StringInfo	buf = palloc(sizeof(StringInfoData));

	initStringInfo(buf);
	tree_forest_serialize(buf, f);
	return buf;
}

static bool
same_bytes(StringInfo a, StringInfo b)
{
	return a->len == b->len && memcmp(a->data, b->data, a->len) == 0;
}

/*
 * The second partition's block of the open level: from the grower itself,
 * or (router) from a grower read back from its router's bytes, as a pass in
 * another process makes it.
 */
static TreeStats *
partition_block(const TreeGrower *g, const TreeStats *st, bool leaves, bool router,
				const TreeData *rows, const TreeParams *par)
{
	StringInfoData buf;
	ByteReader	r;
	TreeGrower *rg;
	TreeStats  *out;
	bool		read_leaves;

	if (!router)
	{
		out = tree_stats_create(st->n_slots, st->n_feat, st->n_codes, st->n_arms,
								par->stats_memory);
		if (leaves)
			tree_grower_add_leaf_rows(g, out, rows);
		else
			tree_grower_add_rows(g, out, rows);
		return out;
	}
	initStringInfo(&buf);
	tree_grower_write_router(g, leaves, &buf);
	bytes_reader_init(&r, buf.data, buf.len, "router");
	rg = tree_grower_read_router(&r, &read_leaves);
	out = tree_grower_router_stats(rg, leaves);
	if (leaves)
		tree_grower_add_leaf_rows(rg, out, rows);
	else
		tree_grower_add_rows(rg, out, rows);
	return out;
}

/* The forest grown step by step with the rows split in two partitions. */
static TreeForest *
grow_partitioned(const Sim *s, int64 cut, const TreeParams *par, bool router)
{
	TreeData	a = s->d,
				b = s->d;
	TreeDataSummary sa,
				sb;
	TreeGrower *g;
	TreeStats  *st;

	a.n = cut;
	b.n = s->n - cut;
	b.codes = s->codes + cut * s->p;
	b.arm = s->d.arm ? s->arm + cut : NULL;
	b.y = s->y + cut;
	b.rowhash = s->rowhash + cut;
	tree_data_summary_init(&sa, s->d.n_arms);
	tree_data_summary_init(&sb, s->d.n_arms);
	tree_data_summarize(&sb, &b, s->bins);
	tree_data_summarize(&sa, &a, s->bins);
	tree_data_summary_merge(&sb, &sa);
	g = tree_grower_create(s->bins, par, &sb);
	while ((st = tree_grower_level(g)) != NULL)
	{
		TreeStats  *st2 = partition_block(g, st, false, router, &b, par);

		tree_grower_add_rows(g, st, &a);
		tree_stats_merge(st, st2);
		tree_grower_split(g, st);
	}
	if ((st = tree_grower_leaves(g)) != NULL)
	{
		TreeStats  *st2 = partition_block(g, st, true, router, &b, par);

		tree_grower_add_leaf_rows(g, st, &a);
		tree_stats_merge(st, st2);
		tree_grower_set_leaves(g, st);
	}
	return tree_grower_forest(g);
}

/* The uplift the forest predicts at a point x0 = v0 (other features 0.5). */
static double
uplift_at(const TreeForest *f, int p, double v0, double v1)
{
	double		x[16],
				out[2];

	for (int j = 0; j < p; j++)
		x[j] = 0.5;
	x[0] = v0;
	x[1] = v1;
	tree_forest_predict(f, x, out);
	return out[1] - out[0];
}

static void
test_determinism(void)
{
	Sim		   *s = sim_make(SIM_STEP, 20000, 4, 11);
	Sim		   *s2 = sim_shuffle(s, 99, 2000),
			   *s3 = sim_shuffle(s, 5, 2000);
	TreeParams	par = forest_params(TREE_KL, 10, 4);
	StringInfo	b2,
				b3,
				bp;

	s = sim_shuffle(s, 1, 2000);	/* bins from a 2000-row sample, too */
	b2 = forest_bytes(tree_grow(&s->d, s->bins, &par));
	b3 = forest_bytes(tree_grow(&s2->d, s2->bins, &par));
	unit_check(same_bytes(b2, b3), "the same rows in two orders give the same forest, byte for byte");
	bp = forest_bytes(grow_partitioned(s3, 7000, &par, false));
	unit_check(same_bytes(b2, bp), "rows in two partitions, statistics merged per level, give the same forest");
	bp = forest_bytes(grow_partitioned(s3, 7000, &par, true));
	unit_check(same_bytes(b2, bp), "so do they when a partition is routed by a grower read back from its router's bytes");
	par.honest = true;
	b2 = forest_bytes(tree_grow(&s->d, s->bins, &par));
	bp = forest_bytes(grow_partitioned(s3, 12345, &par, false));
	unit_check(same_bytes(b2, bp), "so does an honest forest (leaf values merged too)");
	bp = forest_bytes(grow_partitioned(s3, 12345, &par, true));
	unit_check(same_bytes(b2, bp), "and an honest forest with a partition routed from bytes");
	par.honest = false;
	par.seed = 8;
	b3 = forest_bytes(tree_grow(&s->d, s->bins, &par));
	unit_check(!same_bytes(b2, b3), "another seed gives another forest");
}

static void
test_recovery(void)
{
	Sim		   *s = sim_make(SIM_STEP, 40000, 5, 21);
	TreeParams	par = forest_params(TREE_KL, 20, 3);
	TreeForest *f;
	double		hi,
				lo;
	int32		depth,
				leaves;
	bool		top = true;

	for (TreeCriterion c = TREE_KL; c <= TREE_DDP; c++)
	{
		par.criterion = c;
		f = tree_grow(&s->d, s->bins, &par);
		hi = uplift_at(f, 5, 0.8, 0.5);
		lo = uplift_at(f, 5, 0.2, 0.5);
		unit_check(fabs(hi - 0.3) < 0.06 && fabs(lo) < 0.06,
				   "%s forest recovers a step effect: %.3f where 0.3, %.3f where 0",
				   tree_criterion_names[c], hi, lo);
	}
	par.criterion = TREE_KL;
	f = tree_grow(&s->d, s->bins, &par);
	for (int j = 1; j < 5; j++)
		top = top && f->importance[0] > f->importance[j];
	unit_check(top && unit_close(f->importance[0] + f->importance[1] + f->importance[2] +
								 f->importance[3] + f->importance[4], 1.0, 1e-12),
			   "importances sum to 1 and the effect's feature leads (%.3f)", f->importance[0]);
	tree_forest_shape(f, &depth, &leaves);
	unit_check(depth <= 3 && leaves <= 20 * 8 && leaves >= 20 * 2,
			   "trees respect max_depth 3 (deepest leaf %d, %d leaves)", depth, leaves);

	par.honest = true;
	f = tree_grow(&s->d, s->bins, &par);
	hi = uplift_at(f, 5, 0.8, 0.5);
	lo = uplift_at(f, 5, 0.2, 0.5);
	unit_check(fabs(hi - 0.3) < 0.06 && fabs(lo) < 0.06,
			   "an honest forest recovers it too: %.3f, %.3f", hi, lo);
	par.honest = false;
	par.bootstrap = false;
	par.subsample = 0.5;
	par.max_features = 2;
	f = tree_grow(&s->d, s->bins, &par);
	hi = uplift_at(f, 5, 0.8, 0.5);
	lo = uplift_at(f, 5, 0.2, 0.5);
	unit_check(fabs(hi - 0.3) < 0.08 && fabs(lo) < 0.08,
			   "half subsamples and 2 features per split: %.3f, %.3f", hi, lo);

	s = sim_make(SIM_STEP_CONTINUOUS, 40000, 5, 22);
	par = forest_params(TREE_CTS, 20, 3);
	f = tree_grow(&s->d, s->bins, &par);
	hi = uplift_at(f, 5, 0.8, 0.5);
	lo = uplift_at(f, 5, 0.2, 0.5);
	/* cts splits where the best arm changes, so the effect changes sign */
	unit_check(fabs(hi - 3) < 0.3 && fabs(lo + 3) < 0.3,
			   "cts forest recovers a continuous step effect: %.3f where 3, %.3f where -3", hi, lo);

	s = sim_make(SIM_MISSING, 40000, 5, 23);
	par = forest_params(TREE_KL, 20, 3);
	f = tree_grow(&s->d, s->bins, &par);
	hi = uplift_at(f, 5, NAN, 0.5);
	lo = uplift_at(f, 5, 0.2, 0.5);
	unit_check(fabs(hi - 0.3) < 0.06 && fabs(lo) < 0.06,
			   "missing values learn their side: %.3f for a missing x0 (0.3), %.3f (0)", hi, lo);

	s = sim_make(SIM_CATEGORICAL, 40000, 5, 24);
	f = tree_grow(&s->d, s->bins, &par);
	{
		double		u1 = uplift_at(f, 5, 0.5, 1),
					u3 = uplift_at(f, 5, 0.5, 3),
					u2 = uplift_at(f, 5, 0.5, 2),
					u4 = uplift_at(f, 5, 0.5, 4);

		unit_check(fabs(u1 - 0.3) < 0.06 && fabs(u3 - 0.3) < 0.06 && fabs(u2) < 0.06 &&
				   fabs(u4) < 0.06,
				   "a categorical split groups levels by uplift: %.3f %.3f (0.3), %.3f %.3f (0)",
				   u1, u3, u2, u4);
	}

	s = sim_make(SIM_THREE_ARMS, 60000, 5, 26);
	par = forest_params(TREE_KL, 20, 3);
	f = tree_grow(&s->d, s->bins, &par);
	{
		double		x[5] = {0.8, 0.5, 0.5, 0.5, 0.5},
					hi3[3],
					lo3[3];

		tree_forest_predict(f, x, hi3);
		x[0] = 0.2;
		tree_forest_predict(f, x, lo3);
		unit_check(fabs(hi3[2] - hi3[0] - 0.3) < 0.06 && fabs(lo3[2] - lo3[0]) < 0.06 &&
				   fabs(hi3[1] - hi3[0]) < 0.06 && fabs(lo3[1] - lo3[0]) < 0.06,
				   "one kl forest for two treatments: arm 2 %.3f (0.3) and %.3f (0), arm 1 %.3f and %.3f (0)",
				   hi3[2] - hi3[0], lo3[2] - lo3[0], hi3[1] - hi3[0], lo3[1] - lo3[0]);
	}

	s = sim_make(SIM_PLAIN, 20000, 3, 25);
	par = forest_params(TREE_VARIANCE, 10, 3);
	f = tree_grow(&s->d, s->bins, &par);
	{
		double		x[3] = {0.8, 0.5, 0.5},
					hi1,
					lo1;

		tree_forest_predict(f, x, &hi1);
		x[0] = 0.2;
		tree_forest_predict(f, x, &lo1);
		unit_check(fabs(hi1 - 5) < 0.05 && fabs(lo1 - 1) < 0.05,
				   "a regression forest predicts a step: %.3f (5), %.3f (1)", hi1, lo1);
	}
}

/* ---- the byte format ---- */

static uint64
fnv1a(const uint8 *p, Size len)
{
	uint64		h = UINT64CONST(14695981039346656037);

	for (Size i = 0; i < len; i++)
		h = (h ^ p[i]) * UINT64CONST(1099511628211);
	return h;
}

static void
reseal(StringInfo b)
{
	uint64		h = fnv1a((const uint8 *) b->data, b->len - 8);

	for (int i = 0; i < 8; i++)
		b->data[b->len - 8 + i] = (char) (h >> (56 - 8 * i));
}

static void
test_format(void)
{
	Sim		   *s = sim_make(SIM_CATEGORICAL, 5000, 3, 31);
	TreeParams	par = forest_params(TREE_KL, 3, 2);
	TreeForest *f,
			   *g;
	StringInfo	b,
				b2;
	bool		same = true;
	int			accepted = 0;
	int64		before;

	f = tree_grow(&s->d, s->bins, &par);
	b = forest_bytes(f);
	g = tree_forest_deserialize(b->data, b->len);
	b2 = forest_bytes(g);
	for (int64 i = 0; i < s->n && same; i++)
	{
		double		o1[2],
					o2[2],
					o3[2];

		tree_forest_predict(f, s->x + i * 3, o1);
		tree_forest_predict(g, s->x + i * 3, o2);
		tree_forest_predict_codes(g, s->codes + i * 3, o3);
		same = o1[0] == o2[0] && o1[1] == o2[1] && o1[0] == o3[0] && o1[1] == o3[1];
	}
	unit_check(same_bytes(b, b2) && same,
			   "a forest reads back to the same bytes and predictions (raw values or codes)");

	before = unit_palloc_calls;
	for (int64 i = 0; i < s->n; i++)
	{
		double		o[2];

		tree_forest_predict(g, s->x + i * 3, o);
	}
	unit_check(unit_palloc_calls == before, "prediction allocates nothing");

	for (int i = 0; i < b->len; i++)
		for (int bit = 0; bit < 8; bit += 3)
		{
			b->data[i] ^= (char) (1 << bit);
			if (!UNIT_THROWS(tree_forest_deserialize(b->data, b->len), SQLSTATE_CORRUPTED))
				accepted++;
			b->data[i] ^= (char) (1 << bit);
		}
	unit_check(accepted == 0, "every flipped bit of %d bytes is rejected with 22P03 (%d accepted)",
			   b->len, accepted);
	accepted = 0;
	for (int len = 0; len < b->len; len++)
		if (!UNIT_THROWS(tree_forest_deserialize(b->data, len), SQLSTATE_CORRUPTED))
			accepted++;
	unit_check(accepted == 0, "every truncation is rejected with 22P03");

	/*
	 * Forged values with a valid checksum: the first node (header 32 bytes,
	 * then the features: 1 + 2 bytes numeric, 1 + 2 + 8 levels categorical,
	 * then the roots) points its left child back at itself; and a leaf value
	 * becomes NaN.
	 */
	{
		int			nodes_at = 32 + 3 + (3 + 8 * s->bins->feat[1].nvalues) + 3 + 4 * 3;
		StringInfo	c = forest_bytes(f);

		memset(c->data + nodes_at, 0, 4);	/* left = 0 */
		reseal(c);
		unit_check(UNIT_THROWS(tree_forest_deserialize(c->data, c->len), SQLSTATE_CORRUPTED),
				   "a resealed forest whose root is its own child is rejected with 22P03");
		c = forest_bytes(f);
		memset(c->data + nodes_at, 0xff, 4);	/* the root becomes a leaf */
		reseal(c);
		unit_check(UNIT_THROWS(tree_forest_deserialize(c->data, c->len), SQLSTATE_CORRUPTED),
				   "a resealed forest with orphan nodes is rejected with 22P03");
		c = forest_bytes(f);
		memcpy(c->data + 20, "\x7f\xff\xff\xfe", 4);	/* n_nodes = 2^31 - 2 */
		reseal(c);
		unit_check(UNIT_THROWS(tree_forest_deserialize(c->data, c->len), SQLSTATE_CORRUPTED),
				   "a resealed forest claiming 2^31 nodes is rejected with 22P03 before allocating");
		c = forest_bytes(f);
		memset(c->data + c->len - 8 - 8 * 3 - 32 * f->n_sets - 8, 0xff, 8);	/* last value: NaN */
		reseal(c);
		unit_check(UNIT_THROWS(tree_forest_deserialize(c->data, c->len), SQLSTATE_CORRUPTED),
				   "a resealed forest with a NaN leaf value is rejected with 22P03");
	}
}

/* ---- bad input ---- */

static void
test_errors(void)
{
	Sim		   *s = sim_make(SIM_STEP, 2000, 3, 41);
	Sim		   *c = sim_make(SIM_STEP_CONTINUOUS, 2000, 3, 42);
	Sim		   *three = sim_make(SIM_STEP, 2000, 3, 43);
	TreeParams	par;

	for (int64 i = 0; i < three->n; i += 3)
		three->arm[i] = 2;
	three->d.n_arms = 3;

#define PAR_THROWS(sim, field, value, code, what) \
	do { \
		par = forest_params(TREE_KL, 2, 2); \
		par.field = value; \
		unit_check(UNIT_THROWS(tree_grow(&(sim)->d, (sim)->bins, &par), code), what); \
	} while (0)

	PAR_THROWS(s, max_depth, 0, SQLSTATE_BAD_PARAM, "max_depth 0 is rejected with 22023");
	PAR_THROWS(s, max_depth, 21, SQLSTATE_BAD_PARAM, "max_depth 21 is rejected with 22023");
	PAR_THROWS(s, n_trees, 0, SQLSTATE_BAD_PARAM, "n_trees 0 is rejected with 22023");
	PAR_THROWS(s, min_samples_leaf, 2001, SQLSTATE_BAD_PARAM,
			   "min_samples_leaf larger than the data is rejected with 22023");
	PAR_THROWS(s, min_samples_leaf, 0, SQLSTATE_BAD_PARAM, "min_samples_leaf 0 is rejected with 22023");
	PAR_THROWS(s, min_samples_treatment, 600, SQLSTATE_BAD_PARAM,
			   "an arm with too few rows for any split is rejected with 22023");
	PAR_THROWS(s, n_reg, -1, SQLSTATE_BAD_PARAM, "n_reg -1 is rejected with 22023");
	PAR_THROWS(s, max_features, 4, SQLSTATE_BAD_PARAM, "max_features above p is rejected with 22023");
	PAR_THROWS(s, bootstrap, false; par.subsample = 0, SQLSTATE_BAD_PARAM,
			   "subsample 0 is rejected with 22023");
	PAR_THROWS(s, criterion, TREE_VARIANCE, SQLSTATE_BAD_PARAM,
			   "a plain criterion on two arms is rejected with 22023");
	PAR_THROWS(c, criterion, TREE_KL, SQLSTATE_BAD_PARAM,
			   "kl on a continuous outcome is rejected with 22023");
	PAR_THROWS(three, criterion, TREE_DDP, SQLSTATE_BAD_PARAM,
			   "ddp with two treatments is rejected with 22023");
	PAR_THROWS(s, n_trees, 5000; par.stats_memory = 1 << 20, ERRCODE_PROGRAM_LIMIT_EXCEEDED,
			   "statistics past stats_memory are rejected with 54000");
	s->y[5] = NAN;
	PAR_THROWS(s, seed, 1, ERRCODE_DATA_EXCEPTION, "a NaN outcome is rejected with 22000");
	s->y[5] = 1;
	s->codes[7] = 200;
	PAR_THROWS(s, seed, 1, ERRCODE_DATA_EXCEPTION, "a bin code out of range is rejected with 22000");
	s->codes[7] = 1;
}

/* ---- interrupts ---- */

static void
test_interrupts(void)
{
	Sim		   *s = sim_make(SIM_STEP, 200000, 10, 51);
	TreeParams	par = forest_params(TREE_KL, 20, 5);

	unit_interrupts_start();
	(void) tree_grow(&s->d, s->bins, &par);
	unit_interrupts_stop();
	unit_check(unit_max_interrupt_gap < 0.01,
			   "interrupts are checked at least every 10 ms of work: longest gap %.1f ms of CPU",
			   unit_max_interrupt_gap * 1000);
	unit_cancel_after = 40;
	unit_interrupts_start();
	unit_check(UNIT_THROWS(tree_grow(&s->d, s->bins, &par), ERRCODE_QUERY_CANCELED),
			   "a cancel during a fit is raised with 57014");
	unit_interrupts_stop();
	unit_cancel_after = -1;
}

/*
 * Whether tree t of f and tree t of g are the same tree: the same splits
 * (code sets compared by content) and the same leaf values.
 */
static bool
same_tree(const TreeForest *f, const TreeForest *g, int32 t)
{
	int32		fe = t + 1 < f->n_trees ? f->roots[t + 1] : f->n_nodes,
				ge = t + 1 < g->n_trees ? g->roots[t + 1] : g->n_nodes;

	if (fe - f->roots[t] != ge - g->roots[t])
		return false;
	for (int32 i = 0; i < fe - f->roots[t]; i++)
	{
		const TreeNode *a = &f->nodes[f->roots[t] + i],
				   *b = &g->nodes[g->roots[t] + i];

		if ((a->left < 0) != (b->left < 0))
			return false;
		if (a->left < 0)
		{
			if (memcmp(f->values + a->u.value, g->values + b->u.value,
					   sizeof(double) * f->n_arms) != 0)
				return false;
			continue;
		}
		if (a->left - f->roots[t] != b->left - g->roots[t] || a->feature != b->feature ||
			a->flags != b->flags || a->code != b->code)
			return false;
		if ((a->flags & TREE_NODE_CATEGORICAL) ?
			memcmp(&f->sets[a->u.set], &g->sets[b->u.set], sizeof(TreeCodeSet)) != 0 :
			a->u.threshold != b->u.threshold)
			return false;
	}
	return true;
}

/*
 * A level whose statistics exceed one block (16 MB) is grown in blocks of
 * trees: 100 trees of 7 levels over 4 features of 33 codes need more at the
 * last levels.  A tree depends only on the rows, the seed and its number,
 * so the first 8 trees must be those of a forest of 8 trees, grown a level
 * a block.
 */
static void
test_blocks(void)
{
	Sim		   *s = sim_make(SIM_CATEGORICAL, 4000, 4, 51);
	TreeParams	par = forest_params(TREE_KL, 100, 7);
	TreeDataSummary summary;
	TreeGrower *g;
	TreeStats  *st;
	TreeForest *big,
			   *f8;
	bool		same = true;
	int			blocks = 0,
				levels = 0,
				last = -1;

	par.min_samples_leaf = 5;
	par.min_samples_treatment = 1;
	tree_data_summary_init(&summary, s->d.n_arms);
	tree_data_summarize(&summary, &s->d, s->bins);
	g = tree_grower_create(s->bins, &par, &summary);
	while ((st = tree_grower_level(g)) != NULL)
	{
		blocks++;
		if (tree_grower_depth(g) != last)
			levels++;
		last = tree_grower_depth(g);
		tree_grower_add_rows(g, st, &s->d);
		tree_grower_split(g, st);
	}
	big = tree_grower_forest(g);
	par.n_trees = 8;
	f8 = tree_grow(&s->d, s->bins, &par);
	for (int32 t = 0; t < 8; t++)
		same = same && same_tree(big, f8, t);
	unit_check(levels == 7 && blocks > levels && same,
			   "trees grown in several blocks a level (%d blocks, %d levels) are the trees grown in one",
			   blocks, levels);
}

/* ---- the scoring layout against a plain walk of the nodes ---- */

/*
 * The mean of the leaves a row of raw values reaches, walking each tree's
 * nodes one at a time as tree_model.h defines them: left when x <= the
 * threshold, when the level's code is in the set, or when x is missing and
 * the node sends missing values left.
 */
static void
reference_predict(const TreeForest *f, const double *x, double *out)
{
	for (int32 a = 0; a < f->n_arms; a++)
		out[a] = 0.0;
	for (int32 t = 0; t < f->n_trees; t++)
	{
		int32		i = f->roots[t];

		while (f->nodes[i].left >= 0)
		{
			const TreeNode *nd = &f->nodes[i];
			double		v = x[nd->feature];
			bool		left;

			if (isnan(v))
				left = (nd->flags & TREE_NODE_DEFAULT_LEFT) != 0;
			else if (nd->flags & TREE_NODE_CATEGORICAL)
			{
				const TreeBinFeature *bf = &f->feat[nd->feature];
				int			code = TREE_CODE_OTHER;

				for (int k = 0; k < bf->nvalues; k++)
					if (bf->values[k] == v)
						code = k + 2;
				left = (f->sets[nd->u.set].bits[code / 8] >> (code % 8)) & 1;
			}
			else
				left = v <= nd->u.threshold;
			i = left ? nd->left : nd->left + 1;
		}
		for (int32 a = 0; a < f->n_arms; a++)
			out[a] += f->values[f->nodes[i].u.value + a];
	}
	for (int32 a = 0; a < f->n_arms; a++)
		out[a] /= f->n_trees;
}

/*
 * A row to score: mostly uniform values, some exactly a threshold of the
 * forest, some missing, infinite or far outside the data; categorical
 * features take kept, pooled and unseen levels.
 */
static void
walk_test_row(const TreeForest *f, Rng *r, double *x)
{
	for (int32 j = 0; j < f->p; j++)
	{
		uint64		u = rng_next(r) % 100;

		if (u < 10)
			x[j] = NAN;
		else if (f->feat[j].categorical)
			x[j] = (double) ((int64) (rng_next(r) % 10) - 2);
		else if (u < 30)
		{
			/* the threshold of a random split on j, if there is one */
			x[j] = rng_unif(r);
			for (int32 i = (int32) (rng_next(r) % f->n_nodes), s = 0; s < f->n_nodes; s++, i = (i + 1) % f->n_nodes)
				if (f->nodes[i].left >= 0 && f->nodes[i].feature == j &&
					!(f->nodes[i].flags & TREE_NODE_CATEGORICAL))
				{
					x[j] = f->nodes[i].u.threshold;
					break;
				}
		}
		else if (u < 33)
			x[j] = (u % 2 == 0 ? 1 : -1) * INFINITY;
		else if (u < 36)
			x[j] = (u % 2 == 0 ? 1e300 : -1e300);
		else
			x[j] = 1.4 * rng_unif(r) - 0.2;
	}
}

/*
 * Make every kind of split appear: every fifth numeric split sends missing
 * values the other way, and every seventh becomes "missing alone" (the last
 * code, an infinite threshold, missing values right).
 */
static void
vary_splits(TreeForest *f, int32 *kinds)
{
	for (int32 i = 0; i < f->n_nodes; i++)
	{
		TreeNode   *nd = &f->nodes[i];

		if (nd->left < 0)
			continue;
		if (nd->flags & TREE_NODE_CATEGORICAL)
		{
			kinds[0]++;
			continue;
		}
		if (i % 7 == 3)
		{
			nd->code = (uint8) f->feat[nd->feature].nbins;
			nd->u.threshold = DBL_MAX;
			nd->flags &= ~TREE_NODE_DEFAULT_LEFT;
		}
		else if (i % 5 == 1 && nd->u.threshold != DBL_MAX)
			nd->flags ^= TREE_NODE_DEFAULT_LEFT;
		if (nd->u.threshold == DBL_MAX)
			kinds[1]++;
		else
			kinds[(nd->flags & TREE_NODE_DEFAULT_LEFT) ? 2 : 3]++;
	}
}

/*
 * Score rows with the layout a forest gets when read (leaf masks for trees
 * of depth 5, the level walk for deeper ones), with the level walk where
 * masks are used, and with the grown forest's nodes: all equal to the plain
 * walk of the nodes, to the bit.
 */
static void
test_walk(void)
{
	static const SimKind kinds[] = {SIM_CATEGORICAL, SIM_MISSING, SIM_THREE_ARMS};
	int64		rows = 0,
				differ = 0;
	int32		split_kinds[4] = {0};
	bool		prepared = true,
				masked = true;

	for (int k = 0; k < lengthof(kinds); k++)
		for (int depth = 5; depth <= 7; depth += 2)
		{
			Sim		   *s = sim_make(kinds[k], 6000, 4, 41 + k);
			TreeParams	par = forest_params(TREE_KL, 37, depth);
			TreeForest *f,
					   *g,
					   *h;
			StringInfo	b;
			Rng			r = {77 + k};

			par.min_samples_leaf = 20;
			par.min_samples_treatment = 5;
			f = tree_grow(&s->d, s->bins, &par);
			vary_splits(f, split_kinds);
			b = forest_bytes(f);
			g = tree_forest_deserialize(b->data, b->len);
			h = tree_forest_deserialize(b->data, b->len);
			prepared = prepared && g->walk != NULL && f->walk == NULL;
			/* trees of depth 7 here have over 32 leaves */
			masked = masked && g->walk != NULL && (depth == 5) == (g->walk->masks != NULL);
			if (h->walk != NULL)
				h->walk->masks = NULL;
			for (int i = 0; i < 20000; i++, rows++)
			{
				double		x[4],
							want[3],
							got[3],
							walked[3],
							plain[3];

				walk_test_row(g, &r, x);
				reference_predict(g, x, want);
				tree_forest_predict(g, x, got);
				tree_forest_predict(h, x, walked);
				tree_forest_predict(f, x, plain);
				if (memcmp(want, got, sizeof(double) * g->n_arms) != 0 ||
					memcmp(want, walked, sizeof(double) * g->n_arms) != 0 ||
					memcmp(want, plain, sizeof(double) * g->n_arms) != 0)
					differ++;
			}
		}
	unit_check(prepared, "a forest read back has its scoring layout; a grown one walks its nodes");
	unit_check(masked, "trees of up to 32 leaves are scored by leaf masks, deeper ones walked");
	unit_check(split_kinds[0] > 0 && split_kinds[1] > 0 && split_kinds[2] > 0 && split_kinds[3] > 0,
			   "the forests split on categories (%d), missing alone (%d), missing left (%d) and right (%d)",
			   split_kinds[0], split_kinds[1], split_kinds[2], split_kinds[3]);
	unit_check(differ == 0,
			   "leaf masks and the level walk give the plain walk's predictions to the bit (" INT64_FORMAT " of " INT64_FORMAT " rows differ)",
			   differ, rows);
}

/*
 * Exact sums: closed forms a plain double sum gets wrong, the same value in
 * any order and partition, and a sum that cannot round in long double (every
 * term a multiple of 2^-20 below 2^30 in magnitude, 20,000 of them: 65 bits
 * are never needed) as the reference.
 */
static double
exact_of(const double *v, int n)
{
	ExactSum	s;

	exact_sum_init(&s);
	for (int i = 0; i < n; i++)
		exact_sum_add(&s, v[i]);
	return exact_sum_value(&s);
}

static void
test_exact_sum(void)
{
	static const double cancel[] = {1e16, 1.0, -1e16};
	static const double big[] = {1e308, 1e308, -1e308};
	const double tiny = 4.9406564584124654e-324;
	const double tinies[] = {tiny, tiny, tiny};
	const double inf[] = {1.0, INFINITY, 2.0};
	enum {N = 20000};
	double	   *v = palloc(sizeof(double) * N);
	Rng			r = {123};
	long double ref = 0.0L;
	ExactSum	fwd,
				bwd,
				h1,
				h2s,
				back;
	StringInfoData buf;
	ByteReader	rd;
	double		got;

	unit_check(exact_of(cancel, 3) == 1.0, "1e16 + 1 - 1e16 is exactly 1 (a double sum gives 0)");
	unit_check(exact_of(big, 3) == 1e308, "1e308 + 1e308 - 1e308 is 1e308 (a double sum overflows)");
	unit_check(exact_of(tinies, 3) == 3 * tiny, "three of the smallest subnormal sum exactly");
	unit_check(isinf(exact_of(inf, 3)), "an infinite term makes the sum infinite");

	for (int i = 0; i < N; i++)
	{
		int64		k = (int64) (rng_next(&r) % (UINT64CONST(1) << 50)) - (INT64CONST(1) << 49);

		v[i] = ldexp((double) k, -20 - (int) (rng_next(&r) % 8));
		ref += (long double) v[i];
	}
	exact_sum_init(&fwd);
	exact_sum_init(&bwd);
	exact_sum_init(&h1);
	exact_sum_init(&h2s);
	for (int i = 0; i < N; i++)
	{
		exact_sum_add(&fwd, v[i]);
		exact_sum_add(&bwd, v[N - 1 - i]);
		exact_sum_add(i % 3 == 0 ? &h1 : &h2s, v[i]);
	}
	exact_sum_merge(&h1, &h2s);
	got = exact_sum_value(&fwd);
	unit_check(fabs(got - (double) ref) <= fabs((double) ref) * DBL_EPSILON,
			   "20,000 terms of mixed signs: the sum %.17g, the exact one %.17g", got, (double) ref);
	unit_check(got == exact_sum_value(&bwd) && got == exact_sum_value(&h1),
			   "the same value, to the bit, in reverse order and from two merged partitions");
	initStringInfo(&buf);
	exact_sum_write(&buf, &fwd);
	bytes_reader_init(&rd, buf.data, buf.len, "exact sum");
	exact_sum_read(&rd, &back);
	unit_check(exact_sum_value(&back) == got, "an exact sum reads back from its bytes");
	buf.data[10] = (char) 0x80;
	bytes_reader_init(&rd, buf.data, buf.len, "exact sum");
	unit_check(UNIT_THROWS(exact_sum_read(&rd, &back), SQLSTATE_CORRUPTED),
			   "a digit out of range is rejected as corrupted");
	pfree(v);
}

/*
 * Bins from a sample whose rows stand for several identical rows: the bins
 * of the sample written out, row by row, numeric and categorical.
 */
static void
test_counted_bins(void)
{
	enum {M = 300};
	double	   *x = palloc(sizeof(double) * M * 2);
	int64	   *count = palloc(sizeof(int64) * M);
	int64		n = 0;
	double	   *xs;
	uint64	   *keys;
	bool		cat[2] = {false, true};
	TreeBinOptions o = bin_options(16, 1 << 30);
	TreeBins   *a,
			   *b;
	bool		same = true;
	Rng			r = {9};

	for (int i = 0; i < M; i++)
	{
		x[2 * i] = rng_unif(&r);
		x[2 * i + 1] = (double) (rng_next(&r) % 40);
		count[i] = 1 + (int64) (rng_next(&r) % 5);
		n += count[i];
	}
	xs = palloc(sizeof(double) * n * 2);
	keys = palloc(sizeof(uint64) * n);
	for (int i = 0, k = 0; i < M; i++)
		for (int c = 0; c < count[i]; c++, k++)
		{
			xs[2 * k] = x[2 * i];
			xs[2 * k + 1] = x[2 * i + 1];
			keys[k] = (uint64) k;
		}
	a = tree_bins_build(xs, n, 2, keys, cat, &o);
	b = tree_bins_build_sample(x, count, M, 2, cat, &o);
	for (int j = 0; j < 2; j++)
		same = same && a->feat[j].nbins == b->feat[j].nbins &&
			memcmp(a->feat[j].values, b->feat[j].values,
				   sizeof(double) * a->feat[j].nvalues) == 0;
	unit_check(same && a->feat[0].nbins == 16 && a->feat[1].nbins == 33,
			   "bins of %d rows standing for " INT64_FORMAT " are those of the rows written out (%d and %d bins)",
			   M, n, b->feat[0].nbins, b->feat[1].nbins);
}

/*
 * A router read back from bytes; one whose node is its own child is
 * rejected (a walk would never end).  At the first level every tree is a
 * root, so the last 18 bytes are the last tree's root.
 */
static void
test_router_damage(void)
{
	Sim		   *s = sim_make(SIM_STEP, 3000, 3, 17);
	TreeParams	par = forest_params(TREE_KL, 2, 3);
	TreeDataSummary sum;
	TreeGrower *g;
	StringInfoData buf;
	ByteReader	rd;
	bool		leaves;
	int32		self = 0;

	tree_data_summary_init(&sum, s->d.n_arms);
	tree_data_summarize(&sum, &s->d, s->bins);
	g = tree_grower_create(s->bins, &par, &sum);
	(void) tree_grower_level(g);
	initStringInfo(&buf);
	tree_grower_write_router(g, false, &buf);
	bytes_reader_init(&rd, buf.data, buf.len, "router");
	unit_check(tree_grower_read_router(&rd, &leaves) != NULL && !leaves,
			   "a router reads back from its bytes");
	memcpy(buf.data + buf.len - 18, &self, sizeof(int32));
	bytes_reader_init(&rd, buf.data, buf.len, "router");
	unit_check(UNIT_THROWS(tree_grower_read_router(&rd, &leaves), SQLSTATE_CORRUPTED),
			   "a router whose root is its own child is rejected as corrupted");
}

int
main(void)
{
	test_criteria();
	test_lower_bound();
	test_bins();
	test_stats();
	test_determinism();
	test_recovery();
	test_format();
	test_walk();
	test_blocks();
	test_errors();
	test_interrupts();
	test_exact_sum();
	test_counted_bins();
	test_router_damage();
	return unit_done();
}
