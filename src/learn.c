/*
 * learn.c
 *	  The learner dispatcher of uplift_fit (see learn.h): settings and their
 *	  codec, the state's rows and checks, the choice of base and the fit.
 *
 * Weighting (rows given a propensity): a row of arm a weighs
 * (1/p_i) / mean over arm a of (1/p_j), so the weights of each arm average 1
 * and the penalty keeps its meaning per row; an arm whose propensities are
 * all equal gets weight exactly 1, and the fit equals the unweighted one.
 *
 * The settings have one binary encoding (settings_write/settings_read),
 * used by the state's serialization and to copy settings between states,
 * and one JSON form (settings_json), the canonical options stored in the
 * model and shown by uplift_model_info.
 */
#include "postgres.h"

#include <math.h>

#include "miscadmin.h"
#include "utils/fmgrprotos.h"
#include "utils/memutils.h"
#include "utils/numeric.h"

#include "arrays.h"
#include "learn.h"
#include "learn_forest.h"
#include "learn_meta.h"
#include "learn_ts.h"
#include "linalg.h"
#include "linear.h"
#include "options.h"
#include "prefault.h"
#include "uplift.h"

#define LEARN_STATE_VERSION 4

StaticAssertDecl(TRAINBUF_MAX_ACTION == UPLIFT_MAX_ACTIONS,
				 "the training buffer and the model agree on the number of actions");
StaticAssertDecl(TRAINBUF_MAX_FEATURES == UPLIFT_MAX_FEATURES,
				 "the training buffer and the model agree on the number of features");

static bool fits_from_moments(const LearnSettings *s, int32 p);

/* ---- settings: options in, bytes out and back, canonical JSON ---- */

static const char *const fit_option_keys[] = {
	"learner", "base", "l2", "max_iter", "tol", "feature_names", "seed",
	"interactions", "min_propensity", "group", "skip_incomplete",
	LEARN_FOREST_OPTION_KEYS, NULL
};

/* Options of the logistic and linear bases only. */
static const char *const linear_option_keys[] = {"l2", "max_iter", "tol"};

static const char *const learner_names[] = {
	"t_learner", "s_learner", "class_transform", "x_learner", "dr_learner",
	"forest", NULL
};

static const int32 learner_codes[] = {
	UPLIFT_LEARNER_T, UPLIFT_LEARNER_S, UPLIFT_LEARNER_CLASS_TRANSFORM,
	UPLIFT_LEARNER_X, UPLIFT_LEARNER_DR, UPLIFT_LEARNER_FOREST
};

static const char *const base_names[] = {"logistic", "linear", "forest", NULL};

static const int32 base_codes[] = {
	UPLIFT_BASE_LOGISTIC, UPLIFT_BASE_LINEAR, UPLIFT_BASE_FOREST
};

/* feature_names: a JSON array of p strings. */
static void
parse_feature_names(Jsonb *opts, int32 p, LearnSettings *s)
{
	JsonbValue *v = options_lookup(opts, "feature_names");
	JsonbIterator *it;
	JsonbValue	elem;
	JsonbIteratorToken tok;
	int32		n = 0;
	char	   *problem;

	if (v == NULL)
		return;
	if (v->type != jbvBinary || !JsonContainerIsArray(v->val.binary.data) ||
		JsonContainerIsScalar(v->val.binary.data))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("option \"feature_names\" must be a JSON array of strings"),
				 errhint("Pass one name per feature, e.g. {\"feature_names\": [\"age\", \"spend\"]}.")));
	s->feature_names = palloc0(Max(p, 1) * sizeof(char *));
	it = JsonbIteratorInit(v->val.binary.data);
	while ((tok = JsonbIteratorNext(&it, &elem, true)) != WJB_DONE)
	{
		if (tok != WJB_ELEM)
			continue;
		if (elem.type != jbvString)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("option \"feature_names\" must be a JSON array of strings"),
					 errdetail("Element %d is not a string.", n + 1)));
		if (n < p)
			s->feature_names[n] = pnstrdup(elem.val.string.val, elem.val.string.len);
		n++;
	}
	if (n != p)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("option \"feature_names\" has %d names for %d features", n, p),
				 errhint("Give exactly one name per element of the features array.")));
	problem = uplift_feature_names_problem(s->feature_names, p);
	if (problem != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("option \"feature_names\" of uplift_fit is not usable"),
				 errdetail("%s", problem),
				 errhint("Give every feature its own name, not of the form action_<k>.")));
	s->n_names = p;
}

/*
 * group: the key of the group a grouped fit (GROUP BY) is for, named in its
 * errors; a string, a number or a boolean, kept as text.
 */
static char *
parse_group(Jsonb *opts)
{
	JsonbValue *v = options_lookup(opts, "group");

	if (v == NULL || v->type == jbvNull)
		return NULL;
	if (v->type == jbvString)
		return pnstrdup(v->val.string.val, v->val.string.len);
	if (v->type == jbvNumeric)
		return DatumGetCString(DirectFunctionCall1(numeric_out,
												   NumericGetDatum(v->val.numeric)));
	if (v->type == jbvBool)
		return pstrdup(v->val.boolean ? "true" : "false");
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("option \"group\" of uplift_fit must be a string, a number or a boolean"),
			 errhint("Pass the group's key, for example jsonb_build_object('group', segment).")));
	return NULL;				/* keep the compiler quiet */
}

bool
learn_fits_forest(Jsonb *opts)
{
	int			learner = options_choice(opts, "learner", 0, learner_names);
	int			base = options_choice(opts, "base", -1, base_names);

	return learner_codes[learner] == UPLIFT_LEARNER_FOREST ||
		(base >= 0 && base_codes[base] == UPLIFT_BASE_FOREST);
}

void
learn_null_arg_error(const char *what)
{
	ereport(ERROR,
			(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
			 errmsg("%s of uplift_fit must not be NULL", what),
			 errhint("Remove rows with a missing %s.", what)));
}

/* The index of the string option key among names, dflt when absent, -1 when unknown. */
static int
quiet_choice(Jsonb *opts, const char *key, const char *const *names, int dflt)
{
	JsonbValue *v = options_lookup(opts, key);

	if (v == NULL)
		return dflt;
	if (v->type != jbvString)
		return -1;
	for (int i = 0; names[i] != NULL; i++)
		if (strlen(names[i]) == v->val.string.len &&
			memcmp(names[i], v->val.string.val, v->val.string.len) == 0)
			return i;
	return -1;
}

bool
learn_options_keep_rows(Jsonb *opts)
{
	int			learner = quiet_choice(opts, "learner", learner_names, 0);
	int			base = quiet_choice(opts, "base", base_names, -1);
	LearnSettings s;

	if (learner < 0 || base < 0)
		return true;
	s.learner = learner_codes[learner];
	s.base = base_codes[base];
	return !fits_from_moments(&s, 1);
}

/* Settings from the options of uplift_fit (opts NULL: the defaults). */
static void
settings_parse(Jsonb *opts, int32 p, bool weighted, LearnSettings *s)
{
	int			learner;
	int			base;

	memset(s, 0, sizeof(LearnSettings));
	options_check_keys(opts, "uplift_fit", fit_option_keys);
	learner = options_choice(opts, "learner", 0, learner_names);
	s->learner = learner_codes[learner];
	base = options_choice(opts, "base", -1, base_names);
	s->base = base < 0 ? 0 : base_codes[base];
	if (s->learner == UPLIFT_LEARNER_FOREST)
	{
		if (s->base != 0 && s->base != UPLIFT_BASE_FOREST)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("learner \"forest\" of uplift_fit has no base \"%s\"", base_names[base]),
					 errhint("Remove option \"base\": the uplift forest's trees are its base.  For a meta-learner over forests, use {\"learner\": \"t_learner\", \"base\": \"forest\"}.")));
		s->base = UPLIFT_BASE_FOREST;
	}
	if (s->base == UPLIFT_BASE_FOREST)
		for (int i = 0; i < lengthof(linear_option_keys); i++)
			if (options_lookup(opts, linear_option_keys[i]) != NULL)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("option \"%s\" does not apply to base \"forest\"",
								linear_option_keys[i]),
						 errhint("It tunes the logistic and linear bases; remove it.")));
	s->l2 = options_float(opts, "l2", 1.0, 0.0, 1e12);
	s->max_iter = (int32) options_int(opts, "max_iter", 100, 1, 100000);
	s->tol = options_float(opts, "tol", 1e-6, 0.0, 1.0);
	s->seed = options_int(opts, "seed", 0, PG_INT32_MIN, PG_INT32_MAX);
	if (s->learner != UPLIFT_LEARNER_S && options_lookup(opts, "interactions") != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("option \"interactions\" applies only to learner \"s_learner\"")));
	if (s->base == UPLIFT_BASE_FOREST && options_lookup(opts, "interactions") != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("option \"interactions\" does not apply to base \"forest\""),
				 errhint("Trees find interactions themselves: the s_learner's forest takes the features and the action indicators.")));
	s->interactions = options_bool(opts, "interactions", s->base != UPLIFT_BASE_FOREST);
	if (!weighted && options_lookup(opts, "min_propensity") != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("option \"min_propensity\" needs the propensity argument of uplift_fit"),
				 errhint("Pass the logged propensities: uplift_fit(features, treatment, outcome, propensity, options).")));
	s->min_propensity = options_float(opts, "min_propensity", 0.0, 0.0, 1.0);
	parse_feature_names(opts, p, s);
	s->group = parse_group(opts);
	s->skip_incomplete = options_bool(opts, "skip_incomplete", false);
	learn_forest_settings(opts, s->base == UPLIFT_BASE_FOREST, s);
}

static void
settings_write(StringInfo out, const LearnSettings *s)
{
	bytes_put_i32(out, s->learner);
	bytes_put_i32(out, s->base);
	bytes_put_f64(out, s->l2);
	bytes_put_i32(out, s->max_iter);
	bytes_put_f64(out, s->tol);
	bytes_put_u8(out, s->interactions ? 1 : 0);
	bytes_put_i64(out, s->seed);
	bytes_put_f64(out, s->min_propensity);
	bytes_put_i32(out, s->n_names);
	for (int32 i = 0; i < s->n_names; i++)
		bytes_put_str(out, s->feature_names[i]);
	bytes_put_u8(out, s->group != NULL ? 1 : 0);
	if (s->group != NULL)
		bytes_put_str(out, s->group);
	bytes_put_u8(out, s->skip_incomplete ? 1 : 0);
	learn_forest_settings_write(out, s);
}

/* Settings written by settings_write, palloc'd in the current context. */
static void
settings_read(ByteReader *r, LearnSettings *s)
{
	memset(s, 0, sizeof(LearnSettings));
	s->learner = bytes_get_i32(r);
	s->base = bytes_get_i32(r);
	s->l2 = bytes_get_f64(r);
	s->max_iter = bytes_get_i32(r);
	s->tol = bytes_get_f64(r);
	s->interactions = bytes_get_u8(r) != 0;
	s->seed = bytes_get_i64(r);
	s->min_propensity = bytes_get_f64(r);
	if (s->learner < UPLIFT_LEARNER_T || s->learner > UPLIFT_LEARNER_FOREST ||
		!(s->min_propensity >= 0 && s->min_propensity <= 1) ||
		s->base < 0 || s->base > UPLIFT_BASE_FOREST || s->max_iter < 1 ||
		!(s->l2 >= 0) || !(s->tol >= 0))
		bytes_corrupted(r, "settings are out of range");
	s->n_names = (int32) bytes_get_count(r, sizeof(uint32), UPLIFT_MAX_FEATURES);
	if (s->n_names > 0)
	{
		s->feature_names = palloc(s->n_names * sizeof(char *));
		for (int32 i = 0; i < s->n_names; i++)
			s->feature_names[i] = bytes_get_str(r);
	}
	if (bytes_get_u8(r) != 0)
		s->group = bytes_get_str(r);
	s->skip_incomplete = bytes_get_u8(r) != 0;
	learn_forest_settings_read(r, s);
	if (s->forest != (s->base == UPLIFT_BASE_FOREST))
		bytes_corrupted(r, "tree settings do not match the base");
}

/* A deep copy into the current memory context, through the codec. */
static void
settings_copy(LearnSettings *dst, const LearnSettings *src)
{
	StringInfoData b;
	ByteReader	r;

	initStringInfo(&b);
	settings_write(&b, src);
	bytes_reader_init(&r, b.data, b.len, "uplift_fit settings");
	settings_read(&r, dst);
	bytes_expect_end(&r);
	pfree(b.data);
}

/* The fewest significant digits (15 to 17) that read back as x. */
static int
round_trip_digits(double x)
{
	char		text[64];

	for (int digits = 15; digits < 17; digits++)
	{
		snprintf(text, sizeof(text), "%.*g", digits, x);
		if (strtod(text, NULL) == x)
			return digits;
	}
	return 17;
}

/* The canonical options of a model fitted with base "base". */
static char *
settings_json(const LearnSettings *s, int32 base)
{
	StringInfoData b;

	initStringInfo(&b);
	appendStringInfo(&b, "{\"learner\": \"%s\", \"base\": \"%s\"",
					 uplift_learner_name(s->learner), uplift_base_name(base));
	if (base == UPLIFT_BASE_FOREST)
		learn_forest_settings_json(&b, s, s->learner);
	else
		appendStringInfo(&b, ", \"l2\": %.17g", s->l2);
	if (base == UPLIFT_BASE_LOGISTIC)
		appendStringInfo(&b, ", \"max_iter\": %d, \"tol\": %.17g", s->max_iter, s->tol);
	if (s->learner == UPLIFT_LEARNER_S)
		appendStringInfo(&b, ", \"interactions\": %s", s->interactions ? "true" : "false");
	if (s->min_propensity > 0)
		appendStringInfo(&b, ", \"min_propensity\": %.*g",
						 round_trip_digits(s->min_propensity), s->min_propensity);
	appendStringInfo(&b, ", \"seed\": " INT64_FORMAT "}", s->seed);
	return b.data;
}

/* ---- the state: rows in, merged, serialized ---- */

/*
 * A linear T- or S-learner needs only each arm's moments, not its rows;
 * the other learners derive outcomes from every row.
 */
static bool
fits_from_moments(const LearnSettings *s, int32 p)
{
	return s->base == UPLIFT_BASE_LINEAR &&
		(s->learner == UPLIFT_LEARNER_T || s->learner == UPLIFT_LEARNER_S) &&
		p <= TRAINBUF_MOMENTS_MAX_FEATURES;
}

/* A state in cxt with settings s (copied by the caller) and no rows. */
static LearnState *
state_new(MemoryContext cxt, const LearnSettings *s, int32 p, bool weighted,
		  bool moments)
{
	LearnState *st = MemoryContextAllocZero(cxt, sizeof(LearnState));

	st->settings = *s;
	st->buf = trainbuf_create(cxt, p, weighted, moments);
	st->buf->prefault_ok = uplift_prefault;
	st->prop_min = NAN;
	st->prop_max = NAN;
	return st;
}

LearnState *
learn_state_create(MemoryContext cxt, Jsonb *opts, int32 p, bool weighted)
{
	MemoryContext old = MemoryContextSwitchTo(cxt);
	LearnSettings s;
	LearnState *st;

	settings_parse(opts, p, weighted, &s);
	/* every learner fits at least one design of the features and an intercept */
	linear_check_columns((int64) p + 1, p, "a design of");
	st = state_new(cxt, &s, p, weighted, fits_from_moments(&s, p));
	MemoryContextSwitchTo(old);
	return st;
}

LearnState *
learn_state_empty_like(const LearnState *st, MemoryContext cxt)
{
	MemoryContext old = MemoryContextSwitchTo(cxt);
	LearnSettings s;
	LearnState *copy;

	settings_copy(&s, &st->settings);
	copy = state_new(cxt, &s, st->buf->p, st->buf->weighted, st->buf->moments);
	MemoryContextSwitchTo(old);
	return copy;
}

/*
 * The one check that outcomes are 0 or 1 where the base is logistic:
 * "binary" says whether they are, "got" is the value that is not (NaN when
 * only the buffer's summary is known).
 */
static void
check_binary_outcome(int32 base, bool binary, double got)
{
	if (base != UPLIFT_BASE_LOGISTIC || binary)
		return;
	ereport(ERROR,
			(errcode(ERRCODE_DATA_EXCEPTION),
			 errmsg("outcome of uplift_fit must be 0 or 1 with base \"logistic\""),
			 isnan(got) ? 0 : errdetail("Got %g.", got),
			 errhint("Use option \"base\": \"linear\" for a continuous outcome.")));
}

/*
 * Record a logged propensity in the range seen and clip it to
 * min_propensity; returns the propensity the row is fitted with.
 */
static double
note_propensity(LearnState *st, double propensity)
{
	if (isnan(st->prop_min) || propensity < st->prop_min)
		st->prop_min = propensity;
	if (isnan(st->prop_max) || propensity > st->prop_max)
		st->prop_max = propensity;
	if (propensity < st->settings.min_propensity)
	{
		st->n_clipped++;
		return st->settings.min_propensity;
	}
	return propensity;
}

void
learn_check_row(int32 base, bool weighted, int32 action, double outcome,
				double propensity)
{
	if (action < 0 || action > TRAINBUF_MAX_ACTION)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("treatment of uplift_fit must be between 0 and %d", TRAINBUF_MAX_ACTION),
				 errdetail("Got %d.", action),
				 errhint("Use 0 for control and 1..K for the actions.")));
	uplift_check_finite(outcome, "outcome of uplift_fit");
	check_binary_outcome(base, outcome == 0.0 || outcome == 1.0, outcome);
	if (weighted && !(propensity > 0.0 && propensity <= 1.0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("propensity of uplift_fit must be in (0, 1]"),
				 errdetail("Got %g.", propensity),
				 errhint("Pass the logged probability of the treatment the row received.")));
}

void
learn_state_add(LearnState *st, const double *x, int32 action, double outcome,
				double propensity)
{
	bool		weighted = st->buf->weighted;

	learn_check_row(st->settings.base, weighted, action, outcome, propensity);
	if (weighted)
		propensity = note_propensity(st, propensity);
	trainbuf_append(st->buf, x, action, outcome, propensity);
}

void
learn_state_merge(LearnState *into, LearnState *from)
{
	uplift_array_check_length("features of uplift_fit", from->buf->p, into->buf->p,
							  into->buf->p,
							  "Every row of one fit needs as many features as the first.");
	trainbuf_merge(into->buf, from->buf);
	if (!isnan(from->prop_min) &&
		(isnan(into->prop_min) || from->prop_min < into->prop_min))
		into->prop_min = from->prop_min;
	if (!isnan(from->prop_max) &&
		(isnan(into->prop_max) || from->prop_max > into->prop_max))
		into->prop_max = from->prop_max;
	into->n_clipped += from->n_clipped;
}

/* Settings, the propensity range, then the rows (see trainbuf_serialize). */
void
learn_state_serialize(StringInfo out, const LearnState *st)
{
	Size		guess = 1024 + (st->buf->moments ? 0 :
								(Size) st->buf->nrows * (st->buf->p + 2) * sizeof(double));

	if (guess < MaxAllocSize)
	{
		enlargeStringInfo(out, (int) guess);
		prefault_advise_huge(out->data, out->maxlen);
	}
	bytes_put_u8(out, LEARN_STATE_VERSION);
	settings_write(out, &st->settings);
	bytes_put_f64(out, st->prop_min);
	bytes_put_f64(out, st->prop_max);
	bytes_put_i64(out, st->n_clipped);
	trainbuf_serialize(out, st->buf);
}

LearnState *
learn_state_deserialize(ByteReader *r, MemoryContext cxt)
{
	MemoryContext old = MemoryContextSwitchTo(cxt);
	LearnState *st = palloc0(sizeof(LearnState));

	if (bytes_get_u8(r) != LEARN_STATE_VERSION)
		bytes_corrupted(r, "unknown format version");
	settings_read(r, &st->settings);
	st->prop_min = bytes_get_f64(r);
	st->prop_max = bytes_get_f64(r);
	st->n_clipped = bytes_get_i64(r);
	if (st->n_clipped < 0)
		bytes_corrupted(r, "settings are out of range");
	st->buf = trainbuf_deserialize(r, cxt);
	bytes_expect_end(r);
	if (st->settings.n_names != 0 && st->settings.n_names != st->buf->p)
		bytes_corrupted(r, "feature name count differs from the feature count");
	MemoryContextSwitchTo(old);
	return st;
}

/* ---- the fit ---- */

/* What keeps the rows from a fit: missing_arm's answers besides an arm number. */
#define ARMS_COMPLETE	(-1)	/* every arm 0..K has rows */
#define ARMS_NO_ROWS	(-2)	/* there are no rows at all */
#define ARMS_UNTREATED	(-3)	/* every row is in arm 0 */

/* The first arm 0..K without rows, or one of the ARMS_ codes. */
static int32
missing_arm(const TrainBuf *buf, int32 K)
{
	if (buf->nrows == 0)
		return ARMS_NO_ROWS;
	if (K < 1)
		return ARMS_UNTREATED;
	for (int32 a = 0; a <= K; a++)
		if (buf->arms[a].nrows == 0)
			return a;
	return ARMS_COMPLETE;
}

static void
check_arms(const TrainBuf *buf, int32 K)
{
	int32		a = missing_arm(buf, K);

	if (a == ARMS_NO_ROWS)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("uplift_fit needs at least one row"),
				 errhint("Check the query's WHERE clause.")));
	if (a == ARMS_UNTREATED)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("treatment of uplift_fit is 0 on every row"),
				 errdetail("An uplift model needs control rows (treatment 0) and treated rows (treatment 1 or more)."),
				 errhint("Check the treatment column.")));
	if (a >= 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("treatment %d of uplift_fit has no rows", a),
				 errdetail("Treatments must be numbered 0 (control) to %d without gaps, and each needs rows.", K),
				 errhint("Renumber the actions so that 0..K all occur.")));
}

/*
 * Why the rows cannot be fitted for want of an arm (what check_arms would
 * refuse), or NULL when every arm 0..K has rows.
 */
char *
learn_incomplete(const LearnState *st)
{
	int32		a = missing_arm(st->buf, trainbuf_max_action(st->buf));

	if (a == ARMS_NO_ROWS)
		return pstrdup("It has no rows.");
	if (a == ARMS_UNTREATED)
		return pstrdup("Its treatment is 0 on every row.");
	if (a >= 0)
		return psprintf("Treatment %d has no rows.", a);
	return NULL;
}

/* Are all propensities fitted exactly 1/2 (or none given)? */
static bool
propensities_half(const TrainBuf *buf)
{
	if (!buf->weighted)
		return true;
	for (int32 a = 0; a < buf->n_arms; a++)
		if (buf->arms[a].nrows > 0 &&
			(buf->arms[a].prop_min != 0.5 || buf->arms[a].prop_max != 0.5))
			return false;
	return true;
}

/*
 * Check the learner's restrictions on the data (K actions) and return the
 * base it uses: the option's, else one chosen from the data.
 */
static int32
choose_base(const LearnState *st, int32 K)
{
	const LearnSettings *s = &st->settings;
	const TrainBuf *buf = st->buf;

	if (s->learner == UPLIFT_LEARNER_FOREST)
		return UPLIFT_BASE_FOREST;
	if (s->learner != UPLIFT_LEARNER_CLASS_TRANSFORM)
		return s->base != 0 ? s->base :
			buf->all_binary ? UPLIFT_BASE_LOGISTIC : UPLIFT_BASE_LINEAR;

	if (K != 1)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("learner \"class_transform\" of uplift_fit needs a binary treatment"),
				 errdetail("The rows have treatments 0 to %d; the class transformation compares one action with control.", K),
				 errhint("Use learner \"x_learner\" or \"dr_learner\", which estimate each action against control, or fit one model per action on its rows and the control rows.")));
	if (s->base == UPLIFT_BASE_LOGISTIC && !propensities_half(buf))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("learner \"class_transform\" with base \"logistic\" needs propensities of 1/2"),
				 errdetail("The logged propensities range from %g to %g; the class transformation is unbiased only under a 50/50 assignment.",
						   st->prop_min, st->prop_max),
				 errhint("Omit option \"base\" or set it to \"linear\" to fit the propensity-corrected transformed outcome, or use learner \"dr_learner\".")));
	if (s->base != 0)
		return s->base;
	return buf->all_binary && propensities_half(buf) ?
		UPLIFT_BASE_LOGISTIC : UPLIFT_BASE_LINEAR;
}

/* The model's header: everything but its heads and arm statistics. */
static UpliftModel *
model_header(const LearnState *st, const LearnSettings *s, int32 K, int32 base)
{
	UpliftModel *m = palloc0(sizeof(UpliftModel));

	m->format_version = UPLIFT_MODEL_FORMAT_ARRAYS;
	m->learner = s->learner;
	m->base = base;
	m->n_actions = K;
	m->n_features = st->buf->p;
	m->interactions = s->learner == UPLIFT_LEARNER_S && s->interactions;
	m->feature_names = s->n_names > 0 ? s->feature_names : NULL;
	m->arm_rows = palloc((K + 1) * sizeof(int64));
	m->arm_outcome_mean = palloc((K + 1) * sizeof(double));
	m->propensity_min = st->prop_min;
	m->propensity_max = st->prop_max;
	m->n_clipped = st->n_clipped;
	m->options = settings_json(s, base);
	return m;
}

/* Sum of the outcome or weight column over an arm, with compensation. */
static double
arm_sum(const TrainArm *arm, bool weights)
{
	NeumaierSum s = {0, 0};

	for (const TrainChunk *c = arm->head; c != NULL; c = c->next)
	{
		double		b = 0.0;

		CHECK_FOR_INTERRUPTS();
		for (int32 i = 0; i < c->nrows; i++)
			b += weights ? c->w[i] : trainbuf_outcome(c, i);
		neumaier_add(&s, b);
	}
	return neumaier_value(&s);
}

/* Weighted outcome mean of an arm. */
static double
arm_mean(const TrainArm *arm, const ArmWeights *aw)
{
	NeumaierSum sy = {0, 0};
	NeumaierSum sw = {0, 0};

	if (!aw->use)
		return arm_sum(arm, false) / (double) arm->nrows;
	for (const TrainChunk *c = arm->head; c != NULL; c = c->next)
	{
		double		by = 0.0;
		double		bw = 0.0;

		CHECK_FOR_INTERRUPTS();
		for (int32 i = 0; i < c->nrows; i++)
		{
			by += c->w[i] * trainbuf_outcome(c, i);
			bw += c->w[i];
		}
		neumaier_add(&sy, by);
		neumaier_add(&sw, bw);
	}
	return neumaier_value(&sy) / neumaier_value(&sw);
}

/*
 * The weighting of each arm of a rows buffer: the rows' inverse
 * propensities, scaled to average 1, where they vary within the arm.
 */
static ArmWeights *
arm_weights(const TrainBuf *buf)
{
	ArmWeights *aw = palloc0(buf->n_arms * sizeof(ArmWeights));

	for (int32 a = 0; a < buf->n_arms; a++)
	{
		const TrainArm *arm = &buf->arms[a];

		aw[a].scale = 1.0;
		if (learn_weighs_arm(buf->weighted, arm->nrows, arm->prop_min, arm->prop_max))
		{
			double		total = arm_sum(arm, true);

			learn_check_weight_total(total, a);
			aw[a].use = true;
			aw[a].scale = (double) arm->nrows / total;
		}
	}
	return aw;
}

/* Rows and weighted outcome mean of each arm 0..K of m. */
static void
arm_outcome_means(const TrainBuf *buf, const ArmWeights *aw, UpliftModel *m)
{
	for (int32 a = 0; a <= m->n_actions; a++)
	{
		m->arm_rows[a] = buf->arms[a].nrows;
		m->arm_outcome_mean[a] = arm_mean(&buf->arms[a], &aw[a]);
		if (!isfinite(m->arm_outcome_mean[a]))
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("outcome of uplift_fit is too large: the %s of treatment %d sum beyond double precision",
							aw[a].use ? "outcomes times 1/propensity" : "outcomes", a),
					 errhint(aw[a].use ?
							 "Rescale the outcome (for example to thousands), or clip small propensities with option \"min_propensity\"." :
							 "Rescale the outcome (for example to thousands).")));
	}
}

/*
 * Every number of a fitted model is finite, or the fit overflowed: an error
 * that says so rather than the internal error of the model's validation.
 * (The solvers catch overflow first and name the input; this is the net.)
 */
void
learn_model_check(const UpliftModel *m)
{
	bool		ok = linalg_all_finite(m->arm_outcome_mean, m->n_actions + 1);

	for (int32 h = 0; ok && h < m->n_heads; h++)
		ok = linalg_all_finite(m->heads[h].coef, m->heads[h].n_coef);
	if (ok && m->mix != NULL)
		ok = linalg_all_finite(m->mix, m->n_actions);
	if (!ok)
		linear_overflow_error(NULL, "outcome", "the model");
	uplift_model_validate(m, "uplift_fit");
}

/* The heads of m from the rows of a rows buffer, by learner. */
static void
learn_from_rows(const LearnState *st, const LearnSettings *s, UpliftModel *m)
{
	const TrainBuf *buf = st->buf;
	ArmWeights *aw = arm_weights(buf);

	arm_outcome_means(buf, aw, m);
	if (m->base == UPLIFT_BASE_FOREST)
		learn_forest_arm_means(buf, m);
	switch (s->learner)
	{
		case UPLIFT_LEARNER_T:
			learn_t(buf, s, m, aw);
			break;
		case UPLIFT_LEARNER_S:
			learn_s(buf, s, m, aw);
			break;
		case UPLIFT_LEARNER_CLASS_TRANSFORM:
			learn_class_transform(buf, s, m);
			break;
		case UPLIFT_LEARNER_X:
			learn_x(buf, s, m, aw);
			break;
		case UPLIFT_LEARNER_DR:
			learn_dr(buf, s, m);
			break;
		case UPLIFT_LEARNER_FOREST:
			learn_forest(buf, s, m, aw);
			break;
		default:
			elog(ERROR, "unexpected learner code %d", s->learner);
	}
}

UpliftModel *
learn_fit_header(const LearnState *st, LearnSettings *settings)
{
	const TrainBuf *buf = st->buf;
	const LearnSettings *s = settings;
	int32		K = trainbuf_max_action(buf);
	int32		base;

	check_arms(buf, K);
	if (s->learner == UPLIFT_LEARNER_FOREST)
	{
		/* the criterion the outcome calls for, in the model's options too */
		settings->tree.criterion = learn_forest_criterion(s, buf->all_binary, K);
		settings->criterion_set = true;
	}
	if (s->learner == UPLIFT_LEARNER_S)
		linear_check_columns((int64) uplift_s_design_len(buf->p, K, s->interactions) + 1,
							 buf->p, "the s_learner design of");
	base = choose_base(st, K);
	check_binary_outcome(base, buf->all_binary, NAN);
	return model_header(st, s, K, base);
}

UpliftModel *
learn_fit(const LearnState *st, Progress *progress)
{
	LearnSettings settings = st->settings;
	UpliftModel *m;

	settings.progress = progress;
	trainbuf_rows_done(st->buf);
	m = learn_fit_header(st, &settings);
	if (st->buf->moments)
		learn_ts_moments(st->buf, &settings, m);
	else
		learn_from_rows(st, &settings, m);
	learn_model_check(m);
	return m;
}

void
learn_state_summarize(LearnState *st, int32 n_arms, const int64 *nrows,
					  const double *prop_min, const double *prop_max,
					  bool all_binary)
{
	TrainBuf   *buf = st->buf;

	Assert(buf->nrows == 0);
	buf->arms = MemoryContextAllocZero(buf->cxt, Max(n_arms, 1) * sizeof(TrainArm));
	buf->n_arms = n_arms;
	for (int32 a = 0; a < n_arms; a++)
	{
		buf->arms[a].nrows = nrows[a];
		buf->arms[a].prop_min = prop_min[a];
		buf->arms[a].prop_max = prop_max[a];
		buf->nrows += nrows[a];
	}
	buf->all_binary = all_binary;
	st->buf->moments = false;
}
