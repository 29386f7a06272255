/*
 * options.c
 *	  Validation and typed access for "options jsonb" arguments.
 *
 * A typo in an option must never be silently ignored, so every function that
 * takes options first calls options_check_keys with the keys it knows.
 */
#include "postgres.h"

#include <math.h>

#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/numeric.h"

#include "options.h"

static void
join_names(StringInfo buf, const char *const *names)
{
	for (int i = 0; names[i] != NULL; i++)
		appendStringInfo(buf, "%s%s", i > 0 ? ", " : "", names[i]);
}

char *
options_unknown_key(JsonbContainer *obj, const char *const *allowed)
{
	JsonbIterator *it = JsonbIteratorInit(obj);
	JsonbValue	v;
	JsonbIteratorToken tok;

	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		char	   *key;
		bool		known = false;

		if (tok != WJB_KEY)
			continue;
		key = pnstrdup(v.val.string.val, v.val.string.len);
		for (int i = 0; allowed[i] != NULL && !known; i++)
		{
			CHECK_FOR_INTERRUPTS();
			known = strcmp(key, allowed[i]) == 0;
		}
		if (!known)
			return key;
	}
	return NULL;
}

void
options_check_keys(Jsonb *opts, const char *funcname,
				   const char *const *allowed)
{
	char	   *key;

	if (opts == NULL)
		return;
	if (!JB_ROOT_IS_OBJECT(opts))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("options of %s must be a JSON object", funcname),
				 errhint("Pass options like '{\"key\": value}'::jsonb.")));
	key = options_unknown_key(&opts->root, allowed);
	if (key != NULL)
	{
		StringInfoData names;

		initStringInfo(&names);
		join_names(&names, allowed);
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown option \"%s\" for %s", key, funcname),
				 allowed[0] == NULL ?
				 errhint("%s takes no options yet: pass '{}'.", funcname) :
				 errhint("Valid options are: %s.", names.data)));
	}
}

JsonbValue *
options_lookup(Jsonb *opts, const char *key)
{
	JsonbValue *v;

	if (opts == NULL || !JB_ROOT_IS_OBJECT(opts))
		return NULL;
	v = getKeyJsonValueFromContainer(&opts->root, key, strlen(key), NULL);
	if (v != NULL && v->type == jbvNull)
		return NULL;
	return v;
}

/*
 * A JSON number as a double.  JSON numbers are unbounded, so one beyond the
 * range of double precision (1e400), or a non-zero one that rounds to 0
 * (1e-400), is an error that names the option rather than a conversion
 * error that does not.
 */
double
options_value_float(JsonbValue *v, const char *what)
{
	Datum		num;
	double		x;

	if (v->type != jbvNumeric)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be a number", what)));
	num = NumericGetDatum(v->val.numeric);
	x = DatumGetFloat8(DirectFunctionCall1(numeric_float8_no_overflow, num));
	if (isinf(x) || isnan(x) ||
		(x == 0.0 && DatumGetInt32(DirectFunctionCall2(numeric_cmp, num,
													   DirectFunctionCall1(int4_numeric, Int32GetDatum(0)))) != 0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s is out of the range of double precision", what),
				 errhint("Pass a number between -1.7e308 and 1.7e308, and at least 2.3e-308 in magnitude unless it is 0.")));
	return x;
}

/* Sets *x to the number under key; false when the option is absent. */
static bool
option_number(Jsonb *opts, const char *key, double *x)
{
	JsonbValue *v = options_lookup(opts, key);
	char		what[NAMEDATALEN + 16];

	if (v == NULL)
		return false;
	snprintf(what, sizeof(what), "option \"%s\"", key);
	*x = options_value_float(v, what);
	return true;
}

double
options_float(Jsonb *opts, const char *key, double dflt, double min, double max)
{
	double		x;

	if (!option_number(opts, key, &x))
		return dflt;
	if (isnan(x) || x < min || x > max)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("option \"%s\" must be between %g and %g", key, min, max),
				 errdetail("Got %g.", x)));
	return x;
}

int64
options_int(Jsonb *opts, const char *key, int64 dflt, int64 min, int64 max)
{
	double		x;

	if (!option_number(opts, key, &x))
		return dflt;
	if (x != floor(x))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("option \"%s\" must be an integer", key),
				 errdetail("Got %g.", x)));
	if (x < (double) min || x > (double) max)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("option \"%s\" must be between " INT64_FORMAT " and " INT64_FORMAT,
						key, min, max),
				 errdetail("Got %g.", x)));
	return (int64) x;
}

bool
options_bool(Jsonb *opts, const char *key, bool dflt)
{
	JsonbValue *v = options_lookup(opts, key);

	if (v == NULL)
		return dflt;
	if (v->type != jbvBool)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("option \"%s\" must be true or false", key)));
	return v->val.boolean;
}

char *
options_text(Jsonb *opts, const char *key, const char *dflt)
{
	JsonbValue *v = options_lookup(opts, key);

	if (v == NULL)
		return dflt ? pstrdup(dflt) : NULL;
	if (v->type != jbvString)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("option \"%s\" must be a string", key)));
	return pnstrdup(v->val.string.val, v->val.string.len);
}

int
options_choice(Jsonb *opts, const char *key, int dflt_index,
			   const char *const *choices)
{
	char	   *s = options_text(opts, key, NULL);
	StringInfoData names;

	if (s == NULL)
		return dflt_index;
	for (int i = 0; choices[i] != NULL; i++)
		if (strcmp(s, choices[i]) == 0)
			return i;

	initStringInfo(&names);
	join_names(&names, choices);
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid value \"%s\" for option \"%s\"", s, key),
			 errhint("Valid values are: %s.", names.data)));
	pg_unreachable();
}
