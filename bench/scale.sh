#!/usr/bin/env bash
# The scale figures in one command: for each aggregate its serial and
# default-plan time over a serial scan (bench/plans.sh, on PLANS_N rows,
# default 1,000,000), then the end-to-end comparison with the export to
# Python (bench/e2e.sh, on E2E_N rows, default 10,000,000; needs python3-numpy).
#   usage: [REPS=n] [ONLY=regex] bash bench/scale.sh [PLANS_N] [E2E_N]
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== every aggregate: serial and default plans =="
bash bench/plans.sh "${1:-1000000}"
echo
echo "== end to end: the database against binary COPY and numpy =="
bash bench/e2e.sh "${2:-10000000}"
