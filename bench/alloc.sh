#!/usr/bin/env bash
# Benchmark of the decision layer (doc/allocation.md).
#   bash bench/alloc.sh [units] [seed]        (defaults: 1000000 units, seed 1)
# Generates units x 4 actions of candidates with a seed, then times, in one
# run on one throwaway cluster (each query run 3 times, best time kept):
#   base      SELECT count(*) FROM (<candidates> ORDER BY unit_id) s
#   allocate  SELECT count(*) FROM allocate_budget('<candidates>', budget)
#   two-step  SELECT allocate_threshold(v, c, budget) FROM units, then
#             SELECT count(*) FROM units WHERE allocate_action(v, c, t) > 0
# and prints the ratios to base (targets: allocate <= 3x, two-step <= 2x) and
# allocate_budget's peak working memory per candidate row (target <= 64
# bytes; allocate_budget_summary's memory_bytes).  Beyond it, the sort of the
# candidates and the result's tuplestore each stay within work_mem (spilling
# to disk beyond), as the sort in base does.
# Serial plans throughout (max_parallel_workers_per_gather = 0), default
# work_mem, so the ratios compare work, not cores.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000000}
seed=${2:-1}
bash scripts/setup.sh
. scripts/cluster.sh
uplift_build_install
cluster_start

psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "CREATE EXTENSION uplift"
run() { psql -X -q -A -t -v ON_ERROR_STOP=1 -d postgres "$@"; }

echo "generating $n units x 4 actions (seed $seed)"
run -v n="$n" -v seed="$seed" <<'SQL'
SELECT setseed(:seed / 1000.0);
-- per-action values and costs of each unit: element a is action a; more
-- expensive actions are worth more on average, some values are negative
CREATE TABLE bench_units AS
SELECT u::bigint AS unit_id,
       ARRAY[random() * 6 - 1, random() * 8 - 1, random() * 10 - 1, random() * 12 - 1] AS v,
       ARRAY[0.5 + random(), 1 + 2 * random(), 2 + 3 * random(), 3 + 4 * random()] AS c
FROM generate_series(1, :n) u;
CREATE TABLE bench_candidates AS
SELECT unit_id, a AS action, v[a] AS value, c[a] AS cost
FROM bench_units, generate_series(1, 4) a;
VACUUM ANALYZE bench_units;
VACUUM ANALYZE bench_candidates;
CREATE FUNCTION bench_ms(q text) RETURNS float8 LANGUAGE plpgsql AS $$
DECLARE t0 timestamptz; best float8; ms float8;
BEGIN
    FOR i IN 1 .. 3 LOOP
        t0 := clock_timestamp();
        EXECUTE q;
        ms := extract(epoch FROM clock_timestamp() - t0) * 1000;
        best := least(best, ms);
    END LOOP;
    RETURN best;
END $$;
SQL

budget=$((n * 2))
cand='SELECT unit_id, action, value, cost FROM bench_candidates'
# the two-step path: one query per step, timed together
two_step="DO \$\$ DECLARE t float8; n bigint; BEGIN
    SELECT allocate_threshold(v, c, $budget) INTO t FROM bench_units;
    SELECT count(*) INTO n FROM bench_units WHERE allocate_action(v, c, t) > 0;
END \$\$"

run <<SQL
SET max_parallel_workers_per_gather = 0;
CREATE TEMP TABLE t AS SELECT
    bench_ms(\$q\$SELECT count(*) FROM ($cand ORDER BY unit_id) s\$q\$) AS base_ms,
    bench_ms(\$q\$SELECT count(*) FROM allocate_budget('$cand', $budget)\$q\$) AS allocate_ms,
    bench_ms(\$q\$$two_step\$q\$) AS two_step_ms;
CREATE TEMP TABLE m AS SELECT * FROM allocate_budget_summary('$cand', $budget);
CREATE TEMP TABLE ts AS SELECT allocate_threshold(v, c, $budget) AS threshold FROM bench_units;
CREATE TEMP TABLE tsv AS
SELECT sum(v[a]) AS value, sum(c[a]) AS cost
FROM (SELECT v, c, allocate_action(v, c, (SELECT threshold FROM ts)) AS a FROM bench_units) s WHERE a > 0;
\pset format aligned
\pset tuples_only off
SELECT $n AS units, m.candidate_rows, $budget AS budget,
       round(base_ms::numeric) AS base_ms,
       round(allocate_ms::numeric) AS allocate_ms,
       round(two_step_ms::numeric) AS two_step_ms,
       round((allocate_ms / base_ms)::numeric, 2) AS allocate_ratio,
       round((two_step_ms / base_ms)::numeric, 2) AS two_step_ratio,
       round((m.memory_bytes::numeric / m.candidate_rows), 1) AS work_bytes_per_row,
       round(m.memory_bytes / 1048576.0, 1) AS work_mb
FROM t, m;
SELECT m.assigned, round(m.total_value::numeric, 2) AS allocate_value,
       round(m.total_cost::numeric, 2) AS allocate_cost,
       round(tsv.value::numeric, 2) AS two_step_value, round(tsv.cost::numeric, 2) AS two_step_cost,
       round(m.lp_bound::numeric, 2) AS lp_bound, round(m.gap::numeric, 4) AS gap,
       round(m.largest_increment::numeric, 4) AS largest_increment
FROM m, tsv;
SQL
