#!/usr/bin/env bash
# doc/allocation.md's scheduled job, through pg_cron for real.  A throwaway
# server starts with the page's ```ini settings (pg_cron preloaded, its
# database, background workers); the page's sql examples run there as the
# role that owns the tables; its ```plpgsql blocks create pg_cron and grant
# (as a superuser) and schedule both jobs (as that role).  The hourly job is
# then made due every minute and run by pg_cron; after it, the commands of
# both jobs run once more by hand.  The day's offers must stay within the
# paced budget and no customer may be offered twice in a day.
set -euo pipefail
cd "$(dirname "$0")/../.."
page=doc/allocation.md
budget=24000                      # the jobs' daily budget, as the page says

libdir=$(pg_config --pkglibdir)
if [ ! -f "$libdir/pg_cron.so" ]; then
    echo "cron.sh: pg_cron is not installed in $libdir: apt-get install postgresql-15-cron" \
         "(scripts/setup.sh does); for a PostgreSQL unpacked elsewhere, unpack the package" \
         "into it: apt-get download postgresql-15-cron &&" \
         "dpkg-deb -x postgresql-15-cron_*.deb ${libdir%/usr/lib/postgresql/*}/" >&2
    exit 1
fi

# The text of the page's fenced blocks of one kind; with a number, only that one.
blocks() {
    awk -v kind="$1" -v want="${2:-0}" '
        /^```/ { if (!f) { f = 1; k = substr($0, 4); if (k == kind) n++; next } f = 0; next }
        f && k == kind && (want == 0 || n == want)' "$page"
}

settings=$(blocks ini | sed -n 's/^\([a-z_.]*\) *= *\(.*\)$/-c \1=\2/p')
db=$(blocks ini | sed -n "s/^cron.database_name *= *'\(.*\)'$/\1/p")
role=$(blocks plpgsql 1 | sed -n 's/^GRANT USAGE ON SCHEMA cron TO \([a-z_]*\);$/\1/p')
[ -n "$db" ] && [ -n "$role" ] || { echo "cron.sh: $page names no cron database or role" >&2; exit 1; }

. scripts/cluster.sh
# shellcheck disable=SC2086
cluster_start $settings

as_super() { psql -X -q -v ON_ERROR_STOP=1 -d "$db" "$@"; }
as_role() { psql -X -q -v ON_ERROR_STOP=1 -U "$role" -d "$db" "$@"; }

psql -X -q -v ON_ERROR_STOP=1 -d postgres \
    -c "CREATE ROLE $role LOGIN" -c "CREATE DATABASE $db OWNER $role"
as_super -c "CREATE EXTENSION uplift"
blocks sql | as_role >/dev/null
blocks plpgsql 1 | as_super
blocks plpgsql 2 | as_role >/dev/null
blocks plpgsql 3 | as_role >/dev/null

# Run the hourly job through pg_cron: due every minute (alter_job is for
# superusers in pg_cron 1.4), wait for one run.
as_super -c "SELECT cron.alter_job(jobid, schedule := '* * * * *') FROM cron.job WHERE jobname = 'allocate-hourly'" \
        -c "SELECT cron.alter_job(jobid, active := false) FROM cron.job WHERE jobname = 'allocate-two-step'" >/dev/null
status=
for _ in $(seq 1 150); do
    status=$(as_super -At -c "SELECT d.status || ': ' || coalesce(d.return_message, '')
                              FROM cron.job_run_details d JOIN cron.job j USING (jobid)
                              WHERE j.jobname = 'allocate-hourly' AND d.status IN ('succeeded', 'failed')
                              ORDER BY d.runid LIMIT 1")
    [ -n "$status" ] && break
    sleep 1
done
as_super -c "SELECT cron.alter_job(jobid, active := false) FROM cron.job WHERE jobname = 'allocate-hourly'" >/dev/null
case "$status" in
    succeeded*) ;;
    "") echo "cron.sh: pg_cron did not run the job within 150 s" >&2; exit 1 ;;
    *) echo "cron.sh: the job run by pg_cron failed: $status" >&2; exit 1 ;;
esac

# Each job's command once more, by hand (the same hour: little or no budget
# left); then, unless the day ends within two hours, each job's function at
# five past the next two hours, when the pace frees more budget.
for job in allocate-two-step allocate-hourly; do
    as_role -c "$(as_super -At -c "SELECT command FROM cron.job WHERE jobname = '$job'")" >/dev/null
done
later=$(as_role -At -c "SELECT extract(hour FROM now()) < 22")
if [ "$later" = t ]; then
    offers=$(as_role -At \
        -c "SELECT allocate_run_two_step(date_trunc('hour', now()) + interval '1 hour 5 minutes')" \
        -c "SELECT allocate_run(date_trunc('hour', now()) + interval '2 hours 5 minutes')" | paste -sd' ')
    case "$offers" in
        0\ *|*\ 0) echo "cron.sh: a later run offered nobody ($offers offers)" >&2; exit 1 ;;
    esac
fi

problems=$(as_super -At -v budget="$budget" <<'SQL'
WITH today AS (
    SELECT * FROM assignments WHERE run_at >= date_trunc('day', now())),
runs AS (
    SELECT run_at, count(*) AS offers,
           sum(sum(cost)) OVER (ORDER BY run_at) AS spent,
           :budget * (extract(hour FROM run_at) + 1) / 24.0 AS allowed
    FROM today GROUP BY run_at)
SELECT 'pg_cron''s run offered nobody'
WHERE (SELECT offers FROM runs ORDER BY run_at LIMIT 1) IS NULL
   OR (SELECT offers FROM runs ORDER BY run_at LIMIT 1) = 0
UNION ALL
SELECT format('by the run at %s the day spent %s, more than the %s the pace allows', run_at, spent, allowed)
FROM runs WHERE spent > allowed
UNION ALL
SELECT format('%s customers were offered more than once in a day', count(*))
FROM (SELECT unit_id FROM assignments GROUP BY unit_id, date_trunc('day', run_at)
      HAVING count(*) > 1) d
HAVING count(*) > 0;
SQL
)
if [ -n "$problems" ]; then
    echo "cron.sh: $problems" >&2
    as_super -c "SELECT run_at, count(*), sum(cost) FROM assignments GROUP BY run_at ORDER BY run_at" >&2
    exit 1
fi
