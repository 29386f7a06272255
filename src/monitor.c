/*
 * monitor.c
 *	  SQL glue of drift monitoring: the uplift_drift_profile type and
 *	  aggregate (whose state is of type uplift_drift_profile_state),
 *	  uplift_drift over query texts or a stored profile, and the chi-square
 *	  p-value.  The numerics live in drift.c.
 */
#include "postgres.h"

#include <float.h>

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "libpq/pqformat.h"
#include "miscadmin.h"
#include "nodes/parsenodes.h"
#include "parser/parser.h"
#include "port/pg_crc32c.h"
#include "utils/builtins.h"
#include "utils/float.h"
#include "utils/json.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/typcache.h"

#include "aggstate.h"
#include "arrays.h"
#include "bytes.h"
#include "drift.h"
#include "options.h"
#include "uplift.h"

#define PROFILE_MAGIC 0x55445250	/* "UDRP" */
#define PROFILE_VERSION 2		/* 1: without the grid's rank error */
#define STATE_VERSION 3		/* 2: without the checksum; 1: without the
								 * numeric columns' sketches */
#define MAX_STATE_COUNT (INT64CONST(1) << 53)	/* a count the state may hold */
#define MAX_LEVELS 1000			/* distinct values of a categorical column */
#define MAX_COLUMNS 1600

/*
 * The aggregate keeps a numeric column's values exactly up to a cap, then
 * folds them into a bounded sketch (a profile column) and starts again: at
 * most STATE_VALUES values over all numeric columns, between
 * STATE_COLUMN_MIN and STATE_COLUMN_MAX per column.
 */
#define STATE_VALUES (INT64CONST(1) << 24)
#define STATE_COLUMN_MIN (INT64CONST(1) << 14)
#define STATE_COLUMN_MAX (INT64CONST(1) << 20)

typedef enum DriftKind
{
	KIND_NUMERIC = 0,
	KIND_CATEGORICAL = 1
} DriftKind;

static const char *const kind_names[] = {"numeric", "categorical"};

/* ---------------------------------------------------------------------
 * Levels of a categorical reference column: an open-addressing hash.
 */
typedef struct LevelMap
{
	int			nlevels;
	int			nslots;			/* a power of 2, above twice MAX_LEVELS */
	char	  **names;
	int64	   *counts;
	int		   *slots;			/* index + 1; 0 is empty */
} LevelMap;

static void
levels_init(LevelMap *m)
{
	m->nlevels = 0;
	m->nslots = 4096;
	m->names = palloc(MAX_LEVELS * sizeof(char *));
	m->counts = palloc0(MAX_LEVELS * sizeof(int64));
	m->slots = palloc0(m->nslots * sizeof(int));
}

/* add count to the level s, creating it; the column name is for errors */
static void
levels_add(LevelMap *m, const char *s, int64 count, const char *column)
{
	uint32		h = hash_bytes((const unsigned char *) s, strlen(s));
	int			slot = h & (m->nslots - 1);

	while (m->slots[slot] != 0)
	{
		int			i = m->slots[slot] - 1;

		if (strcmp(m->names[i], s) == 0)
		{
			m->counts[i] += count;
			return;
		}
		slot = (slot + 1) & (m->nslots - 1);
	}
	if (m->nlevels >= MAX_LEVELS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("column \"%s\" of the reference has more than %d distinct values",
						column, MAX_LEVELS),
				 errhint("Group rare values into one level in the query, or pass the column as a number.")));
	m->names[m->nlevels] = pstrdup(s);
	m->counts[m->nlevels] = count;
	m->slots[slot] = ++m->nlevels;
}

/* ---------------------------------------------------------------------
 * A sample: every value of every column (the reference while a profile is
 * built, the aggregate's state, the current window of an exact check).
 */
typedef struct ProfileColumn ProfileColumn;

typedef struct SampleColumn
{
	char	   *name;
	DriftKind	kind;
	int64		nnull;
	double	   *values;			/* numeric */
	int64		nvalues;
	int64		cap;
	ProfileColumn *sketch;		/* values folded away (the aggregate), or NULL */
	LevelMap	levels;			/* categorical */
} SampleColumn;

typedef struct Sample
{
	int			ncols;
	SampleColumn *cols;
	TupleDesc	desc;			/* of the aggregate's record input */
	int64		column_cap;		/* values kept per numeric column (aggregate) */
} Sample;

static int
column_kind(Oid t)
{
	switch (t)
	{
		case INT2OID:
		case INT4OID:
		case INT8OID:
		case FLOAT4OID:
		case FLOAT8OID:
		case NUMERICOID:
			return KIND_NUMERIC;
		case TEXTOID:
		case VARCHAROID:
		case BPCHAROID:
		case BOOLOID:
			return KIND_CATEGORICAL;
		default:
			return -1;
	}
}

/* the kind of column i of a query's result, or an error naming it */
static DriftKind
checked_kind(TupleDesc desc, int i, const char *which)
{
	Form_pg_attribute att = TupleDescAttr(desc, i);
	int			kind = column_kind(att->atttypid);

	if (kind < 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("column \"%s\" of the %s has type %s",
						NameStr(att->attname), which, format_type_be(att->atttypid)),
				 errdetail("Features must be numbers (integer, float or numeric) or categories (text or boolean)."),
				 errhint("Cast the column in the query, for example %s::float8 or %s::text.",
						 NameStr(att->attname), NameStr(att->attname))));
	return (DriftKind) kind;
}

static double
numeric_value(Datum d, Oid t, const char *column)
{
	double		v;

	switch (t)
	{
		case INT2OID:
			v = DatumGetInt16(d);
			break;
		case INT4OID:
			v = DatumGetInt32(d);
			break;
		case INT8OID:
			v = (double) DatumGetInt64(d);
			break;
		case FLOAT4OID:
			v = DatumGetFloat4(d);
			break;
		case FLOAT8OID:
			v = DatumGetFloat8(d);
			break;
		default:
			v = uplift_numeric_double((Numeric) DatumGetPointer(d), true);
			break;
	}
	if (isnan(v) || isinf(v))
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("column \"%s\" has a value that is not finite", column),
				 errhint("Filter out or replace NaN and infinite values in the query.")));
	return v;
}

/* a categorical value as a string, palloc'd in the current context */
static char *
level_value(Datum d, Oid t)
{
	if (t == BOOLOID)
		return pstrdup(DatumGetBool(d) ? "true" : "false");
	if (t == BPCHAROID)
		return TextDatumGetCString(DirectFunctionCall1(rtrim1, d));
	return TextDatumGetCString(d);
}

static void
sample_init(Sample *s, TupleDesc desc, const char *which)
{
	if (desc->natts > MAX_COLUMNS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("the %s has more than %d columns", which, MAX_COLUMNS)));
	s->ncols = desc->natts;
	s->cols = palloc0(s->ncols * sizeof(SampleColumn));
	if (s->ncols == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the %s has no columns", which),
				 errhint("Select the features to compare.")));
	for (int i = 0; i < s->ncols; i++)
	{
		SampleColumn *c = &s->cols[i];

		for (int j = 0; j < i; j++)
			if (strcmp(NameStr(TupleDescAttr(desc, j)->attname),
					   NameStr(TupleDescAttr(desc, i)->attname)) == 0)
				ereport(ERROR,
						(errcode(ERRCODE_DUPLICATE_COLUMN),
						 errmsg("column \"%s\" appears twice in the %s",
								NameStr(TupleDescAttr(desc, i)->attname), which),
						 errhint("Give every column its own name with AS.")));

		c->name = pstrdup(NameStr(TupleDescAttr(desc, i)->attname));
		c->kind = checked_kind(desc, i, which);
		if (c->kind == KIND_CATEGORICAL)
			levels_init(&c->levels);
		else
		{
			c->cap = 1024;
			c->values = palloc(c->cap * sizeof(double));
		}
	}
}

static void
values_reserve(SampleColumn *c, int64 extra)
{
	if (c->nvalues + extra <= c->cap)
		return;
	while (c->cap < c->nvalues + extra)
		c->cap *= 2;
	if ((Size) c->cap * sizeof(double) > MaxAllocHugeSize)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("column \"%s\" has too many values to keep", c->name)));
	c->values = repalloc_huge(c->values, c->cap * sizeof(double));
}

/* add one row; scratch is reset by the caller (categorical strings) */
static void
sample_add_row(Sample *s, TupleDesc desc, Datum *values, bool *nulls,
			   MemoryContext cxt, MemoryContext scratch)
{
	for (int i = 0; i < s->ncols; i++)
	{
		SampleColumn *c = &s->cols[i];
		Oid			t = TupleDescAttr(desc, i)->atttypid;

		if (nulls[i])
			c->nnull++;
		else if (c->kind == KIND_NUMERIC)
		{
			MemoryContext old = MemoryContextSwitchTo(cxt);

			values_reserve(c, 1);
			MemoryContextSwitchTo(old);
			c->values[c->nvalues++] = numeric_value(values[i], t, c->name);
		}
		else
		{
			MemoryContext old = MemoryContextSwitchTo(scratch);
			char	   *level = level_value(values[i], t);

			MemoryContextSwitchTo(cxt);
			levels_add(&c->levels, level, 1, c->name);
			MemoryContextSwitchTo(old);
		}
	}
}

/* ---------------------------------------------------------------------
 * The profile: what the checks need of the reference, bounded.
 */
struct ProfileColumn
{
	char	   *name;
	DriftKind	kind;
	int64		n;
	int64		nnull;
	double		edges[DRIFT_BINS - 1];	/* numeric */
	double		bins[DRIFT_BINS];
	double		mean;
	double		std;
	DriftGrid	grid;
	double		rank_error;		/* bound on the grid's error (merged profiles) */
	int			nlevels;		/* categorical, sorted by strcmp */
	char	  **levels;
	double	   *counts;
};

typedef struct Profile
{
	int			ncols;
	ProfileColumn *cols;
} Profile;

static void too_large(const char *column, const char *which) pg_attribute_noreturn();
static void merge_numeric(ProfileColumn *out, const ProfileColumn *a, const ProfileColumn *b);

static int
cmp_double(const void *a, const void *b)
{
	double		x = *(const double *) a,
				y = *(const double *) b;

	return (x > y) - (x < y);
}

static int
cmp_level(const void *a, const void *b, void *arg)
{
	const LevelMap *m = arg;

	return strcmp(m->names[*(const int *) a], m->names[*(const int *) b]);
}

static void
profile_numeric(ProfileColumn *p, SampleColumn *c)
{
	NeumaierSum sum = {0, 0},
				ss = {0, 0};
	int64		n = c->nvalues;

	qsort(c->values, n, sizeof(double), cmp_double);
	drift_decile_edges(c->values, n, p->edges);
	for (int64 i = 0; i < n; i++)
	{
		p->bins[drift_bin(p->edges, c->values[i])] += 1;
		neumaier_add(&sum, c->values[i]);
	}
	p->mean = neumaier_value(&sum) / n;
	for (int64 i = 0; i < n; i++)
		neumaier_add(&ss, (c->values[i] - p->mean) * (c->values[i] - p->mean));
	p->std = sqrt(neumaier_value(&ss) / n);
	if (!isfinite(p->mean) || !isfinite(p->std))
		too_large(c->name, "reference");
	drift_grid_build(&p->grid, c->values, n);
}

static void
profile_categorical(ProfileColumn *p, SampleColumn *c)
{
	LevelMap   *m = &c->levels;
	int		   *order = palloc(m->nlevels * sizeof(int));

	for (int i = 0; i < m->nlevels; i++)
		order[i] = i;
	qsort_arg(order, m->nlevels, sizeof(int), cmp_level, m);
	p->nlevels = m->nlevels;
	p->levels = palloc(m->nlevels * sizeof(char *));
	p->counts = palloc(m->nlevels * sizeof(double));
	for (int i = 0; i < m->nlevels; i++)
	{
		p->levels[i] = m->names[order[i]];
		p->counts[i] = (double) m->counts[order[i]];
	}
}

/* the profile of a numeric column's kept values (sorts them in place) */
static void
profile_kept(ProfileColumn *kept, SampleColumn *c)
{
	memset(kept, 0, sizeof(ProfileColumn));
	kept->name = c->name;
	kept->kind = KIND_NUMERIC;
	kept->n = c->nvalues;
	profile_numeric(kept, c);
}

/*
 * A numeric column's profile from its kept values and its sketch (values
 * folded away by the aggregate), leaving the sketch as it is.
 */
static void
profile_numeric_sketched(ProfileColumn *pc, SampleColumn *c)
{
	ProfileColumn kept;

	if (c->sketch == NULL)
	{
		profile_numeric(pc, c);
		return;
	}
	if (c->nvalues == 0)
	{
		*pc = *c->sketch;
		pc->name = c->name;
		pc->nnull = c->nnull;
		return;
	}
	profile_kept(&kept, c);
	merge_numeric(pc, c->sketch, &kept);
}

/* The profile of a reference sample; sorts the sample's values in place. */
static Profile *
profile_from_sample(Sample *s)
{
	Profile    *p = palloc(sizeof(Profile));

	p->ncols = s->ncols;
	p->cols = palloc0(s->ncols * sizeof(ProfileColumn));
	for (int i = 0; i < s->ncols; i++)
	{
		SampleColumn *c = &s->cols[i];
		ProfileColumn *pc = &p->cols[i];

		pc->name = c->name;
		pc->kind = c->kind;
		pc->nnull = c->nnull;
		pc->n = c->kind == KIND_NUMERIC ? c->nvalues + (c->sketch ? c->sketch->n : 0) : 0;
		if (c->kind == KIND_CATEGORICAL)
			for (int l = 0; l < c->levels.nlevels; l++)
				pc->n += c->levels.counts[l];
		if (pc->n == 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("column \"%s\" of the reference has no values", c->name),
					 errdetail("It is NULL on every row."),
					 errhint("Leave the column out of both queries, or choose a reference window where it is filled.")));
		if (c->kind == KIND_NUMERIC)
			profile_numeric_sketched(pc, c);
		else
			profile_categorical(pc, c);
	}
	return p;
}

/* CRC-32C of a profile's bytes before its trailing checksum */
static uint32
profile_crc(const void *data, Size len)
{
	pg_crc32c	crc;

	INIT_CRC32C(crc);
	COMP_CRC32C(crc, data, len);
	FIN_CRC32C(crc);
	return crc;
}

/* error unless the trailing checksum matches; then stop the reader before it */
static void
profile_check_crc(ByteReader *r)
{
	ByteReader	tail;

	if (r->len < 4)
		bytes_corrupted(r, "it is too short");
	bytes_reader_init(&tail, r->data + r->len - 4, 4, r->what);
	if (bytes_get_u32(&tail) != profile_crc(r->data, r->len - 4))
		bytes_corrupted(r, "its checksum does not match its contents");
	r->len -= 4;
}

/* a numeric column's summary, in the profile's format and the state's */
static void
profile_put_numeric(StringInfo buf, const ProfileColumn *c)
{
	bytes_put_f64s(buf, c->edges, DRIFT_BINS - 1);
	bytes_put_f64s(buf, c->bins, DRIFT_BINS);
	bytes_put_f64(buf, c->mean);
	bytes_put_f64(buf, c->std);
	bytes_put_u32(buf, c->grid.npoints);
	bytes_put_f64s(buf, c->grid.x, c->grid.npoints);
	bytes_put_f64s(buf, c->grid.cdf_left, c->grid.npoints);
	bytes_put_f64s(buf, c->grid.cdf, c->grid.npoints);
	bytes_put_f64(buf, c->rank_error);
}

static bytea *
profile_write(const Profile *p)
{
	StringInfoData buf;

	bytes_begin_bytea(&buf);
	bytes_put_u32(&buf, PROFILE_MAGIC);
	bytes_put_u8(&buf, PROFILE_VERSION);
	bytes_put_u32(&buf, p->ncols);
	for (int i = 0; i < p->ncols; i++)
	{
		const ProfileColumn *c = &p->cols[i];

		bytes_put_str(&buf, c->name);
		bytes_put_u8(&buf, c->kind);
		bytes_put_i64(&buf, c->n);
		bytes_put_i64(&buf, c->nnull);
		if (c->kind == KIND_NUMERIC)
			profile_put_numeric(&buf, c);
		else
		{
			bytes_put_u32(&buf, c->nlevels);
			for (int l = 0; l < c->nlevels; l++)
			{
				bytes_put_str(&buf, c->levels[l]);
				bytes_put_f64(&buf, c->counts[l]);
			}
		}
	}
	bytes_put_u32(&buf, profile_crc(buf.data + VARHDRSZ, buf.len - VARHDRSZ));
	return bytes_end_bytea(&buf);
}

static void
check_finite_array(ByteReader *r, const double *x, int n, bool increasing,
				   double lo, double hi)
{
	for (int i = 0; i < n; i++)
		if (!(x[i] >= lo && x[i] <= hi) || (increasing && i > 0 && !(x[i] > x[i - 1])))
			bytes_corrupted(r, "a value of the reference grid is out of range or out of order");
}

static void
profile_read_numeric(ByteReader *r, ProfileColumn *c, int version)
{
	int			np;

	bytes_get_f64s(r, c->edges, DRIFT_BINS - 1);
	bytes_get_f64s(r, c->bins, DRIFT_BINS);
	c->mean = bytes_get_f64(r);
	c->std = bytes_get_f64(r);
	np = bytes_get_count(r, 3 * sizeof(double), DRIFT_GRID + 1);
	if (np < 1)
		bytes_corrupted(r, "a numeric column has an empty grid");
	c->grid.npoints = np;
	c->grid.x = palloc(np * sizeof(double));
	c->grid.cdf_left = palloc(np * sizeof(double));
	c->grid.cdf = palloc(np * sizeof(double));
	bytes_get_f64s(r, c->grid.x, np);
	bytes_get_f64s(r, c->grid.cdf_left, np);
	bytes_get_f64s(r, c->grid.cdf, np);
	c->rank_error = (version >= 2) ? bytes_get_f64(r) : 0.0;
	if (!(c->rank_error >= 0 && c->rank_error <= 1))
		bytes_corrupted(r, "a numeric column's rank error is out of range");
	check_finite_array(r, c->edges, DRIFT_BINS - 1, false, -DBL_MAX, DBL_MAX);
	check_finite_array(r, c->bins, DRIFT_BINS, false, 0, (double) c->n);
	check_finite_array(r, c->grid.x, np, true, -DBL_MAX, DBL_MAX);
	check_finite_array(r, c->grid.cdf_left, np, false, 0, 1);
	check_finite_array(r, c->grid.cdf, np, false, 0, 1);
	if (!isfinite(c->mean) || !(c->std >= 0 && isfinite(c->std)))
		bytes_corrupted(r, "a numeric column has a non-finite mean or deviation");
}

static void
profile_read_categorical(ByteReader *r, ProfileColumn *c)
{
	int			nl = bytes_get_count(r, 12, MAX_LEVELS);

	c->nlevels = nl;
	c->levels = palloc(Max(nl, 1) * sizeof(char *));
	c->counts = palloc(Max(nl, 1) * sizeof(double));
	for (int l = 0; l < nl; l++)
	{
		c->levels[l] = bytes_get_str(r);
		c->counts[l] = bytes_get_f64(r);
		if (!(c->counts[l] >= 0 && c->counts[l] <= (double) c->n))
			bytes_corrupted(r, "a level count is out of range");
		if (l > 0 && strcmp(c->levels[l - 1], c->levels[l]) >= 0)
			bytes_corrupted(r, "the levels are not sorted");
	}
}

static Profile *
profile_read(const void *data, Size len)
{
	ByteReader	r;
	Profile    *p = palloc(sizeof(Profile));
	uint8		version;

	bytes_reader_init(&r, data, len, "uplift_drift_profile");
	profile_check_crc(&r);
	if (bytes_get_u32(&r) != PROFILE_MAGIC)
		bytes_corrupted(&r, "it does not start with the profile's magic number");
	version = bytes_get_u8(&r);
	if (version < 1 || version > PROFILE_VERSION)
		bytes_corrupted(&r, "its format version is not known to this version of uplift");
	p->ncols = bytes_get_count(&r, 22, MAX_COLUMNS);
	if (p->ncols < 1)
		bytes_corrupted(&r, "it has no columns");
	p->cols = palloc0(p->ncols * sizeof(ProfileColumn));
	for (int i = 0; i < p->ncols; i++)
	{
		ProfileColumn *c = &p->cols[i];
		uint8		kind;

		c->name = bytes_get_str(&r);
		kind = bytes_get_u8(&r);
		c->n = bytes_get_i64(&r);
		c->nnull = bytes_get_i64(&r);
		if (kind > KIND_CATEGORICAL || c->n < 1 || c->nnull < 0)
			bytes_corrupted(&r, "a column header is out of range");
		c->kind = (DriftKind) kind;
		if (c->kind == KIND_NUMERIC)
			profile_read_numeric(&r, c, version);
		else
			profile_read_categorical(&r, c);
	}
	bytes_expect_end(&r);
	return p;
}

static Profile *
profile_from_datum(Datum d)
{
	bytea	   *v = DatumGetByteaPP(d);

	return profile_read(VARDATA_ANY(v), VARSIZE_ANY_EXHDR(v));
}

/* ---------------------------------------------------------------------
 * The type's input, output, receive and send functions: the binary format
 * above, as base64 in text.
 */
PG_FUNCTION_INFO_V1(uplift_drift_profile_in);
Datum
uplift_drift_profile_in(PG_FUNCTION_ARGS)
{
	int			len;
	char	   *decoded = bytes_from_base64(PG_GETARG_CSTRING(0), "uplift_drift_profile", &len);

	profile_read(decoded, len);
	PG_RETURN_BYTEA_P(bytes_copy_bytea(decoded, len));
}

PG_FUNCTION_INFO_V1(uplift_drift_profile_out);
Datum
uplift_drift_profile_out(PG_FUNCTION_ARGS)
{
	PG_RETURN_CSTRING(bytes_to_base64(PG_GETARG_BYTEA_PP(0), "uplift_drift_profile"));
}

PG_FUNCTION_INFO_V1(uplift_drift_profile_recv);
Datum
uplift_drift_profile_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	int			len = buf->len - buf->cursor;
	const char *data = pq_getmsgbytes(buf, len);

	profile_read(data, len);
	PG_RETURN_BYTEA_P(bytes_copy_bytea(data, len));
}

PG_FUNCTION_INFO_V1(uplift_drift_profile_send);
Datum
uplift_drift_profile_send(PG_FUNCTION_ARGS)
{
	bytea	   *v = PG_GETARG_BYTEA_PP(0);

	PG_RETURN_BYTEA_P(bytes_copy_bytea(VARDATA_ANY(v), VARSIZE_ANY_EXHDR(v)));
}

/* no reference mass strictly between grid points: KS on the grid is exact */
static bool
grid_is_exact(const DriftGrid *g)
{
	for (int k = 1; k < g->npoints; k++)
		if (g->cdf_left[k] != g->cdf[k - 1])
			return false;
	return true;
}

/* A readable summary of a profile (jsonb), for inspection and tests. */
PG_FUNCTION_INFO_V1(uplift_drift_profile_info);
Datum
uplift_drift_profile_info(PG_FUNCTION_ARGS)
{
	Profile    *p = profile_from_datum(PG_GETARG_DATUM(0));
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfo(&buf, "{\"format_version\": %d, \"columns\": [", PROFILE_VERSION);
	for (int i = 0; i < p->ncols; i++)
	{
		ProfileColumn *c = &p->cols[i];

		appendStringInfoString(&buf, i ? ", {\"name\": " : "{\"name\": ");
		escape_json(&buf, c->name);
		appendStringInfo(&buf, ", \"kind\": \"%s\", \"n\": " INT64_FORMAT ", \"nulls\": " INT64_FORMAT,
						 kind_names[c->kind], c->n, c->nnull);
		if (c->kind == KIND_NUMERIC)
		{
			appendStringInfoString(&buf, ", \"deciles\": [");
			for (int k = 0; k < DRIFT_BINS - 1; k++)
				appendStringInfo(&buf, "%s%s", k ? ", " : "", float8out_internal(c->edges[k]));
			appendStringInfoString(&buf, "], \"bin_counts\": [");
			for (int k = 0; k < DRIFT_BINS; k++)
				appendStringInfo(&buf, "%s%.0f", k ? ", " : "", c->bins[k]);
			appendStringInfo(&buf, "], \"mean\": %s, \"std\": %s, \"grid_points\": %d, \"exact\": %s, \"rank_error\": %s",
							 float8out_internal(c->mean), float8out_internal(c->std), c->grid.npoints,
							 grid_is_exact(&c->grid) && c->rank_error == 0 ? "true" : "false",
							 float8out_internal(c->rank_error));
		}
		else
		{
			appendStringInfoString(&buf, ", \"levels\": {");
			for (int l = 0; l < c->nlevels; l++)
			{
				if (l)
					appendStringInfoString(&buf, ", ");
				escape_json(&buf, c->levels[l]);
				appendStringInfo(&buf, ": %.0f", c->counts[l]);
			}
			appendStringInfoChar(&buf, '}');
		}
		appendStringInfoChar(&buf, '}');
	}
	appendStringInfoString(&buf, "]}");
	PG_RETURN_DATUM(DirectFunctionCall1(jsonb_in, CStringGetDatum(buf.data)));
}

/* ---------------------------------------------------------------------
 * Merging the profiles of separate windows (or shards) into the profile of
 * their union.  Counts, nulls and levels add up exactly; the mean and the
 * deviation are combined by Chan et al.'s formula; the grids are merged (see
 * drift_grid_merge) and the deciles and their bin counts are read from the
 * merged grid: exact while the grids hold every distinct value, otherwise
 * within the rank error the merged column carries.
 */
static void
too_large(const char *column, const char *which)
{
	ereport(ERROR,
			(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			 errmsg("column \"%s\" of the %s has values too large to profile", column, which),
			 errdetail("Their mean or standard deviation overflows a double."),
			 errhint("Rescale the column in the query, for example divide it by a power of 10.")));
}

static void
merge_numeric(ProfileColumn *out, const ProfileColumn *a, const ProfileColumn *b)
{
	double		na = (double) a->n,
				nb = (double) b->n,
				n = na + nb;
	double		d = b->mean - a->mean;
	double		m2 = na * a->std * a->std + nb * b->std * b->std + d * d * (na / n) * nb;
	double		below = 0.0;
	bool		exact;

	out->mean = a->mean + d * (nb / n);
	out->std = sqrt(m2 / n);
	if (!isfinite(out->mean) || !isfinite(out->std))
		too_large(out->name, "merged profiles");
	out->rank_error = drift_grid_merge(&a->grid, na, a->rank_error,
									   &b->grid, nb, b->rank_error, &out->grid);
	exact = (out->rank_error == 0 && grid_is_exact(&out->grid));
	for (int k = 1; k < DRIFT_BINS; k++)
		out->edges[k - 1] = drift_grid_quantile(&out->grid, n, (double) k / DRIFT_BINS);
	for (int k = 0; k < DRIFT_BINS; k++)
	{
		double		upto = (k == DRIFT_BINS - 1) ? n :
			drift_grid_count_le(&out->grid, n, out->edges[k]);

		if (exact)
			upto = rint(upto);
		out->bins[k] = Max(upto - below, 0.0);
		below = upto;
	}
}

static void
merge_categorical(ProfileColumn *out, const ProfileColumn *a, const ProfileColumn *b)
{
	int			i = 0,
				j = 0,
				nl = 0;

	out->levels = palloc((a->nlevels + b->nlevels) * sizeof(char *));
	out->counts = palloc((a->nlevels + b->nlevels) * sizeof(double));
	while (i < a->nlevels || j < b->nlevels)
	{
		int			cmp = (i >= a->nlevels) ? 1 : (j >= b->nlevels) ? -1 :
			strcmp(a->levels[i], b->levels[j]);

		out->levels[nl] = (cmp <= 0) ? a->levels[i] : b->levels[j];
		out->counts[nl] = (cmp <= 0 ? a->counts[i++] : 0) + (cmp >= 0 ? b->counts[j++] : 0);
		nl++;
	}
	if (nl > MAX_LEVELS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("column \"%s\" of the merged profiles has more than %d distinct values",
						out->name, MAX_LEVELS),
				 errhint("Group rare values into one level in the queries that build the profiles.")));
	out->nlevels = nl;
}

/* the column of p named name, or an error naming the profile that lacks it */
static const ProfileColumn *
profile_column(const Profile *p, const char *name, const char *which)
{
	for (int i = 0; i < p->ncols; i++)
		if (strcmp(p->cols[i].name, name) == 0)
			return &p->cols[i];
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_COLUMN_REFERENCE),
			 errmsg("column \"%s\" is missing from the %s profile", name, which),
			 errhint("Merge profiles built over the same columns, by name.")));
	return NULL;
}

static Profile *
profile_merge(const Profile *a, const Profile *b)
{
	Profile    *p = palloc(sizeof(Profile));

	for (int j = 0; j < b->ncols; j++)
		profile_column(a, b->cols[j].name, "first");
	p->ncols = a->ncols;
	p->cols = palloc0(a->ncols * sizeof(ProfileColumn));
	for (int i = 0; i < a->ncols; i++)
	{
		const ProfileColumn *ca = &a->cols[i];
		const ProfileColumn *cb = profile_column(b, ca->name, "second");
		ProfileColumn *c = &p->cols[i];

		if (ca->kind != cb->kind)
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("column \"%s\" is %s in the first profile and %s in the second",
							ca->name, kind_names[ca->kind], kind_names[cb->kind]),
					 errhint("Merge profiles built over the same columns with the same kinds of types.")));
		c->name = ca->name;
		c->kind = ca->kind;
		c->n = ca->n + cb->n;
		c->nnull = ca->nnull + cb->nnull;
		if (c->kind == KIND_NUMERIC)
			merge_numeric(c, ca, cb);
		else
			merge_categorical(c, ca, cb);
	}
	return p;
}

/* the merge of two profile arguments; a NULL side gives the other */
static Datum
merge_args(FunctionCallInfo fcinfo)
{
	if (PG_ARGISNULL(0) && PG_ARGISNULL(1))
		PG_RETURN_NULL();
	if (PG_ARGISNULL(0))
		PG_RETURN_BYTEA_P(PG_GETARG_BYTEA_P(1));
	if (PG_ARGISNULL(1))
		PG_RETURN_BYTEA_P(PG_GETARG_BYTEA_P(0));
	PG_RETURN_BYTEA_P(profile_write(profile_merge(profile_from_datum(PG_GETARG_DATUM(0)),
												  profile_from_datum(PG_GETARG_DATUM(1)))));
}

/* uplift_drift_profile_merge(a, b): the profile of the union of two windows */
PG_FUNCTION_INFO_V1(uplift_drift_profile_merge);
Datum
uplift_drift_profile_merge(PG_FUNCTION_ARGS)
{
	return merge_args(fcinfo);
}

/*
 * The aggregate uplift_drift_profile_union(profile): its state is the
 * profile of the windows so far, and both its transition and its combine
 * function merge.
 */
PG_FUNCTION_INFO_V1(uplift_drift_profile_union_transfn);
Datum
uplift_drift_profile_union_transfn(PG_FUNCTION_ARGS)
{
	return merge_args(fcinfo);
}

PG_FUNCTION_INFO_V1(uplift_drift_profile_union_combinefn);
Datum
uplift_drift_profile_union_combinefn(PG_FUNCTION_ARGS)
{
	return merge_args(fcinfo);
}

/* ---------------------------------------------------------------------
 * The aggregate uplift_drift_profile(record): a sample as its state, each
 * numeric column's values kept up to the sample's cap and then folded into
 * the column's sketch, so the state is bounded whatever the rows.
 */
static void
sample_set_cap(Sample *s)
{
	int			numeric = 0;

	for (int i = 0; i < s->ncols; i++)
		numeric += (s->cols[i].kind == KIND_NUMERIC);
	s->column_cap = Min(Max(STATE_VALUES / Max(numeric, 1), STATE_COLUMN_MIN), STATE_COLUMN_MAX);
}

static void
free_grid(DriftGrid *g)
{
	pfree(g->x);
	pfree(g->cdf_left);
	pfree(g->cdf);
}

/* fold a sketch into c's (in the current context, the state's) */
static void
sketch_add(SampleColumn *c, const ProfileColumn *more)
{
	ProfileColumn *merged = palloc0(sizeof(ProfileColumn));

	merged->name = c->name;
	merged->kind = KIND_NUMERIC;
	if (c->sketch == NULL)
	{
		*merged = *more;
		merged->name = c->name;
		merged->grid.x = palloc(more->grid.npoints * sizeof(double));
		merged->grid.cdf_left = palloc(more->grid.npoints * sizeof(double));
		merged->grid.cdf = palloc(more->grid.npoints * sizeof(double));
		memcpy(merged->grid.x, more->grid.x, more->grid.npoints * sizeof(double));
		memcpy(merged->grid.cdf_left, more->grid.cdf_left, more->grid.npoints * sizeof(double));
		memcpy(merged->grid.cdf, more->grid.cdf, more->grid.npoints * sizeof(double));
	}
	else
	{
		merged->n = c->sketch->n + more->n;
		merge_numeric(merged, c->sketch, more);
		free_grid(&c->sketch->grid);
		pfree(c->sketch);
	}
	c->sketch = merged;
}

/* fold a numeric column's kept values into its sketch and empty them */
static void
sample_fold(SampleColumn *c)
{
	ProfileColumn kept;

	if (c->nvalues == 0)
		return;
	profile_kept(&kept, c);
	sketch_add(c, &kept);
	free_grid(&kept.grid);
	c->nvalues = 0;
}

/* make room for one more row: fold every numeric column at its cap */
static void
sample_make_room(Sample *s)
{
	for (int i = 0; i < s->ncols; i++)
		if (s->cols[i].kind == KIND_NUMERIC && s->cols[i].nvalues >= s->column_cap)
			sample_fold(&s->cols[i]);
}

static void
states_differ(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_DATATYPE_MISMATCH),
			 errmsg("uplift_drift_profile_state values over different columns cannot be combined"),
			 errhint("Combine the states of one query's rows, as the aggregate does.")));
}

static void
sample_merge(Sample *into, const Sample *from)
{
	if (into->ncols != from->ncols)
		states_differ();
	for (int i = 0; i < into->ncols; i++)
	{
		SampleColumn *a = &into->cols[i];
		const SampleColumn *b = &from->cols[i];

		if (a->kind != b->kind || strcmp(a->name, b->name) != 0)
			states_differ();
		a->nnull += b->nnull;
		if (a->kind == KIND_NUMERIC)
		{
			if (a->nvalues + b->nvalues > into->column_cap)
				sample_fold(a);
			values_reserve(a, b->nvalues);
			memcpy(a->values + a->nvalues, b->values, b->nvalues * sizeof(double));
			a->nvalues += b->nvalues;
			if (b->sketch != NULL)
				sketch_add(a, b->sketch);
		}
		else
			for (int l = 0; l < b->levels.nlevels; l++)
				levels_add(&a->levels, b->levels.names[l], b->levels.counts[l], a->name);
	}
}

/* an empty sample with the columns of s */
static Sample *
sample_like(const Sample *s)
{
	Sample	   *copy = palloc0(sizeof(Sample));

	copy->ncols = s->ncols;
	copy->column_cap = s->column_cap;
	copy->cols = palloc0(s->ncols * sizeof(SampleColumn));
	for (int i = 0; i < s->ncols; i++)
	{
		copy->cols[i].name = pstrdup(s->cols[i].name);
		copy->cols[i].kind = s->cols[i].kind;
		if (copy->cols[i].kind == KIND_NUMERIC)
		{
			copy->cols[i].cap = Max(s->cols[i].nvalues, 1024);
			copy->cols[i].values = palloc_extended(copy->cols[i].cap * sizeof(double),
												   MCXT_ALLOC_HUGE);
		}
		else
			levels_init(&copy->cols[i].levels);
	}
	return copy;
}

/* ---------------------------------------------------------------------
 * The state's portable form, format 3 (big-endian, src/bytes.h): u8
 * version, u32 columns, i64 values kept per numeric column, then per column
 * its name, u8 kind and i64 NULLs, and for a numeric column u64 kept values
 * and the values, u8 whether it has a sketch and if so i64 its count and its
 * summary (as in a profile); for a categorical one u32 levels, each a name
 * and an i64 count; last a CRC-32C of the bytes before it.  In memory the
 * state is an expanded object (aggstate.h) around the Sample, which the
 * transition function changes in place.
 */
static bytea *
sample_write(const void *state)
{
	const Sample *s = state;
	StringInfoData buf;

	bytes_begin_bytea(&buf);
	bytes_put_u8(&buf, STATE_VERSION);
	bytes_put_u32(&buf, s->ncols);
	bytes_put_i64(&buf, s->column_cap);
	for (int i = 0; i < s->ncols; i++)
	{
		const SampleColumn *c = &s->cols[i];

		bytes_put_str(&buf, c->name);
		bytes_put_u8(&buf, c->kind);
		bytes_put_i64(&buf, c->nnull);
		if (c->kind == KIND_NUMERIC)
		{
			bytes_put_u64(&buf, c->nvalues);
			bytes_put_f64s(&buf, c->values, c->nvalues);
			bytes_put_u8(&buf, c->sketch != NULL);
			if (c->sketch != NULL)
			{
				bytes_put_i64(&buf, c->sketch->n);
				profile_put_numeric(&buf, c->sketch);
			}
		}
		else
		{
			bytes_put_u32(&buf, c->levels.nlevels);
			for (int l = 0; l < c->levels.nlevels; l++)
			{
				bytes_put_str(&buf, c->levels.names[l]);
				bytes_put_i64(&buf, c->levels.counts[l]);
			}
		}
	}
	bytes_put_u32(&buf, profile_crc(buf.data + VARHDRSZ, buf.len - VARHDRSZ));
	return bytes_end_bytea(&buf);
}

/* a count the state may hold: 0 or more, below 2^53 */
static int64
read_count(ByteReader *r, int64 min)
{
	int64		n = bytes_get_i64(r);

	if (n < min || n > MAX_STATE_COUNT)
		bytes_corrupted(r, "A count is out of range");
	return n;
}

static void
read_numeric_column(ByteReader *r, SampleColumn *c, int64 column_cap)
{
	uint64		n = bytes_get_u64(r);

	if (n > (r->len - r->pos) / sizeof(double) || n > (uint64) column_cap)
		bytes_corrupted(r, "More kept values than the state keeps or has bytes for");
	c->nvalues = n;
	c->cap = Max(n, 1);
	c->values = palloc_extended(c->cap * sizeof(double), MCXT_ALLOC_HUGE);
	bytes_get_f64s(r, c->values, n);
	for (uint64 k = 0; k < n; k++)
		if (!isfinite(c->values[k]))
			bytes_corrupted(r, "A kept value is not finite");
	if (bytes_get_u8(r))
	{
		c->sketch = palloc0(sizeof(ProfileColumn));
		c->sketch->name = c->name;
		c->sketch->kind = KIND_NUMERIC;
		c->sketch->n = read_count(r, 1);
		profile_read_numeric(r, c->sketch, PROFILE_VERSION);
	}
}

static void
read_categorical_column(ByteReader *r, SampleColumn *c)
{
	int			nl = bytes_get_count(r, 12, MAX_LEVELS);

	levels_init(&c->levels);
	for (int l = 0; l < nl; l++)
	{
		char	   *name = bytes_get_str(r);
		int64		count = read_count(r, 1);

		levels_add(&c->levels, name, count, c->name);
		if (c->levels.nlevels != l + 1)
			bytes_corrupted(r, "A level appears twice");
	}
}

/*
 * A state from its portable form, checked completely (checksum, version,
 * columns, counts, values, sketches), in the current context.  Any damage is
 * an error 22P03, as for a profile, whatever "code" says.
 */
static void *
sample_read(const char *data, Size len, int code)
{
	Sample	   *s = palloc0(sizeof(Sample));
	ByteReader	r;

	bytes_reader_init(&r, data, len, "uplift_drift_profile_state");
	profile_check_crc(&r);
	if (bytes_get_u8(&r) != STATE_VERSION)
		bytes_corrupted(&r, "Unknown format version");
	s->ncols = bytes_get_count(&r, 13, MAX_COLUMNS);
	if (s->ncols < 1)
		bytes_corrupted(&r, "It has no columns");
	s->column_cap = bytes_get_i64(&r);
	if (s->column_cap < STATE_COLUMN_MIN || s->column_cap > STATE_COLUMN_MAX)
		bytes_corrupted(&r, "The values kept per column are out of range");
	s->cols = palloc0(s->ncols * sizeof(SampleColumn));
	for (int i = 0; i < s->ncols; i++)
	{
		SampleColumn *c = &s->cols[i];
		uint8		kind;

		c->name = bytes_get_str(&r);
		if (strlen(c->name) >= NAMEDATALEN)
			bytes_corrupted(&r, "A column name is too long");
		for (int j = 0; j < i; j++)
			if (strcmp(s->cols[j].name, c->name) == 0)
				bytes_corrupted(&r, "A column appears twice");
		kind = bytes_get_u8(&r);
		if (kind > KIND_CATEGORICAL)
			bytes_corrupted(&r, "Unknown column kind");
		c->kind = (DriftKind) kind;
		c->nnull = read_count(&r, 0);
		if (c->kind == KIND_NUMERIC)
			read_numeric_column(&r, c, s->column_cap);
		else
			read_categorical_column(&r, c);
	}
	bytes_expect_end(&r);
	return s;
}

static const AggStateType drift_state_type = {
	"uplift_drift_profile_state", sample_write, sample_read
};

PG_FUNCTION_INFO_V1(uplift_drift_profile_state_in);
Datum
uplift_drift_profile_state_in(PG_FUNCTION_ARGS)
{
	return aggstate_object_in(fcinfo, &drift_state_type);
}

PG_FUNCTION_INFO_V1(uplift_drift_profile_state_out);
Datum
uplift_drift_profile_state_out(PG_FUNCTION_ARGS)
{
	return aggstate_object_out(fcinfo, &drift_state_type);
}

PG_FUNCTION_INFO_V1(uplift_drift_profile_state_recv);
Datum
uplift_drift_profile_state_recv(PG_FUNCTION_ARGS)
{
	return aggstate_object_recv(fcinfo, &drift_state_type);
}

PG_FUNCTION_INFO_V1(uplift_drift_profile_state_send);
Datum
uplift_drift_profile_state_send(PG_FUNCTION_ARGS)
{
	return aggstate_object_send(fcinfo, &drift_state_type);
}

/*
 * The row type of a state read from its portable form, which keeps the
 * columns' names and kinds but not their types: the row's, once checked to
 * have the same columns (copied into the current context, the state's).
 */
static void
sample_bind(Sample *s, HeapTupleHeader th)
{
	TupleDesc	desc = lookup_rowtype_tupdesc(HeapTupleHeaderGetTypeId(th),
											  HeapTupleHeaderGetTypMod(th));
	bool		same = desc->natts == s->ncols;

	for (int i = 0; same && i < s->ncols; i++)
		same = strcmp(NameStr(TupleDescAttr(desc, i)->attname), s->cols[i].name) == 0 &&
			column_kind(TupleDescAttr(desc, i)->atttypid) == (int) s->cols[i].kind;
	if (!same)
	{
		ReleaseTupleDesc(desc);
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("the rows do not have the columns of the uplift_drift_profile_state"),
				 errhint("Continue a state with rows of the query that made it.")));
	}
	s->desc = CreateTupleDescCopy(desc);
	ReleaseTupleDesc(desc);
}

/* A new state for rows of th's type, in the object's context. */
static Sample *
sample_new(HeapTupleHeader th)
{
	TupleDesc	desc = lookup_rowtype_tupdesc(HeapTupleHeaderGetTypeId(th),
											  HeapTupleHeaderGetTypMod(th));
	Sample	   *s = palloc0(sizeof(Sample));

	s->desc = CreateTupleDescCopy(desc);
	ReleaseTupleDesc(desc);
	sample_init(s, s->desc, "reference");
	sample_set_cap(s);
	return s;
}

/* The keys the options of uplift_drift_profile may hold: none yet. */
static const char *const profile_option_keys[] = {NULL};

/*
 * uplift_drift_profile_transfn(state, row [, options]).  The same function
 * serves the aggregate of one row argument, whose state is internal, and the
 * one with options, whose state is an uplift_drift_profile_state (see
 * sql/objects/75_monitor.sql for why there are two).
 */
PG_FUNCTION_INFO_V1(uplift_drift_profile_transfn);
Datum
uplift_drift_profile_transfn(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt = uplift_agg_context(fcinfo, "uplift_drift_profile");
	AggStateObject *obj = PG_ARGISNULL(0) ? NULL :
		aggstate_object_arg(fcinfo, 0, &drift_state_type, aggcxt);
	Sample	   *s = obj == NULL ? NULL : (Sample *) obj->state;
	HeapTupleHeader th;
	HeapTupleData tuple;
	Datum	   *values;
	bool	   *nulls;
	MemoryContext cxt;
	MemoryContext old;

	if (PG_NARGS() > 2 && !PG_ARGISNULL(2))
		options_check_keys(PG_GETARG_JSONB_P(2), "uplift_drift_profile", profile_option_keys);
	if (PG_ARGISNULL(1))
	{
		if (obj == NULL)
			PG_RETURN_NULL();
		PG_RETURN_DATUM(AggStateObjectDatum(obj));
	}
	th = PG_GETARG_HEAPTUPLEHEADER(1);
	if (obj == NULL)
		obj = aggstate_object_new(aggcxt, &drift_state_type);
	cxt = obj->hdr.eoh_context;
	if (unlikely(s == NULL || s->desc == NULL))
	{
		old = MemoryContextSwitchTo(cxt);
		if (s == NULL)
			obj->state = s = sample_new(th);
		else
			sample_bind(s, th);
		MemoryContextSwitchTo(old);
	}
	tuple.t_len = HeapTupleHeaderGetDatumLength(th);
	ItemPointerSetInvalid(&tuple.t_self);
	tuple.t_tableOid = InvalidOid;
	tuple.t_data = th;
	values = palloc(s->ncols * sizeof(Datum));
	nulls = palloc(s->ncols * sizeof(bool));
	heap_deform_tuple(&tuple, s->desc, values, nulls);
	old = MemoryContextSwitchTo(cxt);
	sample_make_room(s);
	MemoryContextSwitchTo(old);
	sample_add_row(s, s->desc, values, nulls, cxt, CurrentMemoryContext);
	PG_RETURN_DATUM(AggStateObjectDatum(obj));
}

/*
 * Not strict: a NULL side (a part without rows) gives the other.  The first
 * argument is changed in place when the aggregate owns it.
 */
PG_FUNCTION_INFO_V1(uplift_drift_profile_combinefn);
Datum
uplift_drift_profile_combinefn(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt = uplift_agg_context(fcinfo, "uplift_drift_profile_combinefn");
	AggStateObject *obj;
	const Sample *b;
	MemoryContext old;

	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
	b = aggstate_object_view(fcinfo, 1, &drift_state_type);
	if (PG_ARGISNULL(0))
	{
		obj = aggstate_object_new(aggcxt, &drift_state_type);
		old = MemoryContextSwitchTo(obj->hdr.eoh_context);
		obj->state = sample_like(b);
	}
	else
	{
		obj = aggstate_object_arg(fcinfo, 0, &drift_state_type, aggcxt);
		old = MemoryContextSwitchTo(obj->hdr.eoh_context);
	}
	sample_merge(obj->state, b);
	MemoryContextSwitchTo(old);
	PG_RETURN_DATUM(AggStateObjectDatum(obj));
}

/* The serial and deserial functions of the aggregate whose state is internal. */
PG_FUNCTION_INFO_V1(uplift_drift_profile_serialfn);
Datum
uplift_drift_profile_serialfn(PG_FUNCTION_ARGS)
{
	return aggstate_object_serialize(fcinfo, &drift_state_type);
}

PG_FUNCTION_INFO_V1(uplift_drift_profile_deserialfn);
Datum
uplift_drift_profile_deserialfn(PG_FUNCTION_ARGS)
{
	return aggstate_object_deserialize(fcinfo, &drift_state_type);
}

/* Sorts the state's kept values in place, which does not change what it means. */
PG_FUNCTION_INFO_V1(uplift_drift_profile_finalfn);
Datum
uplift_drift_profile_finalfn(PG_FUNCTION_ARGS)
{
	uplift_agg_context(fcinfo, "uplift_drift_profile_finalfn");
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	PG_RETURN_BYTEA_P(profile_write(profile_from_sample(aggstate_object_view(fcinfo, 0,
																			 &drift_state_type))));
}

/* ---------------------------------------------------------------------
 * Running a query text: exactly one SELECT, read-only, with the caller's
 * rights, every row handed to a callback in a short-lived context.
 */
typedef struct QueryReceiver QueryReceiver;
struct QueryReceiver
{
	DestReceiver pub;
	void		(*startup) (QueryReceiver *self, TupleDesc desc);
	void		(*row) (QueryReceiver *self, TupleDesc desc, Datum *values, bool *nulls);
	MemoryContext cxt;			/* where the results live */
	MemoryContext scratch;		/* reset after every row */
	TupleDesc	desc;
	int64		nrows;
	void	   *arg;
};

static void
qr_startup(DestReceiver *self, int operation, TupleDesc desc)
{
	QueryReceiver *r = (QueryReceiver *) self;
	MemoryContext old = MemoryContextSwitchTo(r->cxt);

	r->desc = CreateTupleDescCopy(desc);
	r->startup(r, r->desc);
	MemoryContextSwitchTo(old);
}

static bool
qr_receive(TupleTableSlot *slot, DestReceiver *self)
{
	QueryReceiver *r = (QueryReceiver *) self;
	MemoryContext old;

	CHECK_FOR_INTERRUPTS();
	slot_getallattrs(slot);
	old = MemoryContextSwitchTo(r->scratch);
	r->row(r, r->desc, slot->tts_values, slot->tts_isnull);
	MemoryContextSwitchTo(old);
	MemoryContextReset(r->scratch);
	r->nrows++;
	return true;
}

static void
qr_nothing(DestReceiver *self)
{
}

/*
 * Error unless sql is exactly one SELECT (without INTO, and without a
 * data-modifying WITH).  A local check: the query also runs read-only.
 */
static void
check_one_select(const char *sql, const char *argname)
{
	List	   *stmts = raw_parser(sql, RAW_PARSE_DEFAULT);
	Node	   *stmt = list_length(stmts) == 1 ? linitial_node(RawStmt, stmts)->stmt : NULL;
	bool		ok = stmt != NULL && IsA(stmt, SelectStmt) &&
		((SelectStmt *) stmt)->intoClause == NULL;

	if (ok && ((SelectStmt *) stmt)->withClause != NULL)
	{
		ListCell   *lc;

		foreach(lc, ((SelectStmt *) stmt)->withClause->ctes)
			if (!IsA(lfirst_node(CommonTableExpr, lc)->ctequery, SelectStmt))
				ok = false;
	}
	if (!ok)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s query must be exactly one SELECT", argname),
				 errhint("Pass a single SELECT (or VALUES) statement returning the features as columns.")));
}

static void
run_query(text *query, const char *argname, QueryReceiver *r)
{
	char	   *sql = text_to_cstring(query);
	SPIExecuteOptions opts;
	int			ret;

	check_one_select(sql, argname);
	r->pub.receiveSlot = qr_receive;
	r->pub.rStartup = qr_startup;
	r->pub.rShutdown = qr_nothing;
	r->pub.rDestroy = qr_nothing;
	r->pub.mydest = DestTuplestore; /* anything but DestNone, which SPI discards */
	r->scratch = AllocSetContextCreate(CurrentMemoryContext, "uplift_drift row",
									   ALLOCSET_SMALL_SIZES);
	memset(&opts, 0, sizeof(opts));
	opts.read_only = true;
	opts.dest = (DestReceiver *) r;
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	ret = SPI_execute_extended(sql, &opts);
	if (ret != SPI_OK_SELECT)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s query must return rows", argname)));
	SPI_finish();
	MemoryContextDelete(r->scratch);
	if (r->nrows == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s query returned no rows", argname),
				 errhint("Check the window's dates; drift needs at least one row on each side.")));
}

/* the reference query into a sample */
static void
reference_startup(QueryReceiver *r, TupleDesc desc)
{
	sample_init((Sample *) r->arg, desc, "reference query");
}

static void
reference_row(QueryReceiver *r, TupleDesc desc, Datum *values, bool *nulls)
{
	sample_add_row((Sample *) r->arg, desc, values, nulls, r->cxt, r->scratch);
}

/* ---------------------------------------------------------------------
 * The current window counted against a profile (bounded), with its
 * numeric values kept too when the reference's are (the exact check).
 */
typedef struct CheckColumn
{
	int			ref;			/* column of the profile */
	Oid			typid;			/* in the current query */
	bool		numeric;
	int64		n;
	int64		nnull;
	double	   *buckets;
	DriftGridCounts grid;
	SampleColumn keep;
	double	   *batch;			/* numeric values not yet counted */
	int			nbatch;
} CheckColumn;

/*
 * Numeric values are counted a batch (DRIFT_BATCH) at a time, one column
 * after another, so that a column's grid stays in the cache while its values
 * are counted.
 */

typedef struct Check
{
	Profile    *profile;
	bool		keep_values;
	int			ncols;
	CheckColumn *cols;			/* in the current query's column order */
	int		   *of_ref;			/* profile column -> current column */
} Check;

static void
check_columns(Check *ch, TupleDesc desc)
{
	Profile    *p = ch->profile;

	ch->ncols = desc->natts;
	ch->cols = palloc0(Max(desc->natts, 1) * sizeof(CheckColumn));
	ch->of_ref = palloc(p->ncols * sizeof(int));
	for (int j = 0; j < p->ncols; j++)
		ch->of_ref[j] = -1;
	for (int i = 0; i < desc->natts; i++)
	{
		const char *name = NameStr(TupleDescAttr(desc, i)->attname);
		DriftKind	kind = checked_kind(desc, i, "current query");
		int			j = 0;

		while (j < p->ncols && strcmp(p->cols[j].name, name) != 0)
			j++;
		if (j == p->ncols)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_COLUMN_REFERENCE),
					 errmsg("column \"%s\" of the current query is not in the reference", name),
					 errhint("Both queries must return the same columns, by name.")));
		if (ch->of_ref[j] >= 0)
			ereport(ERROR,
					(errcode(ERRCODE_DUPLICATE_COLUMN),
					 errmsg("column \"%s\" appears twice in the current query", name),
					 errhint("Give every column its own name with AS.")));
		if (kind != p->cols[j].kind)
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("column \"%s\" is %s in the reference and %s in the current query",
							name, kind_names[p->cols[j].kind], kind_names[kind]),
					 errdetail("Its type in the current query is %s.",
							   format_type_be(TupleDescAttr(desc, i)->atttypid)),
					 errhint("Cast the column to the same kind of type in both queries.")));
		ch->of_ref[j] = i;
		ch->cols[i].ref = j;
	}
	for (int j = 0; j < p->ncols; j++)
		if (ch->of_ref[j] < 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_COLUMN_REFERENCE),
					 errmsg("column \"%s\" of the reference is missing from the current query",
							p->cols[j].name),
					 errhint("Both queries must return the same columns, by name.")));
}

static void
check_startup(QueryReceiver *r, TupleDesc desc)
{
	Check	   *ch = (Check *) r->arg;

	check_columns(ch, desc);
	for (int i = 0; i < ch->ncols; i++)
	{
		CheckColumn *c = &ch->cols[i];
		ProfileColumn *pc = &ch->profile->cols[c->ref];

		c->typid = TupleDescAttr(desc, i)->atttypid;
		c->numeric = (pc->kind == KIND_NUMERIC);
		c->buckets = palloc0((pc->kind == KIND_NUMERIC ? DRIFT_BINS : pc->nlevels + 1) *
							 sizeof(double));
		if (pc->kind != KIND_NUMERIC)
			continue;
		if (pc->grid.padded == NULL)
			drift_grid_index(&pc->grid, pc->edges);
		c->batch = palloc(DRIFT_BATCH * sizeof(double));
		c->grid.cells = palloc0(pc->grid.npoints * sizeof(DriftCell));
		if (ch->keep_values)
		{
			c->keep.name = pc->name;
			c->keep.cap = 1024;
			c->keep.values = palloc(c->keep.cap * sizeof(double));
		}
	}
}

static int
level_index(const ProfileColumn *pc, const char *s)
{
	int			lo = 0,
				hi = pc->nlevels;

	while (lo < hi)
	{
		int			mid = (lo + hi) / 2;
		int			cmp = strcmp(pc->levels[mid], s);

		if (cmp == 0)
			return mid;
		if (cmp < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return pc->nlevels;			/* "other" */
}

/* count a column's batch of numeric values; keep them too if asked */
static void
check_flush(Check *ch, CheckColumn *c, MemoryContext cxt)
{
	ProfileColumn *pc = &ch->profile->cols[c->ref];

	drift_count_batch(pc->edges, &pc->grid, c->buckets, &c->grid, c->batch, c->nbatch);
	if (ch->keep_values)
	{
		MemoryContext old = MemoryContextSwitchTo(cxt);

		values_reserve(&c->keep, c->nbatch);
		MemoryContextSwitchTo(old);
		memcpy(c->keep.values + c->keep.nvalues, c->batch, c->nbatch * sizeof(double));
		c->keep.nvalues += c->nbatch;
	}
	c->nbatch = 0;
}

static void
check_row(QueryReceiver *r, TupleDesc desc, Datum *values, bool *nulls)
{
	Check	   *ch = (Check *) r->arg;

	for (int i = 0; i < ch->ncols; i++)
	{
		CheckColumn *c = &ch->cols[i];

		if (nulls[i])
		{
			c->nnull++;
			continue;
		}
		c->n++;
		if (c->numeric)
		{
			double		v = (c->typid == FLOAT8OID) ? DatumGetFloat8(values[i]) : 0;

			/* float8 read in place; other types, and non-finite values, converted and checked */
			if (c->typid != FLOAT8OID || !isfinite(v))
				v = numeric_value(values[i], c->typid, ch->profile->cols[c->ref].name);
			c->batch[c->nbatch++] = v;
			if (c->nbatch == DRIFT_BATCH)
				check_flush(ch, c, r->cxt);
		}
		else
			c->buckets[level_index(&ch->profile->cols[c->ref],
								   level_value(values[i], c->typid))] += 1;
	}
}

/* ---------------------------------------------------------------------
 * Options and the result rows.
 */
typedef enum StatTest
{
	TEST_PSI,
	TEST_KS,
	TEST_JS,
	TEST_WASSERSTEIN
} StatTest;

static const char *const test_names[] = {"psi", "ks", "js", "wasserstein", NULL};
static const double test_thresholds[] = {0.1, 0.1, 0.1, 0.1};

typedef struct DriftOptions
{
	StatTest	test[2];		/* per kind */
	double		threshold[2];
} DriftOptions;

static const char *const drift_keys[] = {
	"stattest", "stattest_threshold", "num_stattest", "cat_stattest",
	"num_stattest_threshold", "cat_stattest_threshold", NULL
};

static void
read_drift_options(Jsonb *opts, DriftOptions *o)
{
	int			all;
	double		all_threshold;

	options_check_keys(opts, "uplift_drift", drift_keys);
	all = options_choice(opts, "stattest", TEST_PSI, test_names);
	o->test[KIND_NUMERIC] = options_choice(opts, "num_stattest", all, test_names);
	o->test[KIND_CATEGORICAL] = options_choice(opts, "cat_stattest",
											   (all == TEST_JS) ? TEST_JS : TEST_PSI,
											   test_names);
	if (o->test[KIND_CATEGORICAL] == TEST_KS || o->test[KIND_CATEGORICAL] == TEST_WASSERSTEIN)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("option \"cat_stattest\" of uplift_drift must be \"psi\" or \"js\""),
				 errdetail("KS and Wasserstein need ordered values; categorical columns have none."),
				 errhint("Use \"num_stattest\" to choose the test of numeric columns only.")));
	all_threshold = options_float(opts, "stattest_threshold", -1, 0, DBL_MAX);
	for (int k = 0; k < 2; k++)
		o->threshold[k] = options_float(opts,
										k == KIND_NUMERIC ? "num_stattest_threshold" : "cat_stattest_threshold",
										all_threshold >= 0 ? all_threshold : test_thresholds[o->test[k]],
										0, DBL_MAX);
}

#define DRIFT_COLS 12

static void
put_float(Datum *values, bool *nulls, int i, double x, bool isnull)
{
	nulls[i] = isnull;
	values[i] = Float8GetDatum(isnull ? 0 : x);
}

/* One result row for profile column j. */
static void
drift_row(Check *ch, Sample *ref, int j, const DriftOptions *o,
		  Datum *values, bool *nulls)
{
	ProfileColumn *pc = &ch->profile->cols[j];
	CheckColumn *c = &ch->cols[ch->of_ref[j]];
	bool		empty = (c->n == 0);
	bool		numeric = (pc->kind == KIND_NUMERIC);
	double		psi = 0,
				js = 0,
				ks = 0,
				w = 0,
				score = 0;
	bool		score_null = empty;
	bool		drifted = false;
	StatTest	test = o->test[pc->kind];

	if (!empty && numeric)
	{
		psi = drift_psi(pc->bins, c->buckets, DRIFT_BINS);
		js = drift_js(pc->bins, c->buckets, DRIFT_BINS);
		if (ref != NULL)
		{
			SampleColumn *rc = &ref->cols[j];

			qsort(c->keep.values, c->keep.nvalues, sizeof(double), cmp_double);
			ks = drift_ks_exact(rc->values, rc->nvalues, c->keep.values, c->keep.nvalues);
			w = drift_wasserstein_exact(rc->values, rc->nvalues, c->keep.values, c->keep.nvalues);
		}
		else
		{
			ks = drift_ks_grid(&pc->grid, &c->grid);
			w = drift_wasserstein_grid(&pc->grid, &c->grid);
		}
	}
	else if (!empty)
	{
		double	   *refb = palloc0((pc->nlevels + 1) * sizeof(double));

		memcpy(refb, pc->counts, pc->nlevels * sizeof(double));
		psi = drift_psi(refb, c->buckets, pc->nlevels + 1);
		js = drift_js(refb, c->buckets, pc->nlevels + 1);
	}
	if (!empty && !isfinite(w))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("Wasserstein distance of column \"%s\" overflows", pc->name),
				 errhint("Rescale the column in the query, for example divide it by a power of 10.")));
	if (!empty)
	{
		score = test == TEST_PSI ? psi : test == TEST_JS ? js : test == TEST_KS ? ks : 0;
		if (test == TEST_WASSERSTEIN)
		{
			/* normed by the reference's deviation, as Evidently does */
			score_null = (pc->std == 0);
			score = score_null ? 0 : w / pc->std;
		}
		drifted = score_null ? (w > 0) : (score >= o->threshold[pc->kind]);
	}

	values[0] = CStringGetTextDatum(pc->name);
	values[1] = CStringGetTextDatum(kind_names[pc->kind]);
	put_float(values, nulls, 2, psi, empty);
	put_float(values, nulls, 3, ks, empty || !numeric);
	put_float(values, nulls, 4, js, empty);
	put_float(values, nulls, 5, w, empty || !numeric);
	nulls[6] = empty;
	values[6] = BoolGetDatum(drifted);
	values[7] = CStringGetTextDatum(test_names[test]);
	put_float(values, nulls, 8, score, score_null);
	put_float(values, nulls, 9, o->threshold[pc->kind], false);
	values[10] = Int64GetDatum(pc->n);
	values[11] = Int64GetDatum(c->n);
}

/*
 * uplift_drift(reference text | uplift_drift_profile, current text
 * [, options jsonb]): one row per column.
 */
PG_FUNCTION_INFO_V1(uplift_drift);
Datum
uplift_drift(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	bool		from_text = uplift_arg_type(fcinfo, 0) == TEXTOID;
	Jsonb	   *opts = (PG_NARGS() > 2 && !PG_ARGISNULL(2)) ? PG_GETARG_JSONB_P(2) : NULL;
	MemoryContext cxt = AllocSetContextCreate(CurrentMemoryContext, "uplift_drift",
											  ALLOCSET_DEFAULT_SIZES);
	MemoryContext old;
	DriftOptions o;
	Sample	   *ref = NULL;
	Check		ch;
	QueryReceiver r;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("reference of uplift_drift must not be NULL"),
				 errhint(from_text ? "Pass the reference window's query." :
						 "A NULL profile comes from a reference window without rows; rebuild it over a window with rows.")));
	if (PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("current query of uplift_drift must not be NULL")));
	read_drift_options(opts, &o);

	memset(&ch, 0, sizeof(ch));
	old = MemoryContextSwitchTo(cxt);
	if (from_text)
	{
		ref = palloc0(sizeof(Sample));
		memset(&r, 0, sizeof(r));
		r.startup = reference_startup;
		r.row = reference_row;
		r.cxt = cxt;
		r.arg = ref;
		run_query(PG_GETARG_TEXT_PP(0), "reference", &r);
		ch.profile = profile_from_sample(ref);
		ch.keep_values = true;
	}
	else
		ch.profile = profile_from_datum(PG_GETARG_DATUM(0));

	memset(&r, 0, sizeof(r));
	r.startup = check_startup;
	r.row = check_row;
	r.cxt = cxt;
	r.arg = &ch;
	run_query(PG_GETARG_TEXT_PP(1), "current", &r);
	for (int i = 0; i < ch.ncols; i++)
		if (ch.cols[i].batch != NULL)
			check_flush(&ch, &ch.cols[i], cxt);
	MemoryContextSwitchTo(old);

	InitMaterializedSRF(fcinfo, 0);
	for (int j = 0; j < ch.profile->ncols; j++)
	{
		Datum		values[DRIFT_COLS];
		bool		nulls[DRIFT_COLS];

		memset(nulls, 0, sizeof(nulls));
		old = MemoryContextSwitchTo(cxt);
		drift_row(&ch, ref, j, &o, values, nulls);
		MemoryContextSwitchTo(old);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	MemoryContextDelete(cxt);
	return (Datum) 0;
}

/*
 * uplift_chisq_pvalue(x, df): P(X >= x) for X chi-square with df degrees of
 * freedom.  drift_chisq_sf is accurate to 1e-10 for df in this range (below
 * it 1/df overflows; above it the series needs more terms than it takes).
 */
#define CHISQ_DF_MIN 1e-10
#define CHISQ_DF_MAX 1e5

PG_FUNCTION_INFO_V1(uplift_chisq_pvalue);
Datum
uplift_chisq_pvalue(PG_FUNCTION_ARGS)
{
	double		x = PG_GETARG_FLOAT8(0);
	double		df = PG_GETARG_FLOAT8(1);

	if (isnan(x) || x < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("statistic of uplift_chisq_pvalue must be at least 0"),
				 errhint("A chi-square statistic is a sum of squares.")));
	if (!(df >= CHISQ_DF_MIN && df <= CHISQ_DF_MAX))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("df of uplift_chisq_pvalue must be from 1e-10 to 1e5, not %g", df),
				 errhint("The sample-ratio test of K arms has K - 1 degrees of freedom.")));
	PG_RETURN_FLOAT8(drift_chisq_sf(x, df));
}
