#!/usr/bin/env bash
# Benchmark of scoring by name against scoring with the model as a constant.
#
#   A table of N rows (default 1,000,000) with 10 float8 features, and a
#   T-learner with linear heads on 10 features registered and deployed as
#   'bench'.  Times sum(uplift_score('bench', x)) against
#   sum(uplift_score(<model>, x)) with the same model as a constant (a psql
#   variable holding its text).  Each query runs three times after a warm-up
#   and the median is kept; the ratio is printed (target <= 1.3).  Parallel
#   query is off so that both use one core.
#
#   Then two models through a join: a table "models" of two rows (the model
#   above and one with other coefficients), scored with
#   FROM rows, models (a nested loop that alternates the two models row by
#   row) against one scan per model with each model in a scalar subquery
#   and against the same join with a trivial expression in place of the
#   score (what the join itself costs).  Each call site keeps the last few
#   models it parsed, so alternating models are parsed once each and scoring
#   through the join costs about one scan per model over the join's own cost.
#
# Usage: bash bench/registry.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000000}
. scripts/cluster.sh
uplift_build_install
cluster_start
db=uplift_bench
psql -X -q -d postgres -c "CREATE DATABASE $db"
psql -X -q -v ON_ERROR_STOP=1 -d "$db" <<SQL
CREATE EXTENSION uplift;
CREATE UNLOGGED TABLE rows AS
SELECT ARRAY(SELECT random() FROM generate_series(1, 10) WHERE g > 0)::float8[] AS x
  FROM (SELECT setseed(0.3)) s, generate_series(1, $N) g;
VACUUM ANALYZE rows;
SELECT uplift_register('bench', uplift_model_import(
  '{"learner":"t_learner","base":"linear","n_actions":1,"n_features":10,
    "heads":[{"role":"outcome","action":0,"link":"identity","intercept":1,"coefficients":[1,2,3,4,5,6,7,8,9,10]},
             {"role":"outcome","action":1,"link":"identity","intercept":2,"coefficients":[2,2,3,4,5,6,7,8,9,9]}]}'));
SELECT uplift_deploy('bench', 1);
CREATE TABLE models AS
SELECT 1 AS id, uplift_model('bench'::text) AS model
UNION ALL
SELECT 2, uplift_model_import(
  '{"learner":"t_learner","base":"linear","n_actions":1,"n_features":10,
    "heads":[{"role":"outcome","action":0,"link":"identity","intercept":1,"coefficients":[1,1,1,1,1,1,1,1,1,1]},
             {"role":"outcome","action":1,"link":"identity","intercept":2,"coefficients":[2,1,1,1,1,1,1,1,1,3]}]}');
ANALYZE models;
SQL
model=$(psql -X -At -d "$db" -c "SELECT uplift_model('bench'::text)")
time_query() {
    psql -X -q -d "$db" -v model="$model" <<SQL | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | tail -3 | sort -n | sed -n 2p
SET max_parallel_workers_per_gather = 0;
$1
\timing on
$1
$1
$1
SQL
}
by_name=$(time_query "SELECT sum(uplift_score('bench', x)) FROM rows;")
constant=$(time_query "SELECT sum(uplift_score(:'model'::uplift_model, x)) FROM rows;")
echo "rows: $N"
echo "by name:  $by_name ms (median of 3)"
echo "constant: $constant ms (median of 3)"
awk -v a="$by_name" -v b="$constant" 'BEGIN { printf "ratio: %.2f (target <= 1.3)\n", a / b }'

join=$(PGOPTIONS="-c enable_hashjoin=off -c enable_mergejoin=off" time_query "SELECT m.id, sum(uplift_score(m.model, r.x)) FROM rows r CROSS JOIN models m GROUP BY m.id;")
trivial=$(PGOPTIONS="-c enable_hashjoin=off -c enable_mergejoin=off" time_query "SELECT m.id, sum(array_length(r.x, 1) + m.id) FROM rows r CROSS JOIN models m GROUP BY m.id;")
subqueries=$(time_query "SELECT sum(uplift_score((SELECT model FROM models WHERE id = 1), x)),
       sum(uplift_score((SELECT model FROM models WHERE id = 2), x)) FROM rows;")
echo "two models through a join:       $join ms (median of 3)"
echo "the join with a trivial expression: $trivial ms (median of 3)"
echo "two models as scalar subqueries: $subqueries ms (median of 3)"
awk -v a="$join" -v b="$trivial" -v c="$subqueries" \
    'BEGIN { printf "scoring in the join over the join alone: %.0f ms for 2 x N scores; join / subqueries: %.2f\n", a - b, a / c }'
