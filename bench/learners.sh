#!/usr/bin/env bash
# Benchmark of the meta-learners: fit time of the X-, DR- and
# class-transformation learners against the T-learner's, and scoring time
# of every learner against a plain scan.
#
#   bash bench/learners.sh [N] [SEED]        (default N = 10000000, SEED = 42)
#
# Builds and installs the extension, starts a throwaway cluster, generates N
# rows x 10 features in SQL (setseed + random(), so a seed gives the same
# table: half the rows treated, a 0/1 outcome whose effect depends on the
# features), and prints in one run, serial plans, best of two runs each:
#   scan    SELECT sum(features[1]) FROM t
#   fit     uplift_fit with learner t_learner, x_learner, dr_learner,
#           class_transform (logistic base)
#   score   SELECT sum(uplift_score(m, features)) FROM t, for each model
# Targets: X- and DR-learner fits <= 3x the T-learner's fit; scoring any
# learner <= 1.5x the scan.
#
# With UPLIFT_BENCH_EXISTING=1 it uses the server PGHOST/PGPORT point at
# instead of building and starting one.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-10000000}
SEED=${2:-42}

DB=uplift_bench_learners
. bench/fit_table.sh

# Every statement runs on a serial plan without JIT.
SET="SET max_parallel_workers_per_gather = 0; SET jit = off;"

echo
echo "rows: $N, features: $P, cores: $(nproc), serial plans, best of 2"
scan=$(timed "$SET SELECT sum(features[1]) FROM t")
printf '  %-48s %9s %8s\n' "statement" "seconds" "ratio"
printf '  %-48s %9s %8s\n' "scan  SELECT sum(features[1]) FROM t" "$scan" "1.00"

q -c "CREATE TABLE models (learner text, model uplift_model)"
declare -A fit
for l in t_learner x_learner dr_learner class_transform; do
    fit[$l]=$(timed "$SET DELETE FROM models WHERE learner = '$l';
        INSERT INTO models SELECT '$l', uplift_fit(features, treatment, outcome,
            '{\"learner\": \"$l\", \"base\": \"logistic\"}') FROM t")
done
for l in t_learner x_learner dr_learner class_transform; do
    printf '  %-48s %9s %8.2f   x T-learner fit%s\n' "fit   $l" "${fit[$l]}" \
        "$(echo "${fit[$l]} / ${fit[t_learner]}" | bc -l)" \
        "$([ "$l" = x_learner ] || [ "$l" = dr_learner ] && echo ' (target <= 3)' || true)"
done
for l in t_learner x_learner dr_learner class_transform; do
    s=$(timed "$SET SELECT sum(uplift_score((SELECT model FROM models WHERE learner = '$l'), features)) FROM t")
    printf '  %-48s %9s %8.2f   x scan (target <= 1.5)\n' "score $l" "$s" "$(echo "$s / $scan" | bc -l)"
done

psql -q -X -d postgres -c "DROP DATABASE $DB"
