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
#include "learn_head.h"
#include "model.h"
#include "rowsource.h"
#include "trainbuf.h"

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
 * A forest head (role and action already set) over the rows of src: a
 * regression forest (criterion variance, or the option's gini or entropy
 * for an outcome head).
 */
extern void learn_forest_head(RowSource *src, const LearnSettings *s,
							  UpliftHead *head, const char *what);

/*
 * Set m->arm_outcome_mean from the buffer's rows, summed in an order that
 * does not depend on the rows' arrival (a forest model's bytes do not).
 */
extern void learn_forest_arm_means(const TrainBuf *buf, UpliftModel *m);

/* The forest head's predictions for n rows given as design columns. */
extern void learn_forest_predict(const UpliftHead *head, int n,
								 const double *const *col, double *out);

#endif							/* UPLIFT_LEARN_FOREST_H */
