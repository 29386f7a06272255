/*
 * treatment.h
 *	  Treatments as users store them, for uplift_fit: an integer action
 *	  0..K, a boolean (false = control, true = action 1), or a text label
 *	  with option "control" naming the control's label.
 *
 * The labels of a text treatment are numbered 1..n in the order a partial
 * aggregate first sees them (the control is 0); partial states renumber
 * into each other's dictionaries when they are merged; the final function
 * renumbers the actions by the labels' byte order, the order the model
 * keeps them in (uplift_model_info's "action_labels").
 */
#ifndef UPLIFT_TREATMENT_H
#define UPLIFT_TREATMENT_H

#include "postgres.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "utils/jsonb.h"

#include "bytes.h"

/* The labels of a text treatment seen so far. */
typedef struct TreatLabels
{
	MemoryContext cxt;
	char	   *control;		/* the control's label: action 0 */
	int32		n;				/* labels of actions: ids 1..n */
	char	  **labels;			/* labels[id - 1], UPLIFT_MAX_ACTIONS slots */
} TreatLabels;

/*
 * The labels for the treatment argument (argno) of an uplift_fit call with
 * options opts: a new empty dictionary in cxt for a text treatment, NULL
 * for an integer or boolean one.  Errors: a text treatment without option
 * "control", or option "control" with another treatment.
 */
extern TreatLabels *treatment_labels_for_call(FunctionCallInfo fcinfo, int argno,
											  Jsonb *opts, MemoryContext cxt);

/* opts without the option "control" (NULL stays NULL). */
extern Jsonb *treatment_options_without_control(Jsonb *opts);

/*
 * The action of the row's treatment argument (not NULL): the number, 1 or 0
 * for a boolean, or the label's id in labels (added when new).
 */
extern int32 treatment_read(FunctionCallInfo fcinfo, int argno, TreatLabels *labels);

/*
 * Add the labels of "from" to "into"; returns the map of from's ids to
 * into's (map[0] = 0, the control), palloc'd.
 */
extern int32 *treatment_labels_merge(TreatLabels *into, const TreatLabels *from);

/*
 * Put the labels in byte order, in place: returns the map of the old ids
 * to the new ones, the actions 1..n (map[0] = 0).  A second call returns
 * the identity.
 */
extern int32 *treatment_labels_order(TreatLabels *labels);

/* The labels as the model keeps them: the control's, then actions 1..n. */
extern char **treatment_labels_model(const TreatLabels *labels);

/* A new empty dictionary in cxt with the control of labels. */
extern TreatLabels *treatment_labels_empty_like(const TreatLabels *labels, MemoryContext cxt);

extern void treatment_labels_serialize(StringInfo out, const TreatLabels *labels);
extern TreatLabels *treatment_labels_deserialize(ByteReader *r, MemoryContext cxt);

#endif							/* UPLIFT_TREATMENT_H */
