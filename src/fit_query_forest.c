/*
 * fit_query_forest.c
 *	  The forests of uplift_fit_query (see fit_query.h): the uplift forest
 *	  and the meta-learners' forest heads, grown level by level, each level one
 *	  pass (a pass per block of trees when a level's statistics come in
 *	  several blocks) of the aggregate uplift_forest_pass (forest_pass.h)
 *	  over the caller's query.
 *
 * The first pass summarises the arms (fit_query_summary), from which the
 * fit takes every decision uplift_fit takes before it grows (the arms, the
 * criterion, the model's header) and which arms are weighted by inverse
 * propensities.  The sample pass gives the exact sums of each arm's weights
 * and weighted outcomes (its weight factor and outcome mean), the largest
 * weight and outcome (the statistics' grids) and the bin sample, from which
 * the bins are cut.  Then every block of every level is a pass, and with
 * honest estimation one more pass sums the leaves.  The leader holds the
 * growing trees and one block of statistics; no process holds the rows.
 * The meta-learners with base "forest" grow each head so, a forest at a
 * time (learn_ts.c, learn_meta.c): each pass takes the rows of the head's
 * treatments and computes the head's columns (the features, or the
 * S-learner's design) and outcome (the row's, or the class
 * transformation's, or the X- or DR-learner's derived from the outcome
 * forests grown before, which the setup carries).
 *
 * A row's key is the hash of its contents, as in uplift_fit; uplift_fit
 * tells identical rows apart by their rank among their copies, which a pass
 * over a partition cannot know, so here identical rows share a key (and so
 * their bootstrap draws and their place in the bin sample).  On rows that
 * are all distinct the forest is uplift_fit's, byte for byte.
 */
#include "uplift.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "utils/memutils.h"

#include "fit_query.h"
#include "forest_pass.h"
#include "learn.h"
#include "learn_forest.h"
#include "learn_meta.h"

/*
 * Most bytes of one block of a level's statistics: each block is a pass of
 * the query, so blocks are larger than uplift_fit's (tree_grow.h).
 */
#define FOREST_QUERY_BLOCK_BYTES ((Size) 16 * 1024 * 1024)

/* The state of a fit between passes. */
typedef struct ForestRun
{
	const FitQuery *fq;
	char	   *call;			/* the aggregate call over q.* and $1 */
	const LearnState *st;		/* the summary: arms, their rows */
	const LearnSettings *settings;
	UpliftModel *m;				/* the model being grown */
	bool	   *aw_use;			/* the arms uplift_fit weighs by 1/propensity */
	bool	   *no_w;			/* no arm weighted */
	bool	   *all;			/* every arm taken */
	ForestPassSetup setup;		/* the next pass's */
	int32		columns;		/* of the rows the forest sees */
	int64		nrows;			/* rows of the arms taken */
	const char *what;			/* the forest, for progress reports */
} ForestRun;

static void
other_rows_error(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_DATA_EXCEPTION),
			 errmsg("query of uplift_fit_query returned other rows in a later pass"),
			 errhint("The query must return the same rows on every pass: avoid random() and LIMIT without ORDER BY.")));
}

/* Run one pass of the kind the setup says; its result, read. */
static ForestPassResult *
run_pass(ForestRun *run, int kind)
{
	Oid			argtype = BYTEAOID;
	Datum		arg;
	Datum		res;
	bool		isnull;
	ForestPassResult *r;

	run->setup.kind = kind;
	arg = PointerGetDatum(forest_pass_setup(&run->setup));
	res = fit_query_pass(run->fq, run->call, 1, &argtype, &arg, &isnull);
	pfree(DatumGetPointer(arg));
	if (isnull)
		other_rows_error();
	r = forest_pass_read(DatumGetByteaPP(res));
	pfree(DatumGetPointer(res));
	if (r->nrows != run->nrows || r->kind != kind || r->p != run->columns ||
		r->n_arms != run->setup.n_arms)
		other_rows_error();
	return r;
}

/*
 * From the sample pass: each arm's weight factor and outcome mean, and the
 * summary the grower needs (the largest weight is that of the rows after
 * their factor: multiplying by a positive factor keeps the order).  A
 * forest head's grower sees one arm.
 */
static void
arms_from_sample(ForestRun *run, const ForestPassResult *r, TreeDataSummary *ds)
{
	const ForestPassSetup *setup = &run->setup;
	const TrainBuf *buf = run->st->buf;
	double	   *factor = palloc(sizeof(double) * setup->n_arms);

	tree_data_summary_init(ds, setup->pooled ? 1 : setup->n_arms);
	ds->n = run->nrows;
	ds->max_y = r->max_y;
	ds->binary = r->binary;
	for (int32 a = 0; a < setup->n_arms; a++)
	{
		int64		rows = buf->arms[a].nrows;
		double		sw = exact_sum_value(&r->sum_w[a]);

		factor[a] = 1.0;
		if (!setup->take[a])
			continue;
		if (setup->use_w[a])
		{
			learn_check_weight_total(sw, a);
			factor[a] = learn_forest_weight_factor(rows, &r->sum_w[a]);
		}
		ds->arm_rows[setup->pooled ? 0 : a] += rows;
		ds->max_w = Max(ds->max_w, setup->use_w[a] ? r->max_w[a] * factor[a] : 1.0);
		run->m->arm_rows[a] = rows;
		run->m->arm_outcome_mean[a] = exact_sum_value(&r->sum_wy[a]) / sw;
		if (!isfinite(run->m->arm_outcome_mean[a]))
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("outcome of uplift_fit is too large: the %s of treatment %d sum beyond double precision",
							setup->weighted ? "outcomes times 1/propensity" : "outcomes", a),
					 errhint("Rescale the outcome (for example to thousands).")));
	}
	run->setup.factor = factor;
}

/* Run a pass of this kind and add its statistics into block blk. */
static void
pass_into(ForestRun *run, int kind, TreeStats *blk, MemoryContext pass_cxt)
{
	MemoryContext old = MemoryContextSwitchTo(pass_cxt);
	ForestPassResult *r = run_pass(run, kind);

	MemoryContextSwitchTo(old);
	tree_stats_merge(blk, r->stats);
	MemoryContextReset(pass_cxt);
}

/* Grow every level, then the honest leaves, a pass per block. */
static void
grow(ForestRun *run, TreeGrower *g)
{
	MemoryContext pass_cxt = AllocSetContextCreate(CurrentMemoryContext, "forest pass",
												   ALLOCSET_DEFAULT_SIZES);
	TreeStats  *blk;

	run->setup.grower = g;
	while ((blk = tree_grower_level(g)) != NULL)
	{
		fit_query_task(run->fq, psprintf("growing %s: level %d of %d", run->what,
										 tree_grower_depth(g) + 1, run->settings->tree.max_depth));
		pass_into(run, FOREST_PASS_LEVEL, blk, pass_cxt);
		tree_grower_split(g, blk);
	}
	if ((blk = tree_grower_leaves(g)) != NULL)
	{
		fit_query_task(run->fq, psprintf("growing %s: honest leaves", run->what));
		pass_into(run, FOREST_PASS_LEAVES, blk, pass_cxt);
		tree_grower_set_leaves(g, blk);
	}
	MemoryContextDelete(pass_cxt);
}

/* The columns of the rows the next forest sees: the features, or the design. */
static int32
forest_columns(const ForestRun *run)
{
	return run->setup.design == FOREST_DESIGN_S ?
		uplift_s_design_len(run->setup.p, run->m->n_actions, false) : run->setup.p;
}

/*
 * The passes of one forest over the rows the setup takes: the sample, the
 * bins, the levels, the honest leaves.  The sample is freed once the bins
 * are cut, and the grower once the forest is made, so that a fit of many
 * forests holds one forest's working memory at a time.
 */
static TreeForest *
grow_forest(ForestRun *run, const TreeParams *par)
{
	MemoryContext outer = CurrentMemoryContext;
	MemoryContext work = AllocSetContextCreate(outer, "forest over passes",
											   ALLOCSET_DEFAULT_SIZES);
	MemoryContext sample_cxt = AllocSetContextCreate(work, "forest sample pass",
													 ALLOCSET_DEFAULT_SIZES);
	TreeBinOptions bin_opt;
	TreeDataSummary ds;
	ForestPassResult *sample;
	TreeBins   *bins;
	TreeGrower *g;
	TreeForest *f;

	run->nrows = 0;
	for (int32 a = 0; a < run->setup.n_arms; a++)
		if (run->setup.take[a])
			run->nrows += run->st->buf->arms[a].nrows;
	run->columns = forest_columns(run);
	learn_forest_bin_options(run->settings, &bin_opt);
	run->setup.sample_size = bin_opt.sample_size;
	run->setup.seed = bin_opt.seed;
	MemoryContextSwitchTo(sample_cxt);
	fit_query_task(run->fq, psprintf("binning %s", run->what));
	sample = run_pass(run, FOREST_PASS_SAMPLE);
	MemoryContextSwitchTo(work);
	arms_from_sample(run, sample, &ds);
	bins = tree_bins_build_sample(sample->sample_x, sample->sample_count,
								  sample->n_sample, run->columns, NULL, &bin_opt);
	MemoryContextDelete(sample_cxt);
	g = tree_grower_create(bins, par, &ds);
	tree_grower_set_block_bytes(g, FOREST_QUERY_BLOCK_BYTES);
	grow(run, g);
	MemoryContextSwitchTo(outer);
	f = tree_grower_forest(g);
	MemoryContextDelete(work);
	run->setup.factor = NULL;
	run->setup.grower = NULL;
	return f;
}

/*
 * A forest head of this role and action over the rows of the treatments in
 * take, weighted as use_w says, of the outcome the setup's design and
 * derive say (set by the caller).
 */
static void
grow_head(ForestRun *run, UpliftHead *head, int32 role, int32 action,
		  const bool *take, const bool *use_w, const char *what)
{
	TreeParams	par;
	TreeForest *f;

	learn_forest_head_params(run->settings, role, forest_columns(run), &par);
	run->setup.pooled = true;
	run->setup.take = take;
	run->setup.use_w = use_w;
	run->what = what;
	head->role = role;
	head->action = action;
	f = grow_forest(run, &par);	/* sets run->nrows */
	learn_forest_fill_head(head, f, run->nrows);
	run->setup.design = FOREST_DESIGN_FEATURES;
	run->setup.derive = FOREST_DERIVE_NONE;
	run->setup.mu_k = run->setup.mu_0 = NULL;
}

/* The outcome heads 0..K: a forest per treatment, over its rows alone. */
static void
grow_outcome_heads(ForestRun *run, const bool *use_w)
{
	bool	   *take = palloc(sizeof(bool) * run->setup.n_arms);

	for (int32 a = 0; a < run->setup.n_arms; a++)
	{
		memset(take, 0, sizeof(bool) * run->setup.n_arms);
		take[a] = true;
		grow_head(run, &run->m->heads[a], UPLIFT_HEAD_OUTCOME, a, take, use_w,
				  psprintf("the forest of treatment %d", a));
	}
}

/* The X-learner's effect heads of each action k (learn_x). */
static void
grow_x_effects(ForestRun *run)
{
	UpliftModel *m = run->m;
	int32		K = m->n_actions;
	bool	   *take = palloc(sizeof(bool) * (K + 1));

	m->mix = palloc(sizeof(double) * K);
	for (int32 k = 1; k <= K; k++)
	{
		UpliftHead *h0 = &m->heads[K + 1 + 2 * (k - 1)];

		memset(take, 0, sizeof(bool) * (K + 1));
		take[0] = true;
		run->setup.derive = FOREST_DERIVE_X_CONTROL;
		run->setup.action = k;
		run->setup.mu_k = m->heads[k].forest;
		grow_head(run, h0, UPLIFT_HEAD_EFFECT_CONTROL, k, take, run->aw_use,
				  psprintf("the control effect forest of treatment %d", k));

		take[0] = false;
		take[k] = true;
		run->setup.derive = FOREST_DERIVE_X_TREATED;
		run->setup.mu_0 = m->heads[0].forest;
		grow_head(run, h0 + 1, UPLIFT_HEAD_EFFECT, k, take, run->aw_use,
				  psprintf("the effect forest of treatment %d", k));

		m->mix[k - 1] = (double) m->arm_rows[k] / (double) (m->arm_rows[k] + m->arm_rows[0]);
	}
}

/* The DR-learner's effect heads, over every row, unweighted (learn_dr). */
static void
grow_dr_effects(ForestRun *run)
{
	UpliftModel *m = run->m;

	for (int32 k = 1; k <= m->n_actions; k++)
	{
		run->setup.derive = FOREST_DERIVE_DR;
		run->setup.action = k;
		run->setup.mu_k = m->heads[k].forest;
		run->setup.mu_0 = m->heads[0].forest;
		grow_head(run, &m->heads[m->n_actions + k], UPLIFT_HEAD_EFFECT, k, run->all, run->no_w,
				  psprintf("the effect forest of treatment %d", k));
	}
}

/* Room for the n heads of m. */
static void
heads_alloc(UpliftModel *m, int32 n)
{
	m->n_heads = n;
	m->heads = palloc0(sizeof(UpliftHead) * n);
}

/* The heads of learner m->learner, each a forest grown over passes. */
static void
grow_heads(ForestRun *run)
{
	UpliftModel *m = run->m;
	int32		K = m->n_actions;

	switch (m->learner)
	{
		case UPLIFT_LEARNER_T:
			heads_alloc(m, K + 1);
			grow_outcome_heads(run, run->aw_use);
			break;
		case UPLIFT_LEARNER_X:
			heads_alloc(m, (K + 1) + 2 * K);
			grow_outcome_heads(run, run->aw_use);
			grow_x_effects(run);
			break;
		case UPLIFT_LEARNER_DR:
			heads_alloc(m, (K + 1) + K);
			grow_outcome_heads(run, run->no_w);
			grow_dr_effects(run);
			break;
		case UPLIFT_LEARNER_S:
			Assert(!m->interactions);	/* a forest finds them itself */
			heads_alloc(m, 1);
			run->setup.design = FOREST_DESIGN_S;
			grow_head(run, &m->heads[0], UPLIFT_HEAD_JOINT, -1, run->all, run->aw_use,
					  "the s_learner forest");
			break;
		case UPLIFT_LEARNER_CLASS_TRANSFORM:
			heads_alloc(m, 1);
			run->setup.derive = FOREST_DERIVE_CT;
			run->setup.action = 1;
			grow_head(run, &m->heads[0], UPLIFT_HEAD_TRANSFORMED, 1, run->all, run->no_w,
					  "the class_transform forest");
			break;
		default:
			elog(ERROR, "unexpected learner code %d", m->learner);
	}
}

bytea *
fit_query_forest(const FitQuery *fq, Jsonb *opts)
{
	ForestRun	run;
	LearnState *st;
	LearnSettings settings;
	const TrainBuf *buf;
	int32		n_arms;

	memset(&run, 0, sizeof(run));
	run.fq = fq;
	run.call = fit_query_call(fq, "uplift_forest_pass");
	st = fit_query_summary(fq, opts);
	settings = st->settings;
	run.st = st;
	run.settings = &settings;
	run.m = learn_fit_header(st, &settings);
	buf = st->buf;
	n_arms = run.m->n_actions + 1;
	run.aw_use = palloc0(sizeof(bool) * n_arms);
	run.no_w = palloc0(sizeof(bool) * n_arms);
	run.all = palloc(sizeof(bool) * n_arms);
	for (int32 a = 0; a < n_arms; a++)
	{
		run.aw_use[a] = learn_weighs_arm(buf->weighted, buf->arms[a].nrows,
										 buf->arms[a].prop_min, buf->arms[a].prop_max);
		run.all[a] = true;
	}
	run.setup.p = buf->p;
	run.setup.n_arms = n_arms;
	run.setup.weighted = buf->weighted;
	run.setup.min_propensity = settings.min_propensity;
	run.setup.share_inv = learn_share_inverse(buf, n_arms);
	if (settings.learner == UPLIFT_LEARNER_FOREST)
	{
		TreeParams	par;

		learn_forest_params(&settings, buf->all_binary, run.m->n_actions, buf->p, &par);
		run.setup.take = run.all;
		run.setup.use_w = run.aw_use;
		run.what = "the uplift forest";
		learn_forest_set_head(run.m, grow_forest(&run, &par), buf->nrows);
	}
	else
		grow_heads(&run);
	learn_model_check(run.m);
	return uplift_model_serialize(run.m);
}
