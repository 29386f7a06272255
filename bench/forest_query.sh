#!/usr/bin/env bash
# Benchmark of uplift_fit_query against uplift_fit for the uplift forest:
# time and peak backend memory of the same forest grown over passes of a
# query and in memory.
#
#   bash bench/forest_query.sh [N] [SEED]      (default N = 1000000, SEED = 42)
#
# Builds and installs the extension, starts a throwaway cluster and generates
# the table of bench/fit_table.sh (N rows x 10 features, a 0/1 outcome), then
# prints, under a serial plan (max_parallel_workers_per_gather = 0) and the
# default plan (2), the time of each fit (the better of two runs), the
# backend's peak private memory for the fit (as bench/fit_query.sh reads it;
# workers' memory is not counted), and whether the two models have the same
# checksum.  TREES and DEPTH set the forest (default 100 trees of depth 5);
# LEARNER=t_learner (s_learner, class_transform, x_learner, dr_learner)
# grows that learner with base "forest" instead of the uplift forest.
#
# With UPLIFT_BENCH_EXISTING=1 it uses the server PGHOST/PGPORT point at
# instead of building and starting one.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000000}
SEED=${2:-42}
TREES=${TREES:-100}
DEPTH=${DEPTH:-5}
LEARNER=${LEARNER:-forest}

DB=uplift_bench_forest_query
. bench/fit_table.sh

case "$LEARNER" in
    forest) OPTS="{\"learner\": \"forest\", \"n_trees\": $TREES, \"max_depth\": $DEPTH}" ;;
    t_learner|s_learner|class_transform|x_learner|dr_learner)
        OPTS="{\"learner\": \"$LEARNER\", \"base\": \"forest\", \"n_trees\": $TREES, \"max_depth\": $DEPTH}" ;;
    *) echo "LEARNER is forest or a meta-learner" >&2; exit 2 ;;
esac
FIT_MEM="SELECT uplift_fit(features, treatment, outcome, '$OPTS') AS model FROM t"
FIT_QUERY="SELECT uplift_fit_query('SELECT features, treatment, outcome FROM t', '$OPTS') AS model"

echo
echo "learner: $LEARNER, rows: $N, features: $P, trees: $TREES, depth: $DEPTH, cores: $(nproc)"
for workers in 0 2; do
    set_w="SET max_parallel_workers_per_gather = $workers;"
    t_mem=$(timed "$set_w SELECT uplift_model_checksum(model) FROM ($FIT_MEM) f")
    t_query=$(timed "$set_w SELECT uplift_model_checksum(model) FROM ($FIT_QUERY) f")
    m_mem=$(mem_sql "$workers" "$FIT_MEM" | q)
    m_query=$(mem_sql "$workers" "$FIT_QUERY" | q)
    same=$(q -c "$set_w SELECT (SELECT uplift_model_checksum(model) FROM ($FIT_MEM) a) = (SELECT uplift_model_checksum(model) FROM ($FIT_QUERY) b)")
    echo
    echo "max_parallel_workers_per_gather = $workers"
    printf '  %-20s %10s %14s\n' "fit" "seconds" "peak memory"
    printf '  %-20s %10s %11.1f MB\n' "uplift_fit" "$t_mem" "$(echo "$m_mem / 1000000" | bc -l)"
    printf '  %-20s %10s %11.1f MB\n' "uplift_fit_query" "$t_query" "$(echo "$m_query / 1000000" | bc -l)"
    echo "  same model (checksum): $same"
done
