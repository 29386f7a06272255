/*
 * fit_query_newton.c
 *	  The logistic and linear fits of uplift_fit_query (see fit_query.h):
 *	  the t_learner's heads over passes of the query, each pass one call of
 *	  the aggregate uplift_newton_pass (newton_state.h).
 *
 * The first pass summarises each arm (rows, propensity ranges, sums of the
 * weights, outcomes and features); from it the fit takes every decision
 * uplift_fit takes before its solvers run (learn_fit_header: the arms, the
 * base, the model's header), the arms' weights (1/propensity scaled to
 * average 1 where the propensities vary in the arm), outcome means and the
 * centres of the features.  Then:
 *
 *	  linear base: one pass forms each arm's gradient and Hessian of the
 *	  squared error at the arm's mean outcome (the centred moments), and
 *	  one Newton step, the exact solution, ends the fit.
 *
 *	  logistic base: every arm runs Newton's method of logistic.c
 *	  (NewtonIter) from logit of its mean outcome, all arms in step: each
 *	  pass forms the gradients (and the Hessians, while some arm needs one)
 *	  of the arms still iterating.
 *
 * The minimiser is uplift_fit's; only the path differs: uplift_fit's
 * logistic fit first converges on a subsample of a large arm, so on many
 * rows its n_iter is smaller.  The state of a pass does not grow with the
 * rows.
 */
#include "uplift.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"

#include "fit_query.h"
#include "learn.h"
#include "linalg.h"
#include "linear.h"
#include "logistic.h"
#include "newton_state.h"
#include "options.h"

/* What the summary pass says of one arm. */
typedef struct ArmSummary
{
	int64		nrows;
	int64		n_clipped;
	double		pmin;			/* fitted propensities, NaN: none */
	double		pmax;
	double		rmin;			/* given propensities */
	double		rmax;
	const double *sums;			/* newton_values(SUMMARY, p) */
} ArmSummary;

/* The fit of one arm's head. */
typedef struct ArmFit
{
	bool		use_w;
	double		wscale;
	double	   *centre;			/* p */
	double	   *coef;			/* p + 1, centred form */
	NewtonIter	it;
	bool		done;
	char		what[64];
} ArmFit;

typedef struct PassRun
{
	const FitQuery *fq;
	char	   *call;			/* the aggregate call over q.* and $1 */
	int			base;
	bool		weighted;
	double		min_propensity;
	int			p;
	int			n_arms;
} PassRun;

/* The aggregate call of every pass. */
static char *
pass_call(const FitQuery *fq)
{
	return psprintf("%s.uplift_newton_pass(q.features%s, q.treatment, q.outcome, %s, $1)",
					fq->schema,
					fq->coltypes[FIT_QUERY_FEATURES] == FLOAT8ARRAYOID ? "" : "::pg_catalog.float8[]",
					fq->ncols == 4 ? "q.propensity" : "NULL::pg_catalog.float8");
}

/* Run one pass with setup v (n values); NULL when the query has no rows. */
static double *
run_pass(PassRun *run, const double *v, int n, int *len)
{
	Datum	   *elems = palloc(n * sizeof(Datum));
	Oid			argtype = FLOAT8ARRAYOID;
	Datum		arg;
	Datum		res;
	bool		isnull;
	ArrayType  *arr;

	for (int i = 0; i < n; i++)
		elems[i] = Float8GetDatum(v[i]);
	arg = PointerGetDatum(construct_array(elems, n, FLOAT8OID, sizeof(double),
										  FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
	res = fit_query_pass(run->fq, run->call, 1, &argtype, &arg, &isnull);
	pfree(DatumGetPointer(arg));
	pfree(elems);
	if (isnull)
		return NULL;
	arr = DatumGetArrayTypeP(res);
	*len = ArrayGetNItems(ARR_NDIM(arr), ARR_DIMS(arr));
	return (double *) ARR_DATA_PTR(arr);
}

static void
setup_head(double *v, int kind, const PassRun *run, bool want_h)
{
	v[0] = kind;
	v[1] = run->base;
	v[2] = run->weighted ? 1.0 : 0.0;
	v[3] = run->min_propensity;
	v[4] = want_h ? 1.0 : 0.0;
	v[5] = kind == NEWTON_KIND_SUMMARY ? 0 : run->n_arms;
	v[6] = kind == NEWTON_KIND_SUMMARY ? 0 : run->p;
}

/* The arms of a result (NULL: no rows) into arms[], n_arms of them. */
static ArmSummary *
read_arms(const double *res, int len, int kind, int *n_arms, int *p, bool *all_binary)
{
	ArmSummary *arms;
	int			L;

	if (res == NULL)
	{
		*n_arms = 0;
		*all_binary = true;
		return NULL;
	}
	*n_arms = (int) res[1];
	*p = (int) res[2];
	*all_binary = res[3] == 1.0;
	L = newton_values(kind, *p);
	if (len != NEWTON_RESULT_HEAD + *n_arms * (NEWTON_ARM_HEAD + L))
		elog(ERROR, "a pass of uplift_fit_query returned %d values", len);
	arms = palloc0(Max(*n_arms, 1) * sizeof(ArmSummary));
	for (int a = 0; a < *n_arms; a++)
	{
		const double *v = res + NEWTON_RESULT_HEAD + (Size) a * (NEWTON_ARM_HEAD + L);

		arms[a].nrows = (int64) v[0];
		arms[a].n_clipped = (int64) v[1];
		arms[a].pmin = v[2];
		arms[a].pmax = v[3];
		arms[a].rmin = v[4];
		arms[a].rmax = v[5];
		arms[a].sums = v + NEWTON_ARM_HEAD;
	}
	return arms;
}

/*
 * A state without rows that stands for the summarised rows, with the
 * settings of opts, for learn_fit_header.
 */
static LearnState *
summary_state(Jsonb *opts, const PassRun *run, const ArmSummary *arms, bool all_binary)
{
	LearnState *st = learn_state_create(CurrentMemoryContext, opts, Max(run->p, 1), run->weighted);
	int			n = run->n_arms;
	int64	   *nrows = palloc(Max(n, 1) * sizeof(int64));
	double	   *pmin = palloc(Max(n, 1) * sizeof(double));
	double	   *pmax = palloc(Max(n, 1) * sizeof(double));

	for (int a = 0; a < n; a++)
	{
		nrows[a] = arms[a].nrows;
		pmin[a] = isnan(arms[a].pmin) ? INFINITY : arms[a].pmin;
		pmax[a] = isnan(arms[a].pmax) ? -INFINITY : arms[a].pmax;
		st->n_clipped += arms[a].n_clipped;
		if (!isnan(arms[a].rmin) && (isnan(st->prop_min) || arms[a].rmin < st->prop_min))
			st->prop_min = arms[a].rmin;
		if (!isnan(arms[a].rmax) && (isnan(st->prop_max) || arms[a].rmax > st->prop_max))
			st->prop_max = arms[a].rmax;
	}
	learn_state_summarize(st, n, nrows, pmin, pmax, all_binary);
	return st;
}

/*
 * Weights, outcome mean and centre of an arm as learn.c and the solvers
 * form them from its rows.
 */
static void
arm_prepare(const PassRun *run, const ArmSummary *sum, int32 a, ArmFit *fit,
			UpliftModel *m)
{
	int			p = run->p;
	const double *v = sum->sums;
	double		total = v[0];
	double		ybar;

	fit->use_w = run->weighted && sum->nrows > 0 && sum->pmin < sum->pmax;
	fit->wscale = 1.0;
	if (fit->use_w)
	{
		learn_check_weight_total(total, a);
		fit->wscale = (double) sum->nrows / total;
	}
	ybar = fit->use_w ? v[2] / total : v[1] / (double) sum->nrows;
	m->arm_rows[a] = sum->nrows;
	m->arm_outcome_mean[a] = ybar;
	if (!isfinite(ybar))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("outcome of uplift_fit is too large: the %s of treatment %d sum beyond double precision",
						fit->use_w ? "outcomes times 1/propensity" : "outcomes", a),
				 errhint("Rescale the outcome (for example to thousands).")));
	snprintf(fit->what, sizeof(fit->what), "treatment %d", a);
	fit->centre = palloc(Max(p, 1) * sizeof(double));
	for (int j = 0; j < p; j++)
		fit->centre[j] = fit->use_w ? v[3 + p + j] / total : v[3 + j] / (double) sum->nrows;
	if (!linalg_all_finite(fit->centre, p))
		linear_overflow_error(NULL, "features", fit->what);
	fit->coef = palloc0((p + 1) * sizeof(double));
	fit->coef[0] = m->base == UPLIFT_BASE_LOGISTIC ? logistic_start(ybar) : ybar;
}

/*
 * One gradient pass at the arms' coefficients (arms not done); returns the
 * result, with each arm's rows checked against the summary.
 */
static const double *
gradient_pass(PassRun *run, ArmFit *fits, const ArmSummary *sums, bool want_h)
{
	int			p = run->p;
	int			per_arm = NEWTON_ARM_SETUP(p);
	int			n = NEWTON_SETUP_HEAD + run->n_arms * per_arm;
	double	   *v = palloc(n * sizeof(double));
	double	   *res;
	int			len;
	int			n_arms;
	int			p_res;
	bool		all_binary;
	ArmSummary *got;

	setup_head(v, NEWTON_KIND_GRADIENT, run, want_h);
	for (int a = 0; a < run->n_arms; a++)
	{
		double	   *s = v + NEWTON_SETUP_HEAD + (Size) a * per_arm;

		s[0] = fits[a].done ? 0.0 : 1.0;
		s[1] = fits[a].use_w ? 1.0 : 0.0;
		s[2] = fits[a].wscale;
		memcpy(s + 3, fits[a].centre, p * sizeof(double));
		memcpy(s + 3 + p, fits[a].coef, (p + 1) * sizeof(double));
	}
	res = run_pass(run, v, n, &len);
	pfree(v);
	got = read_arms(res, len, NEWTON_KIND_GRADIENT, &n_arms, &p_res, &all_binary);
	for (int a = 0; a < run->n_arms; a++)
		if (got == NULL || n_arms != run->n_arms || got[a].nrows != sums[a].nrows)
			ereport(ERROR,
					(errcode(ERRCODE_DATA_EXCEPTION),
					 errmsg("query of uplift_fit_query returned other rows in a later pass"),
					 errdetail("Treatment %d had " INT64_FORMAT " rows in the first pass and " INT64_FORMAT " now.",
							   a, sums[a].nrows, got == NULL || a >= n_arms ? 0 : got[a].nrows),
					 errhint("The query must return the same rows on every pass: avoid random() and LIMIT without ORDER BY.")));
	return res;
}

/* The gradient (D) and, when h is not NULL, Hessian (D x D full) of arm a. */
static void
unpack_arm(const double *res, int p, int a, double *g, double *h)
{
	int			D = p + 1;
	int			L = newton_values(NEWTON_KIND_GRADIENT, p);
	const double *v = res + NEWTON_RESULT_HEAD + (Size) a * (NEWTON_ARM_HEAD + L) + NEWTON_ARM_HEAD;
	const double *tri = v + D;

	memcpy(g, v, D * sizeof(double));
	if (h == NULL)
		return;
	for (int i = 0; i < D; i++)
		for (int k = 0; k <= i; k++)
		{
			h[i * D + k] = tri[i * (i + 1) / 2 + k];
			h[k * D + i] = h[i * D + k];
		}
}

/* The argument an overflow of arm a's sums most likely comes from. */
static const char *
overflow_guess(const ArmFit *fit)
{
	return fit->use_w ? "propensity" : "features";
}

/* The logistic heads: Newton's method on every arm, one pass per step. */
static void
fit_logistic(PassRun *run, ArmFit *fits, const ArmSummary *sums,
			 const LearnSettings *s, UpliftModel *m)
{
	int			left = run->n_arms;

	for (int a = 0; a < run->n_arms; a++)
		newton_iter_init(&fits[a].it, run->p + 1, s->l2, s->max_iter, s->tol, fits[a].coef);
	while (left > 0)
	{
		bool		want_h = false;
		const double *res;

		CHECK_FOR_INTERRUPTS();
		for (int a = 0; a < run->n_arms; a++)
			want_h |= !fits[a].done && fits[a].it.need_h;
		res = gradient_pass(run, fits, sums, want_h);
		for (int a = 0; a < run->n_arms; a++)
		{
			ArmFit	   *f = &fits[a];
			NewtonStatus status;

			if (f->done)
				continue;
			unpack_arm(res, run->p, a, f->it.g, f->it.need_h ? f->it.h : NULL);
			status = newton_iter_step(&f->it);
			if (status == NEWTON_OVERFLOW)
				linear_overflow_error(NULL, overflow_guess(f), f->what);
			if (status == NEWTON_SINGULAR)
				logistic_singular_error(f->what, s->l2);
			if (status == NEWTON_DONE)
			{
				f->done = true;
				left--;
				logistic_finish(NULL, run->p, f->coef, f->centre, &f->it.res,
								s->max_iter, sums[a].nrows, &m->heads[a], f->what);
			}
		}
	}
	for (int a = 0; a < run->n_arms; a++)
		newton_iter_free(&fits[a].it);
}

/*
 * The linear heads: the gradient and Hessian of the squared error at the
 * arm's mean outcome, and the one Newton step that minimises it.
 */
static void
fit_linear(PassRun *run, ArmFit *fits, const ArmSummary *sums,
		   const LearnSettings *s, UpliftModel *m)
{
	int			p = run->p;
	int			D = p + 1;
	const double *res = gradient_pass(run, fits, sums, true);
	double	   *g = palloc(D * sizeof(double));
	double	   *h = palloc((Size) D * D * sizeof(double));
	double	   *a_mat = palloc((Size) D * D * sizeof(double));
	double	   *delta = palloc(D * sizeof(double));

	for (int a = 0; a < run->n_arms; a++)
	{
		ArmFit	   *f = &fits[a];
		UpliftHead *head = &m->heads[a];
		double		max_grad = 0.0;

		CHECK_FOR_INTERRUPTS();
		unpack_arm(res, p, a, g, h);
		for (int j = 1; j < D; j++)
			h[j * D + j] += s->l2;
		if (!linalg_all_finite(g, D) || !linalg_all_finite(h, (Size) D * D))
			linear_overflow_error(NULL, overflow_guess(f), f->what);
		memcpy(a_mat, h, (Size) D * D * sizeof(double));
		memcpy(delta, g, D * sizeof(double));
		if (!cholesky_solve(a_mat, delta, D))
			linear_singular_error(f->what, s->l2);
		/* the gradient after the step, g - H delta, on the slopes */
		for (int j = 1; j < D; j++)
		{
			double		gj = g[j];

			for (int k = 0; k < D; k++)
				gj -= h[j * D + k] * delta[k];
			max_grad = Max(max_grad, fabs(gj));
		}
		head->n_coef = D;
		head->coef = palloc(D * sizeof(double));
		head->coef[0] = f->coef[0] - delta[0];
		for (int j = 0; j < p; j++)
		{
			head->coef[j + 1] = -delta[j + 1];
			head->coef[0] -= head->coef[j + 1] * f->centre[j];
		}
		if (!linalg_all_finite(head->coef, D))
			linear_overflow_error(NULL, "outcome", f->what);
		head->n_rows = sums[a].nrows;
		head->n_iter = 0;
		head->converged = true;
		head->max_grad = max_grad;
	}
}

/* Error unless the options ask for a learner fitted here. */
static void
check_learner(const LearnSettings *s)
{
	if (s->learner != UPLIFT_LEARNER_T)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("uplift_fit_query cannot fit learner \"%s\" yet",
						uplift_learner_name(s->learner)),
				 errhint("Fit it with uplift_fit, or use learner \"t_learner\".")));
}

/* The features the options name, so their check passes before any pass. */
static int
named_features(Jsonb *opts)
{
	JsonbValue *v = options_lookup(opts, "feature_names");

	if (v != NULL && v->type == jbvBinary && JsonContainerIsArray(v->val.binary.data) &&
		!JsonContainerIsScalar(v->val.binary.data))
		return Max((int) JsonContainerSize(v->val.binary.data), 1);
	return 1;
}

bytea *
fit_query_newton(const FitQuery *fq, Jsonb *opts)
{
	PassRun		run;
	LearnState *pre;
	LearnState *st;
	LearnSettings settings;
	double		setup[NEWTON_SETUP_HEAD];
	double	   *res;
	int			len = 0;
	bool		all_binary;
	ArmSummary *sums;
	ArmFit	   *fits;
	UpliftModel *m;

	memset(&run, 0, sizeof(run));
	run.fq = fq;
	run.call = pass_call(fq);
	run.weighted = fq->ncols == 4;

	/* every option is checked before the first pass */
	pre = learn_state_create(CurrentMemoryContext, opts, named_features(opts), run.weighted);
	check_learner(&pre->settings);
	run.base = pre->settings.base;
	run.min_propensity = pre->settings.min_propensity;

	setup_head(setup, NEWTON_KIND_SUMMARY, &run, false);
	res = run_pass(&run, setup, NEWTON_SETUP_HEAD, &len);
	sums = read_arms(res, len, NEWTON_KIND_SUMMARY, &run.n_arms, &run.p, &all_binary);

	st = summary_state(opts, &run, sums, all_binary);
	settings = st->settings;
	m = learn_fit_header(st, &settings);
	run.base = m->base;
	run.n_arms = m->n_actions + 1;

	fits = palloc0(run.n_arms * sizeof(ArmFit));
	m->n_heads = run.n_arms;
	m->heads = palloc0(run.n_arms * sizeof(UpliftHead));
	for (int32 a = 0; a < run.n_arms; a++)
	{
		arm_prepare(&run, &sums[a], a, &fits[a], m);
		m->heads[a].role = UPLIFT_HEAD_OUTCOME;
		m->heads[a].action = a;
		m->heads[a].link = m->base == UPLIFT_BASE_LOGISTIC ? UPLIFT_LINK_LOGIT : UPLIFT_LINK_IDENTITY;
	}
	if (m->base == UPLIFT_BASE_LOGISTIC)
		fit_logistic(&run, fits, sums, &settings, m);
	else
		fit_linear(&run, fits, sums, &settings, m);
	learn_model_check(m);
	return uplift_model_serialize(m);
}
