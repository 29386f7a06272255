/*
 * assign.h
 *	  Pieces of assign.c shared by the assignment glue (assign.c, explore.c,
 *	  namespace.c): unit ids, the cached hash prefix of an experiment,
 *	  validated weight arrays, the draw of an action from a uniform number,
 *	  and the uplift_assignment result.
 */
#ifndef UPLIFT_ASSIGN_H
#define UPLIFT_ASSIGN_H

#include "postgres.h"
#include "fmgr.h"
#include "access/tupdesc.h"
#include "utils/array.h"

#include "hash.h"

/* Most actions (including action 0) an assignment can choose among. */
#define UPLIFT_ASSIGN_MAX_ARMS	257

/* A unit id argument: a bigint or the bytes of a text. */
typedef struct UpliftUnit
{
	bool		is_text;
	int64		id;
	const char *str;
	size_t		len;
} UpliftUnit;

/* Error naming the argument when argument argno is NULL. */
extern void uplift_arg_not_null(FunctionCallInfo fcinfo, int argno, const char *name);

/* Argument argno as a unit id (errors if NULL; inline: read on every row). */
static inline void
uplift_unit_arg(FunctionCallInfo fcinfo, int argno, bool is_text, UpliftUnit *unit)
{
	if (PG_ARGISNULL(argno))
		uplift_arg_not_null(fcinfo, argno, "unit_id");
	unit->is_text = is_text;
	if (is_text)
	{
		text	   *t = PG_GETARG_TEXT_PP(argno);

		unit->id = 0;
		unit->str = VARDATA_ANY(t);
		unit->len = VARSIZE_ANY_EXHDR(t);
	}
	else
	{
		unit->id = PG_GETARG_INT64(argno);
		unit->str = NULL;
		unit->len = 0;
	}
}

/* The 64-bit hash of a prefix and a unit (inline: called once per row). */
static inline uint64
uplift_unit_hash(const UpliftHashPrefix *prefix, const UpliftUnit *unit)
{
	if (unit->is_text)
		return uplift_hash_text(prefix, unit->str, unit->len);
	return uplift_hash_int8(prefix, unit->id);
}

/*
 * The action-namespace hash prefix of an experiment and seed, kept between
 * calls of one call site (in its fn_extra).
 */
typedef struct UpliftPrefixCache
{
	struct varlena *experiment; /* key of prefix */
	int64		seed;
	UpliftHashPrefix prefix;
} UpliftPrefixCache;

/* The cached prefix for this experiment and seed (kept in fn_mcxt). */
extern const UpliftHashPrefix *uplift_action_prefix(FunctionCallInfo fcinfo,
													UpliftPrefixCache *pc,
													text *experiment, int64 seed);

/*
 * A weights array (arrays.h: 1 to UPLIFT_ASSIGN_MAX_ARMS finite elements
 * without NULL) with no negative weight and a positive sum, in cxt.
 */
extern double *uplift_weights_array(ArrayType *arr, const char *what,
									MemoryContext cxt, int *n);

/*
 * Cumulative shares cum[a] = (w[0]+...+w[a]) / W and propensities w[a] / W
 * of nonnegative weights w[0..n-1] with a positive sum W (sums taken left
 * to right), and the action they draw for the uniform u in [0, 1): the
 * first a with u < cum[a].
 */
extern void uplift_cumulative(const double *w, int n, double *cum, double *propensity);

static inline int
uplift_pick_cumulative(const double *cum, int n, double u)
{
	int			a = 0;

	/*
	 * The first a with u < cum[a] is the number of cum[a] <= u, as cum is
	 * nondecreasing; counting avoids a branch that the random u would
	 * mispredict.  cum[n - 1] is total / total = 1 > u, so it is not tested.
	 */
	for (int i = 0; i < n - 1; i++)
		a += (u >= cum[i]);
	return a;
}

/*
 * A weights argument validated and turned into cumulative shares and
 * propensities, kept between calls of one call site (in fn_mcxt) and read
 * again only when the argument's bytes change.
 */
typedef struct UpliftWeightsCache
{
	ArrayType  *key;			/* the argument's bytes, key of the three below */
	double	   *cum;			/* cumulative shares of the weights */
	double	   *props;			/* propensity of each action */
	int			n;
	uint64		version;		/* changes whenever the weights do */
} UpliftWeightsCache;

extern void uplift_cached_weights(FunctionCallInfo fcinfo, UpliftWeightsCache *wc,
								  ArrayType *weights);

/*
 * The action drawn by the uniform u in [0, 1) from nonnegative weights
 * w[0..n-1] with a positive sum W: the first a with u < (w[0]+...+w[a]) / W,
 * sums taken left to right.  *propensity is set to w[a] / W.
 */
extern int	uplift_pick(const double *w, int n, double u, double *propensity);

/* Equal lengths and bytes (both detoasted). */
extern bool uplift_varlena_equal(const struct varlena *a, const struct varlena *b);

/* A palloc'd copy in cxt of a detoasted varlena. */
extern struct varlena *uplift_varlena_copy(const struct varlena *v, MemoryContext cxt);

/*
 * The uplift_assignment composite (action, propensity, holdout); *tupdesc
 * caches the blessed descriptor (in fn_mcxt) between calls.
 */
extern Datum uplift_assignment_datum(FunctionCallInfo fcinfo, TupleDesc *tupdesc,
									 int action, double propensity, bool holdout);

#endif							/* UPLIFT_ASSIGN_H */
