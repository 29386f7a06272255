/*
 * model_json.c
 *	  The JSON description of an uplift_model: uplift_model_info writes it,
 *	  uplift_model_import builds a model from it (so import(info(m)) gives m
 *	  back, and a model fitted elsewhere can be scored here).
 */
#include "uplift.h"

#include "common/shortest_dec.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/float.h"
#include "utils/fmgrprotos.h"
#include "utils/json.h"
#include "utils/jsonb.h"

#include "model.h"
#include "model_format.h"
#include "named_features.h"
#include "options.h"
#include "tree_model.h"
#include "tree_split.h"

static const char *const role_names[] = {
	NULL, "outcome", "joint", "effect", "transformed", "effect_control", "arms"
};
static const char *const link_names[] = {NULL, "identity", "logit"};

/* Names of a head's codes (checked codes: the model has been validated). */
static const char *
role_name(int32 role)
{
	return role_names[role];
}

static const char *
link_name(int32 link)
{
	return link_names[link];
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

char *
uplift_head_column_name(const UpliftModel *m, int32 role, int j)
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
 * A forest head: its forest summarised (trees, depth, leaves, the split
 * criterion and the features' importances by gain), not node by node
 * (uplift_tree_nodes lists the nodes).
 */
static void
append_forest_head(StringInfo buf, const UpliftModel *m, const UpliftHead *head,
				   bool keyed)
{
	const TreeForest *f = head->forest;
	int32		depth,
				leaves;
	bool		first = true;

	tree_forest_shape(f, &depth, &leaves);
	appendStringInfo(buf, "{\"role\": ");
	escape_json(buf, role_name(head->role));
	appendStringInfo(buf, ", \"action\": %d, \"rows\": " INT64_FORMAT
					 ", \"forest\": {\"criterion\": ",
					 head->action, head->n_rows);
	escape_json(buf, tree_criterion_names[f->criterion]);
	appendStringInfo(buf, ", \"trees\": %d, \"max_depth\": %d, \"leaves\": %d, \"nodes\": %d, \"importance\": ",
					 f->n_trees, depth, leaves, f->n_nodes);
	if (!keyed)
		append_doubles(buf, f->importance, f->p);
	else
	{
		appendStringInfoChar(buf, '{');
		for (int j = 0; j < f->p; j++)
		{
			json_key(buf, uplift_head_column_name(m, head->role, j), &first);
			json_double(buf, f->importance[j]);
		}
		appendStringInfoChar(buf, '}');
	}
	appendStringInfoString(buf, "}}");
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

	if (head->forest != NULL)
	{
		append_forest_head(buf, m, head, keyed);
		return;
	}

	appendStringInfoChar(buf, '{');
	json_key(buf, "role", &first);
	escape_json(buf, role_name(head->role));
	json_key(buf, "action", &first);
	appendStringInfo(buf, "%d", head->action);
	json_key(buf, "link", &first);
	escape_json(buf, link_name(head->link));
	json_key(buf, "intercept", &first);
	json_double(buf, head->coef[0]);
	json_key(buf, "coefficients", &first);
	if (keyed)
	{
		appendStringInfoChar(buf, '{');
		for (int j = 1; j < head->n_coef; j++)
		{
			CHECK_FOR_INTERRUPTS();
			json_key(buf, uplift_head_column_name(m, head->role, j - 1), &first_coef);
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

static void
append_levels(StringInfo buf, char *const *levels, int n)
{
	appendStringInfoChar(buf, '[');
	for (int l = 0; l < n; l++)
	{
		if (l > 0)
			appendStringInfoString(buf, ", ");
		if (levels[l] == NULL)
			appendStringInfoString(buf, "null");
		else
			escape_json(buf, levels[l]);
	}
	appendStringInfoChar(buf, ']');
}

/* The encoding of named features: one object per key, in column order. */
static void
append_encoding(StringInfo buf, const UpliftEncoding *enc)
{
	appendStringInfoChar(buf, '[');
	for (int i = 0; i < enc->n_keys; i++)
	{
		const UpliftFeatureKey *key = &enc->keys[i];
		bool		first = true;

		appendStringInfoString(buf, i > 0 ? ", {" : "{");
		json_key(buf, "key", &first);
		escape_json(buf, key->name);
		json_key(buf, "type", &first);
		escape_json(buf, features_type_name(key->type));
		json_key(buf, "categorical", &first);
		appendStringInfoString(buf, key->categorical ? "true" : "false");
		if (key->native)
		{
			json_key(buf, "native", &first);
			appendStringInfoString(buf, "true");
		}
		if (key->categorical)
		{
			json_key(buf, "levels", &first);
			append_levels(buf, key->levels, key->n_levels);
			json_key(buf, "infrequent", &first);
			append_levels(buf, key->pooled, key->n_pooled);
		}
		else
		{
			json_key(buf, "mean", &first);
			json_double(buf, key->mean);
			json_key(buf, "missing_indicator", &first);
			appendStringInfoString(buf, key->indicator ? "true" : "false");
		}
		appendStringInfoChar(buf, '}');
	}
	appendStringInfoChar(buf, ']');
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
	escape_json(&buf, psprintf("%08x", uplift_model_stored_checksum(v)));
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
	if (m->encoding != NULL)
	{
		json_key(&buf, "encoding", &first);
		append_encoding(&buf, m->encoding);
	}
	if (m->action_labels != NULL)
	{
		json_key(&buf, "action_labels", &first);
		append_levels(&buf, m->action_labels, m->n_actions + 1);
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

/* The code 1..last whose name_of is name, or an error naming key. */
static int
code_of(const char *name, const char *(*name_of) (int32), int32 last, const char *key)
{
	for (int32 code = 1; code <= last; code++)
		if (name != NULL && strcmp(name, name_of(code)) == 0)
			return code;
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
		names[j] = uplift_head_column_name(m, head->role, j);
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
		char	   *name = uplift_head_column_name(m, head->role, j - 1);

		CHECK_FOR_INTERRUPTS();
		head->coef[j] = spec_number(spec_container(v, "coefficients", false), name, true, 0);
	}
	if ((int) JsonContainerSize(spec_container(v, "coefficients", false)) > head->n_coef - 1)
		reject_unknown_coefficient(m, head, spec_container(v, "coefficients", false));
}

static void
import_head(UpliftModel *m, UpliftHead *head, JsonbContainer *c)
{
	head->role = code_of(spec_string(c, "role", true), role_name, UPLIFT_HEAD_EFFECT_CONTROL, "role");
	head->action = spec_int(c, "action", true, 0);
	head->link = code_of(spec_string(c, "link", true), link_name, UPLIFT_LINK_LOGIT, "link");
	if (head->action < -1 || head->action > m->n_actions)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("head action %d of the model description is out of range", head->action)));
	head->n_coef = uplift_head_design_len(m, head->role) + 1;
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

static char **
import_levels(JsonbContainer *c, const char *what, int32 *n)
{
	JsonbValue *v = spec_get(c, what, false);
	JsonbContainer *arr;
	char	  **levels;

	*n = 0;
	if (v == NULL)
		return NULL;
	arr = spec_container(v, what, true);
	*n = JsonContainerSize(arr);
	if (*n > FEATURES_MAX_LEVELS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("\"%s\" of the model description has more than %d levels", what, FEATURES_MAX_LEVELS)));
	levels = palloc(sizeof(char *) * Max(*n, 1));
	for (int l = 0; l < *n; l++)
	{
		JsonbValue *e = getIthJsonbValueFromContainer(arr, l);

		if (e->type != jbvNull && e->type != jbvString)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("\"%s\" of the model description must be strings or null", what)));
		levels[l] = e->type == jbvNull ? NULL : pnstrdup(e->val.string.val, e->val.string.len);
	}
	return levels;
}

static int32
key_type_of(const char *name)
{
	for (int32 t = UPLIFT_KEY_NUMBER; t <= UPLIFT_KEY_STRING; t++)
		if (name != NULL && strcmp(name, features_type_name(t)) == 0)
			return t;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("unknown type \"%s\" in the encoding of the model description", name ? name : ""),
			 errhint("Use \"number\", \"boolean\" or \"string\".")));
	pg_unreachable();
}

/* "encoding": the keys of a model fitted from named features. */
static UpliftEncoding *
import_encoding(JsonbContainer *arr)
{
	UpliftEncoding *enc = palloc0(sizeof(UpliftEncoding));

	enc->n_keys = JsonContainerSize(arr);
	if (enc->n_keys < 1 || enc->n_keys > FEATURES_MAX_KEYS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("encoding of the model description must have between 1 and %d keys", FEATURES_MAX_KEYS)));
	enc->keys = palloc0(sizeof(UpliftFeatureKey) * enc->n_keys);
	for (int i = 0; i < enc->n_keys; i++)
	{
		JsonbContainer *c = spec_container(getIthJsonbValueFromContainer(arr, i), "encoding", false);
		UpliftFeatureKey *key = &enc->keys[i];
		JsonbValue *cat;

		key->name = spec_string(c, "key", true);
		key->type = key_type_of(spec_string(c, "type", true));
		cat = spec_get(c, "categorical", false);
		key->categorical = key->type == UPLIFT_KEY_STRING ||
			(cat != NULL && cat->type == jbvBool && cat->val.boolean);
		if (key->categorical)
		{
			key->levels = import_levels(c, "levels", &key->n_levels);
			key->pooled = import_levels(c, "infrequent", &key->n_pooled);
			continue;
		}
		key->mean = spec_number(c, "mean", true, 0);
		cat = spec_get(c, "missing_indicator", false);
		key->indicator = cat != NULL && cat->type == jbvBool && cat->val.boolean;
	}
	(void) uplift_encoding_layout(enc);
	return enc;
}

/* "action_labels": the K+1 labels of a text treatment, the control's first. */
static char **
import_action_labels(JsonbContainer *arr, int32 k_count)
{
	char	  **labels;

	if ((int) JsonContainerSize(arr) != k_count + 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("action_labels of the model description must have n_actions + 1 labels"),
				 errhint("Give the control's label first, then the label of each action 1..K.")));
	labels = palloc(sizeof(char *) * (k_count + 1));
	for (int a = 0; a <= k_count; a++)
	{
		JsonbValue *e = getIthJsonbValueFromContainer(arr, a);

		if (e->type != jbvString)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("action_labels of the model description must be strings")));
		labels[a] = pnstrdup(e->val.string.val, e->val.string.len);
	}
	return labels;
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

	if (!JB_ROOT_IS_OBJECT(spec))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("model description must be a JSON object")));
	m->format_version = UPLIFT_MODEL_FORMAT_ARRAYS;
	if (strcmp(spec_string(c, "learner", true), "forest") == 0 ||
		strcmp(spec_string(c, "base", true), "forest") == 0)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("a model with forests cannot be imported from its description"),
				 errdetail("uplift_model_info summarises a forest; it does not list its trees."),
				 errhint("Copy the uplift_model value itself (its text form, COPY or pg_dump carry every tree).")));
	m->learner = code_of(spec_string(c, "learner", true), uplift_learner_name,
						 UPLIFT_LEARNER_FOREST, "learner");
	m->base = code_of(spec_string(c, "base", true), uplift_base_name, UPLIFT_BASE_LINEAR, "base");
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

	if ((v = spec_get(c, "encoding", false)) != NULL)
	{
		m->encoding = import_encoding(spec_container(v, "encoding", true));
		m->format_version = UPLIFT_MODEL_FORMAT_ENCODING;
	}
	if ((v = spec_get(c, "action_labels", false)) != NULL)
	{
		m->action_labels = import_action_labels(spec_container(v, "action_labels", true),
												m->n_actions);
		m->format_version = UPLIFT_MODEL_FORMAT_VERSION;
	}
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
	else if (m->encoding != NULL && uplift_encoding_layout(m->encoding) == m->n_features)
		m->feature_names = uplift_encoding_names(m->encoding, m->n_features);

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

	uplift_model_check(m, "model description", ERRCODE_INVALID_PARAMETER_VALUE);
	PG_RETURN_BYTEA_P(uplift_model_serialize(m));
}
