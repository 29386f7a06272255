/*
 * forest_pass.c
 *	  uplift_forest_pass: one pass of one of uplift_fit_query's forests, an
 *	  aggregate with a bounded, mergeable state of type
 *	  uplift_forest_pass_state (see forest_pass.h).
 *
 * The state is an expanded object (aggstate.h).  A level pass codes each
 * row with the forest's bins and buffers it; full buffers, and the buffer
 * when the state is combined, flattened or finalised, are added to the
 * level's statistics a tree at a time (tree_grower_add_rows), so that one
 * tree's statistics stay in cache while the buffered rows stream by.  A
 * sample pass keeps the rows of the smallest key orders, a few more than
 * the sample between compactions, and drops every row past the sample's
 * current cut as it arrives.
 */
#include "uplift.h"

#include <math.h>

#include "miscadmin.h"
#include "utils/memutils.h"

#include "aggstate.h"
#include "arrays.h"
#include "bytes.h"
#include "forest_pass.h"
#include "learn.h"
#include "learn_forest.h"
#include "learn_meta.h"
#include "linalg.h"

#define TYPNAME "uplift_forest_pass_state"
#define AGGNAME "uplift_forest_pass"
#define FOREST_PASS_VERSION 1
#define FOREST_SETUP_VERSION 1

/*
 * Rows buffered before they are added to a level's statistics: about 2 MB of
 * them (p + 21 bytes a row), at least 4,096 and at most 65,536.  The more
 * rows a tree's statistics see while in cache, the faster the pass: from
 * 4,096 rows to 65,536 a pass of 50 trees on 10 features took a fifth less.
 */
#define FOREST_PASS_BUFFER_BYTES (2 * 1024 * 1024)
#define FOREST_PASS_BUFFER_MIN 4096
#define FOREST_PASS_BUFFER_MAX 65536
/* Most rows a sample holds past its size between compactions. */
#define FOREST_SAMPLE_SLACK 65536

typedef struct ForestPass
{
	ForestPassResult r;			/* what the portable form holds */
	MemoryContext cxt;			/* the object's */
	int64		sample_size;
	/* the sample: r.n_sample rows, compacted up to n_compact */
	uint64	   *order;
	int64		cap_sample;
	int64		n_compact;
	bool		full;			/* a compaction kept sample_size keys: */
	uint64		cut;			/* rows of a larger order are dropped */
	/* the setup, once a row has been added */
	bool		has_setup;
	int32		n_features;		/* in a row's feature array */
	bool	   *take;			/* n_arms: the treatments whose rows are taken */
	bool		pooled;			/* the statistics have one arm */
	int			design;			/* FOREST_DESIGN_*: the columns of a row */
	int			derive;			/* FOREST_DERIVE_*: the outcome grown on */
	int32		action;			/* k of a derived outcome */
	double	   *share_inv;		/* n_arms: n / n_a */
	TreeForest *mu_k;			/* the outcome forests a derived outcome reads */
	TreeForest *mu_0;
	bool		weighted;
	double		min_propensity;
	bool	   *use_w;
	double	   *factor;
	uint64		seed;
	TreeGrower *router;
	double	   *x;				/* n_features */
	double	   *z;				/* r.p: the S-learner's design, or NULL */
	/* level kinds: rows coded, not yet in the statistics */
	int			nbuf;
	int			buf_rows;		/* the buffer's capacity */
	uint8	   *codes;
	uint8	   *arm;
	double	   *y;
	double	   *w;
	uint32	   *rowhash;
} ForestPass;

static void
setup_invalid(const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("setup of " AGGNAME " is not valid"),
			 errdetail("%s.", detail),
			 errhint("uplift_forest_pass is called by uplift_fit_query, which makes its setup.")));
}

/* ---- setup ---- */

/* An outcome forest of the setup (tree_forest_get), ready to score. */
static TreeForest *
get_forest(ByteReader *r, int32 p)
{
	TreeForest *f = tree_forest_get(r);

	if (f == NULL)
		return NULL;
	if (f->p != p || f->n_arms != 1)
		setup_invalid("A forest does not predict one outcome from the features");
	tree_forest_prepare(f);		/* scores as fast as uplift_fit's, to the bit */
	return f;
}

/*
 * Format 1 (big-endian): u8 version, u8 kind, i32 features, i32 arms (the
 * treatments 0..arms-1), u8 pooled, u8 design (FOREST_DESIGN_*), u8 derive
 * (FOREST_DERIVE_*), i32 its action, u8 weighted, f64 min_propensity; per
 * arm u8 take, u8 use_w, f64 share_inv (and f64 factor for a level kind);
 * the forests mu_k and mu_0 (tree_forest_put); a sample: i64 sample_size, u64
 * seed; a level kind: the router (tree_grower_write_router).
 */
bytea *
forest_pass_setup(const ForestPassSetup *setup)
{
	StringInfoData buf;

	bytes_begin_bytea(&buf);
	bytes_put_u8(&buf, FOREST_SETUP_VERSION);
	bytes_put_u8(&buf, (uint8) setup->kind);
	bytes_put_i32(&buf, setup->p);
	bytes_put_i32(&buf, setup->n_arms);
	bytes_put_u8(&buf, setup->pooled ? 1 : 0);
	bytes_put_u8(&buf, (uint8) setup->design);
	bytes_put_u8(&buf, (uint8) setup->derive);
	bytes_put_i32(&buf, setup->action);
	bytes_put_u8(&buf, setup->weighted ? 1 : 0);
	bytes_put_f64(&buf, setup->min_propensity);
	for (int32 a = 0; a < setup->n_arms; a++)
	{
		bytes_put_u8(&buf, setup->take[a] ? 1 : 0);
		bytes_put_u8(&buf, setup->use_w[a] ? 1 : 0);
		bytes_put_f64(&buf, setup->share_inv != NULL ? setup->share_inv[a] : 1.0);
		if (setup->kind != FOREST_PASS_SAMPLE)
			bytes_put_f64(&buf, setup->use_w[a] ? setup->factor[a] : 1.0);
	}
	tree_forest_put(&buf, setup->mu_k);
	tree_forest_put(&buf, setup->mu_0);
	if (setup->kind == FOREST_PASS_SAMPLE)
	{
		bytes_put_i64(&buf, setup->sample_size);
		bytes_put_u64(&buf, setup->seed);
	}
	else
		tree_grower_write_router(setup->grower, setup->kind == FOREST_PASS_LEAVES, &buf);
	return bytes_end_bytea(&buf);
}

static ForestPass *
state_new(MemoryContext cxt, int kind, int32 p, int32 n_arms)
{
	ForestPass *st = MemoryContextAllocZero(cxt, sizeof(ForestPass));

	st->cxt = cxt;
	st->r.kind = kind;
	st->r.p = p;
	st->r.n_arms = n_arms;
	if (kind == FOREST_PASS_SAMPLE)
	{
		st->r.binary = true;
		st->r.sum_w = MemoryContextAllocZero(cxt, sizeof(ExactSum) * n_arms);
		st->r.sum_wy = MemoryContextAllocZero(cxt, sizeof(ExactSum) * n_arms);
		st->r.max_w = MemoryContextAllocZero(cxt, sizeof(double) * n_arms);
	}
	return st;
}

/* Room for the sample: sample_size rows and the slack. */
static void
sample_alloc(ForestPass *st, int64 sample_size)
{
	Size		cap;

	st->sample_size = sample_size;
	st->cap_sample = sample_size + Min(sample_size, FOREST_SAMPLE_SLACK);
	cap = (Size) st->cap_sample;
	if ((double) cap * (st->r.p + 2) * sizeof(double) > (double) MaxAllocHugeSize / 2)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("bin_sample of uplift_fit_query is too large for %d features", st->r.p),
				 errhint("Lower option \"bin_sample\".")));
	st->order = MemoryContextAllocHuge(st->cxt, sizeof(uint64) * cap);
	st->r.sample_count = MemoryContextAllocHuge(st->cxt, sizeof(int64) * cap);
	st->r.sample_x = MemoryContextAllocHuge(st->cxt, sizeof(double) * cap * st->r.p);
}

/* Rows buffered for the statistics, and the router's empty block. */
static void
level_alloc(ForestPass *st)
{
	MemoryContext old = MemoryContextSwitchTo(st->cxt);
	int32		p = st->r.p;

	st->buf_rows = (int) Max(FOREST_PASS_BUFFER_MIN,
							 Min(FOREST_PASS_BUFFER_MAX,
								 FOREST_PASS_BUFFER_BYTES / ((Size) p + 21)));
	st->codes = palloc_extended((Size) st->buf_rows * p, MCXT_ALLOC_HUGE);
	st->arm = palloc(st->buf_rows);
	st->y = palloc(sizeof(double) * st->buf_rows);
	st->w = palloc(sizeof(double) * st->buf_rows);
	st->rowhash = palloc(sizeof(uint32) * st->buf_rows);
	if (st->r.stats == NULL)
		st->r.stats = tree_grower_router_stats(st->router, st->r.kind == FOREST_PASS_LEAVES);
	MemoryContextSwitchTo(old);
}

/*
 * Read the setup into st: a new state takes its shape from it; a state
 * read back from its portable form (which holds no setup) must match it.
 */
static void
attach_setup(ForestPass *st, bytea *setup, bool fresh)
{
	ByteReader	r;
	MemoryContext old = MemoryContextSwitchTo(st->cxt);
	int			kind;
	int32		p,
				n_arms,
				columns;
	bool		pooled;
	int			design,
				derive;
	int32		action;

	bytes_reader_init(&r, VARDATA_ANY(setup), VARSIZE_ANY_EXHDR(setup), "setup of " AGGNAME);
	if (VARSIZE_ANY_EXHDR(setup) < 26 || bytes_get_u8(&r) != FOREST_SETUP_VERSION)
		setup_invalid("Unknown format version");
	kind = bytes_get_u8(&r);
	p = bytes_get_i32(&r);
	n_arms = bytes_get_i32(&r);
	pooled = bytes_get_u8(&r) == 1;
	design = bytes_get_u8(&r);
	derive = bytes_get_u8(&r);
	action = bytes_get_i32(&r);
	if (kind > FOREST_PASS_LEAVES || p < 1 || p > UPLIFT_MAX_FEATURES ||
		n_arms < 1 || n_arms > TRAINBUF_MAX_ACTION + 1 ||
		design > FOREST_DESIGN_S || derive > FOREST_DERIVE_DR ||
		((design != FOREST_DESIGN_FEATURES || derive != FOREST_DERIVE_NONE) && !pooled) ||
		(design != FOREST_DESIGN_FEATURES && derive != FOREST_DERIVE_NONE) ||
		(derive != FOREST_DERIVE_NONE && (action < 1 || action >= n_arms)))
		setup_invalid("The kind, features, arms or outcome are out of range");
	columns = design == FOREST_DESIGN_FEATURES ? p :
		uplift_s_design_len(p, n_arms - 1, false);
	if (columns > UPLIFT_MAX_FEATURES)
		setup_invalid("The design has too many columns");
	if (fresh)
		*st = *state_new(st->cxt, kind, columns, n_arms);
	else if (kind != st->r.kind || columns != st->r.p || n_arms != st->r.n_arms)
		setup_invalid("It does not match the state's pass");
	st->n_features = p;
	st->pooled = pooled;
	st->design = design;
	st->derive = derive;
	st->action = action;
	st->weighted = bytes_get_u8(&r) == 1;
	st->min_propensity = bytes_get_f64(&r);
	if (!(st->min_propensity >= 0.0 && st->min_propensity <= 1.0))
		setup_invalid("min_propensity is out of range");
	st->take = palloc(sizeof(bool) * n_arms);
	st->use_w = palloc(sizeof(bool) * n_arms);
	st->share_inv = palloc(sizeof(double) * n_arms);
	st->factor = palloc(sizeof(double) * n_arms);
	for (int32 a = 0; a < n_arms; a++)
	{
		st->take[a] = bytes_get_u8(&r) == 1;
		st->use_w[a] = bytes_get_u8(&r) == 1;
		st->share_inv[a] = bytes_get_f64(&r);
		st->factor[a] = kind == FOREST_PASS_SAMPLE ? 1.0 : bytes_get_f64(&r);
		if (!(st->factor[a] > 0.0 && isfinite(st->factor[a])) ||
			!(st->share_inv[a] >= 1.0 && isfinite(st->share_inv[a])))
			setup_invalid("A weight factor is out of range");
	}
	st->mu_k = get_forest(&r, p);
	st->mu_0 = get_forest(&r, p);
	if ((st->mu_k == NULL) != (derive != FOREST_DERIVE_X_CONTROL && derive != FOREST_DERIVE_DR) ||
		(st->mu_0 == NULL) != (derive != FOREST_DERIVE_X_TREATED && derive != FOREST_DERIVE_DR))
		setup_invalid("The outcome forests do not match the derived outcome");
	st->x = palloc(sizeof(double) * p);
	st->z = design != FOREST_DESIGN_FEATURES ? palloc(sizeof(double) * columns) : NULL;
	if (kind == FOREST_PASS_SAMPLE)
	{
		int64		sample_size = bytes_get_i64(&r);

		st->seed = bytes_get_u64(&r);
		bytes_expect_end(&r);
		if (sample_size < 1 || (!fresh && sample_size != st->sample_size))
			setup_invalid("The sample size is out of range");
		if (fresh)
			sample_alloc(st, sample_size);
	}
	else
	{
		bool		leaves;

		st->router = tree_grower_read_router(&r, &leaves);
		if (leaves != (kind == FOREST_PASS_LEAVES) ||
			tree_grower_bins(st->router)->p != columns)
			setup_invalid("The router does not match the pass");
		level_alloc(st);
		if (st->r.stats->n_arms != (pooled ? 1 : n_arms))
			setup_invalid("The router's arms do not match the pass");
		if (!fresh)
		{
			TreeStats  *empty = tree_grower_router_stats(st->router, kind == FOREST_PASS_LEAVES);

			tree_stats_merge(empty, st->r.stats);	/* checks the shape */
			st->r.stats = empty;
		}
	}
	st->has_setup = true;
	MemoryContextSwitchTo(old);
}

/* ---- rows ---- */

/* Add the buffered rows to the statistics. */
static void
flush_rows(ForestPass *st)
{
	TreeData	d;

	if (st->nbuf == 0)
		return;
	d.n = st->nbuf;
	d.p = st->r.p;
	d.n_arms = st->r.stats->n_arms;
	d.codes = st->codes;
	d.arm = st->arm;
	d.y = st->y;
	d.w = st->w;
	d.rowhash = st->rowhash;
	if (st->r.kind == FOREST_PASS_LEAVES)
		tree_grower_add_leaf_rows(st->router, st->r.stats, &d);
	else
		tree_grower_add_rows(st->router, st->r.stats, &d);
	st->nbuf = 0;
}

static int
cmp_order_index(const void *a, const void *b, void *arg)
{
	const uint64 *order = arg;
	uint64		x = order[*(const int64 *) a],
				y = order[*(const int64 *) b];

	return (x > y) - (x < y);
}

/*
 * Sort the sample by order, merge the rows of one key (adding their
 * counts), keep the sample_size smallest keys and note the cut.
 */
static void
compact_sample(ForestPass *st)
{
	int64		n = st->r.n_sample;
	int32		p = st->r.p;
	int64	   *idx;
	uint64	   *order;
	int64	   *count;
	double	   *x;
	int64		k = 0;

	if (n == st->n_compact)
		return;
	idx = MemoryContextAllocHuge(st->cxt, sizeof(int64) * Max(n, 1));
	for (int64 i = 0; i < n; i++)
		idx[i] = i;
	qsort_arg(idx, n, sizeof(int64), cmp_order_index, st->order);
	order = MemoryContextAllocHuge(st->cxt, sizeof(uint64) * st->cap_sample);
	count = MemoryContextAllocHuge(st->cxt, sizeof(int64) * st->cap_sample);
	x = MemoryContextAllocHuge(st->cxt, sizeof(double) * st->cap_sample * p);
	for (int64 s = 0; s < n; s++)
	{
		int64		i = idx[s];

		if (k > 0 && order[k - 1] == st->order[i])
		{
			count[k - 1] += st->r.sample_count[i];
			continue;
		}
		if (k == st->sample_size)
			break;
		order[k] = st->order[i];
		count[k] = st->r.sample_count[i];
		memcpy(x + k * p, st->r.sample_x + i * p, sizeof(double) * p);
		k++;
	}
	pfree(idx);
	pfree(st->order);
	pfree(st->r.sample_count);
	pfree(st->r.sample_x);
	st->order = order;
	st->r.sample_count = count;
	st->r.sample_x = x;
	st->r.n_sample = st->n_compact = k;
	st->full = k == st->sample_size;
	st->cut = k > 0 ? order[k - 1] : 0;
	CHECK_FOR_INTERRUPTS();
}

/* Add count rows of key order "order" and features x to the sample. */
static void
sample_add(ForestPass *st, uint64 order, int64 count, const double *x)
{
	if (st->full && order > st->cut)
		return;
	if (st->r.n_sample == st->cap_sample)
	{
		compact_sample(st);
		if (st->full && order > st->cut)
			return;
	}
	st->order[st->r.n_sample] = order;
	st->r.sample_count[st->r.n_sample] = count;
	memcpy(st->r.sample_x + st->r.n_sample * st->r.p, x, sizeof(double) * st->r.p);
	st->r.n_sample++;
}

/*
 * The outcome the forest grows on for a row of treatment t, outcome y and
 * inverse propensity w_raw (in a weighted fit): y, or the class
 * transformation's, X-learner's or DR-learner's derived outcome (as
 * learn_meta.c computes it, learn_meta.h), with the row's inverse propensity
 * the logged one or else the inverse of its treatment's share.
 */
static double
derived_outcome(const ForestPass *st, int32 t, double y, double w_raw)
{
	double		ip = st->weighted ? w_raw : st->share_inv[t];
	double		mu_k = 0.0,
				mu_0 = 0.0;

	if (st->mu_k != NULL)
		tree_forest_predict(st->mu_k, st->x, &mu_k);
	if (st->mu_0 != NULL)
		tree_forest_predict(st->mu_0, st->x, &mu_0);
	switch (st->derive)
	{
		case FOREST_DERIVE_CT:
			return learn_ct_outcome(t, ip, y);
		case FOREST_DERIVE_X_CONTROL:
			return mu_k - y;
		case FOREST_DERIVE_X_TREATED:
			return y - mu_0;
		case FOREST_DERIVE_DR:
			return learn_dr_outcome(t, st->action, ip, y, mu_k, mu_0);
		default:
			return y;
	}
}

/*
 * Add a checked row of treatment t, feature values st->x, outcome y and
 * inverse propensity w_raw.  Its columns are the features or the design,
 * its outcome y or the derived one; its weight is its treatment's, and in
 * the statistics it is in its treatment's arm, or in their only arm.  The
 * sums of the sample pass are of the row's own outcome.
 */
static void
add_row(ForestPass *st, int32 t, double y, double w_raw)
{
	int32		p = st->r.p;
	const double *v = st->x;
	double		z;
	uint64		key = learn_forest_key_begin(t);

	if (y == 0.0)
		y = 0.0;				/* -0 is 0, as uplift_fit keeps it */
	z = derived_outcome(st, t, y, w_raw);

	if (st->design != FOREST_DESIGN_FEATURES)
	{
		uplift_s_design_of(st->n_features, st->r.n_arms - 1, false, st->x, t, st->z);
		v = st->z;
	}
	for (int32 j = 0; j < p; j++)
		key = learn_forest_key_add(key, v[j]);
	key = learn_forest_key_add(key, z);
	if (st->use_w[t])
		key = learn_forest_key_add(key, w_raw);
	st->r.nrows++;
	if (st->r.kind == FOREST_PASS_SAMPLE)
	{
		exact_sum_add(&st->r.sum_w[t], w_raw);
		exact_sum_add(&st->r.sum_wy[t], w_raw * y);
		st->r.max_w[t] = Max(st->r.max_w[t], w_raw);
		st->r.max_y = Max(st->r.max_y, fabs(z));
		if (z != 0.0 && z != 1.0)
			st->r.binary = false;
		sample_add(st, tree_bins_sample_order(key, st->seed), 1, v);
		return;
	}
	else
	{
		const TreeBins *bins = tree_grower_bins(st->router);
		uint8	   *codes = st->codes + (Size) st->nbuf * p;

		for (int32 j = 0; j < p; j++)
			codes[j] = tree_bins_code(&bins->feat[j], v[j]);
		st->arm[st->nbuf] = (uint8) (st->pooled ? 0 : t);
		st->y[st->nbuf] = z;
		st->w[st->nbuf] = st->use_w[t] ? w_raw * st->factor[t] : 1.0;
		st->rowhash[st->nbuf] = tree_row_hash(key);
		if (++st->nbuf == st->buf_rows)
			flush_rows(st);
	}
}

static const AggStateType forest_pass_type;

/*
 * uplift_forest_pass_transfn(state, features, treatment, outcome,
 * propensity, setup).  Not strict: a NULL argument is the error uplift_fit
 * gives (the propensity may be NULL when the fit is unweighted).
 */
PG_FUNCTION_INFO_V1(uplift_forest_pass_transfn);
Datum
uplift_forest_pass_transfn(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt = uplift_agg_context(fcinfo, AGGNAME);
	AggStateObject *obj;
	ForestPass *st;
	FeatureArray fa;
	int32		action;
	double		y,
				propensity = 1.0,
				w = 1.0;

	if (PG_ARGISNULL(5))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("setup of " AGGNAME " must not be NULL")));
	for (int i = 1; i <= 3; i++)
		if (PG_ARGISNULL(i))
			learn_null_arg_error(i == 1 ? "features" : i == 2 ? "treatment" : "outcome");
	if (PG_ARGISNULL(0))
	{
		obj = aggstate_object_new(aggcxt, &forest_pass_type);
		st = MemoryContextAllocZero(obj->hdr.eoh_context, sizeof(ForestPass));
		st->cxt = obj->hdr.eoh_context;
		attach_setup(st, PG_GETARG_BYTEA_PP(5), true);
		obj->state = st;
	}
	else
	{
		obj = aggstate_object_arg(fcinfo, 0, &forest_pass_type, aggcxt);
		st = obj->state;
		if (!st->has_setup)
			attach_setup(st, PG_GETARG_BYTEA_PP(5), false);
	}
	uplift_features_open(PG_GETARG_DATUM(1), &fa, "features of uplift_fit");
	uplift_array_check_length("features of uplift_fit", fa.n, st->n_features, st->n_features,
							  "Every row of one fit needs as many features as the first.");
	uplift_features_copy(&fa, st->x, "features of uplift_fit");
	action = PG_GETARG_INT32(2);
	y = PG_GETARG_FLOAT8(3);
	if (st->weighted)
	{
		if (PG_ARGISNULL(4))
			learn_null_arg_error("propensity");
		propensity = PG_GETARG_FLOAT8(4);
	}
	learn_check_row(0, st->weighted, action, y, propensity);
	if (action >= st->r.n_arms)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("query of uplift_fit_query returned other rows in a later pass"),
				 errdetail("Treatment %d was not in the first pass.", action),
				 errhint("The query must return the same rows on every pass: avoid random() and LIMIT without ORDER BY.")));
	if (!st->take[action])
		PG_RETURN_DATUM(AggStateObjectDatum(obj));
	if (st->weighted)
		w = 1.0 / Max(propensity, st->min_propensity);
	add_row(st, action, y, w);
	PG_RETURN_DATUM(AggStateObjectDatum(obj));
}

/* ---- combine ---- */

static void
check_same_pass(const ForestPass *a, const ForestPass *b)
{
	if (a->r.kind != b->r.kind || a->r.p != b->r.p || a->r.n_arms != b->r.n_arms ||
		(a->r.kind == FOREST_PASS_SAMPLE && a->sample_size != b->sample_size))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg(AGGNAME " cannot combine the states of different passes"),
				 errhint("Combine partial states computed with the same setup.")));
}

/* Add b's rows into a (both flushed). */
static void
merge_into(ForestPass *a, const ForestPass *b)
{
	check_same_pass(a, b);
	a->r.nrows += b->r.nrows;
	if (a->r.kind != FOREST_PASS_SAMPLE)
	{
		tree_stats_merge(a->r.stats, b->r.stats);
		return;
	}
	for (int32 k = 0; k < a->r.n_arms; k++)
	{
		exact_sum_merge(&a->r.sum_w[k], &b->r.sum_w[k]);
		exact_sum_merge(&a->r.sum_wy[k], &b->r.sum_wy[k]);
		a->r.max_w[k] = Max(a->r.max_w[k], b->r.max_w[k]);
	}
	a->r.max_y = Max(a->r.max_y, b->r.max_y);
	a->r.binary = a->r.binary && b->r.binary;
	for (int64 i = 0; i < b->r.n_sample; i++)
		sample_add(a, b->order[i], b->r.sample_count[i], b->r.sample_x + i * b->r.p);
}

/* A state without rows shaped like b, in the object's context. */
static ForestPass *
state_empty_like(MemoryContext cxt, const ForestPass *b)
{
	ForestPass *a = state_new(cxt, b->r.kind, b->r.p, b->r.n_arms);

	if (b->r.kind == FOREST_PASS_SAMPLE)
		sample_alloc(a, b->sample_size);
	else
	{
		const TreeStats *s = b->r.stats;
		MemoryContext old = MemoryContextSwitchTo(cxt);

		a->r.stats = tree_stats_create(s->n_slots, s->n_feat, s->n_codes, s->n_arms,
									   MaxAllocHugeSize);
		MemoryContextSwitchTo(old);
	}
	return a;
}

/*
 * Not strict: a NULL side (a part without rows) gives the other.  The first
 * argument is changed in place when the aggregate owns it; the rows either
 * side still buffers are added to its statistics first.
 */
PG_FUNCTION_INFO_V1(uplift_forest_pass_combinefn);
Datum
uplift_forest_pass_combinefn(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt = uplift_agg_context(fcinfo, AGGNAME "_combinefn");
	AggStateObject *obj;
	ForestPass *a;
	ForestPass *b;

	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
	b = aggstate_object_view(fcinfo, 1, &forest_pass_type);
	flush_rows(b);
	if (PG_ARGISNULL(0))
	{
		obj = aggstate_object_new(aggcxt, &forest_pass_type);
		obj->state = a = state_empty_like(obj->hdr.eoh_context, b);
	}
	else
	{
		obj = aggstate_object_arg(fcinfo, 0, &forest_pass_type, aggcxt);
		a = obj->state;
		flush_rows(a);
	}
	merge_into(a, b);
	PG_RETURN_DATUM(AggStateObjectDatum(obj));
}

/* The result: the state's portable form. */
PG_FUNCTION_INFO_V1(uplift_forest_pass_finalfn);
Datum
uplift_forest_pass_finalfn(PG_FUNCTION_ARGS)
{
	ForestPass *st = aggstate_object_view(fcinfo, 0, &forest_pass_type);

	PG_RETURN_BYTEA_P(forest_pass_type.write(st));
}

/* ---- portable form ---- */

/*
 * Format 1 (big-endian, src/bytes.h): u8 version, u8 kind, i32 p, i32 arms,
 * i64 rows; a sample: i64 sample_size, per arm the exact sums of w and w y
 * and f64 largest w, f64 largest |outcome|, u8 1 if every outcome is 0 or
 * 1, i64 keys, per key u64 order,
 * i64 rows, p f64 features (in increasing order); a level: its statistics
 * (tree_stats_serialize).  The buffered rows are added to the statistics,
 * and the sample compacted, before it is written.
 */
static bytea *
state_write(const void *value)
{
	ForestPass *st = unconstify(ForestPass *, (const ForestPass *) value);
	StringInfoData buf;

	if (st->r.kind == FOREST_PASS_SAMPLE)
		compact_sample(st);
	else
		flush_rows(st);
	bytes_begin_bytea(&buf);
	bytes_put_u8(&buf, FOREST_PASS_VERSION);
	bytes_put_u8(&buf, (uint8) st->r.kind);
	bytes_put_i32(&buf, st->r.p);
	bytes_put_i32(&buf, st->r.n_arms);
	bytes_put_i64(&buf, st->r.nrows);
	if (st->r.kind != FOREST_PASS_SAMPLE)
	{
		tree_stats_serialize(&buf, st->r.stats);
		return bytes_end_bytea(&buf);
	}
	bytes_put_i64(&buf, st->sample_size);
	for (int32 a = 0; a < st->r.n_arms; a++)
	{
		exact_sum_write(&buf, &st->r.sum_w[a]);
		exact_sum_write(&buf, &st->r.sum_wy[a]);
		bytes_put_f64(&buf, st->r.max_w[a]);
	}
	bytes_put_f64(&buf, st->r.max_y);
	bytes_put_u8(&buf, st->r.binary ? 1 : 0);
	bytes_put_i64(&buf, st->r.n_sample);
	for (int64 i = 0; i < st->r.n_sample; i++)
	{
		CHECK_FOR_INTERRUPTS();
		bytes_put_u64(&buf, st->order[i]);
		bytes_put_i64(&buf, st->r.sample_count[i]);
		bytes_put_f64s(&buf, st->r.sample_x + i * st->r.p, st->r.p);
	}
	return bytes_end_bytea(&buf);
}

static void
state_invalid(int code, const char *detail)
{
	aggstate_invalid(TYPNAME, code, detail);
}

static void
read_sample(ByteReader *r, ForestPass *st, int code)
{
	int64		n;
	int32		p = st->r.p;
	uint8		binary;

	sample_alloc(st, bytes_get_i64(r));
	for (int32 a = 0; a < st->r.n_arms; a++)
	{
		exact_sum_read(r, &st->r.sum_w[a]);
		exact_sum_read(r, &st->r.sum_wy[a]);
		st->r.max_w[a] = bytes_get_f64(r);
		if (!(st->r.max_w[a] >= 0.0) || !isfinite(st->r.max_w[a]))
			state_invalid(code, "A largest weight is out of range");
	}
	st->r.max_y = bytes_get_f64(r);
	binary = bytes_get_u8(r);
	n = bytes_get_i64(r);
	if (binary > 1)
		state_invalid(code, "The outcomes' flag is out of range");
	st->r.binary = binary == 1;
	if (!(st->r.max_y >= 0.0) || !isfinite(st->r.max_y) || n < 0 || n > st->sample_size ||
		n > st->r.nrows || (double) n * (p + 2) * 8 != (double) (r->len - r->pos))
		state_invalid(code, "The sample is out of range");
	for (int64 i = 0; i < n; i++)
	{
		st->order[i] = bytes_get_u64(r);
		st->r.sample_count[i] = bytes_get_i64(r);
		bytes_get_f64s(r, st->r.sample_x + i * p, p);
		if ((i > 0 && st->order[i] <= st->order[i - 1]) || st->r.sample_count[i] < 1 ||
			!linalg_all_finite(st->r.sample_x + i * p, p))
			state_invalid(code, "A row of the sample is out of range");
	}
	st->r.n_sample = st->n_compact = n;
	st->full = n == st->sample_size;
	st->cut = n > 0 ? st->order[n - 1] : 0;
}

static void *
state_read(const char *data, Size len, int code)
{
	ByteReader	r;
	int			kind;
	int32		p,
				n_arms;
	ForestPass *st;

	bytes_reader_init(&r, data, len, TYPNAME);
	if (len < 18 || bytes_get_u8(&r) != FOREST_PASS_VERSION)
		state_invalid(code, "Unknown format version");
	kind = bytes_get_u8(&r);
	p = bytes_get_i32(&r);
	n_arms = bytes_get_i32(&r);
	if (kind > FOREST_PASS_LEAVES || p < 1 || p > UPLIFT_MAX_FEATURES ||
		n_arms < 1 || n_arms > TRAINBUF_MAX_ACTION + 1)
		state_invalid(code, "The kind, features or arms are out of range");
	st = state_new(CurrentMemoryContext, kind, p, n_arms);
	st->r.nrows = bytes_get_i64(&r);
	if (st->r.nrows < 0)
		state_invalid(code, "The row count is out of range");
	if (kind == FOREST_PASS_SAMPLE)
	{
		read_sample(&r, st, code);
		bytes_expect_end(&r);
	}
	else
	{
		st->r.stats = tree_stats_deserialize(&r, MaxAllocHugeSize);
		if ((st->r.stats->n_arms != n_arms && st->r.stats->n_arms != 1) ||
			(kind == FOREST_PASS_LEAVES && (st->r.stats->n_feat != 1 || st->r.stats->n_codes != 1)) ||
			(kind == FOREST_PASS_LEVEL && st->r.stats->n_feat > p))
			state_invalid(code, "The statistics do not match the arms and features");
	}
	return st;
}

static const AggStateType forest_pass_type = {TYPNAME, state_write, state_read};

ForestPassResult *
forest_pass_read(bytea *result)
{
	ForestPass *st = state_read(VARDATA_ANY(result), VARSIZE_ANY_EXHDR(result),
								ERRCODE_DATA_CORRUPTED);

	return &st->r;
}

PG_FUNCTION_INFO_V1(uplift_forest_pass_state_in);
Datum
uplift_forest_pass_state_in(PG_FUNCTION_ARGS)
{
	return aggstate_object_in(fcinfo, &forest_pass_type);
}

PG_FUNCTION_INFO_V1(uplift_forest_pass_state_out);
Datum
uplift_forest_pass_state_out(PG_FUNCTION_ARGS)
{
	return aggstate_object_out(fcinfo, &forest_pass_type);
}

PG_FUNCTION_INFO_V1(uplift_forest_pass_state_recv);
Datum
uplift_forest_pass_state_recv(PG_FUNCTION_ARGS)
{
	return aggstate_object_recv(fcinfo, &forest_pass_type);
}

PG_FUNCTION_INFO_V1(uplift_forest_pass_state_send);
Datum
uplift_forest_pass_state_send(PG_FUNCTION_ARGS)
{
	return aggstate_object_send(fcinfo, &forest_pass_type);
}
