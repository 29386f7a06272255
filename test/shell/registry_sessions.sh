#!/usr/bin/env bash
# Two sessions and a deploy: a deploy inside an open transaction is seen by
# its own session at once, by no other session until it commits (neither by
# a plain query nor by a prepared statement that already scored with the old
# version), and by the other session's next statement after the commit; a
# deploy whose transaction rolls back changes nothing (scores, view, log).
# Run by scripts/test.sh with PGHOST/PGPORT/PGUSER set and uplift_test ready.
set -euo pipefail
export PGOPTIONS="-c client_min_messages=warning"
db=uplift_test
name=rg_sessions
work=$(mktemp -d)
cleanup() {
    exec 3>&- 4>&- 2>/dev/null || true
    wait 2>/dev/null || true
    psql -X -q -d "$db" -c "DELETE FROM uplift_deployments WHERE name = '$name'" \
        -c "DELETE FROM uplift_registry WHERE name = '$name'" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT

# S-learners whose effect of action 1 is 0.75 (version 1) and 1.5 (version 2)
psql -X -q -v ON_ERROR_STOP=1 -d "$db" >/dev/null <<SQL
SELECT uplift_register('$name', uplift_model_import(format(
  '{"learner":"s_learner","base":"linear","n_actions":1,"n_features":1,"interactions":false,
    "heads":[{"role":"joint","action":-1,"link":"identity","intercept":2,"coefficients":[1,%s]}]}', e)::jsonb))
  FROM (VALUES (0.75), (1.5)) t(e);
SELECT uplift_deploy('$name', 1);
SQL

# Sessions a and b read statements from fifos; each statement is followed by
# a marker so that we know when its output is complete.
# The output files are opened before the fifos: opening a fifo blocks until
# its writer opens it (the exec below), so once exec returns both exist.
mkfifo "$work/a" "$work/b"
psql -X -q -At -d "$db" >"$work/a.out" 2>&1 <"$work/a" &
psql -X -q -At -d "$db" >"$work/b.out" 2>&1 <"$work/b" &
exec 3>"$work/a" 4>"$work/b"
# run SESSION SQL: send SQL to session a or b and print its output
run() {
    local fd=3; [ "$1" = b ] && fd=4
    local n; n=$(date +%s%N)
    local before; before=$(wc -l <"$work/$1.out")
    printf '%s\n\\echo @@%s\n' "$2" "$n" >&$fd
    for _ in $(seq 1 200); do
        grep -q "^@@$n\$" "$work/$1.out" && break
        sleep 0.05
    done
    grep -q "^@@$n\$" "$work/$1.out" || { echo "session $1 did not answer: $2" >&2; exit 1; }
    tail -n +"$((before + 1))" "$work/$1.out" | grep -v '^@@' || true
}
expect() {  # expect WHAT GOT WANTED
    [ "$2" = "$3" ] || { echo "$1: got '$2', expected '$3'" >&2; exit 1; }
}
score="SELECT uplift_score('$name', ARRAY[1.0]);"

run b "PREPARE q AS $score" >/dev/null
expect "b before any deploy" "$(run b "EXECUTE q;")" 0.75
run a "BEGIN;" >/dev/null
expect "a deploys version 2" "$(run a "SELECT uplift_deploy('$name', 2);")" 2
expect "a sees its own deploy" "$(run a "$score")" 1.5
expect "b does not see the open deploy (prepared)" "$(run b "EXECUTE q;")" 0.75
expect "b does not see the open deploy (plain)" "$(run b "$score")" 0.75
expect "a third session does not see it" "$(psql -X -At -d "$db" -c "$score")" 0.75
run a "COMMIT;" >/dev/null
expect "b sees the commit at its next statement (prepared)" "$(run b "EXECUTE q;")" 1.5
expect "b sees the commit at its next statement (plain)" "$(run b "$score")" 1.5

# a deploy that rolls back
log_before=$(psql -X -At -d "$db" -c "SELECT count(*) FROM uplift_deployments WHERE name = '$name'")
run a "BEGIN;" >/dev/null
expect "a deploys version 1 again" "$(run a "SELECT uplift_deploy('$name', 1);")" 1
expect "a sees it" "$(run a "$score")" 0.75
run a "ROLLBACK;" >/dev/null
expect "after the rollback a scores with version 2" "$(run a "$score")" 1.5
expect "and so does b" "$(run b "EXECUTE q;")" 1.5
expect "the log did not change" \
    "$(psql -X -At -d "$db" -c "SELECT count(*) FROM uplift_deployments WHERE name = '$name'")" "$log_before"
expect "the view still marks version 2" \
    "$(psql -X -At -d "$db" -c "SELECT version FROM uplift_models WHERE name = '$name' AND deployed")" 2

# a rollback (of the deploy) committed in a is seen by b's next statement
expect "a rolls back to version 1" "$(run a "SELECT uplift_rollback('$name');")" 1
expect "b sees the rollback" "$(run b "EXECUTE q;")" 0.75
