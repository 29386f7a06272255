#!/usr/bin/env bash
# The assignment log belongs to the database, not to the extension:
# DROP EXTENSION uplift refuses while the log's policies depend on the
# extension, DROP EXTENSION uplift CASCADE keeps every logged row, and a new
# CREATE EXTENSION plus uplift_create_assignment_log() carries on with the
# same log.  A log planted by another role before the DBA created it is
# refused by the logging functions.
set -euo pipefail
export PGOPTIONS="-c client_min_messages=warning"
db=uplift_log_drop; attacker=uplift_log_drop_attacker
cleanup() {
    psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" -c "DROP ROLE IF EXISTS $attacker" >/dev/null 2>&1 || true
}
cleanup
trap cleanup EXIT
psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE $db" -c "CREATE ROLE $attacker"
q() { psql -X -q -At -v ON_ERROR_STOP=1 -d $db -c "$1"; }
fail() { echo "$1" >&2; exit 1; }

q "CREATE EXTENSION uplift" >/dev/null
q "SELECT uplift_create_assignment_log()" >/dev/null
q "SELECT count(uplift_assign_logged('drop-test', u, ARRAY[0.5, 0.5])) FROM generate_series(1, 10) u" >/dev/null
q "INSERT INTO uplift_experiment_grants VALUES ('drop-test', '$attacker', 'read')" >/dev/null
before=$(q "SELECT md5(string_agg(l::text, '|' ORDER BY unit_id)) FROM uplift_assignment_log l")

if out=$(q "DROP EXTENSION uplift" 2>&1); then fail "DROP EXTENSION uplift dropped the extension of a database with a log"; fi
echo "$out" | grep -q "depends on table uplift_experiment_grants" || fail "unexpected DROP EXTENSION error: $out"
[ "$(q "SELECT count(*) FROM uplift_assignment_log")" = 10 ] || fail "the log lost rows on a refused DROP EXTENSION"

q "DROP EXTENSION uplift CASCADE" >/dev/null
after=$(q "SELECT md5(string_agg(l::text, '|' ORDER BY unit_id)) FROM uplift_assignment_log l")
[ "$after" = "$before" ] || fail "DROP EXTENSION uplift CASCADE changed the logged rows"
[ "$(q "SELECT relrowsecurity FROM pg_class WHERE oid = 'uplift_assignment_log'::regclass")" = t ] \
    || fail "row-level security was switched off with the extension"

q "CREATE EXTENSION uplift" >/dev/null
q "SELECT uplift_create_assignment_log()" >/dev/null
[ "$(q "SELECT count(*) FROM pg_policy WHERE polrelid = 'uplift_assignment_log'::regclass")" = 2 ] \
    || fail "uplift_create_assignment_log did not restore the log's policies"
[ "$(q "SELECT (SELECT (action, propensity, assigned_at) FROM uplift_assign_logged('drop-test', 3, ARRAY[0, 1]))
             = (SELECT (action, propensity, assigned_at) FROM uplift_assignment_log WHERE unit_id = 3)")" = t ] \
    || fail "a repeated call after the new CREATE EXTENSION did not return the logged row"

# A log planted by a role with CREATE on the schema is not written to.
q "DROP TABLE uplift_assignment_log; GRANT CREATE ON SCHEMA public TO $attacker" >/dev/null
q "SET ROLE $attacker; CREATE TABLE public.uplift_assignment_log (LIKE public.uplift_logged_assignment)" >/dev/null
if out=$(q "SELECT uplift_assign_logged('drop-test', 1, ARRAY[0.5, 0.5])" 2>&1); then
    fail "the loggers wrote to a log planted by another role"; fi
echo "$out" | grep -q "is not owned by a superuser or the owner of extension uplift" || fail "unexpected error: $out"
if out=$(q "SET ROLE $attacker; SELECT uplift_create_assignment_log()" 2>&1); then
    fail "a role other than the extension's owner ran uplift_create_assignment_log"; fi
echo "$out" | grep -q "permission denied for function uplift_create_assignment_log" || fail "unexpected error: $out"
