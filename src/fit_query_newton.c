/*
 * fit_query_newton.c
 *	  The logistic and linear fits of uplift_fit_query (see fit_query.h):
 *	  the heads of the t_learner, s_learner and class_transform over passes
 *	  of the query, each pass one call of the aggregate uplift_newton_pass
 *	  (newton_state.h).
 *
 * The first pass summarises each arm (rows, propensity ranges, sums of the
 * weights, outcomes and features); from it the fit takes every decision
 * uplift_fit takes before its solvers run (learn_fit_header: the arms, the
 * learner's restrictions, the base, the model's header), the arms' weights
 * (1/propensity scaled to average 1 where the propensities vary in the
 * arm), outcome means, and each head's centre and mean outcome, which the
 * in-memory fit takes from the rows of the head's design: a head per arm
 * (t_learner), one head on the s_learner design (affine in the features
 * within an arm, so its mean follows from the arms' means), one on the
 * class-transformed outcome of arms 0 and 1.  Then:
 *
 *	  linear base: one pass forms each head's gradient and Hessian of the
 *	  squared error at its mean outcome (the centred moments), and one
 *	  Newton step, the exact solution, ends the fit.
 *
 *	  logistic base: every head runs Newton's method of logistic.c
 *	  (NewtonIter) from logit of its mean outcome, all heads in step: each
 *	  pass forms the gradients (and the Hessians, while some head needs one)
 *	  of the heads still iterating.
 *
 * The minimiser is uplift_fit's; only the path differs: uplift_fit's
 * logistic fit first converges on a subsample of a large head, so on many
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

/* What a pass says of one arm. */
typedef struct ArmSummary
{
	int64		nrows;
	int64		n_clipped;
	double		pmin;			/* fitted propensities, NaN: none */
	double		pmax;
	double		rmin;			/* given propensities */
	double		rmax;
} ArmSummary;

/* A pass's result, read. */
typedef struct PassResult
{
	int			n_arms;
	int			p;
	bool		all_binary;
	int			n_heads;
	int			d;
	ArmSummary *arms;
	const double *sums;			/* n_heads * newton_values(kind, d) */
	ArrayType  *arr;			/* the result, which sums points into */
} PassResult;

/* How the rows of an arm weigh (learn.c's ArmWeights, and more). */
typedef struct ArmWeight
{
	bool		use_w;
	double		wscale;
	double		share_inv;		/* rows / rows of the arm */
	double		total;			/* sum of wscale / propensity, or rows */
	double		ybar;			/* weighted outcome mean */
	double	   *xbar;			/* p weighted feature means */
} ArmWeight;

/* The fit of one head. */
typedef struct HeadFit
{
	double	   *centre;			/* d */
	double	   *coef;			/* d + 1, centred form */
	int64		nrows;
	NewtonIter	it;
	bool		done;
	char		what[64];
} HeadFit;

typedef struct PassRun
{
	const FitQuery *fq;
	char	   *call;			/* the aggregate call over q.* and $1 */
	int			base;
	bool		weighted;
	double		min_propensity;
	int			p;
	int			n_arms;
	int			design;
	bool		interactions;
	int			n_heads;
	int			d;
	ArmSummary *arms;			/* of the summary pass */
	ArmWeight  *aw;
	HeadFit    *heads;
} PassRun;

/* Read a pass's result array (NULL: the query had no rows). */
static void
read_result(ArrayType *arr, int kind, PassResult *pr)
{
	const double *v;
	int			len;
	int			L;

	memset(pr, 0, sizeof(PassResult));
	pr->all_binary = true;
	pr->arr = arr;
	if (arr == NULL)
		return;
	len = ArrayGetNItems(ARR_NDIM(arr), ARR_DIMS(arr));
	v = (const double *) ARR_DATA_PTR(arr);
	if (len < NEWTON_RESULT_HEAD)
		elog(ERROR, "a pass of uplift_fit_query returned %d values", len);
	pr->n_arms = (int) v[1];
	pr->p = (int) v[2];
	pr->all_binary = v[3] == 1.0;
	pr->n_heads = (int) v[4];
	pr->d = (int) v[5];
	L = newton_values(kind, pr->d);
	if (len != NEWTON_RESULT_HEAD + pr->n_arms * NEWTON_ARM_HEAD + pr->n_heads * L)
		elog(ERROR, "a pass of uplift_fit_query returned %d values", len);
	pr->arms = palloc0(Max(pr->n_arms, 1) * sizeof(ArmSummary));
	for (int a = 0; a < pr->n_arms; a++)
	{
		const double *u = v + NEWTON_RESULT_HEAD + (Size) a * NEWTON_ARM_HEAD;

		pr->arms[a].nrows = (int64) u[0];
		pr->arms[a].n_clipped = (int64) u[1];
		pr->arms[a].pmin = u[2];
		pr->arms[a].pmax = u[3];
		pr->arms[a].rmin = u[4];
		pr->arms[a].rmax = u[5];
	}
	pr->sums = v + NEWTON_RESULT_HEAD + (Size) pr->n_arms * NEWTON_ARM_HEAD;
}

/* Run one pass with setup v (n values) and read its result. */
static void
run_pass(PassRun *run, const double *v, int n, int kind, PassResult *pr)
{
	Datum	   *elems = palloc(n * sizeof(Datum));
	Oid			argtype = FLOAT8ARRAYOID;
	Datum		arg;
	Datum		res;
	bool		isnull;

	for (int i = 0; i < n; i++)
		elems[i] = Float8GetDatum(v[i]);
	arg = PointerGetDatum(construct_array(elems, n, FLOAT8OID, sizeof(double),
										  FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
	fit_query_task(run->fq, kind == NEWTON_KIND_SUMMARY ? "summarising the arms" :
				   run->base == UPLIFT_BASE_LOGISTIC ? "a Newton step" : "the moments of the heads");
	res = fit_query_pass(run->fq, run->call, 1, &argtype, &arg, &isnull);
	pfree(DatumGetPointer(arg));
	pfree(elems);
	read_result(isnull ? NULL : DatumGetArrayTypeP(res), kind, pr);
	if (kind == NEWTON_KIND_SUMMARY)
	{
		int64		rows = 0;

		for (int a = 0; a < pr->n_arms; a++)
			rows += pr->arms[a].nrows;
		fit_query_count_rows(run->fq, rows);
	}
}

/* Free a pass's result (a Newton pass's result is as large as its state). */
static void
pass_result_free(PassResult *pr)
{
	if (pr->arr != NULL)
		pfree(pr->arr);
	if (pr->arms != NULL)
		pfree(pr->arms);
	pr->arr = NULL;
	pr->arms = NULL;
	pr->sums = NULL;
}

static void
setup_head(double *v, int kind, const PassRun *run, bool want_h)
{
	bool		grad = kind == NEWTON_KIND_GRADIENT;

	v[0] = kind;
	v[1] = run->base;
	v[2] = run->weighted ? 1.0 : 0.0;
	v[3] = run->min_propensity;
	v[4] = grad && want_h ? 1.0 : 0.0;
	v[5] = grad ? run->n_arms : 0;
	v[6] = grad ? run->p : 0;
	v[7] = grad ? run->design : 0;
	v[8] = grad && run->interactions ? 1.0 : 0.0;
}

/*
 * A state without rows that stands for the summarised rows, with the
 * settings of opts, for learn_fit_header.
 */
static LearnState *
summary_state(Jsonb *opts, const PassRun *run, const PassResult *pr)
{
	LearnState *st = learn_state_create(CurrentMemoryContext, opts, Max(pr->p, 1), run->weighted);
	int			n = pr->n_arms;
	int64	   *nrows = palloc(Max(n, 1) * sizeof(int64));
	double	   *pmin = palloc(Max(n, 1) * sizeof(double));
	double	   *pmax = palloc(Max(n, 1) * sizeof(double));

	for (int a = 0; a < n; a++)
	{
		const ArmSummary *arm = &pr->arms[a];

		nrows[a] = arm->nrows;
		pmin[a] = isnan(arm->pmin) ? INFINITY : arm->pmin;
		pmax[a] = isnan(arm->pmax) ? -INFINITY : arm->pmax;
		st->n_clipped += arm->n_clipped;
		if (!isnan(arm->rmin) && (isnan(st->prop_min) || arm->rmin < st->prop_min))
			st->prop_min = arm->rmin;
		if (!isnan(arm->rmax) && (isnan(st->prop_max) || arm->rmax > st->prop_max))
			st->prop_max = arm->rmax;
	}
	learn_state_summarize(st, n, nrows, pmin, pmax, pr->all_binary);
	return st;
}

/*
 * The weighting, outcome mean and feature means of arm a as learn.c and
 * the solvers form them from its rows (v: the arm's summary sums).
 */
static void
arm_prepare(PassRun *run, const double *v, int32 a, int64 n_all, UpliftModel *m)
{
	int			p = run->p;
	const ArmSummary *sum = &run->arms[a];
	ArmWeight  *aw = &run->aw[a];
	double		total = v[0];

	aw->use_w = learn_weighs_arm(run->weighted, sum->nrows, sum->pmin, sum->pmax);
	aw->wscale = 1.0;
	aw->share_inv = (double) n_all / (double) sum->nrows;
	if (aw->use_w)
	{
		learn_check_weight_total(total, a);
		aw->wscale = (double) sum->nrows / total;
	}
	aw->total = aw->use_w ? aw->wscale * total : (double) sum->nrows;
	aw->ybar = aw->use_w ? v[2] / total : v[1] / (double) sum->nrows;
	m->arm_rows[a] = sum->nrows;
	m->arm_outcome_mean[a] = aw->ybar;
	if (!isfinite(aw->ybar))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("outcome of uplift_fit is too large: the %s of treatment %d sum beyond double precision",
						aw->use_w ? "outcomes times 1/propensity" : "outcomes", a),
				 errhint("Rescale the outcome (for example to thousands).")));
	aw->xbar = palloc(Max(p, 1) * sizeof(double));
	for (int j = 0; j < p; j++)
		aw->xbar[j] = aw->use_w ? v[3 + p + j] / total : v[3 + j] / (double) sum->nrows;
}

/* A head's centre and start from the mean design row and mean outcome. */
static void
head_start(PassRun *run, HeadFit *h, double ybar, int64 nrows, const char *what)
{
	if (!linalg_all_finite(h->centre, run->d) || !isfinite(ybar))
		linear_overflow_error(NULL, "features", what);
	h->coef = palloc0((run->d + 1) * sizeof(double));
	h->coef[0] = run->base == UPLIFT_BASE_LOGISTIC ? logistic_start(ybar) : ybar;
	h->nrows = nrows;
	strlcpy(h->what, what, sizeof(h->what));
}

/*
 * The heads of the learner's design, each centred as the in-memory fit
 * centres it (on the weighted means of its design columns), with its
 * UpliftHead's role and action set in m.
 */
static void
heads_prepare(PassRun *run, const PassResult *sum, UpliftModel *m)
{
	int			p = run->p;
	int			K = run->n_arms - 1;
	int			L = newton_values(NEWTON_KIND_SUMMARY, p);
	int64		n_all = 0;

	for (int a = 0; a <= K; a++)
		n_all += sum->arms[a].nrows;
	run->aw = palloc0(run->n_arms * sizeof(ArmWeight));
	for (int32 a = 0; a <= K; a++)
		arm_prepare(run, sum->sums + (Size) a * L, a, n_all, m);

	run->heads = palloc0(run->n_heads * sizeof(HeadFit));
	m->n_heads = run->n_heads;
	m->heads = palloc0(run->n_heads * sizeof(UpliftHead));
	for (int h = 0; h < run->n_heads; h++)
		m->heads[h].link = run->base == UPLIFT_BASE_LOGISTIC ? UPLIFT_LINK_LOGIT : UPLIFT_LINK_IDENTITY;
	if (run->design == NEWTON_DESIGN_ARMS)
	{
		for (int32 a = 0; a <= K; a++)
		{
			char		what[64];

			snprintf(what, sizeof(what), "treatment %d", a);
			run->heads[a].centre = run->aw[a].xbar;
			head_start(run, &run->heads[a], run->aw[a].ybar, run->arms[a].nrows, what);
			m->heads[a].role = UPLIFT_HEAD_OUTCOME;
			m->heads[a].action = a;
		}
	}
	else if (run->design == NEWTON_DESIGN_S)
	{
		/* the design is affine in x within an arm: its mean is that of the means */
		double	   *z = palloc(run->d * sizeof(double));
		double	   *zbar = palloc0(run->d * sizeof(double));
		double		w = 0.0;
		double		ybar = 0.0;

		for (int32 a = 0; a <= K; a++)
		{
			uplift_s_design(m, run->aw[a].xbar, a, z);
			for (int j = 0; j < run->d; j++)
				zbar[j] += run->aw[a].total * z[j];
			ybar += run->aw[a].total * run->aw[a].ybar;
			w += run->aw[a].total;
		}
		for (int j = 0; j < run->d; j++)
			zbar[j] /= w;
		run->heads[0].centre = zbar;
		head_start(run, &run->heads[0], ybar / w, n_all, "the s_learner model");
		m->heads[0].role = UPLIFT_HEAD_JOINT;
		m->heads[0].action = -1;
	}
	else
	{
		/* class transformation: unweighted rows of arms 0 and 1, outcome z or y* */
		const double *v0 = sum->sums;
		const double *v1 = sum->sums + L;
		double	   *xbar = palloc(p * sizeof(double));
		double		ybar;

		for (int j = 0; j < p; j++)
			xbar[j] = (v0[3 + j] + v1[3 + j]) / (double) n_all;
		if (run->base == UPLIFT_BASE_LOGISTIC)
			ybar = (v1[1] + ((double) run->arms[0].nrows - v0[1])) / (double) n_all;
		else if (run->weighted)
			ybar = (v1[2] - v0[2]) / (double) n_all;
		else
			ybar = (run->aw[1].share_inv * v1[1] - run->aw[0].share_inv * v0[1]) / (double) n_all;
		run->heads[0].centre = xbar;
		head_start(run, &run->heads[0], ybar, n_all, "the class_transform model");
		m->heads[0].role = UPLIFT_HEAD_TRANSFORMED;
		m->heads[0].action = 1;
	}
}

/*
 * One gradient pass at the heads' coefficients (heads not done); each
 * arm's rows are checked against the summary.
 */
static void
gradient_pass(PassRun *run, bool want_h, PassResult *pr)
{
	int			d = run->d;
	int			n = NEWTON_SETUP_HEAD + run->n_arms * NEWTON_ARM_SETUP +
		run->n_heads * NEWTON_HEAD_SETUP(d);
	double	   *v = palloc(n * sizeof(double));
	double	   *s = v + NEWTON_SETUP_HEAD;

	setup_head(v, NEWTON_KIND_GRADIENT, run, want_h);
	for (int a = 0; a < run->n_arms; a++, s += NEWTON_ARM_SETUP)
	{
		s[0] = run->aw[a].use_w ? 1.0 : 0.0;
		s[1] = run->aw[a].wscale;
		s[2] = run->aw[a].share_inv;
	}
	for (int h = 0; h < run->n_heads; h++, s += NEWTON_HEAD_SETUP(d))
	{
		s[0] = run->heads[h].done ? 0.0 : 1.0;
		memcpy(s + 1, run->heads[h].centre, d * sizeof(double));
		memcpy(s + 1 + d, run->heads[h].coef, (d + 1) * sizeof(double));
	}
	run_pass(run, v, n, NEWTON_KIND_GRADIENT, pr);
	pfree(v);
	for (int a = 0; a < run->n_arms; a++)
		if (pr->n_arms != run->n_arms || pr->arms[a].nrows != run->arms[a].nrows)
			ereport(ERROR,
					(errcode(ERRCODE_DATA_EXCEPTION),
					 errmsg("query of uplift_fit_query returned other rows in a later pass"),
					 errdetail("Treatment %d had " INT64_FORMAT " rows in the first pass and " INT64_FORMAT " now.",
							   a, run->arms[a].nrows, a < pr->n_arms ? pr->arms[a].nrows : 0),
					 errhint("The query must return the same rows on every pass: avoid random() and LIMIT without ORDER BY.")));
}

/* The gradient (D) and, when h is not NULL, Hessian (D x D full) of head k. */
static void
unpack_head(const PassResult *pr, int k, double *g, double *h)
{
	int			D = pr->d + 1;
	const double *v = pr->sums + (Size) k * newton_values(NEWTON_KIND_GRADIENT, pr->d);
	const double *tri = v + D;

	memcpy(g, v, D * sizeof(double));
	if (h == NULL)
		return;
	for (int i = 0; i < D; i++)
		for (int j = 0; j <= i; j++)
		{
			h[i * D + j] = tri[i * (i + 1) / 2 + j];
			h[j * D + i] = h[i * D + j];
		}
}

/* The argument an overflow of the sums most likely comes from. */
static const char *
overflow_guess(const PassRun *run)
{
	return run->weighted ? "propensity" : "features";
}

/* The logistic heads: Newton's method on every head, one pass per step. */
static void
fit_logistic(PassRun *run, const LearnSettings *s, UpliftModel *m)
{
	int			left = run->n_heads;

	for (int h = 0; h < run->n_heads; h++)
		newton_iter_init(&run->heads[h].it, run->d + 1, s->l2, s->max_iter, s->tol,
						 run->heads[h].coef);
	while (left > 0)
	{
		bool		want_h = false;
		PassResult	pr;

		CHECK_FOR_INTERRUPTS();
		for (int h = 0; h < run->n_heads; h++)
			want_h |= !run->heads[h].done && run->heads[h].it.need_h;
		gradient_pass(run, want_h, &pr);
		for (int h = 0; h < run->n_heads; h++)
		{
			HeadFit    *f = &run->heads[h];
			NewtonStatus status;

			if (f->done)
				continue;
			unpack_head(&pr, h, f->it.g, f->it.need_h ? f->it.h : NULL);
			status = newton_iter_step(&f->it);
			if (status == NEWTON_OVERFLOW)
				linear_overflow_error(NULL, overflow_guess(run), f->what);
			if (status == NEWTON_SINGULAR)
				logistic_singular_error(f->what, s->l2);
			if (status == NEWTON_DONE)
			{
				f->done = true;
				left--;
				logistic_finish(NULL, run->d, f->coef, f->centre, &f->it.res,
								s->max_iter, f->nrows, &m->heads[h], f->what);
			}
		}
		pass_result_free(&pr);
	}
	for (int h = 0; h < run->n_heads; h++)
		newton_iter_free(&run->heads[h].it);
}

/*
 * The linear heads: the gradient and Hessian of the squared error at the
 * head's mean outcome (the centred moments), and the one Newton step that
 * minimises it.
 */
static void
fit_linear(PassRun *run, const LearnSettings *s, UpliftModel *m)
{
	int			d = run->d;
	int			D = d + 1;
	PassResult	pr;
	double	   *g = palloc(D * sizeof(double));
	double	   *h = palloc((Size) D * D * sizeof(double));
	double	   *a_mat = palloc((Size) D * D * sizeof(double));
	double	   *delta = palloc(D * sizeof(double));

	gradient_pass(run, true, &pr);
	for (int k = 0; k < run->n_heads; k++)
	{
		HeadFit    *f = &run->heads[k];
		UpliftHead *head = &m->heads[k];
		double		max_grad = 0.0;

		CHECK_FOR_INTERRUPTS();
		unpack_head(&pr, k, g, h);
		for (int j = 1; j < D; j++)
			h[j * D + j] += s->l2;
		if (!linalg_all_finite(g, D) || !linalg_all_finite(h, (Size) D * D))
			linear_overflow_error(NULL, overflow_guess(run), f->what);
		memcpy(a_mat, h, (Size) D * D * sizeof(double));
		memcpy(delta, g, D * sizeof(double));
		if (!cholesky_solve(a_mat, delta, D))
			linear_singular_error(f->what, s->l2);
		/* the gradient after the step, g - H delta, on the slopes */
		for (int j = 1; j < D; j++)
		{
			double		gj = g[j];

			for (int i = 0; i < D; i++)
				gj -= h[j * D + i] * delta[i];
			max_grad = Max(max_grad, fabs(gj));
		}
		head->n_coef = D;
		head->coef = palloc(D * sizeof(double));
		head->coef[0] = f->coef[0] - delta[0];
		for (int j = 0; j < d; j++)
		{
			head->coef[j + 1] = -delta[j + 1];
			head->coef[0] -= head->coef[j + 1] * f->centre[j];
		}
		if (!linalg_all_finite(head->coef, D))
			linear_overflow_error(NULL, "outcome", f->what);
		head->n_rows = f->nrows;
		head->n_iter = 0;
		head->converged = true;
		head->max_grad = max_grad;
	}
	pass_result_free(&pr);
}

/* The design of a learner fitted here; an error for the others. */
static int
learner_design(const LearnSettings *s)
{
	switch (s->learner)
	{
		case UPLIFT_LEARNER_T:
			return NEWTON_DESIGN_ARMS;
		case UPLIFT_LEARNER_S:
			return NEWTON_DESIGN_S;
		case UPLIFT_LEARNER_CLASS_TRANSFORM:
			return NEWTON_DESIGN_CT;
	}
	ereport(ERROR,
			(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
			 errmsg("uplift_fit_query cannot fit learner \"%s\" yet",
					uplift_learner_name(s->learner)),
			 errhint("Fit it with uplift_fit or with base \"forest\", or use learner \"t_learner\", \"s_learner\" or \"class_transform\".")));
	return 0;					/* keep the compiler quiet */
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

LearnState *
fit_query_summary(const FitQuery *fq, Jsonb *opts)
{
	PassRun		run;
	LearnState *pre;
	double		setup[NEWTON_SETUP_HEAD];
	PassResult	sum;

	memset(&run, 0, sizeof(run));
	run.fq = fq;
	run.call = fit_query_call(fq, "uplift_newton_pass");
	run.weighted = fq->ncols == 4;
	pre = learn_state_create(CurrentMemoryContext, opts, named_features(opts), run.weighted);
	/* a logistic base checks the outcomes; the others take any */
	run.base = pre->settings.base == UPLIFT_BASE_LOGISTIC ? UPLIFT_BASE_LOGISTIC : 0;
	run.min_propensity = pre->settings.min_propensity;
	setup_head(setup, NEWTON_KIND_SUMMARY, &run, false);
	run_pass(&run, setup, NEWTON_SETUP_HEAD, NEWTON_KIND_SUMMARY, &sum);
	return summary_state(opts, &run, &sum);
}

bytea *
fit_query_newton(const FitQuery *fq, Jsonb *opts)
{
	PassRun		run;
	LearnState *pre;
	LearnState *st;
	LearnSettings settings;
	double		setup[NEWTON_SETUP_HEAD];
	PassResult	sum;
	UpliftModel *m;

	memset(&run, 0, sizeof(run));
	run.fq = fq;
	run.call = fit_query_call(fq, "uplift_newton_pass");
	run.weighted = fq->ncols == 4;

	/* every option is checked before the first pass */
	pre = learn_state_create(CurrentMemoryContext, opts, named_features(opts), run.weighted);
	run.design = learner_design(&pre->settings);
	run.base = pre->settings.base;
	run.min_propensity = pre->settings.min_propensity;

	setup_head(setup, NEWTON_KIND_SUMMARY, &run, false);
	run_pass(&run, setup, NEWTON_SETUP_HEAD, NEWTON_KIND_SUMMARY, &sum);

	st = summary_state(opts, &run, &sum);
	settings = st->settings;
	m = learn_fit_header(st, &settings);
	run.base = m->base;
	run.p = sum.p;
	run.n_arms = m->n_actions + 1;
	run.arms = sum.arms;
	run.interactions = m->interactions;
	run.n_heads = run.design == NEWTON_DESIGN_ARMS ? run.n_arms : 1;
	run.d = run.design == NEWTON_DESIGN_S ?
		uplift_s_design_len(run.p, m->n_actions, m->interactions) : run.p;

	heads_prepare(&run, &sum, m);
	if (sum.arr != NULL)
		pfree(sum.arr);
	if (m->base == UPLIFT_BASE_LOGISTIC)
		fit_logistic(&run, &settings, m);
	else
		fit_linear(&run, &settings, m);
	learn_model_check(m);
	return uplift_model_serialize(m);
}
