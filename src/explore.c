/*
 * explore.c
 *	  Exploration over a model's scores: uplift_explore (the greedy policy
 *	  of policy.c with epsilon exploration and a propensity floor) and
 *	  Thompson sampling for Beta-Bernoulli campaigns (uplift_thompson_probs,
 *	  uplift_thompson; the probabilities are computed in thompson.c).
 *
 * As in uplift_assign (assign.c), every draw is a pure function of its
 * arguments: the action comes from the uniform number of the hash of
 * (seed, experiment, unit) in the action namespace.  Per call site the hash
 * prefix of the experiment and the Thompson probabilities of the last counts
 * are kept in fn_extra.
 */
#include "uplift.h"

#include "catalog/pg_type.h"
#include "utils/array.h"
#include "utils/memutils.h"

#include "arrays.h"
#include "assign.h"
#include "hash.h"
#include "policy.h"
#include "thompson.h"

/* What one call site of uplift_explore / uplift_thompson keeps between calls. */
typedef struct ExploreCache
{
	UpliftPrefixCache action;	/* action namespace */
	ArrayType  *successes_key;	/* keys of thompson_probs */
	ArrayType  *trials_key;
	double		floor_key;
	double	   *thompson_probs;
	int			n_arms;
	TupleDesc	tupdesc;
} ExploreCache;

static ExploreCache *
explore_cache(FunctionCallInfo fcinfo)
{
	if (fcinfo->flinfo->fn_extra == NULL)
		fcinfo->flinfo->fn_extra = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt,
														  sizeof(ExploreCache));
	return (ExploreCache *) fcinfo->flinfo->fn_extra;
}

/*
 * uplift_explore(experiment, unit_id, effects, epsilon, min_propensity, seed):
 * the greedy policy over the effects with epsilon exploration and a floor
 * (policy.c), drawn with the unit's hash.
 */
static Datum
explore_common(FunctionCallInfo fcinfo, bool unit_is_text)
{
	ExploreCache *c = explore_cache(fcinfo);
	UpliftUnit	unit;
	double	   *effects;
	double	   *probs;
	int			n_actions;
	double		epsilon;
	double		min_prop;
	double		propensity;
	int			action;
	const UpliftHashPrefix *prefix;

	uplift_arg_not_null(fcinfo, 0, "experiment");
	uplift_unit_arg(fcinfo, 1, unit_is_text, &unit);
	uplift_arg_not_null(fcinfo, 2, "effects");
	uplift_arg_not_null(fcinfo, 3, "epsilon");
	uplift_arg_not_null(fcinfo, 4, "min_propensity");
	uplift_arg_not_null(fcinfo, 5, "seed");
	effects = uplift_array_read(PG_GETARG_DATUM(2), "effects", 1, UPLIFT_POLICY_MAX_ACTIONS,
								"Pass one effect per action 1..K, as uplift_scores returns them.",
								&n_actions);
	epsilon = PG_GETARG_FLOAT8(3);
	min_prop = PG_GETARG_FLOAT8(4);
	uplift_policy_check_params(n_actions, epsilon, min_prop);
	prefix = uplift_action_prefix(fcinfo, &c->action, PG_GETARG_TEXT_PP(0), PG_GETARG_INT64(5));

	probs = palloc(sizeof(double) * (n_actions + 1));
	policy_probs(effects, n_actions, epsilon, min_prop, probs);
	action = uplift_pick(probs, n_actions + 1,
						 uplift_hash_uniform(uplift_unit_hash(prefix, &unit)),
						 &propensity);
	return uplift_assignment_datum(fcinfo, &c->tupdesc, action, propensity, false);
}

PG_FUNCTION_INFO_V1(uplift_explore_int8);
Datum
uplift_explore_int8(PG_FUNCTION_ARGS)
{
	return explore_common(fcinfo, false);
}

PG_FUNCTION_INFO_V1(uplift_explore_text);
Datum
uplift_explore_text(PG_FUNCTION_ARGS)
{
	return explore_common(fcinfo, true);
}

/*
 * Thompson sampling probabilities, floored: p_a = f + (1 - n f) P_a, for the
 * posteriors Beta(1 + successes, 1 + trials - successes).  Allocated in cxt.
 */
static double *
thompson_probs(ArrayType *successes_arr, ArrayType *trials_arr, double min_prop,
			   MemoryContext cxt, int *n_arms)
{
	int			n,
				n_trials;
	double	   *successes = uplift_array_read(PointerGetDatum(successes_arr), "successes",
											  1, UPLIFT_ASSIGN_MAX_ARMS,
											  "Give one count per action, action 0 first.", &n);
	double	   *trials = uplift_array_read(PointerGetDatum(trials_arr), "trials", n, n,
										   "Give one count per action, action 0 first, as in successes.",
										   &n_trials);
	double	   *alpha = palloc(sizeof(double) * n);
	double	   *beta = palloc(sizeof(double) * n);
	double	   *probs = MemoryContextAlloc(cxt, sizeof(double) * n);

	uplift_policy_check_params(n - 1, 0.0, min_prop);
	for (int a = 0; a < n; a++)
	{
		if (successes[a] < 0.0 || trials[a] < successes[a])
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("successes must be between 0 and trials"),
					 errdetail("Action %d has %g successes in %g trials.",
							   a, successes[a], trials[a])));
		alpha[a] = 1.0 + successes[a];
		beta[a] = 1.0 + (trials[a] - successes[a]);
	}
	uplift_thompson_probs_exact(alpha, beta, n, probs);
	for (int a = 0; a < n; a++)
		probs[a] = min_prop + (1.0 - n * min_prop) * probs[a];
	*n_arms = n;
	return probs;
}

/* The cached floored Thompson probabilities for these counts. */
static const double *
cached_thompson_probs(FunctionCallInfo fcinfo, ExploreCache *c, ArrayType *successes,
					  ArrayType *trials, double min_prop, int *n_arms)
{
	if (c->successes_key == NULL || c->floor_key != min_prop ||
		!uplift_varlena_equal((struct varlena *) successes,
							  (struct varlena *) c->successes_key) ||
		!uplift_varlena_equal((struct varlena *) trials,
							  (struct varlena *) c->trials_key))
	{
		MemoryContext cxt = fcinfo->flinfo->fn_mcxt;
		double	   *probs = thompson_probs(successes, trials, min_prop, cxt, n_arms);

		if (c->successes_key)
		{
			pfree(c->successes_key);
			pfree(c->trials_key);
			pfree(c->thompson_probs);
		}
		c->thompson_probs = probs;
		c->n_arms = *n_arms;
		c->floor_key = min_prop;
		c->successes_key = (ArrayType *) uplift_varlena_copy((struct varlena *) successes, cxt);
		c->trials_key = (ArrayType *) uplift_varlena_copy((struct varlena *) trials, cxt);
	}
	*n_arms = c->n_arms;
	return c->thompson_probs;
}

/* uplift_thompson_probs(successes, trials, min_propensity) */
PG_FUNCTION_INFO_V1(uplift_thompson_probs);
Datum
uplift_thompson_probs(PG_FUNCTION_ARGS)
{
	int			n;
	double	   *probs;
	Datum	   *out;

	uplift_arg_not_null(fcinfo, 0, "successes");
	uplift_arg_not_null(fcinfo, 1, "trials");
	uplift_arg_not_null(fcinfo, 2, "min_propensity");
	probs = thompson_probs(PG_GETARG_ARRAYTYPE_P(0), PG_GETARG_ARRAYTYPE_P(1),
						   PG_GETARG_FLOAT8(2), CurrentMemoryContext, &n);
	out = palloc(sizeof(Datum) * n);
	for (int a = 0; a < n; a++)
		out[a] = Float8GetDatum(probs[a]);
	PG_RETURN_ARRAYTYPE_P(construct_array(out, n, FLOAT8OID, sizeof(float8),
										  FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
}

/*
 * uplift_thompson(experiment, unit_id, successes, trials, min_propensity, seed):
 * the arm drawn with the unit's hash from the Thompson probabilities.
 */
static Datum
thompson_common(FunctionCallInfo fcinfo, bool unit_is_text)
{
	ExploreCache *c = explore_cache(fcinfo);
	UpliftUnit	unit;
	const double *probs;
	int			n;
	double		propensity;
	int			action;
	const UpliftHashPrefix *prefix;

	uplift_arg_not_null(fcinfo, 0, "experiment");
	uplift_unit_arg(fcinfo, 1, unit_is_text, &unit);
	uplift_arg_not_null(fcinfo, 2, "successes");
	uplift_arg_not_null(fcinfo, 3, "trials");
	uplift_arg_not_null(fcinfo, 4, "min_propensity");
	uplift_arg_not_null(fcinfo, 5, "seed");
	probs = cached_thompson_probs(fcinfo, c, PG_GETARG_ARRAYTYPE_P(2),
								  PG_GETARG_ARRAYTYPE_P(3), PG_GETARG_FLOAT8(4), &n);
	prefix = uplift_action_prefix(fcinfo, &c->action, PG_GETARG_TEXT_PP(0), PG_GETARG_INT64(5));
	action = uplift_pick(probs, n, uplift_hash_uniform(uplift_unit_hash(prefix, &unit)),
						 &propensity);
	return uplift_assignment_datum(fcinfo, &c->tupdesc, action, propensity, false);
}

PG_FUNCTION_INFO_V1(uplift_thompson_int8);
Datum
uplift_thompson_int8(PG_FUNCTION_ARGS)
{
	return thompson_common(fcinfo, false);
}

PG_FUNCTION_INFO_V1(uplift_thompson_text);
Datum
uplift_thompson_text(PG_FUNCTION_ARGS)
{
	return thompson_common(fcinfo, true);
}
