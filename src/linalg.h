/*
 * linalg.h
 *	  Small dense linear algebra shared by the solvers: the Cholesky
 *	  factorisation and solve of a symmetric positive definite matrix, and
 *	  a finiteness test.
 *
 * Matrices are row-major n x n arrays of double; nothing here allocates.
 */
#ifndef UPLIFT_LINALG_H
#define UPLIFT_LINALG_H

#include "postgres.h"

/*
 * Factor A = L L' in place (lower triangle of the row-major n x n matrix A
 * read, L written there).  Returns false when A is not numerically
 * positive definite (a pivot below 1e-13 of its diagonal entry).
 */
extern bool cholesky_factor(double *a, int n);

/* Solve L L' x = b for x with a factor from cholesky_factor; b becomes x. */
extern void cholesky_solve_factored(const double *l, double *b, int n);

/*
 * Solve A x = b in place (A overwritten by its factor, b by x).  Returns
 * false when A is not numerically positive definite.
 */
extern bool cholesky_solve(double *a, double *b, int n);

/* True when all n values are finite. */
extern bool linalg_all_finite(const double *x, Size n);

#endif							/* UPLIFT_LINALG_H */
