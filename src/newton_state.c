/*
 * newton_state.c
 *	  The aggregate uplift_newton_pass (see newton_state.h): its state type
 *	  uplift_newton_state with text and binary input and output, and its
 *	  transition, combine and final functions.
 *
 * The state holds, per arm, compensated sums of what each row adds (a
 * summary of the arm, or the arm's gradient and Hessian at the setup's
 * coefficients).  Rows are summed into an open block and the block into
 * the compensated totals every ROWBLOCK_ROWS rows of the arm, as the
 * in-memory solvers sum their blocks.  Each row is checked as uplift_fit
 * checks it (learn_check_row), with the same errors.
 *
 * The transition and combine functions change the value they are given in
 * place, within the aggregate; a summary state grows when a row has a
 * higher treatment than any before.  The text and binary forms are the
 * portable format of state_bytes, never the memory image, and every value
 * read back is checked completely.
 */
#include "uplift.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/memutils.h"

#include "aggstate.h"
#include "arrays.h"
#include "bytes.h"
#include "learn.h"
#include "linalg.h"
#include "linear.h"
#include "logistic.h"
#include "model.h"
#include "newton_state.h"
#include "rowsource.h"

#define NEWTON_STATE_VERSION 1
#define TYPNAME "uplift_newton_state"
#define AGGNAME "uplift_newton_pass"

/* Per arm: counts and propensity ranges, then L sums and the open block. */
typedef struct ArmPart
{
	int64		nrows;
	int64		n_clipped;
	double		pmin;			/* fitted (clipped) propensities */
	double		pmax;
	double		rmin;			/* given propensities */
	double		rmax;
	int32		blk_n;			/* rows in the open block */
	int32		pad;
} ArmPart;

/*
 * The memory image: this header, the arms' setup (gradient passes), then
 * n_arms records of an ArmPart, L NeumaierSums and L block sums.
 */
typedef struct NewtonState
{
	int32		vl_len_;		/* varlena header */
	int32		kind;
	int32		base;
	int32		p;
	int32		n_arms;
	int32		n_setup;		/* doubles of arm setup */
	bool		weighted;
	bool		want_h;
	bool		all_binary;
	double		min_propensity;
} NewtonState;

static inline int
state_values(const NewtonState *st)
{
	return newton_values(st->kind, st->p);
}

static inline Size
arm_record_size(int L)
{
	return sizeof(ArmPart) + (Size) L * (sizeof(NeumaierSum) + sizeof(double));
}

static inline Size
state_size(int n_setup, int n_arms, int L)
{
	return MAXALIGN(sizeof(NewtonState)) + (Size) n_setup * sizeof(double) +
		(Size) n_arms * arm_record_size(L);
}

static inline double *
state_setup(const NewtonState *st)
{
	return (double *) ((char *) st + MAXALIGN(sizeof(NewtonState)));
}

static inline ArmPart *
state_arm(const NewtonState *st, int a)
{
	return (ArmPart *) ((char *) (state_setup(st) + st->n_setup) +
						(Size) a * arm_record_size(state_values(st)));
}

static inline NeumaierSum *
arm_acc(ArmPart *arm)
{
	return (NeumaierSum *) (arm + 1);
}

static inline double *
arm_blk(ArmPart *arm, int L)
{
	return (double *) (arm_acc(arm) + L);
}

static void
arm_init(ArmPart *arm)
{
	arm->pmin = arm->rmin = INFINITY;
	arm->pmax = arm->rmax = -INFINITY;
}

/* Error (54000) for a state beyond one allocation. */
static void
check_state_size(int n_setup, int n_arms, int L, int p)
{
	double		bytes = (double) MAXALIGN(sizeof(NewtonState)) + (double) n_setup * sizeof(double) +
		(double) n_arms * ((double) sizeof(ArmPart) + (double) L * 24.0);

	if (bytes > (double) MaxAllocSize)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("the state of " AGGNAME " for %d arms of %d features is too large", n_arms, p),
				 errdetail("It would take %.0f bytes, a Hessian of sums per arm.", bytes),
				 errhint("Fit on fewer features, or fit with uplift_fit.")));
}

/* A new zeroed state in the current memory context; the setup is copied. */
static NewtonState *
state_new(int kind, int base, bool weighted, double min_propensity, bool want_h,
		  int p, int n_arms, const double *setup, int n_setup)
{
	NewtonState *st;
	int			L = newton_values(kind, p);
	Size		size;

	check_state_size(n_setup, n_arms, L, p);
	size = state_size(n_setup, n_arms, L);
	st = palloc0(size);
	SET_VARSIZE(st, size);
	st->kind = kind;
	st->base = base;
	st->p = p;
	st->n_arms = n_arms;
	st->n_setup = n_setup;
	st->weighted = weighted;
	st->want_h = want_h;
	st->all_binary = true;
	st->min_propensity = min_propensity;
	if (n_setup > 0)
		memcpy(state_setup(st), setup, n_setup * sizeof(double));
	for (int a = 0; a < n_arms; a++)
		arm_init(state_arm(st, a));
	return st;
}

/* A copy of a summary state with n_arms arms (more than it has). */
static NewtonState *
state_grow(const NewtonState *old, int n_arms)
{
	NewtonState *st = state_new(old->kind, old->base, old->weighted,
								old->min_propensity, old->want_h, old->p,
								n_arms, NULL, 0);
	Size		used = state_size(0, old->n_arms, state_values(old));

	memcpy((char *) st + MAXALIGN(sizeof(NewtonState)),
		   (const char *) old + MAXALIGN(sizeof(NewtonState)),
		   used - MAXALIGN(sizeof(NewtonState)));
	st->all_binary = old->all_binary;
	return st;
}

/* Add the open block of an arm into its totals. */
static void
arm_flush(ArmPart *arm, int L)
{
	NeumaierSum *acc = arm_acc(arm);
	double	   *blk = arm_blk(arm, L);

	for (int l = 0; l < L; l++)
		neumaier_add(&acc[l], blk[l]);
	memset(blk, 0, L * sizeof(double));
	arm->blk_n = 0;
}

/* ---- the setup ---- */

static void
setup_invalid(const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("setup of " AGGNAME " is not valid"),
			 errdetail("%s.", detail),
			 errhint("uplift_fit_query passes the setup; see doc/fitting.md for its layout.")));
}

static bool
flag_ok(double v)
{
	return v == 0.0 || v == 1.0;
}

/* Check the arms' part of a setup (n_arms * NEWTON_ARM_SETUP(p) values). */
static bool
arm_setup_ok(const double *v, int n_arms, int p)
{
	for (int a = 0; a < n_arms; a++)
	{
		const double *s = v + (Size) a * NEWTON_ARM_SETUP(p);

		if (!flag_ok(s[0]) || !flag_ok(s[1]) || !(s[2] > 0.0 && isfinite(s[2])) ||
			!linalg_all_finite(s + 3, 2 * p + 1))
			return false;
	}
	return true;
}

/* A new state for the setup array of the first row. */
static NewtonState *
state_from_setup(Datum setup_datum, int p_row)
{
	ArrayType  *arr = DatumGetArrayTypeP(setup_datum);
	int			n;
	double	   *v;
	int			kind,
				base,
				n_arms,
				p;

	if (ARR_NDIM(arr) > 1 || ARR_HASNULL(arr) || ARR_ELEMTYPE(arr) != FLOAT8OID)
		setup_invalid("It must be a float8 array without NULL elements");
	n = ArrayGetNItems(ARR_NDIM(arr), ARR_DIMS(arr));
	v = (double *) ARR_DATA_PTR(arr);
	if (n < NEWTON_SETUP_HEAD || !linalg_all_finite(v, NEWTON_SETUP_HEAD))
		setup_invalid("Its head is incomplete");
	kind = (int) v[0];
	base = (int) v[1];
	n_arms = (int) v[5];
	p = (int) v[6];
	if (v[0] != kind || (kind != NEWTON_KIND_SUMMARY && kind != NEWTON_KIND_GRADIENT) ||
		v[1] != base || (base != 0 && base != UPLIFT_BASE_LOGISTIC && base != UPLIFT_BASE_LINEAR) ||
		!flag_ok(v[2]) || !(v[3] >= 0.0 && v[3] <= 1.0) || !flag_ok(v[4]))
		setup_invalid("Its kind, base, weighting, min_propensity or Hessian flag is out of range");
	if (kind == NEWTON_KIND_SUMMARY)
	{
		if (n != NEWTON_SETUP_HEAD || v[5] != 0 || v[6] != 0)
			setup_invalid("A summary pass takes no arms");
		return state_new(kind, base, v[2] == 1.0, v[3], false, p_row, 0, NULL, 0);
	}
	if (v[5] != n_arms || n_arms < 1 || n_arms > UPLIFT_MAX_ACTIONS + 1 ||
		v[6] != p || p < 1 || p >= LINEAR_MAX_COLUMNS ||
		n != NEWTON_SETUP_HEAD + n_arms * NEWTON_ARM_SETUP(p) ||
		!arm_setup_ok(v + NEWTON_SETUP_HEAD, n_arms, p))
		setup_invalid("Its arms do not match their count and features");
	uplift_array_check_length("features of uplift_fit", p_row, p, p,
							  "Every row of one fit needs as many features as the first.");
	return state_new(kind, base, v[2] == 1.0, v[3], v[4] == 1.0, p, n_arms,
					 v + NEWTON_SETUP_HEAD, n - NEWTON_SETUP_HEAD);
}

/* ---- rows ---- */

/* Summary: weight, outcome and features, plain and weighted. */
static void
add_summary(NewtonState *st, ArmPart *arm, const double *x, double y, double w)
{
	int			p = st->p;
	double	   *blk = arm_blk(arm, state_values(st));

	blk[0] += w;
	blk[1] += y;
	blk[2] += w * y;
	for (int j = 0; j < p; j++)
	{
		blk[3 + j] += x[j];
		blk[3 + p + j] += w * x[j];
	}
}

/*
 * Gradient: the row's terms of g and H at the arm's coefficients, the
 * features centred (eta as logistic.c's newton_pass forms it).
 */
static void
add_gradient(NewtonState *st, ArmPart *arm, const double *aset, const double *x,
			 double y, double w, double *zc)
{
	int			p = st->p;
	int			D = p + 1;
	const double *centre = aset + 3;
	const double *coef = aset + 3 + p;
	double	   *g = arm_blk(arm, state_values(st));
	double	   *h = g + D;
	double		ww = aset[1] == 1.0 ? aset[2] * w : 1.0;
	double		eta = coef[0];
	double		r;
	double		s;

	for (int j = 0; j < p; j++)
		eta -= coef[j + 1] * centre[j];
	for (int j = 0; j < p; j++)
		eta += coef[j + 1] * x[j];
	if (st->base == UPLIFT_BASE_LOGISTIC)
		logistic_row(eta, y, ww, &r, &s);
	else
	{
		r = ww * (eta - y);
		s = ww;
	}
	for (int j = 0; j < p; j++)
		zc[j] = x[j] - centre[j];
	g[0] += r;
	for (int j = 0; j < p; j++)
		g[j + 1] += r * zc[j];
	if (!st->want_h)
		return;
	h[0] += s;
	for (int j = 0; j < p; j++)
	{
		double	   *row = h + (Size) (j + 1) * (j + 2) / 2;
		double		sz = s * zc[j];

		row[0] += sz;
		for (int k = 0; k <= j; k++)
			row[k + 1] += sz * zc[k];
	}
}

static void
null_arg_error(const char *what)
{
	ereport(ERROR,
			(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
			 errmsg("%s of uplift_fit must not be NULL", what),
			 errhint("Remove rows with a missing %s.", what)));
}

/*
 * uplift_newton_pass_transfn(state, features, treatment, outcome,
 * propensity, setup).  Not strict: a NULL argument is the error uplift_fit
 * gives (the propensity may be NULL when the setup is unweighted).
 */
PG_FUNCTION_INFO_V1(uplift_newton_pass_transfn);
Datum
uplift_newton_pass_transfn(PG_FUNCTION_ARGS)
{
	NewtonState *st;
	FeatureArray fa;
	double	   *x;
	int32		action;
	double		y;
	double		propensity = 1.0;
	double		w = 1.0;
	ArmPart    *arm;

	(void) uplift_agg_context(fcinfo, AGGNAME);
	if (PG_ARGISNULL(5))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("setup of " AGGNAME " must not be NULL")));
	for (int i = 1; i <= 3; i++)
		if (PG_ARGISNULL(i))
			null_arg_error(i == 1 ? "features" : i == 2 ? "treatment" : "outcome");
	uplift_features_open(PG_GETARG_DATUM(1), &fa, "features of uplift_fit");
	uplift_array_check_length("features of uplift_fit", fa.n, 1, UPLIFT_MAX_FEATURES,
							  "Pass at least one feature per row.");
	st = PG_ARGISNULL(0) ? state_from_setup(PG_GETARG_DATUM(5), fa.n) :
		(NewtonState *) aggstate_arg(fcinfo, 0);
	uplift_array_check_length("features of uplift_fit", fa.n, st->p, st->p,
							  "Every row of one fit needs as many features as the first.");
	x = palloc(fa.n * sizeof(double));
	uplift_features_copy(&fa, x, "features of uplift_fit");
	action = PG_GETARG_INT32(2);
	y = PG_GETARG_FLOAT8(3);
	if (st->weighted)
	{
		if (PG_ARGISNULL(4))
			null_arg_error("propensity");
		propensity = PG_GETARG_FLOAT8(4);
	}
	learn_check_row(st->base, st->weighted, action, y, propensity);

	if (action >= st->n_arms)
	{
		if (st->kind == NEWTON_KIND_GRADIENT)
			ereport(ERROR,
					(errcode(ERRCODE_DATA_EXCEPTION),
					 errmsg("treatment %d of a pass of uplift_fit_query was not in its first pass", action),
					 errhint("The query must return the same rows on every pass: avoid random() and LIMIT without ORDER BY.")));
		st = state_grow(st, action + 1);
	}
	arm = state_arm(st, action);
	if (st->weighted)
	{
		arm->rmin = Min(arm->rmin, propensity);
		arm->rmax = Max(arm->rmax, propensity);
		if (propensity < st->min_propensity)
		{
			arm->n_clipped++;
			propensity = st->min_propensity;
		}
		w = 1.0 / propensity;
		if (!isfinite(w))
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("propensity of uplift_fit is too small: its inverse overflows double precision"),
					 errdetail("Got %g.", propensity),
					 errhint("Clip small propensities with option \"min_propensity\" (for example 0.001), or repair the logged propensity.")));
		arm->pmin = Min(arm->pmin, propensity);
		arm->pmax = Max(arm->pmax, propensity);
	}
	if (y != 0.0 && y != 1.0)
		st->all_binary = false;
	arm->nrows++;
	if (st->kind == NEWTON_KIND_SUMMARY)
		add_summary(st, arm, x, y, w);
	else
	{
		const double *aset = state_setup(st) + (Size) action * NEWTON_ARM_SETUP(st->p);

		if (aset[0] != 1.0)
			PG_RETURN_POINTER(st);
		/* x is not needed after the row: it becomes the centred features */
		add_gradient(st, arm, aset, x, y, w, x);
	}
	if (++arm->blk_n == ROWBLOCK_ROWS)
		arm_flush(arm, state_values(st));
	PG_RETURN_POINTER(st);
}

/* ---- combine ---- */

static bool
same_setup(const NewtonState *a, const NewtonState *b)
{
	return a->kind == b->kind && a->base == b->base && a->p == b->p &&
		a->weighted == b->weighted && a->want_h == b->want_h &&
		a->min_propensity == b->min_propensity && a->n_setup == b->n_setup &&
		(a->kind == NEWTON_KIND_SUMMARY || a->n_arms == b->n_arms) &&
		memcmp(state_setup(a), state_setup(b), a->n_setup * sizeof(double)) == 0;
}

/* Merge arm b into arm a (each with L sums). */
static void
arm_merge(ArmPart *a, ArmPart *b, int L)
{
	NeumaierSum *acc_a = arm_acc(a);
	NeumaierSum *acc_b = arm_acc(b);
	double	   *blk_b = arm_blk(b, L);

	a->nrows += b->nrows;
	a->n_clipped += b->n_clipped;
	a->pmin = Min(a->pmin, b->pmin);
	a->pmax = Max(a->pmax, b->pmax);
	a->rmin = Min(a->rmin, b->rmin);
	a->rmax = Max(a->rmax, b->rmax);
	for (int l = 0; l < L; l++)
	{
		neumaier_merge(&acc_a[l], &acc_b[l]);
		neumaier_add(&acc_a[l], blk_b[l]);
	}
}

static NewtonState *
state_copy(const NewtonState *st)
{
	NewtonState *copy = palloc(VARSIZE(st));

	memcpy(copy, st, VARSIZE(st));
	return copy;
}

/*
 * Not strict: a NULL side (a part without rows) gives the other, copied,
 * since the result may be changed in place later.
 */
PG_FUNCTION_INFO_V1(uplift_newton_pass_combinefn);
Datum
uplift_newton_pass_combinefn(PG_FUNCTION_ARGS)
{
	NewtonState *a;
	NewtonState *b;
	int			L;

	(void) uplift_agg_context(fcinfo, AGGNAME);
	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
	b = (NewtonState *) aggstate_arg(fcinfo, 1);
	if (PG_ARGISNULL(0))
		PG_RETURN_POINTER(state_copy(b));
	a = (NewtonState *) aggstate_arg(fcinfo, 0);
	if (a->p != b->p)
		uplift_array_check_length("features of uplift_fit", b->p, a->p, a->p,
								  "Every row of one fit needs as many features as the first.");
	if (!same_setup(a, b))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("states of " AGGNAME " with different setups cannot be combined"),
				 errhint("Combine the partial states of one pass.")));
	if (b->n_arms > a->n_arms)
		a = state_grow(a, b->n_arms);
	L = state_values(a);
	for (int k = 0; k < b->n_arms; k++)
		arm_merge(state_arm(a, k), state_arm(b, k), L);
	a->all_binary = a->all_binary && b->all_binary;
	PG_RETURN_POINTER(a);
}

/* ---- the result ---- */

static double
range_value(double v)
{
	return isinf(v) ? NAN : v;
}

/* The value of a sum with its open block. */
static double
arm_value(ArmPart *arm, int L, int l)
{
	NeumaierSum s = arm_acc(arm)[l];

	neumaier_add(&s, arm_blk(arm, L)[l]);
	return neumaier_value(&s);
}

/* uplift_newton_pass_finalfn(state) -> float8[] (see newton_state.h). */
PG_FUNCTION_INFO_V1(uplift_newton_pass_finalfn);
Datum
uplift_newton_pass_finalfn(PG_FUNCTION_ARGS)
{
	NewtonState *st = (NewtonState *) aggstate_arg(fcinfo, 0);
	int			L = state_values(st);
	Size		n = NEWTON_RESULT_HEAD + (Size) st->n_arms * (NEWTON_ARM_HEAD + L);
	Datum	   *out;
	double	   *v;
	Size		pos = 0;

	if (n > MaxAllocSize / sizeof(Datum))
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("the result of " AGGNAME " is too large")));
	v = palloc(n * sizeof(double));
	v[pos++] = st->kind;
	v[pos++] = st->n_arms;
	v[pos++] = st->p;
	v[pos++] = st->all_binary ? 1.0 : 0.0;
	for (int a = 0; a < st->n_arms; a++)
	{
		ArmPart    *arm = state_arm(st, a);

		CHECK_FOR_INTERRUPTS();
		v[pos++] = (double) arm->nrows;
		v[pos++] = (double) arm->n_clipped;
		v[pos++] = range_value(arm->pmin);
		v[pos++] = range_value(arm->pmax);
		v[pos++] = range_value(arm->rmin);
		v[pos++] = range_value(arm->rmax);
		for (int l = 0; l < L; l++)
			v[pos++] = arm_value(arm, L, l);
	}
	out = palloc(n * sizeof(Datum));
	for (Size i = 0; i < n; i++)
		out[i] = Float8GetDatum(v[i]);
	PG_RETURN_ARRAYTYPE_P(construct_array(out, (int) n, FLOAT8OID, sizeof(double),
										  FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
}

/* ---- portable form ---- */

/*
 * u8 version, u8 kind, i32 base, u8 weighted, u8 Hessian wanted, u8 every
 * outcome 0 or 1, f64 min_propensity, i32 p, i32 arms, u32 setup values and
 * the setup (f64 each); per arm i64 rows, i64 clipped rows, f64 fitted
 * propensity min and max, f64 given propensity min and max (+inf and -inf
 * without weighted rows), then L compensated sums (f64 sum, f64
 * compensation), the open block added in.
 */
static bytea *
state_bytes(const void *value)
{
	const NewtonState *st = value;
	int			L = state_values(st);
	StringInfoData buf;

	bytes_begin_bytea(&buf);
	bytes_put_u8(&buf, NEWTON_STATE_VERSION);
	bytes_put_u8(&buf, (uint8) st->kind);
	bytes_put_i32(&buf, st->base);
	bytes_put_u8(&buf, st->weighted ? 1 : 0);
	bytes_put_u8(&buf, st->want_h ? 1 : 0);
	bytes_put_u8(&buf, st->all_binary ? 1 : 0);
	bytes_put_f64(&buf, st->min_propensity);
	bytes_put_i32(&buf, st->p);
	bytes_put_i32(&buf, st->n_arms);
	bytes_put_u32(&buf, (uint32) st->n_setup);
	bytes_put_f64s(&buf, state_setup(st), st->n_setup);
	for (int a = 0; a < st->n_arms; a++)
	{
		ArmPart    *arm = state_arm(st, a);

		CHECK_FOR_INTERRUPTS();
		bytes_put_i64(&buf, arm->nrows);
		bytes_put_i64(&buf, arm->n_clipped);
		bytes_put_f64(&buf, arm->pmin);
		bytes_put_f64(&buf, arm->pmax);
		bytes_put_f64(&buf, arm->rmin);
		bytes_put_f64(&buf, arm->rmax);
		for (int l = 0; l < L; l++)
		{
			NeumaierSum s = arm_acc(arm)[l];

			neumaier_add(&s, arm_blk(arm, L)[l]);
			bytes_put_sum(&buf, &s);
		}
	}
	return bytes_end_bytea(&buf);
}

static void
state_invalid(int code, const char *detail)
{
	aggstate_invalid(TYPNAME, code, detail);
}

/* A propensity range: empty (+inf, -inf), or within (0, 1]. */
static bool
range_ok(double lo, double hi, bool any)
{
	if (!any)
		return lo == INFINITY && hi == -INFINITY;
	return lo > 0.0 && lo <= hi && hi <= 1.0;
}

/* The counts and ranges of an arm read back. */
static void
check_arm(const NewtonState *st, const ArmPart *arm, int code)
{
	bool		any = st->weighted && arm->nrows > 0;

	if (arm->nrows < 0 || arm->n_clipped < 0 || arm->n_clipped > arm->nrows ||
		(arm->n_clipped > 0 && st->min_propensity == 0.0))
		state_invalid(code, "A row count is out of range");
	if (!range_ok(arm->pmin, arm->pmax, any) || !range_ok(arm->rmin, arm->rmax, any) ||
		(any && (arm->pmin < st->min_propensity || arm->rmin > arm->pmin ||
				 arm->rmax > arm->pmax || arm->pmax < st->min_propensity)))
		state_invalid(code, "A propensity range is out of range");
}

static void *
state_read(const char *data, Size len, int code)
{
	ByteReader	r;
	int			kind,
				base,
				p,
				n_arms,
				L;
	uint32		n_setup;
	uint8		flags[3];
	double		min_prop;
	NewtonState *st;
	double	   *setup;
	Size		head = 1 + 1 + 4 + 3 + 8 + 4 + 4 + 4;

	bytes_reader_init(&r, data, len, TYPNAME);
	if (len < head || bytes_get_u8(&r) != NEWTON_STATE_VERSION)
		state_invalid(code, "Unknown format version");
	kind = bytes_get_u8(&r);
	base = bytes_get_i32(&r);
	for (int i = 0; i < 3; i++)
		flags[i] = bytes_get_u8(&r);
	min_prop = bytes_get_f64(&r);
	p = bytes_get_i32(&r);
	n_arms = bytes_get_i32(&r);
	n_setup = bytes_get_u32(&r);
	if ((kind != NEWTON_KIND_SUMMARY && kind != NEWTON_KIND_GRADIENT) ||
		(base != 0 && base != UPLIFT_BASE_LOGISTIC && base != UPLIFT_BASE_LINEAR) ||
		flags[0] > 1 || flags[1] > 1 || flags[2] > 1 || (kind == NEWTON_KIND_SUMMARY && flags[1]) ||
		!(min_prop >= 0.0 && min_prop <= 1.0))
		state_invalid(code, "A setting is out of range");
	if (p < 1 || p > (kind == NEWTON_KIND_SUMMARY ? UPLIFT_MAX_FEATURES : LINEAR_MAX_COLUMNS - 1) ||
		n_arms < (kind == NEWTON_KIND_SUMMARY ? 0 : 1) || n_arms > UPLIFT_MAX_ACTIONS + 1 ||
		n_setup != (kind == NEWTON_KIND_SUMMARY ? 0 : (uint32) n_arms * NEWTON_ARM_SETUP(p)))
		state_invalid(code, "The features, arms or setup are out of range");
	L = newton_values(kind, p);
	if ((double) (len - head) != (double) n_setup * 8.0 + (double) n_arms * (48.0 + 16.0 * L))
		state_invalid(code, "The length does not match the arms and features");
	setup = palloc(Max(n_setup, 1) * sizeof(double));
	bytes_get_f64s(&r, setup, n_setup);
	if (!arm_setup_ok(setup, n_setup > 0 ? n_arms : 0, p))
		state_invalid(code, "The setup of an arm is out of range");
	st = state_new(kind, base, flags[0] == 1, min_prop, flags[1] == 1, p, n_arms,
				   setup, n_setup);
	st->all_binary = flags[2] == 1;
	pfree(setup);
	for (int a = 0; a < n_arms; a++)
	{
		ArmPart    *arm = state_arm(st, a);
		NeumaierSum *acc = arm_acc(arm);

		CHECK_FOR_INTERRUPTS();
		arm->nrows = bytes_get_i64(&r);
		arm->n_clipped = bytes_get_i64(&r);
		arm->pmin = bytes_get_f64(&r);
		arm->pmax = bytes_get_f64(&r);
		arm->rmin = bytes_get_f64(&r);
		arm->rmax = bytes_get_f64(&r);
		check_arm(st, arm, code);
		for (int l = 0; l < L; l++)
		{
			bytes_get_sum(&r, &acc[l]);
			if (!aggstate_sum_ok(&acc[l]))
				state_invalid(code, "A sum is not a number");
		}
	}
	bytes_expect_end(&r);
	return st;
}

static const AggStateType newton_state_type = {TYPNAME, state_bytes, state_read};

PG_FUNCTION_INFO_V1(uplift_newton_state_in);
Datum
uplift_newton_state_in(PG_FUNCTION_ARGS)
{
	return aggstate_in(fcinfo, &newton_state_type);
}

PG_FUNCTION_INFO_V1(uplift_newton_state_out);
Datum
uplift_newton_state_out(PG_FUNCTION_ARGS)
{
	return aggstate_out(fcinfo, &newton_state_type);
}

PG_FUNCTION_INFO_V1(uplift_newton_state_recv);
Datum
uplift_newton_state_recv(PG_FUNCTION_ARGS)
{
	return aggstate_recv(fcinfo, &newton_state_type);
}

PG_FUNCTION_INFO_V1(uplift_newton_state_send);
Datum
uplift_newton_state_send(PG_FUNCTION_ARGS)
{
	return aggstate_send(fcinfo, &newton_state_type);
}
