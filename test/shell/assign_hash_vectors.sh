#!/usr/bin/env bash
# The assignment hash against an independent implementation.
#
# A standalone C program, written from the SipHash paper and the byte layout
# in doc/assignment.md (it shares no code with src/), first checks itself
# against the official SipHash-2-4 test vectors, then computes the test
# vectors below.  The test passes when
#   1. every vector row it prints appears verbatim in doc/assignment.md, and
#   2. uplift_assign_hash, uplift_assign and uplift_in_holdout agree with it.
# With the argument "namespace" it computes the namespace vectors instead
# (namespace byte 'N', seed 0, the namespace's name in the experiment's
# place), which uplift_namespace_uniform and uplift_assign's range must match.
# Run by scripts/test.sh with PGHOST/PGPORT/PGUSER set and uplift_test ready.
set -euo pipefail
cd "$(dirname "$0")/../.."
export PGCLIENTENCODING=UTF8
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cat >"$work/ref.c" <<'CEOF'
/* Reference assignment hash: SipHash-2-4, key "uplift-assign-v1". */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ROTL(x, b) (uint64_t) (((x) << (b)) | ((x) >> (64 - (b))))
#define U8TO64_LE(p) \
	(((uint64_t) (p)[0]) | ((uint64_t) (p)[1] << 8) | ((uint64_t) (p)[2] << 16) | \
	 ((uint64_t) (p)[3] << 24) | ((uint64_t) (p)[4] << 32) | ((uint64_t) (p)[5] << 40) | \
	 ((uint64_t) (p)[6] << 48) | ((uint64_t) (p)[7] << 56))
#define SIPROUND do { \
	v0 += v1; v1 = ROTL(v1, 13); v1 ^= v0; v0 = ROTL(v0, 32); \
	v2 += v3; v3 = ROTL(v3, 16); v3 ^= v2; \
	v0 += v3; v3 = ROTL(v3, 21); v3 ^= v0; \
	v2 += v1; v1 = ROTL(v1, 17); v1 ^= v2; v2 = ROTL(v2, 32); } while (0)

static uint64_t
siphash24(const uint8_t *in, size_t inlen, const uint8_t *k)
{
	uint64_t v0 = 0x736f6d6570736575ULL, v1 = 0x646f72616e646f6dULL;
	uint64_t v2 = 0x6c7967656e657261ULL, v3 = 0x7465646279746573ULL;
	uint64_t k0 = U8TO64_LE(k), k1 = U8TO64_LE(k + 8);
	const uint8_t *end = in + inlen - (inlen % 8);
	uint64_t b = ((uint64_t) inlen) << 56, m;
	int left = inlen & 7;

	v3 ^= k1; v2 ^= k0; v1 ^= k1; v0 ^= k0;
	for (; in != end; in += 8)
	{
		m = U8TO64_LE(in);
		v3 ^= m; SIPROUND; SIPROUND; v0 ^= m;
	}
	switch (left)
	{
		case 7: b |= ((uint64_t) in[6]) << 48; /* fall through */
		case 6: b |= ((uint64_t) in[5]) << 40; /* fall through */
		case 5: b |= ((uint64_t) in[4]) << 32; /* fall through */
		case 4: b |= ((uint64_t) in[3]) << 24; /* fall through */
		case 3: b |= ((uint64_t) in[2]) << 16; /* fall through */
		case 2: b |= ((uint64_t) in[1]) << 8; /* fall through */
		case 1: b |= ((uint64_t) in[0]); break;
		case 0: break;
	}
	v3 ^= b; SIPROUND; SIPROUND; v0 ^= b;
	v2 ^= 0xff; SIPROUND; SIPROUND; SIPROUND; SIPROUND;
	return v0 ^ v1 ^ v2 ^ v3;
}

static const uint8_t key[16] = "uplift-assign-v1";

/* namespace | seed | experiment length (u32) | experiment | kind | unit */
static uint64_t
assign_hash(char ns, int64_t seed, const char *exp, char kind, const char *unit)
{
	uint8_t msg[4096];
	size_t n = 0, elen = strlen(exp);
	uint64_t s = (uint64_t) seed;

	msg[n++] = (uint8_t) ns;
	for (int i = 0; i < 8; i++) msg[n++] = (uint8_t) (s >> (8 * i));
	for (int i = 0; i < 4; i++) msg[n++] = (uint8_t) ((uint32_t) elen >> (8 * i));
	memcpy(msg + n, exp, elen); n += elen;
	msg[n++] = (uint8_t) kind;
	if (kind == 'I')
	{
		uint64_t id = (uint64_t) strtoll(unit, NULL, 10);

		for (int i = 0; i < 8; i++) msg[n++] = (uint8_t) (id >> (8 * i));
	}
	else
	{
		memcpy(msg + n, unit, strlen(unit)); n += strlen(unit);
	}
	return siphash24(msg, n, key);
}

static int
official_vectors_ok(void)
{
	static const struct { size_t len; uint64_t h; } v[] = {
		{0, 0x726fdb47dd0e0e31ULL}, {1, 0x74f839c593dc67fdULL},
		{2, 0x0d6c8009d9a94f5aULL}, {15, 0xa129ca6149be45e5ULL},
		{32, 0x7127512f72f27cceULL}};
	uint8_t k[16], m[64];

	for (int i = 0; i < 16; i++) k[i] = i;
	for (int i = 0; i < 64; i++) m[i] = i;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		if (siphash24(m, v[i].len, k) != v[i].h)
		{
			fprintf(stderr, "SipHash-2-4 reference vector %zu failed\n", v[i].len);
			return 0;
		}
	return 1;
}

/* input lines: kind|namespace|unit; prints | namespace | unit | hash | u_N | */
static int
namespace_rows(void)
{
	char line[1024];

	while (fgets(line, sizeof(line), stdin))
	{
		char *kind = strtok(line, "|"), *ns = strtok(NULL, "|");
		char *unit = strtok(NULL, "|\n");
		uint64_t h;

		if (strcmp(unit, "''") == 0) unit = "";
		if (strcmp(ns, "''") == 0) ns = "";
		h = assign_hash('N', 0, ns, kind[0], unit);
		printf("| %s%s%s | %s %s%s%s | `%016llx` | %.17g |\n",
			   *ns ? "`" : "", *ns ? ns : "(empty)", *ns ? "`" : "",
			   kind[0] == 'I' ? "bigint" : "text",
			   *unit ? "`" : "", *unit ? unit : "(empty)", *unit ? "`" : "",
			   (unsigned long long) h, (double) (h >> 11) * 0x1p-53);
	}
	return 0;
}

int
main(int argc, char **argv)
{
	char line[1024];
	const double w[3] = {0.5, 0.3, 0.2};

	if (!official_vectors_ok())
		return 1;
	if (argc > 1 && strcmp(argv[1], "namespace") == 0)
		return namespace_rows();
	/* input lines: kind|experiment|unit|seed */
	while (fgets(line, sizeof(line), stdin))
	{
		char *kind = strtok(line, "|"), *exp = strtok(NULL, "|");
		char *unit = strtok(NULL, "|"), *seed = strtok(NULL, "|\n");
		uint64_t h, hh;
		double u, uh, total = 0, cum = 0;
		int action = 2;

		if (strcmp(unit, "''") == 0) unit = "";
		if (strcmp(exp, "''") == 0) exp = "";
		h = assign_hash('A', strtoll(seed, NULL, 10), exp, kind[0], unit);
		hh = assign_hash('H', 0, "global", kind[0], unit);
		u = (double) (h >> 11) * 0x1p-53;
		uh = (double) (hh >> 11) * 0x1p-53;
		for (int a = 0; a < 3; a++) total += w[a];
		for (int a = 0; a < 2; a++)
		{
			cum += w[a];
			if (u < cum / total) { action = a; break; }
		}
		/* | experiment | unit | seed | hash | as bigint | u | action | holdout u | */
		printf("| %s%s%s | %s %s%s%s | %s | `%016llx` | %lld | %.17g | %d | %.17g |\n",
			   *exp ? "`" : "", *exp ? exp : "(empty)", *exp ? "`" : "",
			   kind[0] == 'I' ? "bigint" : "text",
			   *unit ? "`" : "", *unit ? unit : "(empty)", *unit ? "`" : "", seed,
			   (unsigned long long) h, (long long) h, u, action, uh);
	}
	return 0;
}
CEOF
cc -O1 -std=c99 -o "$work/ref" "$work/ref.c"

# kind|experiment|unit|seed; '' is the empty string
cat >"$work/vectors" <<'VEOF'
I|exp|42|0
T|exp|42|0
I|''|0|0
I|checkout-button|1|0
I|checkout-button|-1|0
I|checkout-button|9223372036854775807|0
I|checkout-button|-9223372036854775808|0
T|checkout-button|user-0001|0
T|prix-été|ünïcode-ÿ|0
I|exp|42|7
I|exp|42|-1
T|a-long-experiment-name-spanning-several-blocks|''|0
VEOF
"$work/ref" <"$work/vectors" >"$work/rows"

fail=0
# 1. the doc publishes exactly these rows
while IFS= read -r row; do
    if ! grep -qxF -- "$row" doc/assignment.md; then
        echo "not in doc/assignment.md: $row" >&2; fail=1
    fi
done <"$work/rows"

# 2. the SQL functions agree with the reference
while IFS='|' read -r kind exp unit seed && IFS= read -r row <&3; do
    [ "$exp" = "''" ] && exp=""
    [ "$unit" = "''" ] && unit=""
    if [ "$kind" = I ]; then u="'${unit}'::bigint"; else u="'${unit}'::text"; fi
    # row: | experiment | unit | seed | hex | bigint | u | action | holdout u |
    hash=$(echo "$row" | awk -F'|' '{gsub(/ /, "", $6); print $6}')
    action=$(echo "$row" | awk -F'|' '{gsub(/ /, "", $8); print $8}')
    uh=$(echo "$row" | awk -F'|' '{gsub(/ /, "", $9); print $9}')
    got=$(psql -X -At -v ON_ERROR_STOP=1 -d uplift_test -c "
        SELECT uplift_assign_hash('$exp', $u, $seed) = $hash
           AND ($seed <> 0 OR (uplift_assign('$exp', $u, ARRAY[0.5, 0.3, 0.2])).action = $action)
           AND NOT uplift_in_holdout($u, $uh::float8)
           AND uplift_in_holdout($u, $uh::float8 + 2.0::float8 ^ (-53))")
    if [ "$got" != t ]; then
        echo "SQL disagrees with the reference for $kind|$exp|$unit|$seed" >&2; fail=1
    fi
done <"$work/vectors" 3<"$work/rows"

# Namespace vectors: kind|namespace|unit
cat >"$work/ns_vectors" <<'VEOF'
I|email|42
T|email|42
I|''|0
I|email|-9223372036854775808
T|email|user-0001
T|prix-été|ünïcode-ÿ
T|a-long-namespace-name-spanning-several-blocks|''
VEOF
"$work/ref" namespace <"$work/ns_vectors" >"$work/ns_rows"
while IFS= read -r row; do
    if ! grep -qxF -- "$row" doc/assignment.md; then
        echo "not in doc/assignment.md: $row" >&2; fail=1
    fi
done <"$work/ns_rows"
while IFS='|' read -r kind ns unit && IFS= read -r row <&3; do
    [ "$ns" = "''" ] && ns=""
    [ "$unit" = "''" ] && unit=""
    if [ "$kind" = I ]; then u="'${unit}'::bigint"; else u="'${unit}'::text"; fi
    # row: | namespace | unit | hex | u_N |
    un=$(echo "$row" | awk -F'|' '{gsub(/ /, "", $5); print $5}')
    got=$(psql -X -At -v ON_ERROR_STOP=1 -d uplift_test -c "
        SELECT uplift_namespace_uniform('$ns', $u) = $un::float8
           AND uplift_assign('e', $u, ARRAY[1], jsonb_build_object('namespace', '$ns',
                             'range', jsonb_build_array($un::float8, 1))) IS NOT NULL
           AND ($un::float8 = 0 OR uplift_assign('e', $u, ARRAY[1], jsonb_build_object('namespace', '$ns',
                             'range', jsonb_build_array(0, $un::float8))) IS NULL)")
    if [ "$got" != t ]; then
        echo "SQL disagrees with the namespace reference for $kind|$ns|$unit" >&2; fail=1
    fi
done <"$work/ns_vectors" 3<"$work/ns_rows"
exit $fail
