#!/usr/bin/env bash
# Quality of the tree engine on the simulated campaign with step-shaped
# effects of ../shared/reference/forest_simulated.md (10 uniform features,
# 200,000 training and 100,000 test rows), against the test Qini the
# reference gives for causalml's uplift forest, a scikit-learn forest
# T-learner and the oracle.
#
#   bash bench/tree_quality.sh
#
# Builds and installs the extension, starts a throwaway cluster, generates
# the campaign in SQL exactly as the reference does, exports it, grows
# forests with bench/tree_quality (the engine, outside the server), loads the
# test scores back and measures uplift_qini_auc on them.
set -euo pipefail
cd "$(dirname "$0")/.."
make -s bench/tree_quality
bash scripts/setup.sh
. scripts/cluster.sh
uplift_build_install
cluster_start

DB=uplift_bench_tree
psql -q -X -d postgres -c "CREATE DATABASE $DB"
q() { psql -q -X -v ON_ERROR_STOP=1 -At -d $DB "$@"; }
q -c "CREATE EXTENSION uplift"
q -f bench/forest_campaign.sql
q -c "CREATE TABLE tr AS SELECT * FROM d WHERE i <= 200000" -c "CREATE TABLE te AS SELECT * FROM d WHERE i > 200000"
work=$(mktemp -d)
trap 'rm -rf "$work"; cluster_stop' EXIT
cols="i, x[1], x[2], x[3], x[4], x[5], x[6], x[7], x[8], x[9], x[10], t, y"
q -c "\\copy (SELECT $cols FROM tr ORDER BY i) TO '$work/tr.csv' CSV"
q -c "\\copy (SELECT $cols FROM te ORDER BY i) TO '$work/te.csv' CSV"
q -c "CREATE TABLE sc (i int, score float8)"
echo "oracle: $(q -c 'SELECT round(uplift_qini_auc(tau, t, y)::numeric, 6) FROM te')"

# One model: label, then tree_quality's arguments after the two files.
run() {
    local label=$1; shift
    local t0 t1
    t0=$(date +%s.%N)
    bench/tree_quality "$work/tr.csv" "$work/te.csv" "$@" >"$work/sc.csv" 2>"$work/fit.log"
    t1=$(date +%s.%N)
    q -c "TRUNCATE sc" -c "\\copy sc FROM '$work/sc.csv' CSV"
    printf '%-60s Qini %s  (%s; wall %.1f s)\n' "$label" \
        "$(q -c 'SELECT round(uplift_qini_auc(sc.score, te.t, te.y)::numeric, 6) FROM te JOIN sc USING (i)')" \
        "$(cat "$work/fit.log")" "$(echo "$t1 - $t0" | bc -l)"
}
# causalml's max_depth = 5 grows 4 levels of splits: our max_depth 4.
run "kl, 100 trees, 4 levels, leaf 200, treatment 50, n_reg 100" 100 4 200 50 100 kl
run "kl, the same, honest" 100 4 200 50 100 kl honest
run "kl, 100 trees, 5 levels" 100 5 200 50 100 kl
run "ed, 100 trees, 4 levels" 100 4 200 50 100 ed
run "chi, 100 trees, 4 levels" 100 4 200 50 100 chi
run "cts, 100 trees, 4 levels" 100 4 200 50 100 cts
run "T-learner, gini forests, 100 trees, 5 levels, leaf 200" 100 5 200 0 0 gini
