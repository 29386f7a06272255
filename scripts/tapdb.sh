#!/usr/bin/env bash
# Create the database the pgTAP tests (test/*.sql) run in: the extensions
# pgtap and uplift and the fixtures of test/fixtures/ (the public data sets
# of ../shared, the reference numbers and the test helpers), loaded in
# file-name order.  Used by scripts/test.sh and by "make prove".
#
#   bash scripts/tapdb.sh [database]      (default uplift_test)
#
# Connects as psql does (PGHOST, PGPORT, PGUSER from the environment) to the
# server, which must be running with uplift installed; the database is
# dropped first if it exists.
set -euo pipefail
cd "$(dirname "$0")/.."
db=${1:-uplift_test}

run_psql() { psql -q -X -v ON_ERROR_STOP=1 "$@" >/dev/null; }

run_psql -d postgres -v db="$db" <<'SQL'
SET client_min_messages = warning;
DROP DATABASE IF EXISTS :"db";
CREATE DATABASE :"db";
SQL
run_psql -d "$db" -c "CREATE EXTENSION pgtap" -c "CREATE EXTENSION uplift"
for f in test/fixtures/*.sql; do
    [ -e "$f" ] || continue
    run_psql -d "$db" -f "$f"
done
