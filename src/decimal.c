/*
 * decimal.c
 *	  Correctly rounded decimal to double for the common cases, so that
 *	  reading a number (a jsonb numeric, say) need not print it and parse the
 *	  text again.
 *
 * Two exact steps:
 *
 * - Clinger's fast path: a mantissa below 2^53 and a power of ten up to
 *   10^22 are both doubles exactly, so one multiplication or division,
 *   which IEEE arithmetic rounds correctly, gives the nearest double.
 *
 * - Extended precision: where long double is an IEEE format of at least 64
 *   bits of mantissa (x86's 80-bit extended, or quad; not the double-double
 *   of some platforms, whose operations are not correctly rounded), every
 *   64-bit mantissa and every power of ten up to 10^27
 *   (5^27 < 2^64) are exact in it, so the product or quotient r is the
 *   exact value x rounded once (to 64 bits on x86).  Rounding r to a double
 *   gives the double nearest x unless r lies exactly halfway between two
 *   doubles: doubles and their midpoints are long doubles too, and rounding
 *   is monotonic, so x and r are on the same side of each of them.  That
 *   one case (x itself halfway, or just beside it) is left to the caller.
 *
 * Both steps stay within normal doubles (at least 10^-27, at most
 * 2^64 * 10^27), where no underflow or overflow can occur.
 */
#include "decimal.h"

#include <float.h>
#include <math.h>

#define EXACT_DOUBLE_LIMIT (UINT64CONST(1) << 53)

/* long double is x86's extended precision or IEEE quad */
#define EXACT_LONG_DOUBLE (LDBL_MANT_DIG == 64 || LDBL_MANT_DIG == 113)

static const double pow10_double[] = {
	1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22
};

#if EXACT_LONG_DOUBLE
static const long double pow10_long[] = {
	1e0L, 1e1L, 1e2L, 1e3L, 1e4L, 1e5L, 1e6L, 1e7L, 1e8L, 1e9L, 1e10L,
	1e11L, 1e12L, 1e13L, 1e14L, 1e15L, 1e16L, 1e17L, 1e18L, 1e19L, 1e20L,
	1e21L, 1e22L, 1e23L, 1e24L, 1e25L, 1e26L, 1e27L
};

/* r rounded to a double, unless r is halfway between two doubles. */
static bool
round_long_to_double(long double r, double *out)
{
	double		d = (double) r;
	long double ld = d;
	double		beside;

	if (ld != r)
	{
		beside = nextafter(d, r > ld ? HUGE_VAL : -HUGE_VAL);
		/* d and beside have 53-bit mantissas: their mean is exact */
		if (r == (ld + (long double) beside) / 2)
			return false;
	}
	*out = d;
	return true;
}
#endif

bool
uplift_decimal_to_double(uint64 mantissa, int exp10, double *out)
{
	if (mantissa == 0)
	{
		*out = 0.0;
		return true;
	}
	/* 10^30 is 1000 times 10^27: surplus powers go into the mantissa */
	while (exp10 > 22 && mantissa <= PG_UINT64_MAX / 10)
	{
		mantissa *= 10;
		exp10--;
	}
	if (mantissa < EXACT_DOUBLE_LIMIT && exp10 >= -22 && exp10 <= 22)
	{
		*out = exp10 >= 0 ? (double) mantissa * pow10_double[exp10]
			: (double) mantissa / pow10_double[-exp10];
		return true;
	}
#if EXACT_LONG_DOUBLE
	if (exp10 >= -27 && exp10 <= 27)
	{
		long double r = (long double) mantissa;

		r = exp10 >= 0 ? r * pow10_long[exp10] : r / pow10_long[-exp10];
		return round_long_to_double(r, out);
	}
#endif
	return false;
}
