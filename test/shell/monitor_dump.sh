#!/usr/bin/env bash
# A table of drift profiles survives pg_dump and restore (text I/O) and a
# binary COPY round trip (send/recv), byte for byte, and a check against the
# restored profile gives the figures of a check against the original.
set -euo pipefail
export PGOPTIONS="-c client_min_messages=warning"
src=uplift_profile_src; dst=uplift_profile_dst
psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "DROP DATABASE IF EXISTS $src" -c "DROP DATABASE IF EXISTS $dst" \
    -c "CREATE DATABASE $src" -c "CREATE DATABASE $dst"
trap 'psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $src" -c "DROP DATABASE IF EXISTS $dst" >/dev/null 2>&1' EXIT

setup="CREATE EXTENSION IF NOT EXISTS uplift;
CREATE TABLE window_rows AS
SELECT features[1] AS x1, features[4] AS x4,
       CASE WHEN features[3] = 1 THEN 'member' ELSE 'guest' END AS segment, day
  FROM uplift_demo_campaign(4000, 2, 1.0);"
psql -X -q -v ON_ERROR_STOP=1 -d $src <<SQL
$setup
CREATE TABLE profiles (name text PRIMARY KEY, profile uplift_drift_profile);
INSERT INTO profiles
SELECT 'week 1', uplift_drift_profile(r) FROM (SELECT x1, x4, segment FROM window_rows WHERE day < 7) r;
CREATE TABLE profiles_copy (LIKE profiles);
SQL

pg_dump -d $src | psql -X -q -v ON_ERROR_STOP=1 -d $dst >/dev/null
psql -X -q -v ON_ERROR_STOP=1 -d $src -c "COPY profiles TO STDOUT (FORMAT binary)" > /tmp/uplift_profiles.$$.bin
psql -X -q -v ON_ERROR_STOP=1 -d $src -c "COPY profiles_copy FROM STDIN (FORMAT binary)" < /tmp/uplift_profiles.$$.bin
rm -f /tmp/uplift_profiles.$$.bin

dump() { psql -X -At -d "$1" -c "SELECT string_agg(name || ':' || profile::text, ',' ORDER BY name) FROM $2"; }
before=$(dump $src profiles)
[ "$before" = "$(dump $dst profiles)" ] || { echo "pg_dump and restore changed the profiles" >&2; exit 1; }
[ "$before" = "$(dump $src profiles_copy)" ] || { echo "binary COPY changed the profiles" >&2; exit 1; }

check="SELECT string_agg(d.feature || ' ' || d.psi || ' ' || coalesce(d.ks::text, '-') || ' ' || d.js, ', ' ORDER BY d.feature)
         FROM profiles p, uplift_drift(p.profile, 'SELECT x1, x4, segment FROM window_rows WHERE day >= 7') d"
a=$(psql -X -At -d $src -c "$check")
b=$(psql -X -At -d $dst -c "$check")
[ -n "$a" ] && [ "$a" = "$b" ] || { echo "a check against the restored profile differs: $a / $b" >&2; exit 1; }
