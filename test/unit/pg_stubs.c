/*
 * pg_stubs.c
 *	  The few server functions the tree engine and the solvers call
 *	  (memory, errors, interrupts, StringInfo), so that their unit tests run
 *	  without a server.
 *
 * palloc is malloc; an ERROR long-jumps to the innermost PG_TRY, as in the
 * server, after recording its SQLSTATE and message (unit_last_error).  An
 * ERROR outside PG_TRY aborts the test program.
 */
#include "postgres.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/memutils.h"

#include "unit.h"

#undef vsnprintf
#undef snprintf
#undef fprintf
#undef printf

volatile sig_atomic_t InterruptPending = false;
sigjmp_buf *PG_exception_stack = NULL;
ErrorContextCallback *error_context_stack = NULL;

static int	cur_elevel;
static int	cur_sqlstate;
static char cur_message[1024];
int			unit_cancel_after = -1;	/* interrupts until a cancel; -1: never */
bool		unit_track_interrupts = false;
double		unit_max_interrupt_gap = 0.0;	/* seconds */
int64		unit_palloc_calls = 0;
static double last_interrupt = 0.0;

/* CPU time, so that a loaded machine does not stretch the gaps. */
static double
now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

void
unit_interrupts_start(void)
{
	unit_track_interrupts = true;
	unit_max_interrupt_gap = 0.0;
	last_interrupt = now_seconds();
	InterruptPending = true;
}

void
unit_interrupts_stop(void)
{
	unit_track_interrupts = false;
	InterruptPending = false;
}

int
unit_last_error(const char **message)
{
	if (message)
		*message = cur_message;
	return cur_sqlstate;
}

void
ProcessInterrupts(void)
{
	InterruptPending = false;
	if (unit_track_interrupts)
	{
		double		t = now_seconds();

		unit_max_interrupt_gap = Max(unit_max_interrupt_gap, t - last_interrupt);
		last_interrupt = t;
		InterruptPending = true;
	}
	if (unit_cancel_after > 0 && --unit_cancel_after == 0)
		ereport(ERROR,
				(errcode(ERRCODE_QUERY_CANCELED),
				 errmsg("canceling statement due to user request")));
}

static void *
checked_malloc(Size size, bool zero)
{
	void	   *p;

	unit_palloc_calls++;
	p = zero ? calloc(1, Max(size, 1)) : malloc(Max(size, 1));

	if (p == NULL)
	{
		fprintf(stderr, "out of memory (%zu bytes)\n", (size_t) size);
		abort();
	}
	return p;
}

void *
palloc(Size size)
{
	return checked_malloc(size, false);
}

void *
palloc0(Size size)
{
	return checked_malloc(size, true);
}

void *
palloc_extended(Size size, int flags)
{
	return checked_malloc(size, (flags & MCXT_ALLOC_ZERO) != 0);
}

/* Memory contexts are not modelled: an allocation in any is malloc's. */
void *
MemoryContextAlloc(MemoryContext context, Size size)
{
	return checked_malloc(size, false);
}

void *
MemoryContextAllocZero(MemoryContext context, Size size)
{
	return checked_malloc(size, true);
}

void *
MemoryContextAllocHuge(MemoryContext context, Size size)
{
	return checked_malloc(size, false);
}

/* Reset callbacks registered so far, with their contexts. */
#define UNIT_MAX_CALLBACKS 64
static struct
{
	MemoryContext cxt;
	MemoryContextCallback *cb;
}			reset_callbacks[UNIT_MAX_CALLBACKS];
static int	n_reset_callbacks = 0;

void
MemoryContextRegisterResetCallback(MemoryContext context, MemoryContextCallback *cb)
{
	if (n_reset_callbacks == UNIT_MAX_CALLBACKS)
		abort();
	reset_callbacks[n_reset_callbacks].cxt = context;
	reset_callbacks[n_reset_callbacks].cb = cb;
	n_reset_callbacks++;
}

void
unit_reset_context(MemoryContext cxt)
{
	int			kept = 0;

	for (int i = 0; i < n_reset_callbacks; i++)
	{
		if (reset_callbacks[i].cxt == cxt)
			reset_callbacks[i].cb->func(reset_callbacks[i].cb->arg);
		else
			reset_callbacks[kept++] = reset_callbacks[i];
	}
	n_reset_callbacks = kept;
}

void *
repalloc(void *pointer, Size size)
{
	void	   *p = realloc(pointer, Max(size, 1));

	if (p == NULL)
		abort();
	return p;
}

void *
repalloc_huge(void *pointer, Size size)
{
	return repalloc(pointer, size);
}

void
pfree(void *pointer)
{
	free(pointer);
}

char *
pnstrdup(const char *in, Size len)
{
	char	   *out = checked_malloc(len + 1, false);

	memcpy(out, in, len);
	out[len] = '\0';
	return out;
}

void
initStringInfo(StringInfo str)
{
	str->maxlen = 1024;
	str->data = palloc(str->maxlen);
	resetStringInfo(str);
}

void
resetStringInfo(StringInfo str)
{
	str->data[0] = '\0';
	str->len = 0;
	str->cursor = 0;
}

void
enlargeStringInfo(StringInfo str, int needed)
{
	while (str->len + needed + 1 > str->maxlen)
	{
		str->maxlen *= 2;
		str->data = repalloc(str->data, str->maxlen);
	}
}

void
appendBinaryStringInfo(StringInfo str, const char *data, int datalen)
{
	enlargeStringInfo(str, datalen);
	memcpy(str->data + str->len, data, datalen);
	str->len += datalen;
	str->data[str->len] = '\0';
}

void
appendStringInfoSpaces(StringInfo str, int count)
{
	enlargeStringInfo(str, count);
	memset(str->data + str->len, ' ', count);
	str->len += count;
	str->data[str->len] = '\0';
}

bool
errstart(int elevel, const char *domain)
{
	cur_elevel = elevel;
	if (elevel >= ERROR)
	{
		/* the server's default for an error without errcode() (elog) */
		cur_sqlstate = ERRCODE_INTERNAL_ERROR;
		cur_message[0] = '\0';
	}
	return elevel >= ERROR;
}

bool
errstart_cold(int elevel, const char *domain)
{
	return errstart(elevel, domain);
}

void
errfinish(const char *filename, int lineno, const char *funcname)
{
	if (cur_elevel < ERROR)
		return;
	if (PG_exception_stack == NULL)
	{
		fprintf(stderr, "unexpected error at %s:%d: %s\n", filename, lineno, cur_message);
		abort();
	}
	siglongjmp(*PG_exception_stack, 1);
}

int
errcode(int sqlerrcode)
{
	cur_sqlstate = sqlerrcode;
	return 0;
}

int
errmsg(const char *fmt,...)
{
	va_list		ap;

	va_start(ap, fmt);
	vsnprintf(cur_message, sizeof(cur_message), fmt, ap);
	va_end(ap);
	return 0;
}

/* elog(): the same as errmsg here. */
int
errmsg_internal(const char *fmt,...)
	__attribute__((alias("errmsg")));

int
errdetail(const char *fmt,...)
{
	return 0;
}

int
errhint(const char *fmt,...)
{
	return 0;
}
