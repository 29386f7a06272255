#!/usr/bin/env bash
# uplift_fit_query runs in memory that does not grow with the rows: fitting
# over passes of a table of 3,000,000 rows raises the backend's peak private
# memory (VmHWM minus RssShmem, read from /proc/self/status by the backend
# itself, as bench/fit_table.sh reads it) by less than 10 MB more than
# fitting 100,000 rows does, for the logistic and the linear base, under a
# serial plan (the backend reads every row).  uplift_fit on the same
# 3,000,000 rows, which keeps them, must grow by more than the rows'
# features (72 MB; the rows with their 0/1 outcomes as bytes take 75 MB), so
# that the measurement is shown to see a fit's rows.  Each fit runs in a
# fresh session, so one fit's peak cannot hide another's.  (A query over
# generate_series would not do: PostgreSQL 15 itself grows by some 20 bytes
# a row there.)
set -euo pipefail
export PGOPTIONS="-c client_min_messages=warning -c max_parallel_workers_per_gather=0"
db=uplift_fit_query_memory
psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
trap 'psql -X -q -d postgres -c "DROP DATABASE IF EXISTS '$db'" >/dev/null 2>&1' EXIT
psql -X -q -v ON_ERROR_STOP=1 -d $db <<'SQL'
CREATE EXTENSION uplift;
CREATE TABLE big AS
SELECT i, ARRAY[(i % 7)::float8, (i % 11) / 3.0, sin(i)] AS x, i % 2 AS t,
       ((i * 7) % 5 = 0 OR sin(i * i::float8) > 0.3)::int::float8 AS y,
       (i % 5) + sin(i) * 10 AS amount
FROM generate_series(1, 3000000) i;
CREATE TABLE small AS SELECT * FROM big WHERE i <= 100000;
VACUUM ANALYZE big;
VACUUM ANALYZE small;
SQL

private="SELECT (substring(s FROM 'VmHWM:\s+(\d+) kB')::bigint - substring(s FROM 'RssShmem:\s+(\d+) kB')::bigint)
         FROM pg_read_file('/proc/self/status') s"
# growth QUERY: the peak private memory growth (kB) of a fresh session running QUERY
growth() {
    local out
    out=$(psql -X -At -v ON_ERROR_STOP=1 -d $db -c "$private" -c "$1" -c "$private")
    echo $(( $(sed -n 3p <<<"$out") - $(sed -n 1p <<<"$out") ))
}

fail=0
for fit in "y, logistic" "amount, linear"; do
    col=${fit%%,*} base=${fit#*, }
    small=$(growth "SELECT uplift_model_checksum(uplift_fit_query('SELECT x, t, $col FROM small', '{\"base\": \"$base\"}'))")
    large=$(growth "SELECT uplift_model_checksum(uplift_fit_query('SELECT x, t, $col FROM big', '{\"base\": \"$base\"}'))")
    echo "# uplift_fit_query ($base): peak private growth $((small / 1024)) MB over 100,000 rows, $((large / 1024)) MB over 3,000,000"
    if [ $((large - small)) -ge $((10 * 1024)) ]; then
        echo "uplift_fit_query ($base): 3,000,000 rows took $((large - small)) kB more than 100,000" >&2; fail=1
    fi
done
kept=$(growth "SELECT uplift_model_checksum(uplift_fit(x, t, y)) FROM big")
echo "# uplift_fit: peak private growth $((kept / 1024)) MB over 3,000,000 rows"
if [ $kept -le $((72000000 / 1024)) ]; then
    echo "uplift_fit grew by only $kept kB over 3,000,000 rows: the measurement does not see a fit's rows" >&2; fail=1
fi
exit $fail
