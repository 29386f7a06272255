/*
 * learn_forest.h
 *	  Forests in uplift_fit: the tree options, the uplift forest (learner
 *	  "forest") and the forest heads of base "forest", grown by the
 *	  histogram tree engine (tree_grow.h) from the training buffer's rows.
 */
#ifndef UPLIFT_LEARN_FOREST_H
#define UPLIFT_LEARN_FOREST_H

#include "postgres.h"
#include "lib/stringinfo.h"
#include "utils/jsonb.h"

#include "bytes.h"
#include "exact_sum.h"
#include "learn_head.h"
#include "model.h"
#include "rowsource.h"
#include "trainbuf.h"
#include "tree_grow.h"

/* The options of uplift_fit that only forests take. */
#define LEARN_FOREST_OPTION_KEYS \
	"criterion", "n_trees", "max_depth", "min_samples_leaf", \
	"min_samples_treatment", "n_reg", "normalization", "max_features", "bins", \
	"bin_sample", "bootstrap", "subsample", "honest", "stats_memory"

/*
 * Read the tree options into s->tree (forest: the learner or the base is
 * "forest"); without a forest, any tree option is an error.
 */
extern void learn_forest_settings(Jsonb *opts, bool forest, LearnSettings *s);

/* The tree settings in the settings' binary encoding, and back. */
extern void learn_forest_settings_write(StringInfo out, const LearnSettings *s);
extern void learn_forest_settings_read(ByteReader *r, LearnSettings *s);

/* The tree options of the canonical options (appended to an open object). */
extern void learn_forest_settings_json(StringInfo b, const LearnSettings *s,
									   int32 learner);

/*
 * The split criterion an uplift forest grows with: the option's, else kl
 * for 0/1 outcomes and cts otherwise; an error when the option's does not
 * fit the outcome or the number of actions K.
 */
extern int32 learn_forest_criterion(const LearnSettings *s, bool binary, int32 K);

/*
 * The uplift forest: m->heads[0] of role UPLIFT_HEAD_ARMS, grown on every
 * arm's rows, weighted as aw says.
 */
extern void learn_forest(const TrainBuf *buf, const LearnSettings *s,
						 UpliftModel *m, const ArmWeights *aw);

/*
 * A row's key: a hash of its arm, then its features, outcome and, in an arm
 * weighted by inverse propensities, its weight, each added in that order.
 */
static inline uint64
learn_forest_key_begin(int32 arm)
{
	return tree_mix64(UINT64CONST(0x726f776b6579) ^ (uint64) arm);	/* "rowkey" */
}

static inline uint64
learn_forest_key_add(uint64 h, double v)
{
	uint64		u;

	memcpy(&u, &v, sizeof(u));
	return tree_mix64(h ^ u);
}

/* The bin options of the settings. */
extern void learn_forest_bin_options(const LearnSettings *s, TreeBinOptions *opt);

/*
 * The engine's parameters of the uplift forest over p features and actions
 * 1..K (binary: every outcome is 0 or 1); an error past TREE_MAX_ARMS arms.
 */
extern void learn_forest_params(const LearnSettings *s, bool binary, int32 K,
								int32 p, TreeParams *par);

/* m's one head: the uplift forest f, grown on nrows rows. */
extern void learn_forest_set_head(UpliftModel *m, TreeForest *f, int64 nrows);

/*
 * What the rows of a weighted arm are multiplied by so that their weights
 * (inverse propensities) average 1: rows / total, total their exact sum.
 */
extern double learn_forest_weight_factor(int64 rows, const ExactSum *total);

/*
 * A forest head (role and action already set) over the rows of src: a
 * regression forest (criterion variance, or the option's gini or entropy
 * for an outcome head).
 */
extern void learn_forest_head(RowSource *src, const LearnSettings *s,
							  UpliftHead *head, const char *what);

/*
 * The engine's parameters of a forest head of this role over d design
 * columns (as learn_forest_head grows it); an error for an uplift criterion.
 */
extern void learn_forest_head_params(const LearnSettings *s, int32 role, int32 d,
									 TreeParams *par);

/* A head (role and action already set) that is the forest f of nrows rows. */
extern void learn_forest_fill_head(UpliftHead *head, TreeForest *f, int64 nrows);

/*
 * Set m->arm_outcome_mean from the buffer's rows, summed in an order that
 * does not depend on the rows' arrival (a forest model's bytes do not).
 */
extern void learn_forest_arm_means(const TrainBuf *buf, UpliftModel *m);

/* The forest head's predictions for n rows given as design columns. */
extern void learn_forest_predict(const UpliftHead *head, int n,
								 const double *const *col, double *out);

#endif							/* UPLIFT_LEARN_FOREST_H */
