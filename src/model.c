/*
 * model.c
 *	  The uplift_model type: its text and binary I/O and casts, the names of
 *	  its codes, the s_learner design, and the per-call-site cache of parsed
 *	  models that scoring functions read.
 *
 * The stored format and its checks are in model_format.c, the JSON
 * description (uplift_model_info, uplift_model_import) in model_json.c.
 */
#include "uplift.h"

#include "libpq/pqformat.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

#include "bytes.h"
#include "model.h"
#include "model_format.h"

static const char *const learner_names[] = {
	NULL, "t_learner", "s_learner", "class_transform", "x_learner",
	"dr_learner", "forest"
};
static const char *const base_names[] = {NULL, "logistic", "linear", "forest"};


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
	if (base < UPLIFT_BASE_LOGISTIC || base > UPLIFT_BASE_FOREST)
		return "unknown";
	return base_names[base];
}

void
uplift_s_design(const UpliftModel *m, const double *x, int action, double *z)
{
	uplift_s_design_of(m->n_features, m->n_actions, m->interactions, x, action, z);
}

void
uplift_s_design_of(int n_features, int n_actions, bool interactions,
				   const double *x, int action, double *z)
{
	int			j = 0;

	for (int i = 0; i < n_features; i++)
		z[j++] = x[i];
	for (int k = 1; k <= n_actions; k++)
		z[j++] = (action == k) ? 1.0 : 0.0;
	if (interactions)
		for (int k = 1; k <= n_actions; k++)
			for (int i = 0; i < n_features; i++)
				z[j++] = (action == k) ? x[i] : 0.0;
}

int32
uplift_model_action_of_label(const UpliftModel *m, const char *label, int len)
{
	if (m->action_labels == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("action \"%s\" names a label, but the model has no treatment labels",
						pnstrdup(label, len)),
				 errhint("The model was fitted with a numeric or boolean treatment: name its actions by number (0 = control).")));
	for (int a = 0; a <= m->n_actions; a++)
		if (strlen(m->action_labels[a]) == (size_t) len &&
			memcmp(m->action_labels[a], label, len) == 0)
			return a;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("action \"%s\" is not a treatment label of the model", pnstrdup(label, len)),
			 errhint("uplift_model_info(model) -> 'action_labels' lists the model's labels, the control's first.")));
	pg_unreachable();
}

bool
uplift_model_has_outcomes(const UpliftModel *m)
{
	return m->learner == UPLIFT_LEARNER_T || m->learner == UPLIFT_LEARNER_X ||
		m->learner == UPLIFT_LEARNER_DR || m->learner == UPLIFT_LEARNER_FOREST;
}

/*
 * Per-call-site cache of parsed models.  The raw argument bytes (a toast
 * pointer, a compressed or a plain value) identify a model, so a call that
 * sees the same bytes again reuses the parsed model without detoasting.  The
 * bytes are compared on every call: even a constant or parameter argument can
 * change under a cached call site (PL/pgSQL reuses simple expressions).
 *
 * Each model argument keeps the last few models it saw, most recently used
 * first, so that a join of a customer table with a table of several models
 * (one call per customer and model) parses each model once, not once a row.
 */
typedef struct ModelCacheEntry
{
	Size		raw_len;		/* 0 when empty */
	char	   *raw;
	UpliftModel *model;
	double	   *features;		/* room for the model's features */
	MemoryContext cxt;
} ModelCacheEntry;

#define MODEL_CACHE_ENTRIES 4

typedef struct ModelCache
{
	ModelCacheEntry *entries[MODEL_CACHE_ENTRIES];	/* most recent first */
} ModelCache;

/* One cache per model argument of a call site. */
#define MODEL_CACHE_SLOTS 4

static bool
entry_holds(const ModelCacheEntry *e, const struct varlena *raw, Size raw_len)
{
	return e != NULL && e->raw_len == raw_len && memcmp(e->raw, raw, raw_len) == 0;
}

/* Parse the argument into entry e (created in cxt if NULL), replacing what it held. */
static ModelCacheEntry *
entry_fill(ModelCacheEntry *e, MemoryContext cxt, FunctionCallInfo fcinfo, int argno,
		   const struct varlena *raw, Size raw_len)
{
	MemoryContext old;

	if (e == NULL)
	{
		e = MemoryContextAllocZero(cxt, sizeof(ModelCacheEntry));
		e->cxt = AllocSetContextCreate(cxt, "uplift model cache", ALLOCSET_SMALL_SIZES);
	}
	MemoryContextReset(e->cxt);
	e->raw_len = 0;
	e->model = NULL;

	old = MemoryContextSwitchTo(e->cxt);
	e->model = uplift_model_deserialize(PG_DETOAST_DATUM(PG_GETARG_DATUM(argno)));
	e->features = palloc(sizeof(double) * e->model->n_features);
	e->raw = palloc(raw_len);
	memcpy(e->raw, raw, raw_len);
	e->raw_len = raw_len;
	MemoryContextSwitchTo(old);
	return e;
}

static ModelCacheEntry *
model_cache(FunctionCallInfo fcinfo, int argno)
{
	struct varlena *raw = (struct varlena *) DatumGetPointer(PG_GETARG_DATUM(argno));
	Size		raw_len = VARSIZE_ANY(raw);
	MemoryContext cxt = fcinfo->flinfo->fn_mcxt;
	ModelCache **slots = (ModelCache **) fcinfo->flinfo->fn_extra;
	ModelCache *cache;
	ModelCacheEntry *hit;
	int			i;

	if (argno >= MODEL_CACHE_SLOTS)
		elog(ERROR, "model argument %d is beyond the cached arguments", argno);
	if (slots == NULL)
	{
		slots = MemoryContextAllocZero(cxt, sizeof(ModelCache *) * MODEL_CACHE_SLOTS);
		fcinfo->flinfo->fn_extra = slots;
	}
	if (slots[argno] == NULL)
		slots[argno] = MemoryContextAllocZero(cxt, sizeof(ModelCache));
	cache = slots[argno];

	if (entry_holds(cache->entries[0], raw, raw_len))
		return cache->entries[0];
	for (i = 1; i < MODEL_CACHE_ENTRIES; i++)
		if (entry_holds(cache->entries[i], raw, raw_len))
			break;
	if (i == MODEL_CACHE_ENTRIES)
	{
		/* a miss: parse into the least recently used entry */
		i = MODEL_CACHE_ENTRIES - 1;
		cache->entries[i] = entry_fill(cache->entries[i], cxt, fcinfo, argno, raw, raw_len);
	}
	/* move entry i to the front */
	hit = cache->entries[i];
	memmove(&cache->entries[1], &cache->entries[0], sizeof(ModelCacheEntry *) * i);
	cache->entries[0] = hit;
	return hit;
}

const UpliftModel *
uplift_model_cached_arg(FunctionCallInfo fcinfo, int argno, double **features)
{
	ModelCacheEntry *entry = model_cache(fcinfo, argno);

	if (features != NULL)
		*features = entry->features;
	return entry->model;
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
	uint32		crc = uplift_model_stored_checksum(PG_GETARG_BYTEA_PP(0));

	PG_RETURN_TEXT_P(cstring_to_text(psprintf("%08x", crc)));
}
