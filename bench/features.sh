#!/usr/bin/env bash
# Benchmark of scoring from named features (jsonb) against scoring the same
# rows from float8[].
#
#   A table of N rows (default 1,000,000) holding each customer twice: as a
#   jsonb object of 7 named features (4 numbers as a customer table holds
#   them: whole numbers and amounts with 2 decimals, recency missing in one
#   row of 10; 2 strings of 3 levels; 1 boolean) and as the float8[] of the 12
#   columns its encoding gives (built by hand in the fitted order, checked
#   against the jsonb scores).  A linear T-learner is fitted from the jsonb
#   of the first 20,000 rows; the same model without its encoding (imported
#   from its description minus "encoding") scores the arrays.  Times
#   sum(uplift_score(model, f)) against sum(uplift_score(model, x)): each
#   query three times after a warm-up, the median kept, and prints the ratio
#   (target <= 2.5).  Parallel query is off so that both use one core.
#
# With DIGITS=17, history and age are random() values (17 significant
# digits, as a double prints) instead of amounts with 2 decimals and whole
# numbers.
#
# Usage: [DIGITS=17] bash bench/features.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000000}
if [ "${DIGITS:-}" = 17 ]; then
    history="random() * 1000"
    age="18 + random() * 60"
else
    history="round((random() * 1000)::numeric, 2)::float8"
    age="floor(18 + random() * 60)"
fi
. scripts/cluster.sh
uplift_build_install
cluster_start
db=uplift_bench
psql -X -q -d postgres -c "CREATE DATABASE $db"
psql -X -q -v ON_ERROR_STOP=1 -d "$db" <<SQL
CREATE EXTENSION uplift;
CREATE UNLOGGED TABLE raw AS
SELECT g AS id, (g % 2) AS t, random() AS y,
       CASE WHEN g % 10 = 0 THEN NULL ELSE floor(random() * 12) END AS recency,
       $history AS history, (random() < 0.5)::int AS mens,
       $age AS age,
       (ARRAY['Phone', 'Web', 'Multichannel'])[1 + g % 3] AS channel,
       (ARRAY['Rural', 'Urban', 'Surburban'])[1 + (g / 3) % 3] AS zip_code,
       random() < 0.3 AS newbie
FROM (SELECT setseed(0.7)) s, generate_series(1, $N) g;
CREATE UNLOGGED TABLE rows AS
SELECT id, t, y, to_jsonb(r) - 'id' - 't' - 'y' AS f FROM raw r;
CREATE TABLE named AS
SELECT uplift_fit(f, t, y, '{"base": "linear"}') AS model FROM rows WHERE id <= 20000;
CREATE TABLE arr AS SELECT uplift_model_import(uplift_model_info(model) - 'encoding') AS model FROM named;
-- the encoded arrays, built by hand in the fitted column order
ALTER TABLE rows ADD COLUMN x float8[];
UPDATE rows r SET x = ARRAY[w.age, w.history, w.mens, w.newbie::int, coalesce(w.recency, m.mean),
                            (w.recency IS NULL)::int,
                            (w.channel = 'Multichannel')::int, (w.channel = 'Phone')::int, (w.channel = 'Web')::int,
                            (w.zip_code = 'Rural')::int, (w.zip_code = 'Surburban')::int, (w.zip_code = 'Urban')::int]
FROM raw w, (SELECT (e->>'mean')::float8 AS mean FROM named, jsonb_array_elements(uplift_model_info(model)->'encoding') e
             WHERE e->>'key' = 'recency') m
WHERE w.id = r.id;
VACUUM ANALYZE rows;
SQL
psql -X -q -At -d "$db" -c "SELECT 'columns: ' || (uplift_model_info(model) -> 'feature_names')::text FROM named"
check=$(psql -X -q -At -d "$db" -c "SELECT max(abs(uplift_score(n.model, f) - uplift_score(a.model, x))) FROM rows, named n, arr a WHERE id <= 1000")
echo "largest difference of the two forms' scores over 1000 rows: $check"
time_query() {
    psql -X -q -d "$db" <<SQL | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | tail -3 | sort -n | sed -n 2p
SET max_parallel_workers_per_gather = 0;
$1
\timing on
$1
$1
$1
SQL
}
t_arr=$(time_query "SELECT sum(uplift_score(a.model, x)) FROM rows, arr a;")
t_json=$(time_query "SELECT sum(uplift_score(n.model, f)) FROM rows, named n;")
echo "rows: $N"
echo "float8[] scoring: $t_arr ms"
echo "jsonb scoring:    $t_json ms"
awk -v a="$t_arr" -v j="$t_json" 'BEGIN { printf "ratio jsonb / float8[]: %.2f\n", j / a }'
