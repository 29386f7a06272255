/*
 * exact_sum.h
 *	  The exact sum of any number of doubles, independent of the order they
 *	  are added in and of how the additions are split and merged: the
 *	  forest's weight totals and arm means, which must be the same whether
 *	  the rows are summed in one backend, in parallel workers or in passes
 *	  over a query (learn_forest.c, forest_pass.c).
 *
 * Every finite double is an integer multiple of 2^-1074 below 2^1024, so
 * the sum is kept as a fixed-point integer of EXACT_SUM_CHUNKS digits of 32
 * bits (digit i weighs 2^(32 i - 1074)), each digit held in an int64 so that
 * 2^30 additions fit before the carries are propagated.  A sum with an
 * infinite or NaN term is that term's sum (IEEE rules).  Its double value
 * is a function of the exact sum alone: the same for any order.
 */
#ifndef UPLIFT_EXACT_SUM_H
#define UPLIFT_EXACT_SUM_H

#include "postgres.h"
#include "lib/stringinfo.h"

#include "bytes.h"

#define EXACT_SUM_CHUNKS 68
#define EXACT_SUM_PENDING_MAX (1 << 30)

typedef struct ExactSum
{
	int64		digit[EXACT_SUM_CHUNKS];
	int32		pending;		/* additions since the carries were propagated */
	double		special;		/* the sum of the infinite and NaN terms */
} ExactSum;

extern void exact_sum_init(ExactSum *s);

/* Propagate the carries (digits 0..N-2 in [0, 2^32), the top one signed). */
extern void exact_sum_normalize(ExactSum *s);

static inline void
exact_sum_add(ExactSum *s, double x)
{
	uint64		bits;
	int			e;
	uint64		m;
	int			idx,
				off;
	uint64		lo,
				hi;
	int64		d0,
				d1,
				d2;

	memcpy(&bits, &x, sizeof(bits));
	e = (int) ((bits >> 52) & 0x7ff);
	m = bits & ((UINT64CONST(1) << 52) - 1);
	if (e == 0x7ff)
	{
		s->special += x;
		return;
	}
	if (e == 0)
	{
		if (m == 0)
			return;
		e = 1;					/* subnormal: m x 2^-1074 */
	}
	else
		m |= UINT64CONST(1) << 52;
	/* x = m x 2^(e - 1075): bit e - 1 of the fixed point, m < 2^53 */
	idx = (e - 1) >> 5;
	off = (e - 1) & 31;
	lo = m << off;
	hi = off == 0 ? 0 : m >> (64 - off);
	d0 = (int64) (lo & 0xffffffff);
	d1 = (int64) (lo >> 32);
	d2 = (int64) hi;
	if (bits >> 63)
	{
		d0 = -d0;
		d1 = -d1;
		d2 = -d2;
	}
	s->digit[idx] += d0;
	s->digit[idx + 1] += d1;
	s->digit[idx + 2] += d2;
	if (++s->pending >= EXACT_SUM_PENDING_MAX)
		exact_sum_normalize(s);
}

/* Add "from" into "into". */
extern void exact_sum_merge(ExactSum *into, const ExactSum *from);

/* The sum as a double (infinite past the range of doubles). */
extern double exact_sum_value(const ExactSum *s);

/* Versioned bytes (normalized), and back, checked. */
extern void exact_sum_write(StringInfo out, const ExactSum *s);
extern void exact_sum_read(ByteReader *r, ExactSum *s);

#endif							/* UPLIFT_EXACT_SUM_H */
