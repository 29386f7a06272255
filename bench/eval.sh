#!/usr/bin/env bash
# Benchmark of the evaluation aggregates (doc/evaluation.md).
#
# On N rows (default 10,000,000; first argument) of (score, treatment,
# outcome) generated from a seed (second argument), times
#   SELECT sum(score) FROM t                                   (the scan)
#   SELECT count(*) FROM (SELECT score FROM t ORDER BY score) s (the sort)
# and each evaluation aggregate, and prints every time as a ratio to the
# ORDER BY query (target: <= 1.5).  Memory: the peak resident memory of a
# fresh backend running the aggregate minus that of one running sum(score),
# per row (target: <= 24 bytes).  Serial plans (no parallel workers) and
# work_mem = 1GB, so the ORDER BY query sorts in memory too.
set -euo pipefail
N=${1:-10000000}
SEED=${2:-1}
REPEAT=${REPEAT:-3}
cd "$(dirname "$0")/.."
. scripts/cluster.sh
uplift_build_install
cluster_start

psql_q() { psql -X -q -At -v ON_ERROR_STOP=1 -d postgres "$@"; }

psql_q -c "CREATE EXTENSION uplift" >/dev/null
echo "generating $N rows (seed $SEED) ..."
psql_q <<SQL
CREATE UNLOGGED TABLE t AS
SELECT u1 AS score,
       (u2 < 0.5)::int AS treatment,
       (u3 < 0.10 + 0.05 * u1 * (u2 < 0.5)::int)::int::float8 AS outcome
FROM (SELECT uplift_demo_uniform(i, $SEED, 1) AS u1,
             uplift_demo_uniform(i, $SEED, 2) AS u2,
             uplift_demo_uniform(i, $SEED, 3) AS u3
      FROM generate_series(1, $N) i) s;
VACUUM ANALYZE t;
CREATE FUNCTION bench_time(q text, repeat int) RETURNS float8 LANGUAGE plpgsql AS \$\$
DECLARE
    t0 timestamptz;
    best float8 := 'Infinity';
    dummy text;
BEGIN
    FOR i IN 1 .. repeat LOOP
        t0 := clock_timestamp();
        EXECUTE q INTO dummy;
        best := least(best, extract(epoch FROM clock_timestamp() - t0)::float8);
    END LOOP;
    RETURN best;
END \$\$;
CREATE FUNCTION bench_hwm_kb() RETURNS bigint LANGUAGE sql AS
\$\$ SELECT substring(pg_read_file('/proc/self/status') FROM 'VmHWM:\s+(\d+)')::bigint \$\$;
SQL

SETTINGS="SET max_parallel_workers_per_gather = 0; SET work_mem = '1GB';"
declare -a NAMES QUERIES
add() { NAMES+=("$1"); QUERIES+=("$2"); }
add "sum(score)"                 "SELECT sum(score) FROM t"
add "ORDER BY count"             "SELECT count(*) FROM (SELECT score FROM t ORDER BY score) s"
add "uplift_qini_auc"            "SELECT uplift_qini_auc(score, treatment, outcome) FROM t"
add "uplift_auuc"                "SELECT uplift_auuc(score, treatment, outcome) FROM t"
add "uplift_at_k overall 0.3"    "SELECT uplift_at_k(score, treatment, outcome, 0.3, 'overall') FROM t"
add "uplift_at_k by_group 0.3"   "SELECT uplift_at_k(score, treatment, outcome, 0.3, 'by_group') FROM t"
add "uplift_curve 100 points"    "SELECT cardinality(uplift_curve(score, treatment, outcome, '{\"points\": 100}')) FROM t"
add "uplift_by_percentile 10"    "SELECT cardinality(uplift_by_percentile(score, treatment, outcome, 10, 'overall')) FROM t"
add "uplift_calibration 10"      "SELECT (uplift_calibration(score, treatment, outcome, 10)).kendall_tau FROM t"
add "uplift_net_value 100 points" "SELECT cardinality(uplift_net_value(score, treatment, outcome, 0, '{\"points\": 100}')) FROM t"

declare -a SECS
for i in "${!NAMES[@]}"; do
    q=${QUERIES[$i]//\'/\'\'}
    SECS[$i]=$(psql_q -c "$SETTINGS" -c "SELECT bench_time('$q', $REPEAT)")
done
# peak memory: one fresh backend per query
hwm() { psql_q -c "$SETTINGS" -c "$1" -c "SELECT bench_hwm_kb()" | tail -1; }
base_kb=$(hwm "${QUERIES[0]}")

sort_s=${SECS[1]}
echo
echo "rows: $N   seed: $SEED   best of $REPEAT runs   serial plans, work_mem 1GB"
printf "%-30s %10s %14s %14s\n" "query" "seconds" "x ORDER BY" "bytes/row"
for i in "${!NAMES[@]}"; do
    if [ "$i" -ge 2 ]; then
        kb=$(hwm "${QUERIES[$i]}")
        per_row=$(awk -v a="$kb" -v b="$base_kb" -v n="$N" 'BEGIN { printf "%.1f", (a - b) * 1024 / n }')
    else
        per_row="-"
    fi
    ratio=$(awk -v a="${SECS[$i]}" -v b="$sort_s" 'BEGIN { printf "%.2f", a / b }')
    printf "%-30s %10.3f %14s %14s\n" "${NAMES[$i]}" "${SECS[$i]}" "$ratio" "$per_row"
done
