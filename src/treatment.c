/*
 * treatment.c
 *	  The treatment argument of uplift_fit as users store it (integer,
 *	  boolean, or text labels with a named control) and the label
 *	  dictionary of a text treatment: built per partial aggregate, merged,
 *	  serialized, and put in byte order at the end (treatment.h).
 */
#include "uplift.h"

#include "catalog/pg_type.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"

#include "model.h"
#include "named_features.h"
#include "options.h"
#include "treatment.h"

static TreatLabels *
labels_new(MemoryContext cxt, const char *control)
{
	TreatLabels *t = MemoryContextAllocZero(cxt, sizeof(TreatLabels));

	t->cxt = cxt;
	t->control = MemoryContextStrdup(cxt, control);
	t->labels = MemoryContextAllocZero(cxt, sizeof(char *) * UPLIFT_MAX_ACTIONS);
	return t;
}

TreatLabels *
treatment_labels_for_call(FunctionCallInfo fcinfo, int argno, Jsonb *opts, MemoryContext cxt)
{
	Oid			type = uplift_arg_type(fcinfo, argno);
	char	   *control = options_text(opts, "control", NULL);

	if (type != TEXTOID)
	{
		if (control != NULL)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("option \"control\" of uplift_fit applies only to a text treatment"),
					 errhint("Leave out the option: an integer treatment has control 0, a boolean one false.")));
		return NULL;
	}
	if (control == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("a text treatment of uplift_fit needs option \"control\""),
				 errhint("Name the control's label in the options, for example '{\"control\": \"No E-Mail\"}'.")));
	return labels_new(cxt, control);
}

Jsonb *
treatment_options_without_control(Jsonb *opts)
{
	if (opts == NULL || options_lookup(opts, "control") == NULL)
		return opts;
	return DatumGetJsonbP(DirectFunctionCall2(jsonb_delete, JsonbPGetDatum(opts),
											  CStringGetTextDatum("control")));
}

/* The id of a label (0: the control), or -1 when it is new. */
static int32
label_id(const TreatLabels *t, const char *s, int len)
{
	if (strlen(t->control) == (size_t) len && memcmp(t->control, s, len) == 0)
		return 0;
	for (int32 i = t->n - 1; i >= 0; i--)
		if (strlen(t->labels[i]) == (size_t) len && memcmp(t->labels[i], s, len) == 0)
			return i + 1;
	return -1;
}

static int32
label_add(TreatLabels *t, const char *s, int len)
{
	int32		id = label_id(t, s, len);

	if (id >= 0)
		return id;
	if (t->n >= UPLIFT_MAX_ACTIONS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("treatment of uplift_fit has more than %d labels besides the control",
						UPLIFT_MAX_ACTIONS),
				 errhint("Fit one model per group of actions, or map rare labels to one in the query.")));
	t->labels[t->n] = MemoryContextAlloc(t->cxt, len + 1);
	memcpy(t->labels[t->n], s, len);
	t->labels[t->n][len] = '\0';
	return ++t->n;
}

int32
treatment_read(FunctionCallInfo fcinfo, int argno, TreatLabels *labels)
{
	text	   *label;

	if (labels != NULL)
	{
		label = PG_GETARG_TEXT_PP(argno);
		return label_add(labels, VARDATA_ANY(label), VARSIZE_ANY_EXHDR(label));
	}
	if (uplift_arg_type(fcinfo, argno) == BOOLOID)
		return PG_GETARG_BOOL(argno) ? 1 : 0;
	return PG_GETARG_INT32(argno);
}

int32 *
treatment_labels_merge(TreatLabels *into, const TreatLabels *from)
{
	int32	   *map = palloc(sizeof(int32) * (from->n + 1));

	if (strcmp(into->control, from->control) != 0)
		elog(ERROR, "uplift_fit states with different control labels");
	map[0] = 0;
	for (int32 i = 0; i < from->n; i++)
		map[i + 1] = label_add(into, from->labels[i], strlen(from->labels[i]));
	return map;
}

/* A label and its id, for sorting. */
typedef struct LabelId
{
	const char *label;
	int32		id;
} LabelId;

static int
cmp_labels(const void *a, const void *b)
{
	const char *x = ((const LabelId *) a)->label;
	const char *y = ((const LabelId *) b)->label;

	return features_level_cmp(x, strlen(x), y, strlen(y));
}

int32 *
treatment_labels_order(TreatLabels *labels)
{
	int32		n = labels->n;
	LabelId    *order = palloc(sizeof(LabelId) * Max(n, 1));
	int32	   *action_of = palloc(sizeof(int32) * (n + 1));

	for (int32 i = 0; i < n; i++)
	{
		order[i].label = labels->labels[i];
		order[i].id = i + 1;
	}
	qsort(order, n, sizeof(LabelId), cmp_labels);
	action_of[0] = 0;
	for (int32 a = 1; a <= n; a++)
	{
		action_of[order[a - 1].id] = a;
		labels->labels[a - 1] = (char *) order[a - 1].label;
	}
	pfree(order);
	return action_of;
}

char **
treatment_labels_model(const TreatLabels *labels)
{
	char	  **out = palloc(sizeof(char *) * (labels->n + 1));

	out[0] = pstrdup(labels->control);
	for (int32 a = 1; a <= labels->n; a++)
		out[a] = pstrdup(labels->labels[a - 1]);
	return out;
}

TreatLabels *
treatment_labels_empty_like(const TreatLabels *labels, MemoryContext cxt)
{
	return labels_new(cxt, labels->control);
}

/* u8 has labels | [string control | u32 n | n strings] */
void
treatment_labels_serialize(StringInfo out, const TreatLabels *labels)
{
	bytes_put_u8(out, labels != NULL ? 1 : 0);
	if (labels == NULL)
		return;
	bytes_put_str(out, labels->control);
	bytes_put_u32(out, labels->n);
	for (int32 i = 0; i < labels->n; i++)
		bytes_put_str(out, labels->labels[i]);
}

TreatLabels *
treatment_labels_deserialize(ByteReader *r, MemoryContext cxt)
{
	TreatLabels *t;
	uint32		n;

	if (bytes_get_u8(r) == 0)
		return NULL;
	t = labels_new(cxt, bytes_get_str(r));
	n = bytes_get_count(r, 4, UPLIFT_MAX_ACTIONS);
	for (uint32 i = 0; i < n; i++)
	{
		char	   *s = bytes_get_str(r);

		if (label_add(t, s, strlen(s)) != (int32) i + 1)
			bytes_corrupted(r, "A treatment label appears twice");
	}
	return t;
}
