/*
 * fit_query_forest.c
 *	  The uplift forest of uplift_fit_query (see fit_query.h), grown level by
 *	  level, each level one pass (a pass per block of trees when a level's
 *	  statistics come in several blocks) of the aggregate uplift_forest_pass
 *	  (forest_pass.h) over the caller's query.
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
	if (r->nrows != run->nrows || r->kind != kind || r->p != run->setup.p ||
		r->n_arms != run->setup.n_arms)
		other_rows_error();
	return r;
}

/*
 * From the sample pass: each arm's weight factor and outcome mean, and the
 * summary the grower needs (the largest weight is that of the rows after
 * their factor: multiplying by a positive factor keeps the order).
 */
static void
arms_from_sample(ForestRun *run, const ForestPassResult *r, const LearnState *st,
				 UpliftModel *m, TreeDataSummary *ds)
{
	int32		n_arms = run->setup.n_arms;
	double	   *factor = palloc(sizeof(double) * n_arms);

	tree_data_summary_init(ds, n_arms);
	ds->n = run->nrows;
	ds->max_y = r->max_y;
	ds->binary = st->buf->all_binary;
	for (int32 a = 0; a < n_arms; a++)
	{
		int64		rows = st->buf->arms[a].nrows;
		double		sw = exact_sum_value(&r->sum_w[a]);

		factor[a] = 1.0;
		if (run->setup.use_w[a])
		{
			learn_check_weight_total(sw, a);
			factor[a] = learn_forest_weight_factor(rows, &r->sum_w[a]);
		}
		ds->arm_rows[a] = rows;
		ds->max_w = Max(ds->max_w, run->setup.use_w[a] ? r->max_w[a] * factor[a] : 1.0);
		m->arm_rows[a] = rows;
		m->arm_outcome_mean[a] = exact_sum_value(&r->sum_wy[a]) / sw;
		if (!isfinite(m->arm_outcome_mean[a]))
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("outcome of uplift_fit is too large: the %s of treatment %d sum beyond double precision",
							run->setup.weighted ? "outcomes times 1/propensity" : "outcomes", a),
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

bytea *
fit_query_forest(const FitQuery *fq, Jsonb *opts)
{
	ForestRun	run;
	LearnState *st;
	LearnSettings settings;
	UpliftModel *m;
	TreeParams	par;
	TreeBinOptions bin_opt;
	TreeDataSummary ds;
	ForestPassResult *sample;
	TreeBins   *bins;
	bool	   *use_w;
	int32		p;

	memset(&run, 0, sizeof(run));
	run.fq = fq;
	run.call = fit_query_call(fq, "uplift_forest_pass");
	st = fit_query_summary(fq, opts);
	if (st->settings.learner != UPLIFT_LEARNER_FOREST)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("uplift_fit_query cannot fit base \"forest\" yet"),
				 errhint("Fit it with uplift_fit, or use {\"learner\": \"forest\"}.")));
	settings = st->settings;
	m = learn_fit_header(st, &settings);
	p = st->buf->p;
	run.nrows = st->buf->nrows;
	learn_forest_params(&settings, st->buf->all_binary, m->n_actions, p, &par);

	run.setup.p = p;
	run.setup.n_arms = m->n_actions + 1;
	run.setup.weighted = st->buf->weighted;
	run.setup.min_propensity = settings.min_propensity;
	use_w = palloc0(sizeof(bool) * run.setup.n_arms);
	for (int32 a = 0; a < run.setup.n_arms; a++)
		use_w[a] = st->buf->weighted && st->buf->arms[a].prop_min < st->buf->arms[a].prop_max;
	run.setup.use_w = use_w;
	learn_forest_bin_options(&settings, &bin_opt);
	run.setup.sample_size = bin_opt.sample_size;
	run.setup.seed = bin_opt.seed;

	sample = run_pass(&run, FOREST_PASS_SAMPLE);
	arms_from_sample(&run, sample, st, m, &ds);
	bins = tree_bins_build_sample(sample->sample_x, sample->sample_count,
								  sample->n_sample, p, NULL, &bin_opt);
	learn_forest_set_head(m, grow(&run, tree_grower_create(bins, &par, &ds)),
						  run.nrows);
	learn_model_check(m);
	return uplift_model_serialize(m);
}
