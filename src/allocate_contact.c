/*
 * allocate_contact.c
 *	  The units an allocation leaves alone: those the assignment log shows
 *	  offered (action above 0) at least max_contacts times, across all
 *	  experiments, within a window before as_of (option contact_cap), and
 *	  those an exclusion query or table returns (option exclude), such as a
 *	  do-not-disturb list.
 *
 * Both are read through SPI, read-only and with the caller's rights: the
 * exclusion query is checked to be one SELECT (query.c), and row-level
 * security on the log shows the caller only the experiments it may read.
 * The unit ids go into a hash set that allocate_budget and the two-step
 * path consult once per unit.
 */
#include "uplift.h"

#include <ctype.h>

#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "executor/tuptable.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "nodes/params.h"
#include "storage/lmgr.h"
#include "tcop/dest.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/hsearch.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/regproc.h"
#include "utils/timestamp.h"

#include "allocate.h"
#include "options.h"
#include "query.h"

struct AllocateBlocked
{
	HTAB	   *units;			/* BlockedUnit by unit_id */
};

typedef struct BlockedUnit
{
	int64		unit_id;
	AllocateBlock why;
} BlockedUnit;

static const char *const cap_keys[] = {"max_contacts", "window", NULL};

/* An interval from text, or false when the text is not one (never errors). */
static bool
parse_interval(const char *str, Interval *result)
{
	char		workbuf[256];
	char	   *field[MAXDATEFIELDS];
	int			ftype[MAXDATEFIELDS];
	int			nf,
				dtype = 0,
				dterr;
	struct pg_itm_in itm_in;
	char	   *copy = pstrdup(str);

	dterr = ParseDateTime(str, workbuf, sizeof(workbuf), field, ftype, MAXDATEFIELDS, &nf);
	if (dterr == 0)
		dterr = DecodeInterval(field, ftype, nf, INTERVAL_FULL_RANGE, &dtype, &itm_in);
	if (dterr == DTERR_BAD_FORMAT)
		dterr = DecodeISO8601Interval(copy, &dtype, &itm_in);
	return dterr == 0 && dtype == DTK_DELTA && itmin2interval(&itm_in, result) == 0;
}

/* A timestamptz from text, or false when the text is not one (never errors). */
static bool
parse_timestamptz(const char *str, TimestampTz *result)
{
	char		workbuf[MAXDATELEN + MAXDATEFIELDS];
	char	   *field[MAXDATEFIELDS];
	int			ftype[MAXDATEFIELDS];
	int			nf,
				dtype = 0,
				tz,
				dterr;
	struct pg_tm tm;
	fsec_t		fsec;

	dterr = ParseDateTime(str, workbuf, sizeof(workbuf), field, ftype, MAXDATEFIELDS, &nf);
	if (dterr == 0)
		dterr = DecodeDateTime(field, ftype, nf, &dtype, &tm, &fsec, &tz);
	return dterr == 0 && dtype == DTK_DATE && tm2timestamp(&tm, fsec, &tz, result) == 0;
}

/* A string option's value, or an error naming it. */
static char *
string_value(JsonbValue *v, const char *name, const char *funcname, const char *hint)
{
	if (v->type != jbvString)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("option \"%s\" of %s must be a string", name, funcname),
				 errhint("%s", hint)));
	return pnstrdup(v->val.string.val, v->val.string.len);
}

/* {"max_contacts": n, "window": "30 days"} into o. */
static void
read_contact_cap(JsonbValue *cap, const char *funcname, AllocateOptions *o)
{
	const char *hint = "Pass {\"contact_cap\": {\"max_contacts\": 3, \"window\": \"30 days\"}}.";
	JsonbContainer *obj;
	JsonbValue *v;
	char	   *unknown;
	char	   *window;
	double		n;
	Interval	zero = {0, 0, 0};

	if (cap->type != jbvBinary || !JsonContainerIsObject(cap->val.binary.data))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("option \"contact_cap\" of %s must be a JSON object", funcname),
				 errhint("%s", hint)));
	obj = cap->val.binary.data;
	unknown = options_unknown_key(obj, cap_keys);
	if (unknown != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("option \"contact_cap\" of %s has unknown key \"%s\"", funcname, unknown),
				 errhint("Its keys are max_contacts and window, as in {\"contact_cap\": {\"max_contacts\": 3, \"window\": \"30 days\"}}.")));

	v = getKeyJsonValueFromContainer(obj, "max_contacts", strlen("max_contacts"), NULL);
	if (v == NULL || v->type == jbvNull)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("option \"contact_cap\" of %s needs \"max_contacts\"", funcname),
				 errhint("%s", hint)));
	n = options_value_float(v, "option \"contact_cap.max_contacts\"");
	if (n != floor(n) || n < 1 || n > 1.0e15)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("option \"contact_cap.max_contacts\" of %s must be a whole number, 1 or more", funcname),
				 errdetail("Got %g.", n),
				 errhint("A unit offered max_contacts times within the window is not allocated.")));
	o->max_contacts = (int64) n;

	v = getKeyJsonValueFromContainer(obj, "window", strlen("window"), NULL);
	if (v == NULL || v->type == jbvNull)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("option \"contact_cap\" of %s needs \"window\"", funcname),
				 errhint("%s", hint)));
	window = string_value(v, "contact_cap.window", funcname, hint);
	if (!parse_interval(window, &o->window))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("option \"contact_cap.window\" of %s must be an interval", funcname),
				 errdetail("Got \"%s\".", window),
				 errhint("Pass how far back offers count, such as \"30 days\" or \"2 weeks\".")));
	if (DatumGetInt32(DirectFunctionCall2(interval_cmp, IntervalPGetDatum(&o->window),
										  IntervalPGetDatum(&zero))) <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("option \"contact_cap.window\" of %s must be positive", funcname),
				 errdetail("Got \"%s\".", window),
				 errhint("Pass how far back offers count, such as \"30 days\".")));
}

void
allocate_read_contact_options(Jsonb *opts, const char *funcname, AllocateOptions *o)
{
	JsonbValue *cap = options_lookup(opts, "contact_cap");
	JsonbValue *as_of = options_lookup(opts, "as_of");
	JsonbValue *exclude = options_lookup(opts, "exclude");

	o->max_contacts = 0;
	o->as_of = GetCurrentTransactionStartTimestamp();
	o->exclude = NULL;
	if (cap != NULL)
		read_contact_cap(cap, funcname, o);
	if (as_of != NULL)
	{
		char	   *s = string_value(as_of, "as_of", funcname,
									 "Pass a time such as \"2026-03-31 00:00+00\".");

		if (cap == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("option \"as_of\" of %s needs option \"contact_cap\"", funcname),
					 errhint("as_of is the end of the contact cap's window; pass both or neither.")));
		if (!parse_timestamptz(s, &o->as_of))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("option \"as_of\" of %s must be a timestamp with time zone", funcname),
					 errdetail("Got \"%s\".", s),
					 errhint("Pass a time such as \"2026-03-31 00:00+00\".")));
	}
	if (exclude != NULL)
	{
		o->exclude = string_value(exclude, "exclude", funcname,
								  "Pass a table name or one SELECT query that returns unit ids.");
		if (o->exclude[strspn(o->exclude, " \t\r\n;")] == '\0')
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("option \"exclude\" of %s must not be empty", funcname),
					 errhint("Pass a table name or one SELECT query that returns unit ids.")));
	}
}

/* The receiver that puts the unit ids of a query's only column in the set. */
typedef struct IdReceiver
{
	DestReceiver pub;
	HTAB	   *units;
	AllocateBlock why;
	const char *what;
	Oid			type;
} IdReceiver;

static void
ids_startup(DestReceiver *self, int operation, TupleDesc typeinfo)
{
	IdReceiver *r = (IdReceiver *) self;
	Oid			t = typeinfo->natts == 1 ? TupleDescAttr(typeinfo, 0)->atttypid : InvalidOid;

	if (t != INT8OID && t != INT4OID && t != INT2OID)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("%s must return one column of unit ids", r->what),
				 errdetail("It returns %d column(s), the first of type %s.", typeinfo->natts,
						   typeinfo->natts > 0 ? format_type_be(TupleDescAttr(typeinfo, 0)->atttypid) : "none"),
				 errhint("Return one bigint column, the unit_id of each unit to leave alone.")));
	r->type = t;
}

static bool
ids_receive(TupleTableSlot *slot, DestReceiver *self)
{
	IdReceiver *r = (IdReceiver *) self;
	Datum		d;
	bool		isnull;
	int64		id;
	bool		found;
	BlockedUnit *u;

	d = slot_getattr(slot, 1, &isnull);
	if (isnull)
		return true;
	id = r->type == INT8OID ? DatumGetInt64(d) :
		r->type == INT4OID ? DatumGetInt32(d) : DatumGetInt16(d);
	u = hash_search(r->units, &id, HASH_ENTER, &found);
	if (!found)
		u->why = r->why;
	return true;
}

static void
ids_noop(DestReceiver *self)
{
}

/* Name the option an error in one of its queries comes from. */
static void
option_error_callback(void *arg)
{
	errcontext("reading the %s", (const char *) arg);
}

/* Run sql (read-only, caller's rights) and add its unit ids to the set. */
static void
collect_ids(const char *sql, ParamListInfo params, HTAB *units, AllocateBlock why,
			const char *what)
{
	IdReceiver	r;
	SPIExecuteOptions spiopts;
	ErrorContextCallback callback;

	memset(&r, 0, sizeof(r));
	r.pub.receiveSlot = ids_receive;
	r.pub.rStartup = ids_startup;
	r.pub.rShutdown = ids_noop;
	r.pub.rDestroy = ids_noop;
	r.pub.mydest = DestTuplestore;	/* anything but DestNone */
	r.units = units;
	r.why = why;
	r.what = what;

	memset(&spiopts, 0, sizeof(spiopts));
	spiopts.read_only = true;
	spiopts.params = params;
	spiopts.dest = (DestReceiver *) &r;

	callback.callback = option_error_callback;
	callback.arg = (void *) what;
	callback.previous = error_context_stack;
	error_context_stack = &callback;
	if (SPI_execute_extended(sql, &spiopts) != SPI_OK_SELECT)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be a query returning rows", what)));
	error_context_stack = callback.previous;
}

/*
 * Whether the text is a query rather than a table name: a name, qualified or
 * not, has no space or parenthesis outside double quotes.
 */
static bool
looks_like_query(const char *s)
{
	bool		quoted = false;

	for (; *s != '\0'; s++)
	{
		if (*s == '"')
			quoted = !quoted;
		else if (!quoted && (isspace((unsigned char) *s) || *s == '('))
			return true;
	}
	return false;
}

/*
 * The query behind option exclude: the text itself when it is a query
 * (checked to be one SELECT), or SELECT unit_id FROM the table it names.
 */
static char *
exclusion_query(const char *exclude, const char *what)
{
	char	   *q = pstrdup(exclude);
	int			len = strlen(q);
	RangeVar   *rv;
	Oid			rel;

	while (len > 0 && (q[len - 1] == ';' || isspace((unsigned char) q[len - 1])))
		q[--len] = '\0';
	if (looks_like_query(q))
	{
		uplift_check_select_query(q, what);
		return q;
	}
	/* a table: SELECT on it is checked when the query runs */
	rv = makeRangeVarFromNameList(stringToQualifiedNameList(q));
	rel = RangeVarGetRelid(rv, AccessShareLock, false);
	return psprintf("SELECT unit_id FROM %s",
					quote_qualified_identifier(get_namespace_name(get_rel_namespace(rel)),
											   get_rel_name(rel)));
}

/* The assignment log, if there is one (uplift_assignment_log_guard). */
static bool
log_exists(const char *nspname)
{
	char	   *sql = psprintf("SELECT %s.uplift_assignment_log_guard() IS NOT NULL",
							   quote_identifier(nspname));
	bool		isnull;
	bool		exists;

	if (SPI_execute(sql, true, 1) != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "could not look up the assignment log");
	exists = DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	return !isnull && exists;
}

/* Units offered at least max_contacts times in [as_of - window, as_of). */
static void
collect_capped(const AllocateOptions *o, const char *nspname, HTAB *units,
			   const char *funcname)
{
	ParamListInfo params = makeParamList(3);
	TimestampTz start;
	char	   *sql;

	if (!log_exists(nspname))
		return;					/* no log: nobody was offered anything */
	start = DatumGetTimestampTz(DirectFunctionCall2(timestamptz_mi_interval,
													TimestampTzGetDatum(o->as_of),
													IntervalPGetDatum(&o->window)));
	sql = psprintf("SELECT l.unit_id FROM %s AS l"
				   " WHERE l.unit_id IS NOT NULL AND l.action OPERATOR(pg_catalog.>) 0"
				   " AND l.assigned_at OPERATOR(pg_catalog.>=) $1"
				   " AND l.assigned_at OPERATOR(pg_catalog.<) $2"
				   " GROUP BY l.unit_id"
				   " HAVING pg_catalog.count(*) OPERATOR(pg_catalog.>=) $3",
				   quote_qualified_identifier(nspname, "uplift_assignment_log"));
	params->numParams = 3;
	params->params[0].value = TimestampTzGetDatum(start);
	params->params[0].ptype = TIMESTAMPTZOID;
	params->params[1].value = TimestampTzGetDatum(o->as_of);
	params->params[1].ptype = TIMESTAMPTZOID;
	params->params[2].value = Int64GetDatum(o->max_contacts);
	params->params[2].ptype = INT8OID;
	for (int i = 0; i < 3; i++)
	{
		params->params[i].isnull = false;
		params->params[i].pflags = PARAM_FLAG_CONST;
	}
	collect_ids(sql, params, units, ALLOCATE_CAPPED,
				psprintf("assignment log for option \"contact_cap\" of %s", funcname));
}

AllocateBlocked *
allocate_blocked_load(const AllocateOptions *o, Oid nsp, const char *funcname,
					  MemoryContext cxt)
{
	AllocateBlocked *b = MemoryContextAllocZero(cxt, sizeof(AllocateBlocked));
	char	   *nspname = get_namespace_name(nsp);
	HASHCTL		ctl;

	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = sizeof(int64);
	ctl.entrysize = sizeof(BlockedUnit);
	ctl.hcxt = cxt;
	b->units = hash_create("allocation: units to leave alone", 1024, &ctl,
						   HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	if (!allocate_blocks_units(o))
		return b;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	/* exclusions first: a unit both excluded and capped counts as excluded */
	if (o->exclude != NULL)
	{
		char	   *what = psprintf("option \"exclude\" of %s", funcname);
		ErrorContextCallback callback;
		char	   *sql;

		callback.callback = option_error_callback;
		callback.arg = (void *) what;
		callback.previous = error_context_stack;
		error_context_stack = &callback;
		sql = exclusion_query(o->exclude, what);
		error_context_stack = callback.previous;
		collect_ids(sql, NULL, b->units, ALLOCATE_EXCLUDED, what);
	}
	if (o->max_contacts > 0)
		collect_capped(o, nspname, b->units, funcname);
	SPI_finish();
	return b;
}

AllocateBlock
allocate_blocked_lookup(const AllocateBlocked *b, int64 unit_id)
{
	BlockedUnit *u;

	if (b == NULL)
		return ALLOCATE_FREE;
	u = hash_search(b->units, &unit_id, HASH_FIND, NULL);
	return u == NULL ? ALLOCATE_FREE : u->why;
}
