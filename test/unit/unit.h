/*
 * unit.h
 *	  A minimal TAP harness for the C unit tests (test/unit/), and what the
 *	  server stubs (pg_stubs.c) expose to them.
 */
#ifndef UPLIFT_UNIT_H
#define UPLIFT_UNIT_H

#include "postgres.h"

#include <math.h>

/* SQLSTATE and message of the last ERROR raised. */
extern int	unit_last_error(const char **message);

/* Cancel at the n-th interrupt check from now (-1: never). */
extern int	unit_cancel_after;

/* Time (in CPU seconds) the gaps between interrupt checks from start to stop. */
extern void unit_interrupts_start(void);
extern void unit_interrupts_stop(void);
extern double unit_max_interrupt_gap;

/* palloc calls so far. */
extern int64 unit_palloc_calls;

/* Print "ok N - name" or "not ok N - name"; returns ok. */
extern bool unit_check(bool ok, const char *fmt,...) pg_attribute_printf(2, 3);

/*
 * Memory contexts are not modelled, but their reset callbacks are kept:
 * this calls (and forgets) those registered on cxt, as a reset would.
 */
extern void unit_reset_context(MemoryContext cxt);

/* Print the plan "1..N"; the exit status of the program. */
extern int	unit_done(void);

/* |a - b| <= tol * max(1, |b|) */
static inline bool
unit_close(double a, double b, double tol)
{
	return fabs(a - b) <= tol * Max(1.0, fabs(b));
}

/*
 * Run stmt and say whether it raised an ERROR with SQLSTATE code (a
 * MAKE_SQLSTATE value).
 */
#define UNIT_THROWS(stmt, code) \
	({ \
		bool		unit_thrown_ = false; \
		PG_TRY(); \
		{ \
			stmt; \
		} \
		PG_CATCH(); \
		{ \
			unit_thrown_ = unit_last_error(NULL) == (code); \
		} \
		PG_END_TRY(); \
		unit_thrown_; \
	})

#endif							/* UPLIFT_UNIT_H */
