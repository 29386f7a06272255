/*
 * model.c
 *	  The uplift_model type: stored format, validation, text and binary I/O,
 *	  and uplift_model_info.
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
 *	  body, format version 1: as version 2 without the slopes' standard errors
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
#include "common/shortest_dec.h"
#include "mb/pg_wchar.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "libpq/pqformat.h"
#include "port/pg_crc32c.h"
#include "utils/builtins.h"
#include "utils/float.h"
#include "utils/fmgrprotos.h"
#include "utils/json.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"

#include "bytes.h"
#include "model.h"
#include "options.h"

#define MODEL_MAGIC "UPLM"
#define MODEL_HEADER_SIZE 16
#define MODEL_WHAT "uplift_model"

static const char *const learner_names[] = {
	NULL, "t_learner", "s_learner", "class_transform", "x_learner",
	"dr_learner", "forest"
};
static const char *const base_names[] = {NULL, "logistic", "linear"};
static const char *const role_names[] = {
	NULL, "outcome", "joint", "effect", "transformed", "effect_control"
};
static const char *const link_names[] = {NULL, "identity", "logit"};

const char *
uplift_learner_name(int32 learner)
{
	if (learner < UPLIFT_LEARNER_T || learner > UPLIFT_LEARNER_FOREST)
		return "unknown";
	return learner_names[learner];
}

const char *
uplift_base_name(int32 base)
{
	if (base < UPLIFT_BASE_LOGISTIC || base > UPLIFT_BASE_LINEAR)
		return "unknown";
	return base_names[base];
}

int
uplift_s_design_len(int n_features, int n_actions, bool interactions)
{
	return n_features + n_actions + (interactions ? n_actions * n_features : 0);
}

void
uplift_s_design(const UpliftModel *m, const double *x, int action, double *z)
{
	int			p = m->n_features;
	int			k_count = m->n_actions;
	int			j = 0;

	for (int i = 0; i < p; i++)
		z[j++] = x[i];
	for (int k = 1; k <= k_count; k++)
		z[j++] = (action == k) ? 1.0 : 0.0;
	if (m->interactions)
		for (int k = 1; k <= k_count; k++)
			for (int i = 0; i < p; i++)
				z[j++] = (action == k) ? x[i] : 0.0;
}

/* Design length (without the intercept) that a head of this role uses. */
static int
head_design_len(const UpliftModel *m, int32 role)
{
	if (role == UPLIFT_HEAD_JOINT)
		return uplift_s_design_len(m->n_features, m->n_actions, m->interactions);
	return m->n_features;
}

/*
 * Errors are reported through report(), which is either a corrupted-value
 * error (reading) or an internal error (building).
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

bool
uplift_model_has_outcomes(const UpliftModel *m)
{
	return m->learner == UPLIFT_LEARNER_T || m->learner == UPLIFT_LEARNER_X ||
		m->learner == UPLIFT_LEARNER_DR;
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

static void
check_model(const UpliftModel *m, ModelCheck *chk)
{
	int			k_count = m->n_actions;

	if (m->learner < UPLIFT_LEARNER_T || m->learner > UPLIFT_LEARNER_FOREST)
		model_invalid(chk, "Unknown learner code");
	if (m->base < UPLIFT_BASE_LOGISTIC || m->base > UPLIFT_BASE_LINEAR)
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
		if (head->role < UPLIFT_HEAD_OUTCOME || head->role > UPLIFT_HEAD_EFFECT_CONTROL)
			model_invalid(chk, "Unknown head role");
		if (head->link != UPLIFT_LINK_IDENTITY && head->link != UPLIFT_LINK_LOGIT)
			model_invalid(chk, "Unknown link code");
		if (head->action < -1 || head->action > k_count)
			model_invalid(chk, "Head action is out of range");
		if (head->n_coef != head_design_len(m, head->role) + 1)
			model_invalid(chk, "Head has the wrong number of coefficients");
		for (int j = 0; j < head->n_coef; j++)
			if (!isfinite(head->coef[j]))
				model_invalid(chk, "Coefficient is not finite");
	}
	check_structure(m, chk);
}

void
uplift_model_validate(const UpliftModel *m, const char *what)
{
	ModelCheck	chk = {NULL, what, ERRCODE_INTERNAL_ERROR};

	check_model(m, &chk);
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

static pg_crc32c
body_crc(const char *body, Size len)
{
	pg_crc32c	crc;

	INIT_CRC32C(crc);
	COMP_CRC32C(crc, body, len);
	FIN_CRC32C(crc);
	return crc;
}

bytea *
uplift_model_serialize(const UpliftModel *m)
{
	StringInfoData body;
	StringInfoData out;

	uplift_model_validate(m, "model built by a learner");

	initStringInfo(&body);
	put_body(&body, m);

	bytes_begin_bytea(&out);
	appendBinaryStringInfo(&out, MODEL_MAGIC, 4);
	bytes_put_u16(&out, UPLIFT_MODEL_FORMAT_VERSION);
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

/* Body of format version 1 or 2 (which adds the slopes' standard errors). */
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

/*
 * Per-call-site cache of the parsed model.  The raw argument bytes (a toast
 * pointer, a compressed or a plain value) identify the model, so a call that
 * sees the same bytes again reuses the parsed model without detoasting.  The
 * bytes are compared on every call: even a constant or parameter argument can
 * change under a cached call site (PL/pgSQL reuses simple expressions).
 */
typedef struct ModelCache
{
	Size		raw_len;
	char	   *raw;
	UpliftModel *model;
	double	   *features;		/* room for the model's features */
	MemoryContext cxt;
} ModelCache;

/* One cache per model argument of a call site. */
#define MODEL_CACHE_SLOTS 4

static ModelCache *
model_cache(FunctionCallInfo fcinfo, int argno)
{
	struct varlena *raw = (struct varlena *) DatumGetPointer(PG_GETARG_DATUM(argno));
	Size		raw_len = VARSIZE_ANY(raw);
	ModelCache **slots = (ModelCache **) fcinfo->flinfo->fn_extra;
	ModelCache *cache;
	MemoryContext old;

	if (argno >= MODEL_CACHE_SLOTS)
		elog(ERROR, "model argument %d is beyond the cached arguments", argno);
	if (slots == NULL)
	{
		slots = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt,
									   sizeof(ModelCache *) * MODEL_CACHE_SLOTS);
		fcinfo->flinfo->fn_extra = slots;
	}
	cache = slots[argno];
	if (cache != NULL && cache->model != NULL &&
		cache->raw_len == raw_len && memcmp(cache->raw, raw, raw_len) == 0)
		return cache;

	if (cache == NULL)
	{
		cache = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(ModelCache));
		cache->cxt = AllocSetContextCreate(fcinfo->flinfo->fn_mcxt, "uplift model cache",
										   ALLOCSET_SMALL_SIZES);
		slots[argno] = cache;
	}
	MemoryContextReset(cache->cxt);
	cache->model = NULL;
	cache->raw_len = 0;

	old = MemoryContextSwitchTo(cache->cxt);
	cache->model = uplift_model_deserialize(PG_DETOAST_DATUM(PG_GETARG_DATUM(argno)));
	cache->features = palloc(sizeof(double) * cache->model->n_features);
	cache->raw = palloc(raw_len);
	memcpy(cache->raw, raw, raw_len);
	cache->raw_len = raw_len;
	MemoryContextSwitchTo(old);
	return cache;
}

const UpliftModel *
uplift_model_cached_arg(FunctionCallInfo fcinfo, int argno, double **features)
{
	ModelCache *cache = model_cache(fcinfo, argno);

	if (features != NULL)
		*features = cache->features;
	return cache->model;
}

/* Validate a bytea as a stored model and return it as one. */
static bytea *
checked_copy(const char *data, Size len)
{
	bytea	   *v = bytes_copy_bytea(data, len);

	(void) uplift_model_deserialize(v);
	return v;
}

PG_FUNCTION_INFO_V1(uplift_model_in);
Datum
uplift_model_in(PG_FUNCTION_ARGS)
{
	int			declen;
	char	   *decoded = bytes_from_base64(PG_GETARG_CSTRING(0), "uplift_model", &declen);

	PG_RETURN_BYTEA_P(checked_copy(decoded, declen));
}

PG_FUNCTION_INFO_V1(uplift_model_out);
Datum
uplift_model_out(PG_FUNCTION_ARGS)
{
	PG_RETURN_CSTRING(bytes_to_base64(PG_GETARG_BYTEA_PP(0), "uplift_model"));
}

PG_FUNCTION_INFO_V1(uplift_model_recv);
Datum
uplift_model_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	int			len = buf->len - buf->cursor;
	bytea	   *v = checked_copy(buf->data + buf->cursor, len);

	buf->cursor = buf->len;
	PG_RETURN_BYTEA_P(v);
}

PG_FUNCTION_INFO_V1(uplift_model_send);
Datum
uplift_model_send(PG_FUNCTION_ARGS)
{
	bytea	   *v = PG_GETARG_BYTEA_PP(0);
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendbytes(&buf, VARDATA_ANY(v), VARSIZE_ANY_EXHDR(v));
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/* uplift_model -> bytea and back (the bytea is validated). */
PG_FUNCTION_INFO_V1(uplift_model_to_bytea);
Datum
uplift_model_to_bytea(PG_FUNCTION_ARGS)
{
	PG_RETURN_BYTEA_P(PG_GETARG_BYTEA_P_COPY(0));
}

PG_FUNCTION_INFO_V1(uplift_model_from_bytea);
Datum
uplift_model_from_bytea(PG_FUNCTION_ARGS)
{
	bytea	   *v = PG_GETARG_BYTEA_PP(0);

	PG_RETURN_BYTEA_P(checked_copy(VARDATA_ANY(v), VARSIZE_ANY_EXHDR(v)));
}

PG_FUNCTION_INFO_V1(uplift_model_checksum);
Datum
uplift_model_checksum(PG_FUNCTION_ARGS)
{
	bytea	   *v = PG_GETARG_BYTEA_PP(0);
	ByteReader	r;

	bytes_reader_init(&r, VARDATA_ANY(v), VARSIZE_ANY_EXHDR(v), MODEL_WHAT);
	r.pos = 12;
	PG_RETURN_TEXT_P(cstring_to_text(psprintf("%08x", bytes_get_u32(&r))));
}

/* JSON helpers for uplift_model_info. */
static void
json_key(StringInfo buf, const char *key, bool *first)
{
	if (!*first)
		appendStringInfoString(buf, ", ");
	*first = false;
	escape_json(buf, key);
	appendStringInfoString(buf, ": ");
}

/* The shortest text that reads back as exactly x, whatever extra_float_digits says. */
static void
json_double(StringInfo buf, double x)
{
	char		digits[DOUBLE_SHORTEST_DECIMAL_LEN];

	if (!isfinite(x))
	{
		appendStringInfoString(buf, "null");
		return;
	}
	double_to_shortest_decimal_buf(x, digits);
	appendStringInfoString(buf, digits);
}

static void
append_doubles(StringInfo buf, const double *x, int n)
{
	appendStringInfoChar(buf, '[');
	for (int i = 0; i < n; i++)
	{
		if (i > 0)
			appendStringInfoString(buf, ", ");
		json_double(buf, x[i]);
	}
	appendStringInfoChar(buf, ']');
}

/* Name of design column j (0-based, intercept excluded) of a head. */
static char *
column_name(const UpliftModel *m, int32 role, int j)
{
	int			p = m->n_features;

#define FEATURE_NAME(i) (m->feature_names ? m->feature_names[i] : psprintf("x%d", (i) + 1))
	if (j < p)
		return FEATURE_NAME(j);
	j -= p;
	if (role == UPLIFT_HEAD_JOINT && j < m->n_actions)
		return psprintf("action_%d", j + 1);
	j -= m->n_actions;
	return psprintf("action_%d:%s", j / p + 1, FEATURE_NAME(j % p));
#undef FEATURE_NAME
}

/*
 * A head, its coefficients keyed by column name, or (keyed false: a model
 * stored before feature names were checked, whose names would collide) an
 * array in column order, which uplift_model_import reads as well.
 */
static void
append_head(StringInfo buf, const UpliftModel *m, const UpliftHead *head, bool keyed)
{
	bool		first = true;
	bool		first_coef = true;

	appendStringInfoChar(buf, '{');
	json_key(buf, "role", &first);
	escape_json(buf, role_names[head->role]);
	json_key(buf, "action", &first);
	appendStringInfo(buf, "%d", head->action);
	json_key(buf, "link", &first);
	escape_json(buf, link_names[head->link]);
	json_key(buf, "intercept", &first);
	json_double(buf, head->coef[0]);
	json_key(buf, "coefficients", &first);
	if (keyed)
	{
		appendStringInfoChar(buf, '{');
		for (int j = 1; j < head->n_coef; j++)
		{
			CHECK_FOR_INTERRUPTS();
			json_key(buf, column_name(m, head->role, j - 1), &first_coef);
			json_double(buf, head->coef[j]);
		}
		appendStringInfoChar(buf, '}');
	}
	else
		append_doubles(buf, head->coef + 1, head->n_coef - 1);
	json_key(buf, "rows", &first);
	appendStringInfo(buf, INT64_FORMAT, head->n_rows);
	json_key(buf, "iterations", &first);
	appendStringInfo(buf, "%d", head->n_iter);
	json_key(buf, "converged", &first);
	appendStringInfoString(buf, head->converged ? "true" : "false");
	json_key(buf, "max_gradient", &first);
	json_double(buf, head->max_grad);
	appendStringInfoChar(buf, '}');
}

PG_FUNCTION_INFO_V1(uplift_model_info);
Datum
uplift_model_info(PG_FUNCTION_ARGS)
{
	bytea	   *v = PG_GETARG_BYTEA_PP(0);
	UpliftModel *m = uplift_model_deserialize(v);
	StringInfoData buf;
	bool		first = true;
	bool		keyed = m->feature_names == NULL ||
		uplift_feature_names_problem(m->feature_names, m->n_features) == NULL;

	initStringInfo(&buf);
	appendStringInfoChar(&buf, '{');
	json_key(&buf, "format_version", &first);
	appendStringInfo(&buf, "%d", m->format_version);
	json_key(&buf, "checksum", &first);
	escape_json(&buf, text_to_cstring(DatumGetTextPP(DirectFunctionCall1(uplift_model_checksum,
																		  PointerGetDatum(v)))));
	json_key(&buf, "learner", &first);
	escape_json(&buf, uplift_learner_name(m->learner));
	json_key(&buf, "base", &first);
	escape_json(&buf, uplift_base_name(m->base));
	json_key(&buf, "n_actions", &first);
	appendStringInfo(&buf, "%d", m->n_actions);
	json_key(&buf, "n_features", &first);
	appendStringInfo(&buf, "%d", m->n_features);
	if (m->learner == UPLIFT_LEARNER_S)
	{
		json_key(&buf, "interactions", &first);
		appendStringInfoString(&buf, m->interactions ? "true" : "false");
	}
	json_key(&buf, "feature_names", &first);
	if (m->feature_names == NULL)
		appendStringInfoString(&buf, "null");
	else
	{
		appendStringInfoChar(&buf, '[');
		for (int i = 0; i < m->n_features; i++)
		{
			if (i > 0)
				appendStringInfoString(&buf, ", ");
			escape_json(&buf, m->feature_names[i]);
		}
		appendStringInfoChar(&buf, ']');
	}
	json_key(&buf, "arms", &first);
	appendStringInfoChar(&buf, '[');
	for (int a = 0; a <= m->n_actions; a++)
	{
		appendStringInfo(&buf, "%s{\"action\": %d, \"rows\": " INT64_FORMAT ", \"outcome_mean\": ",
						 a > 0 ? ", " : "", a, m->arm_rows[a]);
		json_double(&buf, m->arm_outcome_mean[a]);
		appendStringInfoChar(&buf, '}');
	}
	appendStringInfoChar(&buf, ']');
	json_key(&buf, "propensity", &first);
	appendStringInfoString(&buf, "{\"min\": ");
	json_double(&buf, m->propensity_min);
	appendStringInfoString(&buf, ", \"max\": ");
	json_double(&buf, m->propensity_max);
	appendStringInfo(&buf, ", \"clipped_rows\": " INT64_FORMAT "}", m->n_clipped);
	json_key(&buf, "options", &first);
	appendStringInfoString(&buf, m->options);
	if (m->mix != NULL)
	{
		json_key(&buf, "mix", &first);
		append_doubles(&buf, m->mix, m->n_actions);
	}
	json_key(&buf, "calibration", &first);
	if (m->calib_slope == NULL)
		appendStringInfoString(&buf, "null");
	else
	{
		appendStringInfoChar(&buf, '[');
		for (int k = 0; k < m->n_actions; k++)
		{
			appendStringInfo(&buf, "%s{\"action\": %d, \"intercept\": ", k > 0 ? ", " : "", k + 1);
			json_double(&buf, m->calib_intercept[k]);
			appendStringInfoString(&buf, ", \"slope\": ");
			json_double(&buf, m->calib_slope[k]);
			appendStringInfoString(&buf, ", \"slope_se\": ");
			json_double(&buf, m->calib_slope_se[k]);
			appendStringInfo(&buf, ", \"rows\": " INT64_FORMAT "}", m->calib_rows[k]);
		}
		appendStringInfoChar(&buf, ']');
	}
	json_key(&buf, "heads", &first);
	appendStringInfoChar(&buf, '[');
	for (int h = 0; h < m->n_heads; h++)
	{
		if (h > 0)
			appendStringInfoString(&buf, ", ");
		append_head(&buf, m, &m->heads[h], keyed);
	}
	appendStringInfoString(&buf, "]}");

	PG_RETURN_DATUM(DirectFunctionCall1(jsonb_in, CStringGetDatum(buf.data)));
}

/*
 * uplift_model_import: build a model from its description, in the shape that
 * uplift_model_info returns (so import(info(m)) gives m back).  This lets a
 * model fitted elsewhere be scored here.  Coefficients are an object keyed by
 * column name (as uplift_model_info names them) or an array in column order.
 */
static JsonbValue *
spec_get(JsonbContainer *c, const char *key, bool required)
{
	JsonbValue *v = getKeyJsonValueFromContainer(c, key, strlen(key), NULL);

	if ((v == NULL || v->type == jbvNull) && required)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("model description lacks \"%s\"", key),
				 errhint("Describe the model as uplift_model_info returns it.")));
	return (v != NULL && v->type == jbvNull) ? NULL : v;
}

/* A JSON number as float8, or an error naming key when it overflows float8. */
static double
spec_float8(Numeric num, const char *key)
{
	char	   *digits = DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(num)));
	bool		overflow = false;
	double		x = float8in_internal_opt_error(digits, NULL, "double precision", digits, &overflow);

	if (overflow)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("\"%s\" of the model description is out of range for double precision", key)));
	return x;
}

static double
spec_number(JsonbContainer *c, const char *key, bool required, double dflt)
{
	JsonbValue *v = spec_get(c, key, required);

	if (v == NULL)
		return dflt;
	if (v->type != jbvNumeric)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("\"%s\" of the model description must be a number", key)));
	return spec_float8(v->val.numeric, key);
}

static int32
spec_int(JsonbContainer *c, const char *key, bool required, int32 dflt)
{
	double		x = spec_number(c, key, required, dflt);

	if (x != floor(x) || x < PG_INT32_MIN || x > PG_INT32_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("\"%s\" of the model description must be an integer", key)));
	return (int32) x;
}

/* A count such as rows: a whole number, read exactly (no detour through float8). */
static int64
spec_count(JsonbContainer *c, const char *key)
{
	JsonbValue *v = spec_get(c, key, false);
	Datum		zero = DirectFunctionCall1(int8_numeric, Int64GetDatum(0));
	Datum		top = DirectFunctionCall1(int8_numeric, Int64GetDatum(PG_INT64_MAX));
	Datum		num;
	int64		n;

	if (v == NULL)
		return 0;
	if (v->type == jbvNumeric)
	{
		num = NumericGetDatum(v->val.numeric);
		if (DatumGetBool(DirectFunctionCall2(numeric_ge, num, zero)) &&
			DatumGetBool(DirectFunctionCall2(numeric_le, num, top)))
		{
			/* numeric_int8 rounds: keep only whole numbers */
			n = DatumGetInt64(DirectFunctionCall1(numeric_int8, num));
			if (DatumGetBool(DirectFunctionCall2(numeric_eq, num,
												 DirectFunctionCall1(int8_numeric, Int64GetDatum(n)))))
				return n;
		}
	}
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("\"%s\" of the model description must be a whole number from 0 to " INT64_FORMAT,
					key, PG_INT64_MAX)));
	pg_unreachable();
}

static char *
spec_string(JsonbContainer *c, const char *key, bool required)
{
	JsonbValue *v = spec_get(c, key, required);

	if (v == NULL)
		return NULL;
	if (v->type != jbvString)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("\"%s\" of the model description must be a string", key)));
	return pnstrdup(v->val.string.val, v->val.string.len);
}

/* The container of an array or object value, or an error naming key. */
static JsonbContainer *
spec_container(JsonbValue *v, const char *key, bool array)
{
	if (v->type != jbvBinary ||
		(array ? !JsonContainerIsArray(v->val.binary.data) : !JsonContainerIsObject(v->val.binary.data)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("\"%s\" of the model description must be a JSON %s", key,
						array ? "array" : "object")));
	return v->val.binary.data;
}

static int
code_of(const char *name, const char *const *names, int n, const char *key)
{
	for (int i = 1; i < n; i++)
		if (name != NULL && strcmp(name, names[i]) == 0)
			return i;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("unknown %s \"%s\" in the model description", key, name ? name : "")));
	pg_unreachable();
}

/*
 * Called when a head's coefficients object has more keys than the head has
 * columns: an error naming the first key that names no column.
 */
static void
reject_unknown_coefficient(const UpliftModel *m, const UpliftHead *head, JsonbContainer *obj)
{
	const char **names = palloc(sizeof(char *) * head->n_coef);
	char	   *key;

	for (int j = 0; j < head->n_coef - 1; j++)
		names[j] = column_name(m, head->role, j);
	names[head->n_coef - 1] = NULL;
	key = options_unknown_key(obj, names);
	if (key != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("coefficient \"%s\" of the model description names no column of the model", key),
				 errhint("Key the coefficients by feature_names (x1, x2, ... without them), as uplift_model_info returns them.")));
}

static void
import_coefficients(UpliftModel *m, UpliftHead *head, JsonbValue *v)
{
	if (v->type == jbvBinary && JsonContainerIsArray(v->val.binary.data))
	{
		JsonbContainer *arr = v->val.binary.data;

		if ((int) JsonContainerSize(arr) != head->n_coef - 1)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("a head of the model description has %d coefficients, expected %d",
							(int) JsonContainerSize(arr), head->n_coef - 1)));
		for (int j = 1; j < head->n_coef; j++)
		{
			CHECK_FOR_INTERRUPTS();
			head->coef[j] = options_value_float(getIthJsonbValueFromContainer(arr, j - 1),
												"a coefficient of the model description");
		}
		return;
	}
	for (int j = 1; j < head->n_coef; j++)
	{
		char	   *name = column_name(m, head->role, j - 1);

		CHECK_FOR_INTERRUPTS();
		head->coef[j] = spec_number(spec_container(v, "coefficients", false), name, true, 0);
	}
	if ((int) JsonContainerSize(spec_container(v, "coefficients", false)) > head->n_coef - 1)
		reject_unknown_coefficient(m, head, spec_container(v, "coefficients", false));
}

static void
import_head(UpliftModel *m, UpliftHead *head, JsonbContainer *c)
{
	head->role = code_of(spec_string(c, "role", true), role_names, lengthof(role_names), "role");
	head->action = spec_int(c, "action", true, 0);
	head->link = code_of(spec_string(c, "link", true), link_names, lengthof(link_names), "link");
	if (head->action < -1 || head->action > m->n_actions)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("head action %d of the model description is out of range", head->action)));
	head->n_coef = head_design_len(m, head->role) + 1;
	head->coef = palloc0(sizeof(double) * head->n_coef);
	head->coef[0] = spec_number(c, "intercept", true, 0);
	import_coefficients(m, head, spec_get(c, "coefficients", true));
	head->n_rows = spec_count(c, "rows");
	head->n_iter = spec_int(c, "iterations", false, 0);
	head->converged = true;
	/* absent: 0; null (as info writes a non-finite value): NaN */
	head->max_grad = spec_number(c, "max_gradient", false,
								 getKeyJsonValueFromContainer(c, "max_gradient", strlen("max_gradient"), NULL) ?
								 get_float8_nan() : 0.0);
	if (spec_get(c, "converged", false) != NULL)
		head->converged = spec_get(c, "converged", false)->type == jbvBool &&
			spec_get(c, "converged", false)->val.boolean;
}

/*
 * Calibration lines: [{"action", "intercept", "slope", "slope_se", "rows"}],
 * one per action; "slope_se" may be absent or null (unknown).
 */
static void
import_calibration(UpliftModel *m, JsonbContainer *lines)
{
	int			k_count = m->n_actions;

	if ((int) JsonContainerSize(lines) != k_count)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("calibration must have one line per action")));
	m->calib_intercept = palloc(sizeof(double) * k_count);
	m->calib_slope = palloc(sizeof(double) * k_count);
	m->calib_slope_se = palloc(sizeof(double) * k_count);
	m->calib_rows = palloc0(sizeof(int64) * k_count);
	for (int i = 0; i < k_count; i++)
	{
		JsonbContainer *line = spec_container(getIthJsonbValueFromContainer(lines, i),
											  "calibration", false);

		if (spec_int(line, "action", true, 0) != i + 1)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("calibration lines must be in action order 1..%d", k_count)));
		m->calib_intercept[i] = spec_number(line, "intercept", true, 0);
		m->calib_slope[i] = spec_number(line, "slope", true, 1);
		m->calib_slope_se[i] = spec_number(line, "slope_se", false, get_float8_nan());
		m->calib_rows[i] = spec_count(line, "rows");
	}
}

static void
check_import_names(char *const *names, int p)
{
	char	   *problem = uplift_feature_names_problem(names, p);

	if (problem != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("feature_names of the model description are not usable"),
				 errdetail("%s", problem),
				 errhint("Give every feature its own name, not of the form action_<k>.")));
}

PG_FUNCTION_INFO_V1(uplift_model_import);
Datum
uplift_model_import(PG_FUNCTION_ARGS)
{
	Jsonb	   *spec = PG_GETARG_JSONB_P(0);
	JsonbContainer *c = &spec->root;
	UpliftModel *m = palloc0(sizeof(UpliftModel));
	JsonbValue *v;
	JsonbContainer *heads;
	ModelCheck	chk = {NULL};

	if (!JB_ROOT_IS_OBJECT(spec))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("model description must be a JSON object")));
	m->format_version = UPLIFT_MODEL_FORMAT_VERSION;
	m->learner = code_of(spec_string(c, "learner", true), learner_names, lengthof(learner_names), "learner");
	m->base = code_of(spec_string(c, "base", true), base_names, lengthof(base_names), "base");
	m->n_actions = spec_int(c, "n_actions", true, 0);
	m->n_features = spec_int(c, "n_features", true, 0);
	if (m->n_actions < 1 || m->n_actions > UPLIFT_MAX_ACTIONS ||
		m->n_features < 1 || m->n_features > UPLIFT_MAX_FEATURES)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("n_actions must be between 1 and %d and n_features between 1 and %d",
						UPLIFT_MAX_ACTIONS, UPLIFT_MAX_FEATURES)));
	/* only an s_learner has interactions (default true) */
	v = spec_get(c, "interactions", false);
	m->interactions = m->learner == UPLIFT_LEARNER_S &&
		((v == NULL) || (v->type == jbvBool && v->val.boolean));

	if ((v = spec_get(c, "feature_names", false)) != NULL)
	{
		JsonbContainer *names = spec_container(v, "feature_names", true);

		if ((int) JsonContainerSize(names) != m->n_features)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("feature_names has %d names but n_features is %d",
							(int) JsonContainerSize(names), m->n_features)));
		m->feature_names = palloc(sizeof(char *) * m->n_features);
		for (int i = 0; i < m->n_features; i++)
		{
			JsonbValue *name = getIthJsonbValueFromContainer(names, i);

			if (name->type != jbvString)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("feature_names must be strings")));
			m->feature_names[i] = pnstrdup(name->val.string.val, name->val.string.len);
		}
		check_import_names(m->feature_names, m->n_features);
	}

	m->arm_rows = palloc0(sizeof(int64) * (m->n_actions + 1));
	m->arm_outcome_mean = palloc(sizeof(double) * (m->n_actions + 1));
	for (int a = 0; a <= m->n_actions; a++)
		m->arm_outcome_mean[a] = get_float8_nan();
	if ((v = spec_get(c, "arms", false)) != NULL)
	{
		JsonbContainer *arms = spec_container(v, "arms", true);

		for (int i = 0; i < (int) JsonContainerSize(arms); i++)
		{
			JsonbContainer *arm = spec_container(getIthJsonbValueFromContainer(arms, i), "arms", false);
			int32		a = spec_int(arm, "action", true, 0);

			if (a < 0 || a > m->n_actions)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("arm %d of the model description is out of range", a)));
			m->arm_rows[a] = spec_count(arm, "rows");
			m->arm_outcome_mean[a] = spec_number(arm, "outcome_mean", false, get_float8_nan());
		}
	}
	m->propensity_min = m->propensity_max = get_float8_nan();
	if ((v = spec_get(c, "propensity", false)) != NULL)
	{
		JsonbContainer *prop = spec_container(v, "propensity", false);

		m->propensity_min = spec_number(prop, "min", false, get_float8_nan());
		m->propensity_max = spec_number(prop, "max", false, get_float8_nan());
		m->n_clipped = spec_count(prop, "clipped_rows");
	}
	if ((v = spec_get(c, "mix", false)) != NULL)
	{
		JsonbContainer *mix = spec_container(v, "mix", true);

		if ((int) JsonContainerSize(mix) != m->n_actions)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("mix must have one weight per action")));
		m->mix = palloc(sizeof(double) * m->n_actions);
		for (int k = 0; k < m->n_actions; k++)
			m->mix[k] = options_value_float(getIthJsonbValueFromContainer(mix, k), "a mix weight");
	}
	if ((v = spec_get(c, "calibration", false)) != NULL)
		import_calibration(m, spec_container(v, "calibration", true));
	v = spec_get(c, "options", false);
	m->options = (v != NULL) ? JsonbToCString(NULL, spec_container(v, "options", false), 0) : pstrdup("{}");

	heads = spec_container(spec_get(c, "heads", true), "heads", true);
	m->n_heads = JsonContainerSize(heads);
	if (m->n_heads < 1 || m->n_heads > UPLIFT_MAX_HEADS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the model description must have between 1 and %d heads", UPLIFT_MAX_HEADS)));
	m->heads = palloc0(sizeof(UpliftHead) * m->n_heads);
	for (int h = 0; h < m->n_heads; h++)
		import_head(m, &m->heads[h],
					spec_container(getIthJsonbValueFromContainer(heads, h), "heads", false));

	chk.what = "model description";
	chk.sqlstate = ERRCODE_INVALID_PARAMETER_VALUE;
	check_model(m, &chk);
	PG_RETURN_BYTEA_P(uplift_model_serialize(m));
}
