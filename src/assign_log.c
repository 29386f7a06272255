/*
 * assign_log.c
 *	  uplift_assignment_log_guard: find the assignment log and make sure that
 *	  nobody else planted it.  The log is an ordinary table in the extension's
 *	  schema (sql/objects/70_assign.sql), so a role allowed to create tables
 *	  there could create one of that name before the DBA does; the loggers
 *	  then must neither read "logged" rows from it nor write to it.  Only a
 *	  log owned by a superuser or by the extension's owner is trusted.  This
 *	  runs on every logging call, so it uses the system caches only.
 *
 * Nor may the log be used from a query that Citus runs on a shard: each
 * node would read and write a log of its own.  Citus opens the connections
 * of such queries with application_name "citus_internal gpid=..." (Citus 11
 * and later); a shard query that Citus runs inside the coordinator's own
 * backend (local execution) cannot be told apart and is not refused.
 */
#include "uplift.h"

#include "access/htup_details.h"
#include "catalog/pg_class.h"
#include "catalog/pg_proc.h"
#include "miscadmin.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"

PG_FUNCTION_INFO_V1(uplift_assignment_log_guard);

/* Owner of a catalog row looked up by OID in the given cache. */
static Oid
row_owner(int cacheid, Oid oid)
{
	HeapTuple	tup = SearchSysCache1(cacheid, ObjectIdGetDatum(oid));
	Oid			owner;

	if (!HeapTupleIsValid(tup))
		elog(ERROR, "cache lookup failed for object %u", oid);
	if (cacheid == RELOID)
		owner = ((Form_pg_class) GETSTRUCT(tup))->relowner;
	else
		owner = ((Form_pg_proc) GETSTRUCT(tup))->proowner;
	ReleaseSysCache(tup);
	return owner;
}

/* The application_name of the connections Citus opens for shard queries. */
#define CITUS_INTERNAL_APPLICATION "citus_internal gpid="

static void
citus_shard_query_check(void)
{
	if (application_name != NULL &&
		strncmp(application_name, CITUS_INTERNAL_APPLICATION,
				strlen(CITUS_INTERNAL_APPLICATION)) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("the assignment log cannot be used in a query that Citus runs on a shard"),
				 errdetail("Each node would read and write a log of its own."),
				 errhint("Assign and log on the coordinator, or log into a table of your own distributed by unit (doc/citus.md).")));
}

/*
 * The log, or NULL when there is none yet; an error when it is owned by
 * neither a superuser nor the owner of this function (the extension's owner,
 * who created the extension's objects).
 */
Datum
uplift_assignment_log_guard(PG_FUNCTION_ARGS)
{
	Oid			self = fcinfo->flinfo->fn_oid;
	Oid			nsp = get_func_namespace(self);
	Oid			log = get_relname_relid("uplift_assignment_log", nsp);
	Oid			owner;

	citus_shard_query_check();
	if (!OidIsValid(log))
		PG_RETURN_NULL();
	owner = row_owner(RELOID, log);
	if (!superuser_arg(owner) && owner != row_owner(PROCOID, self))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("the assignment log %s.uplift_assignment_log is not owned by a superuser or the owner of extension uplift",
						get_namespace_name(nsp)),
				 errdetail("It is owned by role %s.", GetUserNameFromId(owner, false)),
				 errhint("Drop or rename that table, then run SELECT uplift_create_assignment_log(); as the extension's owner.")));
	PG_RETURN_OID(log);
}
