#!/usr/bin/env bash
# A table of models survives pg_dump and restore (text I/O) and a binary COPY
# round trip (send/recv), byte for byte, and the restored models still score.
set -euo pipefail
export PGOPTIONS="-c client_min_messages=warning"
src=uplift_dump_src; dst=uplift_dump_dst
psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "DROP DATABASE IF EXISTS $src" -c "DROP DATABASE IF EXISTS $dst" \
    -c "CREATE DATABASE $src" -c "CREATE DATABASE $dst"
trap 'psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $src" -c "DROP DATABASE IF EXISTS $dst" >/dev/null 2>&1' EXIT

psql -X -q -v ON_ERROR_STOP=1 -d $src <<'SQL'
CREATE EXTENSION uplift;
CREATE TABLE models (name text PRIMARY KEY, model uplift_model);
INSERT INTO models VALUES
 ('t', uplift_model_import('{"learner":"t_learner","base":"logistic","n_actions":1,"n_features":2,
     "feature_names":["a","b"],
     "heads":[{"role":"outcome","action":0,"link":"logit","intercept":-1,"coefficients":[0.5,0.25]},
              {"role":"outcome","action":1,"link":"logit","intercept":-0.5,"coefficients":[0.5,-0.25]}]}')),
 ('s', uplift_model_import('{"learner":"s_learner","base":"linear","n_actions":1,"n_features":1,"interactions":false,
     "heads":[{"role":"joint","action":-1,"link":"identity","intercept":2,"coefficients":[1,0.75]}]}'));
CREATE TABLE models_copy (LIKE models);
SQL

pg_dump -d $src | psql -X -q -v ON_ERROR_STOP=1 -d $dst >/dev/null
psql -X -q -v ON_ERROR_STOP=1 -d $src -c "COPY models TO STDOUT (FORMAT binary)" > /tmp/uplift_models.$$.bin
psql -X -q -v ON_ERROR_STOP=1 -d $src -c "COPY models_copy FROM STDIN (FORMAT binary)" < /tmp/uplift_models.$$.bin
rm -f /tmp/uplift_models.$$.bin

before=$(psql -X -At -d $src -c "SELECT string_agg(name || ':' || model::text, ',' ORDER BY name) FROM models")
after=$(psql -X -At -d $dst -c "SELECT string_agg(name || ':' || model::text, ',' ORDER BY name) FROM models")
copied=$(psql -X -At -d $src -c "SELECT string_agg(name || ':' || model::text, ',' ORDER BY name) FROM models_copy")
[ "$before" = "$after" ] || { echo "pg_dump and restore changed the models" >&2; exit 1; }
[ "$before" = "$copied" ] || { echo "binary COPY changed the models" >&2; exit 1; }

# s-learner without interactions, linear: effect of action 1 = 0.75 for every row
score=$(psql -X -At -d $dst -c "SELECT uplift_score(model, ARRAY[3.0]) FROM models WHERE name = 's'")
[ "$score" = "0.75" ] || { echo "restored model scores $score, expected 0.75" >&2; exit 1; }
