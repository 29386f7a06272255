#!/usr/bin/env bash
# ALTER EXTENSION uplift UPDATE from 0.1.0 takes the assignment log out of the
# extension with its rows, and turns its rights into per-experiment ones: the
# role that 0.1.0's documented setup granted SELECT, INSERT on the log no
# longer reads or writes every experiment.  pg_dump of the updated database
# restores the log with its rows, privileges and policies.
set -euo pipefail
export PGOPTIONS="-c client_min_messages=warning"
src=uplift_log_upgrade_src; dst=uplift_log_upgrade_dst; role=uplift_log_upgrade_job
cleanup() {
    psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $src" -c "DROP DATABASE IF EXISTS $dst" \
        -c "DROP ROLE IF EXISTS $role" >/dev/null 2>&1 || true
}
cleanup
trap cleanup EXIT
psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE $src" -c "CREATE DATABASE $dst" -c "CREATE ROLE $role"
q() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$1" -c "$2"; }
fail() { echo "$1" >&2; exit 1; }

q $src "CREATE EXTENSION uplift VERSION '0.1.0'" >/dev/null
q $src "SELECT count(uplift_assign_logged(e, u, ARRAY[0.5, 0.5])) FROM generate_series(1, 10) u, unnest(ARRAY['mine', 'other']) e" >/dev/null
q $src "GRANT SELECT, INSERT ON uplift_assignment_log TO $role" >/dev/null
rows="SELECT count(*) || ':' || md5(string_agg(l::text, '|' ORDER BY experiment, unit_id)) FROM uplift_assignment_log l"
before=$(q $src "$rows")

q $src "ALTER EXTENSION uplift UPDATE" >/dev/null
[ "$(q $src "$rows")" = "$before" ] || fail "the update changed the logged rows"
[ "$(q $src "SELECT count(*) FROM pg_depend WHERE objid = 'uplift_assignment_log'::regclass AND deptype = 'e'")" = 0 ] \
    || fail "the log is still a member of the extension"
[ "$(q $src "SET ROLE $role; SELECT count(*) FROM uplift_assignment_log")" = 0 ] \
    || fail "a role granted SELECT in 0.1.0 still reads every experiment"
q $src "INSERT INTO uplift_experiment_grants VALUES ('mine', '$role', 'log')" >/dev/null
[ "$(q $src "SET ROLE $role; SELECT string_agg(DISTINCT experiment, ',') FROM uplift_assignment_log")" = mine ] \
    || fail "a granted role does not read exactly its experiment"
if q $src "SET ROLE $role; SELECT uplift_assign_logged('other', 11, ARRAY[0.5, 0.5])" >/dev/null 2>&1; then
    fail "a role logs in an experiment it was not granted"; fi

pg_dump -d $src | psql -X -q -v ON_ERROR_STOP=1 -d $dst >/dev/null
[ "$(q $dst "$rows")" = "$before" ] || fail "pg_dump and restore lost logged rows"
rights="SELECT relacl::text || relrowsecurity || (SELECT count(*) FROM pg_policy WHERE polrelid = c.oid)
          FROM pg_class c WHERE oid = 'uplift_assignment_log'::regclass"
[ "$(q $src "$rights")" = "$(q $dst "$rights")" ] || fail "pg_dump and restore lost the log's privileges or policies"
