/*
 * progress.c
 *	  Progress of long aggregates, for the client and for other sessions.
 *
 * With uplift.progress on, a long aggregate reports every
 * uplift.progress_interval milliseconds: a NOTICE to the client that runs it
 * (parallel workers' notices reach it too), and one line in the file
 * pg_stat_tmp/uplift_progress.<pid> that uplift_progress() reads from any
 * session.  A file, not shared memory: shared memory would need
 * shared_preload_libraries and a restart, and pg_stat_progress_* views exist
 * only for the server's own commands.  The file is replaced atomically
 * (written aside, then renamed), and removed when the aggregate's memory
 * context goes away, at the end of the query or when it fails; a file left
 * by a backend that died is ignored (its process is gone) and removed by the
 * next uplift_progress().
 */
#include "uplift.h"

#include <unistd.h>

#include "catalog/pg_authid.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "nodes/execnodes.h"
#include "pgstat.h"
#include "storage/fd.h"
#include "storage/procarray.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/guc.h"
#include "utils/tuplestore.h"

#include "progress.h"

#define PROGRESS_PREFIX "uplift_progress."

/*
 * A progress file's line: role, command, phase, then rows read, rows
 * expected (0: no estimate), start and last report (microseconds).
 */
#define PROGRESS_NUMBERS 4

/* The settings (GUC variables, which PostgreSQL keeps per backend). */
static bool progress_enabled = false;
static int	progress_interval_ms = 2000;

void
progress_define_settings(void)
{
	DefineCustomBoolVariable("uplift.progress",
							 "Report the progress of long uplift aggregates.",
							 "As NOTICEs to the client and through uplift_progress() in other sessions.",
							 &progress_enabled, false, PGC_USERSET, 0,
							 NULL, NULL, NULL);
	DefineCustomIntVariable("uplift.progress_interval",
							"Time between two progress reports.",
							NULL, &progress_interval_ms, 2000, 100, 3600 * 1000,
							PGC_USERSET, GUC_UNIT_MS, NULL, NULL, NULL);
	MarkGUCPrefixReserved("uplift");
}

static void
progress_path(char *path, size_t size, int pid, bool temporary)
{
	snprintf(path, size, "%s/" PROGRESS_PREFIX "%d%s", PG_STAT_TMP_DIR, pid,
			 temporary ? ".tmp" : "");
}

static void
progress_remove_file(void *arg)
{
	char		path[MAXPGPATH];

	progress_path(path, sizeof(path), MyProcPid, false);
	(void) unlink(path);
}

void
progress_begin(Progress *p, const char *command, MemoryContext cxt)
{
	MemoryContextCallback *cb;

	memset(p, 0, sizeof(Progress));
	p->on = progress_enabled;
	if (!p->on)
		return;
	p->command = command;
	p->phase = "reading rows";
	p->started = GetCurrentTimestamp();
	p->due = TimestampTzPlusMilliseconds(p->started, progress_interval_ms);
	cb = MemoryContextAlloc(cxt, sizeof(MemoryContextCallback));
	cb->func = progress_remove_file;
	cb->arg = NULL;
	MemoryContextRegisterResetCallback(cxt, cb);
}

void
progress_begin_agg(Progress *p, FunctionCallInfo fcinfo, MemoryContext cxt)
{
	Aggref	   *aggref;

	progress_begin(p, "an aggregate", cxt);
	if (!p->on)
		return;
	aggref = AggGetAggref(fcinfo);
	if (aggref != NULL)
	{
		char	   *name = get_func_name(aggref->aggfnoid);

		if (name != NULL)
			p->command = MemoryContextStrdup(cxt, name);
	}
	if (fcinfo->context != NULL && IsA(fcinfo->context, AggState))
	{
		AggState   *agg = (AggState *) fcinfo->context;
		Plan	   *input = outerPlan(agg->ss.ps.plan);

		if (agg->aggstrategy == AGG_PLAIN && input != NULL && input->plan_rows >= 1)
			p->expected = (int64) Min(input->plan_rows, (double) PG_INT64_MAX / 2);
	}
}

/* Write the line that uplift_progress() reads; a failure only warns. */
static void
progress_write_file(const Progress *p, TimestampTz now)
{
	char		tmp[MAXPGPATH];
	char		path[MAXPGPATH];
	FILE	   *f;

	progress_path(tmp, sizeof(tmp), MyProcPid, true);
	progress_path(path, sizeof(path), MyProcPid, false);
	f = AllocateFile(tmp, PG_BINARY_W);
	if (f == NULL)
	{
		ereport(WARNING,
				(errcode_for_file_access(),
				 errmsg("could not write the progress file \"%s\": %m", tmp)));
		return;
	}
	fprintf(f, "%u\t%s\t%s\t" INT64_FORMAT "\t" INT64_FORMAT "\t" INT64_FORMAT "\t"
			INT64_FORMAT "\n",
			GetUserId(), p->command, p->phase, p->rows, p->expected,
			(int64) p->started, (int64) now);
	if (FreeFile(f) != 0 || rename(tmp, path) != 0)
		ereport(WARNING,
				(errcode_for_file_access(),
				 errmsg("could not write the progress file \"%s\": %m", path)));
}

/* "N rows read", or "N of about M rows read" with the planner's estimate. */
static char *
rows_text(const Progress *p)
{
	if (p->expected > 0)
		return psprintf(INT64_FORMAT " of about " INT64_FORMAT " rows read", p->rows, p->expected);
	return psprintf(INT64_FORMAT " rows read", p->rows);
}

/*
 * ", about T s left" while rows are read and the estimate is ahead of them
 * (at the rate so far).
 */
static char *
time_left_text(const Progress *p, TimestampTz now)
{
	double		elapsed = (double) (now - p->started) / USECS_PER_SEC;

	if (strcmp(p->phase, "reading rows") == 0 && p->expected > p->rows && p->rows > 0)
		return psprintf(", about %.0f s left",
						elapsed * (double) (p->expected - p->rows) / (double) p->rows);
	return "";
}

void
progress_report_if_due(Progress *p)
{
	TimestampTz now;

	if (!p->on)
		return;
	now = GetCurrentTimestamp();
	if (now < p->due)
		return;
	p->due = TimestampTzPlusMilliseconds(now, progress_interval_ms);
	ereport(NOTICE,
			(errmsg("%s: %s, %s, %.1f s%s", p->command, p->phase,
					rows_text(p), (double) (now - p->started) / USECS_PER_SEC,
					time_left_text(p, now))));
	progress_write_file(p, now);
}

void
progress_phase(Progress *p, const char *phase)
{
	if (!p->on)
		return;
	p->phase = phase;
	progress_report_if_due(p);
}

/* One line of a progress file, or false when it does not parse. */
static bool
parse_line(char *line, Oid *role, char **fields, int64 *numbers)
{
	char	   *save = NULL;
	char	   *tok = strtok_r(line, "\t\n", &save);
	int			i;

	if (tok == NULL)
		return false;
	*role = (Oid) strtoul(tok, NULL, 10);
	for (i = 0; i < 2; i++)
		if ((fields[i] = strtok_r(NULL, "\t\n", &save)) == NULL)
			return false;
	for (i = 0; i < PROGRESS_NUMBERS; i++)
	{
		if ((tok = strtok_r(NULL, "\t\n", &save)) == NULL)
			return false;
		numbers[i] = strtoll(tok, NULL, 10);
	}
	return true;
}

/* Add the row of one backend's progress file, if the caller may see it. */
static void
progress_file_row(ReturnSetInfo *rsinfo, const char *name, int pid)
{
	char		path[MAXPGPATH];
	char		line[1024];
	FILE	   *f;
	Oid			role;
	char	   *fields[2];
	int64		numbers[PROGRESS_NUMBERS];
	Datum		values[7];
	bool		nulls[7] = {false};

	snprintf(path, sizeof(path), "%s/%s", PG_STAT_TMP_DIR, name);
	if (BackendPidGetProc(pid) == NULL)
	{
		(void) unlink(path);	/* left by a backend that is gone */
		return;
	}
	f = AllocateFile(path, PG_BINARY_R);
	if (f == NULL)
		return;					/* removed meanwhile: the work ended */
	if (fgets(line, sizeof(line), f) == NULL || !parse_line(line, &role, fields, numbers))
	{
		FreeFile(f);
		return;
	}
	FreeFile(f);
	if (!has_privs_of_role(GetUserId(), role) &&
		!has_privs_of_role(GetUserId(), ROLE_PG_READ_ALL_STATS))
		return;
	values[0] = Int32GetDatum(pid);
	values[1] = CStringGetTextDatum(fields[0]);
	values[2] = CStringGetTextDatum(fields[1]);
	values[3] = Int64GetDatum(numbers[0]);
	values[4] = Int64GetDatum(numbers[1]);
	nulls[4] = numbers[1] <= 0;
	values[5] = TimestampTzGetDatum((TimestampTz) numbers[2]);
	values[6] = TimestampTzGetDatum((TimestampTz) numbers[3]);
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
}

/*
 * uplift_progress(): one row per backend running a long uplift aggregate
 * with uplift.progress on, among those of roles the caller has the
 * privileges of (all of them with pg_read_all_stats).
 */
PG_FUNCTION_INFO_V1(uplift_progress);
Datum
uplift_progress(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	DIR		   *dir;
	struct dirent *de;

	InitMaterializedSRF(fcinfo, 0);
	dir = AllocateDir(PG_STAT_TMP_DIR);
	while ((de = ReadDir(dir, PG_STAT_TMP_DIR)) != NULL)
	{
		char	   *end;
		long		pid;

		if (strncmp(de->d_name, PROGRESS_PREFIX, strlen(PROGRESS_PREFIX)) != 0)
			continue;
		pid = strtol(de->d_name + strlen(PROGRESS_PREFIX), &end, 10);
		if (*end != '\0' || pid <= 0 || pid > PG_INT32_MAX)
			continue;			/* a file being written (.tmp) */
		progress_file_row(rsinfo, de->d_name, (int) pid);
	}
	FreeDir(dir);
	return (Datum) 0;
}
