#!/usr/bin/env bash
# Benchmark of drift checks against a stored reference profile.
#
#   A reference table of R rows (default 1,000,000) and a current table of N
#   rows (default 10,000,000), both with 10 float8 columns (the current one
#   shifted in two of them).  The profile is built once (timed), then the
#   drift check of the current table against it is timed against a plain scan
#   that reads the same 10 columns (SELECT count(*), sum(c1), ..., sum(c10)).
#   Each query runs three times after a warm-up and the median is kept; the
#   ratio is printed (target <= 3).  Parallel query is off so that both use
#   one core.  Wall time depends on the machine's other load, so the backend's
#   CPU time of each run (user + system, from log_statement_stats) is reported
#   too, with its own median and ratio.
#
# Usage: bash bench/monitor.sh [N] [R]
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-10000000}
R=${2:-1000000}
. scripts/cluster.sh
uplift_build_install
cluster_start
db=uplift_bench
psql -X -q -d postgres -c "CREATE DATABASE $db"
cols="c1, c2, c3, c4, c5, c6, c7, c8, c9, c10"
gen() {
    # $1 rows, $2 seed, $3 shift of c1 and c2
    echo "SELECT random() + $3 AS c1, random() * (1 + $3) AS c2, random() AS c3, random() AS c4,
                 random() AS c5, random() AS c6, random() AS c7, random() AS c8,
                 random() AS c9, random() AS c10
            FROM (SELECT setseed($2)) s, generate_series(1, $1)"
}
psql -X -q -v ON_ERROR_STOP=1 -d "$db" <<SQL
CREATE EXTENSION uplift;
CREATE UNLOGGED TABLE ref AS $(gen "$R" 0.1 0);
CREATE UNLOGGED TABLE cur AS $(gen "$N" 0.2 0.05);
VACUUM ANALYZE ref;
VACUUM ANALYZE cur;
SQL

ms() { sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p'; }
profile=$(psql -X -q -d "$db" -c "SET max_parallel_workers_per_gather = 0" -c '\timing on' \
    -c "CREATE TABLE profiles AS SELECT uplift_drift_profile(r) AS p FROM (SELECT $cols FROM ref) r" | ms)
size=$(psql -X -At -d "$db" -c "SELECT pg_column_size(p) FROM profiles")

# Median wall time (ms) and median backend CPU time (ms) of three runs of a
# query, after one warm-up run.
median_ms() {
    psql -X -q -d "$db" -c "SET max_parallel_workers_per_gather = 0" -c '\timing on' \
        -c "$1" -c "$1" -c "$1" -c "$1" | ms | tail -3 | sort -g | sed -n 2p
}
median_cpu_ms() {
    psql -X -q -d "$db" -c "SET max_parallel_workers_per_gather = 0" \
        -c "SET client_min_messages = log" -c "SET log_statement_stats = on" \
        -c "$1" -c "$1" -c "$1" -c "$1" 2>&1 >/dev/null |
        sed -n 's/^!\s*\([0-9.]*\) s user, \([0-9.]*\) s system, .* elapsed$/\1 \2/p' |
        awk '{ printf "%.1f\n", ($1 + $2) * 1000 }' | tail -3 | sort -g | sed -n 2p
}
scan_q="SELECT count(*), sum(c1), sum(c2), sum(c3), sum(c4), sum(c5), sum(c6), sum(c7), sum(c8), sum(c9), sum(c10) FROM cur"
check_q="SELECT count(*) FILTER (WHERE d.drifted) FROM profiles, uplift_drift(profiles.p, 'SELECT $cols FROM cur') d"
scan=$(median_ms "$scan_q")
check=$(median_ms "$check_q")
scan_cpu=$(median_cpu_ms "$scan_q")
check_cpu=$(median_cpu_ms "$check_q")
echo "reference: $R rows x 10 columns; current window: $N rows x 10 columns"
echo "profile built in:                  $profile ms ($size bytes)"
echo "plain scan of the current window:  $scan ms wall, $scan_cpu ms CPU"
echo "drift check against the profile:   $check ms wall, $check_cpu ms CPU"
awk -v c="$check" -v s="$scan" -v cc="$check_cpu" -v sc="$scan_cpu" \
    'BEGIN { printf "ratio check / scan:                %.2f wall, %.2f CPU (target <= 3)\n", c / s, cc / sc }'
psql -X -q -d "$db" -c "SELECT feature, round(psi::numeric, 4) AS psi, round(ks::numeric, 4) AS ks, round(wasserstein::numeric, 4) AS wasserstein, drifted FROM profiles, uplift_drift(profiles.p, 'SELECT $cols FROM cur') d WHERE feature IN ('c1', 'c2', 'c3')"
