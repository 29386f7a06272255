/*
 * thompson.h
 *	  Probabilities of Thompson sampling for Beta-Bernoulli arms (thompson.c).
 */
#ifndef UPLIFT_THOMPSON_H
#define UPLIFT_THOMPSON_H

/*
 * probs[a] = P(X_a is the largest of X_0..X_{n-1}), X_a ~ Beta(alpha[a],
 * beta[a]) independent, alpha and beta >= 1, by adaptive Gauss-Kronrod
 * quadrature (posteriors with alpha and beta above 10^5 by their Edgeworth
 * expansion, error below 1e-9; alpha + beta above 10^18 is an error).
 * Returns the estimated absolute quadrature error.
 */
extern double uplift_thompson_probs_exact(const double *alpha, const double *beta,
										  int n, double *probs);

/* The regularized incomplete beta function I_x(a, b). */
extern double uplift_beta_cdf(double x, double a, double b);

#endif							/* UPLIFT_THOMPSON_H */
