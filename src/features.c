/*
 * features.c
 *	  Named features (jsonb) in: the typed rows that uplift_fit keeps for
 *	  them (added, merged, serialized) and the features of a scoring call
 *	  read through a model's encoding.
 *
 * A features object maps keys to numbers, booleans (1 and 0), strings or
 * null (missing; an absent key in training is missing too).  A row is kept
 * as one double per key: the number, or the id of the string's level in the
 * key's dictionary, or NaN.  The numerics of the encoding are in
 * features_encode.c.
 */
#include "uplift.h"

#include "catalog/pg_type.h"
#include "common/shortest_dec.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/float.h"
#include "utils/fmgrprotos.h"
#include "utils/jsonb.h"

#include "arrays.h"
#include "named_features.h"
#include "options.h"

/* A value of a features object, typed. */
typedef struct FeatValue
{
	int32		type;			/* UpliftKeyType, or 0 for null */
	double		num;			/* number or boolean (1/0) */
	const char *str;			/* string, or a number's text (categorical) */
	int			len;
	char		digits[DOUBLE_SHORTEST_DECIMAL_LEN];
} FeatValue;

static void
not_object_error(const char *funcname)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("features of %s must be a JSON object", funcname),
			 errhint("Pass named features such as jsonb_build_object('recency', 3, 'channel', 'Web'), or to_jsonb(row) minus the columns that are not features.")));
}

/* The value v of key (len bytes) as a FeatValue; nested values are errors. */
static void
read_value(const JsonbValue *v, const char *key, int keylen, bool as_text, FeatValue *out)
{
	out->type = 0;
	out->str = NULL;
	switch (v->type)
	{
		case jbvNull:
			return;
		case jbvNumeric:
			out->type = UPLIFT_KEY_NUMBER;
			out->num = uplift_numeric_double(v->val.numeric, false);
			if (!isfinite(out->num))
				ereport(ERROR,
						(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
						 errmsg("value of key \"%.*s\" of features is out of range for double precision",
								keylen, key)));
			break;
		case jbvBool:
			out->type = UPLIFT_KEY_BOOLEAN;
			out->num = v->val.boolean ? 1.0 : 0.0;
			break;
		case jbvString:
			out->type = UPLIFT_KEY_STRING;
			out->str = v->val.string.val;
			out->len = v->val.string.len;
			return;
		default:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("value of key \"%.*s\" of features is an object or an array", keylen, key),
					 errhint("Values of features must be numbers, booleans, strings or null; flatten nested values into keys of their own.")));
	}
	if (as_text)
	{
		/* a number made categorical: its shortest text is the level */
		out->len = double_to_shortest_decimal_buf(out->num, out->digits);
		out->str = out->digits;
	}
}

static void
type_mismatch_error(const char *key, int keylen, int32 had, int32 got)
{
	ereport(ERROR,
			(errcode(ERRCODE_DATATYPE_MISMATCH),
			 errmsg("key \"%.*s\" of features is a %s in one row and a %s in another",
					keylen, key, features_type_name(had), features_type_name(got)),
			 errhint("Give a key values of one type in every row (null for a missing value), for example by a cast in the query.")));
}

/* ---- the rows of a fit ---- */

static void
read_categorical_option(FeatRows *rows, Jsonb *opts)
{
	JsonbValue *v = options_lookup(opts, "categorical");
	JsonbContainer *arr;

	if (v == NULL)
		return;
	if (v->type != jbvBinary || !JsonContainerIsArray(v->val.binary.data))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("option \"categorical\" of uplift_fit must be a JSON array of key names"),
				 errhint("Name the numeric keys to one-hot encode, e.g. {\"categorical\": [\"newbie\"]}.")));
	arr = v->val.binary.data;
	rows->n_categorical = JsonContainerSize(arr);
	rows->categorical = palloc(sizeof(char *) * Max(rows->n_categorical, 1));
	for (int i = 0; i < rows->n_categorical; i++)
	{
		JsonbValue *e = getIthJsonbValueFromContainer(arr, i);

		if (e->type != jbvString)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("option \"categorical\" of uplift_fit must be a JSON array of key names"),
					 errhint("Name the numeric keys to one-hot encode, e.g. {\"categorical\": [\"newbie\"]}.")));
		rows->categorical[i] = pnstrdup(e->val.string.val, e->val.string.len);
	}
}

/* The options minus those of the encoding: what the learner reads. */
static char *
learner_options_text(Jsonb *opts)
{
	Datum		d = JsonbPGetDatum(opts);

	d = DirectFunctionCall2(jsonb_delete, d, CStringGetTextDatum("categorical"));
	d = DirectFunctionCall2(jsonb_delete, d, CStringGetTextDatum("max_categories"));
	return JsonbToCString(NULL, &DatumGetJsonbP(d)->root, 0);
}

FeatRows *
features_rows_create(MemoryContext cxt, Jsonb *opts, bool weighted)
{
	MemoryContext old = MemoryContextSwitchTo(cxt);
	FeatRows   *rows = palloc0(sizeof(FeatRows));

	rows->cxt = cxt;
	rows->weighted = weighted;
	if (opts != NULL && JB_ROOT_IS_OBJECT(opts))
	{
		if (options_lookup(opts, "feature_names") != NULL)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("option \"feature_names\" of uplift_fit does not apply to named features"),
					 errhint("The keys of the features object are the names.")));
		read_categorical_option(rows, opts);
		rows->max_categories = (int32) options_int(opts, "max_categories", 0, 1,
												   FEATURES_MAX_LEVELS);
		rows->options = learner_options_text(opts);
	}
	else if (opts != NULL)
		rows->options = JsonbToCString(NULL, &opts->root, 0);	/* the learner rejects it */
	rows->keys = palloc0(sizeof(FeatColumn) * FEATURES_MAX_KEYS);
	MemoryContextSwitchTo(old);
	return rows;
}

FeatRows *
features_rows_empty_like(const FeatRows *rows, MemoryContext cxt)
{
	MemoryContext old = MemoryContextSwitchTo(cxt);
	FeatRows   *copy = palloc0(sizeof(FeatRows));

	copy->cxt = cxt;
	copy->weighted = rows->weighted;
	copy->max_categories = rows->max_categories;
	copy->n_categorical = rows->n_categorical;
	copy->categorical = palloc(sizeof(char *) * Max(rows->n_categorical, 1));
	for (int i = 0; i < rows->n_categorical; i++)
		copy->categorical[i] = pstrdup(rows->categorical[i]);
	copy->options = rows->options ? pstrdup(rows->options) : NULL;
	copy->keys = palloc0(sizeof(FeatColumn) * FEATURES_MAX_KEYS);
	MemoryContextSwitchTo(old);
	return copy;
}

Jsonb *
features_learner_options(const FeatRows *rows)
{
	if (rows->options == NULL)
		return NULL;
	return DatumGetJsonbP(DirectFunctionCall1(jsonb_in, CStringGetDatum(rows->options)));
}

static void *
grow(MemoryContext cxt, void *p, Size elem, int64 cap)
{
	if (p == NULL)
		return MemoryContextAllocHuge(cxt, elem * cap);
	return repalloc_huge(p, elem * cap);
}

/* Room for n rows in every column and array. */
static void
reserve_rows(FeatRows *rows, int64 n)
{
	int64		cap = rows->cap_rows;

	if (n <= cap)
		return;
	cap = Max(Max(cap * 2, n), 64);
	for (int k = 0; k < rows->n_keys; k++)
		rows->keys[k].cells = grow(rows->cxt, rows->keys[k].cells, sizeof(double), cap);
	rows->action = grow(rows->cxt, rows->action, sizeof(int32), cap);
	rows->outcome = grow(rows->cxt, rows->outcome, sizeof(double), cap);
	if (rows->weighted)
		rows->propensity = grow(rows->cxt, rows->propensity, sizeof(double), cap);
	rows->cap_rows = cap;
}

static bool
is_categorical_option(const FeatRows *rows, const char *key, int len)
{
	for (int i = 0; i < rows->n_categorical; i++)
		if (features_level_cmp(rows->categorical[i], strlen(rows->categorical[i]), key, len) == 0)
			return true;
	return false;
}

/* Column of key, added (missing in every earlier row) when new; hint: a likely index. */
static int
column_of(FeatRows *rows, const char *key, int len, int hint)
{
	FeatColumn *col;

	if (hint < rows->n_keys &&
		features_level_cmp(rows->keys[hint].name, rows->keys[hint].name_len, key, len) == 0)
		return hint;
	for (int k = 0; k < rows->n_keys; k++)
		if (features_level_cmp(rows->keys[k].name, rows->keys[k].name_len, key, len) == 0)
			return k;
	if (rows->n_keys >= FEATURES_MAX_KEYS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("features of uplift_fit have more than %d keys", FEATURES_MAX_KEYS),
				 errdetail("The key \"%.*s\" is one too many.", len, key)));
	col = &rows->keys[rows->n_keys];
	col->name = MemoryContextStrdup(rows->cxt, pnstrdup(key, len));
	col->name_len = len;
	col->categorical = is_categorical_option(rows, key, len);
	col->cells = MemoryContextAllocHuge(rows->cxt, sizeof(double) * Max(rows->cap_rows, 1));
	for (int64 i = 0; i < rows->cap_rows; i++)
		col->cells[i] = get_float8_nan();
	return rows->n_keys++;
}

/* The id of level s of col, added when new. */
static int32
level_of(MemoryContext cxt, FeatColumn *col, const char *s, int len)
{
	for (int32 l = col->n_levels - 1; l >= 0; l--)
		if (features_level_cmp(col->levels[l], col->level_len[l], s, len) == 0)
			return l;
	if (col->levels == NULL)
	{
		/* the dictionary of a categorical key, allocated once at its limit */
		col->levels = MemoryContextAllocZero(cxt, sizeof(char *) * FEATURES_MAX_LEVELS);
		col->level_len = MemoryContextAllocZero(cxt, sizeof(int32) * FEATURES_MAX_LEVELS);
	}
	if (col->n_levels >= FEATURES_MAX_LEVELS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("key \"%s\" of features has more than %d levels", col->name, FEATURES_MAX_LEVELS),
				 errdetail("The level \"%.*s\" is one too many.", len, s),
				 errhint("Group the levels in the query (for example the first digits of a zip code), or pass the key as a number.")));
	col->levels[col->n_levels] = MemoryContextAlloc(cxt, len + 1);
	memcpy(col->levels[col->n_levels], s, len);
	col->levels[col->n_levels][len] = '\0';
	col->level_len[col->n_levels] = len;
	return col->n_levels++;
}

/* Set a column's type from a value of type t (0: null), checking it. */
static void
unify_type(FeatColumn *col, int32 t)
{
	if (t == 0 || t == col->type)
		return;
	if (col->type != 0)
		type_mismatch_error(col->name, col->name_len, col->type, t);
	col->type = t;
	if (t == UPLIFT_KEY_STRING)
		col->categorical = true;
}

static void
set_cell(FeatRows *rows, FeatColumn *col, const JsonbValue *jv, int64 row)
{
	FeatValue	v;

	read_value(jv, col->name, col->name_len, col->categorical, &v);
	unify_type(col, v.type);
	if (v.type == 0)
		return;
	if (col->categorical)
		col->cells[row] = level_of(rows->cxt, col, v.str, v.len);
	else
		col->cells[row] = v.num;
}

void
features_rows_add(FeatRows *rows, Jsonb *features, int32 action, double outcome,
				  double propensity)
{
	JsonbIterator *it;
	JsonbValue	v;
	JsonbIteratorToken tok;
	int64		row = rows->nrows;
	int			pos = 0;
	int			col = -1;

	if (!JB_ROOT_IS_OBJECT(features))
		not_object_error("uplift_fit");
	if (JB_ROOT_COUNT(features) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("features of uplift_fit must not be an empty object"),
				 errhint("Pass at least one key per row; null values are missing values.")));
	reserve_rows(rows, row + 1);
	for (int k = 0; k < rows->n_keys; k++)
		rows->keys[k].cells[row] = get_float8_nan();
	it = JsonbIteratorInit(&features->root);
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		if (tok == WJB_KEY)
			col = column_of(rows, v.val.string.val, v.val.string.len, pos++);
		else if (tok == WJB_VALUE)
			set_cell(rows, &rows->keys[col], &v, row);
	}
	rows->action[row] = action;
	rows->outcome[row] = outcome;
	if (rows->weighted)
		rows->propensity[row] = propensity;
	rows->nrows++;
}

void
features_rows_merge(FeatRows *into, const FeatRows *from)
{
	int64		base = into->nrows;
	int64		n = from->nrows;

	reserve_rows(into, base + n);
	for (int k = 0; k < into->n_keys; k++)
		for (int64 i = 0; i < n; i++)
			into->keys[k].cells[base + i] = get_float8_nan();
	for (int fk = 0; fk < from->n_keys; fk++)
	{
		const FeatColumn *fc = &from->keys[fk];
		FeatColumn *ic = &into->keys[column_of(into, fc->name, fc->name_len, fk)];
		int32	   *map = palloc(sizeof(int32) * Max(fc->n_levels, 1));

		CHECK_FOR_INTERRUPTS();
		if (fc->type != 0)
			unify_type(ic, fc->type);
		for (int l = 0; l < fc->n_levels; l++)
			map[l] = level_of(into->cxt, ic, fc->levels[l], fc->level_len[l]);
		for (int64 i = 0; i < n; i++)
		{
			double		c = fc->cells[i];

			ic->cells[base + i] = (isnan(c) || !ic->categorical) ? c : map[(int) c];
		}
		pfree(map);
	}
	memcpy(into->action + base, from->action, sizeof(int32) * n);
	memcpy(into->outcome + base, from->outcome, sizeof(double) * n);
	if (into->weighted)
		memcpy(into->propensity + base, from->propensity, sizeof(double) * n);
	into->nrows += n;
}

/* ---- bytes (the aggregate's serial state; never stored) ---- */

void
features_rows_serialize(StringInfo out, const FeatRows *rows)
{
	bytes_put_u8(out, rows->weighted ? 1 : 0);
	bytes_put_i32(out, rows->max_categories);
	bytes_put_u32(out, rows->n_categorical);
	for (int i = 0; i < rows->n_categorical; i++)
		bytes_put_str(out, rows->categorical[i]);
	bytes_put_u8(out, rows->options != NULL ? 1 : 0);
	if (rows->options != NULL)
		bytes_put_str(out, rows->options);
	bytes_put_u32(out, rows->n_keys);
	bytes_put_i64(out, rows->nrows);
	for (int k = 0; k < rows->n_keys; k++)
	{
		const FeatColumn *col = &rows->keys[k];

		bytes_put_str(out, col->name);
		bytes_put_i32(out, col->type);
		bytes_put_u8(out, col->categorical ? 1 : 0);
		bytes_put_u32(out, col->n_levels);
		for (int l = 0; l < col->n_levels; l++)
			bytes_put_str(out, col->levels[l]);
		bytes_put_f64s(out, col->cells, rows->nrows);
	}
	for (int64 i = 0; i < rows->nrows; i++)
		bytes_put_i32(out, rows->action[i]);
	bytes_put_f64s(out, rows->outcome, rows->nrows);
	if (rows->weighted)
		bytes_put_f64s(out, rows->propensity, rows->nrows);
}

FeatRows *
features_rows_deserialize(ByteReader *r, MemoryContext cxt)
{
	MemoryContext old = MemoryContextSwitchTo(cxt);
	FeatRows   *rows = palloc0(sizeof(FeatRows));
	int32		n_keys;
	int64		nrows;

	rows->cxt = cxt;
	rows->weighted = bytes_get_u8(r) != 0;
	rows->max_categories = bytes_get_i32(r);
	rows->n_categorical = bytes_get_count(r, 4, FEATURES_MAX_KEYS);
	rows->categorical = palloc(sizeof(char *) * Max(rows->n_categorical, 1));
	for (int i = 0; i < rows->n_categorical; i++)
		rows->categorical[i] = bytes_get_str(r);
	if (bytes_get_u8(r) != 0)
		rows->options = bytes_get_str(r);
	rows->keys = palloc0(sizeof(FeatColumn) * FEATURES_MAX_KEYS);
	n_keys = bytes_get_count(r, 13, FEATURES_MAX_KEYS);
	nrows = bytes_get_i64(r);
	if (nrows < 0 || nrows > (int64) (r->len - r->pos) / 12)
		bytes_corrupted(r, "The row count does not match the bytes left");
	reserve_rows(rows, Max(nrows, 1));
	for (int k = 0; k < n_keys; k++)
	{
		char	   *name = bytes_get_str(r);
		FeatColumn *col = &rows->keys[column_of(rows, name, strlen(name), k)];
		int32		n_levels;

		col->type = bytes_get_i32(r);
		col->categorical = bytes_get_u8(r) != 0;
		n_levels = bytes_get_count(r, 4, FEATURES_MAX_LEVELS);
		for (int l = 0; l < n_levels; l++)
		{
			char	   *s = bytes_get_str(r);

			(void) level_of(cxt, col, s, strlen(s));
		}
		if (col->n_levels != n_levels)
			bytes_corrupted(r, "A level appears twice");
		bytes_get_f64s(r, col->cells, nrows);
		for (int64 i = 0; i < nrows; i++)
			if (col->categorical && !isnan(col->cells[i]) &&
				!(col->cells[i] >= 0 && col->cells[i] < n_levels))
				bytes_corrupted(r, "A level id is out of range");
	}
	if (rows->n_keys != n_keys)
		bytes_corrupted(r, "A key appears twice");
	for (int64 i = 0; i < nrows; i++)
		rows->action[i] = bytes_get_i32(r);
	bytes_get_f64s(r, rows->outcome, nrows);
	if (rows->weighted)
		bytes_get_f64s(r, rows->propensity, nrows);
	rows->nrows = nrows;
	MemoryContextSwitchTo(old);
	return rows;
}

/* ---- scoring ---- */

/* The first key of obj that the encoding does not have, or NULL. */
static char *
unknown_key(JsonbContainer *obj, const UpliftEncoding *enc)
{
	JsonbIterator *it = JsonbIteratorInit(obj);
	JsonbValue	v;
	JsonbIteratorToken tok;

	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		bool		known = false;

		if (tok != WJB_KEY)
			continue;
		for (int i = 0; i < enc->n_keys && !known; i++)
			known = features_level_cmp(enc->keys[i].name, strlen(enc->keys[i].name),
									   v.val.string.val, v.val.string.len) == 0;
		if (!known)
			return pnstrdup(v.val.string.val, v.val.string.len);
	}
	return NULL;
}

static void
check_unknown_key(JsonbContainer *obj, const UpliftEncoding *enc)
{
	char	   *key = unknown_key(obj, enc);

	if (key != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_COLUMN),
				 errmsg("key \"%s\" of features is not a feature of the model", key),
				 errhint("uplift_model_info(model) -> 'encoding' lists the keys the model was fitted with; pass null for a missing value, never a misspelt key.")));
}

static void
read_key(const UpliftFeatureKey *key, const JsonbValue *jv, double *x)
{
	FeatValue	v;

	read_value(jv, key->name, strlen(key->name), key->categorical && key->type != UPLIFT_KEY_STRING, &v);
	if (v.type == 0)
	{
		features_encode_missing(key, x);
		return;
	}
	if (v.type != key->type)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("key \"%s\" of features is a %s, but the model was fitted with a %s",
						key->name, features_type_name(v.type), features_type_name(key->type)),
				 errhint("Pass the key as it was passed to uplift_fit, or null for a missing value.")));
	if (key->categorical)
		features_encode_level(key, v.str, v.len, x);
	else
		features_encode_number(key, v.num, x);
}

static void
read_jsonb(Jsonb *jb, const UpliftEncoding *enc, double *x)
{
	JsonbContainer *obj = &jb->root;

	if (!JB_ROOT_IS_OBJECT(jb))
		not_object_error("a scoring function");
	if ((int) JsonContainerSize(obj) > enc->n_keys)
		check_unknown_key(obj, enc);
	for (int i = 0; i < enc->n_keys; i++)
	{
		const UpliftFeatureKey *key = &enc->keys[i];
		JsonbValue	buf;
		JsonbValue *v = getKeyJsonValueFromContainer(obj, key->name, strlen(key->name), &buf);

		if (v == NULL)
		{
			check_unknown_key(obj, enc);
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("features lack key \"%s\" of the model", key->name),
					 errhint("Pass every key the model was fitted with; null is a missing value.")));
		}
		read_key(key, v, x);
	}
}

void
features_read_for_model(FunctionCallInfo fcinfo, int argno, const UpliftModel *m, double *x)
{
	bool		named = uplift_arg_type(fcinfo, argno) == JSONBOID;

	if (named != (m->encoding != NULL))
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("the model was fitted from %s features, not %s",
						m->encoding ? "named (jsonb)" : "array", named ? "named (jsonb)" : "array"),
				 errhint("Pass the features in the form the model was fitted with: %s.",
						 m->encoding ? "a jsonb object of named features" : "a float8[] in the fitted order")));
	if (named)
		read_jsonb(PG_GETARG_JSONB_P(argno), m->encoding, x);
	else
		uplift_features_read_exact(PG_GETARG_DATUM(argno), x, m->n_features, "features");
}
