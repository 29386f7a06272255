#!/usr/bin/env bash
# The main job on its embedded default: build and install the extension, start
# a throwaway cluster, generate the built-in demo campaign, fit value and cost
# models, score every customer and print a report.  The cluster is removed on
# exit, also on error or Ctrl-C.
#   bash scripts/demo.sh [units] [seed]      (defaults: 50000 units, seed 1)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-50000}
seed=${2:-1}
bash scripts/setup.sh
. scripts/cluster.sh
uplift_build_install
cluster_start
psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE uplift_demo"
psql -X -q -v ON_ERROR_STOP=1 -d uplift_demo -c "CREATE EXTENSION uplift"
psql -X -q -v ON_ERROR_STOP=1 -v n="$n" -v seed="$seed" -d uplift_demo -f scripts/demo.sql
