#!/usr/bin/env bash
# Benchmark of the histogram tree engine, without a server.
#
#   bash bench/tree.sh [ROWS] [TREES] [DEPTH] [CRITERION]
#                                   (default 1000000 100 5 kl)
#
# Builds bench/tree_bench (bench/tree_bench.c, with the engine sources and
# the unit tests' server stubs), which generates ROWS rows x 10 uniform
# features of a randomized two-arm campaign with a step-shaped effect, bins
# them (64 bins from a 200,000-row sample), grows an uplift forest of TREES
# trees of max_depth DEPTH (min_samples_leaf 100, min_samples_treatment 10,
# n_reg 100, bootstrap, all features), scores every row, and prints wall and
# CPU time of each step and the process's peak resident memory.  Serial: the
# engine runs on one core.
set -euo pipefail
cd "$(dirname "$0")/.."
make -s bench/tree_bench
exec bench/tree_bench "${1:-1000000}" "${2:-100}" "${3:-5}" "${4:-kl}"
