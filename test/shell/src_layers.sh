#!/usr/bin/env bash
# The files of src/ form layers: a file's functions call only files below it,
# never one that calls back (no cycle between files).  Read from the built
# objects: an edge a -> b when a.o uses a symbol that b.o defines.
set -euo pipefail
cd "$(dirname "$0")/../../src"

for c in *.c; do
    o=${c%.c}.o
    [ -f "$o" ] || { echo "src_layers: $o is missing: build the extension first" >&2; exit 1; }
    nm --defined-only -g "$o" | awk -v f="${o%.o}" 'NF == 3 && $2 ~ /[TDBRV]/ { print "def", $3, f }'
    nm -u "$o" | awk -v f="${o%.o}" '{ print "use", $NF, f }'
done | awk '
    $1 == "def" { owner[$2] = $3; files[$3] = 1; next }
    $1 == "use" { uses[NR] = $2; user[NR] = $3; files[$3] = 1 }
    END {
        for (i in uses) {
            f = user[i]; g = owner[uses[i]];
            if (g != "" && g != f) reach[f, g] = 1;
        }
        # transitive closure (Warshall); a file that reaches itself is in a cycle
        for (k in files) for (i in files) if ((i, k) in reach) for (j in files)
            if ((k, j) in reach) reach[i, j] = 1;
        bad = 0;
        for (i in files) for (j in files)
            if (i < j && (i, j) in reach && (j, i) in reach) {
                print "src_layers: " i ".c and " j ".c call each other (directly or through other files)";
                bad = 1;
            }
        exit bad;
    }'
