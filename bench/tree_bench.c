/*
 * tree_bench.c
 *	  Benchmark of the tree engine alone (no server): generates a randomized
 *	  campaign of N rows x 10 uniform features with a step-shaped effect,
 *	  bins it, grows an uplift forest and scores every row (walking the
 *	  grown nodes, with the level walk and with the leaf masks a forest read
 *	  from a model gets), and reports each step's time, the bytes of the
 *	  training rows and the peak resident memory of the process.  Built and
 *	  run by bench/tree.sh.
 *
 *	  tree_bench [rows] [trees] [max_depth] [criterion]
 */
#include "postgres.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

#include "tree_bins.h"
#include "tree_grow.h"
#include "tree_model.h"

#undef printf
#undef fprintf

#ifndef P
#define P 10
#endif
#define SAMPLE 200000

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static double
cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static double
peak_mb(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss / 1024.0;
}

/* A uniform number in [0, 1) that depends only on (row, what). */
static double
unif(int64 row, int what)
{
	uint64		h = tree_mix64(((uint64) row << 8) ^ (uint64) what ^ UINT64CONST(0x5eed));

	return (double) (h >> 11) * (1.0 / 9007199254740992.0);
}

/* Row i: its features, arm and 0/1 outcome (uplift 0.1 where x0 > 0.5 and x1 > 0.3). */
static void
make_row(int64 i, double *x, uint8 *arm, double *y)
{
	double		p;

	for (int j = 0; j < P; j++)
		x[j] = unif(i, j);
	*arm = unif(i, 20) < 0.5;
	p = 0.1 + 0.05 * (x[2] > 0.5) + (*arm) * 0.1 * (x[0] > 0.5 && x[1] > 0.3);
	*y = unif(i, 21) < p;
}

/*
 * Generate every row again and score it with f (or, with f NULL, only sum
 * its features); returns a checksum that keeps the work from being skipped.
 */
static double
replay_rows(int64 n, const TreeForest *f)
{
	double		sum = 0.0,
				x[P],
				out[2];

	for (int64 i = 0; i < n; i++)
	{
		uint8		a;
		double		yy;

		make_row(i, x, &a, &yy);
		if (f)
		{
			tree_forest_predict(f, x, out);
			sum += out[1] - out[0];
		}
		else
			for (int j = 0; j < P; j++)
				sum += x[j];
	}
	return sum;
}

/* CPU seconds to score every row with f, less c_gen (generating them). */
static double
time_scoring(int64 n, const TreeForest *f, double c_gen, double *sum)
{
	double		c0 = cpu_now();

	*sum += replay_rows(n, f);
	return cpu_now() - c0 - c_gen;
}

int
main(int argc, char **argv)
{
	int64		n = argc > 1 ? atoll(argv[1]) : 1000000;
	TreeParams	par;
	TreeBinOptions bo = {64, 32, SAMPLE, 1};
	int64		ns = Min(n, (int64) SAMPLE);
	double	   *xs = malloc(sizeof(double) * ns * P);
	uint64	   *ks = malloc(sizeof(uint64) * ns);
	uint8	   *codes = malloc(n * P),
			   *arm = malloc(n);
	double	   *y = malloc(sizeof(double) * n);
	uint32	   *rowhash = malloc(sizeof(uint32) * n);
	TreeBins   *bins;
	TreeData	d;
	TreeForest *f;
	TreeMasks  *masks;
	double		t0,
				c0,
				c_grow,
				c_gen,
				c_nodes,
				c_walk,
				c_masks = 0.0,
				t_bin,
				t_grow,
				sum = 0.0,
				x[P],
				rows_mb,
				base_mb;
	int32		depth,
				leaves;

	base_mb = peak_mb();
	tree_params_default(&par);
	if (argc > 2)
		par.n_trees = atoi(argv[2]);
	if (argc > 3)
		par.max_depth = atoi(argv[3]);
	if (argc > 4)
		for (int c = 0; tree_criterion_names[c]; c++)
			if (strcmp(argv[4], tree_criterion_names[c]) == 0)
				par.criterion = (TreeCriterion) c;

	/*
	 * Bins from a sample of the rows (the rows are a function of their
	 * number, so this is what a sample pass over a table would see); then
	 * each row is generated again and kept as codes only.
	 */
	t0 = now();
	for (int64 i = 0; i < ns; i++)
	{
		uint8		a;
		double		yy;
		int64		row = i * (n / ns);

		make_row(row, xs + i * P, &a, &yy);
		ks[i] = (uint64) row;
	}
	bins = tree_bins_build(xs, ns, P, ks, NULL, &bo);
	free(xs);
	free(ks);
	for (int64 i = 0; i < n; i++)
	{
		make_row(i, x, &arm[i], &y[i]);
		for (int j = 0; j < P; j++)
			codes[i * P + j] = tree_bins_code(&bins->feat[j], x[j]);
		rowhash[i] = tree_row_hash((uint64) i);
	}
	t_bin = now() - t0;
	rows_mb = (double) n * (P + 1 + 8 + 4) / 1048576.0;

	d.n = n;
	d.p = P;
	d.n_arms = 2;
	d.codes = codes;
	d.arm = arm;
	d.y = y;
	d.w = NULL;
	d.rowhash = rowhash;
	t0 = now();
	c0 = cpu_now();
	f = tree_grow(&d, bins, &par);
	t_grow = now() - t0;
	c_grow = cpu_now() - c0;
	tree_forest_shape(f, &depth, &leaves);

	/* scoring: the time to generate the rows, then to generate and score them */
	c0 = cpu_now();
	sum += replay_rows(n, NULL);
	c_gen = cpu_now() - c0;
	c_nodes = time_scoring(n, f, c_gen, &sum);
	tree_forest_prepare(f);
	masks = f->walk != NULL ? f->walk->masks : NULL;
	if (masks != NULL)
	{
		c_masks = time_scoring(n, f, c_gen, &sum);
		f->walk->masks = NULL;
	}
	c_walk = f->walk != NULL ? time_scoring(n, f, c_gen, &sum) : -1;

	printf("rows %lld, features %d, trees %d, max_depth %d, criterion %s\n",
		   (long long) n, P, par.n_trees, par.max_depth,
		   tree_criterion_names[par.criterion]);
	printf("bin + code rows      %8.2f s\n", t_bin);
	printf("grow forest          %8.2f s   (CPU %.2f s, %.1f ms a tree; deepest leaf %d, %d leaves)\n",
		   t_grow, c_grow, 1000 * c_grow / par.n_trees, depth, leaves);
	printf("score rows: nodes    %8.2f s   (CPU, %.0f ns a row; generating them: CPU %.2f s)\n",
		   c_nodes, 1e9 * c_nodes / n, c_gen);
	if (c_walk >= 0)
		printf("score rows: walk     %8.2f s   (CPU, %.0f ns a row)\n", c_walk, 1e9 * c_walk / n);
	if (masks != NULL)
		printf("score rows: masks    %8.2f s   (CPU, %.0f ns a row)\n", c_masks, 1e9 * c_masks / n);
	printf("training rows        %8.1f MB  (p + 13 bytes a row)\n", rows_mb);
	printf("peak resident memory %8.1f MB  (%.1f MB over the program's start; n x (p + 2) x 8 = %.1f MB)\n",
		   peak_mb(), peak_mb() - base_mb, (double) n * (P + 2) * 8 / 1048576.0);
	printf("checksum %.6f\n", sum);
	return 0;
}
