/*
 * policy.h
 *	  The greedy policy induced by per-action effects (see policy.c).
 */
#ifndef UPLIFT_POLICY_H
#define UPLIFT_POLICY_H

#define UPLIFT_POLICY_MAX_ACTIONS 256

/* The greedy action 0..K for effects[0..K-1] of actions 1..K. */
extern int	uplift_policy_greedy(const double *effects, int n_actions);

/* Error unless epsilon and min_prop are in [0, 1] and min_prop*(K+1) <= 1. */
extern void uplift_policy_check_params(int n_actions, double epsilon, double min_prop);

/* probs[0..K]: probability that the policy takes each action. */
extern void policy_probs(const double *effects, int n_actions,
								double epsilon, double min_prop, double *probs);

#endif							/* UPLIFT_POLICY_H */
