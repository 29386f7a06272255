/*
 * learn_forest.c
 *	  Forests in uplift_fit (see learn_forest.h): the tree options, the
 *	  uplift forest and the forest heads.
 *
 * The rows reach the tree engine through passes over a row walk (the
 * buffer's rows of every arm, or a head's row source): each row's key is a
 * hash of its contents (features, arm, outcome, weight), the bin sample is
 * the rows whose keys order first (see tree_bins.h), and the last pass
 * codes every row into one byte a feature, the rows then put in the order
 * of the keys.  A key depends on the row, not on where it arrived;
 * identical rows, which are interchangeable, are told apart by their rank
 * among their copies.  So the bins, the bootstrap draws, the order in which
 * sums are taken and the forest are the same under a serial and a parallel
 * plan.  While the rows are held as doubles the passes take a few bytes a
 * row; the uplift forest's last pass frees the buffer's rows behind it when
 * the buffer allows it (see "The keys" below).
 */
#include "postgres.h"

#include <math.h>

#include "miscadmin.h"

#include "learn_forest.h"
#include "options.h"
#include "tree_model.h"

/* Options that only forests take. */
static const char *const tree_option_keys[] = {LEARN_FOREST_OPTION_KEYS, NULL};

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

/* max_features: "all" (0), "sqrt" (FOREST_SQRT_FEATURES) or a count. */
#define FOREST_SQRT_FEATURES (-1)

static int32
parse_max_features(Jsonb *opts, int32 learner)
{
	JsonbValue *v = options_lookup(opts, "max_features");

	if (v == NULL)
		return learner == UPLIFT_LEARNER_FOREST ? 0 : FOREST_SQRT_FEATURES;
	if (v->type == jbvString)
	{
		if (v->val.string.len == 3 && strncmp(v->val.string.val, "all", 3) == 0)
			return 0;
		if (v->val.string.len == 4 && strncmp(v->val.string.val, "sqrt", 4) == 0)
			return FOREST_SQRT_FEATURES;
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("option \"max_features\" must be a number of features, \"sqrt\" or \"all\""),
				 errhint("For example {\"max_features\": 3} or {\"max_features\": \"sqrt\"}.")));
	}
	return (int32) options_int(opts, "max_features", 0, 1, UPLIFT_MAX_FEATURES);
}

/* The features tried per node of a forest over d design columns. */
static int32
resolved_max_features(int32 max_features, int32 d)
{
	if (max_features == FOREST_SQRT_FEATURES)
		return Max(1, (int32) floor(sqrt((double) d)));
	return max_features;
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
	par->max_features = parse_max_features(opts, s->learner);
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
		par->max_features < FOREST_SQRT_FEATURES ||
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
	if (par->max_features > 0)
		appendStringInfo(b, ", \"max_features\": %d", par->max_features);
	else
		appendStringInfo(b, ", \"max_features\": \"%s\"",
						 par->max_features == 0 ? "all" : "sqrt");
	appendStringInfo(b, ", \"bins\": %d, \"bin_sample\": " INT64_FORMAT ", \"bootstrap\": %s",
					 s->bins, s->bin_sample,
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

/* The buffer's rows of every arm, or a head's row source. */
typedef struct RowWalk
{
	int32		p;
	int64		nrows;
	RowSource  *src;			/* a head's rows, or NULL */
	const TrainBuf *buf;		/* else the buffer's, */
	TrainBuf   *release;		/* the same buffer when the last walk frees it */
	const ArmWeights *aw;		/* weighted as this says */
	TileCursor	cur;
	const double **cols;
} RowWalk;

/* A walk of every row; the last walk (last) frees them when it may. */
static void
walk_start_last(RowWalk *w, bool last)
{
	if (w->src != NULL && last && w->src->rewind_last != NULL)
		w->src->rewind_last(w->src);
	else if (w->src != NULL)
		w->src->rewind(w->src, 1);
	else if (last && w->release != NULL)
		trainbuf_release_start(&w->cur, w->release, NULL);
	else
		trainbuf_cursor_start(&w->cur, w->buf, NULL, 1);
}

static void
walk_start(RowWalk *w)
{
	walk_start_last(w, false);
}

/* The next block of rows (one arm's: arm is set for the buffer's rows too). */
static bool
walk_next(RowWalk *w, RowBlock *b)
{
	TrainTile	t;

	CHECK_FOR_INTERRUPTS();
	if (w->src != NULL)
		return w->src->next(w->src, b);
	if (!trainbuf_cursor_next(&w->cur, &t))
		return false;
	trainbuf_tile_columns(w->buf, &t, w->cols);
	b->n = t.n;
	b->col = w->cols;
	b->y = t.y;
	b->w = w->aw[t.arm].use ? t.chunk->w + t.start : NULL;
	b->wscale = w->aw[t.arm].scale;
	b->arm = t.arm;
	return true;
}

/* The hash of row i's contents. */
static uint64
row_content_hash(const RowBlock *b, int i, int32 p)
{
	uint64		h = learn_forest_key_begin(b->arm);

	for (int32 j = 0; j < p; j++)
		h = learn_forest_key_add(h, b->col[j][i]);
	h = learn_forest_key_add(h, b->y[i]);
	if (b->w != NULL)
		h = learn_forest_key_add(h, b->w[i]);
	return h;
}

/* A row's content hash and its index in the walk. */
typedef struct KeyIndex
{
	uint64		key;
	int64		idx;
} KeyIndex;

/* Sort v[0..n-1] by key, stably, by radix (8 bits a pass) through tmp[n]. */
static void
radix_sort_keys(KeyIndex *v, KeyIndex *tmp, int64 n)
{
	for (int shift = 0; shift < 64; shift += 8)
	{
		int64		start[257] = {0};
		KeyIndex   *t;

		for (int64 i = 0; i < n; i++)
			start[((v[i].key >> shift) & 0xFF) + 1]++;
		for (int d = 0; d < 256; d++)
			start[d + 1] += start[d];
		for (int64 i = 0; i < n; i++)
		{
			tmp[start[(v[i].key >> shift) & 0xFF]++] = v[i];
			if ((i & 0xFFFF) == 0)
				CHECK_FOR_INTERRUPTS();
		}
		t = v;
		v = tmp;
		tmp = t;
	}
}

/*
 * The keys: a row's key is the hash of its contents, except that the r-th
 * copy (r > 0, in the order of the walk) of a hash shared by identical rows
 * gets a key derived from the hash and r.  Rows are handed to the engine in
 * the canonical order, the order of the keys, so that sums over them (and
 * so the forest) do not depend on the order the rows arrived in.
 *
 * While the rows are held as doubles, memory is kept to a few bytes a row:
 * the keys are worked out a bucket of hashes at a time (KEY_BUCKETS passes
 * over the rows, each counting the copies of one bucket's distinct hashes),
 * which gives the cut of the bin sample, then the sample; the bins are
 * built a feature at a time.
 * The last pass codes the rows in the walk's order, freeing the buffer's
 * rows as it goes when it may (the uplift forest in an aggregate's final
 * call), and the coded rows are then put in the canonical order.
 */
#define KEY_BUCKETS 64

static inline int
key_bucket(uint64 h)
{
	return (int) (h >> 58);
}

static inline uint64
copy_key(uint64 h, int64 r)
{
	return r == 0 ? h : tree_mix64(h + (uint64) r * UINT64CONST(0x9e3779b97f4a7c15));
}

/* Replace the sorted hashes of ki[0..m-1] by the rows' keys. */
static void
hashes_to_keys(KeyIndex *ki, int64 m)
{
	uint64		prev = 0;
	int64		r = 0;

	for (int64 s = 0; s < m; s++)
	{
		uint64		h = ki[s].key;

		r = (s > 0 && h == prev) ? r + 1 : 0;
		prev = h;
		ki[s].key = copy_key(h, r);
	}
}

/*
 * Counts of distinct 64-bit hashes (open addressing; a count of 0 marks a
 * free entry): the copies of a hash seen so far, in a bucket's pass.
 */
typedef struct HashCount
{
	uint64		h;
	int64		count;
} HashCount;

typedef struct HashCounts
{
	HashCount  *e;
	int64		mask;			/* capacity - 1, a power of two minus one */
	int64		used;
} HashCounts;

static void
hash_counts_init(HashCounts *hc)
{
	hc->mask = 1023;
	hc->used = 0;
	hc->e = palloc0(sizeof(HashCount) * (hc->mask + 1));
}

/* The entry of h (a new one with count 0 if absent). */
static HashCount *
hash_counts_at(HashCounts *hc, uint64 h)
{
	int64		i;

	if (2 * (hc->used + 1) > hc->mask + 1)
	{
		HashCount  *old = hc->e;
		int64		n = hc->mask + 1;

		hc->mask = 2 * n - 1;
		hc->e = palloc_extended(sizeof(HashCount) * (hc->mask + 1),
								MCXT_ALLOC_HUGE | MCXT_ALLOC_ZERO);
		for (int64 k = 0; k < n; k++)
			if (old[k].count > 0)
			{
				for (i = (int64) (old[k].h & hc->mask); hc->e[i].count > 0; i = (i + 1) & hc->mask)
					;
				hc->e[i] = old[k];
			}
		pfree(old);
	}
	for (i = (int64) (h & hc->mask); hc->e[i].count > 0; i = (i + 1) & hc->mask)
		if (hc->e[i].h == h)
			return &hc->e[i];
	hc->e[i].h = h;
	hc->used++;
	return &hc->e[i];
}

/* Pass 0: the bucket of each row's content hash (one byte a row). */
static uint8 *
walk_buckets(RowWalk *w)
{
	uint8	   *bkt = palloc_extended(Max(w->nrows, 1), MCXT_ALLOC_HUGE);
	RowBlock	b;
	int64		i = 0;

	walk_start(w);
	while (walk_next(w, &b))
		for (int r = 0; r < b.n; r++, i++)
			bkt[i] = (uint8) key_bucket(row_content_hash(&b, r, w->p));
	return bkt;
}

/* Max-heap of the k smallest values seen: push v. */
static void
heap_push_smallest(uint64 *heap, int64 *size, int64 k, uint64 v)
{
	int64		i;

	if (*size == k)
	{
		if (v >= heap[0])
			return;
		/* replace the largest and sift it down */
		i = 0;
		for (;;)
		{
			int64		c = 2 * i + 1;

			if (c >= k)
				break;
			if (c + 1 < k && heap[c + 1] > heap[c])
				c++;
			if (heap[c] <= v)
				break;
			heap[i] = heap[c];
			i = c;
		}
		heap[i] = v;
		return;
	}
	i = (*size)++;
	while (i > 0 && heap[(i - 1) / 2] < v)
	{
		heap[i] = heap[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	heap[i] = v;
}

/*
 * One pass over the rows of bucket k, in the walk's order, giving each its
 * key (the r-th copy of a hash gets copy_key(hash, r)): in the cut's pass
 * (kp->heap set) every key's order goes into the heap; in the sample's, the
 * rows whose order is at most kp->cut are marked in kp->in_sample and
 * counted.  Memory: the distinct hashes of one bucket.
 */
typedef struct KeyPass
{
	const TreeBinOptions *opt;
	uint64	   *heap;			/* the cut's pass: the smallest orders */
	int64		heap_size;
	uint64		cut;			/* the sample's pass */
	uint64	   *in_sample;
	int64		n_sample;
} KeyPass;

static void
bucket_pass(RowWalk *w, const uint8 *bkt, int k, KeyPass *kp)
{
	HashCounts	hc;
	RowBlock	b;
	int64		i = 0;

	hash_counts_init(&hc);
	walk_start(w);
	while (walk_next(w, &b))
		for (int r = 0; r < b.n; r++, i++)
		{
			HashCount  *e;
			uint64		key;

			if (bkt[i] != k)
				continue;
			e = hash_counts_at(&hc, row_content_hash(&b, r, w->p));
			key = copy_key(e->h, e->count++);
			if (kp->heap != NULL)
			{
				heap_push_smallest(kp->heap, &kp->heap_size, kp->opt->sample_size,
								   tree_bins_sample_order(key, kp->opt->seed));
				continue;
			}
			/* keys sharing the cut's order (equal keys) come in too */
			if (tree_bins_sample_order(key, kp->opt->seed) > kp->cut)
				continue;
			kp->n_sample++;
			kp->in_sample[i / 64] |= UINT64CONST(1) << (i % 64);
		}
	pfree(hc.e);
}

/*
 * The cut of the bin sample (tree_bins_sample_cut over every row's key):
 * the sample_size-th smallest order, from a heap of that many orders.
 */
static uint64
walk_sample_cut(RowWalk *w, const uint8 *bkt, const TreeBinOptions *opt)
{
	KeyPass		kp = {0};
	uint64		cut;

	(void) tree_bins_sample_cut(NULL, 0, opt);	/* checks the options */
	if (w->nrows <= opt->sample_size)
		return PG_UINT64_MAX;
	kp.opt = opt;
	kp.heap = palloc_extended(sizeof(uint64) * opt->sample_size, MCXT_ALLOC_HUGE);
	for (int k = 0; k < KEY_BUCKETS; k++)
		bucket_pass(w, bkt, k, &kp);
	cut = kp.heap[0];
	pfree(kp.heap);
	return cut;
}

/* The sample: in_sample, a bit a row in the walk's order; its size. */
static int64
walk_sample(RowWalk *w, const uint8 *bkt, uint64 cut, const TreeBinOptions *opt,
			uint64 *in_sample)
{
	KeyPass		kp = {0};

	kp.opt = opt;
	kp.cut = cut;
	kp.in_sample = in_sample;
	for (int k = 0; k < KEY_BUCKETS; k++)
		bucket_pass(w, bkt, k, &kp);
	return kp.n_sample;
}

/*
 * Bins from the sample's m rows, a feature at a time: a feature's bins are
 * those of its values in the sample (tree_bins_feature), so one column of
 * the sample is in memory at a time.
 */
static TreeBins *
walk_bins(RowWalk *w, const uint64 *in_sample, int64 m, const bool *categorical,
		  const TreeBinOptions *opt)
{
	TreeBins   *bins = palloc(sizeof(TreeBins));
	double	   *col = palloc_extended(sizeof(double) * Max(m, 1), MCXT_ALLOC_HUGE);

	bins->p = w->p;
	bins->max_code = 0;
	bins->feat = palloc0(sizeof(TreeBinFeature) * Max(w->p, 1));
	for (int32 j = 0; j < w->p; j++)
	{
		RowBlock	b;
		int64		i = 0,
					k = 0;

		walk_start(w);
		while (walk_next(w, &b))
			for (int r = 0; r < b.n; r++, i++)
				if ((in_sample[i / 64] >> (i % 64)) & 1)
					col[k++] = b.col[j][r];
		Assert(k == m);
		tree_bins_feature(col, m, categorical != NULL && categorical[j], opt,
						  &bins->feat[j]);
		bins->max_code = Max(bins->max_code, bins->feat[j].nbins);
	}
	pfree(col);
	return bins;
}

/*
 * Which of a walk's p columns are categorical: the native columns of named
 * features that are (the first columns of every head's design), or none.
 */
static bool *
categorical_columns(const LearnSettings *s, int32 p)
{
	bool	   *cat;

	if (s->categorical == NULL)
		return NULL;
	cat = palloc0(sizeof(bool) * Max(p, 1));
	for (int32 j = 0; j < Min(p, s->n_categorical); j++)
		cat[j] = s->categorical[j];
	return cat;
}

/*
 * Weigh the rows of each weighted arm (arm[i], weight w[i] = 1/propensity)
 * so that its weights average 1, as the other learners do: row i of a
 * weighted arm a weighs w[i] x learn_forest_weight_factor(rows of a, exact
 * sum of its w), which does not depend on the rows' order.
 */
static void
normalise_weights(double *w, const uint16 *arm, int64 n, const bool *weighted)
{
	ExactSum   *total = palloc(sizeof(ExactSum) * (TRAINBUF_MAX_ACTION + 1));
	int64	   *count = palloc0(sizeof(int64) * (TRAINBUF_MAX_ACTION + 1));
	double	   *factor = palloc(sizeof(double) * (TRAINBUF_MAX_ACTION + 1));

	for (int a = 0; a <= TRAINBUF_MAX_ACTION; a++)
		exact_sum_init(&total[a]);
	for (int64 i = 0; i < n; i++)
	{
		exact_sum_add(&total[arm[i]], w[i]);
		count[arm[i]]++;
	}
	for (int a = 0; a <= TRAINBUF_MAX_ACTION; a++)
		if (count[a] > 0)
			factor[a] = learn_forest_weight_factor(count[a], &total[a]);
	for (int64 i = 0; i < n; i++)
		if (weighted[arm[i]])
			w[i] *= factor[arm[i]];
	pfree(total);
	pfree(count);
	pfree(factor);
}

double
learn_forest_weight_factor(int64 rows, const ExactSum *total)
{
	return (double) rows / exact_sum_value(total);
}

/*
 * The last pass: every row coded, with its arm (when arms is set), outcome,
 * weight and content hash, in the walk's order (freeing the buffer's rows
 * behind it when the walk may); then the keys from the hashes, and every
 * row moved to its place in the canonical order.
 */
static void
walk_codes(RowWalk *w, const TreeBins *bins, bool arms, TreeData *d)
{
	int64		n = w->nrows;
	int32		p = w->p;
	uint8	   *wcodes = palloc_extended((Size) n * p + 1, MCXT_ALLOC_HUGE);
	uint16	   *warm = palloc_extended(sizeof(uint16) * Max(n, 1), MCXT_ALLOC_HUGE);
	double	   *wy = palloc_extended(sizeof(double) * Max(n, 1), MCXT_ALLOC_HUGE);
	double	   *ww = palloc_extended(sizeof(double) * Max(n, 1), MCXT_ALLOC_HUGE);
	KeyIndex   *ki = palloc_extended(sizeof(KeyIndex) * Max(n, 1), MCXT_ALLOC_HUGE);
	KeyIndex   *tmp;
	bool		weighted[TRAINBUF_MAX_ACTION + 1] = {false};
	bool		any_weight = false;
	RowBlock	b;
	int64		i = 0;
	uint8	   *codes;
	uint16	   *arm16;
	double	   *y,
			   *wt = NULL;
	uint32	   *rowhash;

	walk_start_last(w, true);
	while (walk_next(w, &b))
	{
		int32		a = Max(b.arm, 0);

		if (b.w != NULL)
			weighted[a] = any_weight = true;
		for (int r = 0; r < b.n; r++, i++)
		{
			uint8	   *c = wcodes + i * p;

			for (int32 j = 0; j < p; j++)
				c[j] = tree_bins_code(&bins->feat[j], b.col[j][r]);
			warm[i] = (uint16) a;
			wy[i] = b.y[r];
			ww[i] = b.w != NULL ? b.w[r] : 1.0;
			ki[i].key = row_content_hash(&b, r, p);
			ki[i].idx = i;
		}
	}
	Assert(i == n);

	/* the canonical order: ki[s] is the key and walk index of row s */
	tmp = palloc_extended(sizeof(KeyIndex) * Max(n, 1), MCXT_ALLOC_HUGE);
	radix_sort_keys(ki, tmp, n);
	pfree(tmp);
	hashes_to_keys(ki, n);

	codes = palloc_extended((Size) n * p + 1, MCXT_ALLOC_HUGE);
	for (int64 s = 0; s < n; s++)
		memcpy(codes + s * p, wcodes + ki[s].idx * p, p);
	pfree(wcodes);
	arm16 = palloc_extended(sizeof(uint16) * Max(n, 1), MCXT_ALLOC_HUGE);
	for (int64 s = 0; s < n; s++)
		arm16[s] = warm[ki[s].idx];
	pfree(warm);
	y = palloc_extended(sizeof(double) * Max(n, 1), MCXT_ALLOC_HUGE);
	for (int64 s = 0; s < n; s++)
		y[s] = wy[ki[s].idx];
	pfree(wy);
	if (any_weight)
	{
		wt = palloc_extended(sizeof(double) * Max(n, 1), MCXT_ALLOC_HUGE);
		for (int64 s = 0; s < n; s++)
			wt[s] = ww[ki[s].idx];
		normalise_weights(wt, arm16, n, weighted);
	}
	pfree(ww);
	rowhash = palloc_extended(sizeof(uint32) * Max(n, 1), MCXT_ALLOC_HUGE);
	for (int64 s = 0; s < n; s++)
		rowhash[s] = tree_row_hash(ki[s].key);
	pfree(ki);

	d->arm = NULL;
	if (arms)
	{
		uint8	   *arm = palloc_extended(n + 1, MCXT_ALLOC_HUGE);

		for (int64 k = 0; k < n; k++)
			arm[k] = (uint8) arm16[k];
		d->arm = arm;
	}
	pfree(arm16);
	d->n = n;
	d->p = p;
	d->codes = codes;
	d->y = y;
	d->w = wt;
	d->rowhash = rowhash;
}

/* The rows of a walk for the engine, and their bins. */
static TreeBins *
walk_tree_data(RowWalk *w, const LearnSettings *s, bool arms, TreeData *d)
{
	TreeBinOptions opt;
	uint8	   *bkt;
	uint64		cut;
	uint64	   *in_sample;
	int64		m;
	TreeBins   *bins;

	learn_forest_bin_options(s, &opt);
	bkt = walk_buckets(w);
	cut = walk_sample_cut(w, bkt, &opt);
	in_sample = palloc_extended(sizeof(uint64) * ((w->nrows + 63) / 64 + 1),
								MCXT_ALLOC_HUGE | MCXT_ALLOC_ZERO);
	m = walk_sample(w, bkt, cut, &opt, in_sample);
	pfree(bkt);
	bins = walk_bins(w, in_sample, m, categorical_columns(s, w->p), &opt);
	pfree(in_sample);
	walk_codes(w, bins, arms, d);
	return bins;
}

/*
 * The (weighted) outcome mean of each arm of m: exact sums of w y and w
 * (w the inverse propensity of a weighted buffer's rows, else 1), so that
 * a forest model's bytes are the same under any plan.
 */
void
learn_forest_arm_means(const TrainBuf *buf, UpliftModel *m)
{
	ExactSum   *sum_wy = palloc(sizeof(ExactSum) * (m->n_actions + 1));
	ExactSum   *sum_w = palloc(sizeof(ExactSum) * (m->n_actions + 1));
	TileCursor	cur;
	TrainTile	t;

	for (int32 a = 0; a <= m->n_actions; a++)
	{
		exact_sum_init(&sum_wy[a]);
		exact_sum_init(&sum_w[a]);
	}
	trainbuf_cursor_start(&cur, buf, NULL, 1);
	while (trainbuf_cursor_next(&cur, &t))
	{
		CHECK_FOR_INTERRUPTS();
		for (int r = 0; r < t.n; r++)
		{
			double		y = t.y[r];
			double		w = buf->weighted ? t.chunk->w[t.start + r] : 1.0;

			exact_sum_add(&sum_wy[t.arm], w * y);
			exact_sum_add(&sum_w[t.arm], w);
		}
	}
	for (int32 a = 0; a <= m->n_actions; a++)
		m->arm_outcome_mean[a] = exact_sum_value(&sum_wy[a]) / exact_sum_value(&sum_w[a]);
	pfree(sum_wy);
	pfree(sum_w);
}

/* Grow the forest level by level, reporting each level as a phase. */
static TreeForest *
grow(const TreeData *d, const TreeBins *bins, const TreeParams *par,
	 Progress *progress, const char *what)
{
	TreeDataSummary summary;
	TreeGrower *g;
	TreeStats  *st;
	TreeForest *f;

	tree_data_summary_init(&summary, d->n_arms);
	tree_data_summarize(&summary, d, bins);
	g = tree_grower_create(bins, par, &summary);
	while ((st = tree_grower_level(g)) != NULL)
	{
		if (progress != NULL)
			progress_phase(progress, psprintf("growing %s: level %d of %d",
											  what, tree_grower_depth(g) + 1,
											  par->max_depth));
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
	f = tree_grower_forest(g);
	/* the heads of the meta-learners score their training rows with it */
	tree_forest_prepare(f);
	return f;
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
void
learn_forest_fill_head(UpliftHead *head, TreeForest *f, int64 nrows)
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
learn_forest_bin_options(const LearnSettings *s, TreeBinOptions *opt)
{
	opt->max_bins = s->bins;
	opt->max_levels = TREE_MAX_BINS - 1;
	opt->sample_size = s->bin_sample;
	opt->seed = (uint64) s->seed;
}

void
learn_forest_params(const LearnSettings *s, bool binary, int32 K, int32 p,
					TreeParams *par)
{
	if (K + 1 > TREE_MAX_ARMS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("learner \"forest\" of uplift_fit takes at most %d actions, not %d",
						TREE_MAX_ARMS - 1, K),
				 errhint("Fit a forest per group of actions, or use a meta-learner with base \"forest\".")));
	*par = s->tree;
	par->criterion = (TreeCriterion) learn_forest_criterion(s, binary, K);
	par->max_features = resolved_max_features(par->max_features, p);
}

void
learn_forest_set_head(UpliftModel *m, TreeForest *f, int64 nrows)
{
	m->n_heads = 1;
	m->heads = palloc0(sizeof(UpliftHead));
	m->heads[0].role = UPLIFT_HEAD_ARMS;
	m->heads[0].action = -1;
	learn_forest_fill_head(&m->heads[0], f, nrows);
}

void
learn_forest(const TrainBuf *buf, const LearnSettings *s, UpliftModel *m,
			 const ArmWeights *aw)
{
	RowWalk		w = {0};
	TreeData	d = {0};
	TreeParams	par;
	TreeBins   *bins;

	w.p = buf->p;
	w.nrows = buf->nrows;
	w.buf = buf;
	/* nothing reads the rows after the uplift forest: its last pass frees them */
	w.release = buf->releasable ? unconstify(TrainBuf *, buf) : NULL;
	w.aw = aw;
	w.cols = palloc(sizeof(double *) * Max(buf->p, 1));
	learn_forest_params(s, buf->all_binary, m->n_actions, buf->p, &par);
	if (s->progress != NULL)
		progress_phase(s->progress, "binning the rows");
	bins = walk_tree_data(&w, s, true, &d);
	d.n_arms = m->n_actions + 1;
	learn_forest_set_head(m, grow(&d, bins, &par, s->progress, "the forest"),
						  buf->nrows);
	free_tree_data(&d);
}

void
learn_forest_head_params(const LearnSettings *s, int32 role, int32 d, TreeParams *par)
{
	bool		outcome = role == UPLIFT_HEAD_OUTCOME || role == UPLIFT_HEAD_JOINT;

	*par = s->tree;
	par->max_features = resolved_max_features(par->max_features, d);
	par->criterion = TREE_VARIANCE;
	if (outcome && s->criterion_set)
		par->criterion = s->tree.criterion;
	if (tree_criterion_is_uplift(par->criterion))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("criterion \"%s\" of uplift_fit is an uplift criterion",
						tree_criterion_names[par->criterion]),
				 errhint("The heads of base \"forest\" split with \"variance\", \"gini\" or \"entropy\"; \"%s\" is for learner \"forest\".",
						 tree_criterion_names[par->criterion])));
}

void
learn_forest_head(RowSource *src, const LearnSettings *s, UpliftHead *head,
				  const char *what)
{
	RowWalk		w = {0};
	TreeData	d = {0};
	TreeParams	par;
	TreeBins   *bins;

	w.p = src->d;
	w.nrows = src->nrows;
	w.src = src;
	/* binning takes many passes: a derived outcome is computed once */
	if (src->keep != NULL)
		src->keep(src, true);
	bins = walk_tree_data(&w, s, false, &d);
	if (src->keep != NULL)
		src->keep(src, false);
	d.n_arms = 1;
	learn_forest_head_params(s, head->role, src->d, &par);
	learn_forest_fill_head(head, grow(&d, bins, &par, s->progress, what), src->nrows);
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
