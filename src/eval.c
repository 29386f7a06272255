/*
 * eval.c
 *	  SQL glue of the evaluation aggregates (uplift_qini_auc, uplift_auuc,
 *	  uplift_at_k, uplift_curve, uplift_by_percentile, uplift_calibration,
 *	  uplift_net_value): transition, combine, serialize and final functions.
 *	  The arithmetic lives in eval_metrics.c.
 *
 * The state keeps each row's score and outcome (and cost) in one array per
 * arm, 16 bytes a row (24 with a cost or an input order); the final function
 * sorts once.  Rows with a NULL score, treatment or outcome are skipped.
 * When the call has ORDER BY (uplift_at_k, uplift_by_percentile and
 * uplift_calibration only), the executor feeds rows in that order and the
 * state records it, so ties at a cut are split exactly as scikit-uplift
 * splits them; otherwise a tie group cut in two counts fractionally.
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "nodes/primnodes.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/typcache.h"

#include "arrays.h"
#include "bytes.h"
#include "eval_metrics.h"
#include "options.h"
#include "progress.h"
#include "uplift.h"

#define EVAL_STATE_VERSION 2
#define EVAL_INITIAL_ROWS 1024
/* values (de)serialized between two interrupt checks */
#define EVAL_SERIAL_BLOCK ((int64) 1024 * 1024)

static const char *const strategy_names[] = {"overall", "by_group", NULL};
static const char *const scale_names[] = {"qini", "uplift", "none", NULL};

/* Arguments that are the same on every row, read from the first row. */
typedef struct EvalParams
{
	bool		set;
	double		k;
	int32		strategy;
	int32		bins;
	bool		negative_effect;
	int32		points;
	bool		total;
	double		fixed_cost;
	int32		scale;
} EvalParams;

typedef struct EvalState
{
	MetricData	d;
	EvalParams	p;
	int64		seq;			/* next input sequence number (ordered) */
	Progress	progress;		/* off in states built by combine or deserial */
} EvalState;

/* ---------------------------------------------------------------- state */

static EvalState *
eval_state_new(MemoryContext cxt, MetricLayout layout)
{
	EvalState  *st = MemoryContextAllocZero(cxt, sizeof(EvalState));

	st->d.layout = layout;
	st->p.negative_effect = true;
	return st;
}

static void
arm_reserve(MetricArm *arm, int width, int64 need, MemoryContext cxt)
{
	int64		cap;
	int64		max_rows = (int64) (MaxAllocHugeSize / (width * sizeof(double)));

	if (need <= arm->cap)
		return;
	if (need > max_rows)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("too many rows for an uplift evaluation aggregate"),
				 errdetail("At most " INT64_FORMAT " rows per arm fit in memory.", max_rows)));
	/*
	 * Double while small, then grow by an eighth to bound the slack: big
	 * blocks are reallocated by remapping pages, not by copying.
	 */
	cap = arm->cap < EVAL_INITIAL_ROWS ? EVAL_INITIAL_ROWS :
		(arm->cap < 1024 * 1024 ? arm->cap * 2 : arm->cap + arm->cap / 8);
	cap = Max(cap, need);
	cap = Min(cap, max_rows);
	if (arm->rows == NULL)
		arm->rows = MemoryContextAllocHuge(cxt, cap * width * sizeof(double));
	else
		arm->rows = repalloc_huge(arm->rows, cap * width * sizeof(double));
	arm->cap = cap;
}

static void
eval_add_row(EvalState *st, MemoryContext cxt, double score, int32 treatment,
			 double y, double c)
{
	MetricArm  *arm;
	int			w = METRIC_WIDTH(st->d.layout);
	double	   *row;

	if (treatment != 0 && treatment != 1)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("treatment must be 0 or 1"),
				 errdetail("Got %d.", treatment),
				 errhint("To evaluate one action against control, filter the rows to that action and 0, or map it with CASE.")));
	uplift_check_finite(score, "score");
	uplift_check_finite(y, st->d.layout == METRIC_COST ? "value" : "outcome");

	arm = &st->d.arm[treatment];
	arm_reserve(arm, w, arm->n + 1, cxt);
	row = arm->rows + arm->n * w;
	row[0] = score;
	row[1] = y;
	if (st->d.layout == METRIC_COST)
	{
		uplift_check_finite(c, "cost");
		row[2] = c;
	}
	else if (st->d.layout == METRIC_ORDERED)
	{
		int64		seq = st->seq++;

		memcpy(&row[2], &seq, sizeof(seq));
	}
	arm->n++;
	st->d.sorted = false;
}

/* True when this aggregate call has its own ORDER BY. */
static bool
call_has_order_by(FunctionCallInfo fcinfo)
{
	Aggref	   *aggref = AggGetAggref(fcinfo);

	return aggref != NULL && aggref->aggorder != NIL;
}

/*
 * The common part of every transition function: create the state on the
 * first call, skip rows with a NULL score, treatment or outcome (or cost),
 * add the row.  *skipped is set when the row had a NULL and was not added.
 */
static EvalState *
eval_trans_common(FunctionCallInfo fcinfo, const char *funcname,
				  MetricLayout layout, bool has_cost, bool *skipped)
{
	MemoryContext cxt = uplift_agg_context(fcinfo, funcname);
	EvalState  *st = PG_ARGISNULL(0) ? NULL : (EvalState *) PG_GETARG_POINTER(0);
	int			nargs = has_cost ? 5 : 4;

	if (st == NULL)
	{
		st = eval_state_new(cxt, layout);
		progress_begin_agg(&st->progress, fcinfo, cxt);
	}
	progress_rows(&st->progress, 1);

	*skipped = false;
	for (int i = 1; i < nargs; i++)
		if (PG_ARGISNULL(i))
			*skipped = true;
	if (!*skipped)
		eval_add_row(st, cxt, PG_GETARG_FLOAT8(1), PG_GETARG_INT32(2),
					 PG_GETARG_FLOAT8(3), has_cost ? PG_GETARG_FLOAT8(4) : 0);
	return st;
}

static Jsonb *
opts_arg(FunctionCallInfo fcinfo, int argno)
{
	return PG_ARGISNULL(argno) ? NULL : PG_GETARG_JSONB_P(argno);
}

static int32
strategy_from_text(text *t)
{
	char	   *s = text_to_cstring(t);

	for (int i = 0; strategy_names[i] != NULL; i++)
		if (strcmp(s, strategy_names[i]) == 0)
			return i;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("strategy must be 'overall' or 'by_group'"),
			 errdetail("Got '%s'.", s),
			 errhint("'overall' cuts the merged ranking; 'by_group' cuts the treated and the control ranking separately.")));
	return 0;					/* keep compiler quiet */
}

static void
check_k(double k)
{
	if (!(k > 0 && k <= 1))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("k must be in (0, 1]"),
				 errdetail("Got %g.", k),
				 errhint("k is the share of the ranking to keep, for example 0.3 for the top 30%%.")));
}

static void
check_bins(int32 bins)
{
	if (bins < 1 || bins > 10000)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("bins must be between 1 and 10000"),
				 errdetail("Got %d.", bins)));
}

static void
parse_options(EvalParams *p, Jsonb *opts, const char *funcname,
			  const char *const *allowed)
{
	options_check_keys(opts, funcname, allowed);
	p->negative_effect = options_bool(opts, "negative_effect", true);
	p->points = (int32) options_int(opts, "points", 0, 0, 100000);
	p->total = options_bool(opts, "total", false);
	p->fixed_cost = options_float(opts, "fixed_cost", 0, -1e300, 1e300);
	p->scale = options_choice(opts, "scale", NET_SCALE_QINI, scale_names);
}

/* ---------------------------------------------------- transition functions */

PG_FUNCTION_INFO_V1(uplift_eval_transfn);
Datum
uplift_eval_transfn(PG_FUNCTION_ARGS)
{
	bool		skipped;

	PG_RETURN_POINTER(eval_trans_common(fcinfo, "uplift_eval_transfn",
										METRIC_PLAIN, false, &skipped));
}

/* Transition of a plain metric whose fourth argument is its options. */
static Datum
plain_opts_trans(FunctionCallInfo fcinfo, const char *name, const char *const *allowed)
{
	bool		skipped;
	EvalState  *st = eval_trans_common(fcinfo, name, METRIC_PLAIN, false, &skipped);

	if (!st->p.set)
	{
		parse_options(&st->p, opts_arg(fcinfo, 4), name, allowed);
		st->p.set = true;
	}
	PG_RETURN_POINTER(st);
}

PG_FUNCTION_INFO_V1(uplift_qini_auc_transfn);
Datum
uplift_qini_auc_transfn(PG_FUNCTION_ARGS)
{
	static const char *const allowed[] = {"negative_effect", NULL};

	return plain_opts_trans(fcinfo, "uplift_qini_auc", allowed);
}

PG_FUNCTION_INFO_V1(uplift_curve_transfn);
Datum
uplift_curve_transfn(PG_FUNCTION_ARGS)
{
	static const char *const allowed[] = {"negative_effect", "points", NULL};

	return plain_opts_trans(fcinfo, "uplift_curve", allowed);
}

/*
 * The transition of a cut metric: k (a share for uplift_at_k, a number of
 * rows for uplift_at_n) and the strategy in its fourth and fifth arguments,
 * checked by the caller, the same on every row.
 */
static Datum
cut_trans(FunctionCallInfo fcinfo, const char *name, double k)
{
	bool		skipped;
	EvalState  *st;
	int32		strategy;

	if (PG_ARGISNULL(5))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("strategy of %s must not be NULL", name)));
	strategy = strategy_from_text(PG_GETARG_TEXT_PP(5));

	st = eval_trans_common(fcinfo, name,
						   call_has_order_by(fcinfo) ? METRIC_ORDERED : METRIC_PLAIN,
						   false, &skipped);
	if (!st->p.set)
	{
		st->p.k = k;
		st->p.strategy = strategy;
		st->p.set = true;
	}
	else if (st->p.k != k || st->p.strategy != strategy)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("k and strategy of %s must be the same on every row", name)));
	PG_RETURN_POINTER(st);
}

/* uplift_at_k(score, treatment, outcome, k, strategy) */
PG_FUNCTION_INFO_V1(uplift_at_k_transfn);
Datum
uplift_at_k_transfn(PG_FUNCTION_ARGS)
{
	if (PG_ARGISNULL(4) || PG_ARGISNULL(5))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("k and strategy of uplift_at_k must not be NULL")));
	check_k(PG_GETARG_FLOAT8(4));
	return cut_trans(fcinfo, "uplift_at_k", PG_GETARG_FLOAT8(4));
}

/* uplift_by_percentile(score, treatment, outcome, bins, strategy [, options]) */
PG_FUNCTION_INFO_V1(uplift_by_percentile_transfn);
Datum
uplift_by_percentile_transfn(PG_FUNCTION_ARGS)
{
	static const char *const allowed[] = {"total", NULL};
	bool		skipped;
	EvalState  *st;
	int32		bins;
	int32		strategy;

	if (PG_ARGISNULL(4) || PG_ARGISNULL(5))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("bins and strategy of uplift_by_percentile must not be NULL")));
	bins = PG_GETARG_INT32(4);
	check_bins(bins);
	strategy = strategy_from_text(PG_GETARG_TEXT_PP(5));

	st = eval_trans_common(fcinfo, "uplift_by_percentile",
						   call_has_order_by(fcinfo) ? METRIC_ORDERED : METRIC_PLAIN,
						   false, &skipped);
	if (!st->p.set)
	{
		parse_options(&st->p, PG_NARGS() > 6 ? opts_arg(fcinfo, 6) : NULL,
					  "uplift_by_percentile", allowed);
		st->p.bins = bins;
		st->p.strategy = strategy;
		st->p.set = true;
	}
	else if (st->p.bins != bins || st->p.strategy != strategy)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("bins and strategy of uplift_by_percentile must be the same on every row")));
	PG_RETURN_POINTER(st);
}

/* uplift_calibration(score, treatment, outcome, bins) */
PG_FUNCTION_INFO_V1(uplift_calibration_transfn);
Datum
uplift_calibration_transfn(PG_FUNCTION_ARGS)
{
	bool		skipped;
	EvalState  *st;
	int32		bins;

	if (PG_ARGISNULL(4))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("bins of uplift_calibration must not be NULL")));
	bins = PG_GETARG_INT32(4);
	check_bins(bins);
	st = eval_trans_common(fcinfo, "uplift_calibration",
						   call_has_order_by(fcinfo) ? METRIC_ORDERED : METRIC_PLAIN,
						   false, &skipped);
	if (!st->p.set)
	{
		st->p.bins = bins;
		st->p.strategy = STRATEGY_OVERALL;
		st->p.set = true;
	}
	else if (st->p.bins != bins)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("bins of uplift_calibration must be the same on every row")));
	PG_RETURN_POINTER(st);
}

/* uplift_net_value(score, treatment, value, cost [, options]) */
PG_FUNCTION_INFO_V1(uplift_net_value_transfn);
Datum
uplift_net_value_transfn(PG_FUNCTION_ARGS)
{
	static const char *const allowed[] = {"fixed_cost", "scale", "points", NULL};
	bool		skipped;
	EvalState  *st = eval_trans_common(fcinfo, "uplift_net_value",
									   METRIC_COST, true, &skipped);

	if (!st->p.set)
	{
		parse_options(&st->p, PG_NARGS() > 5 ? opts_arg(fcinfo, 5) : NULL,
					  "uplift_net_value", allowed);
		st->p.set = true;
	}
	PG_RETURN_POINTER(st);
}

/* ------------------------------------------------ combine and serialization */

static void
arm_append(MetricArm *into, const MetricArm *from, int width, MemoryContext cxt)
{
	if (from->n == 0)
		return;
	arm_reserve(into, width, into->n + from->n, cxt);
	memcpy(into->rows + into->n * width, from->rows,
		   from->n * width * sizeof(double));
	into->n += from->n;
}

/*
 * Merge the sorted rows of "from" into "into" (both sorted), freeing both
 * inputs' rows when they are ours; "from" is left empty.
 */
static void
arm_merge(MetricArm *into, MetricArm *from, MetricLayout layout, MemoryContext cxt)
{
	MetricArm	merged = {0};

	if (from->n == 0)
		return;
	arm_reserve(&merged, METRIC_WIDTH(layout), into->n + from->n, cxt);
	metric_merge_rows(layout, into->rows, into->n, from->rows, from->n, merged.rows);
	merged.n = into->n + from->n;
	if (into->rows != NULL)
		pfree(into->rows);
	if (GetMemoryChunkContext(from->rows) == cxt)
		pfree(from->rows);
	memset(from, 0, sizeof(MetricArm));
	*into = merged;
}

PG_FUNCTION_INFO_V1(uplift_eval_combinefn);
Datum
uplift_eval_combinefn(PG_FUNCTION_ARGS)
{
	MemoryContext cxt = uplift_agg_context(fcinfo, "uplift_eval_combinefn");
	EvalState  *a = PG_ARGISNULL(0) ? NULL : (EvalState *) PG_GETARG_POINTER(0);
	EvalState  *b = PG_ARGISNULL(1) ? NULL : (EvalState *) PG_GETARG_POINTER(1);
	int			w;

	if (b == NULL)
	{
		if (a == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(a);
	}
	if (a == NULL)
	{
		/* a deserialized state is already ours: keep its rows, not a copy */
		if (GetMemoryChunkContext(b) == cxt)
			PG_RETURN_POINTER(b);
		a = eval_state_new(cxt, b->d.layout);
		a->p = b->p;
	}
	if (a->d.layout != b->d.layout)
		elog(ERROR, "uplift_eval_combinefn: states of different layouts");
	if (!a->p.set)
		a->p = b->p;
	w = METRIC_WIDTH(a->d.layout);
	/* runs sorted by the partial aggregates' serial functions are merged */
	if (a->d.sorted && b->d.sorted)
		for (int arm = 0; arm < 2; arm++)
			arm_merge(&a->d.arm[arm], &b->d.arm[arm], a->d.layout, cxt);
	else
	{
		for (int arm = 0; arm < 2; arm++)
			arm_append(&a->d.arm[arm], &b->d.arm[arm], w, cxt);
		a->d.sorted = false;
	}
	a->seq += b->seq;
	PG_RETURN_POINTER(a);
}

PG_FUNCTION_INFO_V1(uplift_eval_serialfn);
Datum
uplift_eval_serialfn(PG_FUNCTION_ARGS)
{
	EvalState  *st = (EvalState *) PG_GETARG_POINTER(0);
	int			w = METRIC_WIDTH(st->d.layout);
	Size		size = 128;
	StringInfoData buf;

	(void) uplift_agg_context(fcinfo, "uplift_eval_serialfn");
	for (int a = 0; a < 2; a++)
		size += (Size) st->d.arm[a].n * w * sizeof(double);
	if (size > MaxAllocSize - VARHDRSZ)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("evaluation state of " INT64_FORMAT " rows is too large to pass between parallel workers",
						st->d.arm[0].n + st->d.arm[1].n),
				 errhint("Disable parallel aggregation for this query: SET max_parallel_workers_per_gather = 0.")));

	/*
	 * Each partial state is sorted here, in the process that collected it:
	 * the combine function then merges sorted runs, and the final function
	 * does not sort again.
	 */
	metric_sort(&st->d);
	bytes_begin_bytea(&buf);
	enlargeStringInfo(&buf, (int) size);
	bytes_put_u8(&buf, EVAL_STATE_VERSION);
	bytes_put_u8(&buf, (uint8) st->d.layout);
	bytes_put_u8(&buf, st->d.sorted);
	bytes_put_u8(&buf, st->p.set);
	bytes_put_f64(&buf, st->p.k);
	bytes_put_i32(&buf, st->p.strategy);
	bytes_put_i32(&buf, st->p.bins);
	bytes_put_u8(&buf, st->p.negative_effect);
	bytes_put_i32(&buf, st->p.points);
	bytes_put_u8(&buf, st->p.total);
	bytes_put_f64(&buf, st->p.fixed_cost);
	bytes_put_i32(&buf, st->p.scale);
	bytes_put_i64(&buf, st->seq);
	for (int a = 0; a < 2; a++)
	{
		const MetricArm *arm = &st->d.arm[a];

		bytes_put_u32(&buf, (uint32) arm->n);
		/* every slot as 8 raw bytes: a double, or the int64 sequence */
		for (int64 i = 0; i < arm->n * w; i += EVAL_SERIAL_BLOCK)
		{
			CHECK_FOR_INTERRUPTS();
			bytes_put_f64s(&buf, arm->rows + i, Min(EVAL_SERIAL_BLOCK, arm->n * w - i));
		}
	}
	PG_RETURN_BYTEA_P(bytes_end_bytea(&buf));
}

PG_FUNCTION_INFO_V1(uplift_eval_deserialfn);
Datum
uplift_eval_deserialfn(PG_FUNCTION_ARGS)
{
	MemoryContext cxt = uplift_agg_context(fcinfo, "uplift_eval_deserialfn");
	bytea	   *raw = PG_GETARG_BYTEA_PP(0);
	ByteReader	r;
	EvalState  *st;
	uint8		version,
				layout;
	int			w;

	bytes_reader_init(&r, VARDATA_ANY(raw), VARSIZE_ANY_EXHDR(raw),
					  "uplift evaluation state");
	version = bytes_get_u8(&r);
	if (version != EVAL_STATE_VERSION)
		bytes_corrupted(&r, "unknown format version");
	layout = bytes_get_u8(&r);
	if (layout > METRIC_ORDERED)
		bytes_corrupted(&r, "unknown row layout");
	st = eval_state_new(cxt, (MetricLayout) layout);
	w = METRIC_WIDTH(st->d.layout);
	st->d.sorted = bytes_get_u8(&r) != 0;
	st->p.set = bytes_get_u8(&r) != 0;
	st->p.k = bytes_get_f64(&r);
	st->p.strategy = bytes_get_i32(&r);
	st->p.bins = bytes_get_i32(&r);
	st->p.negative_effect = bytes_get_u8(&r) != 0;
	st->p.points = bytes_get_i32(&r);
	st->p.total = bytes_get_u8(&r) != 0;
	st->p.fixed_cost = bytes_get_f64(&r);
	st->p.scale = bytes_get_i32(&r);
	st->seq = bytes_get_i64(&r);
	if (st->p.strategy < 0 || st->p.strategy > STRATEGY_BY_GROUP ||
		st->p.scale < 0 || st->p.scale > NET_SCALE_NONE ||
		st->p.bins < 0 || st->p.bins > 10000 || st->p.points < 0)
		bytes_corrupted(&r, "parameter out of range");
	for (int a = 0; a < 2; a++)
	{
		MetricArm  *arm = &st->d.arm[a];
		uint32		n = bytes_get_count(&r, w * sizeof(double), PG_UINT32_MAX);

		arm_reserve(arm, w, n, cxt);
		for (int64 i = 0; i < (int64) n * w; i += EVAL_SERIAL_BLOCK)
		{
			CHECK_FOR_INTERRUPTS();
			bytes_get_f64s(&r, arm->rows + i, Min(EVAL_SERIAL_BLOCK, (int64) n * w - i));
		}
		arm->n = n;
	}
	bytes_expect_end(&r);
	PG_RETURN_POINTER(st);
}

/* ------------------------------------------------------- final functions */

/* The state, or NULL for no rows; an error unless both arms have rows. */
static EvalState *
final_state(FunctionCallInfo fcinfo, const char *funcname)
{
	EvalState  *st;

	(void) uplift_agg_context(fcinfo, funcname);
	if (PG_ARGISNULL(0))
		return NULL;
	st = (EvalState *) PG_GETARG_POINTER(0);
	if (st->d.arm[0].n + st->d.arm[1].n == 0)
		return NULL;
	if (st->d.arm[0].n == 0 || st->d.arm[1].n == 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("%s needs at least one treated and one control row", funcname),
				 errdetail("Got " INT64_FORMAT " treated and " INT64_FORMAT " control rows.",
						   st->d.arm[1].n, st->d.arm[0].n),
				 errhint("Check the treatment column (1 treated, 0 control) and the filter of the query.")));
	return st;
}

/*
 * The one warning of a result with values that overflowed double precision
 * (which it holds as NULL).
 */
static void
warn_overflow(const char *funcname, int64 count)
{
	ereport(WARNING,
			(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			 errmsg_plural("%s: " INT64_FORMAT " value overflows double precision and is NULL",
							"%s: " INT64_FORMAT " values overflow double precision and are NULL",
							count, funcname, count),
			 errdetail("Sums of the outcomes, of their squares or of the scores are not finite numbers."),
			 errhint("Rescale the outcome or the score (for example to thousands).")));
}

/*
 * A WARNING when some outcome is neither 0 nor 1 where "what" is defined
 * for a binary outcome only (scikit-uplift refuses such input).
 */
static void
warn_non_binary(const EvalState *st, const char *funcname, const char *what)
{
	int64		count = metric_count_non_binary(&st->d);

	if (count > 0)
		ereport(WARNING,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("%s expects a 0/1 outcome", funcname),
				 errdetail(INT64_FORMAT " of " INT64_FORMAT " outcomes are neither 0 nor 1; %s.",
						   count, st->d.arm[0].n + st->d.arm[1].n, what),
				 errhint("For a continuous outcome use uplift_qini_auc (with negative_effect true), uplift_at_k, uplift_by_percentile or uplift_net_value.")));
}

/*
 * The value of a scalar metric: NULL with a WARNING when its normaliser is
 * 0 or the result is not a finite number.
 */
static Datum
scalar_result(FunctionCallInfo fcinfo, const char *funcname, double v, bool undefined)
{
	if (undefined)
	{
		ereport(WARNING,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("%s is NULL: its normaliser is 0", funcname),
				 errdetail("The perfect curve coincides with the random line, for example when no row responds."),
				 errhint("Check the outcome column of the holdout.")));
		PG_RETURN_NULL();
	}
	if (!isfinite(v))
	{
		warn_overflow(funcname, 1);
		PG_RETURN_NULL();
	}
	PG_RETURN_FLOAT8(v);
}

/*
 * With negative_effect false the perfect Qini curve is (0, 0), (r, r),
 * (n, r): r incremental responders targeted first.  It is a curve of
 * targeting only for 0 < r <= n.
 */
static bool
qini_gain_in_range(EvalState *st, const char *funcname)
{
	double		r = metric_random_qini_gain(&st->d);
	double		n = (double) (st->d.arm[0].n + st->d.arm[1].n);

	if (r > 0 && r <= n)
		return true;
	ereport(WARNING,
			(errcode(ERRCODE_DATA_EXCEPTION),
			 errmsg("%s with negative_effect false is NULL: the overall incremental response %g is %s",
					funcname, r, r > n ? "above the row count" : "not positive"),
			 errdetail("The perfect Qini curve (0, 0), (r, r), (n, r) needs 0 < r <= n = %.0f, r = Yt - Nt * Yc / Nc.", n),
			 errhint("Use the default negative_effect true, whose perfect curve is defined for any outcome.")));
	return false;
}

PG_FUNCTION_INFO_V1(uplift_qini_auc_finalfn);
Datum
uplift_qini_auc_finalfn(PG_FUNCTION_ARGS)
{
	EvalState  *st = final_state(fcinfo, "uplift_qini_auc");
	bool		undefined;
	double		v;

	if (st == NULL)
		PG_RETURN_NULL();
	if (!st->p.negative_effect)
	{
		warn_non_binary(st, "uplift_qini_auc",
						"the perfect Qini curve with negative_effect false counts responders");
		if (!qini_gain_in_range(st, "uplift_qini_auc"))
			PG_RETURN_NULL();
	}
	v = metric_qini_auc(&st->d, st->p.negative_effect, &undefined);
	return scalar_result(fcinfo, "uplift_qini_auc", v, undefined);
}

PG_FUNCTION_INFO_V1(uplift_auuc_finalfn);
Datum
uplift_auuc_finalfn(PG_FUNCTION_ARGS)
{
	EvalState  *st = final_state(fcinfo, "uplift_auuc");
	bool		undefined;
	double		v;

	if (st == NULL)
		PG_RETURN_NULL();
	warn_non_binary(st, "uplift_auuc", "the perfect uplift curve is defined for a 0/1 outcome only");
	v = metric_auuc(&st->d, &undefined);
	return scalar_result(fcinfo, "uplift_auuc", v, undefined);
}

PG_FUNCTION_INFO_V1(uplift_at_k_finalfn);
Datum
uplift_at_k_finalfn(PG_FUNCTION_ARGS)
{
	EvalState  *st = final_state(fcinfo, "uplift_at_k");
	MetricGroup top;
	bool		ordered;

	if (st == NULL)
		PG_RETURN_NULL();
	ordered = st->d.layout == METRIC_ORDERED;
	if (st->p.strategy == STRATEGY_BY_GROUP)
	{
		for (int a = 0; a < 2; a++)
			if (floor((double) st->d.arm[a].n * st->p.k) < 1)
				ereport(ERROR,
						(errcode(ERRCODE_DATA_EXCEPTION),
						 errmsg("uplift_at_k keeps no %s row at k = %g", a ? "treated" : "control", st->p.k),
						 errdetail("floor(" INT64_FORMAT " * k) is 0.", st->d.arm[a].n),
						 errhint("Increase k.")));
	}
	metric_top_k(&st->d, st->p.k, (MetricStrategy) st->p.strategy, ordered, &top);
	for (int a = 0; a < 2; a++)
		if (top.n[a] <= 0)
			ereport(ERROR,
					(errcode(ERRCODE_DATA_EXCEPTION),
					 errmsg("the top k rows of uplift_at_k hold no %s row", a ? "treated" : "control"),
					 errdetail("k = %g keeps %.0f rows.", st->p.k, top.n[0] + top.n[1]),
					 errhint("Increase k or use strategy 'by_group'.")));
	return scalar_result(fcinfo, "uplift_at_k",
						 metric_overflow_inf(top.y[1] / top.n[1] - top.y[0] / top.n[0]), false);
}

/* ------------------------------------------- composite arrays for the rows */

typedef struct RowBuilder
{
	Oid			elemtype;
	TupleDesc	tupdesc;
	Datum	   *items;
	int64		n;
	int64		cap;
	Size		max_items;
	const char *funcname;
	int64		n_overflow;		/* values too large for double precision */
} RowBuilder;

static void
rows_init(RowBuilder *rb, FunctionCallInfo fcinfo, const char *funcname,
		  Size bytes_per_row)
{
	rb->tupdesc = uplift_result_rows_desc(fcinfo, &rb->elemtype);
	rb->n = 0;
	rb->cap = 64;
	rb->items = palloc(rb->cap * sizeof(Datum));
	rb->max_items = MaxAllocSize / bytes_per_row;
	rb->funcname = funcname;
	rb->n_overflow = 0;
}

static void
too_many_points(double points)
{
	ereport(ERROR,
			(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			 errmsg("too many points for one result array"),
			 errdetail("The exact curves would have %.0f points.", points),
			 errhint("Pass a bounded number of points, for example '{\"points\": 100}'.")));
}

/* Fail early when the exact result would not fit in one array. */
static void
rows_expect(RowBuilder *rb, double points)
{
	if (points > (double) rb->max_items)
		too_many_points(points);
}

static void
rows_add(RowBuilder *rb, Datum *values, bool *nulls)
{
	HeapTuple	tup;

	if ((Size) rb->n >= rb->max_items)
		too_many_points((double) rb->n + 1);
	if (rb->n == rb->cap)
	{
		rb->cap *= 2;
		rb->items = repalloc_huge(rb->items, rb->cap * sizeof(Datum));
	}
	tup = heap_form_tuple(rb->tupdesc, values, nulls);
	rb->items[rb->n++] = HeapTupleGetDatum(tup);
}

/*
 * A value of a result row: NaN (an arm without rows) is a plain NULL; an
 * infinite value (a sum that overflowed) is NULL too, and counted for the
 * warning.
 */
static Datum
out_value(RowBuilder *rb, double x, bool *isnull)
{
	*isnull = !isfinite(x);
	if (isinf(x))
		rb->n_overflow++;
	return Float8GetDatum(x);
}

static Datum
rows_result(RowBuilder *rb)
{
	if (rb->n_overflow > 0)
		warn_overflow(rb->funcname, rb->n_overflow);
	return PointerGetDatum(construct_array(rb->items, (int) rb->n, rb->elemtype,
										   -1, false, TYPALIGN_DOUBLE));
}

/* ----------------------------------------------------------------- curves */

typedef struct CurveOut
{
	RowBuilder *rb;
	const char *name[2];		/* curve names for the qini and uplift values; NULL skips */
	int32		point[2];
	double		n;
} CurveOut;

static void
curve_emit(RowBuilder *rb, const char *name, int32 point, double x, double n, double y)
{
	Datum		values[5];
	bool		nulls[5] = {false, false, false, false, false};

	values[0] = CStringGetTextDatum(name);
	values[1] = Int32GetDatum(point);
	values[2] = out_value(rb, x, &nulls[2]);
	values[3] = out_value(rb, x / n, &nulls[3]);
	values[4] = out_value(rb, metric_overflow_inf(y), &nulls[4]);
	rows_add(rb, values, nulls);
}

static void
curve_step(void *arg, double x, const MetricGroup *cum)
{
	CurveOut   *out = (CurveOut *) arg;

	if (out->name[CURVE_QINI])
		curve_emit(out->rb, out->name[CURVE_QINI], out->point[CURVE_QINI]++, x, out->n,
				   metric_qini_value(cum->n[1], cum->n[0], cum->y[1], cum->y[0]));
	if (out->name[CURVE_UPLIFT])
		curve_emit(out->rb, out->name[CURVE_UPLIFT], out->point[CURVE_UPLIFT]++, x, out->n,
				   metric_uplift_value(cum->n[1], cum->n[0], cum->y[1], cum->y[0]));
}

/* the straight line from (0, 0) to (n, last) at the same depths */
static void
random_curve(RowBuilder *rb, const char *name, double n, double last, int32 points)
{
	if (points == 0)
	{
		curve_emit(rb, name, 0, 0, n, 0);
		curve_emit(rb, name, 1, n, n, last);
		return;
	}
	for (int32 j = 0, p = 0; j <= points; j++)
	{
		double		x = j == points ? n : floor(n * j / points);

		if (j > 0 && x <= floor(n * (j - 1) / points))
			continue;
		curve_emit(rb, name, p++, x, n, j == points ? last : last * x / n);
	}
}

PG_FUNCTION_INFO_V1(uplift_curve_finalfn);
Datum
uplift_curve_finalfn(PG_FUNCTION_ARGS)
{
	EvalState  *st = final_state(fcinfo, "uplift_curve");
	RowBuilder	rb;
	CurveOut	out;
	MetricCurveResult exact;
	double		n;

	if (st == NULL)
		PG_RETURN_NULL();
	n = (double) (st->d.arm[0].n + st->d.arm[1].n);
	rows_init(&rb, fcinfo, "uplift_curve", 96);
	memset(&out, 0, sizeof(out));
	out.rb = &rb;
	out.n = n;

	warn_non_binary(st, "uplift_curve", "its perfect_uplift curve is defined for a 0/1 outcome only");
	if (!st->p.negative_effect)
		(void) qini_gain_in_range(st, "uplift_curve");

	/* the model's curves, then the random lines through their end points */
	metric_sort(&st->d);
	if (st->p.points == 0)
		rows_expect(&rb, 2.0 * (metric_count_groups(&st->d) + 1) + 4);
	out.name[CURVE_QINI] = "qini";
	out.name[CURVE_UPLIFT] = "uplift";
	metric_walk(&st->d, st->p.points, curve_step, &out);
	metric_curves(&st->d, &exact);
	random_curve(&rb, "random_qini", n, exact.last_y[CURVE_QINI], st->p.points);
	random_curve(&rb, "random_uplift", n, exact.last_y[CURVE_UPLIFT], st->p.points);

	/* perfect Qini curve */
	memset(out.point, 0, sizeof(out.point));
	out.name[CURVE_UPLIFT] = NULL;
	out.name[CURVE_QINI] = "perfect_qini";
	if (st->p.negative_effect)
	{
		metric_set_perfect_scores(&st->d, PERFECT_QINI);
		metric_walk(&st->d, st->p.points, curve_step, &out);
	}
	else
	{
		double		r = metric_random_qini_gain(&st->d);

		curve_emit(&rb, "perfect_qini", 0, 0, n, 0);
		curve_emit(&rb, "perfect_qini", 1, r, n, r);
		curve_emit(&rb, "perfect_qini", 2, n, n, r);
	}

	/* perfect uplift curve */
	memset(out.point, 0, sizeof(out.point));
	out.name[CURVE_QINI] = NULL;
	out.name[CURVE_UPLIFT] = "perfect_uplift";
	metric_set_perfect_scores(&st->d, PERFECT_UPLIFT);
	metric_walk(&st->d, st->p.points, curve_step, &out);

	PG_RETURN_DATUM(rows_result(&rb));
}

/* ------------------------------------------------------ percentile tables */

static Datum
float_or_null(double x, bool *isnull)
{
	*isnull = isnan(x);
	return Float8GetDatum(x);
}

static void
bin_emit(RowBuilder *rb, int32 bin, const char *label, const MetricBinStats *s)
{
	Datum		values[13];
	bool		nulls[13];

	memset(nulls, 0, sizeof(nulls));
	values[0] = Int32GetDatum(bin);
	nulls[0] = bin <= 0;
	values[1] = CStringGetTextDatum(label);
	values[2] = Float8GetDatum(s->n[1]);
	values[3] = Float8GetDatum(s->n[0]);
	values[4] = out_value(rb, s->rate[1], &nulls[4]);
	values[5] = out_value(rb, s->rate[0], &nulls[5]);
	values[6] = out_value(rb, s->uplift, &nulls[6]);
	values[7] = out_value(rb, s->std[1], &nulls[7]);
	values[8] = out_value(rb, s->std[0], &nulls[8]);
	values[9] = out_value(rb, s->std_uplift, &nulls[9]);
	values[10] = out_value(rb, s->uplift - METRIC_Z95 * s->std_uplift, &nulls[10]);
	values[11] = out_value(rb, s->uplift + METRIC_Z95 * s->std_uplift, &nulls[11]);
	values[12] = out_value(rb, s->mean_score, &nulls[12]);
	rows_add(rb, values, nulls);
}

/* scikit-uplift's labels: "0-10", "10-20", ... (percent, no decimals) */
static char *
bin_label(int b, int nbins)
{
	return psprintf("%.0f-%.0f", 100.0 * b / nbins, 100.0 * (b + 1) / nbins);
}

static MetricBinStats *
compute_bins(EvalState *st, int nbins, MetricStrategy strategy)
{
	MetricGroup *g = palloc(sizeof(MetricGroup) * nbins);
	double	   *score_sum = palloc(sizeof(double) * nbins);
	MetricBinStats   *s = palloc(sizeof(MetricBinStats) * nbins);

	metric_bins(&st->d, nbins, strategy, st->d.layout == METRIC_ORDERED, g, score_sum);
	for (int b = 0; b < nbins; b++)
		metric_bin_stats(&g[b], score_sum[b], &s[b]);
	return s;
}

PG_FUNCTION_INFO_V1(uplift_by_percentile_finalfn);
Datum
uplift_by_percentile_finalfn(PG_FUNCTION_ARGS)
{
	EvalState  *st = final_state(fcinfo, "uplift_by_percentile");
	RowBuilder	rb;
	MetricBinStats   *s;
	int			nbins;

	if (st == NULL)
		PG_RETURN_NULL();
	nbins = st->p.bins;
	rows_init(&rb, fcinfo, "uplift_by_percentile", 160);
	s = compute_bins(st, nbins, (MetricStrategy) st->p.strategy);
	for (int b = 0; b < nbins; b++)
		bin_emit(&rb, b + 1, bin_label(b, nbins), &s[b]);

	if (st->p.total)
	{
		/*
		 * scikit-uplift's total row: rates over all rows, and (sic) the sum
		 * of the per-bin standard errors.
		 */
		MetricGroup tot;
		MetricBinStats	t;

		metric_totals(&st->d, &tot);
		metric_bin_stats(&tot, 0, &t);
		t.std[0] = t.std[1] = t.std_uplift = 0;
		for (int b = 0; b < nbins; b++)
		{
			t.std[0] += s[b].std[0];
			t.std[1] += s[b].std[1];
			t.std_uplift += s[b].std_uplift;
		}
		{
			NeumaierSum ss = {0, 0};
			int			w = METRIC_WIDTH(st->d.layout);

			for (int a = 0; a < 2; a++)
				for (int64 i = 0; i < st->d.arm[a].n; i++)
				{
					neumaier_add(&ss, st->d.arm[a].rows[i * w]);
					if ((i & 0xFFFF) == 0)
						CHECK_FOR_INTERRUPTS();
				}
			t.mean_score = neumaier_value(&ss) / (tot.n[0] + tot.n[1]);
		}
		bin_emit(&rb, 0, "total", &t);
	}
	PG_RETURN_DATUM(rows_result(&rb));
}

PG_FUNCTION_INFO_V1(uplift_calibration_finalfn);
Datum
uplift_calibration_finalfn(PG_FUNCTION_ARGS)
{
	EvalState  *st = final_state(fcinfo, "uplift_calibration");
	TupleDesc	tupdesc;
	MetricCalibration c;
	MetricBinStats *bins;
	Datum		values[6];
	bool		nulls[6] = {false, false, false, false, false, false};
	int64		overflow = 0;

	if (st == NULL)
		PG_RETURN_NULL();
	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "uplift_calibration must return a composite type");
	bins = compute_bins(st, st->p.bins, STRATEGY_OVERALL);
	metric_calibration(bins, st->p.bins, &c);
	for (int b = 0; b < st->p.bins; b++)
		overflow += isinf(bins[b].uplift) || isinf(bins[b].std_uplift) ||
			isinf(bins[b].mean_score);
	values[0] = Int32GetDatum(st->p.bins);
	values[1] = float_or_null(c.calibration_error, &nulls[1]);
	values[2] = float_or_null(c.max_gap, &nulls[2]);
	values[3] = Int32GetDatum(c.within_ci);
	values[4] = float_or_null(c.kendall_tau, &nulls[4]);
	values[5] = Int32GetDatum(c.inversions);
	if (overflow > 0)
	{
		/* figures over bins whose values overflowed mean nothing */
		warn_overflow("uplift_calibration", overflow);
		nulls[1] = nulls[2] = nulls[3] = nulls[4] = true;
	}
	tupdesc = BlessTupleDesc(tupdesc);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}

/* -------------------------------------------------------------- net value */

typedef struct NetOut
{
	RowBuilder *rb;				/* NULL: only track the best depth */
	const EvalParams *p;
	double		n;
	int32		point;
	double		best_x;
	double		best_net;
	MetricGroup best_cum;
	bool		emit_best;		/* the best depth is not on the grid: add it */
} NetOut;

static void
net_emit(NetOut *out, double x, const MetricGroup *cum, bool best)
{
	MetricNet	r;
	Datum		values[14];
	bool		nulls[14];

	metric_net((MetricNetScale) out->p->scale, out->p->fixed_cost, x, cum, &r);
	memset(nulls, 0, sizeof(nulls));
	values[0] = Int32GetDatum(out->point++);
	values[1] = Float8GetDatum(x);
	values[2] = Float8GetDatum(x / out->n);
	values[3] = Float8GetDatum(cum->n[1]);
	values[4] = Float8GetDatum(cum->n[0]);
	values[5] = out_value(out->rb, metric_overflow_inf(cum->y[1]), &nulls[5]);
	values[6] = out_value(out->rb, metric_overflow_inf(cum->y[0]), &nulls[6]);
	values[7] = out_value(out->rb, metric_overflow_inf(cum->c[1]), &nulls[7]);
	values[8] = out_value(out->rb, metric_overflow_inf(cum->c[0]), &nulls[8]);
	values[9] = out_value(out->rb, metric_overflow_inf(r.value_uplift), &nulls[9]);
	values[10] = out_value(out->rb, metric_overflow_inf(r.inc_value), &nulls[10]);
	values[11] = out_value(out->rb, metric_overflow_inf(r.inc_cost), &nulls[11]);
	values[12] = out_value(out->rb, metric_overflow_inf(r.net), &nulls[12]);
	values[13] = BoolGetDatum(best);
	rows_add(out->rb, values, nulls);
}

static void
net_best_step(void *arg, double x, const MetricGroup *cum)
{
	NetOut	   *out = (NetOut *) arg;
	MetricNet	r;

	metric_net((MetricNetScale) out->p->scale, out->p->fixed_cost, x, cum, &r);
	if (x == 0 || r.net > out->best_net)
	{
		out->best_net = r.net;
		out->best_x = x;
		out->best_cum = *cum;
	}
}

static void
net_grid_step(void *arg, double x, const MetricGroup *cum)
{
	NetOut	   *out = (NetOut *) arg;

	/* the best depth goes in its place among the grid depths */
	if (out->emit_best && out->best_x < x)
	{
		net_emit(out, out->best_x, &out->best_cum, true);
		out->emit_best = false;
	}
	if (x == out->best_x)
	{
		net_emit(out, x, cum, true);
		out->emit_best = false;
	}
	else
		net_emit(out, x, cum, false);
}

PG_FUNCTION_INFO_V1(uplift_net_value_finalfn);
Datum
uplift_net_value_finalfn(PG_FUNCTION_ARGS)
{
	EvalState  *st = final_state(fcinfo, "uplift_net_value");
	RowBuilder	rb;
	NetOut		out;

	if (st == NULL)
		PG_RETURN_NULL();
	rows_init(&rb, fcinfo, "uplift_net_value", 200);
	memset(&out, 0, sizeof(out));
	out.rb = &rb;
	out.p = &st->p;
	out.n = (double) (st->d.arm[0].n + st->d.arm[1].n);

	metric_sort(&st->d);
	if (st->p.points == 0)
		rows_expect(&rb, (double) metric_count_groups(&st->d) + 1);
	/* the best depth among the exact depths (ends of tie groups) */
	metric_walk(&st->d, 0, net_best_step, &out);
	out.emit_best = true;
	metric_walk(&st->d, st->p.points, net_grid_step, &out);
	if (out.emit_best)
		net_emit(&out, out.best_x, &out.best_cum, true);
	PG_RETURN_DATUM(rows_result(&rb));
}

/* ------------------------------------------------------------ multi-action */

/*
 * Index (0-based) of the first largest element of the scores argument (a
 * float8[] of per-action scores, arrays.h); *n is its length.
 */
static int
best_action_index(FunctionCallInfo fcinfo, int argno, double **scores, int *n)
{
	int			best = 0;

	*scores = uplift_array_read(PG_GETARG_DATUM(argno), "scores", 1, INT_MAX,
								"Pass one score per action 1..K.", n);
	for (int i = 1; i < *n; i++)
		if ((*scores)[i] > (*scores)[best])
			best = i;
	return best;
}

/*
 * uplift_best_treatment(scores, action): 1 when the logged action is the
 * best action of the scores (the first largest, actions numbered from 1),
 * 0 when it is the control action 0, NULL otherwise (the row says nothing
 * about the ranking).
 */
PG_FUNCTION_INFO_V1(uplift_best_treatment);
Datum
uplift_best_treatment(PG_FUNCTION_ARGS)
{
	int32		action = PG_GETARG_INT32(1);
	double	   *scores;
	int			n;
	int			best = best_action_index(fcinfo, 0, &scores, &n);

	if (action < 0 || action > n)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("action must be between 0 and %d", n),
				 errdetail("Got %d.", action),
				 errhint("Actions are 0 (control) and 1..K for the K scores.")));
	if (action == 0)
		PG_RETURN_INT32(0);
	if (action == best + 1)
		PG_RETURN_INT32(1);
	PG_RETURN_NULL();
}

/* uplift_best_score(scores): the largest score, the best action's. */
PG_FUNCTION_INFO_V1(uplift_best_score);
Datum
uplift_best_score(PG_FUNCTION_ARGS)
{
	double	   *scores;
	int			n;
	int			best = best_action_index(fcinfo, 0, &scores, &n);

	PG_RETURN_FLOAT8(scores[best]);
}

/* ------------------------------------- uplift_at_n, uplift_treatment_balance */

/* A positive count argument (a number of rows). */
static int64
rows_arg(FunctionCallInfo fcinfo, int argno, const char *name, const char *what)
{
	int64		n;

	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s of %s must not be NULL", what, name)));
	n = PG_GETARG_INT64(argno);
	if (n < 1 || n > (int64) 1 << 53)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s of %s must be a positive number of rows", what, name),
				 errdetail("Got " INT64_FORMAT ".", n),
				 strcmp(what, "n") == 0 ?
				 errhint("For a share of the ranking use uplift_at_k, which takes k in (0, 1].") :
				 errhint("The window is a number of consecutive rows of the ranking, for example 1000.")));
	return n;
}

/* Error unless the ranking has "want" rows (of each arm with by_group). */
static void
check_rows_available(const EvalState *st, int64 want, bool per_arm, const char *name)
{
	int64		have = st->d.arm[0].n + st->d.arm[1].n;

	for (int a = 0; a < (per_arm ? 2 : 1); a++)
	{
		if (per_arm)
			have = st->d.arm[a].n;
		if (want > have)
			ereport(ERROR,
					(errcode(ERRCODE_DATA_EXCEPTION),
					 errmsg("%s asks for " INT64_FORMAT " rows of a ranking of " INT64_FORMAT "%s",
							name, want, have, per_arm ? (a ? " treated rows" : " control rows") : ""),
					 errhint("Ask for fewer rows.")));
	}
}

/* Treated minus control mean outcome of the top rows of uplift_at_n. */
static double
top_uplift(const MetricGroup *top, const char *name)
{
	for (int a = 0; a < 2; a++)
		if (top->n[a] <= 0)
			ereport(ERROR,
					(errcode(ERRCODE_DATA_EXCEPTION),
					 errmsg("the top rows of %s hold no %s row", name, a ? "treated" : "control"),
					 errdetail("The cut keeps %.0f rows.", top->n[0] + top->n[1]),
					 errhint("Keep more rows or use strategy 'by_group'.")));
	return top->y[1] / top->n[1] - top->y[0] / top->n[0];
}

/* uplift_at_n(score, treatment, outcome, n, strategy): scikit-uplift's integer k */
PG_FUNCTION_INFO_V1(uplift_at_n_transfn);
Datum
uplift_at_n_transfn(PG_FUNCTION_ARGS)
{
	return cut_trans(fcinfo, "uplift_at_n", (double) rows_arg(fcinfo, 4, "uplift_at_n", "n"));
}

PG_FUNCTION_INFO_V1(uplift_at_n_finalfn);
Datum
uplift_at_n_finalfn(PG_FUNCTION_ARGS)
{
	EvalState  *st = final_state(fcinfo, "uplift_at_n");
	MetricGroup top;
	int64		rows;

	if (st == NULL)
		PG_RETURN_NULL();
	rows = (int64) st->p.k;
	check_rows_available(st, rows, st->p.strategy == STRATEGY_BY_GROUP, "uplift_at_n");
	metric_top_n(&st->d, rows, (MetricStrategy) st->p.strategy,
				 st->d.layout == METRIC_ORDERED, &top);
	return scalar_result(fcinfo, "uplift_at_n",
						 metric_overflow_inf(top_uplift(&top, "uplift_at_n")), false);
}

/* uplift_treatment_balance(score, treatment, winsize [, options]) */
PG_FUNCTION_INFO_V1(uplift_treatment_balance_transfn);
Datum
uplift_treatment_balance_transfn(PG_FUNCTION_ARGS)
{
	static const char *const allowed[] = {"points", NULL};
	MemoryContext cxt = uplift_agg_context(fcinfo, "uplift_treatment_balance");
	EvalState  *st = PG_ARGISNULL(0) ? NULL : (EvalState *) PG_GETARG_POINTER(0);
	int64		winsize = rows_arg(fcinfo, 3, "uplift_treatment_balance", "winsize");

	if (st == NULL)
		st = eval_state_new(cxt, call_has_order_by(fcinfo) ? METRIC_ORDERED : METRIC_PLAIN);
	if (!st->p.set)
	{
		parse_options(&st->p, PG_NARGS() > 4 ? opts_arg(fcinfo, 4) : NULL,
					  "uplift_treatment_balance", allowed);
		st->p.k = (double) winsize;
		st->p.set = true;
	}
	else if (st->p.k != (double) winsize)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("winsize of uplift_treatment_balance must be the same on every row")));
	if (!PG_ARGISNULL(1) && !PG_ARGISNULL(2))
		eval_add_row(st, cxt, PG_GETARG_FLOAT8(1), PG_GETARG_INT32(2), 0.0, 0.0);
	PG_RETURN_POINTER(st);
}

/*
 * One point per window position i = 0 .. n - winsize (or "points" + 1 evenly
 * spaced positions): x = i + winsize, the rows down to the window's end,
 * and y = the treated share of the window.
 */
PG_FUNCTION_INFO_V1(uplift_treatment_balance_finalfn);
Datum
uplift_treatment_balance_finalfn(PG_FUNCTION_ARGS)
{
	EvalState  *st = final_state(fcinfo, "uplift_treatment_balance");
	RowBuilder	rb;
	int64		n,
				winsize,
				m,
				last = -1;
	int32		points;
	double	   *balance;

	if (st == NULL)
		PG_RETURN_NULL();
	n = st->d.arm[0].n + st->d.arm[1].n;
	winsize = (int64) st->p.k;
	check_rows_available(st, winsize, false, "uplift_treatment_balance");
	m = n - winsize + 1;
	points = st->p.points;
	rows_init(&rb, fcinfo, "uplift_treatment_balance", 64);
	rows_expect(&rb, points > 0 ? points + 1 : (double) m);
	balance = palloc_extended(sizeof(double) * m, MCXT_ALLOC_HUGE);
	metric_treatment_balance(&st->d, winsize, st->d.layout == METRIC_ORDERED, balance);
	for (int64 j = 0, p = 0; j < (points > 0 ? (int64) points + 1 : m); j++)
	{
		int64		i = points > 0 ? (int64) floor((double) (m - 1) * j / points) : j;

		if (i == last)
			continue;
		curve_emit(&rb, "treatment_balance", (int32) p++, (double) (i + winsize),
				   (double) n, balance[i]);
		last = i;
		if ((j & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
	}
	PG_RETURN_DATUM(rows_result(&rb));
}
