#!/usr/bin/env bash
# Scoring and set-returning functions run in flat memory: 3,000,000 rows
# through each raise the backend's peak resident size (VmHWM, read from
# /proc/self/status by the backend itself) by less than 50 MB.  Each query
# runs in a fresh session, so one query's peak cannot hide another's.
#
# PostgreSQL 15 itself grows by about 22 bytes per call of any set-returning
# function called once per row (unnest included: some 65 MB over 3M rows), so
# a set-returning function is measured against the same query with unnest in
# its place: it may add less than 50 MB to that.
set -euo pipefail
export PGOPTIONS="-c client_min_messages=warning -c max_parallel_workers_per_gather=0"
db=uplift_memory
psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
trap 'psql -X -q -d postgres -c "DROP DATABASE IF EXISTS '$db'" >/dev/null 2>&1' EXIT

psql -X -q -v ON_ERROR_STOP=1 -d $db <<'SQL'
CREATE EXTENSION uplift;
CREATE TABLE models (name text PRIMARY KEY, model uplift_model);
INSERT INTO models VALUES
 ('t', uplift_model_import('{"learner":"t_learner","base":"linear","n_actions":2,"n_features":2,
     "heads":[{"role":"outcome","action":0,"link":"identity","intercept":0.5,"coefficients":[-0.02,0.8]},
              {"role":"outcome","action":1,"link":"identity","intercept":0.9,"coefficients":[-0.05,1.4]},
              {"role":"outcome","action":2,"link":"identity","intercept":0.6,"coefficients":[-0.03,1.1]}]}')),
 ('s', uplift_model_import('{"learner":"s_learner","base":"logistic","n_actions":2,"n_features":2,
     "heads":[{"role":"joint","action":-1,"link":"logit","intercept":-1,
               "coefficients":[0.1,0.2,0.3,0.4,0.01,0.02,0.03,0.04]}]}')),
 ('named', uplift_model_import('{"learner":"t_learner","base":"linear","n_actions":1,"n_features":5,
     "encoding":[{"key":"channel","type":"string","levels":["Phone","Web",null]},
                 {"key":"recency","type":"number","mean":2,"missing_indicator":true}],
     "heads":[{"role":"outcome","action":0,"link":"identity","intercept":1,"coefficients":[0.5,-1,0.2,0.3,0.1]},
              {"role":"outcome","action":1,"link":"identity","intercept":2,"coefficients":[0.25,-0.5,0,1,-1]}]}'));
SQL

limit_kb=$((50 * 1024))
rows=3000000
fail=0
hwm="SELECT substring(pg_read_file('/proc/self/status') FROM 'VmHWM:\s+(\d+) kB')::bigint"
# growth QUERY: the peak resident growth (kB) of a fresh session running QUERY
growth() {
    local out
    out=$(psql -X -At -v ON_ERROR_STOP=1 -d $db \
        -c "$hwm" -c "SELECT count(*) FROM ($1) q" -c "$hwm")
    echo $(( $(sed -n 3p <<<"$out") - $(sed -n 1p <<<"$out") ))
}

# check NAME QUERY [BASELINE]: QUERY grows less than 50 MB beyond BASELINE's growth
check() {
    local name=$1 kb base=0
    kb=$(growth "$2")
    [ $# -ge 3 ] && base=$(growth "$3")
    echo "# $name: peak resident growth $((kb / 1024)) MB (baseline $((base / 1024)) MB) over $rows rows"
    if [ $((kb - base)) -ge $limit_kb ]; then
        echo "$name: peak resident size grew by $kb kB, baseline $base kB" >&2; fail=1
    fi
}

rowsrc="generate_series(1, $rows) i, LATERAL (SELECT ARRAY[i % 97, (i % 13) / 7.0]::float8[] AS x) f"
for m in t s; do
    sel="(SELECT model FROM models WHERE name = '$m')"
    check "uplift_score ($m)" "SELECT uplift_score($sel, x) FROM $rowsrc"
    check "uplift_score with action ($m)" "SELECT uplift_score($sel, x, 2) FROM $rowsrc"
    check "uplift_scores ($m)" "SELECT uplift_scores($sel, x) FROM $rowsrc"
    check "uplift_predict ($m)" "SELECT uplift_predict($sel, x, 1) FROM $rowsrc"
done
# named features (jsonb): a number missing in one row of ten, an unseen level in one of three
named="(SELECT model FROM models WHERE name = 'named')"
jsrc="generate_series(1, $rows) i, LATERAL (SELECT jsonb_build_object('recency', CASE WHEN i % 10 = 0 THEN NULL ELSE i % 97 END,
      'channel', (ARRAY['Web', 'Phone', 'Fax'])[1 + i % 3]) AS f) f"
check "uplift_score from jsonb" "SELECT uplift_score($named, f) FROM $jsrc"
check "uplift_scores from jsonb" "SELECT uplift_scores($named, f) FROM $jsrc"
pair="models vm, models cm, $rowsrc"
only="WHERE vm.name = 't' AND cm.name = 's'"
check "uplift_value_cost in FROM" \
    "SELECT v.* FROM $pair, uplift_value_cost(vm.model, cm.model, x) v $only" \
    "SELECT v.* FROM $pair, unnest(x) v $only"
check "uplift_value_cost in the select list" \
    "SELECT uplift_value_cost(vm.model, cm.model, x) FROM $pair $only" \
    "SELECT unnest(x) FROM $pair $only"
exit $fail
