/*
 * learn_forest.c
 *	  Forests in uplift_fit (see learn_forest.h): the tree options, the
 *	  uplift forest and the forest heads.
 *
 * The rows reach the tree engine in three passes over a row walk (the
 * buffer's rows of every arm, or a head's row source): the first hashes
 * each row's contents (features, arm, outcome, weight) into its key, the
 * second gathers the bin sample (the rows whose keys order first, see
 * tree_bins.h) and the third codes every row into one byte a feature.  A
 * key depends on the row, not on where it arrived; identical rows, which
 * are interchangeable, are told apart by their rank among their copies.  So
 * the bins, the bootstrap draws and the forest are the same under a serial
 * and a parallel plan.
 */
#include "postgres.h"

#include <math.h>

#include "miscadmin.h"

#include "learn_forest.h"
#include "options.h"
#include "tree_model.h"

/* Options that only forests take. */
static const char *const tree_option_keys[] = {
	"criterion", "n_trees", "max_depth", "min_samples_leaf",
	"min_samples_treatment", "n_reg", "normalization", "max_features", "bins",
	"bin_sample", "bootstrap", "subsample", "honest", "stats_memory", NULL
};

/* Defaults of the options that are not the engine's. */
#define FOREST_DEFAULT_BINS 64
#define FOREST_DEFAULT_BIN_SAMPLE 200000
#define FOREST_DEFAULT_STATS_MB 256

/* ---- settings ---- */

static void
reject_tree_options(Jsonb *opts)
{
	for (int i = 0; tree_option_keys[i] != NULL; i++)
		if (options_lookup(opts, tree_option_keys[i]) != NULL)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("option \"%s\" of uplift_fit applies only to forests",
							tree_option_keys[i]),
					 errhint("Use it with {\"learner\": \"forest\"} or {\"base\": \"forest\"}, or remove it.")));
}

void
learn_forest_settings(Jsonb *opts, bool forest, LearnSettings *s)
{
	TreeParams *par = &s->tree;
	int			criterion;

	s->forest = forest;
	if (!forest)
	{
		reject_tree_options(opts);
		return;
	}
	tree_params_default(par);
	criterion = options_choice(opts, "criterion", -1, tree_criterion_names);
	s->criterion_set = criterion >= 0;
	if (s->criterion_set)
		par->criterion = (TreeCriterion) criterion;
	par->n_trees = (int32) options_int(opts, "n_trees", par->n_trees, 1, TREE_MAX_TREES);
	par->max_depth = (int32) options_int(opts, "max_depth", par->max_depth, 1,
										 TREE_MAX_DEPTH);
	par->min_samples_leaf = (double) options_int(opts, "min_samples_leaf",
												 (int64) par->min_samples_leaf, 1,
												 PG_INT32_MAX);
	par->min_samples_treatment = (double) options_int(opts, "min_samples_treatment",
													  (int64) par->min_samples_treatment,
													  0, PG_INT32_MAX);
	par->n_reg = options_float(opts, "n_reg", par->n_reg, 0.0, 1e12);
	par->normalization = options_bool(opts, "normalization", par->normalization);
	par->max_features = (int32) options_int(opts, "max_features", 0, 0,
											UPLIFT_MAX_FEATURES);
	s->bins = (int32) options_int(opts, "bins", FOREST_DEFAULT_BINS, 2, TREE_MAX_BINS);
	s->bin_sample = options_int(opts, "bin_sample", FOREST_DEFAULT_BIN_SAMPLE, 1000,
								PG_INT32_MAX);
	par->bootstrap = options_bool(opts, "bootstrap", true);
	if (par->bootstrap && options_lookup(opts, "subsample") != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("option \"subsample\" of uplift_fit needs \"bootstrap\": false"),
				 errhint("A bootstrapped tree draws as many rows as there are; to draw a share of the rows instead, set \"bootstrap\" to false.")));
	par->subsample = options_float(opts, "subsample", 1.0, 1e-6, 1.0);
	par->honest = options_bool(opts, "honest", false);
	par->stats_memory = (Size) options_int(opts, "stats_memory",
										   FOREST_DEFAULT_STATS_MB, 1, 1024 * 1024) *
		1024 * 1024;
	par->seed = (uint64) s->seed;
}

void
learn_forest_settings_write(StringInfo out, const LearnSettings *s)
{
	const TreeParams *par = &s->tree;

	bytes_put_u8(out, s->forest ? 1 : 0);
	if (!s->forest)
		return;
	bytes_put_u8(out, s->criterion_set ? 1 : 0);
	bytes_put_u8(out, (uint8) par->criterion);
	bytes_put_i32(out, par->n_trees);
	bytes_put_i32(out, par->max_depth);
	bytes_put_f64(out, par->min_samples_leaf);
	bytes_put_f64(out, par->min_samples_treatment);
	bytes_put_f64(out, par->n_reg);
	bytes_put_u8(out, par->normalization ? 1 : 0);
	bytes_put_i32(out, par->max_features);
	bytes_put_u8(out, par->bootstrap ? 1 : 0);
	bytes_put_f64(out, par->subsample);
	bytes_put_u8(out, par->honest ? 1 : 0);
	bytes_put_i64(out, (int64) par->stats_memory);
	bytes_put_i32(out, s->bins);
	bytes_put_i64(out, s->bin_sample);
}

void
learn_forest_settings_read(ByteReader *r, LearnSettings *s)
{
	TreeParams *par = &s->tree;

	s->forest = bytes_get_u8(r) != 0;
	if (!s->forest)
		return;
	s->criterion_set = bytes_get_u8(r) != 0;
	par->criterion = (TreeCriterion) bytes_get_u8(r);
	par->n_trees = bytes_get_i32(r);
	par->max_depth = bytes_get_i32(r);
	par->min_samples_leaf = bytes_get_f64(r);
	par->min_samples_treatment = bytes_get_f64(r);
	par->n_reg = bytes_get_f64(r);
	par->normalization = bytes_get_u8(r) != 0;
	par->max_features = bytes_get_i32(r);
	par->bootstrap = bytes_get_u8(r) != 0;
	par->subsample = bytes_get_f64(r);
	par->honest = bytes_get_u8(r) != 0;
	par->stats_memory = (Size) bytes_get_i64(r);
	s->bins = bytes_get_i32(r);
	s->bin_sample = bytes_get_i64(r);
	par->seed = (uint64) s->seed;
	if (par->criterion > TREE_ENTROPY || par->n_trees < 1 ||
		par->n_trees > TREE_MAX_TREES || par->max_depth < 1 ||
		par->max_depth > TREE_MAX_DEPTH || s->bins < 2 || s->bins > TREE_MAX_BINS ||
		s->bin_sample < 1)
		bytes_corrupted(r, "tree settings are out of range");
}

void
learn_forest_settings_json(StringInfo b, const LearnSettings *s, int32 learner)
{
	const TreeParams *par = &s->tree;
	bool		uplift = learner == UPLIFT_LEARNER_FOREST;

	appendStringInfo(b, ", \"criterion\": \"%s\", \"n_trees\": %d, \"max_depth\": %d, \"min_samples_leaf\": %.0f",
					 tree_criterion_names[par->criterion], par->n_trees,
					 par->max_depth, par->min_samples_leaf);
	if (uplift)
		appendStringInfo(b, ", \"min_samples_treatment\": %.0f, \"n_reg\": %.17g, \"normalization\": %s",
						 par->min_samples_treatment, par->n_reg,
						 par->normalization ? "true" : "false");
	appendStringInfo(b, ", \"max_features\": %d, \"bins\": %d, \"bin_sample\": " INT64_FORMAT ", \"bootstrap\": %s",
					 par->max_features, s->bins, s->bin_sample,
					 par->bootstrap ? "true" : "false");
	if (!par->bootstrap)
		appendStringInfo(b, ", \"subsample\": %.17g", par->subsample);
	appendStringInfo(b, ", \"honest\": %s", par->honest ? "true" : "false");
}

int32
learn_forest_criterion(const LearnSettings *s, bool binary, int32 K)
{
	TreeCriterion c = s->tree.criterion;

	if (!s->criterion_set)
		return binary ? TREE_KL : TREE_CTS;
	if (!tree_criterion_is_uplift(c))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("criterion \"%s\" of uplift_fit is not an uplift criterion",
						tree_criterion_names[c]),
				 errhint("Learner \"forest\" splits with \"kl\", \"ed\", \"chi\", \"ddp\" or \"cts\"; \"%s\" is for base \"forest\".",
						 tree_criterion_names[c])));
	if (c != TREE_CTS && !binary)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("criterion \"%s\" of uplift_fit needs an outcome of 0 or 1",
						tree_criterion_names[c]),
				 errhint("Use criterion \"cts\" for a continuous outcome.")));
	if (c == TREE_DDP && K != 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("criterion \"ddp\" of uplift_fit compares one treatment with control, not %d", K),
				 errhint("Use \"kl\", \"ed\", \"chi\" or \"cts\" for several treatments.")));
	return c;
}

/* ---- rows: walks, keys, sample, codes ---- */

/* A block of rows as the walks give it: n rows of one arm. */
typedef struct ForestBlock
{
	int			n;
	const double *const *col;	/* p columns */
	const double *y;
	const double *w;			/* NULL: every weight 1 */
	double		wscale;
	int32		arm;
} ForestBlock;

/* The buffer's rows of every arm, or a head's row source. */
typedef struct RowWalk
{
	int32		p;
	int64		nrows;
	RowSource  *src;			/* a head's rows, or NULL */
	const TrainBuf *buf;		/* else the buffer's, */
	const ArmWeights *aw;		/* weighted as this says */
	TileCursor	cur;
	const double **cols;
} RowWalk;

static void
walk_start(RowWalk *w)
{
	if (w->src != NULL)
		w->src->rewind(w->src, 1);
	else
		trainbuf_cursor_start(&w->cur, w->buf, NULL, 1);
}

static bool
walk_next(RowWalk *w, ForestBlock *b)
{
	if (w->src != NULL)
	{
		RowBlock	blk;

		if (!w->src->next(w->src, &blk))
			return false;
		b->n = blk.n;
		b->col = blk.col;
		b->y = blk.y;
		b->w = blk.w;
		b->wscale = blk.wscale;
		b->arm = 0;
	}
	else
	{
		TrainTile	t;

		if (!trainbuf_cursor_next(&w->cur, &t))
			return false;
		trainbuf_tile_columns(w->buf, &t, w->cols);
		b->n = t.n;
		b->col = w->cols;
		b->y = t.chunk->y + t.start;
		b->w = w->aw[t.arm].use ? t.chunk->w + t.start : NULL;
		b->wscale = w->aw[t.arm].scale;
		b->arm = t.arm;
	}
	CHECK_FOR_INTERRUPTS();
	return true;
}

static inline uint64
double_bits(double v)
{
	uint64		u;

	memcpy(&u, &v, sizeof(u));
	return u;
}

/* The hash of row i's contents. */
static uint64
row_content_hash(const ForestBlock *b, int i, int32 p)
{
	uint64		h = tree_mix64(UINT64CONST(0x726f776b6579) ^ (uint64) b->arm);	/* "rowkey" */

	for (int32 j = 0; j < p; j++)
		h = tree_mix64(h ^ double_bits(b->col[j][i]));
	h = tree_mix64(h ^ double_bits(b->y[i]));
	if (b->w != NULL)
		h = tree_mix64(h ^ double_bits(b->w[i] * b->wscale));
	return h;
}

/* Sort v[0..n-1] by radix, 8 bits a pass, through tmp[n]. */
static void
radix_sort_u64(uint64 *v, uint64 *tmp, int64 n)
{
	for (int shift = 0; shift < 64; shift += 8)
	{
		int64		start[257] = {0};
		uint64	   *t;

		for (int64 i = 0; i < n; i++)
			start[((v[i] >> shift) & 0xFF) + 1]++;
		for (int d = 0; d < 256; d++)
			start[d + 1] += start[d];
		for (int64 i = 0; i < n; i++)
		{
			tmp[start[(v[i] >> shift) & 0xFF]++] = v[i];
			if ((i & 0xFFFF) == 0)
				CHECK_FOR_INTERRUPTS();
		}
		t = v;
		v = tmp;
		tmp = t;
	}
}

/* Index of the first of sorted[0..n-1] that is >= x. */
static int64
lower_bound_u64(const uint64 *sorted, int64 n, uint64 x)
{
	int64		lo = 0,
				hi = n;

	while (lo < hi)
	{
		int64		mid = lo + (hi - lo) / 2;

		if (sorted[mid] < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * Make the n content hashes distinct keys: the r-th copy (r > 0) of a hash
 * shared by identical rows gets a key derived from the hash and r.
 */
static void
distinct_keys(uint64 *key, int64 n)
{
	uint64	   *sorted = palloc_extended(sizeof(uint64) * Max(n, 1), MCXT_ALLOC_HUGE);
	uint64	   *tmp = palloc_extended(sizeof(uint64) * Max(n, 1), MCXT_ALLOC_HUGE);
	int64		m = 0;
	int32	   *copies;

	memcpy(sorted, key, sizeof(uint64) * n);
	radix_sort_u64(sorted, tmp, n);
	pfree(tmp);
	for (int64 i = 0; i < n; i++)
		if (m == 0 || sorted[i] != sorted[m - 1])
			sorted[m++] = sorted[i];
	if (m < n)
	{
		copies = palloc_extended(sizeof(int32) * m, MCXT_ALLOC_HUGE | MCXT_ALLOC_ZERO);
		for (int64 i = 0; i < n; i++)
		{
			int32		r = copies[lower_bound_u64(sorted, m, key[i])]++;

			if (r > 0)
				key[i] = tree_mix64(key[i] + (uint64) r * UINT64CONST(0x9e3779b97f4a7c15));
			if ((i & 0xFFFF) == 0)
				CHECK_FOR_INTERRUPTS();
		}
		pfree(copies);
	}
	pfree(sorted);
}

/* Pass 1: the rows' keys. */
static uint64 *
walk_keys(RowWalk *w)
{
	uint64	   *key = palloc_extended(sizeof(uint64) * Max(w->nrows, 1), MCXT_ALLOC_HUGE);
	ForestBlock b;
	int64		i = 0;

	walk_start(w);
	while (walk_next(w, &b))
		for (int r = 0; r < b.n; r++)
			key[i++] = row_content_hash(&b, r, w->p);
	Assert(i == w->nrows);
	distinct_keys(key, w->nrows);
	return key;
}

/* Pass 2: bins from the rows of the sample. */
static TreeBins *
walk_bins(RowWalk *w, const uint64 *key, const LearnSettings *s)
{
	TreeBinOptions opt = {s->bins, TREE_MAX_BINS - 1, s->bin_sample, (uint64) s->seed};
	uint64		cut = tree_bins_sample_cut(key, w->nrows, &opt);
	int64		cap = Min(w->nrows, s->bin_sample) + 16;
	double	   *x = palloc_extended(sizeof(double) * cap * w->p, MCXT_ALLOC_HUGE);
	uint64	   *skey = palloc_extended(sizeof(uint64) * cap, MCXT_ALLOC_HUGE);
	int64		m = 0,
				i = 0;
	ForestBlock b;
	TreeBins   *bins;

	walk_start(w);
	while (walk_next(w, &b))
		for (int r = 0; r < b.n; r++, i++)
		{
			if (tree_bins_sample_order(key[i], opt.seed) > cut)
				continue;
			if (m == cap)
			{
				/* keys sharing the cut's order (equal keys) come in too */
				cap *= 2;
				x = repalloc_huge(x, sizeof(double) * cap * w->p);
				skey = repalloc_huge(skey, sizeof(uint64) * cap);
			}
			for (int32 j = 0; j < w->p; j++)
				x[m * w->p + j] = b.col[j][r];
			skey[m++] = key[i];
		}
	bins = tree_bins_build(x, m, w->p, skey, NULL, &opt);
	pfree(x);
	pfree(skey);
	return bins;
}

/* Pass 3: every row coded, with its arm, outcome, weight and row hash. */
static void
walk_codes(RowWalk *w, const uint64 *key, const TreeBins *bins, bool arms,
		   TreeData *d)
{
	int64		n = w->nrows;
	uint8	   *codes = palloc_extended((Size) n * w->p + 1, MCXT_ALLOC_HUGE);
	uint8	   *arm = arms ? palloc_extended(n + 1, MCXT_ALLOC_HUGE) : NULL;
	double	   *y = palloc_extended(sizeof(double) * Max(n, 1), MCXT_ALLOC_HUGE);
	double	   *wt = NULL;
	uint32	   *rowhash = palloc_extended(sizeof(uint32) * Max(n, 1), MCXT_ALLOC_HUGE);
	ForestBlock b;
	int64		i = 0;

	walk_start(w);
	while (walk_next(w, &b))
	{
		if (b.w != NULL && wt == NULL)
		{
			wt = palloc_extended(sizeof(double) * n, MCXT_ALLOC_HUGE);
			for (int64 k = 0; k < i; k++)
				wt[k] = 1.0;
		}
		for (int r = 0; r < b.n; r++, i++)
		{
			uint8	   *c = codes + i * w->p;

			for (int32 j = 0; j < w->p; j++)
				c[j] = tree_bins_code(&bins->feat[j], b.col[j][r]);
			if (arm != NULL)
				arm[i] = (uint8) b.arm;
			y[i] = b.y[r];
			if (wt != NULL)
				wt[i] = b.w != NULL ? b.w[r] * b.wscale : 1.0;
			rowhash[i] = tree_row_hash(key[i]);
		}
	}
	d->n = n;
	d->p = w->p;
	d->codes = codes;
	d->arm = arm;
	d->y = y;
	d->w = wt;
	d->rowhash = rowhash;
}

/* The rows of a walk for the engine, and their bins. */
static TreeBins *
walk_tree_data(RowWalk *w, const LearnSettings *s, bool arms, TreeData *d)
{
	uint64	   *key = walk_keys(w);
	TreeBins   *bins = walk_bins(w, key, s);

	walk_codes(w, key, bins, arms, d);
	pfree(key);
	return bins;
}

/* Grow the forest level by level, reporting each level as a phase. */
static TreeForest *
grow(const TreeData *d, const TreeBins *bins, const TreeParams *par,
	 Progress *progress, const char *what)
{
	TreeDataSummary summary;
	TreeGrower *g;
	TreeStats  *st;
	int			level = 0;

	tree_data_summary_init(&summary, d->n_arms);
	tree_data_summarize(&summary, d, bins);
	g = tree_grower_create(bins, par, &summary);
	while ((st = tree_grower_level(g)) != NULL)
	{
		if (progress != NULL)
			progress_phase(progress, psprintf("growing %s: level %d of %d",
											  what, ++level, par->max_depth));
		tree_grower_add_rows(g, st, d);
		tree_grower_split(g, st);
	}
	if ((st = tree_grower_leaves(g)) != NULL)
	{
		if (progress != NULL)
			progress_phase(progress, psprintf("growing %s: honest leaves", what));
		tree_grower_add_leaf_rows(g, st, d);
		tree_grower_set_leaves(g, st);
	}
	return tree_grower_forest(g);
}

static void
free_tree_data(TreeData *d)
{
	pfree((void *) d->codes);
	if (d->arm != NULL)
		pfree((void *) d->arm);
	pfree((void *) d->y);
	if (d->w != NULL)
		pfree((void *) d->w);
	pfree((void *) d->rowhash);
}

/* A head that is a forest: no coefficients, the identity link. */
static void
forest_head(UpliftHead *head, TreeForest *f, int64 nrows)
{
	head->link = UPLIFT_LINK_IDENTITY;
	head->n_coef = 0;
	head->coef = palloc(sizeof(double));
	head->forest = f;
	head->n_rows = nrows;
	head->n_iter = f->n_trees;
	head->converged = true;
	head->max_grad = 0.0;
}

void
learn_forest(const TrainBuf *buf, const LearnSettings *s, UpliftModel *m,
			 const ArmWeights *aw)
{
	RowWalk		w = {0};
	TreeData	d = {0};
	TreeParams	par = s->tree;
	TreeBins   *bins;

	w.p = buf->p;
	w.nrows = buf->nrows;
	w.buf = buf;
	w.aw = aw;
	w.cols = palloc(sizeof(double *) * Max(buf->p, 1));
	if (s->progress != NULL)
		progress_phase(s->progress, "binning the rows");
	bins = walk_tree_data(&w, s, true, &d);
	d.n_arms = m->n_actions + 1;
	par.criterion = (TreeCriterion) learn_forest_criterion(s, buf->all_binary, m->n_actions);

	m->n_heads = 1;
	m->heads = palloc0(sizeof(UpliftHead));
	m->heads[0].role = UPLIFT_HEAD_ARMS;
	m->heads[0].action = -1;
	forest_head(&m->heads[0], grow(&d, bins, &par, s->progress, "the forest"),
				buf->nrows);
	free_tree_data(&d);
}

void
learn_forest_head(RowSource *src, const LearnSettings *s, UpliftHead *head,
				  const char *what)
{
	RowWalk		w = {0};
	TreeData	d = {0};
	TreeParams	par = s->tree;
	TreeBins   *bins;
	bool		outcome = head->role == UPLIFT_HEAD_OUTCOME ||
		head->role == UPLIFT_HEAD_JOINT;

	w.p = src->d;
	w.nrows = src->nrows;
	w.src = src;
	bins = walk_tree_data(&w, s, false, &d);
	d.n_arms = 1;
	par.criterion = TREE_VARIANCE;
	if (outcome && s->criterion_set)
		par.criterion = s->tree.criterion;
	if (tree_criterion_is_uplift(par.criterion))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("criterion \"%s\" of uplift_fit is an uplift criterion",
						tree_criterion_names[par.criterion]),
				 errhint("The heads of base \"forest\" split with \"variance\", \"gini\" or \"entropy\"; \"%s\" is for learner \"forest\".",
						 tree_criterion_names[par.criterion])));
	forest_head(head, grow(&d, bins, &par, s->progress, what), src->nrows);
	free_tree_data(&d);
}

void
learn_forest_predict(const UpliftHead *head, int n, const double *const *col,
					 double *out)
{
	const TreeForest *f = head->forest;
	double	   *x = palloc(sizeof(double) * Max(f->p, 1));

	for (int i = 0; i < n; i++)
	{
		for (int32 j = 0; j < f->p; j++)
			x[j] = col[j][i];
		tree_forest_predict(f, x, &out[i]);
	}
	pfree(x);
}
