/*
 * policy.c
 *	  The greedy policy induced by per-action effects, with epsilon
 *	  exploration and a minimum propensity per action.
 *
 * Given effects e_1..e_K of actions 1..K against no offer (action 0, effect
 * 0), the greedy action is the one with the largest effect; no offer wins
 * unless some effect is strictly positive, and among equal effects the lowest
 * action number wins.  With epsilon exploration and a floor f (min_propensity):
 *
 *	  q_a = epsilon / (K+1) + (1 - epsilon) * [a is greedy]
 *	  p_a = f + (1 - (K+1) f) * q_a
 *
 * so every p_a >= f, and the p_a sum to 1.  Both assignment (exploration) and
 * off-policy evaluation (target propensities) use these probabilities.
 */
#include "uplift.h"

#include "catalog/pg_type.h"
#include "utils/array.h"
#include "utils/lsyscache.h"

#include "policy.h"

int
uplift_policy_greedy(const double *effects, int n_actions)
{
	int			best = 0;
	double		best_effect = 0.0;

	for (int k = 1; k <= n_actions; k++)
		if (effects[k - 1] > best_effect)
		{
			best = k;
			best_effect = effects[k - 1];
		}
	return best;
}

void
uplift_policy_check_params(int n_actions, double epsilon, double min_prop)
{
	if (isnan(epsilon) || epsilon < 0.0 || epsilon > 1.0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("epsilon must be between 0 and 1"),
				 errdetail("Got %g.", epsilon),
				 errhint("epsilon is the share of decisions drawn uniformly, e.g. 0.1.")));
	if (isnan(min_prop) || min_prop < 0.0 || min_prop > 1.0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("min_propensity must be between 0 and 1"),
				 errdetail("Got %g.", min_prop),
				 errhint("min_propensity is the least probability of every action, e.g. 0.01.")));
	if (min_prop * (n_actions + 1) > 1.0 + 1e-12)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("min_propensity %g cannot be met by %d actions", min_prop, n_actions + 1),
				 errhint("Use a min_propensity of at most 1/%d.", n_actions + 1)));
}

void
policy_probs(const double *effects, int n_actions, double epsilon,
					double min_prop, double *probs)
{
	int			greedy = uplift_policy_greedy(effects, n_actions);
	double		n_arms = n_actions + 1;
	double		spread = 1.0 - n_arms * min_prop;

	for (int a = 0; a <= n_actions; a++)
	{
		double		q = epsilon / n_arms + (a == greedy ? 1.0 - epsilon : 0.0);

		probs[a] = min_prop + spread * q;
	}
}

/* The effects array argument as a palloc'd C array; sets *n_actions. */
static double *
effects_from_array(ArrayType *arr, int *n_actions)
{
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	double	   *effects;

	if (ARR_NDIM(arr) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("effects must be a one-dimensional array"),
				 errhint("Pass one effect per action 1..K, as uplift_scores returns them.")));
	deconstruct_array(arr, FLOAT8OID, sizeof(float8), FLOAT8PASSBYVAL,
					  TYPALIGN_DOUBLE, &elems, &nulls, &n);
	if (n > UPLIFT_POLICY_MAX_ACTIONS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("effects has %d elements, more than the %d actions supported",
						n, UPLIFT_POLICY_MAX_ACTIONS),
				 errhint("Pass one effect per action 1..K, as uplift_scores returns them.")));
	effects = palloc(sizeof(double) * Max(n, 1));
	for (int i = 0; i < n; i++)
	{
		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("effects must not contain NULL"),
					 errdetail("Element %d is NULL.", i + 1),
					 errhint("Give every action an effect; 0 means no better than no offer.")));
		effects[i] = DatumGetFloat8(elems[i]);
		if (isnan(effects[i]) || isinf(effects[i]))
			ereport(ERROR,
					(errcode(ERRCODE_DATA_EXCEPTION),
					 errmsg("effects must contain finite numbers"),
					 errdetail("Element %d is %g.", i + 1, effects[i]),
					 errhint("A NaN or infinite effect comes from an overflowing model or bad features; repair them.")));
	}
	*n_actions = n;
	return effects;
}

PG_FUNCTION_INFO_V1(uplift_policy_probs);
Datum
uplift_policy_probs(PG_FUNCTION_ARGS)
{
	int			n_actions;
	double	   *effects = effects_from_array(PG_GETARG_ARRAYTYPE_P(0), &n_actions);
	double		epsilon = PG_GETARG_FLOAT8(1);
	double		min_prop = PG_GETARG_FLOAT8(2);
	double	   *probs = palloc(sizeof(double) * (n_actions + 1));
	Datum	   *out = palloc(sizeof(Datum) * (n_actions + 1));

	uplift_policy_check_params(n_actions, epsilon, min_prop);
	policy_probs(effects, n_actions, epsilon, min_prop, probs);
	for (int a = 0; a <= n_actions; a++)
		out[a] = Float8GetDatum(probs[a]);
	PG_RETURN_ARRAYTYPE_P(construct_array(out, n_actions + 1, FLOAT8OID,
										  sizeof(float8), FLOAT8PASSBYVAL,
										  TYPALIGN_DOUBLE));
}

PG_FUNCTION_INFO_V1(uplift_policy_propensity);
Datum
uplift_policy_propensity(PG_FUNCTION_ARGS)
{
	int			n_actions;
	double	   *effects = effects_from_array(PG_GETARG_ARRAYTYPE_P(0), &n_actions);
	int32		action = PG_GETARG_INT32(1);
	double		epsilon = PG_GETARG_FLOAT8(2);
	double		min_prop = PG_GETARG_FLOAT8(3);
	double	   *probs = palloc(sizeof(double) * (n_actions + 1));

	uplift_policy_check_params(n_actions, epsilon, min_prop);
	if (action < 0 || action > n_actions)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("action %d is out of range", action),
				 errdetail("The effects array has %d actions; valid actions are 0 to %d.",
						   n_actions, n_actions)));
	policy_probs(effects, n_actions, epsilon, min_prop, probs);
	PG_RETURN_FLOAT8(probs[action]);
}

PG_FUNCTION_INFO_V1(uplift_policy_action);
Datum
uplift_policy_action(PG_FUNCTION_ARGS)
{
	int			n_actions;
	double	   *effects = effects_from_array(PG_GETARG_ARRAYTYPE_P(0), &n_actions);

	PG_RETURN_INT32(uplift_policy_greedy(effects, n_actions));
}
