#!/usr/bin/env bash
# The logistic fit on cold memory, with and without the helper thread that
# faults in the training buffer's next chunks (uplift.prefault).
#
#   bash bench/fit_cold.sh [N] [SEED]      (default N = 10,000,000, SEED = 42)
#
# On the table of bench/fit_table.sh (N rows x 10 features), ROUNDS rounds
# (default 4) of: for uplift.prefault off, then on, wait PAUSE seconds
# (default 8: long enough for the kernel to have handed the memory the last
# fit freed back to the hypervisor, where it does), then time
#   SELECT uplift_fit(features, treatment, outcome, '{"base": "logistic"}') FROM t
# in a new session, serial plan, JIT off.  Prints every time, then the
# median and the fastest of each setting and the median over a scan of t.
# A fit run right after another finds its memory warm and shows no
# difference: bench/fit.sh (best of two runs) measures that case.
# With UPLIFT_BENCH_EXISTING=1 it uses the server PGHOST/PGPORT point at
# instead of building and starting one.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-10000000}
SEED=${2:-42}
ROUNDS=${ROUNDS:-4}
PAUSE=${PAUSE:-8}

DB=uplift_bench_fit_cold
. bench/fit_table.sh

one() {
    psql -q -X -At -d $DB -c "SET jit = off" -c "SET max_parallel_workers_per_gather = 0" \
        -c "SET uplift.prefault = $1" -c '\timing on' \
        -c "SELECT uplift_fit(features, treatment, outcome, '{\"base\": \"logistic\"}') IS NULL FROM t" |
        awk '/^Time:/ { printf "%.3f", $2 / 1000 }'
}
scan=$(timed "SET max_parallel_workers_per_gather = 0; SET jit = off; SELECT sum(features[1]) FROM t")
: >/tmp/uplift-fit-cold-$$
for r in $(seq 1 "$ROUNDS"); do
    for setting in off on; do
        sleep "$PAUSE"
        t=$(one $setting)
        printf 'round %d  uplift.prefault = %-3s  %s s\n' "$r" "$setting" "$t"
        echo "$setting $t" >>/tmp/uplift-fit-cold-$$
    done
done
printf 'scan of t (best of two): %s s\n' "$scan"
for setting in off on; do
    awk -v s=$setting '$1 == s { print $2 }' /tmp/uplift-fit-cold-$$ | sort -n |
        awk -v s=$setting -v scan="$scan" '{ v[++n] = $1 }
            END { m = n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2;
                  printf "uplift.prefault = %-3s  median %.3f s (%.2f x scan), fastest %.3f s\n", s, m, m / scan, v[1] }'
done
rm -f /tmp/uplift-fit-cold-$$
