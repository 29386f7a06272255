/*
 * test_hash.c
 *	  Unit tests of the assignment hash (src/hash.c), run without a server:
 *	  SipHash-2-4 against the official test vectors of the SipHash paper,
 *	  then the hash of every bigint and text unit, through a prefix absorbed
 *	  once, against SipHash-2-4 of the whole message laid out byte by byte as
 *	  doc/assignment.md specifies, for experiment names of every length from
 *	  0 to 40 bytes (so the bigint unit starts at every offset in a block).
 *	  Prints TAP.
 */
#include "postgres.h"

#include <stdio.h>
#include <string.h>

#include "hash.h"
#include "unit.h"

#undef printf

/* The key "uplift-assign-v1" as two little-endian words. */
static uint64
key_word(const char *bytes)
{
	uint64		w = 0;

	for (int i = 0; i < 8; i++)
		w |= ((uint64) (unsigned char) bytes[i]) << (8 * i);
	return w;
}

/* The specified message: ns, seed LE, length LE, experiment, kind, unit. */
static size_t
message(unsigned char *msg, char ns, int64 seed, const char *exp, size_t elen,
		char kind, const unsigned char *unit, size_t ulen)
{
	size_t		n = 0;

	msg[n++] = (unsigned char) ns;
	for (int i = 0; i < 8; i++)
		msg[n++] = (unsigned char) ((uint64) seed >> (8 * i));
	for (int i = 0; i < 4; i++)
		msg[n++] = (unsigned char) ((uint32) elen >> (8 * i));
	memcpy(msg + n, exp, elen);
	n += elen;
	msg[n++] = (unsigned char) kind;
	memcpy(msg + n, unit, ulen);
	return n + ulen;
}

static void
test_official_vectors(void)
{
	/* SipHash-2-4, key 00 01 .. 0f, message 00 01 .. (len - 1) */
	static const struct
	{
		size_t		len;
		uint64		h;
	}			v[] = {
		{0, UINT64CONST(0x726fdb47dd0e0e31)}, {1, UINT64CONST(0x74f839c593dc67fd)},
		{2, UINT64CONST(0x0d6c8009d9a94f5a)}, {15, UINT64CONST(0xa129ca6149be45e5)},
		{32, UINT64CONST(0x7127512f72f27cce)}};
	unsigned char k[16],
				m[64];
	bool		ok = true;

	for (int i = 0; i < 16; i++)
		k[i] = (unsigned char) i;
	for (int i = 0; i < 64; i++)
		m[i] = (unsigned char) i;
	for (size_t i = 0; i < lengthof(v); i++)
		ok &= uplift_siphash24(key_word((char *) k), key_word((char *) k + 8), m, v[i].len) == v[i].h;
	unit_check(ok, "SipHash-2-4 equals the paper's test vectors");
}

static void
test_units_at_every_offset(void)
{
	static const int64 units[] = {0, 1, -1, 42, PG_INT64_MAX, PG_INT64_MIN,
	INT64CONST(0x0123456789abcdef)};
	static const int64 seeds[] = {0, 7, -1};
	static const char ns[] = {UPLIFT_HASH_NS_ACTION, UPLIFT_HASH_NS_HOLDOUT};
	const char *exp = "a-long-experiment-name-spanning-blocks-x";	/* 40 bytes */
	uint64		k0 = key_word("uplift-a"),
				k1 = key_word("ssign-v1");
	bool		int8_ok = true,
				text_ok = true;

	for (size_t elen = 0; elen <= strlen(exp); elen++)
		for (size_t s = 0; s < lengthof(seeds); s++)
			for (size_t n = 0; n < lengthof(ns); n++)
			{
				UpliftHashPrefix prefix;
				unsigned char msg[128];

				uplift_hash_prefix_init(&prefix, ns[n], seeds[s], exp, elen);
				for (size_t u = 0; u < lengthof(units); u++)
				{
					unsigned char le[8];
					size_t		len;

					for (int i = 0; i < 8; i++)
						le[i] = (unsigned char) ((uint64) units[u] >> (8 * i));
					len = message(msg, ns[n], seeds[s], exp, elen, 'I', le, 8);
					int8_ok &= uplift_hash_int8(&prefix, units[u]) ==
						uplift_siphash24(k0, k1, msg, len);
				}
				for (size_t ulen = 0; ulen <= 17; ulen++)
				{
					size_t		len = message(msg, ns[n], seeds[s], exp, elen, 'T',
											  (const unsigned char *) exp, ulen);

					text_ok &= uplift_hash_text(&prefix, exp, ulen) ==
						uplift_siphash24(k0, k1, msg, len);
				}
			}
	unit_check(int8_ok, "a bigint unit hashes as its whole message, for experiments of 0 to 40 bytes");
	unit_check(text_ok, "a text unit hashes as its whole message, for experiments of 0 to 40 bytes");
}

int
main(void)
{
	test_official_vectors();
	test_units_at_every_offset();
	return unit_done();
}
