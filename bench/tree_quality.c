/*
 * tree_quality.c
 *	  Grows an uplift forest with the tree engine on a training file and
 *	  scores a test file (bench/tree_quality.sh makes both from the
 *	  simulated campaign of ../shared/reference/forest_simulated.md and
 *	  measures the test Qini in SQL).
 *
 *	  tree_quality train.csv test.csv trees max_depth min_samples_leaf
 *	               min_samples_treatment n_reg criterion [honest]
 *
 * Each input line is "id,x1,...,x10,t,y"; the output, one line per test
 * row, "id,uplift".  With an uplift criterion (kl, ed, chi, ddp, cts) one
 * uplift forest is grown; with a plain one (variance, gini, entropy), a
 * T-learner: one forest per arm (max_features 3, as scikit-learn's "sqrt"),
 * uplift = treated minus control prediction.
 */
#include "postgres.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "tree_bins.h"
#include "tree_grow.h"
#include "tree_model.h"

#undef printf
#undef fprintf

#define P 10

typedef struct Rows
{
	int64		n;
	int64		cap;
	int64	   *id;
	double	   *x;
	uint8	   *t;
	double	   *y;
} Rows;

static void
read_rows(const char *path, Rows *r)
{
	FILE	   *f = fopen(path, "r");
	long long	id;
	double		x[P],
				y;
	int			t;

	if (f == NULL)
	{
		perror(path);
		exit(1);
	}
	memset(r, 0, sizeof(Rows));
	r->cap = 1024;
	r->id = malloc(sizeof(int64) * r->cap);
	r->x = malloc(sizeof(double) * r->cap * P);
	r->t = malloc(r->cap);
	r->y = malloc(sizeof(double) * r->cap);
	while (fscanf(f, "%lld,%lf,%lf,%lf,%lf,%lf,%lf,%lf,%lf,%lf,%lf,%d,%lf",
				  &id, &x[0], &x[1], &x[2], &x[3], &x[4], &x[5], &x[6], &x[7],
				  &x[8], &x[9], &t, &y) == 13)
	{
		if (r->n == r->cap)
		{
			r->cap *= 2;
			r->id = realloc(r->id, sizeof(int64) * r->cap);
			r->x = realloc(r->x, sizeof(double) * r->cap * P);
			r->t = realloc(r->t, r->cap);
			r->y = realloc(r->y, sizeof(double) * r->cap);
		}
		r->id[r->n] = id;
		memcpy(r->x + r->n * P, x, sizeof(x));
		r->t[r->n] = (uint8) t;
		r->y[r->n] = y;
		r->n++;
	}
	fclose(f);
}

/* A plain forest on the rows of one arm. */
static TreeForest *
grow_arm(const TreeData *all, const TreeBins *bins, const TreeParams *par, int arm)
{
	TreeData	d = *all;
	uint8	   *codes = malloc(all->n * P);
	double	   *y = malloc(sizeof(double) * all->n);
	uint32	   *rowhash = malloc(sizeof(uint32) * all->n);

	d.n = 0;
	for (int64 i = 0; i < all->n; i++)
		if (all->arm[i] == arm)
		{
			memcpy(codes + d.n * P, all->codes + i * P, P);
			y[d.n] = all->y[i];
			rowhash[d.n++] = all->rowhash[i];
		}
	d.n_arms = 1;
	d.arm = NULL;
	d.codes = codes;
	d.y = y;
	d.rowhash = rowhash;
	return tree_grow(&d, bins, par);
}

int
main(int argc, char **argv)
{
	Rows		tr,
				te;
	TreeParams	par;
	TreeBinOptions bo = {64, 32, 200000, 1};
	uint64	   *keys;
	uint32	   *rowhash;
	uint8	   *codes;
	TreeBins   *bins;
	TreeData	d;
	TreeForest *f,
			   *f0 = NULL;
	clock_t		c0;

	if (argc < 9)
	{
		fprintf(stderr, "usage: tree_quality train.csv test.csv trees max_depth "
				"min_samples_leaf min_samples_treatment n_reg criterion [honest]\n");
		return 2;
	}
	read_rows(argv[1], &tr);
	read_rows(argv[2], &te);
	tree_params_default(&par);
	par.n_trees = atoi(argv[3]);
	par.max_depth = atoi(argv[4]);
	par.min_samples_leaf = atof(argv[5]);
	par.min_samples_treatment = atof(argv[6]);
	par.n_reg = atof(argv[7]);
	for (int c = 0; tree_criterion_names[c]; c++)
		if (strcmp(argv[8], tree_criterion_names[c]) == 0)
			par.criterion = (TreeCriterion) c;
	par.honest = argc > 9 && strcmp(argv[9], "honest") == 0;

	keys = malloc(sizeof(uint64) * tr.n);
	rowhash = malloc(sizeof(uint32) * tr.n);
	codes = malloc(tr.n * P);
	for (int64 i = 0; i < tr.n; i++)
	{
		keys[i] = (uint64) tr.id[i];
		rowhash[i] = tree_row_hash(keys[i]);
	}
	c0 = clock();
	bins = tree_bins_build(tr.x, tr.n, P, keys, NULL, &bo);
	tree_bins_apply(bins, tr.x, tr.n, codes);
	d.n = tr.n;
	d.p = P;
	d.n_arms = 2;
	d.codes = codes;
	d.arm = tr.t;
	d.y = tr.y;
	d.w = NULL;
	d.rowhash = rowhash;
	if (tree_criterion_is_uplift(par.criterion))
		f = tree_grow(&d, bins, &par);
	else
	{
		par.max_features = 3;
		f0 = grow_arm(&d, bins, &par, 0);
		f = grow_arm(&d, bins, &par, 1);
	}
	fprintf(stderr, "fit: %.1f s CPU (%lld training rows, %d trees)\n",
			(double) (clock() - c0) / CLOCKS_PER_SEC, (long long) tr.n, par.n_trees);
	for (int64 i = 0; i < te.n; i++)
	{
		double		out[2],
					p0;

		tree_forest_predict(f, te.x + i * P, out);
		if (f0)
		{
			tree_forest_predict(f0, te.x + i * P, &p0);
			out[1] = out[0];
			out[0] = p0;
		}
		printf("%lld,%.17g\n", (long long) te.id[i], out[1] - out[0]);
	}
	return 0;
}
