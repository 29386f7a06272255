/*
 * features_encode.c
 *	  The encoding of named features on plain arrays: learned from the rows
 *	  of a fit, and applied to one row's values.
 *
 * It is scikit-learn's
 *	  ColumnTransformer([SimpleImputer(strategy="mean", add_indicator=True)
 *	                     on the numeric keys,
 *	                     OneHotEncoder(handle_unknown="ignore",
 *	                                   max_categories=n) on the others])
 * fitted on every row of the fit.  Keys are taken in byte order of their
 * names; the columns are, in this order, the numeric keys' values, the
 * missing indicators of the numeric keys missing in some training row, and
 * the levels of each categorical key (levels in byte order, the JSON null
 * level last, the infrequent column after them).  A level unseen in
 * training encodes to zeros.
 */
#include "uplift.h"

#include "common/shortest_dec.h"
#include "miscadmin.h"
#include "utils/float.h"

#include "named_features.h"

const char *
features_type_name(int32 type)
{
	switch (type)
	{
		case UPLIFT_KEY_NUMBER:
			return "number";
		case UPLIFT_KEY_BOOLEAN:
			return "boolean";
		case UPLIFT_KEY_STRING:
			return "string";
	}
	return "null";
}

/* Byte order of two strings of known lengths (a prefix first). */
int
features_level_cmp(const char *a, int alen, const char *b, int blen)
{
	int			c = memcmp(a, b, Min(alen, blen));

	if (c != 0)
		return c;
	return (alen > blen) - (alen < blen);
}

int32
uplift_encoding_layout(UpliftEncoding *enc)
{
	int32		col = 0;

	for (int i = 0; i < enc->n_keys; i++)
		enc->keys[i].native = enc->native;
	if (enc->native)
	{
		for (int i = 0; i < enc->n_keys; i++)
		{
			enc->keys[i].col = i;
			enc->keys[i].ind_col = -1;
			enc->keys[i].pool_col = -1;
		}
		return enc->n_keys;
	}

	for (int i = 0; i < enc->n_keys; i++)
		if (!enc->keys[i].categorical)
			enc->keys[i].col = col++;
	for (int i = 0; i < enc->n_keys; i++)
	{
		UpliftFeatureKey *key = &enc->keys[i];

		key->ind_col = -1;
		key->pool_col = -1;
		if (!key->categorical && key->indicator)
			key->ind_col = col++;
	}
	for (int i = 0; i < enc->n_keys; i++)
	{
		UpliftFeatureKey *key = &enc->keys[i];

		if (!key->categorical)
			continue;
		key->col = col;
		col += key->n_levels;
		if (key->n_pooled > 0)
			key->pool_col = col++;
	}
	return col;
}

char **
uplift_encoding_names(const UpliftEncoding *enc, int32 p)
{
	char	  **names = palloc0(sizeof(char *) * Max(p, 1));

	for (int i = 0; i < enc->n_keys; i++)
	{
		const UpliftFeatureKey *key = &enc->keys[i];

		if (!key->categorical || key->native)
		{
			names[key->col] = pstrdup(key->name);
			if (key->ind_col >= 0)
				names[key->ind_col] = psprintf("missingindicator_%s", key->name);
			continue;
		}
		for (int l = 0; l < key->n_levels; l++)
			names[key->col + l] = psprintf("%s=%s", key->name,
										   key->levels[l] ? key->levels[l] : "null");
		if (key->pool_col >= 0)
			names[key->pool_col] = psprintf("%s=infrequent", key->name);
	}
	return names;
}

/* ---- scoring: one key's value into the design row ---- */

void
features_encode_number(const UpliftFeatureKey *key, double v, double *x)
{
	x[key->col] = v;
	if (key->ind_col >= 0)
		x[key->ind_col] = 0.0;
}

static void
clear_levels(const UpliftFeatureKey *key, double *x)
{
	for (int l = 0; l < key->n_levels; l++)
		x[key->col + l] = 0.0;
	if (key->pool_col >= 0)
		x[key->pool_col] = 0.0;
}

/*
 * Index of level s (NULL: the JSON null level) in a list of levels, or -1.
 * The levels of strings are in byte order (binary search); those of numbers
 * in numeric order, searched one by one.
 */
static int
find_level(char *const *levels, int n, bool by_bytes, const char *s, int len)
{
	int			lo = 0;
	int			hi = n - 1;

	if (s == NULL)
		return (n > 0 && levels[n - 1] == NULL) ? n - 1 : -1;
	if (n > 0 && levels[n - 1] == NULL)
		hi--;
	if (!by_bytes)
	{
		for (int l = 0; l <= hi; l++)
			if (features_level_cmp(levels[l], strlen(levels[l]), s, len) == 0)
				return l;
		return -1;
	}
	while (lo <= hi)
	{
		int			mid = (lo + hi) / 2;
		int			c = features_level_cmp(levels[mid], strlen(levels[mid]), s, len);

		if (c == 0)
			return mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -1;
}

/* A native key's level: its index, -1 for any other level, NaN for null. */
static void
encode_native_level(const UpliftFeatureKey *key, const char *s, int len, double *x)
{
	int			l;

	if (s == NULL)
	{
		x[key->col] = get_float8_nan();
		return;
	}
	l = find_level(key->levels, key->n_levels, key->type == UPLIFT_KEY_STRING, s, len);
	x[key->col] = (l >= 0) ? (double) l : -1.0;
}

void
features_encode_level(const UpliftFeatureKey *key, const char *s, int len, double *x)
{
	int			l;
	bool		by_bytes = key->type == UPLIFT_KEY_STRING;

	if (key->native)
	{
		encode_native_level(key, s, len, x);
		return;
	}
	clear_levels(key, x);
	l = find_level(key->levels, key->n_levels, by_bytes, s, len);
	if (l >= 0)
		x[key->col + l] = 1.0;
	else if (key->pool_col >= 0 &&
			 find_level(key->pooled, key->n_pooled, by_bytes, s, len) >= 0)
		x[key->pool_col] = 1.0;
}

void
features_encode_missing(const UpliftFeatureKey *key, double *x)
{
	if (key->categorical)
	{
		features_encode_level(key, NULL, 0, x);
		return;
	}
	if (key->native)
	{
		x[key->col] = get_float8_nan();
		return;
	}
	x[key->col] = key->mean;
	if (key->ind_col >= 0)
		x[key->ind_col] = 1.0;
}

/* ---- fitting: the encoding learned from the rows ---- */

/* Mean of the non-missing cells (Neumaier summation); false if none. */
static bool
cells_mean(const double *cells, int64 n, double *mean, bool *missing)
{
	NeumaierSum s = {0, 0};
	int64		seen = 0;

	*missing = false;
	for (int64 i = 0; i < n; i++)
	{
		if (isnan(cells[i]))
		{
			*missing = true;
			continue;
		}
		neumaier_add(&s, cells[i]);
		seen++;
	}
	*mean = seen > 0 ? neumaier_value(&s) / (double) seen : 0.0;
	return seen > 0;
}

/* A level and its count, for sorting. */
typedef struct LevelCount
{
	const char *s;				/* NULL: the JSON null level */
	double		num;			/* a number's level: its value, else NaN */
	int32		id;				/* the rows' level id, or -1 for null */
	int64		count;
	int32		order;			/* rank in byte order, null last */
} LevelCount;

static int
cmp_level_order(const void *a, const void *b)
{
	const LevelCount *x = a;
	const LevelCount *y = b;

	if (x->s == NULL || y->s == NULL)
		return (x->s == NULL) - (y->s == NULL);
	if (!isnan(x->num))
		return (x->num > y->num) - (x->num < y->num);
	return features_level_cmp(x->s, strlen(x->s), y->s, strlen(y->s));
}

/* Ascending count, ties by byte order: scikit-learn's stable argsort. */
static int
cmp_level_count(const void *a, const void *b)
{
	const LevelCount *x = a;
	const LevelCount *y = b;

	if (x->count != y->count)
		return (x->count > y->count) - (x->count < y->count);
	return (x->order > y->order) - (x->order < y->order);
}

/*
 * The levels of a categorical column with their counts, in byte order
 * (null last, when present); *n receives how many.
 */
static LevelCount *
column_levels(const FeatColumn *col, int64 nrows, int *n)
{
	LevelCount *lc = palloc0(sizeof(LevelCount) * (col->n_levels + 1));
	int64		nulls = 0;

	for (int l = 0; l < col->n_levels; l++)
	{
		lc[l].s = col->levels[l];
		lc[l].id = l;
		lc[l].num = col->type == UPLIFT_KEY_STRING ? get_float8_nan() :
			strtod(col->levels[l], NULL);
	}
	for (int64 i = 0; i < nrows; i++)
	{
		if (isnan(col->cells[i]))
			nulls++;
		else
			lc[(int) col->cells[i]].count++;
		if ((i & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
	}
	*n = col->n_levels;
	if (nulls > 0)
	{
		lc[*n].s = NULL;
		lc[*n].id = -1;
		lc[*n].count = nulls;
		(*n)++;
	}
	qsort(lc, *n, sizeof(LevelCount), cmp_level_order);
	for (int l = 0; l < *n; l++)
		lc[l].order = l;
	return lc;
}

/*
 * A categorical key: levels with a column and pooled levels (more than
 * max_categories levels: the max_categories - 1 most frequent keep theirs).
 */
static void
encode_categorical(const FeatColumn *col, int64 nrows, int32 max_categories,
				   UpliftFeatureKey *key, bool **pooled_out, LevelCount **lc_out, int *n_out)
{
	int			n;
	LevelCount *lc = column_levels(col, nrows, &n);
	bool	   *pooled = palloc0(sizeof(bool) * Max(n, 1));

	if (max_categories > 0 && n > max_categories)
	{
		LevelCount *by_count = palloc(sizeof(LevelCount) * n);

		memcpy(by_count, lc, sizeof(LevelCount) * n);
		qsort(by_count, n, sizeof(LevelCount), cmp_level_count);
		for (int l = 0; l < n - (max_categories - 1); l++)
			pooled[by_count[l].order] = true;
	}
	key->levels = palloc(sizeof(char *) * Max(n, 1));
	key->pooled = palloc(sizeof(char *) * Max(n, 1));
	for (int l = 0; l < n; l++)
	{
		char	   *s = lc[l].s ? pstrdup(lc[l].s) : NULL;

		if (pooled[l])
			key->pooled[key->n_pooled++] = s;
		else
			key->levels[key->n_levels++] = s;
	}
	*pooled_out = pooled;
	*lc_out = lc;
	*n_out = n;
}

static void
all_missing_error(const FeatColumn *col)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("key \"%s\" of features is null or absent in every row", col->name),
			 errhint("Remove the key from the features, or fit on rows where it has values.")));
}

/* The design columns of a categorical rows' key k, once the layout is known. */
static void
map_levels(FeatDesign *d, int k, const UpliftFeatureKey *key, const LevelCount *lc,
		   const bool *pooled, int n, int32 n_row_levels)
{
	int			kept = 0;

	d->level_col[k] = palloc(sizeof(int32) * Max(n_row_levels, 1));
	d->null_col[k] = -1;
	for (int l = 0; l < n; l++)
	{
		int32		c = pooled[l] ? key->pool_col : key->col + kept++;

		if (lc[l].id < 0)
			d->null_col[k] = c;
		else
			d->level_col[k][lc[l].id] = c;
	}
}

static int
cmp_key_names(const void *a, const void *b, void *arg)
{
	const FeatColumn *keys = arg;
	const FeatColumn *x = &keys[*(const int *) a];
	const FeatColumn *y = &keys[*(const int *) b];

	return features_level_cmp(x->name, x->name_len, y->name, y->name_len);
}

/* Every key option "categorical" names must be a key of the rows. */
static void
check_categorical_keys(const FeatRows *rows)
{
	for (int i = 0; i < rows->n_categorical; i++)
	{
		const char *name = rows->categorical[i];
		bool		found = false;

		for (int k = 0; k < rows->n_keys && !found; k++)
			found = features_level_cmp(rows->keys[k].name, rows->keys[k].name_len,
									   name, strlen(name)) == 0;
		if (!found)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("option \"categorical\" of uplift_fit names key \"%s\", which no row has", name),
					 errhint("Name keys of the features objects; names are case-sensitive.")));
	}
}

FeatDesign *
features_design_build(const FeatRows *rows)
{
	FeatDesign *d = palloc0(sizeof(FeatDesign));
	UpliftEncoding *enc = palloc0(sizeof(UpliftEncoding));
	int			n_keys = rows->n_keys;
	int		   *order = palloc(sizeof(int) * Max(n_keys, 1));
	LevelCount **lcs = palloc0(sizeof(LevelCount *) * Max(n_keys, 1));
	bool	  **pooled = palloc0(sizeof(bool *) * Max(n_keys, 1));
	int		   *nlev = palloc0(sizeof(int) * Max(n_keys, 1));

	check_categorical_keys(rows);
	for (int i = 0; i < n_keys; i++)
		order[i] = i;
	qsort_arg(order, n_keys, sizeof(int), cmp_key_names, rows->keys);
	enc->n_keys = n_keys;
	enc->keys = palloc0(sizeof(UpliftFeatureKey) * Max(n_keys, 1));
	d->key_of_row_key = palloc(sizeof(int32) * Max(n_keys, 1));
	for (int i = 0; i < n_keys; i++)
	{
		const FeatColumn *col = &rows->keys[order[i]];
		UpliftFeatureKey *key = &enc->keys[i];

		if (col->type == 0)
			all_missing_error(col);
		key->name = pstrdup(col->name);
		key->type = col->type;
		key->categorical = col->categorical;
		d->key_of_row_key[order[i]] = i;
		if (key->categorical)
			encode_categorical(col, rows->nrows, rows->max_categories, key,
							   &pooled[i], &lcs[i], &nlev[i]);
		else
			(void) cells_mean(col->cells, rows->nrows, &key->mean, &key->indicator);
	}
	d->enc = enc;
	d->p = uplift_encoding_layout(enc);
	d->names = uplift_encoding_names(enc, d->p);
	d->level_col = palloc0(sizeof(int32 *) * Max(n_keys, 1));
	d->null_col = palloc(sizeof(int32) * Max(n_keys, 1));
	for (int i = 0; i < n_keys; i++)
	{
		d->null_col[order[i]] = -1;
		if (enc->keys[i].categorical)
			map_levels(d, order[i], &enc->keys[i], lcs[i], pooled[i], nlev[i],
					   rows->keys[order[i]].n_levels);
	}
	return d;
}

/*
 * Make d's encoding native (forests): one column per key; the level ids of
 * a categorical key map to their level's index (-1: an infrequent level,
 * pooled by max_categories), and missing values stay NaN.
 */
void
features_design_native(FeatDesign *d, const FeatRows *rows)
{
	for (int k = 0; k < rows->n_keys; k++)
	{
		const UpliftFeatureKey *key = &d->enc->keys[d->key_of_row_key[k]];

		if (!key->categorical)
			continue;
		for (int id = 0; id < rows->keys[k].n_levels; id++)
		{
			int32		col = d->level_col[k][id];

			d->level_col[k][id] = (col >= key->col && col < key->col + key->n_levels) ?
				col - key->col : -1;
		}
	}
	d->enc->native = true;
	d->p = uplift_encoding_layout(d->enc);
	d->names = uplift_encoding_names(d->enc, d->p);
}

void
features_design_row(const FeatDesign *d, const FeatRows *rows, int64 i, double *x)
{
	for (int k = 0; k < rows->n_keys; k++)
	{
		const UpliftFeatureKey *key = &d->enc->keys[d->key_of_row_key[k]];
		double		v = rows->keys[k].cells[i];

		if (key->native)
		{
			x[key->col] = (key->categorical && !isnan(v)) ?
				(double) d->level_col[k][(int) v] : v;
			continue;
		}

		if (!key->categorical)
		{
			if (isnan(v))
				features_encode_missing(key, x);
			else
				features_encode_number(key, v, x);
			continue;
		}
		clear_levels(key, x);
		if (isnan(v))
		{
			if (d->null_col[k] >= 0)
				x[d->null_col[k]] = 1.0;
		}
		else
			x[d->level_col[k][(int) v]] = 1.0;
	}
}
