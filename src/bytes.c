/*
 * bytes.c
 *	  Portable, bounds-checked binary encoding (see bytes.h).
 */
#include "postgres.h"

#include <ctype.h>

#include "common/base64.h"
#include "port/pg_bswap.h"
#include "utils/memutils.h"

#include "bytes.h"

void
bytes_put_u8(StringInfo buf, uint8 x)
{
	appendBinaryStringInfo(buf, (const char *) &x, 1);
}

void
bytes_put_u16(StringInfo buf, uint16 x)
{
	uint16		n = pg_hton16(x);

	appendBinaryStringInfo(buf, (const char *) &n, sizeof(n));
}

void
bytes_put_u32(StringInfo buf, uint32 x)
{
	uint32		n = pg_hton32(x);

	appendBinaryStringInfo(buf, (const char *) &n, sizeof(n));
}

void
bytes_put_u64(StringInfo buf, uint64 x)
{
	uint64		n = pg_hton64(x);

	appendBinaryStringInfo(buf, (const char *) &n, sizeof(n));
}

void
bytes_put_i32(StringInfo buf, int32 x)
{
	bytes_put_u32(buf, (uint32) x);
}

void
bytes_put_i64(StringInfo buf, int64 x)
{
	bytes_put_u64(buf, (uint64) x);
}

void
bytes_put_f64(StringInfo buf, double x)
{
	uint64		bits;

	memcpy(&bits, &x, sizeof(bits));
	bytes_put_u64(buf, bits);
}

/* n doubles in one enlargement of the buffer, byte-swapped in one loop */
void
bytes_put_f64s(StringInfo buf, const double *x, Size n)
{
	char	   *dst;

	if (n > (MaxAllocSize - (Size) buf->len - 1) / sizeof(double))
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("serialized value exceeds 1 GB"),
				 errdetail("Adding %zu values to %d bytes.", n, buf->len)));
	enlargeStringInfo(buf, (int) (n * sizeof(double)));
	dst = buf->data + buf->len;
	for (Size i = 0; i < n; i++)
	{
		uint64		bits;

		memcpy(&bits, &x[i], sizeof(bits));
		bits = pg_hton64(bits);
		memcpy(dst + i * sizeof(bits), &bits, sizeof(bits));
	}
	buf->len += (int) (n * sizeof(double));
	buf->data[buf->len] = '\0';
}

void
bytes_put_01s(StringInfo buf, const uint8 *x, Size n)
{
	if (n > MaxAllocSize - (Size) buf->len - 1)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("serialized value exceeds 1 GB"),
				 errdetail("Adding %zu values to %d bytes.", n, buf->len)));
	appendBinaryStringInfo(buf, (const char *) x, (int) n);
}

void
bytes_put_str(StringInfo buf, const char *s)
{
	Size		len = strlen(s);

	bytes_put_u32(buf, (uint32) len);
	appendBinaryStringInfo(buf, s, len);
}

void
bytes_put_sum(StringInfo buf, const NeumaierSum *s)
{
	bytes_put_f64(buf, s->sum);
	bytes_put_f64(buf, s->comp);
}

void
bytes_begin_bytea(StringInfo buf)
{
	initStringInfo(buf);
	appendStringInfoSpaces(buf, VARHDRSZ);
}

bytea *
bytes_end_bytea(StringInfo buf)
{
	bytea	   *result = (bytea *) buf->data;

	SET_VARSIZE(result, buf->len);
	return result;
}

bytea *
bytes_copy_bytea(const void *data, Size len)
{
	bytea	   *result;

	if (len > MaxAllocSize - VARHDRSZ)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("value of %zu bytes exceeds the maximum size of a bytea", len)));
	result = palloc(VARHDRSZ + len);
	SET_VARSIZE(result, VARHDRSZ + len);
	memcpy(VARDATA(result), data, len);
	return result;
}

void
bytes_reader_init(ByteReader *r, const void *data, Size len, const char *what)
{
	r->data = (const uint8 *) data;
	r->len = len;
	r->pos = 0;
	r->what = what;
}

void
bytes_corrupted(ByteReader *r, const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
			 errmsg("corrupted %s value", r->what),
			 errdetail("%s (at byte %zu of %zu).", detail, r->pos, r->len),
			 errhint("Recreate the value; it was not written by this extension or was damaged.")));
}

static const uint8 *
take(ByteReader *r, Size n)
{
	const uint8 *p;

	if (n > r->len - r->pos)
		bytes_corrupted(r, "Value is truncated");
	p = r->data + r->pos;
	r->pos += n;
	return p;
}

uint8
bytes_get_u8(ByteReader *r)
{
	return *take(r, 1);
}

uint16
bytes_get_u16(ByteReader *r)
{
	uint16		n;

	memcpy(&n, take(r, sizeof(n)), sizeof(n));
	return pg_ntoh16(n);
}

uint32
bytes_get_u32(ByteReader *r)
{
	uint32		n;

	memcpy(&n, take(r, sizeof(n)), sizeof(n));
	return pg_ntoh32(n);
}

uint64
bytes_get_u64(ByteReader *r)
{
	uint64		n;

	memcpy(&n, take(r, sizeof(n)), sizeof(n));
	return pg_ntoh64(n);
}

int32
bytes_get_i32(ByteReader *r)
{
	return (int32) bytes_get_u32(r);
}

int64
bytes_get_i64(ByteReader *r)
{
	return (int64) bytes_get_u64(r);
}

double
bytes_get_f64(ByteReader *r)
{
	uint64		bits = bytes_get_u64(r);
	double		x;

	memcpy(&x, &bits, sizeof(x));
	return x;
}

void
bytes_get_f64s(ByteReader *r, double *x, Size n)
{
	const uint8 *src;

	if (n > (r->len - r->pos) / sizeof(double))
		bytes_corrupted(r, "Value is truncated");
	src = r->data + r->pos;
	for (Size i = 0; i < n; i++)
	{
		uint64		bits;

		memcpy(&bits, src + i * sizeof(bits), sizeof(bits));
		bits = pg_ntoh64(bits);
		memcpy(&x[i], &bits, sizeof(bits));
	}
	r->pos += n * sizeof(double);
}

void
bytes_get_01s(ByteReader *r, uint8 *x, Size n)
{
	const uint8 *src = take(r, n);
	uint8		bad = 0;

	for (Size i = 0; i < n; i++)
	{
		bad |= src[i] & ~1;
		x[i] = src[i];
	}
	if (bad)
		bytes_corrupted(r, "A value of 0 or 1 is neither");
}

char *
bytes_get_str(ByteReader *r)
{
	uint32		len = bytes_get_count(r, 1, MaxAllocSize - 1);
	const uint8 *p = take(r, len);

	if (memchr(p, '\0', len) != NULL)
		bytes_corrupted(r, "String contains a zero byte");
	return pnstrdup((const char *) p, len);
}

void
bytes_get_sum(ByteReader *r, NeumaierSum *s)
{
	s->sum = bytes_get_f64(r);
	s->comp = bytes_get_f64(r);
}

uint32
bytes_get_count(ByteReader *r, Size elem_size, uint32 max_count)
{
	uint32		count = bytes_get_u32(r);

	if (count > max_count)
		bytes_corrupted(r, "Element count is out of range");
	if (elem_size > 0 && (Size) count > (r->len - r->pos) / elem_size)
		bytes_corrupted(r, "Element count exceeds the bytes present");
	return count;
}

void
bytes_expect_end(ByteReader *r)
{
	if (r->pos != r->len)
		bytes_corrupted(r, "Trailing bytes after the end of the value");
}

char *
bytes_to_base64(const bytea *v, const char *typname)
{
	int			len = VARSIZE_ANY_EXHDR(v);
	int			outlen = pg_b64_enc_len(len);
	char	   *out = palloc(outlen + 1);
	int			n = pg_b64_encode(VARDATA_ANY(v), len, out, outlen);

	if (n < 0)
		elog(ERROR, "could not encode %s", typname);
	out[n] = '\0';
	return out;
}

char *
bytes_from_base64(const char *input, const char *typname, int *len)
{
	char	   *text = palloc(strlen(input) + 1);
	int			n = 0;
	int			maxlen;
	char	   *decoded;

	/* white space, such as the line breaks of encode(..., 'base64'), is skipped */
	for (const char *c = input; *c; c++)
		if (!isspace((unsigned char) *c))
			text[n++] = *c;
	text[n] = '\0';
	maxlen = pg_b64_dec_len(n);
	decoded = palloc(maxlen + 1);
	*len = pg_b64_decode(text, n, decoded, maxlen);
	if (*len < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid input syntax for type %s", typname),
				 errdetail("The text is not valid base64."),
				 errhint("Use the text that %s output, as pg_dump writes it.", typname)));
	pfree(text);
	return decoded;
}
