/*
 * model_format.c
 *	  The stored format of uplift_model: the writer and the reader of its
 *	  bytes, the checksum, and the checks of a model's sizes, codes and
 *	  structure that every model passes when it is built, read or imported.
 *
 * Stored format (all integers and doubles in network byte order, see bytes.h):
 *
 *	  header (16 bytes)
 *		magic "UPLM" | u16 format version | u16 flags (0) | u32 body length |
 *		u32 CRC-32C of the body
 *	  body, format version 2
 *		i32 learner | i32 base | i32 K | i32 p | u8 interactions |
 *		u8 has names [p strings] | K+1 x i64 arm rows | K+1 x f64 arm outcome
 *		means | f64 propensity min | f64 propensity max | i64 clipped rows |
 *		string options (jsonb text) | u8 has mix [K x f64] |
 *		u8 calibrated [K x (f64 intercept, f64 slope, f64 slope's standard
 *		error, i64 rows)] | u32 heads |
 *		per head:
 *		  i32 role | i32 action | i32 link | u32 n_coef | n_coef x f64 |
 *		  i64 rows | i32 iterations | u8 converged | f64 max |gradient|
 *	  body, format version 3 (a model fitted from named features): as
 *	  version 2, then the encoding:
 *		u32 keys | per key, in byte order of the names:
 *		  string name | i32 type | u8 categorical |
 *		  numeric: f64 mean | u8 missing indicator
 *		  categorical: u32 levels | per level: u8 null [string] |
 *		               u32 pooled levels | per level: u8 null [string]
 *	  body, format version 5 (a model fitted with a text treatment): as
 *	  version 3 (an encoding of 0 keys when the model has none), then the
 *	  labels section, last:
 *		u32 K+1 | K+1 strings: the control's label, then the labels of
 *		actions 1..K (in byte order)
 *	  body, format version 1: as version 2 without the slopes' standard errors
 *
 * A model without labels is written as version 3 when it has an encoding,
 * else as version 2.
 *
 * Strings are u32 length + UTF-8 bytes, converted from and to the database
 * encoding.  The writer stores the options in jsonb's canonical text, every
 * zero as +0 and every NaN as the one canonical NaN, so that equal models
 * have equal bytes.  The reader checks the header and the checksum, then
 * every count against the bytes left, every string's encoding and every code
 * against its known values, and finally the learner's structure (which heads
 * it needs), so a corrupted or hostile value is an error, never a crash.  A
 * released format is never changed in place: a new layout gets a new version
 * and the old reader stays.
 */
#include "uplift.h"

#include "common/jsonapi.h"
#include "mb/pg_wchar.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "port/pg_crc32c.h"
#include "utils/float.h"
#include "utils/fmgrprotos.h"
#include "utils/jsonb.h"

#include "bytes.h"
#include "named_features.h"
#include "model.h"
#include "model_format.h"
#include "tree_model.h"

#define MODEL_MAGIC "UPLM"
#define MODEL_HEADER_SIZE 16
#define MODEL_WHAT "uplift_model"

int
uplift_s_design_len(int n_features, int n_actions, bool interactions)
{
	return n_features + n_actions + (interactions ? n_actions * n_features : 0);
}

int
uplift_head_design_len(const UpliftModel *m, int32 role)
{
	if (role == UPLIFT_HEAD_JOINT)
		return uplift_s_design_len(m->n_features, m->n_actions, m->interactions);
	return m->n_features;
}

/*
 * Errors are reported through model_invalid(), which is either a
 * corrupted-value error (reading) or an error of the given code (building,
 * importing).
 */
typedef struct ModelCheck
{
	ByteReader *reader;			/* non-NULL while reading a stored value */
	const char *what;			/* otherwise: what is checked, */
	int			sqlstate;		/* and the error code to report */
} ModelCheck;

static void
model_invalid(ModelCheck *chk, const char *detail)
{
	if (chk->reader != NULL)
		bytes_corrupted(chk->reader, detail);
	ereport(ERROR,
			(errcode(chk->sqlstate),
			 errmsg("invalid %s", chk->what),
			 errdetail("%s.", detail)));
}

/* Is heads[first + i] a head of this role for action actions[i], i < n? */
static bool
heads_are(const UpliftModel *m, int first, int n, int32 role, int32 action_step)
{
	if (first + n > m->n_heads)
		return false;
	for (int i = 0; i < n; i++)
	{
		const UpliftHead *head = &m->heads[first + i];
		int32		action = (action_step == 0) ? i : 1 + i / action_step;

		if (head->role != role || head->action != action)
			return false;
	}
	return true;
}

/* Check that the heads are what the learner needs, in the order it needs. */
static void
check_structure(const UpliftModel *m, ModelCheck *chk)
{
	int			k_count = m->n_actions;
	int			arms = k_count + 1;
	bool		outcomes = heads_are(m, 0, arms, UPLIFT_HEAD_OUTCOME, 0);

	switch (m->learner)
	{
		case UPLIFT_LEARNER_T:
			if (m->n_heads != arms || !outcomes)
				model_invalid(chk, "A t_learner model needs one outcome head per arm, in arm order");
			break;
		case UPLIFT_LEARNER_S:
			if (m->n_heads != 1 || m->heads[0].role != UPLIFT_HEAD_JOINT)
				model_invalid(chk, "An s_learner model needs exactly one joint head");
			break;
		case UPLIFT_LEARNER_CLASS_TRANSFORM:
			if (k_count != 1 || m->n_heads != 1 || m->heads[0].role != UPLIFT_HEAD_TRANSFORMED)
				model_invalid(chk, "A class_transform model needs one action and one transformed head");
			break;
		case UPLIFT_LEARNER_X:
			if (m->n_heads != arms + 2 * k_count || !outcomes || m->mix == NULL)
				model_invalid(chk, "An x_learner model needs outcome heads, two effect heads per action and mixing weights");
			for (int k = 1; k <= k_count; k++)
			{
				const UpliftHead *h0 = &m->heads[arms + 2 * (k - 1)];
				const UpliftHead *h1 = h0 + 1;

				if (h0->role != UPLIFT_HEAD_EFFECT_CONTROL || h0->action != k ||
					h1->role != UPLIFT_HEAD_EFFECT || h1->action != k)
					model_invalid(chk, "An x_learner model needs a control and a treated effect head per action, in action order");
				if (!(m->mix[k - 1] >= 0.0 && m->mix[k - 1] <= 1.0))
					model_invalid(chk, "An x_learner mixing weight is outside [0, 1]");
			}
			break;
		case UPLIFT_LEARNER_DR:
			if (m->n_heads != arms + k_count || !outcomes ||
				!heads_are(m, arms, k_count, UPLIFT_HEAD_EFFECT, 1))
				model_invalid(chk, "A dr_learner model needs outcome heads and one effect head per action, in action order");
			break;
		case UPLIFT_LEARNER_FOREST:
			if (m->n_heads != 1 || m->heads[0].role != UPLIFT_HEAD_ARMS ||
				m->base != UPLIFT_BASE_FOREST)
				model_invalid(chk, "A forest model needs exactly one forest head of every arm");
			break;
		default:
			model_invalid(chk, "The learner is not supported by this version of uplift");
	}
	if (m->mix != NULL && m->learner != UPLIFT_LEARNER_X)
		model_invalid(chk, "Only an x_learner model has mixing weights");
	if (m->calib_slope != NULL)
		for (int k = 0; k < k_count; k++)
		{
			double		se = m->calib_slope_se ? m->calib_slope_se[k] : get_float8_nan();

			if (!isfinite(m->calib_intercept[k]) || !isfinite(m->calib_slope[k]) ||
				m->calib_rows[k] < 0)
				model_invalid(chk, "A calibration line is not finite");
			if (!isnan(se) && !(se >= 0.0 && isfinite(se)))
				model_invalid(chk, "A calibration slope's standard error is negative or infinite");
		}
}

/* Does name look like a generated column name, "action_<digits>" or "action_<digits>:..."? */
static bool
is_generated_name(const char *name)
{
	const char *c = name + strlen("action_");

	if (strncmp(name, "action_", strlen("action_")) != 0 || !isdigit((unsigned char) *c))
		return false;
	while (isdigit((unsigned char) *c))
		c++;
	return *c == '\0' || *c == ':';
}

static int
compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *) a, *(char *const *) b);
}

char *
uplift_feature_names_problem(char *const *names, int p)
{
	char	  **sorted = palloc(sizeof(char *) * Max(p, 1));
	char	   *problem = NULL;

	for (int i = 0; i < p && problem == NULL; i++)
		if (is_generated_name(names[i]))
			problem = psprintf("Name %d, \"%s\", has the form of a generated column name (action_<k> or action_<k>:<name>).",
							   i + 1, names[i]);
	memcpy(sorted, names, sizeof(char *) * p);
	qsort(sorted, p, sizeof(char *), compare_names);
	for (int i = 1; i < p && problem == NULL; i++)
		if (strcmp(sorted[i - 1], sorted[i]) == 0)
			problem = psprintf("The name \"%s\" appears more than once.", sorted[i]);
	pfree(sorted);
	return problem;
}

/*
 * Are the levels unique and in order (byte order for strings, numeric order
 * for numbers), the null level (NULL) last?
 */
static bool
levels_sorted(char *const *levels, int n, bool by_bytes)
{
	for (int l = 1; l < n; l++)
	{
		if (levels[l - 1] == NULL)
			return false;
		if (levels[l] == NULL)
			continue;
		if (by_bytes ?
			features_level_cmp(levels[l - 1], strlen(levels[l - 1]),
							   levels[l], strlen(levels[l])) >= 0 :
			!(strtod(levels[l - 1], NULL) < strtod(levels[l], NULL)))
			return false;
	}
	return true;
}

/*
 * The encoding of named features: keys in byte order, known types, finite
 * means, sorted levels, and the columns it encodes to are the model's
 * features under their generated names.
 */
static void
check_encoding(const UpliftModel *m, ModelCheck *chk)
{
	UpliftEncoding *enc = m->encoding;
	char	  **names;
	int32		p;

	if (enc->n_keys < 1 || enc->n_keys > FEATURES_MAX_KEYS)
		model_invalid(chk, "Number of named features is out of range");
	if (enc->native && m->base != UPLIFT_BASE_FOREST)
		model_invalid(chk, "Only a forest model takes named features natively");
	for (int i = 0; i < enc->n_keys; i++)
	{
		const UpliftFeatureKey *key = &enc->keys[i];

		if (i > 0 && features_level_cmp(enc->keys[i - 1].name, strlen(enc->keys[i - 1].name),
										key->name, strlen(key->name)) >= 0)
			model_invalid(chk, "The named features are not unique and in byte order");
		if (key->type < UPLIFT_KEY_NUMBER || key->type > UPLIFT_KEY_STRING ||
			(key->type == UPLIFT_KEY_STRING && !key->categorical))
			model_invalid(chk, "Unknown type of a named feature");
		if (!key->categorical && !isfinite(key->mean))
			model_invalid(chk, "The mean of a named feature is not finite");
		if (key->categorical &&
			(key->n_levels < 0 || key->n_pooled < 0 ||
			 key->n_levels + key->n_pooled < 1 ||
			 key->n_levels + key->n_pooled > FEATURES_MAX_LEVELS ||
			 !levels_sorted(key->levels, key->n_levels, key->type == UPLIFT_KEY_STRING) ||
			 !levels_sorted(key->pooled, key->n_pooled, key->type == UPLIFT_KEY_STRING)))
			model_invalid(chk, "The levels of a named feature are not unique and in byte order");
	}
	p = uplift_encoding_layout(enc);
	if (p != m->n_features || m->feature_names == NULL)
		model_invalid(chk, "The encoding of the named features does not give the model's features");
	names = uplift_encoding_names(enc, p);
	for (int j = 0; j < p; j++)
		if (strcmp(names[j], m->feature_names[j]) != 0)
			model_invalid(chk, "The feature names are not those of the encoding");
}

/*
 * A forest head predicts its values from the head's design, with the
 * identity link: one value, or one per arm for the uplift forest's head.
 * The forest's own bytes were checked when it was read or grown.
 */
static void
check_forest_head(const UpliftModel *m, const UpliftHead *head, ModelCheck *chk)
{
	const TreeForest *f = head->forest;
	int32		values = head->role == UPLIFT_HEAD_ARMS ? m->n_actions + 1 : 1;

	if (head->n_coef != 0 || head->link != UPLIFT_LINK_IDENTITY)
		model_invalid(chk, "A forest head has coefficients or a link");
	if (f->p != uplift_head_design_len(m, head->role) || f->n_arms != values)
		model_invalid(chk, "A forest head's forest does not fit the head's design");
}

/*
 * The labels of a text treatment: K+1 of them, the control's first, the
 * actions' unique and in byte order, none equal to the control's.
 */
static void
check_labels(const UpliftModel *m, ModelCheck *chk)
{
	char	  **labels = m->action_labels;

	for (int a = 1; a <= m->n_actions; a++)
	{
		if (strcmp(labels[a], labels[0]) == 0)
			model_invalid(chk, "A treatment label is the control's label");
		if (a > 1 && features_level_cmp(labels[a - 1], strlen(labels[a - 1]),
										labels[a], strlen(labels[a])) >= 0)
			model_invalid(chk, "The treatment labels are not unique and in byte order");
	}
}

static void
check_model(const UpliftModel *m, ModelCheck *chk)
{
	int			k_count = m->n_actions;

	if (m->learner < UPLIFT_LEARNER_T || m->learner > UPLIFT_LEARNER_FOREST)
		model_invalid(chk, "Unknown learner code");
	if (m->base < UPLIFT_BASE_LOGISTIC || m->base > UPLIFT_BASE_FOREST)
		model_invalid(chk, "Unknown base code");
	if (k_count < 1 || k_count > UPLIFT_MAX_ACTIONS)
		model_invalid(chk, "Number of actions is out of range");
	if (m->n_features < 1 || m->n_features > UPLIFT_MAX_FEATURES)
		model_invalid(chk, "Number of features is out of range");
	if (m->n_heads < 1 || m->n_heads > UPLIFT_MAX_HEADS)
		model_invalid(chk, "Number of heads is out of range");
	for (int a = 0; a <= k_count; a++)
		if (m->arm_rows[a] < 0)
			model_invalid(chk, "Negative row count");

	for (int h = 0; h < m->n_heads; h++)
	{
		const UpliftHead *head = &m->heads[h];

		CHECK_FOR_INTERRUPTS();
		if (head->role < UPLIFT_HEAD_OUTCOME || head->role > UPLIFT_HEAD_ARMS)
			model_invalid(chk, "Unknown head role");
		if (head->link != UPLIFT_LINK_IDENTITY && head->link != UPLIFT_LINK_LOGIT)
			model_invalid(chk, "Unknown link code");
		if (head->action < -1 || head->action > k_count)
			model_invalid(chk, "Head action is out of range");
		if ((head->forest != NULL) != (m->base == UPLIFT_BASE_FOREST))
			model_invalid(chk, "A head is a forest exactly when the base is \"forest\"");
		if (head->forest != NULL)
		{
			check_forest_head(m, head, chk);
			continue;
		}
		if (head->n_coef != uplift_head_design_len(m, head->role) + 1)
			model_invalid(chk, "Head has the wrong number of coefficients");
		for (int j = 0; j < head->n_coef; j++)
			if (!isfinite(head->coef[j]))
				model_invalid(chk, "Coefficient is not finite");
	}
	check_structure(m, chk);
	if (m->encoding != NULL)
		check_encoding(m, chk);
	if (m->action_labels != NULL)
		check_labels(m, chk);
}

void
uplift_model_check(const UpliftModel *m, const char *what, int sqlstate)
{
	ModelCheck	chk = {NULL, what, sqlstate};

	check_model(m, &chk);
}

void
uplift_model_validate(const UpliftModel *m, const char *what)
{
	uplift_model_check(m, what, ERRCODE_INTERNAL_ERROR);
}

/*
 * A double as stored: -0 as +0 and any NaN as the canonical NaN, so that a
 * model read back from its description has the same bytes.
 */
static void
put_value(StringInfo buf, double x)
{
	if (isnan(x))
		x = get_float8_nan();
	else if (x == 0.0)
		x = 0.0;
	bytes_put_f64(buf, x);
}

static void
put_values(StringInfo buf, const double *x, int n)
{
	for (int i = 0; i < n; i++)
		put_value(buf, x[i]);
}

/* A string in the database encoding, stored as UTF-8. */
static void
put_text(StringInfo buf, const char *s)
{
	int			len = strlen(s);
	char	   *utf8 = pg_server_to_any(s, len, PG_UTF8);

	if (!pg_verify_mbstr(PG_UTF8, utf8, strlen(utf8), true))
		ereport(ERROR,
				(errcode(ERRCODE_CHARACTER_NOT_IN_REPERTOIRE),
				 errmsg("a string of the model is not valid UTF-8"),
				 errdetail("The string is \"%s\".", s),
				 errhint("Use feature names and options in the database encoding.")));
	bytes_put_str(buf, utf8);
}

/* The options as jsonb's canonical text, whatever spacing or key order they came in. */
static char *
canonical_options(const char *options)
{
	Jsonb	   *j = DatumGetJsonbP(DirectFunctionCall1(jsonb_in, CStringGetDatum(options)));

	return JsonbToCString(NULL, &j->root, VARSIZE(j));
}

static void
put_body(StringInfo buf, const UpliftModel *m)
{
	int			k_count = m->n_actions;

	bytes_put_i32(buf, m->learner);
	bytes_put_i32(buf, m->base);
	bytes_put_i32(buf, k_count);
	bytes_put_i32(buf, m->n_features);
	bytes_put_u8(buf, m->interactions ? 1 : 0);
	bytes_put_u8(buf, m->feature_names != NULL ? 1 : 0);
	if (m->feature_names != NULL)
		for (int i = 0; i < m->n_features; i++)
			put_text(buf, m->feature_names[i]);
	for (int a = 0; a <= k_count; a++)
		bytes_put_i64(buf, m->arm_rows[a]);
	put_values(buf, m->arm_outcome_mean, k_count + 1);
	put_value(buf, m->propensity_min);
	put_value(buf, m->propensity_max);
	bytes_put_i64(buf, m->n_clipped);
	put_text(buf, canonical_options(m->options ? m->options : "{}"));
	bytes_put_u8(buf, m->mix != NULL ? 1 : 0);
	if (m->mix != NULL)
		put_values(buf, m->mix, k_count);
	bytes_put_u8(buf, m->calib_slope != NULL ? 1 : 0);
	if (m->calib_slope != NULL)
		for (int k = 0; k < k_count; k++)
		{
			put_value(buf, m->calib_intercept[k]);
			put_value(buf, m->calib_slope[k]);
			put_value(buf, m->calib_slope_se ? m->calib_slope_se[k] : get_float8_nan());
			bytes_put_i64(buf, m->calib_rows[k]);
		}
	bytes_put_u32(buf, m->n_heads);
	for (int h = 0; h < m->n_heads; h++)
	{
		const UpliftHead *head = &m->heads[h];

		bytes_put_i32(buf, head->role);
		bytes_put_i32(buf, head->action);
		bytes_put_i32(buf, head->link);
		bytes_put_u32(buf, head->n_coef);
		put_values(buf, head->coef, head->n_coef);
		bytes_put_i64(buf, head->n_rows);
		bytes_put_i32(buf, head->n_iter);
		bytes_put_u8(buf, head->converged ? 1 : 0);
		put_value(buf, head->max_grad);
	}
}

static void
put_levels(StringInfo buf, char *const *levels, int n)
{
	bytes_put_u32(buf, n);
	for (int l = 0; l < n; l++)
	{
		bytes_put_u8(buf, levels[l] == NULL ? 1 : 0);
		if (levels[l] != NULL)
			put_text(buf, levels[l]);
	}
}

static void
put_encoding(StringInfo buf, const UpliftEncoding *enc)
{
	bytes_put_u32(buf, enc->n_keys);
	for (int i = 0; i < enc->n_keys; i++)
	{
		const UpliftFeatureKey *key = &enc->keys[i];

		put_text(buf, key->name);
		bytes_put_i32(buf, key->type);
		bytes_put_u8(buf, key->categorical ? 1 : 0);
		if (!key->categorical)
		{
			put_value(buf, key->mean);
			bytes_put_u8(buf, key->indicator ? 1 : 0);
			continue;
		}
		put_levels(buf, key->levels, key->n_levels);
		put_levels(buf, key->pooled, key->n_pooled);
	}
}

/* The labels section (format 5): the K+1 labels of a text treatment. */
static void
put_labels(StringInfo buf, const UpliftModel *m)
{
	bytes_put_u32(buf, m->n_actions + 1);
	for (int a = 0; a <= m->n_actions; a++)
		put_text(buf, m->action_labels[a]);
}

static pg_crc32c
body_crc(const char *body, Size len)
{
	pg_crc32c	crc;

	INIT_CRC32C(crc);
	COMP_CRC32C(crc, body, len);
	FIN_CRC32C(crc);
	return crc;
}

/* The lowest format version that holds m. */
static uint16
model_version(const UpliftModel *m)
{
	if (m->action_labels != NULL)
		return UPLIFT_MODEL_FORMAT_LABELS;
	if (m->base == UPLIFT_BASE_FOREST)
		return UPLIFT_MODEL_FORMAT_FORESTS;
	if (m->encoding != NULL)
		return UPLIFT_MODEL_FORMAT_ENCODING;
	return UPLIFT_MODEL_FORMAT_ARRAYS;
}

/* Each head's forest, if it has one: a flag, then its own checked bytes. */
static void
put_forests(StringInfo buf, const UpliftModel *m)
{
	for (int h = 0; h < m->n_heads; h++)
		tree_forest_put(buf, m->heads[h].forest);
}

bytea *
uplift_model_serialize(const UpliftModel *m)
{
	StringInfoData body;
	StringInfoData out;
	uint16		version;

	uplift_model_validate(m, "model built by a learner");

	initStringInfo(&body);
	put_body(&body, m);
	version = model_version(m);
	if (version >= UPLIFT_MODEL_FORMAT_FORESTS)
		bytes_put_u8(&body, m->encoding == NULL ? 0 : m->encoding->native ? 2 : 1);
	if (m->encoding != NULL)
		put_encoding(&body, m->encoding);
	if (version >= UPLIFT_MODEL_FORMAT_FORESTS)
		put_forests(&body, m);
	if (version >= UPLIFT_MODEL_FORMAT_LABELS)
		put_labels(&body, m);

	bytes_begin_bytea(&out);
	appendBinaryStringInfo(&out, MODEL_MAGIC, 4);
	bytes_put_u16(&out, version);
	bytes_put_u16(&out, 0);
	bytes_put_u32(&out, (uint32) body.len);
	bytes_put_u32(&out, body_crc(body.data, body.len));
	appendBinaryStringInfo(&out, body.data, body.len);

	pfree(body.data);
	return bytes_end_bytea(&out);
}

/* Is s a syntactically valid JSON object? */
static bool
is_json_object(char *s)
{
	JsonLexContext *lex = makeJsonLexContextCstringLen(s, strlen(s), GetDatabaseEncoding(), false);

	return s[0] == '{' && pg_parse_json(lex, &nullSemAction) == JSON_SUCCESS;
}

/* A stored string: valid UTF-8, returned in the database encoding. */
static char *
get_text(ByteReader *r)
{
	char	   *s = bytes_get_str(r);
	int			len = strlen(s);

	if (!pg_verify_mbstr(PG_UTF8, s, len, true))
		bytes_corrupted(r, "A string is not valid UTF-8");
	return pg_any_to_server(s, len, PG_UTF8);
}

static char **
get_levels(ByteReader *r, int32 *n)
{
	char	  **levels;

	*n = bytes_get_count(r, 1, FEATURES_MAX_LEVELS);
	levels = palloc(sizeof(char *) * Max(*n, 1));
	for (int l = 0; l < *n; l++)
		levels[l] = bytes_get_u8(r) != 0 ? NULL : get_text(r);
	return levels;
}

static UpliftEncoding *
get_encoding(ByteReader *r)
{
	UpliftEncoding *enc = palloc0(sizeof(UpliftEncoding));

	/* a key takes at least 14 bytes */
	enc->n_keys = bytes_get_count(r, 14, FEATURES_MAX_KEYS);
	enc->keys = palloc0(sizeof(UpliftFeatureKey) * Max(enc->n_keys, 1));
	for (int i = 0; i < enc->n_keys; i++)
	{
		UpliftFeatureKey *key = &enc->keys[i];

		CHECK_FOR_INTERRUPTS();
		key->name = get_text(r);
		key->type = bytes_get_i32(r);
		key->categorical = bytes_get_u8(r) != 0;
		if (!key->categorical)
		{
			key->mean = bytes_get_f64(r);
			key->indicator = bytes_get_u8(r) != 0;
			continue;
		}
		key->levels = get_levels(r, &key->n_levels);
		key->pooled = get_levels(r, &key->n_pooled);
	}
	return enc;
}

/* The heads' forests (format 4). */
static void
get_forests(ByteReader *r, UpliftModel *m)
{
	for (int h = 0; h < m->n_heads; h++)
	{
		CHECK_FOR_INTERRUPTS();
		m->heads[h].forest = tree_forest_get(r);
	}
	if (m->learner == UPLIFT_LEARNER_S && m->base == UPLIFT_BASE_FOREST)
		m->scratch = palloc(sizeof(double) *
							uplift_s_design_len(m->n_features, m->n_actions, m->interactions));
}

/* The labels section (format 5): K+1 labels. */
static char **
get_labels(ByteReader *r, int32 k_count)
{
	char	  **labels;

	/* a label takes at least 4 bytes */
	if (bytes_get_count(r, 4, UPLIFT_MAX_ACTIONS + 1) != (uint32) k_count + 1)
		bytes_corrupted(r, "The number of treatment labels is not the number of arms");
	labels = palloc(sizeof(char *) * (k_count + 1));
	for (int a = 0; a <= k_count; a++)
		labels[a] = get_text(r);
	return labels;
}

/*
 * Body of format version 1, 2 (which adds the slopes' standard errors), 3
 * (which adds the encoding of named features), 4 (which makes the encoding
 * optional and adds forests) or 5 (which adds the labels of a text
 * treatment).
 */
static UpliftModel *
read_body(ByteReader *r, uint16 version)
{
	UpliftModel *m = palloc0(sizeof(UpliftModel));
	ModelCheck	chk = {r, MODEL_WHAT, ERRCODE_INVALID_BINARY_REPRESENTATION};
	int			k_count;

	m->format_version = version;
	m->learner = bytes_get_i32(r);
	m->base = bytes_get_i32(r);
	m->n_actions = k_count = bytes_get_i32(r);
	m->n_features = bytes_get_i32(r);
	if (k_count < 1 || k_count > UPLIFT_MAX_ACTIONS)
		model_invalid(&chk, "Number of actions is out of range");
	if (m->n_features < 1 || m->n_features > UPLIFT_MAX_FEATURES)
		model_invalid(&chk, "Number of features is out of range");
	m->interactions = bytes_get_u8(r) != 0;
	if (bytes_get_u8(r) != 0)
	{
		m->feature_names = palloc(sizeof(char *) * m->n_features);
		for (int i = 0; i < m->n_features; i++)
			m->feature_names[i] = get_text(r);
	}
	m->arm_rows = palloc(sizeof(int64) * (k_count + 1));
	for (int a = 0; a <= k_count; a++)
		m->arm_rows[a] = bytes_get_i64(r);
	m->arm_outcome_mean = palloc(sizeof(double) * (k_count + 1));
	bytes_get_f64s(r, m->arm_outcome_mean, k_count + 1);
	m->propensity_min = bytes_get_f64(r);
	m->propensity_max = bytes_get_f64(r);
	m->n_clipped = bytes_get_i64(r);
	m->options = get_text(r);
	if (!is_json_object(m->options))
		model_invalid(&chk, "The stored options are not a JSON object");
	if (bytes_get_u8(r) != 0)
	{
		m->mix = palloc(sizeof(double) * k_count);
		bytes_get_f64s(r, m->mix, k_count);
	}
	if (bytes_get_u8(r) != 0)
	{
		m->calib_intercept = palloc(sizeof(double) * k_count);
		m->calib_slope = palloc(sizeof(double) * k_count);
		m->calib_slope_se = palloc(sizeof(double) * k_count);
		m->calib_rows = palloc(sizeof(int64) * k_count);
		for (int k = 0; k < k_count; k++)
		{
			m->calib_intercept[k] = bytes_get_f64(r);
			m->calib_slope[k] = bytes_get_f64(r);
			m->calib_slope_se[k] = version >= 2 ? bytes_get_f64(r) : get_float8_nan();
			m->calib_rows[k] = bytes_get_i64(r);
		}
	}

	/* a head takes at least 37 bytes */
	m->n_heads = bytes_get_count(r, 37, UPLIFT_MAX_HEADS);
	m->heads = palloc0(sizeof(UpliftHead) * Max(m->n_heads, 1));
	for (int h = 0; h < m->n_heads; h++)
	{
		UpliftHead *head = &m->heads[h];

		head->role = bytes_get_i32(r);
		head->action = bytes_get_i32(r);
		head->link = bytes_get_i32(r);
		head->n_coef = bytes_get_count(r, sizeof(double), PG_INT32_MAX);
		head->coef = palloc(sizeof(double) * Max(head->n_coef, 1));
		bytes_get_f64s(r, head->coef, head->n_coef);
		head->n_rows = bytes_get_i64(r);
		head->n_iter = bytes_get_i32(r);
		head->converged = bytes_get_u8(r) != 0;
		head->max_grad = bytes_get_f64(r);
	}
	if (version == UPLIFT_MODEL_FORMAT_ENCODING)
		m->encoding = get_encoding(r);
	else if (version >= UPLIFT_MODEL_FORMAT_FORESTS)
	{
		uint8		kind = bytes_get_u8(r);	/* 0: none, 1: one-hot, 2: native */

		if (kind > 2)
			model_invalid(&chk, "Unknown kind of encoding");
		if (kind > 0)
		{
			m->encoding = get_encoding(r);
			m->encoding->native = kind == 2;
		}
	}
	if (version >= UPLIFT_MODEL_FORMAT_FORESTS)
		get_forests(r, m);
	if (version >= UPLIFT_MODEL_FORMAT_LABELS)
		m->action_labels = get_labels(r, k_count);
	bytes_expect_end(r);
	check_model(m, &chk);
	return m;
}

UpliftModel *
uplift_model_deserialize(const bytea *stored)
{
	ByteReader	r;
	const char *data = VARDATA_ANY(stored);
	Size		len = VARSIZE_ANY_EXHDR(stored);
	uint16		version;
	uint32		body_len;
	uint32		crc;

	bytes_reader_init(&r, data, len, MODEL_WHAT);
	if (len < MODEL_HEADER_SIZE || memcmp(data, MODEL_MAGIC, 4) != 0)
		bytes_corrupted(&r, "The value does not start with the uplift_model header");
	r.pos = 4;
	version = bytes_get_u16(&r);
	if (bytes_get_u16(&r) != 0)
		bytes_corrupted(&r, "Unknown header flags");
	body_len = bytes_get_u32(&r);
	crc = bytes_get_u32(&r);
	if (body_len != len - MODEL_HEADER_SIZE)
		bytes_corrupted(&r, "Body length does not match the value's size");
	if (crc != body_crc(data + MODEL_HEADER_SIZE, body_len))
		bytes_corrupted(&r, "Checksum mismatch");

	bytes_reader_init(&r, data + MODEL_HEADER_SIZE, body_len, MODEL_WHAT);
	if (version < 1 || version > UPLIFT_MODEL_FORMAT_VERSION)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("uplift_model format version %u is not supported", version),
				 errhint("The model was written by a newer version of uplift; upgrade the extension.")));
	return read_body(&r, version);
}

uint32
uplift_model_stored_checksum(const bytea *stored)
{
	ByteReader	r;

	bytes_reader_init(&r, VARDATA_ANY(stored), VARSIZE_ANY_EXHDR(stored), MODEL_WHAT);
	r.pos = 12;
	return bytes_get_u32(&r);
}
