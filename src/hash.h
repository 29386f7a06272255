/*
 * hash.h
 *	  The assignment hash: SipHash-2-4 over a fixed byte layout of
 *	  (namespace, seed, experiment, unit id), and the uniform number in
 *	  [0, 1) drawn from it.  doc/assignment.md is the specification.
 */
#ifndef UPLIFT_HASH_H
#define UPLIFT_HASH_H

#include "postgres.h"

/*
 * Namespace bytes: one hash space for action draws, one for holdouts, one
 * for the ranges of experiment namespaces (namespace.c).
 */
#define UPLIFT_HASH_NS_ACTION	'A'
#define UPLIFT_HASH_NS_HOLDOUT	'H'
#define UPLIFT_HASH_NS_NAMESPACE	'N'

/* Unit kind bytes. */
#define UPLIFT_HASH_UNIT_INT8	'I'
#define UPLIFT_HASH_UNIT_TEXT	'T'

/* Header length before the experiment bytes: namespace, seed, length. */
#define UPLIFT_HASH_HEADER_LEN	13

/* SipHash-2-4 of len bytes with the 128-bit key (k0, k1). */
extern uint64 uplift_siphash24(uint64 k0, uint64 k1, const unsigned char *msg, size_t len);

/* SipHash's four state words. */
typedef struct UpliftSipState
{
	uint64		v0,
				v1,
				v2,
				v3;
} UpliftSipState;

/*
 * A hash prefix: the message bytes that depend only on namespace, seed and
 * experiment, absorbed once per call site; the unit kind and unit follow.
 */
typedef struct UpliftHashPrefix
{
	UpliftSipState state;		/* after the prefix's full 8-byte blocks */
	unsigned char tail[8];		/* the prefix's last len % 8 bytes */
	int			tail_len;
	size_t		len;			/* prefix length: 13 + experiment length */

	/*
	 * A bigint unit's message is the tail, the kind byte 'I' and 8 bytes:
	 * when the tail and kind fill a block, it is absorbed here too, and the
	 * int8_len bytes left over (0..7) open the unit's first block.
	 */
	UpliftSipState int8_state;
	uint64		int8_fixed;		/* those bytes, little-endian */
	int			int8_len;
} UpliftHashPrefix;

extern void uplift_hash_prefix_init(UpliftHashPrefix *prefix, char ns, int64 seed,
									const char *experiment, size_t experiment_len);

/* The 64-bit hash of prefix + unit. */
extern uint64 uplift_hash_int8(const UpliftHashPrefix *prefix, int64 unit);
extern uint64 uplift_hash_text(const UpliftHashPrefix *prefix,
							   const char *unit, size_t unit_len);

/* The top 53 bits of a hash as a double in [0, 1): (h >> 11) * 2^-53. */
static inline double
uplift_hash_uniform(uint64 h)
{
	return (double) (h >> 11) * (1.0 / 9007199254740992.0);
}

#endif							/* UPLIFT_HASH_H */
