/*
 * bytes.h
 *	  Portable, bounds-checked binary encoding shared by the stored model
 *	  format and the serialized aggregate states.
 *
 * Everything is written in network byte order (big-endian), so a value
 * written on one platform reads back on any other.  The reader checks every
 * length against the bytes that remain before it reads, and reports a
 * corrupted value with ERRCODE_INVALID_BINARY_REPRESENTATION naming "what".
 */
#ifndef UPLIFT_BYTES_H
#define UPLIFT_BYTES_H

#include "postgres.h"
#include "lib/stringinfo.h"

#include "uplift.h"

/* Writing: append to a StringInfo. */
extern void bytes_put_u8(StringInfo buf, uint8 x);
extern void bytes_put_u16(StringInfo buf, uint16 x);
extern void bytes_put_u32(StringInfo buf, uint32 x);
extern void bytes_put_u64(StringInfo buf, uint64 x);
extern void bytes_put_i32(StringInfo buf, int32 x);
extern void bytes_put_i64(StringInfo buf, int64 x);
extern void bytes_put_f64(StringInfo buf, double x);
extern void bytes_put_f64s(StringInfo buf, const double *x, Size n);
/* n bytes that are each 0 or 1 */
extern void bytes_put_01s(StringInfo buf, const uint8 *x, Size n);
/* a string: u32 length, then the bytes (no terminator) */
extern void bytes_put_str(StringInfo buf, const char *s);
/* a compensated sum: f64 sum, f64 compensation */
extern void bytes_put_sum(StringInfo buf, const NeumaierSum *s);

/*
 * Building a bytea (a serialized state): start the StringInfo with
 * bytes_begin_bytea, append, then bytes_end_bytea turns the buffer itself
 * into the bytea, without a copy.  bytes_copy_bytea copies len bytes.
 */
extern void bytes_begin_bytea(StringInfo buf);
extern bytea *bytes_end_bytea(StringInfo buf);
extern bytea *bytes_copy_bytea(const void *data, Size len);

/*
 * The text form of the binary types (uplift_model, uplift_drift_profile):
 * base64.  bytes_from_base64 skips white space, returns the palloc'd bytes
 * and sets *len; text that is not base64 is an error naming typname.
 */
extern char *bytes_to_base64(const bytea *v, const char *typname);
extern char *bytes_from_base64(const char *input, const char *typname, int *len);

/* Reading: a cursor over a byte range. */
typedef struct ByteReader
{
	const uint8 *data;
	Size		len;
	Size		pos;
	const char *what;			/* for error messages, e.g. "uplift_model" */
} ByteReader;

extern void bytes_reader_init(ByteReader *r, const void *data, Size len,
							  const char *what);
extern uint8 bytes_get_u8(ByteReader *r);
extern uint16 bytes_get_u16(ByteReader *r);
extern uint32 bytes_get_u32(ByteReader *r);
extern uint64 bytes_get_u64(ByteReader *r);
extern int32 bytes_get_i32(ByteReader *r);
extern int64 bytes_get_i64(ByteReader *r);
extern double bytes_get_f64(ByteReader *r);
extern void bytes_get_f64s(ByteReader *r, double *x, Size n);
/* what bytes_put_01s wrote; a byte other than 0 or 1 is corrupted */
extern void bytes_get_01s(ByteReader *r, uint8 *x, Size n);
/* a palloc'd, NUL-terminated string; errors on an embedded NUL */
extern char *bytes_get_str(ByteReader *r);
extern void bytes_get_sum(ByteReader *r, NeumaierSum *s);

/*
 * Read a u32 count of elements of elem_size bytes each that must follow; an
 * error unless count <= max_count and they fit in the bytes that remain.
 */
extern uint32 bytes_get_count(ByteReader *r, Size elem_size, uint32 max_count);

/* Error unless every byte was consumed. */
extern void bytes_expect_end(ByteReader *r);

/* Report a corrupted value; "detail" says what is wrong. */
extern void bytes_corrupted(ByteReader *r, const char *detail) pg_attribute_noreturn();

#endif							/* UPLIFT_BYTES_H */
