/*
 * named_features.h
 *	  The header of features.c and features_encode.c (not "features.h",
 *	  which would hide the C library's header of that name):
 *	  named features (jsonb): the typed rows uplift_fit keeps for them, the
 *	  encoding learned from those rows, and the reading of a jsonb row at
 *	  scoring time.
 *
 * features.c is the glue (jsonb in, rows and bytes out); features_encode.c
 * the numerics on plain arrays: the encoding (means, missing indicators,
 * one-hot levels, infrequent levels pooled) learned from the rows, and the
 * design row of a model's encoding for given values.  The learners never
 * see jsonb: the final function of uplift_fit hands them the design rows.
 */
#ifndef UPLIFT_NAMED_FEATURES_H
#define UPLIFT_NAMED_FEATURES_H

#include "postgres.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "utils/jsonb.h"

#include "bytes.h"
#include "model.h"

/* Most levels a categorical key may take in one fit (before pooling). */
#define FEATURES_MAX_LEVELS 1000

/* Most keys of one row. */
#define FEATURES_MAX_KEYS 1000

/*
 * One key of the rows: its value type (0 while only missing values were
 * seen), and one cell per row: the number, or for a categorical key the id
 * of its level (an index into levels), NaN when missing (JSON null or
 * absent).
 */
typedef struct FeatColumn
{
	char	   *name;
	int32		name_len;
	int32		type;			/* UpliftKeyType, or 0 */
	bool		categorical;
	int32		n_levels;
	char	  **levels;			/* NULL, or FEATURES_MAX_LEVELS slots, NUL-terminated */
	int32	   *level_len;
	double	   *cells;			/* cap_rows cells */
} FeatColumn;

/* The rows of uplift_fit from named features. */
typedef struct FeatRows
{
	MemoryContext cxt;
	bool		weighted;		/* rows carry a propensity */
	int32		max_categories; /* option "max_categories", 0 if none */
	int32		n_categorical;	/* option "categorical": keys one-hot encoded */
	char	  **categorical;
	char	   *options;		/* the learner's options (jsonb text), or NULL */
	int32		n_keys;
	FeatColumn *keys;			/* FEATURES_MAX_KEYS slots, order of first sight */
	int64		nrows;
	int64		cap_rows;
	int32	   *action;
	double	   *outcome;
	double	   *propensity;		/* NULL unless weighted */
} FeatRows;

/*
 * A design built from rows: the encoding and, per key of the rows, the
 * column of each level id (-1: none) and of the JSON null level.
 */
typedef struct FeatDesign
{
	UpliftEncoding *enc;
	int32		p;				/* design columns */
	char	  **names;			/* p column names */
	int32	   *key_of_row_key; /* rows' key -> encoding's key */
	int32	  **level_col;		/* rows' key -> level id -> column, or NULL */
	int32	   *null_col;		/* rows' key -> column of its null level, or -1 */
} FeatDesign;

/* features.c: the aggregate's rows */
extern FeatRows *features_rows_create(MemoryContext cxt, Jsonb *opts, bool weighted);
extern void features_rows_add(FeatRows *rows, Jsonb *features, int32 action,
							  double outcome, double propensity);
extern FeatRows *features_rows_empty_like(const FeatRows *rows, MemoryContext cxt);
extern void features_rows_merge(FeatRows *into, const FeatRows *from);
extern void features_rows_serialize(StringInfo out, const FeatRows *rows);
extern FeatRows *features_rows_deserialize(ByteReader *r, MemoryContext cxt);
extern Jsonb *features_learner_options(const FeatRows *rows);

/*
 * features.c: the features argument of a scoring call (jsonb or an array)
 * read into x for model m; an error when the form does not match the model.
 */
extern void features_read_for_model(FunctionCallInfo fcinfo, int argno,
									const UpliftModel *m, double *x);

/* features_encode.c */
extern FeatDesign *features_design_build(const FeatRows *rows);
extern void features_design_row(const FeatDesign *d, const FeatRows *rows,
								int64 i, double *x);
extern void features_design_native(FeatDesign *d, const FeatRows *rows);
extern int	features_level_cmp(const char *a, int alen, const char *b, int blen);
extern int32 uplift_encoding_layout(UpliftEncoding *enc);
extern char **uplift_encoding_names(const UpliftEncoding *enc, int32 p);
extern void features_encode_missing(const UpliftFeatureKey *key, double *x);
extern void features_encode_number(const UpliftFeatureKey *key, double v, double *x);
extern void features_encode_level(const UpliftFeatureKey *key, const char *s, int len,
								  double *x);
extern const char *features_type_name(int32 type);

#endif							/* UPLIFT_NAMED_FEATURES_H */
