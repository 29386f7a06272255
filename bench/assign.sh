#!/usr/bin/env bash
# Benchmark of hashed assignment and of the assignment log.
#
#   1. N ids (default 10,000,000) in a table: a plain scan that hashes every id
#      (SELECT sum(hashint8(id))) against the same scan calling uplift_assign;
#      each query runs three times after a warm-up and the median is kept, and
#      the ratio is printed (target <= 1.5).
#   2. Logging throughput: pgbench, 8 clients on the local socket for T
#      seconds (default 20), each transaction one uplift_assign_logged call for
#      a new unit; and the same for units already logged (a read).
#
# Parallel query is off so that both scans use one core; the machine's other
# load makes every figure noisy.  Usage: bash bench/assign.sh [N] [T]
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

# Median wall time (ms) of three runs of a query, after one warm-up run.
median_ms() {
    psql -X -q -d "$db" -c "SET max_parallel_workers_per_gather = 0" -c '\timing on' \
        -c "$1" -c "$1" -c "$1" -c "$1" |
        sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | tail -3 | sort -g | sed -n 2p
}

scan=$(median_ms "SELECT sum(hashint8(id)) FROM ids")
assign=$(median_ms "SELECT sum((uplift_assign('bench', id, ARRAY[0.5, 0.3, 0.2])).action) FROM ids")
holdout=$(median_ms "SELECT sum((uplift_assign('bench', id, ARRAY[0.5, 0.3, 0.2], 0.05)).action) FROM ids")
echo "ids: $N"
echo "scan sum(hashint8(id)):            $scan ms"
echo "uplift_assign:                     $assign ms"
echo "uplift_assign with a 5% holdout:   $holdout ms"
awk -v a="$assign" -v s="$scan" -v h="$holdout" \
    'BEGIN { printf "ratio uplift_assign / scan:        %.2f (target <= 1.5)\nratio with holdout / scan:         %.2f\n", a / s, h / s }'

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
