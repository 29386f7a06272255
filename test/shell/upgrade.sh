#!/usr/bin/env bash
# ALTER EXTENSION uplift UPDATE from every released version gives the same
# objects as a fresh install of the current version: every member function
# (definition, volatility, strictness, parallel safety, settings), aggregate
# (support functions, state type, modify flags), type, cast, operator, table
# (columns, constraints, indexes, policies, privileges), view and comment.
# A model stored under the old version still scores after the update.
set -euo pipefail
export PGOPTIONS="-c client_min_messages=warning"
fresh=uplift_upgrade_fresh; updated=uplift_upgrade_updated
current=$(sed -n "s/^default_version = '\(.*\)'/\1/p" "$(dirname "$0")/../../uplift.control")
psql -X -q -v ON_ERROR_STOP=1 -d postgres \
    -c "DROP DATABASE IF EXISTS $fresh" -c "DROP DATABASE IF EXISTS $updated" \
    -c "CREATE DATABASE $fresh" -c "CREATE DATABASE $updated"
trap 'psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $fresh" -c "DROP DATABASE IF EXISTS $updated" >/dev/null 2>&1' EXIT

describe() {
    psql -X -At -v ON_ERROR_STOP=1 -d "$1" <<'SQL'
WITH members AS (
    SELECT classid, objid, objsubid FROM pg_depend
    WHERE refclassid = 'pg_extension'::regclass AND deptype = 'e'
      AND refobjid = (SELECT oid FROM pg_extension WHERE extname = 'uplift'))
SELECT line FROM (
    SELECT 'function ' || p.oid::regprocedure || E'\n' ||
           CASE WHEN p.prokind = 'a' THEN
               format('aggregate trans=%s final=%s combine=%s serial=%s deserial=%s stype=%s sspace=%s init=%s modify=%s parallel=%s',
                      a.aggtransfn, a.aggfinalfn, a.aggcombinefn, a.aggserialfn, a.aggdeserialfn,
                      a.aggtranstype::regtype, a.aggtransspace, a.agginitval, a.aggfinalmodify, p.proparallel)
           ELSE pg_get_functiondef(p.oid) END ||
           E'\nacl ' || coalesce(p.proacl::text, 'default') ||
           E'\ncomment ' || coalesce(obj_description(p.oid, 'pg_proc'), '') AS line
    FROM members m JOIN pg_proc p ON m.classid = 'pg_proc'::regclass AND p.oid = m.objid
    LEFT JOIN pg_aggregate a ON a.aggfnoid = p.oid
  UNION ALL
    SELECT format('type %s len=%s byval=%s align=%s storage=%s in=%s out=%s send=%s recv=%s comment=%s attrs=%s',
                  t.oid::regtype, t.typlen, t.typbyval, t.typalign, t.typstorage, t.typinput, t.typoutput,
                  t.typsend, t.typreceive, coalesce(obj_description(t.oid, 'pg_type'), ''),
                  (SELECT string_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod), ', ' ORDER BY a.attnum)
                   FROM pg_attribute a WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped))
    FROM members m JOIN pg_type t ON m.classid = 'pg_type'::regclass AND t.oid = m.objid
  UNION ALL
    SELECT format('relation %s kind=%s rls=%s force=%s acl=%s comment=%s columns=%s constraints=%s indexes=%s policies=%s view=%s',
                  c.oid::regclass, c.relkind, c.relrowsecurity, c.relforcerowsecurity, c.relacl,
                  coalesce(obj_description(c.oid, 'pg_class'), ''),
                  (SELECT string_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod) || ' notnull=' || a.attnotnull
                                     || ' default=' || coalesce(pg_get_expr(d.adbin, d.adrelid), ''), ', ' ORDER BY a.attnum)
                   FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
                   WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped),
                  (SELECT string_agg(pg_get_constraintdef(k.oid), ', ' ORDER BY pg_get_constraintdef(k.oid))
                   FROM pg_constraint k WHERE k.conrelid = c.oid),
                  (SELECT string_agg(pg_get_indexdef(i.indexrelid), ', ' ORDER BY pg_get_indexdef(i.indexrelid))
                   FROM pg_index i WHERE i.indrelid = c.oid),
                  (SELECT string_agg(format('%s %s %s %s %s', p.polname, p.polcmd, p.polroles::regrole[],
                                            pg_get_expr(p.polqual, p.polrelid), pg_get_expr(p.polwithcheck, p.polrelid)),
                                     ', ' ORDER BY p.polname)
                   FROM pg_policy p WHERE p.polrelid = c.oid),
                  CASE WHEN c.relkind = 'v' THEN pg_get_viewdef(c.oid) END)
    FROM members m JOIN pg_class c ON m.classid = 'pg_class'::regclass AND c.oid = m.objid
  UNION ALL
    SELECT 'other ' || pg_describe_object(m.classid, m.objid, m.objsubid)
    FROM members m
    WHERE m.classid NOT IN ('pg_proc'::regclass, 'pg_type'::regclass, 'pg_class'::regclass)
  UNION ALL
    SELECT 'config ' || c.oid::regclass || ' ' || coalesce(x.extcondition[i], '')
    FROM pg_extension x, unnest(x.extconfig) WITH ORDINALITY AS u(relid, i)
    JOIN pg_class c ON c.oid = u.relid
    WHERE x.extname = 'uplift'
) objects ORDER BY line;
SQL
}

psql -X -q -v ON_ERROR_STOP=1 -d $fresh -c "CREATE EXTENSION uplift"
fresh_objects=$(describe $fresh)

for old in $(ls "$(pg_config --sharedir)"/extension/uplift--*.sql | sed -n 's/.*uplift--\([0-9.]*\)\.sql$/\1/p'); do
    [ "$old" = "$current" ] && continue
    psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "DROP DATABASE IF EXISTS $updated" -c "CREATE DATABASE $updated"
    psql -X -q -v ON_ERROR_STOP=1 -d $updated <<SQL
CREATE EXTENSION uplift VERSION '$old';
CREATE TABLE models AS
SELECT uplift_fit(features, action, value, '{"base": "linear"}') AS model
FROM uplift_demo_campaign(2000, 7);
CREATE TABLE scores_before AS
SELECT unit_id, uplift_scores(m.model, c.features) AS s
FROM uplift_demo_campaign(20, 8) c, models m;
ALTER EXTENSION uplift UPDATE;
SQL
    version=$(psql -X -At -d $updated -c "SELECT extversion FROM pg_extension WHERE extname = 'uplift'")
    [ "$version" = "$current" ] || { echo "update from $old ended at version $version, not $current" >&2; exit 1; }
    if ! diff <(echo "$fresh_objects") <(describe $updated) >/tmp/uplift_upgrade.$$.diff; then
        echo "objects after ALTER EXTENSION UPDATE from $old differ from a fresh install of $current:" >&2
        head -100 /tmp/uplift_upgrade.$$.diff >&2; rm -f /tmp/uplift_upgrade.$$.diff; exit 1
    fi
    rm -f /tmp/uplift_upgrade.$$.diff
    changed=$(psql -X -At -v ON_ERROR_STOP=1 -d $updated -c "
        SELECT count(*) FROM scores_before b JOIN uplift_demo_campaign(20, 8) c USING (unit_id), models m
        WHERE uplift_scores(m.model, c.features) IS DISTINCT FROM b.s")
    [ "$changed" = "0" ] || { echo "$changed stored-model scores changed across the update from $old" >&2; exit 1; }
done
