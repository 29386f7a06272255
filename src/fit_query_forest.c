/*
 * fit_query_forest.c
 *	  The forests of uplift_fit_query (see fit_query.h): the uplift forest
 *	  and the T- and S-learners' forest heads, grown level by level, each level one
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
 * The T-learner grows a forest per treatment so, each pass taking the rows
 * of that treatment alone; the S-learner grows one over the design of
 * every row (its features and treatment indicators), which each pass
 * computes.
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

/* The state of a fit between passes. */
typedef struct ForestRun
{
	const FitQuery *fq;
	char	   *call;			/* the aggregate call over q.* and $1 */
	ForestPassSetup setup;
	int32		columns;		/* of the rows the forest sees */
	int64		nrows;
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
 * their factor: multiplying by a positive factor keeps the order).  Arm a
 * of the pass is treatment first + a; over the S-learner's design the
 * grower sees one arm.
 */
static void
arms_from_sample(ForestRun *run, const ForestPassResult *r, const LearnState *st,
				 UpliftModel *m, TreeDataSummary *ds)
{
	int32		n_arms = run->setup.n_arms;
	int32		first = Max(run->setup.arm, 0);
	double	   *factor = palloc(sizeof(double) * n_arms);

	bool		pooled = run->setup.design != FOREST_DESIGN_FEATURES;

	tree_data_summary_init(ds, pooled ? 1 : n_arms);
	ds->n = run->nrows;
	ds->max_y = r->max_y;
	ds->binary = r->binary;
	for (int32 a = 0; a < n_arms; a++)
	{
		int32		t = first + a;
		int64		rows = st->buf->arms[t].nrows;
		double		sw = exact_sum_value(&r->sum_w[a]);

		factor[a] = 1.0;
		if (run->setup.use_w[a])
		{
			learn_check_weight_total(sw, t);
			factor[a] = learn_forest_weight_factor(rows, &r->sum_w[a]);
		}
		ds->arm_rows[pooled ? 0 : a] += rows;
		ds->max_w = Max(ds->max_w, run->setup.use_w[a] ? r->max_w[a] * factor[a] : 1.0);
		m->arm_rows[t] = rows;
		m->arm_outcome_mean[t] = exact_sum_value(&r->sum_wy[a]) / sw;
		if (!isfinite(m->arm_outcome_mean[t]))
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("outcome of uplift_fit is too large: the %s of treatment %d sum beyond double precision",
							run->setup.weighted ? "outcomes times 1/propensity" : "outcomes", t),
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
static TreeForest *
grow(ForestRun *run, TreeGrower *g)
{
	MemoryContext pass_cxt = AllocSetContextCreate(CurrentMemoryContext, "forest pass",
												   ALLOCSET_DEFAULT_SIZES);
	TreeStats  *blk;

	run->setup.grower = g;
	while ((blk = tree_grower_level(g)) != NULL)
	{
		pass_into(run, FOREST_PASS_LEVEL, blk, pass_cxt);
		tree_grower_split(g, blk);
	}
	if ((blk = tree_grower_leaves(g)) != NULL)
	{
		pass_into(run, FOREST_PASS_LEAVES, blk, pass_cxt);
		tree_grower_set_leaves(g, blk);
	}
	MemoryContextDelete(pass_cxt);
	return tree_grower_forest(g);
}

/*
 * The passes of one forest over the arms the setup names (all, or one
 * treatment's rows): the sample, the bins, the levels, the honest leaves.
 */
static TreeForest *
grow_forest(ForestRun *run, const LearnState *st, const LearnSettings *settings,
			const TreeParams *par, UpliftModel *m)
{
	TreeBinOptions bin_opt;
	TreeDataSummary ds;
	ForestPassResult *sample;
	TreeBins   *bins;

	learn_forest_bin_options(settings, &bin_opt);
	run->setup.sample_size = bin_opt.sample_size;
	run->setup.seed = bin_opt.seed;
	sample = run_pass(run, FOREST_PASS_SAMPLE);
	arms_from_sample(run, sample, st, m, &ds);
	bins = tree_bins_build_sample(sample->sample_x, sample->sample_count,
								  sample->n_sample, run->columns, NULL, &bin_opt);
	return grow(run, tree_grower_create(bins, par, &ds));
}

/* Which arms are weighted by their inverse propensities, as uplift_fit says. */
static bool *
weighted_arms(const TrainBuf *buf)
{
	bool	   *use_w = palloc0(sizeof(bool) * buf->n_arms);

	for (int32 a = 0; a < buf->n_arms; a++)
		use_w[a] = buf->weighted && buf->arms[a].prop_min < buf->arms[a].prop_max;
	return use_w;
}

/* The T-learner's heads: a forest per treatment, over its rows alone. */
static void
grow_t_heads(ForestRun *run, const LearnState *st, const LearnSettings *settings,
			 const bool *use_w, UpliftModel *m)
{
	TreeParams	par;

	/* the options are checked before the first pass */
	learn_forest_head_params(settings, UPLIFT_HEAD_OUTCOME, run->setup.p, &par);
	m->n_heads = m->n_actions + 1;
	m->heads = palloc0(sizeof(UpliftHead) * m->n_heads);
	run->setup.n_arms = 1;
	run->setup.design = FOREST_DESIGN_FEATURES;
	run->columns = run->setup.p;
	for (int32 a = 0; a <= m->n_actions; a++)
	{
		UpliftHead *head = &m->heads[a];

		run->setup.arm = a;
		run->setup.use_w = &use_w[a];
		run->nrows = st->buf->arms[a].nrows;
		head->role = UPLIFT_HEAD_OUTCOME;
		head->action = a;
		learn_forest_fill_head(head, grow_forest(run, st, settings, &par, m), run->nrows);
	}
}

/* The S-learner's head: one forest over the design of every row. */
static void
grow_s_head(ForestRun *run, const LearnState *st, const LearnSettings *settings,
			const bool *use_w, UpliftModel *m)
{
	TreeParams	par;

	Assert(!m->interactions);	/* a forest finds them itself */
	run->columns = uplift_s_design_len(run->setup.p, m->n_actions, false);
	learn_forest_head_params(settings, UPLIFT_HEAD_JOINT, run->columns, &par);
	m->n_heads = 1;
	m->heads = palloc0(sizeof(UpliftHead));
	m->heads[0].role = UPLIFT_HEAD_JOINT;
	m->heads[0].action = -1;
	run->setup.arm = -1;
	run->setup.n_arms = m->n_actions + 1;
	run->setup.design = FOREST_DESIGN_S;
	run->setup.use_w = use_w;
	run->nrows = st->buf->nrows;
	learn_forest_fill_head(&m->heads[0], grow_forest(run, st, settings, &par, m), run->nrows);
}

bytea *
fit_query_forest(const FitQuery *fq, Jsonb *opts)
{
	ForestRun	run;
	LearnState *st;
	LearnSettings settings;
	UpliftModel *m;
	TreeParams	par;
	bool	   *use_w;

	memset(&run, 0, sizeof(run));
	run.fq = fq;
	run.call = fit_query_call(fq, "uplift_forest_pass");
	st = fit_query_summary(fq, opts);
	if (st->settings.learner != UPLIFT_LEARNER_FOREST &&
		st->settings.learner != UPLIFT_LEARNER_T &&
		st->settings.learner != UPLIFT_LEARNER_S)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("uplift_fit_query cannot grow base \"forest\" for learner \"%s\" yet",
						uplift_learner_name(st->settings.learner)),
				 errhint("Fit it with uplift_fit, or use learner \"t_learner\", \"s_learner\" or \"forest\".")));
	settings = st->settings;
	m = learn_fit_header(st, &settings);
	use_w = weighted_arms(st->buf);
	run.setup.p = st->buf->p;
	run.setup.weighted = st->buf->weighted;
	run.setup.min_propensity = settings.min_propensity;
	if (settings.learner == UPLIFT_LEARNER_T)
		grow_t_heads(&run, st, &settings, use_w, m);
	else if (settings.learner == UPLIFT_LEARNER_S)
		grow_s_head(&run, st, &settings, use_w, m);
	else
	{
		learn_forest_params(&settings, st->buf->all_binary, m->n_actions, run.setup.p, &par);
		run.setup.arm = -1;
		run.setup.design = FOREST_DESIGN_FEATURES;
		run.columns = run.setup.p;
		run.setup.n_arms = m->n_actions + 1;
		run.setup.use_w = use_w;
		run.nrows = st->buf->nrows;
		learn_forest_set_head(m, grow_forest(&run, st, &settings, &par, m), run.nrows);
	}
	learn_model_check(m);
	return uplift_model_serialize(m);
}
