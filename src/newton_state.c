/*
 * newton_state.c
 *	  The aggregate uplift_newton_pass (see newton_state.h): its state type
 *	  uplift_newton_state with text and binary input and output, and its
 *	  transition, combine and final functions.
 *
 * The state holds, per arm, the rows and propensity ranges, and per head
 * compensated sums of what each row adds (a summary of an arm, or a head's
 * gradient and Hessian at the setup's coefficients).  Rows are summed into
 * an open block and the block into the compensated totals every
 * ROWBLOCK_ROWS rows of the head, as the in-memory solvers sum their
 * blocks.  Each row is checked as uplift_fit checks it (learn_check_row),
 * with the same errors.
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
#include "learn_meta.h"
#include "linalg.h"
#include "linear.h"
#include "logistic.h"
#include "model.h"
#include "newton_state.h"
#include "rowsource.h"

#define NEWTON_STATE_VERSION 1
#define TYPNAME "uplift_newton_state"
#define AGGNAME "uplift_newton_pass"

/* Per arm: counts and propensity ranges. */
typedef struct ArmPart
{
	int64		nrows;
	int64		n_clipped;
	double		pmin;			/* fitted (clipped) propensities */
	double		pmax;
	double		rmin;			/* given propensities */
	double		rmax;
} ArmPart;

/* Per head: L compensated sums, then the open block of L sums. */
typedef struct HeadPart
{
	int32		blk_n;			/* rows in the open block */
	int32		pad;
} HeadPart;

/*
 * The memory image: this header, the setup (gradient passes: arms', then
 * heads'), n_arms ArmParts, then n_heads records of a HeadPart, L
 * NeumaierSums and L block sums.
 */
typedef struct NewtonState
{
	int32		vl_len_;		/* varlena header */
	int32		kind;
	int32		base;
	int32		p;
	int32		n_arms;
	int32		design;
	int32		n_heads;
	int32		d;				/* design columns of a head */
	int32		n_setup;		/* doubles of setup after the head */
	bool		weighted;
	bool		want_h;
	bool		all_binary;
	bool		interactions;
	double		min_propensity;
} NewtonState;

static inline int
state_values(const NewtonState *st)
{
	return newton_values(st->kind, st->d);
}

static inline Size
head_record_size(int L)
{
	return sizeof(HeadPart) + (Size) L * (sizeof(NeumaierSum) + sizeof(double));
}

static inline Size
state_size(int n_setup, int n_arms, int n_heads, int L)
{
	return MAXALIGN(sizeof(NewtonState)) + (Size) n_setup * sizeof(double) +
		(Size) n_arms * sizeof(ArmPart) + (Size) n_heads * head_record_size(L);
}

static inline double *
state_setup(const NewtonState *st)
{
	return (double *) ((char *) st + MAXALIGN(sizeof(NewtonState)));
}

static inline ArmPart *
state_arm(const NewtonState *st, int a)
{
	return (ArmPart *) (state_setup(st) + st->n_setup) + a;
}

static inline HeadPart *
state_head(const NewtonState *st, int h)
{
	return (HeadPart *) ((char *) state_arm(st, st->n_arms) +
						 (Size) h * head_record_size(state_values(st)));
}

static inline NeumaierSum *
head_acc(HeadPart *head)
{
	return (NeumaierSum *) (head + 1);
}

static inline double *
head_blk(HeadPart *head, int L)
{
	return (double *) (head_acc(head) + L);
}

/* The setup of arm a and of head h (gradient passes). */
static inline const double *
arm_setup(const NewtonState *st, int a)
{
	return state_setup(st) + (Size) a * NEWTON_ARM_SETUP;
}

static inline const double *
head_setup(const NewtonState *st, int h)
{
	return state_setup(st) + (Size) st->n_arms * NEWTON_ARM_SETUP +
		(Size) h * NEWTON_HEAD_SETUP(st->d);
}

static void
arm_init(ArmPart *arm)
{
	arm->pmin = arm->rmin = INFINITY;
	arm->pmax = arm->rmax = -INFINITY;
}

/* Error (54000) for a state beyond one allocation. */
static void
check_state_size(int n_setup, int n_arms, int n_heads, int L, int d)
{
	double		bytes = (double) MAXALIGN(sizeof(NewtonState)) + (double) n_setup * sizeof(double) +
		(double) n_arms * sizeof(ArmPart) +
		(double) n_heads * ((double) sizeof(HeadPart) + (double) L * 24.0);

	if (bytes > (double) MaxAllocSize)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("the state of " AGGNAME " for %d heads of %d columns is too large", n_heads, d),
				 errdetail("It would take %.0f bytes, a Hessian of sums per head.", bytes),
				 errhint("Fit on fewer features, or fit with uplift_fit.")));
}

/* The shape of a state: what its header says, before the setup and sums. */
typedef struct StateShape
{
	int			kind;
	int			base;
	bool		weighted;
	double		min_propensity;
	bool		want_h;
	int			p;
	int			n_arms;
	int			design;
	bool		interactions;
	int			n_heads;
	int			d;
	bool		all_binary;		/* read back from a portable form */
} StateShape;

/* A new zeroed state in the current memory context; the setup is copied. */
static NewtonState *
state_new(const StateShape *sh, const double *setup, int n_setup)
{
	NewtonState *st;
	int			L = newton_values(sh->kind, sh->d);
	Size		size;

	check_state_size(n_setup, sh->n_arms, sh->n_heads, L, sh->d);
	size = state_size(n_setup, sh->n_arms, sh->n_heads, L);
	st = palloc0(size);
	SET_VARSIZE(st, size);
	st->kind = sh->kind;
	st->base = sh->base;
	st->p = sh->p;
	st->n_arms = sh->n_arms;
	st->design = sh->design;
	st->n_heads = sh->n_heads;
	st->d = sh->d;
	st->n_setup = n_setup;
	st->weighted = sh->weighted;
	st->want_h = sh->want_h;
	st->all_binary = true;
	st->interactions = sh->interactions;
	st->min_propensity = sh->min_propensity;
	if (n_setup > 0)
		memcpy(state_setup(st), setup, n_setup * sizeof(double));
	for (int a = 0; a < sh->n_arms; a++)
		arm_init(state_arm(st, a));
	return st;
}

static void
state_shape(const NewtonState *st, StateShape *sh)
{
	sh->kind = st->kind;
	sh->base = st->base;
	sh->weighted = st->weighted;
	sh->min_propensity = st->min_propensity;
	sh->want_h = st->want_h;
	sh->p = st->p;
	sh->n_arms = st->n_arms;
	sh->design = st->design;
	sh->interactions = st->interactions;
	sh->n_heads = st->n_heads;
	sh->d = st->d;
}

/* A copy of a summary state (a head per arm) with n_arms arms, more than it has. */
static NewtonState *
state_grow(const NewtonState *old, int n_arms)
{
	StateShape	sh;
	NewtonState *st;

	state_shape(old, &sh);
	sh.n_arms = sh.n_heads = n_arms;
	st = state_new(&sh, NULL, 0);
	memcpy(state_arm(st, 0), state_arm(old, 0), old->n_arms * sizeof(ArmPart));
	memcpy(state_head(st, 0), state_head(old, 0),
		   old->n_heads * head_record_size(state_values(old)));
	st->all_binary = old->all_binary;
	return st;
}

/* Add the open block of a head into its totals. */
static void
head_flush(HeadPart *head, int L)
{
	NeumaierSum *acc = head_acc(head);
	double	   *blk = head_blk(head, L);

	for (int l = 0; l < L; l++)
		neumaier_add(&acc[l], blk[l]);
	memset(blk, 0, L * sizeof(double));
	head->blk_n = 0;
}

/* ---- the setup ---- */

static void
setup_invalid(const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("setup of " AGGNAME " is not valid"),
			 errdetail("%s.", detail),
			 errhint("uplift_fit_query passes the setup; src/newton_state.h gives its layout.")));
}

static bool
flag_ok(double v)
{
	return v == 0.0 || v == 1.0;
}

/*
 * The heads and columns of a gradient pass's design over p features and
 * n_arms arms; false when the design does not exist.
 */
static bool
design_shape(StateShape *sh)
{
	int			K = sh->n_arms - 1;

	if (sh->n_arms < 1 || sh->n_arms > UPLIFT_MAX_ACTIONS + 1 || sh->p < 1 ||
		sh->p > UPLIFT_MAX_FEATURES)
		return false;
	switch (sh->design)
	{
		case NEWTON_DESIGN_ARMS:
			sh->n_heads = sh->n_arms;
			sh->d = sh->p;
			return !sh->interactions;
		case NEWTON_DESIGN_S:
			sh->n_heads = 1;
			sh->d = uplift_s_design_len(sh->p, K, sh->interactions);
			return K >= 1;
		case NEWTON_DESIGN_CT:
			sh->n_heads = 1;
			sh->d = sh->p;
			return K == 1 && !sh->interactions;
	}
	return false;
}

/* Check the arms' and heads' setup. */
static bool
setup_values_ok(const double *v, const StateShape *sh)
{
	for (int a = 0; a < sh->n_arms; a++)
	{
		const double *s = v + (Size) a * NEWTON_ARM_SETUP;

		if (!flag_ok(s[0]) || !(s[1] > 0.0 && isfinite(s[1])) || !(s[2] >= 0.0 && isfinite(s[2])))
			return false;
	}
	v += (Size) sh->n_arms * NEWTON_ARM_SETUP;
	for (int h = 0; h < sh->n_heads; h++)
	{
		const double *s = v + (Size) h * NEWTON_HEAD_SETUP(sh->d);

		if (!flag_ok(s[0]) || !linalg_all_finite(s + 1, 2 * sh->d + 1))
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
	StateShape	sh;

	if (ARR_NDIM(arr) > 1 || ARR_HASNULL(arr) || ARR_ELEMTYPE(arr) != FLOAT8OID)
		setup_invalid("It must be a float8 array without NULL elements");
	n = ArrayGetNItems(ARR_NDIM(arr), ARR_DIMS(arr));
	v = (double *) ARR_DATA_PTR(arr);
	if (n < NEWTON_SETUP_HEAD || !linalg_all_finite(v, NEWTON_SETUP_HEAD))
		setup_invalid("Its head is incomplete");
	memset(&sh, 0, sizeof(sh));
	sh.kind = (int) v[0];
	sh.base = (int) v[1];
	sh.weighted = v[2] == 1.0;
	sh.min_propensity = v[3];
	sh.want_h = v[4] == 1.0;
	sh.n_arms = (int) Min(Max(v[5], -1), PG_INT32_MAX);
	sh.p = (int) Min(Max(v[6], -1), PG_INT32_MAX);
	sh.design = (int) Min(Max(v[7], -1), PG_INT32_MAX);
	sh.interactions = v[8] == 1.0;
	if (v[0] != sh.kind || (sh.kind != NEWTON_KIND_SUMMARY && sh.kind != NEWTON_KIND_GRADIENT) ||
		v[1] != sh.base ||
		(sh.base != 0 && sh.base != UPLIFT_BASE_LOGISTIC && sh.base != UPLIFT_BASE_LINEAR) ||
		!flag_ok(v[2]) || !(v[3] >= 0.0 && v[3] <= 1.0) || !flag_ok(v[4]) || !flag_ok(v[8]))
		setup_invalid("Its kind, base, weighting, min_propensity or flags are out of range");
	if (sh.kind == NEWTON_KIND_SUMMARY)
	{
		if (n != NEWTON_SETUP_HEAD || v[4] != 0 || v[5] != 0 || v[6] != 0 || v[7] != 0 || v[8] != 0)
			setup_invalid("A summary pass takes no arms, features or design");
		sh.p = sh.d = p_row;
		return state_new(&sh, NULL, 0);
	}
	if (v[5] != sh.n_arms || v[6] != sh.p || v[7] != sh.design || !design_shape(&sh) ||
		(double) n != NEWTON_SETUP_HEAD + (double) sh.n_arms * NEWTON_ARM_SETUP +
		(double) sh.n_heads * NEWTON_HEAD_SETUP(sh.d) ||
		!setup_values_ok(v + NEWTON_SETUP_HEAD, &sh))
		setup_invalid("Its arms and heads do not match their counts and features");
	uplift_array_check_length("features of uplift_fit", p_row, sh.p, sh.p,
							  "Every row of one fit needs as many features as the first.");
	return state_new(&sh, v + NEWTON_SETUP_HEAD, n - NEWTON_SETUP_HEAD);
}

/* ---- rows ---- */

/* Summary: weight, outcome and features, plain and weighted. */
static void
add_summary(NewtonState *st, HeadPart *head, const double *x, double y, double w)
{
	int			p = st->p;
	double	   *blk = head_blk(head, state_values(st));

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
 * Gradient: the terms of g and H of a row of design columns z, outcome y
 * and weight w at the head's coefficients, z centred (eta as logistic.c's
 * newton_pass forms it).  z is overwritten with the centred columns.
 */
static void
add_gradient(NewtonState *st, HeadPart *head, const double *hset, double *z,
			 double y, double w)
{
	int			d = st->d;
	const double *centre = hset + 1;
	const double *coef = hset + 1 + d;
	double	   *g = head_blk(head, state_values(st));
	double	   *h = g + d + 1;
	double		eta = coef[0];
	double		r;
	double		s;

	for (int j = 0; j < d; j++)
		eta -= coef[j + 1] * centre[j];
	for (int j = 0; j < d; j++)
		eta += coef[j + 1] * z[j];
	if (st->base == UPLIFT_BASE_LOGISTIC)
		logistic_row(eta, y, w, &r, &s);
	else
	{
		r = w * (eta - y);
		s = w;
	}
	for (int j = 0; j < d; j++)
		z[j] -= centre[j];
	g[0] += r;
	for (int j = 0; j < d; j++)
		g[j + 1] += r * z[j];
	if (!st->want_h)
		return;
	h[0] += s;
	for (int j = 0; j < d; j++)
	{
		double	   *row = h + (Size) (j + 1) * (j + 2) / 2;
		double		sz = s * z[j];

		row[0] += sz;
		for (int k = 0; k <= j; k++)
			row[k + 1] += sz * z[k];
	}
}

/*
 * The head, design columns, outcome and weight of a row of arm a (features
 * x, outcome y, inverse propensity w) in a gradient pass's design, as the
 * in-memory learners form them; returns the head, or -1 when the row is
 * in no head (an arm the class transformation leaves out).
 */
static int
design_row(const NewtonState *st, int a, const double *x, double *y, double *w,
		   double *z)
{
	const double *aset = arm_setup(st, a);
	double		ww = aset[0] == 1.0 ? aset[1] * *w : 1.0;

	switch (st->design)
	{
		case NEWTON_DESIGN_S:
			uplift_s_design_of(st->p, st->n_arms - 1, st->interactions, x, a, z);
			*w = ww;
			return 0;
		case NEWTON_DESIGN_CT:
			if (a > 1)
				return -1;
			memcpy(z, x, st->p * sizeof(double));
			if (st->base == UPLIFT_BASE_LOGISTIC)
				*y = a == 1 ? *y : 1.0 - *y;
			else
				*y = learn_ct_outcome(a, st->weighted ? *w : aset[2], *y);
			*w = 1.0;
			return 0;
		default:
			memcpy(z, x, st->p * sizeof(double));
			*w = ww;
			return a;
	}
}

/*
 * Count a row's propensity in its arm and clip it to min_propensity;
 * returns the inverse of the propensity the row is fitted with.
 */
static double
note_propensity(const NewtonState *st, ArmPart *arm, double propensity)
{
	double		w;

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
	return w;
}

/* Add a checked row to the state. */
static void
add_row(NewtonState *st, double *x, int32 a, double y, double w)
{
	HeadPart   *head;
	int			h = a;

	if (st->kind == NEWTON_KIND_SUMMARY)
		add_summary(st, state_head(st, a), x, y, w);
	else
	{
		double	   *z = palloc(Max(st->d, 1) * sizeof(double));

		h = design_row(st, a, x, &y, &w, z);
		if (h >= 0 && head_setup(st, h)[0] == 1.0)
			add_gradient(st, state_head(st, h), head_setup(st, h), z, y, w);
		pfree(z);
		if (h < 0 || head_setup(st, h)[0] != 1.0)
			return;
	}
	head = state_head(st, h);
	if (++head->blk_n == ROWBLOCK_ROWS)
		head_flush(head, state_values(st));
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
			learn_null_arg_error(i == 1 ? "features" : i == 2 ? "treatment" : "outcome");
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
			learn_null_arg_error("propensity");
		propensity = PG_GETARG_FLOAT8(4);
	}
	learn_check_row(st->base, st->weighted, action, y, propensity);

	if (action >= st->n_arms)
	{
		if (st->kind == NEWTON_KIND_GRADIENT)
			ereport(ERROR,
					(errcode(ERRCODE_DATA_EXCEPTION),
					 errmsg("query of uplift_fit_query returned other rows in a later pass"),
					 errdetail("Treatment %d was not in the first pass.", action),
					 errhint("The query must return the same rows on every pass: avoid random() and LIMIT without ORDER BY.")));
		st = state_grow(st, action + 1);
	}
	arm = state_arm(st, action);
	if (st->weighted)
		w = note_propensity(st, arm, propensity);
	if (y != 0.0 && y != 1.0)
		st->all_binary = false;
	arm->nrows++;
	add_row(st, x, action, y, w);
	pfree(x);
	PG_RETURN_POINTER(st);
}

/* ---- combine ---- */

static bool
same_setup(const NewtonState *a, const NewtonState *b)
{
	return a->kind == b->kind && a->base == b->base && a->p == b->p &&
		a->design == b->design && a->d == b->d && a->interactions == b->interactions &&
		a->weighted == b->weighted && a->want_h == b->want_h &&
		a->min_propensity == b->min_propensity && a->n_setup == b->n_setup &&
		(a->kind == NEWTON_KIND_SUMMARY || a->n_arms == b->n_arms) &&
		memcmp(state_setup(a), state_setup(b), a->n_setup * sizeof(double)) == 0;
}

static void
arm_merge(ArmPart *a, const ArmPart *b)
{
	a->nrows += b->nrows;
	a->n_clipped += b->n_clipped;
	a->pmin = Min(a->pmin, b->pmin);
	a->pmax = Max(a->pmax, b->pmax);
	a->rmin = Min(a->rmin, b->rmin);
	a->rmax = Max(a->rmax, b->rmax);
}

/* Merge head b into head a (each with L sums). */
static void
head_merge(HeadPart *a, HeadPart *b, int L)
{
	NeumaierSum *acc_a = head_acc(a);
	NeumaierSum *acc_b = head_acc(b);
	double	   *blk_b = head_blk(b, L);

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
		arm_merge(state_arm(a, k), state_arm(b, k));
	for (int h = 0; h < b->n_heads; h++)
		head_merge(state_head(a, h), state_head(b, h), L);
	a->all_binary = a->all_binary && b->all_binary;
	PG_RETURN_POINTER(a);
}

/* ---- the result ---- */

static double
range_value(double v)
{
	return isinf(v) ? NAN : v;
}

/* A head's sum with its open block. */
static NeumaierSum
head_sum(HeadPart *head, int L, int l)
{
	NeumaierSum s = head_acc(head)[l];

	neumaier_add(&s, head_blk(head, L)[l]);
	return s;
}

/* uplift_newton_pass_finalfn(state) -> float8[] (see newton_state.h). */
PG_FUNCTION_INFO_V1(uplift_newton_pass_finalfn);
Datum
uplift_newton_pass_finalfn(PG_FUNCTION_ARGS)
{
	NewtonState *st = (NewtonState *) aggstate_arg(fcinfo, 0);
	int			L = state_values(st);
	double		n = NEWTON_RESULT_HEAD + (double) st->n_arms * NEWTON_ARM_HEAD +
		(double) st->n_heads * L;
	Datum	   *out;
	Size		pos = 0;

	if (n > (double) (MaxAllocSize / sizeof(Datum)))
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("the result of " AGGNAME " is too large")));
	out = palloc((Size) n * sizeof(Datum));
	out[pos++] = Float8GetDatum(st->kind);
	out[pos++] = Float8GetDatum(st->n_arms);
	out[pos++] = Float8GetDatum(st->p);
	out[pos++] = Float8GetDatum(st->all_binary ? 1.0 : 0.0);
	out[pos++] = Float8GetDatum(st->n_heads);
	out[pos++] = Float8GetDatum(st->d);
	for (int a = 0; a < st->n_arms; a++)
	{
		ArmPart    *arm = state_arm(st, a);

		out[pos++] = Float8GetDatum((double) arm->nrows);
		out[pos++] = Float8GetDatum((double) arm->n_clipped);
		out[pos++] = Float8GetDatum(range_value(arm->pmin));
		out[pos++] = Float8GetDatum(range_value(arm->pmax));
		out[pos++] = Float8GetDatum(range_value(arm->rmin));
		out[pos++] = Float8GetDatum(range_value(arm->rmax));
	}
	for (int h = 0; h < st->n_heads; h++)
	{
		HeadPart   *head = state_head(st, h);

		CHECK_FOR_INTERRUPTS();
		for (int l = 0; l < L; l++)
		{
			NeumaierSum s = head_sum(head, L, l);

			out[pos++] = Float8GetDatum(neumaier_value(&s));
		}
	}
	PG_RETURN_ARRAYTYPE_P(construct_array(out, (int) n, FLOAT8OID, sizeof(double),
										  FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
}

/* ---- portable form ---- */

/*
 * u8 version, u8 kind, i32 base, u8 weighted, u8 Hessian wanted, u8 every
 * outcome 0 or 1, u8 interactions, f64 min_propensity, i32 p, i32 arms,
 * i32 design, u32 setup values and the setup (f64 each); per arm i64 rows,
 * i64 clipped rows, f64 fitted propensity min and max, f64 given propensity
 * min and max (+inf and -inf without weighted rows); per head L compensated
 * sums (f64 sum, f64 compensation), the open block added in.  The heads and
 * their columns follow from kind, p, arms, design and interactions.
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
	bytes_put_u8(&buf, st->interactions ? 1 : 0);
	bytes_put_f64(&buf, st->min_propensity);
	bytes_put_i32(&buf, st->p);
	bytes_put_i32(&buf, st->n_arms);
	bytes_put_i32(&buf, st->design);
	bytes_put_u32(&buf, (uint32) st->n_setup);
	bytes_put_f64s(&buf, state_setup(st), st->n_setup);
	for (int a = 0; a < st->n_arms; a++)
	{
		ArmPart    *arm = state_arm(st, a);

		bytes_put_i64(&buf, arm->nrows);
		bytes_put_i64(&buf, arm->n_clipped);
		bytes_put_f64(&buf, arm->pmin);
		bytes_put_f64(&buf, arm->pmax);
		bytes_put_f64(&buf, arm->rmin);
		bytes_put_f64(&buf, arm->rmax);
	}
	for (int h = 0; h < st->n_heads; h++)
	{
		HeadPart   *head = state_head(st, h);

		CHECK_FOR_INTERRUPTS();
		for (int l = 0; l < L; l++)
		{
			NeumaierSum s = head_sum(head, L, l);

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

/* The shape a portable form's header gives, checked; false if none. */
static bool
read_shape(ByteReader *r, StateShape *sh, uint32 *n_setup)
{
	uint8		flags[4];

	memset(sh, 0, sizeof(StateShape));
	sh->kind = bytes_get_u8(r);
	sh->base = bytes_get_i32(r);
	for (int i = 0; i < 4; i++)
		flags[i] = bytes_get_u8(r);
	sh->min_propensity = bytes_get_f64(r);
	sh->p = bytes_get_i32(r);
	sh->n_arms = bytes_get_i32(r);
	sh->design = bytes_get_i32(r);
	*n_setup = bytes_get_u32(r);
	sh->weighted = flags[0] == 1;
	sh->want_h = flags[1] == 1;
	sh->interactions = flags[3] == 1;
	sh->all_binary = flags[2] == 1;
	if ((sh->kind != NEWTON_KIND_SUMMARY && sh->kind != NEWTON_KIND_GRADIENT) ||
		(sh->base != 0 && sh->base != UPLIFT_BASE_LOGISTIC && sh->base != UPLIFT_BASE_LINEAR) ||
		flags[0] > 1 || flags[1] > 1 || flags[2] > 1 || flags[3] > 1 ||
		!(sh->min_propensity >= 0.0 && sh->min_propensity <= 1.0))
		return false;
	if (sh->kind == NEWTON_KIND_SUMMARY)
	{
		sh->n_heads = sh->n_arms;
		sh->d = sh->p;
		return !sh->want_h && !sh->interactions && sh->design == 0 && *n_setup == 0 &&
			sh->p >= 1 && sh->p <= UPLIFT_MAX_FEATURES &&
			sh->n_arms >= 0 && sh->n_arms <= UPLIFT_MAX_ACTIONS + 1;
	}
	return design_shape(sh) &&
		*n_setup == (uint32) sh->n_arms * NEWTON_ARM_SETUP + (uint32) sh->n_heads * NEWTON_HEAD_SETUP(sh->d);
}

static void *
state_read(const char *data, Size len, int code)
{
	ByteReader	r;
	StateShape	sh;
	uint32		n_setup;
	int			L;
	NewtonState *st;
	double	   *setup;
	Size		head = 1 + 1 + 4 + 4 + 8 + 4 + 4 + 4 + 4;

	bytes_reader_init(&r, data, len, TYPNAME);
	if (len < head || bytes_get_u8(&r) != NEWTON_STATE_VERSION)
		state_invalid(code, "Unknown format version");
	if (!read_shape(&r, &sh, &n_setup))
		state_invalid(code, "A setting, the features, the arms or the setup are out of range");
	L = newton_values(sh.kind, sh.d);
	if ((double) (len - head) != (double) n_setup * 8.0 + (double) sh.n_arms * 48.0 +
		(double) sh.n_heads * 16.0 * L)
		state_invalid(code, "The length does not match the arms and features");
	setup = palloc(Max(n_setup, 1) * sizeof(double));
	bytes_get_f64s(&r, setup, n_setup);
	if (n_setup > 0 && !setup_values_ok(setup, &sh))
		state_invalid(code, "The setup of an arm or head is out of range");
	st = state_new(&sh, setup, n_setup);
	st->all_binary = sh.all_binary;
	pfree(setup);
	for (int a = 0; a < sh.n_arms; a++)
	{
		ArmPart    *arm = state_arm(st, a);

		arm->nrows = bytes_get_i64(&r);
		arm->n_clipped = bytes_get_i64(&r);
		arm->pmin = bytes_get_f64(&r);
		arm->pmax = bytes_get_f64(&r);
		arm->rmin = bytes_get_f64(&r);
		arm->rmax = bytes_get_f64(&r);
		check_arm(st, arm, code);
	}
	for (int h = 0; h < sh.n_heads; h++)
	{
		NeumaierSum *acc = head_acc(state_head(st, h));

		CHECK_FOR_INTERRUPTS();
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
