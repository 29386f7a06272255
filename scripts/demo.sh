#!/usr/bin/env bash
# The main job on its embedded default: build, start a throwaway cluster,
# generate the built-in demo campaign, fit value and cost models, score every
# customer and print a short report.  The cluster is removed on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
. scripts/cluster.sh
uplift_build_install
cluster_start
psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "CREATE EXTENSION uplift" -f bench/../scripts/demo.sql
