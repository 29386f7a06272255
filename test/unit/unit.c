/*
 * unit.c
 *	  The TAP harness of the C unit tests (see unit.h).
 */
#include "postgres.h"

#include <stdarg.h>
#include <stdio.h>

#include "unit.h"

#undef vprintf
#undef printf

static int	n_run = 0;
static int	n_failed = 0;

bool
unit_check(bool ok, const char *fmt,...)
{
	va_list		ap;

	n_run++;
	if (!ok)
		n_failed++;
	printf("%sok %d - ", ok ? "" : "not ", n_run);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	return ok;
}

int
unit_done(void)
{
	printf("1..%d\n", n_run);
	return n_failed == 0 ? 0 : 1;
}
