/*
 * allocate.c
 *	  allocate_budget and allocate_budget_summary: check that the candidates
 *	  text is one query that changes nothing (query.c), run it read-only
 *	  through SPI with the caller's rights, stream its rows into the knapsack
 *	  solver (knapsack.c) and return the allocation.  Units that options
 *	  contact_cap and exclude leave alone (allocate_contact.c) enter the
 *	  solver with nothing to choose.
 *
 * The query is wrapped as SELECT * FROM (query) ORDER BY 1 so that rows
 * arrive grouped by unit; a DestReceiver checks the column types before the
 * first row and reads each row straight from the executor's slot, so the
 * candidates are never materialized as tuples.  Only the points a unit could
 * choose are kept, in compact arrays.
 */
#include "uplift.h"

#include <ctype.h>
#include <float.h>

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "executor/tuptable.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "tcop/dest.h"
#include "utils/builtins.h"
#include "utils/float.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/tuplestore.h"

#include "allocate.h"
#include "knapsack.h"
#include "options.h"
#include "progress.h"
#include "query.h"

PG_FUNCTION_INFO_V1(allocate_budget);
PG_FUNCTION_INFO_V1(allocate_budget_summary);

static const char *const full_keys[] = {
	"min_roi", "max_units", "spent", "pace", "include_no_offer",
	"contact_cap", "as_of", "exclude", NULL
};
static const char *const scale_unit_keys[] = {
	"min_roi", "spent", "pace", "contact_cap", "as_of", "exclude", NULL
};
static const char *const scale_keys[] = {"min_roi", "spent", "pace", NULL};
static const char *const unit_keys[] = {"contact_cap", "as_of", "exclude", NULL};

/* Error when an option that needs unit ids reaches an overload without them. */
static void
check_no_unit_options(Jsonb *opts, const char *funcname)
{
	for (int i = 0; unit_keys[i] != NULL; i++)
		if (options_lookup(opts, unit_keys[i]) != NULL)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("option \"%s\" of %s needs the unit ids", unit_keys[i], funcname),
					 errhint("Call the overload that takes unit_id first: %s(unit_id, action_values, action_costs, ...).",
							 funcname)));
}

void
allocate_read_options(Jsonb *opts, const char *funcname, bool full, bool units,
					  AllocateOptions *o)
{
	if (!units)
		check_no_unit_options(opts, funcname);
	options_check_keys(opts, funcname,
					   full ? full_keys : units ? scale_unit_keys : scale_keys);
	o->min_roi = options_float(opts, "min_roi", 0.0, 0.0, DBL_MAX);
	o->spent = options_float(opts, "spent", 0.0, 0.0, DBL_MAX);
	o->pace = options_float(opts, "pace", 1.0, 0.0, 1.0);
	o->include_no_offer = full ? options_bool(opts, "include_no_offer", false) : false;
	o->max_units = full ? options_lookup(opts, "max_units") : NULL;
	if (o->max_units != NULL &&
		(o->max_units->type != jbvBinary ||
		 !JsonContainerIsObject(o->max_units->val.binary.data)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("option \"max_units\" must be a JSON object"),
				 errhint("Map action numbers to the most units that may get them, for example {\"1\": 1000, \"2\": 500}.")));
	if (units)
		allocate_read_contact_options(opts, funcname, o);
	else
	{
		o->max_contacts = 0;
		o->exclude = NULL;
	}
}

double
allocate_available(double budget, const AllocateOptions *o)
{
	if (isnan(budget) || budget < 0.0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("budget must not be negative"),
				 errdetail("Got %g.", budget),
				 errhint("Pass the most that may be spent, 0 or more ('Infinity' for no limit).")));
	return ks_available(budget, o->pace, o->spent);
}

/* Copy the caps of option max_units into the problem. */
static void
read_caps(KsProblem *p, JsonbValue *max_units)
{
	JsonbIterator *it = JsonbIteratorInit(max_units->val.binary.data);
	JsonbValue	v;
	JsonbIteratorToken tok;
	char	   *key = NULL;

	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		if (tok == WJB_KEY)
		{
			char	   *end;
			long		a;

			key = pnstrdup(v.val.string.val, v.val.string.len);
			errno = 0;
			a = strtol(key, &end, 10);
			if (errno != 0 || end == key || *end != '\0' || a < 1 || a > KS_MAX_ACTION)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("option \"max_units\" has key \"%s\", which is not an action number", key),
						 errhint("Keys are actions 1 to %d, written as strings: {\"1\": 1000}.", KS_MAX_ACTION)));
			continue;
		}
		if (tok == WJB_VALUE && key != NULL)
		{
			long		a = strtol(key, NULL, 10);
			double		cap = options_value_float(&v, "option \"max_units\" value");

			if (cap != floor(cap) || cap < 0 || cap > 9.0e15)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("option \"max_units\" for action %ld must be a whole number, 0 or more", a),
						 errdetail("Got %g.", cap)));
			p->caps[a] = (int64) cap;
		}
	}
}

/* Error unless every capped action occurs among the candidates. */
static void
check_caps(const KsProblem *p)
{
	for (int a = 1; a <= KS_MAX_ACTION; a++)
		if (p->caps[a] >= 0 && !p->action_seen[a])
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("option \"max_units\" caps action %d, which no candidate has", a),
					 errhint("Cap only actions that the candidates query returns.")));
}

/* The DestReceiver that feeds candidate rows to the solver. */
typedef struct CandidateReceiver
{
	DestReceiver pub;
	KsProblem  *problem;
	MemoryContext cxt;			/* where the problem lives */
	Oid			types[4];
	bool		have_unit;
	int64		unit_id;
	uint32		unit_seq;		/* number of the current unit, from 1 */
	uint32	   *seen;			/* per action: unit_seq of its last row */
	KsPoint    *buf;			/* the current unit's rows */
	int			nbuf;
	int			maxbuf;
	const AllocateBlocked *blocked; /* units to leave alone */
	AllocateBlock why;			/* whether the current unit is one */
	int64		excluded;		/* units left alone by option exclude */
	int64		capped;			/* units left alone by option contact_cap */
	Progress	progress;
} CandidateReceiver;

static const char *const column_names[] = {"unit_id", "action", "value", "cost"};

static void
receiver_startup(DestReceiver *self, int operation, TupleDesc typeinfo)
{
	CandidateReceiver *r = (CandidateReceiver *) self;

	if (typeinfo->natts != 4)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("candidates query must return 4 columns"),
				 errdetail("It returns %d.", typeinfo->natts),
				 errhint("Return unit_id bigint, action int, value float8, cost float8, in this order.")));
	for (int i = 0; i < 4; i++)
	{
		Form_pg_attribute att = TupleDescAttr(typeinfo, i);
		Oid			t = att->atttypid;
		bool		ok;

		if (i < 2)
			ok = (t == INT8OID || t == INT4OID || t == INT2OID);
		else
			ok = (t == FLOAT8OID || t == FLOAT4OID);
		if (!ok)
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("column %d (\"%s\") of the candidates query has type %s",
							i + 1, NameStr(att->attname), format_type_be(t)),
					 errdetail("Column %d is %s and must be %s.", i + 1, column_names[i],
							   i == 0 ? "bigint" : i == 1 ? "integer" : "double precision"),
					 errhint("Cast it in the query, for example %s::%s.", NameStr(att->attname),
							 i == 0 ? "bigint" : i == 1 ? "int" : "float8")));
		r->types[i] = t;
	}
}

static int64
int_datum(Datum d, Oid t)
{
	if (t == INT8OID)
		return DatumGetInt64(d);
	if (t == INT4OID)
		return DatumGetInt32(d);
	return DatumGetInt16(d);
}

static double
float_datum(Datum d, Oid t)
{
	return t == FLOAT8OID ? DatumGetFloat8(d) : (double) DatumGetFloat4(d);
}

/* Hand the current unit's rows to the solver. */
static void
receiver_flush(CandidateReceiver *r)
{
	MemoryContext old;

	if (!r->have_unit)
		return;
	/* a unit left alone is a unit with nothing to choose: it spends nothing */
	if (r->why == ALLOCATE_EXCLUDED)
		r->excluded++;
	else if (r->why == ALLOCATE_CAPPED)
		r->capped++;
	if (r->why != ALLOCATE_FREE)
		r->nbuf = 0;
	old = MemoryContextSwitchTo(r->cxt);
	ks_add_unit(r->problem, r->unit_id, r->buf, r->nbuf);
	MemoryContextSwitchTo(old);
	r->nbuf = 0;
}

static bool
receiver_receive(TupleTableSlot *slot, DestReceiver *self)
{
	CandidateReceiver *r = (CandidateReceiver *) self;
	KsProblem  *p = r->problem;
	int64		unit_id;
	int64		action;

	progress_rows(&r->progress, 1);
	slot_getallattrs(slot);
	for (int i = 0; i < 2; i++)
		if (slot->tts_isnull[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("%s of the candidates query must not be NULL", column_names[i]),
					 errhint("Filter out rows without a unit or an action.")));
	unit_id = int_datum(slot->tts_values[0], r->types[0]);
	action = int_datum(slot->tts_values[1], r->types[1]);
	if (action == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("action 0 (no offer) must not appear among the candidates"),
				 errdetail("Unit " INT64_FORMAT " has a row for action 0.", unit_id),
				 errhint("No offer, with value 0 and cost 0, is always available; leave it out of the query.")));
	if (action < 1 || action > KS_MAX_ACTION)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("action of the candidates query must be between 1 and %d", KS_MAX_ACTION),
				 errdetail("Unit " INT64_FORMAT " has action " INT64_FORMAT ".", unit_id, action)));

	if (!r->have_unit || unit_id != r->unit_id)
	{
		receiver_flush(r);
		r->have_unit = true;
		r->unit_id = unit_id;
		r->unit_seq++;
		r->why = allocate_blocked_lookup(r->blocked, unit_id);
	}
	if (r->seen[action] == r->unit_seq)
		ereport(ERROR,
				(errcode(ERRCODE_CARDINALITY_VIOLATION),
				 errmsg("candidates query returned unit " INT64_FORMAT " action " INT64_FORMAT " more than once",
						unit_id, action),
				 errhint("Return one row per (unit_id, action).")));
	r->seen[action] = r->unit_seq;
	p->action_seen[action] = true;
	p->nrows++;

	/* a NULL value or cost: no estimate, so the pair is not a candidate */
	if (slot->tts_isnull[2] || slot->tts_isnull[3] || r->why != ALLOCATE_FREE)
		return true;
	if (r->nbuf >= r->maxbuf)
	{
		r->maxbuf *= 2;
		r->buf = repalloc(r->buf, r->maxbuf * sizeof(KsPoint));
	}
	r->buf[r->nbuf].action = (int32) action;
	r->buf[r->nbuf].value = float_datum(slot->tts_values[2], r->types[2]);
	r->buf[r->nbuf].cost = float_datum(slot->tts_values[3], r->types[3]);
	uplift_check_finite(r->buf[r->nbuf].value, "value of the candidates query");
	uplift_check_finite(r->buf[r->nbuf].cost, "cost of the candidates query");
	r->nbuf++;
	return true;
}

static void
receiver_shutdown(DestReceiver *self)
{
}

static void
receiver_destroy(DestReceiver *self)
{
}

/*
 * The candidates query, ordered by unit (a unit's rows are put in a canonical
 * order by ks_prepare_points, so their order within the unit does not matter).
 * The text must be one query that changes nothing (query.c), so the wrapper
 * around it cannot be closed early to smuggle in other statements; the
 * wrapped text is checked again for good measure.
 */
static char *
ordered_query(text *candidates, const char *funcname)
{
	char	   *q = uplift_query_trim(text_to_cstring(candidates));
	char	   *what = psprintf("candidates query of %s", funcname);
	StringInfoData buf;

	uplift_check_select_query(q, what);
	initStringInfo(&buf);
	appendStringInfo(&buf, "SELECT * FROM (\n%s\n) AS candidates ORDER BY 1", q);
	uplift_check_select_query(buf.data, what);
	return buf.data;
}

/*
 * Run the candidates query and solve.  Everything lives in cxt, which the
 * caller deletes.
 */
static KsProblem *
run_allocation(FunctionCallInfo fcinfo, const char *funcname,
			   AllocateOptions *o, MemoryContext cxt, int64 *excluded, int64 *capped)
{
	Jsonb	   *opts;
	double		available;
	KsProblem  *p;
	CandidateReceiver r;
	SPIExecuteOptions spiopts;
	char	   *sql;
	MemoryContext old;
	int			ret;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("candidates query of %s must not be NULL", funcname)));
	if (PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("budget of %s must not be NULL", funcname),
				 errhint("Pass 'Infinity' for no limit.")));
	opts = (PG_NARGS() > 2 && !PG_ARGISNULL(2)) ? PG_GETARG_JSONB_P(2) : NULL;
	allocate_read_options(opts, funcname, true, true, o);
	available = allocate_available(PG_GETARG_FLOAT8(1), o);

	old = MemoryContextSwitchTo(cxt);
	p = ks_create(available, o->min_roi, o->max_units != NULL);
	if (o->max_units != NULL)
		read_caps(p, o->max_units);
	sql = ordered_query(PG_GETARG_TEXT_PP(0), funcname);
	MemoryContextSwitchTo(old);

	memset(&r, 0, sizeof(r));
	r.pub.receiveSlot = receiver_receive;
	r.pub.rStartup = receiver_startup;
	r.pub.rShutdown = receiver_shutdown;
	r.pub.rDestroy = receiver_destroy;
	r.pub.mydest = DestTuplestore;	/* anything but DestNone, which SPI treats as "discard" */
	r.problem = p;
	r.cxt = cxt;
	r.maxbuf = 16;
	r.buf = MemoryContextAlloc(cxt, r.maxbuf * sizeof(KsPoint));
	r.seen = MemoryContextAllocZero(cxt, (KS_MAX_ACTION + 1) * sizeof(uint32));
	progress_begin(&r.progress, funcname, cxt);
	if (allocate_blocks_units(o))
		r.blocked = allocate_blocked_load(o, get_func_namespace(fcinfo->flinfo->fn_oid),
										  funcname, cxt);

	/* read-only: the query sees the caller's snapshot and may not write */
	memset(&spiopts, 0, sizeof(spiopts));
	spiopts.read_only = true;
	spiopts.dest = (DestReceiver *) &r;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	ret = SPI_execute_extended(sql, &spiopts);
	if (ret != SPI_OK_SELECT)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("candidates query of %s must be a query returning rows", funcname)));
	SPI_finish();
	receiver_flush(&r);
	*excluded = r.excluded;
	*capped = r.capped;
	if (p->nrows == 0)
		ereport(WARNING,
				(errcode(ERRCODE_NO_DATA),
				 errmsg("candidates query of %s returned no rows", funcname),
				 errdetail("No unit can be given an action."),
				 errhint("Check the query's joins and filters, and that the scores it reads were computed.")));

	progress_phase(&r.progress, "solving");
	old = MemoryContextSwitchTo(cxt);
	if (p->caps != NULL)
		check_caps(p);
	ks_solve(p);
	MemoryContextSwitchTo(old);
	return p;
}

Datum
allocate_budget(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	MemoryContext cxt;
	AllocateOptions o;
	KsProblem  *p;
	int64		excluded;
	int64		capped;

	InitMaterializedSRF(fcinfo, 0);
	cxt = AllocSetContextCreate(CurrentMemoryContext, "allocate_budget",
								ALLOCSET_DEFAULT_SIZES);
	p = run_allocation(fcinfo, "allocate_budget", &o, cxt, &excluded, &capped);

	for (Size k = 0; k < p->nunits; k++)
	{
		const KsUnit *u = &p->units[k];
		Datum		values[4];
		bool		nulls[4] = {false, false, false, false};

		if ((k & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		if (u->current >= 0)
		{
			const KsPoint *q = &p->points[u->first + u->current];

			values[1] = Int32GetDatum(q->action);
			values[2] = Float8GetDatum(q->value);
			values[3] = Float8GetDatum(q->cost);
		}
		else if (o.include_no_offer)
		{
			values[1] = Int32GetDatum(0);
			values[2] = Float8GetDatum(0.0);
			values[3] = Float8GetDatum(0.0);
		}
		else
			continue;
		values[0] = Int64GetDatum(u->unit_id);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	MemoryContextDelete(cxt);
	return (Datum) 0;
}

/* {"1": n1, "2": n2, ...}: units given each action. */
static Datum
units_per_action(const KsProblem *p)
{
	int64	   *n = palloc0((KS_MAX_ACTION + 1) * sizeof(int64));
	StringInfoData buf;
	bool		first = true;

	for (Size k = 0; k < p->nunits; k++)
		if (p->units[k].current >= 0)
			n[p->points[p->units[k].first + p->units[k].current].action]++;
	initStringInfo(&buf);
	appendStringInfoChar(&buf, '{');
	for (int a = 1; a <= KS_MAX_ACTION; a++)
		if (p->action_seen[a])
		{
			appendStringInfo(&buf, "%s\"%d\": " INT64_FORMAT, first ? "" : ", ", a, n[a]);
			first = false;
		}
	appendStringInfoChar(&buf, '}');
	return DirectFunctionCall1(jsonb_in, CStringGetDatum(buf.data));
}

/* Why no unit got an action, or NULL when some did. */
static Datum
no_assignment_reason(const KsProblem *p, int64 assigned, int64 left_alone, bool *isnull)
{
	const char *reason;

	*isnull = false;
	if (assigned > 0)
	{
		*isnull = true;
		return (Datum) 0;
	}
	if (p->nrows == 0)
		reason = "the candidates query returned no rows";
	else if (left_alone > 0 && (Size) left_alone == p->nunits)
		reason = "every unit is excluded or has reached its contact cap";
	else if (p->npoints == 0)
		reason = "no candidate is worth more than no offer (value 0 or less, below min_roi, or NULL)";
	else if (p->caps != NULL)
		reason = "no candidate fits in the budget available and the caps";
	else
		reason = "no candidate fits in the budget available";
	return CStringGetTextDatum(reason);
}

Datum
allocate_budget_summary(PG_FUNCTION_ARGS)
{
	MemoryContext cxt;
	AllocateOptions o;
	KsProblem  *p;
	TupleDesc	tupdesc;
	Datum		values[15];
	bool		nulls[15] = {false};
	int64		excluded;
	int64		capped;
	NeumaierSum total_value = {0, 0};
	NeumaierSum total_cost = {0, 0};
	int64		assigned = 0;
	int64		memory;
	double		bound;
	Datum		per_action;

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	cxt = AllocSetContextCreate(CurrentMemoryContext, "allocate_budget_summary",
								ALLOCSET_DEFAULT_SIZES);
	p = run_allocation(fcinfo, "allocate_budget_summary", &o, cxt, &excluded, &capped);
	memory = (int64) Max(p->peak_memory, MemoryContextMemAllocated(cxt, true));

	for (Size k = 0; k < p->nunits; k++)
	{
		const KsUnit *u = &p->units[k];

		if (u->current >= 0)
		{
			neumaier_add(&total_value, p->points[u->first + u->current].value);
			neumaier_add(&total_cost, p->points[u->first + u->current].cost);
			assigned++;
		}
	}
	{
		MemoryContext old = MemoryContextSwitchTo(cxt);

		bound = ks_dual_bound(p);
		MemoryContextSwitchTo(old);
	}
	per_action = units_per_action(p);

	values[0] = Int64GetDatum(p->nrows);
	values[1] = Int64GetDatum((int64) p->nunits);
	values[2] = Int64GetDatum(assigned);
	values[3] = Float8GetDatum(neumaier_value(&total_value));
	values[4] = Float8GetDatum(neumaier_value(&total_cost));
	values[5] = Float8GetDatum(p->available);
	values[6] = Float8GetDatum(bound);
	values[7] = Float8GetDatum(Max(bound - neumaier_value(&total_value), 0.0));
	values[8] = Float8GetDatum(p->largest_increment);
	values[9] = Float8GetDatum(p->broken ? p->threshold : 0.0);
	values[10] = per_action;
	values[11] = Int64GetDatum(memory);
	values[12] = no_assignment_reason(p, assigned, excluded + capped, &nulls[12]);
	values[13] = Int64GetDatum(excluded);
	values[14] = Int64GetDatum(capped);
	MemoryContextDelete(cxt);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}
