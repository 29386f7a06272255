/*
 * namespace.c
 *	  Namespaces: experiments that take disjoint ranges of one hash space
 *	  never share a unit.  uplift_namespace_uniform gives a unit's uniform
 *	  number in a namespace, and uplift_assign with an options argument
 *	  enrols only the units whose number falls in the experiment's range
 *	  (others get NULL), then draws as uplift_assign does.
 *
 * The namespace hash is the assignment hash (hash.c) with its own namespace
 * byte 'N', seed 0 and the namespace's name in place of the experiment's
 * (doc/assignment.md, "Namespaces").
 */
#include "uplift.h"

#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"

#include "assign.h"
#include "hash.h"
#include "options.h"

/* The options of uplift_assign(..., options jsonb), parsed and checked. */
typedef struct AssignOptions
{
	double		holdout;		/* global holdout share, 0 for none */
	char	   *holdout_name;
	char	   *ns;				/* namespace name, NULL for none */
	double		lo;				/* enrolled when lo <= u_N < hi */
	double		hi;
} AssignOptions;

/* What one call site keeps: the options it last parsed. */
typedef struct NamespaceCache
{
	struct varlena *options_key;	/* NULL: no options */
	bool		has_options;
	AssignOptions opts;
	UpliftHashPrefix ns_prefix;
	UpliftHashPrefix holdout_prefix;
	UpliftWeightsCache weights;
	UpliftPrefixCache action;	/* the experiment's action namespace */
	TupleDesc	tupdesc;
	MemoryContext results_cxt;	/* holds results, emptied when weights change */
	Datum	   *results;		/* per action a result once drawn, [n]: holdout */
	uint64		results_version;	/* the version of weights they are for */
} NamespaceCache;

static const char *const assign_option_keys[] =
{"holdout", "holdout_name", "namespace", "range", NULL};

/* The uniform number of a unit in a namespace's hash space. */
static double
namespace_uniform(const UpliftHashPrefix *ns_prefix, const UpliftUnit *unit)
{
	return uplift_hash_uniform(uplift_unit_hash(ns_prefix, unit));
}

static void
namespace_prefix_init(UpliftHashPrefix *prefix, const char *ns, size_t len)
{
	uplift_hash_prefix_init(prefix, UPLIFT_HASH_NS_NAMESPACE, 0, ns, len);
}

static void
range_error(const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("option \"range\" must be an array [lo, hi] with 0 <= lo < hi <= 1"),
			 errdetail("%s", detail),
			 errhint("Give the share of the namespace the experiment takes, e.g. {\"namespace\": \"email\", \"range\": [0.0, 0.3]}.")));
}

/* The option "range": a JSON array of two numbers, 0 <= lo < hi <= 1. */
static void
parse_range(JsonbValue *v, double *lo, double *hi)
{
	JsonbIterator *it;
	JsonbValue	elem;
	JsonbIteratorToken tok;
	double		bounds[2];
	int			n = 0;

	if (v->type != jbvBinary || !JsonContainerIsArray(v->val.binary.data))
		range_error("The value is not a JSON array.");
	it = JsonbIteratorInit(v->val.binary.data);
	while ((tok = JsonbIteratorNext(&it, &elem, true)) != WJB_DONE)
	{
		if (tok != WJB_ELEM)
			continue;
		if (n >= 2)
			range_error("The array has more than two elements.");
		if (elem.type != jbvNumeric)
			range_error("An element is not a number.");
		bounds[n++] = options_value_float(&elem, "range");
	}
	if (n != 2)
		range_error("The array has fewer than two elements.");
	if (isnan(bounds[0]) || isnan(bounds[1]) || bounds[0] < 0.0 || bounds[1] > 1.0)
		range_error(psprintf("Got [%g, %g], outside [0, 1].", bounds[0], bounds[1]));
	if (!(bounds[0] < bounds[1]))
		range_error(psprintf("Got [%g, %g]: lo is not below hi.", bounds[0], bounds[1]));
	*lo = bounds[0];
	*hi = bounds[1];
}

/* Parse and check the options of uplift_assign (NULL: all defaults). */
static void
parse_assign_options(Jsonb *options, AssignOptions *o)
{
	JsonbValue *range;

	options_check_keys(options, "uplift_assign", assign_option_keys);
	o->holdout = options_float(options, "holdout", 0.0, 0.0, 1.0);
	o->holdout_name = options_text(options, "holdout_name", "global");
	o->ns = options_text(options, "namespace", NULL);
	range = options_lookup(options, "range");
	o->lo = 0.0;
	o->hi = 1.0;
	if (o->ns == NULL && range != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("option \"range\" needs option \"namespace\""),
				 errhint("Name the namespace whose hash space the range divides, e.g. {\"namespace\": \"email\", \"range\": [0.0, 0.3]}.")));
	if (o->ns != NULL && range == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("option \"namespace\" needs option \"range\""),
				 errhint("Give the share of the namespace the experiment takes, e.g. {\"namespace\": \"email\", \"range\": [0.0, 0.3]}.")));
	if (range != NULL)
		parse_range(range, &o->lo, &o->hi);
}

static NamespaceCache *
namespace_cache(FunctionCallInfo fcinfo)
{
	if (fcinfo->flinfo->fn_extra == NULL)
		fcinfo->flinfo->fn_extra = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt,
														  sizeof(NamespaceCache));
	return (NamespaceCache *) fcinfo->flinfo->fn_extra;
}

/* Free what a parsed AssignOptions and its key hold in fn_mcxt. */
static void
forget_options(NamespaceCache *c)
{
	if (c->opts.holdout_name)
		pfree(c->opts.holdout_name);
	if (c->opts.ns)
		pfree(c->opts.ns);
	if (c->options_key)
		pfree(c->options_key);
	c->opts.holdout_name = NULL;
	c->opts.ns = NULL;
	c->options_key = NULL;
	c->has_options = false;
}

/*
 * The cached options of this call site, parsed again when they change (the
 * old ones are freed, so options that change from row to row do not grow
 * fn_mcxt).  They are parsed in the per-call context first, so an error
 * leaves the cache as it was.
 */
static const AssignOptions *
cached_options(FunctionCallInfo fcinfo, NamespaceCache *c, Jsonb *options)
{
	bool		same = c->has_options &&
		((options == NULL && c->options_key == NULL) ||
		 (options != NULL && c->options_key != NULL &&
		  uplift_varlena_equal((struct varlena *) options, c->options_key)));
	MemoryContext cxt = fcinfo->flinfo->fn_mcxt;
	AssignOptions parsed;

	if (same)
		return &c->opts;
	parse_assign_options(options, &parsed);

	forget_options(c);
	c->opts = parsed;
	c->opts.holdout_name = MemoryContextStrdup(cxt, parsed.holdout_name);
	c->opts.ns = parsed.ns ? MemoryContextStrdup(cxt, parsed.ns) : NULL;
	if (parsed.ns)
		namespace_prefix_init(&c->ns_prefix, parsed.ns, strlen(parsed.ns));
	uplift_hash_prefix_init(&c->holdout_prefix, UPLIFT_HASH_NS_HOLDOUT, 0,
							parsed.holdout_name, strlen(parsed.holdout_name));
	c->options_key = options ? uplift_varlena_copy((struct varlena *) options, cxt) : NULL;
	c->has_options = true;
	return &c->opts;
}

/*
 * The result of action a (a = n: the holdout's), built the first time it is
 * drawn with these weights; all are dropped when the weights change, as a
 * function's result in the per-row context would be at the next row.
 */
static Datum
cached_result(FunctionCallInfo fcinfo, NamespaceCache *c, int a)
{
	const UpliftWeightsCache *wc = &c->weights;
	MemoryContext old;

	if (c->results == NULL || c->results_version != wc->version)
	{
		if (c->results_cxt == NULL)
			c->results_cxt = AllocSetContextCreate(fcinfo->flinfo->fn_mcxt,
												   "uplift_assign results",
												   ALLOCSET_SMALL_SIZES);
		MemoryContextReset(c->results_cxt);
		c->results = MemoryContextAllocZero(c->results_cxt, sizeof(Datum) * (wc->n + 1));
		c->results_version = wc->version;
	}
	if (c->results[a] == (Datum) 0)
	{
		old = MemoryContextSwitchTo(c->results_cxt);
		c->results[a] = a == wc->n ?
			uplift_assignment_datum(fcinfo, &c->tupdesc, 0, 1.0, true) :
			uplift_assignment_datum(fcinfo, &c->tupdesc, a, wc->props[a], false);
		MemoryContextSwitchTo(old);
	}
	return c->results[a];
}

/*
 * uplift_assign(experiment, unit_id, weights, options): NULL for a unit
 * outside the namespace range, else the draw of uplift_assign(experiment,
 * unit_id, weights, holdout, holdout_name).  The options, the weights and
 * the experiment's hash prefix are kept between calls and read again when
 * their bytes change (they may change from row to row).
 */
static Datum
assign_options_common(FunctionCallInfo fcinfo, bool unit_is_text)
{
	NamespaceCache *c = namespace_cache(fcinfo);
	const AssignOptions *o;
	UpliftUnit	unit;
	const UpliftHashPrefix *action_prefix;
	int			action;

	uplift_arg_not_null(fcinfo, 0, "experiment");
	uplift_unit_arg(fcinfo, 1, unit_is_text, &unit);
	uplift_arg_not_null(fcinfo, 2, "weights");
	o = cached_options(fcinfo, c, PG_ARGISNULL(3) ? NULL : PG_GETARG_JSONB_P(3));
	uplift_cached_weights(fcinfo, &c->weights, PG_GETARG_ARRAYTYPE_P(2));

	if (o->ns != NULL)
	{
		double		u = namespace_uniform(&c->ns_prefix, &unit);

		if (u < o->lo || u >= o->hi)
			PG_RETURN_NULL();
	}
	if (o->holdout > 0.0 &&
		uplift_hash_uniform(uplift_unit_hash(&c->holdout_prefix, &unit)) < o->holdout)
		return cached_result(fcinfo, c, c->weights.n);

	action_prefix = uplift_action_prefix(fcinfo, &c->action, PG_GETARG_TEXT_PP(0), 0);
	action = uplift_pick_cumulative(c->weights.cum, c->weights.n,
									uplift_hash_uniform(uplift_unit_hash(action_prefix, &unit)));
	return cached_result(fcinfo, c, action);
}

PG_FUNCTION_INFO_V1(uplift_assign_options_int8);
Datum
uplift_assign_options_int8(PG_FUNCTION_ARGS)
{
	return assign_options_common(fcinfo, false);
}

PG_FUNCTION_INFO_V1(uplift_assign_options_text);
Datum
uplift_assign_options_text(PG_FUNCTION_ARGS)
{
	return assign_options_common(fcinfo, true);
}

/* uplift_namespace_uniform(namespace, unit_id): u_N of the unit. */
static Datum
namespace_uniform_common(FunctionCallInfo fcinfo, bool unit_is_text)
{
	UpliftHashPrefix prefix;
	UpliftUnit	unit;
	text	   *ns;

	uplift_arg_not_null(fcinfo, 0, "namespace");
	uplift_unit_arg(fcinfo, 1, unit_is_text, &unit);
	ns = PG_GETARG_TEXT_PP(0);
	namespace_prefix_init(&prefix, VARDATA_ANY(ns), VARSIZE_ANY_EXHDR(ns));
	PG_RETURN_FLOAT8(namespace_uniform(&prefix, &unit));
}

PG_FUNCTION_INFO_V1(uplift_namespace_uniform_int8);
Datum
uplift_namespace_uniform_int8(PG_FUNCTION_ARGS)
{
	return namespace_uniform_common(fcinfo, false);
}

PG_FUNCTION_INFO_V1(uplift_namespace_uniform_text);
Datum
uplift_namespace_uniform_text(PG_FUNCTION_ARGS)
{
	return namespace_uniform_common(fcinfo, true);
}
