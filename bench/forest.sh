#!/usr/bin/env bash
# Forests in SQL: uplift_fit with learner "forest" (and base "forest") on
# generated rows, and their quality on the reference campaign and Hillstrom.
#
#   bash bench/forest.sh [N] [TREES] [SEED]   time and memory (default N = 1000000,
#                                              TREES = 100, SEED = 42)
#   bash bench/forest.sh quality               test Qini on the simulated campaign of
#                                              ../shared/reference/forest_simulated.md
#                                              and on Hillstrom
#
# Time and memory: N rows x 10 features (bench/fit_table.sh), serial plan:
#   scan   SELECT sum(features[1]) FROM t
#   fit    uplift_fit(..., '{"learner": "forest", "n_trees": TREES}'), depth 5
#   score  SELECT sum(uplift_score(m, features)) FROM t
# with the ratios to the scan, and the backend's peak memory for the fit
# (VmHWM minus shared memory, over the session's baseline) against
# n * (p + 2) * 8 bytes.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${1:-}" = quality ]; then
    DB=uplift_bench_forest_quality
    if [ "${UPLIFT_BENCH_EXISTING:-0}" != 1 ]; then
        bash scripts/setup.sh
        . scripts/cluster.sh
        uplift_build_install
        cluster_start
    fi
    psql -q -X -d postgres -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB"
    psql -q -X -v ON_ERROR_STOP=1 -d $DB <<'SQL'
CREATE EXTENSION uplift;
\i bench/forest_campaign.sql
CREATE TABLE cfg (name text, opts jsonb);
INSERT INTO cfg VALUES
  ('forest kl (causalml settings)', '{"learner": "forest", "max_depth": 4, "min_samples_leaf": 200, "min_samples_treatment": 50}'),
  ('forest kl, seed 1', '{"learner": "forest", "max_depth": 4, "min_samples_leaf": 200, "min_samples_treatment": 50, "seed": 1}'),
  ('forest kl, seed 2', '{"learner": "forest", "max_depth": 4, "min_samples_leaf": 200, "min_samples_treatment": 50, "seed": 2}'),
  ('forest kl, honest', '{"learner": "forest", "max_depth": 4, "min_samples_leaf": 200, "min_samples_treatment": 50, "honest": true}'),
  ('forest ed', '{"learner": "forest", "criterion": "ed", "max_depth": 4, "min_samples_leaf": 200, "min_samples_treatment": 50}'),
  ('forest chi', '{"learner": "forest", "criterion": "chi", "max_depth": 4, "min_samples_leaf": 200, "min_samples_treatment": 50}'),
  ('forest, defaults', '{"learner": "forest"}'),
  ('t_learner forest (scikit-learn settings)', '{"base": "forest", "max_depth": 5, "min_samples_leaf": 200, "max_features": 3}'),
  ('t_learner forest, seed 1', '{"base": "forest", "max_depth": 5, "min_samples_leaf": 200, "max_features": 3, "seed": 1}'),
  ('t_learner forest, seed 2', '{"base": "forest", "max_depth": 5, "min_samples_leaf": 200, "max_features": 3, "seed": 2}'),
  ('t_learner logistic', '{}');
\timing on
CREATE TABLE models AS
SELECT name, (SELECT uplift_fit(x, t, y, opts) FROM d WHERE i <= 200000) AS m FROM cfg;
\timing off
\echo test Qini (oracle 0.030668; causalml's forest 0.028547, scikit-learn's forest T-learner 0.026588)
SELECT name, round(q::numeric, 6) AS test_qini, round((100 * q / 0.030668)::numeric, 1) AS pct_oracle
FROM models,
     LATERAL (SELECT uplift_qini_auc(uplift_score(models.m, x), t, y) AS q FROM d WHERE i > 200000) s
ORDER BY name;

-- Hillstrom: Mens E-Mail against No E-Mail, visits; train on file rows with
-- row % 5 <> 0, test on the rest; bootstrap sd of the test Qini.
CREATE TABLE h (file_row int GENERATED ALWAYS AS IDENTITY (MINVALUE 0 START WITH 0),
  recency int, history_segment text, history float8, mens int, womens int, zip_code text,
  newbie int, channel text, segment text, visit int, conversion int, spend float8);
\copy h (recency, history_segment, history, mens, womens, zip_code, newbie, channel, segment, visit, conversion, spend) FROM PROGRAM 'gzip -dc ../shared/data/hillstrom.csv.gz' WITH (FORMAT csv, HEADER true)
CREATE TABLE hm AS SELECT file_row, (segment = 'Mens E-Mail')::int AS t, visit::float8 AS y,
  jsonb_build_object('recency', recency, 'history', history, 'mens', mens, 'womens', womens,
                     'newbie', newbie, 'zip_code', zip_code, 'channel', channel) AS f
FROM h WHERE segment IN ('Mens E-Mail', 'No E-Mail');
CREATE TABLE hmodels AS
SELECT 'forest kl (causalml settings)' AS name,
       uplift_fit(f, t, y, '{"learner": "forest", "max_depth": 4, "min_samples_leaf": 200, "min_samples_treatment": 50}') AS m
FROM hm WHERE file_row % 5 <> 0
UNION ALL
SELECT 't_learner logistic', uplift_fit(f, t, y) FROM hm WHERE file_row % 5 <> 0;
CREATE TABLE hs AS
SELECT name, row_number() OVER (PARTITION BY name ORDER BY file_row) AS k, t, y, s
FROM hmodels, LATERAL (SELECT file_row, t, y, uplift_score(hmodels.m, f) AS s
                       FROM hm WHERE file_row % 5 = 0) s;
CREATE INDEX ON hs (name, k);
ANALYZE hs;
\echo Hillstrom test Qini, and its sd over 50 bootstrap resamples of the test rows
WITH boot AS (
    SELECT hs.name, r, uplift_qini_auc(b.s, b.t, b.y) AS q
    FROM (SELECT name, count(*) AS m FROM hs GROUP BY name) hs,
         generate_series(1, 50) r, generate_series(1, hs.m) j,
         LATERAL (SELECT * FROM hs b WHERE b.name = hs.name
                  AND b.k = 1 + floor(uplift_demo_uniform(j, r, 1) * hs.m)::bigint) b
    GROUP BY hs.name, r)
SELECT name, round(uplift_qini_auc(s, t, y)::numeric, 4) AS test_qini,
       (SELECT round(stddev(q)::numeric, 4) FROM boot WHERE boot.name = hs.name) AS bootstrap_sd
FROM hs GROUP BY name ORDER BY name;
SQL
    psql -q -X -d postgres -c "DROP DATABASE $DB"
    exit 0
fi

N=${1:-1000000}
TREES=${2:-100}
SEED=${3:-42}
DB=uplift_bench_forest
. bench/fit_table.sh

OPTS="{\"learner\": \"forest\", \"n_trees\": $TREES}"
FIT="SELECT uplift_fit(features, treatment, outcome, '$OPTS') AS model FROM t"
SCAN="SELECT sum(features[1]) FROM t"
SCORE="SELECT sum(uplift_score((SELECT model FROM m), features)) FROM t"
SET0="SET max_parallel_workers_per_gather = 0;"

scan=$(timed "$SET0 $SCAN")
fit=$(timed "$SET0 DROP TABLE IF EXISTS m; CREATE TABLE m AS $FIT")
score=$(timed "$SET0 $SCORE")
echo
echo "rows: $N, features: $P, trees: $TREES, max_depth 5, serial plan"
printf '  %-44s %10s %8s\n' "statement" "seconds" "x scan"
printf '  %-44s %10s %8s\n' "scan  SELECT sum(features[1]) FROM t" "$scan" "1.00"
printf '  %-44s %10s %8.2f   (target: under 60 s)\n' "fit   uplift_fit learner forest" "$fit" "$(echo "$fit / $scan" | bc -l)"
printf '  %-44s %10s %8.2f   (target <= 8)\n' "score sum(uplift_score(m, features))" "$score" "$(echo "$score / $scan" | bc -l)"

mem=$(mem_sql 0 "$FIT" | q)
bound=$(echo "$N * ($P + 2) * 8" | bc)
printf '  fit peak memory: %d bytes = %.2f x n*(p+2)*8 (%d bytes; target <= 1)\n' \
    "$mem" "$(echo "$mem / $bound" | bc -l)" "$bound"

psql -q -X -d postgres -c "DROP DATABASE $DB"
