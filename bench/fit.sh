#!/usr/bin/env bash
# Benchmark of uplift_fit and uplift_score against a plain scan.
#
#   bash bench/fit.sh [N] [SEED]        (default N = 10000000, SEED = 42)
#
# Builds and installs the extension, starts a throwaway cluster, generates N
# rows x 10 features in SQL (setseed + random(), so a seed gives the same
# table), and prints in one run the time of
#   scan   SELECT sum(features[1]) FROM t
#   fit    uplift_fit T-learner, logistic base
#   score  SELECT sum(uplift_score(m, features)) FROM t
# their ratios to the scan, and the backend's peak memory for a fit, read
# from /proc/<backend pid>/status (VmHWM minus shared memory, over the
# session's baseline).  Targets: fit <= 3x scan, score <= 1.3x scan, fit
# memory <= 1.5 * N * (p + 2) * 8 bytes.
#
# With UPLIFT_BENCH_EXISTING=1 it uses the server PGHOST/PGPORT point at
# instead of building and starting one.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-10000000}
SEED=${2:-42}

DB=uplift_bench_fit
. bench/fit_table.sh

FIT="SELECT uplift_fit(features, treatment, outcome, '{\"learner\": \"t_learner\", \"base\": \"logistic\"}') AS model FROM t"
FIT_LIN="SELECT uplift_fit(features, treatment, outcome, '{\"learner\": \"t_learner\", \"base\": \"linear\"}') AS model FROM t"
SCAN="SELECT sum(features[1]) FROM t"
SCORE="SELECT sum(uplift_score((SELECT model FROM m), features)) FROM t"

# The three statements under one setting of max_parallel_workers_per_gather.
run_mode() {
    local set="SET max_parallel_workers_per_gather = $1;"
    scan=$(timed "$set $SCAN")
    fit=$(timed "$set DROP TABLE IF EXISTS m; CREATE TABLE m AS $FIT")
    score=$(timed "$set $SCORE")
    fit_lin=$(timed "$set SELECT uplift_model_checksum(model) FROM ($FIT_LIN) f")
    plan=$(q -c "$set EXPLAIN $FIT" | grep -o 'Workers Planned: [0-9]*' || echo 'no workers')
    echo
    echo "max_parallel_workers_per_gather = $1 (fit plan: $plan)"
    printf '  %-42s %10s %8s\n' "statement" "seconds" "x scan"
    printf '  %-42s %10s %8s\n' "scan  SELECT sum(features[1]) FROM t" "$scan" "1.00"
    printf '  %-42s %10s %8.2f   (target <= 3)\n' "fit   uplift_fit t_learner logistic" "$fit" "$(echo "$fit / $scan" | bc -l)"
    printf '  %-42s %10s %8.2f   (target <= 1.3)\n' "score sum(uplift_score(m, features))" "$score" "$(echo "$score / $scan" | bc -l)"
    printf '  %-42s %10s %8.2f\n' "fit   uplift_fit t_learner linear" "$fit_lin" "$(echo "$fit_lin / $scan" | bc -l)"
}

echo
echo "rows: $N, features: $P, cores: $(nproc)"
run_mode 0
run_mode 2

mem_serial=$(mem_sql 0 "$FIT" | q)
mem_parallel=$(mem_sql 2 "$FIT" | q)
mem_linear=$(mem_sql 0 "$FIT_LIN" | q)
bound=$(echo "$N * ($P + 2) * 8" | bc)

echo
echo "fit peak memory of the backend (n*(p+2)*8 = $bound bytes)"
printf '  serial plan:                   %12d bytes = %.2f x n*(p+2)*8   (target <= 1.5)\n' \
    "$mem_serial" "$(echo "$mem_serial / $bound" | bc -l)"
printf '  leader of a parallel plan:     %12d bytes = %.2f x n*(p+2)*8\n' \
    "$mem_parallel" "$(echo "$mem_parallel / $bound" | bc -l)"
printf '  linear base (moments), serial: %12d bytes\n' "$mem_linear"

psql -q -X -d postgres -c "DROP DATABASE $DB"
