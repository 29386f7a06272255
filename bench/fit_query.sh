#!/usr/bin/env bash
# Benchmark of uplift_fit_query against uplift_fit: time and peak backend
# memory of the same logistic T-learner fitted over passes of a query and
# in memory.
#
#   bash bench/fit_query.sh [N] [SEED]      (default N = 1000000, SEED = 42)
#
# Builds and installs the extension, starts a throwaway cluster and generates
# the table of bench/fit_table.sh (N rows x 10 features, a 0/1 outcome), then
# prints, under a serial plan (max_parallel_workers_per_gather = 0) and the
# default plan (2), the time of each fit (the better of two runs), the
# passes uplift_fit_query made, and the backend's peak private memory for
# the fit (VmHWM minus shared memory over the session's baseline, as
# bench/fit.sh reads it; workers' memory is not counted), and checks that
# the two models' heads agree to 1e-9.
#
# With UPLIFT_BENCH_EXISTING=1 it uses the server PGHOST/PGPORT point at
# instead of building and starting one.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000000}
SEED=${2:-42}

DB=uplift_bench_fit_query
. bench/fit_table.sh

OPTS='{"learner": "t_learner", "base": "logistic"}'
FIT_MEM="SELECT uplift_fit(features, treatment, outcome, '$OPTS') AS model FROM t"
FIT_QUERY="SELECT uplift_fit_query('SELECT features, treatment, outcome FROM t', '$OPTS') AS model"

# The largest difference between the two models' coefficients.
COMPARE="WITH a AS ($FIT_MEM), b AS ($FIT_QUERY),
  h AS (SELECT ha.value AS x, hb.value AS y
        FROM a, b,
             jsonb_array_elements(uplift_model_info(a.model)->'heads') WITH ORDINALITY ha(value, n)
             JOIN jsonb_array_elements(uplift_model_info(b.model)->'heads') WITH ORDINALITY hb(value, n) USING (n))
SELECT max(greatest(abs((x->>'intercept')::float8 - (y->>'intercept')::float8),
                    (SELECT max(abs(cx.value::text::float8 - (y->'coefficients'->>cx.key)::float8))
                     FROM jsonb_each(x->'coefficients') cx))),
       string_agg((x->>'iterations') || '/' || (y->>'iterations'), ' ')
FROM h"

echo
echo "rows: $N, features: $P, cores: $(nproc)"
for workers in 0 2; do
    set_w="SET max_parallel_workers_per_gather = $workers;"
    t_mem=$(timed "$set_w SELECT uplift_model_checksum(model) FROM ($FIT_MEM) f")
    t_query=$(timed "$set_w SELECT uplift_model_checksum(model) FROM ($FIT_QUERY) f")
    m_mem=$(mem_sql "$workers" "$FIT_MEM" | q)
    m_query=$(mem_sql "$workers" "$FIT_QUERY" | q)
    cmp=$(q -F ' ' -c "$set_w $COMPARE")
    echo
    echo "max_parallel_workers_per_gather = $workers"
    printf '  %-20s %10s %14s\n' "fit" "seconds" "peak memory"
    printf '  %-20s %10s %11.1f MB\n' "uplift_fit" "$t_mem" "$(echo "$m_mem / 1000000" | bc -l)"
    printf '  %-20s %10s %11.1f MB\n' "uplift_fit_query" "$t_query" "$(echo "$m_query / 1000000" | bc -l)"
    echo "  largest coefficient difference, Newton steps per head (uplift_fit/uplift_fit_query): $cmp"
done
