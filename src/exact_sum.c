/*
 * exact_sum.c
 *	  The exact, order-independent sum of doubles (see exact_sum.h).
 */
#include "postgres.h"

#include <math.h>

#include "exact_sum.h"

#define DIGIT ((int64) 1 << 32)

void
exact_sum_init(ExactSum *s)
{
	memset(s, 0, sizeof(ExactSum));
}

/* The floor of d / 2^32, for any sign (no shift of a negative value). */
static inline int64
carry_of(int64 d)
{
	int64		low = d & (DIGIT - 1);

	return (d - low) / DIGIT;
}

void
exact_sum_normalize(ExactSum *s)
{
	for (int i = 0; i < EXACT_SUM_CHUNKS - 1; i++)
	{
		int64		c = carry_of(s->digit[i]);

		s->digit[i] -= c * DIGIT;
		s->digit[i + 1] += c;
	}
	s->pending = 0;
}

void
exact_sum_merge(ExactSum *into, const ExactSum *from)
{
	ExactSum	f = *from;

	exact_sum_normalize(into);
	exact_sum_normalize(&f);
	for (int i = 0; i < EXACT_SUM_CHUNKS; i++)
		into->digit[i] += f.digit[i];
	into->special += f.special;
	exact_sum_normalize(into);
}

/*
 * The value of normalized non-negative digits: the three highest non-zero
 * digits (96 bits, more than a double holds) added from the top, and a
 * sticky bit for any digit below them.
 */
static double
digits_value(const int64 *digit)
{
	int			top = EXACT_SUM_CHUNKS - 1;
	double		v = 0.0;
	bool		rest = false;

	while (top >= 0 && digit[top] == 0)
		top--;
	if (top < 0)
		return 0.0;
	for (int i = 0; i < top - 2; i++)
		rest = rest || digit[i] != 0;
	for (int i = top; i >= 0 && i >= top - 2; i--)
	{
		double		d = (double) digit[i];

		if (i == top - 2 && rest)
			d += 0.5;			/* below every bit the double keeps */
		v += ldexp(d, 32 * i - 1074);
	}
	return v;
}

double
exact_sum_value(const ExactSum *s)
{
	ExactSum	t = *s;
	bool		negative;

	if (s->special != 0.0 || isnan(s->special))
		return s->special;
	exact_sum_normalize(&t);
	negative = t.digit[EXACT_SUM_CHUNKS - 1] < 0;
	if (negative)
	{
		for (int i = 0; i < EXACT_SUM_CHUNKS; i++)
			t.digit[i] = -t.digit[i];
		exact_sum_normalize(&t);
	}
	return negative ? -digits_value(t.digit) : digits_value(t.digit);
}

#define EXACT_SUM_VERSION 1

void
exact_sum_write(StringInfo out, const ExactSum *s)
{
	ExactSum	t = *s;

	exact_sum_normalize(&t);
	bytes_put_u8(out, EXACT_SUM_VERSION);
	bytes_put_f64(out, t.special);
	for (int i = 0; i < EXACT_SUM_CHUNKS; i++)
		bytes_put_i64(out, t.digit[i]);
}

void
exact_sum_read(ByteReader *r, ExactSum *s)
{
	exact_sum_init(s);
	if (bytes_get_u8(r) != EXACT_SUM_VERSION)
		bytes_corrupted(r, "Unknown format version of an exact sum");
	s->special = bytes_get_f64(r);
	if (s->special != 0.0 && !isinf(s->special) && !isnan(s->special))
		bytes_corrupted(r, "The special terms of an exact sum are finite");
	for (int i = 0; i < EXACT_SUM_CHUNKS; i++)
	{
		s->digit[i] = bytes_get_i64(r);
		if (i < EXACT_SUM_CHUNKS - 1 && (s->digit[i] < 0 || s->digit[i] >= DIGIT))
			bytes_corrupted(r, "A digit of an exact sum is out of range");
	}
	if (s->digit[EXACT_SUM_CHUNKS - 1] <= -DIGIT || s->digit[EXACT_SUM_CHUNKS - 1] >= DIGIT)
		bytes_corrupted(r, "A digit of an exact sum is out of range");
}
