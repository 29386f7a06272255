#!/usr/bin/env bash
# The registry survives pg_dump and restore: every version with its model,
# checksum and metrics, the whole deployment log, and the deployed version,
# which scores by name in the restored database; rollback still walks the
# restored history.
set -euo pipefail
export PGOPTIONS="-c client_min_messages=warning"
src=uplift_reg_dump_src; dst=uplift_reg_dump_dst
psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "DROP DATABASE IF EXISTS $src" -c "DROP DATABASE IF EXISTS $dst" \
    -c "CREATE DATABASE $src" -c "CREATE DATABASE $dst"
trap 'psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $src" -c "DROP DATABASE IF EXISTS $dst" >/dev/null 2>&1' EXIT

psql -X -q -v ON_ERROR_STOP=1 -d $src >/dev/null <<'SQL'
CREATE EXTENSION uplift;
SELECT uplift_register('churn', uplift_model_import(format(
  '{"learner":"s_learner","base":"linear","n_actions":1,"n_features":1,"interactions":false,
    "heads":[{"role":"joint","action":-1,"link":"identity","intercept":2,"coefficients":[1,%s]}]}', e)::jsonb),
  jsonb_build_object('effect', e))
  FROM (VALUES (0.75), (1.5), (-2)) t(e);
SELECT uplift_deploy('churn', 1), uplift_deploy('churn', 3), uplift_deploy('churn', 2);
SQL

pg_dump -d $src | psql -X -q -v ON_ERROR_STOP=1 -d $dst >/dev/null

registry="SELECT string_agg(concat_ws(':', name, version, checksum, model::text, metrics, created_at, created_by), ',' ORDER BY name, version) FROM uplift_registry"
log="SELECT string_agg(concat_ws(':', name, step, action, from_version, to_version, restores, deployed_at, deployed_by), ',' ORDER BY name, step) FROM uplift_deployments"
for q in "$registry" "$log"; do
    before=$(psql -X -At -d $src -c "$q")
    after=$(psql -X -At -d $dst -c "$q")
    [ -n "$before" ] || { echo "nothing to compare: $q" >&2; exit 1; }
    [ "$before" = "$after" ] || { echo "pg_dump and restore changed: $q" >&2; exit 1; }
done

score=$(psql -X -At -d $dst -c "SELECT uplift_score('churn', ARRAY[3.0])")
[ "$score" = "1.5" ] || { echo "restored deployed version scores $score, expected 1.5" >&2; exit 1; }
back=$(psql -X -At -d $dst -c "SELECT uplift_rollback('churn')")
[ "$back" = "3" ] || { echo "rollback in the restored database gave $back, expected 3" >&2; exit 1; }
again=$(psql -X -At -d $dst -c "SELECT uplift_register('churn', uplift_model('churn', 1))")
[ "$again" = "4" ] || { echo "registering after restore gave version $again, expected 4" >&2; exit 1; }
