/*
 * model.h
 *	  The uplift_model type: the in-memory model that learners build and
 *	  scoring reads, and its versioned, checksummed stored format.
 *
 * A model is a set of "heads", each a generalized linear predictor
 *	  eta = coef[0] + sum_j coef[j] * z[j-1]
 * over a design vector z built from the features (and, for the S-learner,
 * the action).  The learner says how heads combine into an effect:
 *
 *	  t_learner        one UPLIFT_HEAD_OUTCOME per arm a = 0..K, in arm order,
 *	                   over z = x;
 *	                   effect_k(x) = g(eta_k(x)) - g(eta_0(x))
 *	  s_learner        one UPLIFT_HEAD_JOINT over z = uplift_s_design(x, a);
 *	                   effect_k(x) = g(eta(x, k)) - g(eta(x, 0))
 *	  class_transform  K = 1, one UPLIFT_HEAD_TRANSFORMED over z = x;
 *	                   logit link: effect(x) = 2 g(eta(x)) - 1 (binary z-class),
 *	                   identity link: effect(x) = eta(x) (transformed outcome)
 *	  x_learner        K+1 outcome heads (arm order), then per action k an
 *	                   UPLIFT_HEAD_EFFECT_CONTROL and an UPLIFT_HEAD_EFFECT head;
 *	                   effect_k(x) = mix_k tau0_k(x) + (1 - mix_k) tau1_k(x)
 *	  dr_learner       K+1 outcome heads (arm order), then one UPLIFT_HEAD_EFFECT
 *	                   head per action k; effect_k(x) = eta_k(x)
 *	  forest           one UPLIFT_HEAD_ARMS head: an uplift forest whose leaves
 *	                   hold every arm's outcome mean; effect_k(x) = f_k(x) - f_0(x)
 *
 * where g is the head's inverse link (identity or logistic).  With base
 * "forest" every head is a forest (src/tree_model.h) over the head's design
 * instead of coefficients: eta is the mean over its trees of the leaves'
 * values, with the identity link (a forest of a 0/1 outcome predicts the
 * probability itself).  Outcome heads
 * serve uplift_predict.  A calibrated model maps each raw effect through
 * intercept_k + slope_k * effect (uplift_fit_calibration).
 *
 * The area's files, each calling only the ones above it in this list:
 *	  model_format.c  the stored format, its checks and old formats
 *	  model.c         the type's I/O, code names, the s_learner design and
 *	                  the per-call-site cache of parsed models
 *	  model_json.c    uplift_model_info and uplift_model_import
 */
#ifndef UPLIFT_MODEL_H
#define UPLIFT_MODEL_H

#include "postgres.h"
#include "fmgr.h"

/*
 * Stored-format version written by this build; older versions stay readable.
 * Version 2 added the standard error of each calibration slope, version 3
 * the encoding of named features (jsonb), version 4 forests (tree heads),
 * version 5 the labels of a text treatment.  A model is written in the
 * lowest version that holds it (2 without an encoding, forests or labels,
 * 3 with an encoding only, 4 with forests), so the bytes of a model that
 * older versions could write do not change.
 */
#define UPLIFT_MODEL_FORMAT_VERSION 5
#define UPLIFT_MODEL_FORMAT_ARRAYS 2
#define UPLIFT_MODEL_FORMAT_ENCODING 3
#define UPLIFT_MODEL_FORMAT_FORESTS 4
#define UPLIFT_MODEL_FORMAT_LABELS 5

/* Sanity limits, checked on build and on read. */
#define UPLIFT_MAX_FEATURES 10000
#define UPLIFT_MAX_ACTIONS	256
#define UPLIFT_MAX_HEADS	4096

/* Stored codes: never renumber. */
typedef enum UpliftLearner
{
	UPLIFT_LEARNER_T = 1,
	UPLIFT_LEARNER_S = 2,
	UPLIFT_LEARNER_CLASS_TRANSFORM = 3,
	UPLIFT_LEARNER_X = 4,
	UPLIFT_LEARNER_DR = 5,
	UPLIFT_LEARNER_FOREST = 6
} UpliftLearner;

typedef enum UpliftBase
{
	UPLIFT_BASE_LOGISTIC = 1,
	UPLIFT_BASE_LINEAR = 2,
	UPLIFT_BASE_FOREST = 3
} UpliftBase;

typedef enum UpliftLink
{
	UPLIFT_LINK_IDENTITY = 1,
	UPLIFT_LINK_LOGIT = 2
} UpliftLink;

typedef enum UpliftHeadRole
{
	UPLIFT_HEAD_OUTCOME = 1,	/* outcome of one arm, z = x */
	UPLIFT_HEAD_JOINT = 2,		/* outcome of every arm, z = s-design */
	UPLIFT_HEAD_EFFECT = 3,		/* effect of one action, z = x */
	UPLIFT_HEAD_TRANSFORMED = 4,	/* transformed outcome, z = x */
	UPLIFT_HEAD_EFFECT_CONTROL = 5,	/* effect of one action, fitted on control rows */
	UPLIFT_HEAD_ARMS = 6		/* outcome of every arm (an uplift forest), z = x */
} UpliftHeadRole;

struct TreeForest;

typedef struct UpliftHead
{
	int32		role;			/* UpliftHeadRole */
	int32		action;			/* arm or action it belongs to; -1 if none */
	int32		link;			/* UpliftLink */
	int32		n_coef;			/* 1 (intercept) + length of the design; 0: forest */
	double	   *coef;			/* n_coef values, intercept first */
	struct TreeForest *forest;	/* base "forest": the head's forest, else NULL */
	/* how the fit went */
	int64		n_rows;			/* rows the head was fitted on */
	int32		n_iter;			/* solver iterations (0 for closed form) */
	bool		converged;
	double		max_grad;		/* max |gradient| of the objective at the end */
} UpliftHead;

/* Value types of a named feature (stored codes: never renumber). */
typedef enum UpliftKeyType
{
	UPLIFT_KEY_NUMBER = 1,
	UPLIFT_KEY_BOOLEAN = 2,
	UPLIFT_KEY_STRING = 3
} UpliftKeyType;

/*
 * One key of the named features (jsonb) a model was fitted from, and the
 * design columns it encodes to (src/features_encode.c):
 *	  numeric key      its value, the mean where it is missing, and a missing
 *	                   indicator column when it was missing in training
 *	  categorical key  one column per level (a NULL entry of levels is the
 *	                   JSON null level), and one column for the pooled
 *	                   (infrequent) levels when there are any
 */
typedef struct UpliftFeatureKey
{
	char	   *name;
	int32		type;			/* UpliftKeyType */
	bool		categorical;	/* strings, and numbers named by "categorical" */
	double		mean;			/* numeric: imputed for a missing value */
	bool		indicator;		/* numeric: has a missing-indicator column */
	int32		n_levels;		/* categorical: levels with a column, sorted */
	char	  **levels;
	int32		n_pooled;		/* categorical: levels of the infrequent column */
	char	  **pooled;
	/* derived when the encoding is built or read (uplift_encoding_layout) */
	bool		native;			/* the encoding's: one column, the value itself */
	int32		col;			/* numeric: its column; categorical: first level's */
	int32		ind_col;		/* numeric: indicator column, or -1 */
	int32		pool_col;		/* categorical: infrequent column, or -1 */
} UpliftFeatureKey;

/*
 * The encoding of a model fitted from named features: keys in byte order.
 * A native encoding (forests) gives each key one column instead: a number
 * as it is, a categorical key the index of its level (-1 for a level not
 * among them), NaN when missing; the trees split categories and send
 * missing values their own way.
 */
typedef struct UpliftEncoding
{
	int32		n_keys;
	UpliftFeatureKey *keys;
	bool		native;
} UpliftEncoding;

typedef struct UpliftModel
{
	uint16		format_version; /* as read; UPLIFT_MODEL_FORMAT_VERSION when built */
	int32		learner;		/* UpliftLearner */
	int32		base;			/* UpliftBase */
	int32		n_actions;		/* K: actions 1..K, plus control 0 */
	int32		n_features;		/* p */
	bool		interactions;	/* s_learner: action-by-feature columns */
	char	  **feature_names;	/* p names, or NULL when not given */
	int64	   *arm_rows;		/* K+1 training rows per arm */
	double	   *arm_outcome_mean;	/* K+1 (weighted) outcome means per arm */
	double		propensity_min; /* range of logged propensities seen, NaN if none */
	double		propensity_max;
	int64		n_clipped;		/* rows whose propensity was clipped */
	char	   *options;		/* the options used, as jsonb text */
	double	   *mix;			/* x_learner: K weights of tau0_k, else NULL */
	double	   *calib_intercept;	/* K calibration lines, or NULL when the */
	double	   *calib_slope;	/* model is not calibrated */
	double	   *calib_slope_se; /* K standard errors of the slopes, NaN if unknown */
	int64	   *calib_rows;		/* K rows each line was fitted on */
	int32		n_heads;
	UpliftHead *heads;
	UpliftEncoding *encoding;	/* named features (format 3), or NULL */
	double	   *scratch;		/* s_learner forests: design buffer for scoring */
	char	  **action_labels;	/* text treatment (format 5): K+1 labels, the
								 * control's first, then actions 1..K in byte
								 * order; or NULL */
} UpliftModel;

/* Length of the s_learner design vector (model_format.c), and the vector itself. */
extern int	uplift_s_design_len(int n_features, int n_actions, bool interactions);
extern void uplift_s_design(const UpliftModel *m, const double *x, int action,
							double *z);
/* The same for a design of that shape, without a model. */
extern void uplift_s_design_of(int n_features, int n_actions, bool interactions,
							   const double *x, int action, double *z);

/*
 * Stored form (model_format.c): build from a model, and read back
 * (validating every byte).
 */
extern bytea *uplift_model_serialize(const UpliftModel *m);
extern UpliftModel *uplift_model_deserialize(const bytea *stored);

/*
 * Feature names must be unique and must not look like the generated column
 * names of an S-learner ("action_<k>" and "action_<k>:<name>"), so that every
 * coefficient of uplift_model_info has its own key.  Returns NULL when the p
 * names are usable, else a sentence saying which name is not.
 */
extern char *uplift_feature_names_problem(char *const *names, int p);

/* Check a built model's invariants (sizes, codes, finite coefficients). */
extern void uplift_model_validate(const UpliftModel *m, const char *what);

/*
 * The model in argument argno (< 4) of a scoring call, detoasted and
 * validated once per call site and cached in fn_extra (which the caller must
 * not use otherwise).  When features is not NULL it
 * receives a buffer of n_features doubles that lives as long as the cache
 * (scratch space for one call's features).
 */
extern const UpliftModel *uplift_model_cached_arg(FunctionCallInfo fcinfo, int argno,
												  double **features);

/*
 * The model (argument model_argno) and features (argument features_argno,
 * copied into *x) of a scoring call; NULL when the features are NULL, an
 * error naming funcname when the model is.
 */
extern const UpliftModel *uplift_scoring_args(FunctionCallInfo fcinfo, int model_argno,
											  int features_argno, const char *funcname,
											  double **x);

/*
 * The same for a call that names its model (argument name_argno, text): the
 * deployed version in the registry, read once per call site and statement
 * (src/registry.c).  An unknown name or nothing deployed is an error (42704).
 */
extern const UpliftModel *uplift_named_scoring_args(FunctionCallInfo fcinfo, int name_argno,
													int features_argno, const char *funcname,
													double **x);

/*
 * Predicted outcome under an action (0 = control), and the effects of
 * actions 1..K against control (effects[k-1]).  x holds the p features.
 * A result that is not finite is an error (22003).
 */
extern double uplift_model_predict(const UpliftModel *m, const double *x, int action);
extern double uplift_model_effect(const UpliftModel *m, const double *x, int action);
extern void uplift_model_effects(const UpliftModel *m, const double *x, double *effects);

/*
 * v, or an error (22003) when it is not finite: "what of action k is out of
 * range".  Features far outside the training range can overflow a linear
 * predictor into an infinity or a NaN; no such value may pass for a score.
 */
extern double uplift_check_score(double v, const char *what, int action);

/*
 * The action (0..K) that a label of the model's text treatment names; an
 * error (22023) naming the label when the model has no such label or no
 * labels at all (model.c).
 */
extern int32 uplift_model_action_of_label(const UpliftModel *m, const char *label, int len);

/*
 * The action argument argno (not NULL) of a call with model m: a number
 * 0..K, or (text) a label of the model's text treatment; an error (22023)
 * for any other (score.c).
 */
extern int32 uplift_model_action_arg(FunctionCallInfo fcinfo, const UpliftModel *m, int argno);

/* Does the learner keep one outcome head per arm (so uplift_predict works)? */
extern bool uplift_model_has_outcomes(const UpliftModel *m);

/*
 * Name of design column j (0-based, intercept excluded) of a head of this
 * role, as uplift_model_info keys it (src/model_json.c).
 */
extern char *uplift_head_column_name(const UpliftModel *m, int32 role, int j);

/* Names of codes, for uplift_model_info and messages. */
extern const char *uplift_learner_name(int32 learner);
extern const char *uplift_base_name(int32 base);

#endif							/* UPLIFT_MODEL_H */
