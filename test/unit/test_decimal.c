/*
 * test_decimal.c
 *	  Unit tests of decimal to double (src/decimal.c), run without a server:
 *	  every answer it gives must be the double the C library's strtod gives
 *	  for the same number's text (glibc rounds correctly), over random
 *	  mantissas of 1 to 64 bits times 10^-40 to 10^40, over integers that
 *	  are exactly halfway between two doubles and their neighbours, and over
 *	  19-digit decimals a hair from such midpoints; and it must answer for
 *	  nearly every number of 17 significant digits, the digits a double
 *	  prints with.  Prints TAP.
 */
#include "postgres.h"

#include <float.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decimal.h"
#include "unit.h"

#undef printf
#undef snprintf

/* splitmix64: the test's own random numbers */
static uint64
next_random(uint64 *state)
{
	uint64		z = (*state += UINT64CONST(0x9E3779B97F4A7C15));

	z = (z ^ (z >> 30)) * UINT64CONST(0xBF58476D1CE4E5B9);
	z = (z ^ (z >> 27)) * UINT64CONST(0x94D049BB133111EB);
	return z ^ (z >> 31);
}

typedef struct Tally
{
	long		answered;
	long		declined;
	long		wrong;
	char		first_wrong[64];
} Tally;

/* Compare one number against strtod of its text. */
static void
check_one(uint64 mantissa, int exp10, Tally *t)
{
	char		text[64];
	double		got;
	double		want;

	snprintf(text, sizeof(text), "%llue%d", (unsigned long long) mantissa, exp10);
	if (!uplift_decimal_to_double(mantissa, exp10, &got))
	{
		t->declined++;
		return;
	}
	t->answered++;
	want = strtod(text, NULL);
	if (memcmp(&got, &want, sizeof(double)) != 0 && t->wrong++ == 0)
		snprintf(t->first_wrong, sizeof(t->first_wrong), "%s", text);
}

static bool
report(const Tally *t, const char *what)
{
	return unit_check(t->wrong == 0, "%s: %ld answered as strtod, %ld left to the text path%s%s",
					  what, t->answered, t->declined,
					  t->wrong ? ", first wrong: " : "", t->first_wrong);
}

static void
test_random(void)
{
	uint64		state = 42;
	Tally		t = {0};

	for (int i = 0; i < 3000000; i++)
	{
		int			bits = 1 + (int) (next_random(&state) % 64);
		uint64		m = next_random(&state) >> (64 - bits);

		check_one(m, (int) (next_random(&state) % 81) - 40, &t);
	}
	report(&t, "random mantissas times 10^-40..10^40");
}

/* Integers of 54 significant bits ending in 1 lie halfway between doubles. */
static void
test_midpoint_integers(void)
{
	uint64		state = 7;
	Tally		t = {0};

	for (int shift = 0; shift <= 10; shift++)
		for (int i = 0; i < 20000; i++)
		{
			uint64		mid = ((next_random(&state) >> 11) | (UINT64CONST(1) << 53) | 1) << shift;

			for (int d = -1; d <= 1; d++)
				for (int e = 0; e <= 2; e++)
					check_one(mid + d, -e, &t);
		}
	report(&t, "integers halfway between doubles, their neighbours, over 1, 10 and 100");
}

/*
 * The midpoint of a random double and the next one up, printed to 19
 * significant digits by the C library (exact for a long double): a decimal
 * within 10^-19 relative of a tie.
 */
static void
test_near_midpoints(void)
{
	uint64		state = 99;
	Tally		t = {0};

	for (int i = 0; i < 500000; i++)
	{
		double		d = ldexp((double) (next_random(&state) >> 11) + 0x1p52, -52 +
							  (int) (next_random(&state) % 160) - 80);
		long double mid = ((long double) d + (long double) nextafter(d, HUGE_VAL)) / 2;
		char		digits[64];
		char	   *e;
		uint64		m = 0;
		int			exp10;

		snprintf(digits, sizeof(digits), "%.18Le", mid);
		/* d.dddddddddddddddddde+XX: 19 digits, the exponent after the e */
		e = strchr(digits, 'e');
		for (char *c = digits; c < e; c++)
			if (*c != '.')
				m = m * 10 + (uint64) (*c - '0');
		exp10 = atoi(e + 1) - 18;
		for (int delta = -1; delta <= 1; delta++)
			check_one(m + delta, exp10, &t);
	}
	report(&t, "19-digit decimals beside the midpoints of doubles");
}

/* Numbers as a double prints them (17 digits) must nearly all be answered. */
static void
test_answers_printed_doubles(void)
{
	uint64		state = 3;
	Tally		t = {0};

	for (int i = 0; i < 1000000; i++)
	{
		uint64		m = UINT64CONST(10000000000000000) +
			next_random(&state) % UINT64CONST(90000000000000000);

		check_one(m, -17 - (int) (next_random(&state) % 8), &t);
	}
	report(&t, "17-digit numbers of 1e-8 to 1");
#if LDBL_MANT_DIG == 64 || LDBL_MANT_DIG == 113
	unit_check(t.declined * 1000 < t.answered,
			   "17-digit numbers are read from their digits: %ld of %ld left to the text path",
			   t.declined, t.answered + t.declined);
#endif
}

int
main(void)
{
	double		out;

	unit_check(uplift_decimal_to_double(0, 300, &out) && out == 0.0 && !signbit(out),
			   "zero times any power is +0");
	unit_check(uplift_decimal_to_double(1, 23, &out) && out == 1e23,
			   "1e23, not a double: folded into 10 * 10^22");
	unit_check(!uplift_decimal_to_double(1, -400, &out) &&
			   !uplift_decimal_to_double(UINT64CONST(18446744073709551615), 300, &out),
			   "underflow and overflow are left to the text path");
	test_random();
	test_midpoint_integers();
	test_near_midpoints();
	test_answers_printed_doubles();
	return unit_done();
}
