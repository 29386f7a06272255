/*
 * linalg.c
 *	  Cholesky factorisation and solve, and a finiteness test (see
 *	  linalg.h).
 */
#include "postgres.h"

#include <math.h>

#include "miscadmin.h"

#include "linalg.h"

bool
linalg_all_finite(const double *x, Size n)
{
	for (Size i = 0; i < n; i++)
		if (!isfinite(x[i]))
			return false;
	return true;
}

bool
cholesky_factor(double *a, int n)
{
	for (int j = 0; j < n; j++)
	{
		double		s = a[j * n + j];
		double		orig = s;

		CHECK_FOR_INTERRUPTS();
		for (int k = 0; k < j; k++)
			s -= a[j * n + k] * a[j * n + k];
		if (!(s > 1e-13 * orig) || !isfinite(s))
			return false;
		s = sqrt(s);
		a[j * n + j] = s;
		for (int i = j + 1; i < n; i++)
		{
			double		t = a[i * n + j];

			for (int k = 0; k < j; k++)
				t -= a[i * n + k] * a[j * n + k];
			a[i * n + j] = t / s;
		}
	}
	return true;
}

void
cholesky_solve_factored(const double *l, double *b, int n)
{
	/* forward: L u = b */
	for (int i = 0; i < n; i++)
	{
		double		t = b[i];

		for (int k = 0; k < i; k++)
			t -= l[i * n + k] * b[k];
		b[i] = t / l[i * n + i];
	}
	/* backward: L' x = u */
	for (int i = n - 1; i >= 0; i--)
	{
		double		t = b[i];

		for (int k = i + 1; k < n; k++)
			t -= l[k * n + i] * b[k];
		b[i] = t / l[i * n + i];
	}
}

bool
cholesky_solve(double *a, double *b, int n)
{
	if (!cholesky_factor(a, n))
		return false;
	cholesky_solve_factored(a, b, n);
	return true;
}
