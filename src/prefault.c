/*
 * prefault.c
 *	  Faulting in the pages of a memory range on a helper thread, and asking
 *	  for huge pages (see prefault.h).
 *
 * The thread asks the kernel to populate the range writable
 * (MADV_POPULATE_WRITE, Linux 5.14 and later; if the running kernel refuses,
 * nothing is done) or, where the headers do not have it, writes a zero byte
 * into each page of it (the memory is fresh, so every byte is zero already).
 * It is created with every signal blocked, so PostgreSQL's handlers never
 * run on it, and with a small stack; if it cannot be created, nothing
 * happens and the pages fault in the backend as they would have.
 */
#include "postgres.h"

#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>

#include "port/atomics.h"
#include "utils/memutils.h"

#include "prefault.h"

#define PREFAULT_STACK_BYTES ((size_t) 64 * 1024)
#define PREFAULT_PAGE_BYTES ((Size) 4096)

struct Prefaulter
{
	MemoryContextCallback on_reset;
	bool		started;		/* a thread was started and not joined yet */
	pg_atomic_uint32 finished;	/* set by the thread as it ends (where it
								 * cannot be joined without waiting) */
	pthread_t	thread;
	char	   *start;
	Size		len;
};

#ifdef MADV_POPULATE_WRITE
#define PREFAULT_WRITES false	/* the kernel populates the range */
#else
#define PREFAULT_WRITES true	/* the thread writes into the range */
#endif

static void *
prefault_main(void *arg)
{
	Prefaulter *pf = (Prefaulter *) arg;

#ifdef MADV_POPULATE_WRITE
	(void) madvise(pf->start, pf->len, MADV_POPULATE_WRITE);
#else
	{
		volatile char *p = pf->start;

		for (Size off = 0; off < pf->len; off += PREFAULT_PAGE_BYTES)
			p[off] = 0;
	}
#endif
#ifndef __GLIBC__
	pg_atomic_write_u32(&pf->finished, 1);
#endif
	return NULL;
}

/* The thread has been joined: no range is being touched. */
static void
prefault_forget(Prefaulter *pf)
{
	pf->started = false;
	pf->start = NULL;
	pf->len = 0;
}

static void
prefault_join(Prefaulter *pf)
{
	if (!pf->started)
		return;
	(void) pthread_join(pf->thread, NULL);
	prefault_forget(pf);
}

static void
prefault_on_reset(void *arg)
{
	prefault_join((Prefaulter *) arg);
}

void
prefault_advise_huge(void *start, Size len)
{
#ifdef MADV_HUGEPAGE
	uintptr_t	from = TYPEALIGN(HUGE_PAGE_BYTES, (uintptr_t) start);
	uintptr_t	to = ((uintptr_t) start + len) & ~(uintptr_t) (HUGE_PAGE_BYTES - 1);

	if (to > from)
		(void) madvise((void *) from, to - from, MADV_HUGEPAGE);
#endif
}

Prefaulter *
prefault_create(MemoryContext cxt)
{
	Prefaulter *pf = MemoryContextAllocZero(cxt, sizeof(Prefaulter));

	pg_atomic_init_u32(&pf->finished, 0);
	pf->on_reset.func = prefault_on_reset;
	pf->on_reset.arg = pf;
	MemoryContextRegisterResetCallback(cxt, &pf->on_reset);
	return pf;
}

/*
 * Whether the thread has ended; if so it is joined.  glibc can join a thread
 * only if it has ended; elsewhere the thread says so through "finished".
 */
bool
prefault_idle(Prefaulter *pf)
{
	if (!pf->started)
		return true;
#ifdef __GLIBC__
	if (pthread_tryjoin_np(pf->thread, NULL) != 0)
		return false;
	prefault_forget(pf);
	return true;
#else
	if (pg_atomic_read_u32(&pf->finished) == 0)
		return false;
	prefault_join(pf);
	return true;
#endif
}

void
prefault_start(Prefaulter *pf, void *start, Size len)
{
	pthread_attr_t attr;
	sigset_t	all;
	sigset_t	old;

	Assert(!pf->started);
	if (len == 0 || pthread_attr_init(&attr) != 0)
		return;
	(void) pthread_attr_setstacksize(&attr, Max(PREFAULT_STACK_BYTES, (size_t) PTHREAD_STACK_MIN));
	pf->start = start;
	pf->len = len;
	pg_atomic_write_u32(&pf->finished, 0);
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	pf->started = pthread_create(&pf->thread, &attr, prefault_main, pf) == 0;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&attr);
	if (!pf->started)
		prefault_forget(pf);
}

void
prefault_may_write(Prefaulter *pf, const void *start)
{
	if (PREFAULT_WRITES && pf->started && pf->start == start)
		prefault_join(pf);
}

void
prefault_finish(Prefaulter *pf)
{
	prefault_join(pf);
}
