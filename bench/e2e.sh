#!/usr/bin/env bash
# End to end: the whole pipeline in the database against exporting to numpy.
#
#   bash bench/e2e.sh [N] [SEED]        (default N = 10,000,000, SEED = 42)
#
# On N rows x 10 features (bench/fit_table.sh: id, features, a 0/1 treatment
# and a 0/1 outcome), the pipeline: fit a logistic T-learner on the 70% of
# rows with id % 10 < 7, score every row, the Qini of the holdout (the other
# 30%), and the scores written back to a table (id, score).
#   (a) in the database, under the default settings, one statement a stage;
#   (b) the rows out by binary COPY, the same maths in numpy (bench/e2e.py:
#       Newton for each arm, scikit-uplift's Qini), the scores in by binary
#       COPY.
# Prints each stage's time, both totals and (b) / (a), the two Qinis and the
# largest difference of the two paths' scores on a sample of rows; DETAIL=1
# adds the parts of the database stages (serial plans, the write alone, the
# Qini from the written scores by a join).  Needs
# python3 with numpy (Debian: python3-numpy); numpy uses OpenBLAS when
# libopenblas0-pthread is installed.  Wall-clock times, one run of each.
# With UPLIFT_BENCH_EXISTING=1 it uses the server PGHOST/PGPORT point at.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-10000000}
SEED=${2:-42}
PY=${PYTHON:-/usr/bin/python3}
"$PY" -c 'import numpy' 2>/dev/null || { echo "e2e.sh: $PY has no numpy (apt-get install python3-numpy)" >&2; exit 1; }
OPENBLAS=/usr/lib/x86_64-linux-gnu/openblas-pthread
[ -d $OPENBLAS ] && export LD_LIBRARY_PATH=$OPENBLAS${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}

DB=uplift_bench_e2e
. bench/fit_table.sh

q -c "CREATE UNLOGGED TABLE scores_py (id int, score float8)"

now() { date +%s.%N; }
secs() { printf '%.3f' "$(echo "$2 - $1" | bc -l)"; }

# (a) in the database: one statement per stage, default settings
stage() {
    local t0 t1
    t0=$(now)
    q -c "$2" >/tmp/uplift-e2e-$$.out
    t1=$(now)
    printf 'database %-28s %8s s\n' "$1" "$(secs "$t0" "$t1")"
    echo "$(secs "$t0" "$t1")"  >>/tmp/uplift-e2e-$$.times
}
: >/tmp/uplift-e2e-$$.times
echo "database path (default settings):"
# The scores go into a new table by CREATE TABLE AS, which inserts in bulk as
# COPY does (INSERT ... SELECT inserts row by row: DETAIL=1 times it too).
stage "fit (70%)" "CREATE TABLE m AS SELECT uplift_fit(features, treatment, outcome, '{\"base\": \"logistic\"}') AS model FROM t WHERE id % 10 < 7"
stage "score all, write back" "CREATE UNLOGGED TABLE scores_db AS SELECT id, uplift_score((SELECT model FROM m), features) AS score FROM t"
stage "qini on the holdout" "SELECT uplift_qini_auc(uplift_score((SELECT model FROM m), features), treatment, outcome) FROM t WHERE id % 10 >= 7"
qini_db=$(cat /tmp/uplift-e2e-$$.out)
db_total=$(paste -sd+ /tmp/uplift-e2e-$$.times | bc -l)

# (b) out to numpy and back
echo "python path (binary COPY, numpy):"
t0=$(now)
q -c "COPY (SELECT id, features, treatment, outcome FROM t) TO STDOUT (FORMAT binary)" \
    | "$PY" bench/e2e.py $P 2>/tmp/uplift-e2e-$$.py \
    | q -c "COPY scores_py FROM STDIN (FORMAT binary)"
t1=$(now)
py_total=$(secs "$t0" "$t1")
grep -v ' qini_auc ' /tmp/uplift-e2e-$$.py
qini_py=$(awk '/ qini_auc /{print $3}' /tmp/uplift-e2e-$$.py)

echo
printf 'rows %s x %s features, fit on %s\n' "$N" "$P" "$(q -c "SELECT count(*) FROM t WHERE id % 10 < 7")"
printf 'database total  %8.3f s\n' "$db_total"
printf 'python total    %8.3f s\n' "$py_total"
printf 'python / database %.2f\n' "$(echo "$py_total / $db_total" | bc -l)"
printf 'qini: database %s, python %s\n' "$qini_db" "$qini_py"
printf 'scores: largest difference on every 100th row %s\n' \
    "$(q -c "SELECT max(abs(d.score - p.score)) FROM scores_db d JOIN scores_py p USING (id) WHERE d.id % 100 = 0 AND p.id % 100 = 0")"

# DETAIL=1: what the database stages are made of
if [ "${DETAIL:-0}" = 1 ]; then
    echo
    echo "parts of the database stages:"
    : >/tmp/uplift-e2e-$$.times
    stage "scan of t" "SELECT sum(features[1]) FROM t"
    stage "fit (70%), serial plan" "SET max_parallel_workers_per_gather = 0; SELECT uplift_fit(features, treatment, outcome, '{\"base\": \"logistic\"}') IS NULL FROM t WHERE id % 10 < 7"
    stage "score all, no write" "SELECT sum(uplift_score((SELECT model FROM m), features)) FROM t"
    stage "write a constant for all" "CREATE UNLOGGED TABLE w AS SELECT id, 0.5::float8 AS score FROM t"
    stage "score all, INSERT ... SELECT" "CREATE UNLOGGED TABLE w2 (id int, score float8); INSERT INTO w2 SELECT id, uplift_score((SELECT model FROM m), features) FROM t"
    stage "qini, serial plan" "SET max_parallel_workers_per_gather = 0; SELECT uplift_qini_auc(uplift_score((SELECT model FROM m), features), treatment, outcome) FROM t WHERE id % 10 >= 7"
    stage "qini from the written scores" "SELECT uplift_qini_auc(s.score, t.treatment, t.outcome) FROM t JOIN scores_db s USING (id) WHERE t.id % 10 >= 7"
fi
rm -f /tmp/uplift-e2e-$$.*
