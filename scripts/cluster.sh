# Sourced by test.sh and demo.sh: build and install the extension, and run a
# throwaway PostgreSQL 15 cluster in a temporary directory that is removed on
# exit (also on error or Ctrl-C).  Never touches a system cluster.

PGBIN=$(pg_config --bindir)
UPLIFT_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# Build and install the extension.  Installation goes into the directories of
# the PostgreSQL that pg_config (the first on PATH) names, so concurrent runs
# against one installation take a lock, named after it, and hold it until
# their cluster stops.
uplift_build_install() {
    exec 9>"/tmp/uplift-install-$(pg_config --sharedir | md5sum | cut -c1-8).lock"
    flock 9
    make -C "$UPLIFT_ROOT" -s -j2 >/dev/null
    make -C "$UPLIFT_ROOT" -s install >/dev/null
}

# Run a command as the cluster's owner (postgres cannot run as root).
as_owner() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

cluster_stop() {
    if [ -n "${PGDATA_DIR:-}" ] && [ -f "$PGDATA_DIR/postmaster.pid" ]; then
        as_owner "$PGBIN/pg_ctl" -D "$PGDATA_DIR" -m immediate stop >/dev/null 2>&1 || true
    fi
    [ -n "${CLUSTER_DIR:-}" ] && rm -rf "$CLUSTER_DIR"
}

# Start a cluster; exports PGHOST, PGPORT, PGUSER for psql and friends.
# Arguments, if any, are more server settings, as "-c name=value".
cluster_start() {
    CLUSTER_DIR=$(mktemp -d /tmp/uplift-pg.XXXXXX)
    PGDATA_DIR=$CLUSTER_DIR/data
    trap cluster_stop EXIT
    trap 'exit 130' INT TERM
    [ "$(id -u)" -eq 0 ] && chown postgres "$CLUSTER_DIR"
    # The server listens only on a socket in its own directory, so any port
    # number is free.
    local port=$((50000 + RANDOM % 10000))
    as_owner "$PGBIN/initdb" -D "$PGDATA_DIR" -U postgres --auth=trust --no-sync \
        -E UTF8 --locale=C >"$CLUSTER_DIR/initdb.log" 2>&1 \
        || { cat "$CLUSTER_DIR/initdb.log" >&2; return 1; }
    as_owner "$PGBIN/pg_ctl" -D "$PGDATA_DIR" -w -l "$CLUSTER_DIR/server.log" \
        -o "-p $port -k $CLUSTER_DIR -c listen_addresses='' -c fsync=off -c max_worker_processes=16 -c max_parallel_workers=8 $*" \
        start >/dev/null || { cat "$CLUSTER_DIR/server.log" >&2; return 1; }
    export PGHOST=$CLUSTER_DIR PGPORT=$port PGUSER=postgres
}
