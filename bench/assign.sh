#!/usr/bin/env bash
# Benchmark of hashed assignment and of the assignment log.
#
#   1. N ids (default 10,000,000) in a table: a plain scan that hashes every id
#      (SELECT sum(hashint8(id))) against the same scan calling uplift_assign;
#      the backend's CPU time of each query, the minimum of R runs (default 7,
#      the queries taking turns), and the ratio (target <= 1.5).
#   2. Logging throughput: pgbench, 8 clients on the local socket for T
#      seconds (default 20), each transaction one uplift_assign_logged call for
#      a new unit; and the same for units already logged (a read).  T = 0
#      skips it.
#
# Parallel query is off so that both scans use one core; the machine's other
# load makes every figure noisy.  Usage: [R=runs] bash bench/assign.sh [N] [T]
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-10000000}
T=${2:-20}
. scripts/cluster.sh
uplift_build_install
cluster_start
db=uplift_bench
psql -X -q -d postgres -c "CREATE DATABASE $db"
psql -X -q -v ON_ERROR_STOP=1 -d "$db" <<SQL
CREATE EXTENSION uplift;
SELECT uplift_create_assignment_log();
CREATE TABLE ids AS SELECT id FROM generate_series(1::bigint, $N) id;
VACUUM ANALYZE ids;
SQL

# The backend's CPU time (user + system, ms, 10 ms ticks, from
# /proc/self/stat) of each query, the queries taking turns R times (default
# 7) so that each sees the same load, after one warm-up of each; the minimum
# per query is printed, one "name ms" line each.  CPU time rather than wall
# time: on a shared machine the wall time of a scan also counts the time the
# backend waits for a core.
R=${R:-7}
cpu_min_ms() {
    {
        echo "SET max_parallel_workers_per_gather = 0;"
        echo "CREATE TEMP TABLE cpu_ms (name text, ms float8);"
        echo "CREATE FUNCTION pg_temp.cpu() RETURNS float8 LANGUAGE sql AS \$\$"
        echo "  SELECT (split_part(s, ' ', 12)::float8 + split_part(s, ' ', 13)::float8)"
        echo "         * 1000 / $(getconf CLK_TCK)"
        echo "  FROM (SELECT split_part(pg_read_file('/proc/self/stat'), ') ', 2) AS s) x \$\$;"
        for q in "$@"; do echo "${q#*=};"; done
        for r in $(seq "$R"); do
            for q in "$@"; do
                echo "SELECT pg_temp.cpu() AS c0 \\gset"
                echo "${q#*=};"
                echo "INSERT INTO cpu_ms SELECT '${q%%=*}', pg_temp.cpu() - :c0;"
            done
        done
        echo "SELECT name, min(ms) FROM cpu_ms GROUP BY name;"
    } | psql -X -q -At -F ' ' -v ON_ERROR_STOP=1 -d "$db" | grep -E '^[a-z]+ [0-9.]+$'
}

times=$(cpu_min_ms "scan=SELECT sum(hashint8(id)) FROM ids" \
    "assign=SELECT sum((uplift_assign('bench', id, ARRAY[0.5, 0.3, 0.2])).action) FROM ids" \
    "holdout=SELECT sum((uplift_assign('bench', id, ARRAY[0.5, 0.3, 0.2], 0.05)).action) FROM ids")
scan=$(echo "$times" | awk '$1 == "scan" { print $2 }')
assign=$(echo "$times" | awk '$1 == "assign" { print $2 }')
holdout=$(echo "$times" | awk '$1 == "holdout" { print $2 }')
echo "ids: $N (backend CPU time, minimum of $R runs taking turns)"
echo "scan sum(hashint8(id)):            $scan ms"
echo "uplift_assign:                     $assign ms"
echo "uplift_assign with a 5% holdout:   $holdout ms"
awk -v a="$assign" -v s="$scan" -v h="$holdout" \
    'BEGIN { printf "ratio uplift_assign / scan:        %.2f (target <= 1.5)\nratio with holdout / scan:         %.2f\n", a / s, h / s }'

[ "$T" = 0 ] && exit 0

# Logging throughput.
work=$(mktemp -d)
cat >"$work/new.sql" <<'SQL'
\set u random(1, 1000000000000)
SELECT action FROM uplift_assign_logged('bench-log', :u, ARRAY[0.5, 0.3, 0.2]);
SQL
cat >"$work/repeat.sql" <<'SQL'
\set u random(1, 1000)
SELECT action FROM uplift_assign_logged('bench-log-repeat', :u, ARRAY[0.5, 0.3, 0.2]);
SQL
psql -X -q -d "$db" -c "SELECT count(uplift_assign_logged('bench-log-repeat', u, ARRAY[0.5, 0.3, 0.2])) FROM generate_series(1, 1000) u" >/dev/null
tps() { pgbench -n -c 8 -j 2 -T "$T" -f "$1" "$db" 2>&1 | sed -n 's/^tps = \([0-9.]*\) .*/\1/p'; }
new_tps=$(tps "$work/new.sql")
repeat_tps=$(tps "$work/repeat.sql")
rows=$(psql -X -At -d "$db" -c "SELECT count(*) FROM uplift_assignment_log WHERE experiment = 'bench-log'")
echo "logging, new units (8 clients, ${T}s):      $new_tps assignments/s ($rows rows logged)"
echo "logging, repeated units (8 clients, ${T}s): $repeat_tps calls/s"
rm -rf "$work"
