/*
 * fit_plan.c
 *	  Keeps the fits of uplift_fit that hold their training rows out of
 *	  partial (parallel) aggregation.
 *
 * uplift_fit keeps its training rows in its state, except for the linear T-
 * and S-learners, whose state is per-arm moments.  Under a parallel plan the
 * partial states of a row-keeping fit are the rows themselves: each worker
 * serialises its share, the leader copies it out of the tuple queue,
 * deserialises it and then fits alone, so the leader pays more than for
 * scanning the rows itself (at 10,000,000 rows the parallel plan took 1.55x
 * the serial one, bench/README.md "default plans") and holds the rows two or
 * three times.  Costs cannot steer the planner away from that plan (a combine
 * or deserial function is charged per partial state, not per row), so the
 * planner support function of uplift_fit's transition function, which the
 * planner calls when it has read the query's aggregates and before it plans
 * the aggregation, marks a query holding such a fit as one with an aggregate
 * that cannot be serialised: PostgreSQL then aggregates in one process.  Fits whose options are not constants keep the parallel plan,
 * as do the fits from moments.  The setting uplift.parallel_fit_rows (off by
 * default) allows the partial plan for every fit; tests use it to check that
 * the partial states give the serial answer.  uplift_fit_query fits over
 * passes whose states are small, for tables too large for one backend.
 */
#include "uplift.h"

#include "access/htup_details.h"
#include "catalog/pg_aggregate.h"
#include "catalog/pg_type.h"
#include "nodes/nodeFuncs.h"
#include "nodes/pathnodes.h"
#include "nodes/supportnodes.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"

#include "learn.h"


/* Is the aggregate aggfnoid one of uplift_fit's signatures? */
static bool
is_uplift_fit(Oid aggfnoid)
{
	HeapTuple	tup = SearchSysCache1(AGGFNOID, ObjectIdGetDatum(aggfnoid));
	bool		found = false;

	if (HeapTupleIsValid(tup))
	{
		Oid			transfn = ((Form_pg_aggregate) GETSTRUCT(tup))->aggtransfn;
		char	   *name = get_func_name(transfn);

		found = name != NULL && strcmp(name, "uplift_fit_transfn") == 0 &&
			get_func_namespace(transfn) == get_func_namespace(aggfnoid);
		ReleaseSysCache(tup);
	}
	return found;
}

/*
 * Does this call of uplift_fit keep its rows?  Its options are its last jsonb
 * argument; without one the base is chosen from the outcomes (rows).
 */
static bool
fit_keeps_rows(Aggref *aggref)
{
	TargetEntry *last = llast_node(TargetEntry, aggref->args);
	Const	   *c;

	if (exprType((Node *) last->expr) != JSONBOID)
		return true;
	if (!IsA(last->expr, Const))
		return false;
	c = (Const *) last->expr;
	return c->constisnull || learn_options_keep_rows(DatumGetJsonbP(c->constvalue));
}

static bool
query_fits_rows(PlannerInfo *root)
{
	ListCell   *lc;

	foreach(lc, root->agginfos)
	{
		Aggref	   *aggref = ((AggInfo *) lfirst(lc))->representative_aggref;

		if (aggref->args != NIL && is_uplift_fit(aggref->aggfnoid) &&
			fit_keeps_rows(aggref))
			return true;
	}
	return false;
}

/*
 * uplift_fit_support(internal): the planner support function of
 * uplift_fit_transfn.  The planner asks it for the transition function's
 * cost (SupportRequestCost) when it sums up the query's aggregates, before
 * it decides whether they may be aggregated partially; the answer is "no
 * estimate" (procost is used), and the query is marked on the way.
 */
PG_FUNCTION_INFO_V1(uplift_fit_support);
Datum
uplift_fit_support(PG_FUNCTION_ARGS)
{
	Node	   *req = (Node *) PG_GETARG_POINTER(0);

	if (IsA(req, SupportRequestCost))
	{
		PlannerInfo *root = ((SupportRequestCost *) req)->root;

		if (root != NULL && !uplift_parallel_fit_rows && root->agginfos != NIL &&
			!root->hasNonSerialAggs && query_fits_rows(root))
			root->hasNonSerialAggs = true;
	}
	PG_RETURN_POINTER(NULL);
}
