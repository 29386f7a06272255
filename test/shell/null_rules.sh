#!/usr/bin/env bash
# doc/null-rules.md's table "Every public function" matches the catalog: every
# public function and aggregate of the extension (all but the internal ones,
# whose names end as that page's naming rule says) is listed once by name, with its kind (aggregate, set-returning or
# not) and whether it is STRICT (for an aggregate, its transition function).
set -euo pipefail
export PGOPTIONS="-c client_min_messages=warning"
doc="$(dirname "$0")/../../doc/null-rules.md"
db=uplift_null_rules
psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
trap 'psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1' EXIT
psql -X -q -v ON_ERROR_STOP=1 -d $db -c "CREATE EXTENSION uplift"

# name|kind|strict, kind being aggregate, set-returning or function.
documented=$(sed -n '/^## Every public function/,/^## /p' "$doc" |
    sed -n 's/^| `\([a-z_0-9]*\)` | \([a-z -]*\) | \(yes\|no\) |$/\1|\2|\3/p' |
    awk -F'|' '{ kind = ($2 == "aggregate") ? "aggregate" : ($2 ~ /^set-returning/) ? "set-returning" : "function";
                 print $1 "|" kind "|" $3 }' | sort)

catalog=$(psql -X -At -v ON_ERROR_STOP=1 -d $db <<'SQL'
SELECT p.proname || '|' ||
       CASE WHEN bool_and(p.prokind = 'a') THEN 'aggregate'
            WHEN bool_and(p.proretset) THEN 'set-returning'
            WHEN bool_or(p.prokind = 'a' OR p.proretset) THEN 'mixed'
            ELSE 'function' END || '|' ||
       CASE WHEN bool_and(coalesce(t.proisstrict, p.proisstrict)) THEN 'yes'
            WHEN NOT bool_or(coalesce(t.proisstrict, p.proisstrict)) THEN 'no'
            ELSE 'mixed' END
FROM pg_depend d
JOIN pg_proc p ON d.classid = 'pg_proc'::regclass AND p.oid = d.objid
LEFT JOIN pg_aggregate a ON a.aggfnoid = p.oid
LEFT JOIN pg_proc t ON t.oid = a.aggtransfn
WHERE d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e'
  AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'uplift')
  AND p.proname !~ '_(transfn|combinefn|serialfn|deserialfn|finalfn|in|out|recv|send|check|guard|lock|internal|support)$'
  AND p.proname !~ '^uplift_model_(eq|ne|lt|le|gt|ge|cmp|hash|hash_extended)$'
GROUP BY p.proname ORDER BY 1;
SQL
)
catalog=$(echo "$catalog" | sort)

if [ "$documented" != "$catalog" ]; then
    echo "doc/null-rules.md does not match the catalog (< documented, > catalog):" >&2
    diff <(echo "$documented") <(echo "$catalog") >&2 || true
    exit 1
fi
