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
P=10

if [ "${UPLIFT_BENCH_EXISTING:-0}" != 1 ]; then
    bash scripts/setup.sh
    . scripts/cluster.sh
    uplift_build_install
    cluster_start
fi

DB=uplift_bench_learners
psql -q -X -d postgres -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB"
psql -q -X -v ON_ERROR_STOP=1 -d $DB -c "CREATE EXTENSION uplift"
q() { psql -q -X -v ON_ERROR_STOP=1 -At -d $DB "$@"; }

echo "generating $N rows x $P features (seed $SEED)..."
q <<SQL
SELECT setseed($SEED / 2147483648.0);
CREATE UNLOGGED TABLE t AS
SELECT i AS id, f AS features, a AS treatment,
       (random() < 1 / (1 + exp(-(-1 + f[1] - f[2] + 0.5 * f[3] + a * (0.3 + 0.5 * f[4])))))::int::float8
           AS outcome
FROM (SELECT i, (random() < 0.5)::int AS a,
             ARRAY[random(), random(), random(), random(), random(),
                   random(), random(), random(), random(), random()]::float8[] AS f
      FROM generate_series(1, $N) i) s;
VACUUM ANALYZE t;
SELECT sum(features[1]) FROM t;
SQL

SET="SET max_parallel_workers_per_gather = 0; SET jit = off;"

# Seconds taken by one statement (run twice; the faster run counts).
timed() {
    local best=""
    for _ in 1 2; do
        local t0 t1 s
        t0=$(date +%s.%N)
        q -c "$SET $1" >/dev/null
        t1=$(date +%s.%N)
        s=$(echo "$t1 - $t0" | bc -l)
        if [ -z "$best" ] || [ "$(echo "$s < $best" | bc -l)" = 1 ]; then best=$s; fi
    done
    printf '%.3f' "$best"
}

echo
echo "rows: $N, features: $P, cores: $(nproc), serial plans, best of 2"
scan=$(timed "SELECT sum(features[1]) FROM t")
printf '  %-48s %9s %8s\n' "statement" "seconds" "ratio"
printf '  %-48s %9s %8s\n' "scan  SELECT sum(features[1]) FROM t" "$scan" "1.00"

q -c "CREATE TABLE models (learner text, model uplift_model)"
declare -A fit
for l in t_learner x_learner dr_learner class_transform; do
    fit[$l]=$(timed "DELETE FROM models WHERE learner = '$l';
        INSERT INTO models SELECT '$l', uplift_fit(features, treatment, outcome,
            '{\"learner\": \"$l\", \"base\": \"logistic\"}') FROM t")
done
for l in t_learner x_learner dr_learner class_transform; do
    printf '  %-48s %9s %8.2f   x T-learner fit%s\n' "fit   $l" "${fit[$l]}" \
        "$(echo "${fit[$l]} / ${fit[t_learner]}" | bc -l)" \
        "$([ "$l" = x_learner ] || [ "$l" = dr_learner ] && echo ' (target <= 3)' || true)"
done
for l in t_learner x_learner dr_learner class_transform; do
    s=$(timed "SELECT sum(uplift_score((SELECT model FROM models WHERE learner = '$l'), features)) FROM t")
    printf '  %-48s %9s %8.2f   x scan (target <= 1.5)\n' "score $l" "$s" "$(echo "$s / $scan" | bc -l)"
done

psql -q -X -d postgres -c "DROP DATABASE $DB"
