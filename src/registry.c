/*
 * registry.c
 *	  The model of a scoring-by-name call: the deployed version of a named
 *	  model in the registry (sql/objects/85_registry.sql), read through SPI
 *	  and parsed once per call site and statement.
 *
 * The cache lives in fn_extra and is keyed by the name and by what the
 * statement's snapshot can see: its xmin, xmax, in-progress transaction ids
 * and command id.  A deploy is a new row in the deployment log, so it becomes
 * visible exactly when a snapshot taken after its commit (or after the
 * deploying command, in its own transaction) is used, and every such
 * snapshot differs from the cached key (the commit moves xmax past the
 * deploying transaction or takes it out of the in-progress list; a command
 * of one's own moves the command id): the next statement reads the registry
 * again.  Two snapshots with the same key see the same rows, so reusing the
 * model is exact.  Reading again costs one indexed lookup; the model is
 * parsed again only when the deployed version or its checksum changed.
 */
#include "uplift.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"

#include "arrays.h"
#include "named_features.h"
#include "model.h"

typedef struct NamedModelCache
{
	char	   *name;			/* the name the model was read for */
	int			name_len;		/* its length (strlen) */
	bool		keyed;			/* whether the snapshot key below is set */
	TransactionId xmin;			/* the snapshot it was read under */
	TransactionId xmax;
	CommandId	curcid;
	bool		suboverflowed;
	uint32		xcnt;
	int32		subxcnt;
	TransactionId *xids;		/* xip then subxip, in fn_mcxt */
	int			xids_room;
	int32		version;		/* the deployed version and its checksum */
	char	   *checksum;
	UpliftModel *model;
	double	   *features;		/* room for the model's features */
	MemoryContext cxt;			/* holds all of the above */
} NamedModelCache;

/* Whether the cache was filled for this name under a snapshot like snap. */
static bool
cache_is_current(const NamedModelCache *cache, const char *name, int name_len,
				 Snapshot snap)
{
	return cache->model != NULL && cache->keyed && snap != NULL &&
		cache->xmin == snap->xmin && cache->xmax == snap->xmax &&
		cache->curcid == snap->curcid && cache->suboverflowed == snap->suboverflowed &&
		cache->name_len == name_len && memcmp(cache->name, name, name_len) == 0 &&
		cache->xcnt == snap->xcnt && cache->subxcnt == snap->subxcnt &&
		memcmp(cache->xids, snap->xip, sizeof(TransactionId) * snap->xcnt) == 0 &&
		memcmp(cache->xids + snap->xcnt, snap->subxip,
			   sizeof(TransactionId) * snap->subxcnt) == 0;
}

static void
remember_snapshot(NamedModelCache *cache, Snapshot snap, MemoryContext mcxt)
{
	int			n;

	cache->keyed = false;
	if (snap == NULL || snap->snapshot_type != SNAPSHOT_MVCC || snap->subxcnt < 0)
		return;
	n = Max(snap->xcnt + snap->subxcnt, 1);
	if (n > cache->xids_room)
	{
		if (cache->xids != NULL)
			pfree(cache->xids);
		cache->xids = MemoryContextAlloc(mcxt, sizeof(TransactionId) * n);
		cache->xids_room = n;
	}
	if (snap->xcnt > 0)
		memcpy(cache->xids, snap->xip, sizeof(TransactionId) * snap->xcnt);
	if (snap->subxcnt > 0)
		memcpy(cache->xids + snap->xcnt, snap->subxip, sizeof(TransactionId) * snap->subxcnt);
	cache->xmin = snap->xmin;
	cache->xmax = snap->xmax;
	cache->curcid = snap->curcid;
	cache->suboverflowed = snap->suboverflowed;
	cache->xcnt = snap->xcnt;
	cache->subxcnt = snap->subxcnt;
	cache->keyed = true;
}

/*
 * Read the deployed version of name through uplift_deployed (which raises
 * 42704 for an unknown name or nothing deployed), and parse it into the
 * cache unless the cache already holds that version.
 */
static void
load_deployed(NamedModelCache *cache, FunctionCallInfo fcinfo, const char *name)
{
	Oid			nsp = get_func_namespace(fcinfo->flinfo->fn_oid);
	char	   *query = psprintf("SELECT version, checksum, model FROM %s.uplift_deployed($1)",
								 quote_identifier(get_namespace_name(nsp)));
	Oid			argtypes[1] = {TEXTOID};
	Datum		args[1] = {CStringGetTextDatum(name)};
	HeapTuple	row;
	TupleDesc	desc;
	bool		isnull;
	int32		version;
	char	   *checksum;
	MemoryContext old;

	SPI_connect();
	if (SPI_execute_with_args(query, 1, argtypes, args, NULL, true, 1) != SPI_OK_SELECT ||
		SPI_processed != 1)
		elog(ERROR, "uplift_deployed returned no row for model \"%s\"", name);
	row = SPI_tuptable->vals[0];
	desc = SPI_tuptable->tupdesc;
	version = DatumGetInt32(SPI_getbinval(row, desc, 1, &isnull));
	checksum = SPI_getvalue(row, desc, 2);

	if (cache->model == NULL || cache->version != version ||
		strcmp(cache->checksum, checksum) != 0 || strcmp(cache->name, name) != 0)
	{
		Datum		model = SPI_getbinval(row, desc, 3, &isnull);

		MemoryContextReset(cache->cxt);
		cache->model = NULL;
		old = MemoryContextSwitchTo(cache->cxt);
		cache->model = uplift_model_deserialize(PG_DETOAST_DATUM_COPY(model));
		cache->features = palloc(sizeof(double) * cache->model->n_features);
		cache->checksum = pstrdup(checksum);
		cache->name = pstrdup(name);
		cache->name_len = strlen(name);
		cache->version = version;
		MemoryContextSwitchTo(old);
	}
	SPI_finish();
}

/*
 * The deployed model named by argument name_argno of a scoring call and its
 * features (argument features_argno, copied into *x), or NULL when the
 * features are NULL.  A NULL name is an error naming funcname.
 */
const UpliftModel *
uplift_named_scoring_args(FunctionCallInfo fcinfo, int name_argno, int features_argno,
						  const char *funcname, double **x)
{
	NamedModelCache *cache = (NamedModelCache *) fcinfo->flinfo->fn_extra;
	Snapshot	snap = ActiveSnapshotSet() ? GetActiveSnapshot() : NULL;
	text	   *name;

	if (PG_ARGISNULL(name_argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("name of %s must not be NULL", funcname),
				 errhint("Pass the name of a deployed model; SELECT * FROM uplift_models lists them.")));
	if (PG_ARGISNULL(features_argno))
		return NULL;
	if (cache == NULL)
	{
		cache = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(NamedModelCache));
		cache->cxt = AllocSetContextCreate(fcinfo->flinfo->fn_mcxt, "uplift named model cache",
										   ALLOCSET_SMALL_SIZES);
		fcinfo->flinfo->fn_extra = cache;
	}
	name = PG_GETARG_TEXT_PP(name_argno);
	if (!cache_is_current(cache, VARDATA_ANY(name), VARSIZE_ANY_EXHDR(name), snap))
	{
		load_deployed(cache, fcinfo, text_to_cstring(name));
		remember_snapshot(cache, snap, fcinfo->flinfo->fn_mcxt);
	}
	*x = cache->features;
	features_read_for_model(fcinfo, features_argno, cache->model, *x);
	return cache->model;
}
