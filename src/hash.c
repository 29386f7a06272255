/*
 * hash.c
 *	  The assignment hash, specified byte for byte so that applications
 *	  outside the database reproduce every assignment (doc/assignment.md).
 *
 * The hash is SipHash-2-4 (Aumasson and Bernstein, "SipHash: a fast
 * short-input PRF", INDOCRYPT 2012) with the fixed key made of the 16 ASCII
 * bytes "uplift-assign-v1" over the message
 *
 *	  offset 0        1 byte   namespace: 'A' (action draw) or 'H' (holdout)
 *	  offset 1        8 bytes  seed, int64, little-endian two's complement
 *	  offset 9        4 bytes  n = byte length of the experiment, uint32 LE
 *	  offset 13       n bytes  experiment name, as stored (UTF-8)
 *	  offset 13+n     1 byte   unit kind: 'I' (bigint) or 'T' (text)
 *	  offset 14+n     unit     bigint: 8 bytes LE two's complement;
 *	                           text: its bytes, to the end of the message
 *
 * Every multi-byte value is read and written byte by byte, so the result is
 * the same on every platform.
 */
#include "hash.h"

#include "utils/memutils.h"

/* The key: the ASCII bytes "uplift-assign-v1" read as two little-endian words. */
#define UPLIFT_HASH_K0	UINT64CONST(0x612d7466696c7075)	/* "uplift-a" */
#define UPLIFT_HASH_K1	UINT64CONST(0x31762d6e67697373)	/* "ssign-v1" */

static inline uint64
load_le64(const unsigned char *p)
{
	return (uint64) p[0] | ((uint64) p[1] << 8) | ((uint64) p[2] << 16) |
		((uint64) p[3] << 24) | ((uint64) p[4] << 32) | ((uint64) p[5] << 40) |
		((uint64) p[6] << 48) | ((uint64) p[7] << 56);
}

static inline void
store_le64(unsigned char *p, uint64 v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (unsigned char) (v >> (8 * i));
}

#define ROTL64(x, b) (((x) << (b)) | ((x) >> (64 - (b))))

#define SIPROUND(s) \
	do { \
		(s)->v0 += (s)->v1; (s)->v1 = ROTL64((s)->v1, 13); (s)->v1 ^= (s)->v0; \
		(s)->v0 = ROTL64((s)->v0, 32); \
		(s)->v2 += (s)->v3; (s)->v3 = ROTL64((s)->v3, 16); (s)->v3 ^= (s)->v2; \
		(s)->v0 += (s)->v3; (s)->v3 = ROTL64((s)->v3, 21); (s)->v3 ^= (s)->v0; \
		(s)->v2 += (s)->v1; (s)->v1 = ROTL64((s)->v1, 17); (s)->v1 ^= (s)->v2; \
		(s)->v2 = ROTL64((s)->v2, 32); \
	} while (0)

static inline void
sip_init(UpliftSipState *s, uint64 k0, uint64 k1)
{
	s->v0 = UINT64CONST(0x736f6d6570736575) ^ k0;
	s->v1 = UINT64CONST(0x646f72616e646f6d) ^ k1;
	s->v2 = UINT64CONST(0x6c7967656e657261) ^ k0;
	s->v3 = UINT64CONST(0x7465646279746573) ^ k1;
}

/* Absorb one 8-byte block (two compression rounds). */
static inline void
sip_block(UpliftSipState *s, uint64 m)
{
	s->v3 ^= m;
	SIPROUND(s);
	SIPROUND(s);
	s->v0 ^= m;
}

/* Finalize (four rounds) once the last block is absorbed; the hash. */
static inline uint64
sip_final(UpliftSipState *s)
{
	s->v2 ^= 0xff;
	SIPROUND(s);
	SIPROUND(s);
	SIPROUND(s);
	SIPROUND(s);
	return s->v0 ^ s->v1 ^ s->v2 ^ s->v3;
}

/*
 * Absorb the rest of a message whose total length is total_len, then
 * finalize and return the hash.
 */
static inline uint64
sip_finish(UpliftSipState s, const unsigned char *rest, size_t rest_len,
		   size_t total_len)
{
	size_t		full = rest_len & ~(size_t) 7;
	uint64		b = ((uint64) total_len) << 56;

	for (size_t i = 0; i < full; i += 8)
		sip_block(&s, load_le64(rest + i));
	for (size_t i = full; i < rest_len; i++)
		b |= ((uint64) rest[i]) << (8 * (i - full));
	sip_block(&s, b);
	return sip_final(&s);
}

uint64
uplift_siphash24(uint64 k0, uint64 k1, const unsigned char *msg, size_t len)
{
	UpliftSipState s;

	sip_init(&s, k0, k1);
	return sip_finish(s, msg, len, len);
}

/*
 * The prefix is absorbed once, up to its last full block; the remaining
 * bytes wait in tail[] for the unit kind and the unit.
 */
void
uplift_hash_prefix_init(UpliftHashPrefix *prefix, char ns, int64 seed,
						const char *experiment, size_t experiment_len)
{
	unsigned char header[UPLIFT_HASH_HEADER_LEN];
	size_t		pos = 0;
	unsigned char block[8];
	int			fill = 0;

	if (experiment_len > (size_t) PG_INT32_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("experiment name is too long")));
	header[0] = (unsigned char) ns;
	store_le64(header + 1, (uint64) seed);
	for (int i = 0; i < 4; i++)
		header[9 + i] = (unsigned char) (((uint32) experiment_len) >> (8 * i));

	sip_init(&prefix->state, UPLIFT_HASH_K0, UPLIFT_HASH_K1);
	prefix->len = UPLIFT_HASH_HEADER_LEN + experiment_len;
	for (pos = 0; pos < prefix->len; pos++)
	{
		block[fill++] = pos < UPLIFT_HASH_HEADER_LEN ? header[pos] :
			(unsigned char) experiment[pos - UPLIFT_HASH_HEADER_LEN];
		if (fill == 8)
		{
			sip_block(&prefix->state, load_le64(block));
			fill = 0;
		}
	}
	memcpy(prefix->tail, block, fill);
	prefix->tail_len = fill;

	/* the bytes every bigint unit's message continues with: tail, 'I' */
	block[fill++] = UPLIFT_HASH_UNIT_INT8;
	prefix->int8_state = prefix->state;
	if (fill == 8)
	{
		sip_block(&prefix->int8_state, load_le64(block));
		fill = 0;
	}
	prefix->int8_fixed = 0;
	for (int i = 0; i < fill; i++)
		prefix->int8_fixed |= ((uint64) block[i]) << (8 * i);
	prefix->int8_len = fill;
}

/* The hash of prefix + kind byte + unit bytes. */
static uint64
hash_unit(const UpliftHashPrefix *prefix, char kind,
		  const unsigned char *unit, size_t unit_len)
{
	size_t		rest_len = prefix->tail_len + 1 + unit_len;
	unsigned char stackbuf[256];
	unsigned char *rest = rest_len <= sizeof(stackbuf) ? stackbuf : palloc(rest_len);
	uint64		h;

	memcpy(rest, prefix->tail, prefix->tail_len);
	rest[prefix->tail_len] = (unsigned char) kind;
	memcpy(rest + prefix->tail_len + 1, unit, unit_len);
	h = sip_finish(prefix->state, rest, rest_len, prefix->len + 1 + unit_len);
	if (rest != stackbuf)
		pfree(rest);
	return h;
}

/*
 * A bigint unit: its 8 little-endian bytes complete the block the prefix
 * opened (int8_len bytes), and the int8_len bytes that overflow go in the
 * last block with the length byte.  The same bytes as hash_unit() would
 * absorb, without assembling them per row.
 */
uint64
uplift_hash_int8(const UpliftHashPrefix *prefix, int64 unit)
{
	UpliftSipState s = prefix->int8_state;
	uint64		u = (uint64) unit;
	int			shift = 8 * prefix->int8_len;
	uint64		last = ((uint64) (prefix->len + 9)) << 56;

	if (shift == 0)
		sip_block(&s, u);
	else
	{
		sip_block(&s, prefix->int8_fixed | (u << shift));
		last |= u >> (64 - shift);
	}
	sip_block(&s, last);
	return sip_final(&s);
}

uint64
uplift_hash_text(const UpliftHashPrefix *prefix, const char *unit, size_t unit_len)
{
	return hash_unit(prefix, UPLIFT_HASH_UNIT_TEXT,
					 (const unsigned char *) unit, unit_len);
}
