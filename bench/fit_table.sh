# Sourced by bench/fit.sh and bench/learners.sh (with N, SEED and DB set):
# builds and starts a throwaway cluster unless UPLIFT_BENCH_EXISTING=1, creates
# database DB with the extension, generates table t of N rows x P features
# (setseed + random(): half the rows treated, a 0/1 outcome from a logistic
# model with a treatment interaction), and defines q (psql on DB) and timed.
P=10

if [ "${UPLIFT_BENCH_EXISTING:-0}" != 1 ]; then
    bash scripts/setup.sh
    . scripts/cluster.sh
    uplift_build_install
    cluster_start
fi

psql -q -X -d postgres -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB"
psql -q -X -v ON_ERROR_STOP=1 -d $DB -c "CREATE EXTENSION uplift"
q() { psql -q -X -v ON_ERROR_STOP=1 -At -d $DB "$@"; }

echo "generating $N rows x $P features (seed $SEED)..."
q <<SQL
SELECT setseed($SEED / 2147483648.0);
CREATE UNLOGGED TABLE t AS
SELECT i AS id, f AS features, a AS treatment,
       (random() < 1 / (1 + exp(-(-1 + f[1] - f[2] + 0.5 * f[3] + a * (0.3 + 0.5 * f[4])))))::int::float8
           AS outcome
FROM (SELECT i, (random() < 0.5)::int AS a,
             ARRAY[random(), random(), random(), random(), random(),
                   random(), random(), random(), random(), random()]::float8[] AS f
      FROM generate_series(1, $N) i) s;
VACUUM ANALYZE t;
SELECT sum(features[1]) FROM t;
SQL

# Seconds taken by one statement (run twice; the faster run counts).
timed() {
    local best=""
    for _ in 1 2; do
        local t0 t1 s
        t0=$(date +%s.%N)
        q -c "$1" >/dev/null
        t1=$(date +%s.%N)
        s=$(echo "$t1 - $t0" | bc -l)
        if [ -z "$best" ] || [ "$(echo "$s < $best" | bc -l)" = 1 ]; then best=$s; fi
    done
    printf '%.3f' "$best"
}

# The SQL that prints the backend's peak private memory (bytes) for the fit
# query $2 under max_parallel_workers_per_gather = $1: one session, private
# memory before and after; pipe it into q.
mem_sql() {
    local fit=$2
    cat <<SQL
SET jit = off;
CREATE TEMP TABLE mem AS
SELECT (regexp_match(s, 'VmHWM:\s+(\d+)'))[1]::bigint - (regexp_match(s, 'RssShmem:\s+(\d+)'))[1]::bigint AS kb
FROM pg_read_file('/proc/self/status') s;
SET max_parallel_workers_per_gather = $1;
SELECT uplift_model_checksum(model) FROM ($fit) f \\g /dev/null
SELECT ((regexp_match(s, 'VmHWM:\s+(\d+)'))[1]::bigint - (regexp_match(s, 'RssShmem:\s+(\d+)'))[1]::bigint
        - (SELECT kb FROM mem)) * 1024
FROM pg_read_file('/proc/self/status') s;
SQL
}
