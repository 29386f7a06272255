#!/usr/bin/env bash
# The assignment log's rows survive pg_dump and restore (the log is an
# ordinary table; the extension registers uplift_experiment_grants with
# pg_extension_config_dump), so do its policies, the experiment grants and the
# namespace ranges (also registered), and
# after the restore a repeated logging call still returns the logged row and
# writes nothing.
set -euo pipefail
export PGOPTIONS="-c client_min_messages=warning"
src=uplift_assign_dump_src; dst=uplift_assign_dump_dst
psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "DROP DATABASE IF EXISTS $src" -c "DROP DATABASE IF EXISTS $dst" \
    -c "CREATE DATABASE $src" -c "CREATE DATABASE $dst"
trap 'psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $src" -c "DROP DATABASE IF EXISTS $dst" >/dev/null 2>&1' EXIT

psql -X -q -v ON_ERROR_STOP=1 -d $src >/dev/null <<'SQL'
CREATE EXTENSION uplift;
SELECT uplift_create_assignment_log();
SELECT count(uplift_assign_logged('dump-test', id, ARRAY[0.5, 0.3, 0.2], 0.1))
  FROM generate_series(1::bigint, 100) id;
SELECT count(uplift_assign_logged('dump-test', 'user-' || id, ARRAY[1, 1]))
  FROM generate_series(1, 20) id;
SELECT count(uplift_thompson_logged('dump-thompson', id, ARRAY[3, 7], ARRAY[10, 12], 0.05))
  FROM generate_series(1::bigint, 30) id;
INSERT INTO uplift_experiment_grants VALUES ('dump-test', 'pg_monitor', 'read');
INSERT INTO uplift_namespace_ranges VALUES ('email', 'dump-test', 0, 0.4), ('email', 'dump-2', 0.4, 0.5);
SQL

pg_dump -d $src | psql -X -q -v ON_ERROR_STOP=1 -d $dst >/dev/null

rows="SELECT count(*) || ':' || md5(string_agg(l::text, '|' ORDER BY experiment, unit_id, unit_key))
        FROM uplift_assignment_log l"
before=$(psql -X -At -d $src -c "$rows")
after=$(psql -X -At -d $dst -c "$rows")
[ "${before%%:*}" = 150 ] || { echo "expected 150 logged rows, got ${before%%:*}" >&2; exit 1; }
[ "$before" = "$after" ] || { echo "pg_dump and restore lost or changed logged assignments" >&2; exit 1; }
rights="SELECT (SELECT string_agg(format('%s %s %s', experiment, grantee, privilege), ',') FROM uplift_experiment_grants)
          || (SELECT relrowsecurity::text || relacl::text FROM pg_class WHERE oid = 'uplift_assignment_log'::regclass)
          || (SELECT string_agg(polname || pg_get_expr(coalesce(polqual, polwithcheck), polrelid), ',' ORDER BY polname)
                FROM pg_policy WHERE polrelid = 'uplift_assignment_log'::regclass)"
[ "$(psql -X -At -d $src -c "$rights")" = "$(psql -X -At -d $dst -c "$rights")" ] \
    || { echo "pg_dump and restore lost the log's grants, privileges or policies" >&2; exit 1; }
ranges="SELECT string_agg(format('%s %s %s %s', namespace, experiment, range_lo, range_hi), ','
                          ORDER BY namespace, range_lo) FROM uplift_namespace_ranges"
[ "$(psql -X -At -d $dst -c "$ranges")" = "email dump-test 0 0.4,email dump-2 0.4 0.5" ] \
    || { echo "pg_dump and restore lost the namespace ranges" >&2; exit 1; }

again=$(psql -X -At -d $dst -c "
    SELECT (SELECT (action, propensity, assigned_at) FROM uplift_assign_logged('dump-test', 7, ARRAY[0, 1]))
         = (SELECT (action, propensity, assigned_at) FROM uplift_assignment_log
             WHERE experiment = 'dump-test' AND unit_id = 7)")
[ "$again" = t ] || { echo "a repeated call after the restore did not return the logged row" >&2; exit 1; }
after2=$(psql -X -At -d $dst -c "$rows")
[ "$after2" = "$after" ] || { echo "a repeated call after the restore wrote to the log" >&2; exit 1; }
