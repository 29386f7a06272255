/*
 * progress.h
 *	  Progress of a long aggregate (rows read, the phase it is in), reported
 *	  while it runs when the setting uplift.progress is on: as a NOTICE to the
 *	  client and in a small file per backend that uplift_progress() reads
 *	  from any session.
 */
#ifndef UPLIFT_PROGRESS_H
#define UPLIFT_PROGRESS_H

#include "postgres.h"

#include "fmgr.h"
#include "utils/timestamp.h"

typedef struct Progress
{
	bool		on;				/* uplift.progress was on at the start */
	const char *command;		/* "uplift_fit", ... */
	int64		rows;			/* rows read so far */
	int64		expected;		/* the planner's estimate of the rows, or 0 */
	const char *phase;			/* "reading rows", ... */
	TimestampTz started;
	TimestampTz due;			/* the next report */
} Progress;

/* Define the settings uplift.progress and uplift.progress_interval. */
extern void progress_define_settings(void);

/*
 * Start reporting for command in memory context cxt (the aggregate's): off
 * unless uplift.progress is on; the backend's progress file is removed when
 * cxt is reset or deleted (at the end of the query, or when it fails).
 */
extern void progress_begin(Progress *p, const char *command, MemoryContext cxt);

/*
 * progress_begin for the aggregate whose transition function is called with
 * fcinfo: reported under the aggregate's name, with the planner's estimate of
 * its input rows when it aggregates them all (no GROUP BY).
 */
extern void progress_begin_agg(Progress *p, FunctionCallInfo fcinfo, MemoryContext cxt);

/* Report if a report is due. */
extern void progress_report_if_due(Progress *p);

/* Count n more rows read; checks the clock once every 4,096 rows. */
static inline void
progress_rows(Progress *p, int64 n)
{
	if (p->on)
	{
		int64		before = p->rows;

		p->rows += n;
		if ((before >> 12) != (p->rows >> 12))
			progress_report_if_due(p);
	}
}

/* Enter a phase, reporting if due. */
extern void progress_phase(Progress *p, const char *phase);

#endif							/* UPLIFT_PROGRESS_H */
