/*
 * prefault.h
 *	  Faulting in the pages of a memory range on a helper thread while the
 *	  backend goes on, and asking for huge pages (prefault.c).
 *
 * Writing fresh anonymous memory costs a page fault and the kernel's
 * clearing of the page, at first touch; for a large buffer filled row by row
 * (trainbuf.c) that can take as long as the scan that fills it.  A buffer
 * that knows which memory it writes next hands the range to a Prefaulter,
 * whose thread faults it in meanwhile, on a core a serial plan leaves idle.
 * The thread calls nothing of PostgreSQL and blocks every signal.  Where the
 * kernel can populate a range itself (MADV_POPULATE_WRITE), the range may be
 * written while the thread runs (both then fault pages in, neither changes
 * what the other wrote); elsewhere the thread writes a zero into each page,
 * and the range must wait for it.  Memory the thread may touch is freed only
 * after prefault_finish; a reset callback on the Prefaulter's context calls
 * it, on error as on success.  One range at a time.
 */
#ifndef UPLIFT_PREFAULT_H
#define UPLIFT_PREFAULT_H

#include "postgres.h"

typedef struct Prefaulter Prefaulter;

/* The huge page size that prefault_advise_huge asks for. */
#define HUGE_PAGE_BYTES ((Size) 2 * 1024 * 1024)

/*
 * Ask for huge pages on the whole 2 MB pages inside [start, start + len)
 * (where the platform has them): a large buffer written once then faults
 * once per 2 MB instead of once per 4 kB.
 */
extern void prefault_advise_huge(void *start, Size len);

/* A Prefaulter in cxt, which must hold (or outlive) the ranges it is given. */
extern Prefaulter *prefault_create(MemoryContext cxt);

/*
 * Whether the Prefaulter can take a range now: it is not touching one (a
 * range it has finished with is then forgotten).
 */
extern bool prefault_idle(Prefaulter *pf);

/*
 * Fault in [start, start + len) on a thread, if one can be started (else the
 * pages fault when first written, as without a Prefaulter).  Call only when
 * prefault_idle.
 */
extern void prefault_start(Prefaulter *pf, void *start, Size len);

/* Make the range that begins at "start" safe to write now. */
extern void prefault_may_write(Prefaulter *pf, const void *start);

/* Wait for the thread, whatever it touches, so that any memory may be freed. */
extern void prefault_finish(Prefaulter *pf);

#endif							/* UPLIFT_PREFAULT_H */
