/*
 * ope_compare_estimators.c
 *	  Arithmetic of the paired off-policy estimators: policy against policy
 *	  on one log, SNDR and switch-DR, the average effect per action, and an
 *	  allocation as deployed against a baseline.  No SQL here; the glue is
 *	  ope_compare.c.
 *
 * With reward r, logged propensity p, target propensities ta (policy A) and
 * tb (policy B), importance weights w = min(t / p, clip), outcome-model
 * predictions ql (logged action), qa, qb (averaged over each policy), n rows:
 *
 *	  IPS diff    (1/n) sum d_i,   d_i = (wa_i - wb_i) r_i
 *	  DR diff     (1/n) sum d_i,   d_i = qa_i + wa_i (r_i - ql_i)
 *	                                     - qb_i - wb_i (r_i - ql_i)
 *	  SNIPS diff  sum wa r / sum wa - sum wb r / sum wb
 *	  SNDR        (1/n) sum qt_i + sum w_i (r_i - ql_i) / sum w_i
 *	  switch-DR   (1/n) sum qt_i + [t_i / p_i <= tau] (t_i / p_i) (r_i - ql_i)
 *
 * The standard error of a mean (1/n) sum d_i is s_d / sqrt(n) with s_d the
 * sample standard deviation of the d_i: for a difference this uses the
 * pairing, the covariance of the two policies' terms on the same rows.  A
 * ratio of means is linearised (delta method): with m = (1/n) sum w,
 *
 *	  SNIPS diff  psi_i = (wa_i r_i - Va wa_i) / ma - (wb_i r_i - Vb wb_i) / mb
 *	  SNDR        psi_i = qt_i + (w_i e_i - R w_i) / m,  e = r - ql,
 *	                                                    R = sum w e / sum w
 *
 * and se^2 = sum (psi_i - mean psi)^2 / (n (n - 1)); for one SNIPS this is
 * the n / (n - 1) sum (w r - V w)^2 / (sum w)^2 of ope_estimators.c.
 */
#include "uplift.h"

#include "utils/memutils.h"

#include "ope_compare_estimators.h"

void
cmp_options_default(CmpOptions *o)
{
	memset(o, 0, sizeof(*o));
	o->alpha = OPE_DEFAULT_ALPHA;
	o->clip = INFINITY;
	o->tau = INFINITY;
	o->epsilon = 0.0;
	o->min_propensity = 0.0;
	o->n_actions = 0;
	o->baseline = CMP_BASELINE_NO_OFFER;
	o->self_normalized = true;
}

bool
cmp_options_equal(const CmpOptions *a, const CmpOptions *b)
{
	return a->alpha == b->alpha && a->clip == b->clip && a->tau == b->tau &&
		a->epsilon == b->epsilon && a->min_propensity == b->min_propensity &&
		a->n_actions == b->n_actions && a->baseline == b->baseline &&
		a->self_normalized == b->self_normalized;
}

int
cmp_dim(CmpKind kind)
{
	switch (kind)
	{
		case CMP_SNIPS_DIFF:
			return 4;			/* wa, wa r, wb, wb r */
		case CMP_SNDR:
			return 3;			/* qt, w, w e */
		case CMP_ALLOCATION:
			return 8;			/* w, w v, w c, 1 / p, v / p, c / p, v, c */
		default:
			return 1;			/* the row's term */
	}
}

void
cmp_state_init(CmpState *st, CmpKind kind, const CmpOptions *o, MemoryContext cxt)
{
	memset(st, 0, sizeof(*st));
	st->kind = kind;
	st->dim = cmp_dim(kind);
	st->opts = *o;
	st->cxt = cxt;
	cmp_reserve_groups(st, kind == CMP_ALLOCATION ? o->n_actions + 1 : 1);
}

/* Make groups 0..n_groups-1 exist (zeroed when new). */
void
cmp_reserve_groups(CmpState *st, int32 n_groups)
{
	if (n_groups <= st->n_groups)
		return;
	if (n_groups > st->cap_groups)
	{
		int32		cap = Max(n_groups, Max(st->cap_groups * 2, 4));

		cap = Min(cap, CMP_MAX_ACTIONS + 1);
		if (st->cxt == NULL)
			elog(ERROR, "paired off-policy state without a memory context cannot grow");
		if (st->groups == NULL)
		{
			st->groups = MemoryContextAllocZero(st->cxt, cap * sizeof(CmpGroup));
			st->chosen = MemoryContextAllocZero(st->cxt, cap * sizeof(int64));
		}
		else
		{
			st->groups = repalloc(st->groups, cap * sizeof(CmpGroup));
			st->chosen = repalloc(st->chosen, cap * sizeof(int64));
			memset(st->groups + st->cap_groups, 0,
				   (cap - st->cap_groups) * sizeof(CmpGroup));
			memset(st->chosen + st->cap_groups, 0,
				   (cap - st->cap_groups) * sizeof(int64));
		}
		st->cap_groups = cap;
	}
	st->n_groups = n_groups;
}

static void
group_add(CmpGroup *g, int dim, const double *u)
{
	int			k = 0;

	g->n++;
	for (int i = 0; i < dim; i++)
	{
		neumaier_add(&g->s[i], u[i]);
		for (int j = i; j < dim; j++)
			neumaier_add(&g->m[k++], u[i] * u[j]);
	}
}

void
cmp_merge(CmpState *st, const CmpState *other)
{
	int			n_products = st->dim * (st->dim + 1) / 2;

	cmp_reserve_groups(st, other->n_groups);
	for (int g = 0; g < other->n_groups; g++)
	{
		CmpGroup   *into = &st->groups[g];
		const CmpGroup *from = &other->groups[g];

		into->n += from->n;
		for (int i = 0; i < st->dim; i++)
			neumaier_merge(&into->s[i], &from->s[i]);
		for (int k = 0; k < n_products; k++)
			neumaier_merge(&into->m[k], &from->m[k]);
		st->chosen[g] += other->chosen[g];
	}
}

static bool
all_finite(const double *u, int dim)
{
	for (int i = 0; i < dim; i++)
		if (!isfinite(u[i]))
			return false;
	return true;
}

static double
clipped_weight(const CmpOptions *o, double t, double p)
{
	double		w = t / p;

	return w > o->clip ? o->clip : w;
}

bool
cmp_add_diff(CmpState *st, double r, double p, double ta, double tb,
			 double ql, double qa, double qb)
{
	double		wa = clipped_weight(&st->opts, ta, p);
	double		wb = clipped_weight(&st->opts, tb, p);
	double		u[4];

	switch ((CmpKind) st->kind)
	{
		case CMP_IPS_DIFF:
			u[0] = wa * r - wb * r;
			break;
		case CMP_DR_DIFF:
			u[0] = (qa + wa * (r - ql)) - (qb + wb * (r - ql));
			break;
		case CMP_SNIPS_DIFF:
			u[0] = wa;
			u[1] = wa * r;
			u[2] = wb;
			u[3] = wb * r;
			break;
		default:
			elog(ERROR, "unexpected paired estimator kind %d", st->kind);
	}
	if (!all_finite(u, st->dim) || !isfinite(wa) || !isfinite(wb))
		return false;
	group_add(&st->groups[0], st->dim, u);
	return true;
}

bool
cmp_add_dr(CmpState *st, double r, double p, double t, double ql, double qt)
{
	double		u[3];

	if (st->kind == CMP_SNDR)
	{
		double		w = clipped_weight(&st->opts, t, p);

		u[0] = qt;
		u[1] = w;
		u[2] = w * (r - ql);
	}
	else
	{
		double		w = t / p;

		u[0] = qt + (w <= st->opts.tau ? w * (r - ql) : 0.0);
	}
	if (!all_finite(u, st->dim))
		return false;
	group_add(&st->groups[0], st->dim, u);
	return true;
}

void
cmp_add_ate(CmpState *st, int32 action, double y)
{
	cmp_reserve_groups(st, action + 1);
	group_add(&st->groups[action], 1, &y);
}

/*
 * The deployed allocation's policy, as uplift_explore draws it
 * (doc/policy.md): q_a = epsilon / (K+1) + (1 - epsilon) [a = chosen],
 * p_a = f + (1 - (K+1) f) q_a.
 */
double
cmp_policy_propensity(const CmpOptions *o, int32 action, int32 chosen)
{
	double		n_arms = o->n_actions + 1;
	double		q = o->epsilon / n_arms + (action == chosen ? 1.0 - o->epsilon : 0.0);

	return o->min_propensity + (1.0 - n_arms * o->min_propensity) * q;
}

bool
cmp_add_allocation(CmpState *st, int32 action, double p, int32 chosen,
				   double value, double cost)
{
	double		w = clipped_weight(&st->opts,
								   cmp_policy_propensity(&st->opts, action, chosen), p);
	double		u[8];

	u[0] = w;
	u[1] = w * value;
	u[2] = w * cost;
	u[3] = 1.0 / p;
	u[4] = value / p;
	u[5] = cost / p;
	u[6] = value;
	u[7] = cost;
	if (!all_finite(u, 8))
		return false;
	group_add(&st->groups[action], 8, u);
	st->chosen[chosen]++;
	return true;
}

/* sum a.u and sum (a.u)^2 over the rows of one group, from its moments. */
static void
linear_sums(const CmpGroup *g, int dim, const double *a, double *sum, double *sumsq)
{
	int			k = 0;

	for (int i = 0; i < dim; i++)
	{
		*sum += a[i] * neumaier_value(&g->s[i]);
		for (int j = i; j < dim; j++)
			*sumsq += (i == j ? 1.0 : 2.0) * a[i] * a[j] * neumaier_value(&g->m[k++]);
	}
}

static void
set_normal_interval(OpeResult *res, double alpha)
{
	double		z = normal_quantile(1.0 - alpha / 2.0);

	res->ci_low = res->estimate - z * res->std_error;
	res->ci_high = res->estimate + z * res->std_error;
	res->has_se = true;
}

/*
 * Fill res from an estimate and the sums of the n terms psi_i of its
 * linearisation: se^2 = sum (psi - mean psi)^2 / (n (n - 1)).
 */
static void
finish(OpeResult *res, double estimate, double sum, double sumsq, int64 n,
	   double alpha)
{
	double		var_sum = sumsq - sum * (sum / (double) n);

	res->estimate = estimate;
	res->has_estimate = true;
	res->n = n;
	if (n < 2)
		return;
	if (var_sum < 0.0)
		var_sum = 0.0;
	res->std_error = sqrt(var_sum / (double) (n - 1) / (double) n);
	set_normal_interval(res, alpha);
}

void
cmp_estimate(const CmpState *st, OpeResult *res)
{
	const CmpGroup *g = &st->groups[0];
	double		n = (double) g->n;
	double		a[4];
	double		sum = 0.0,
				sumsq = 0.0;
	double		estimate;

	memset(res, 0, sizeof(*res));
	res->n = g->n;
	if (g->n == 0)
		return;

	switch ((CmpKind) st->kind)
	{
		case CMP_SNIPS_DIFF:
			{
				double		swa = neumaier_value(&g->s[0]);
				double		swb = neumaier_value(&g->s[2]);
				double		va,
							vb;

				if (!(swa > 0.0 && swb > 0.0))
					return;		/* a policy no logged row supports */
				va = neumaier_value(&g->s[1]) / swa;
				vb = neumaier_value(&g->s[3]) / swb;
				a[0] = -va * n / swa;
				a[1] = n / swa;
				a[2] = vb * n / swb;
				a[3] = -n / swb;
				estimate = va - vb;
				break;
			}
		case CMP_SNDR:
			{
				double		sw = neumaier_value(&g->s[1]);
				double		ratio;

				if (!(sw > 0.0))
					return;		/* no row supports the target policy */
				ratio = neumaier_value(&g->s[2]) / sw;
				a[0] = 1.0;
				a[1] = -ratio * n / sw;
				a[2] = n / sw;
				estimate = neumaier_value(&g->s[0]) / n + ratio;
				break;
			}
		default:
			a[0] = 1.0;
			estimate = neumaier_value(&g->s[0]) / n;
			break;
	}
	linear_sums(g, st->dim, a, &sum, &sumsq);
	finish(res, estimate, sum, sumsq, g->n, st->opts.alpha);
}

/* Sample variance of the outcomes of one group (divisor n - 1). */
static double
group_variance(const CmpGroup *g)
{
	double		s = neumaier_value(&g->s[0]);
	double		d = neumaier_value(&g->m[0]) - s * (s / (double) g->n);

	return d > 0.0 ? d / (double) (g->n - 1) : 0.0;
}

/*
 * Difference in means of action "action" and control (action 0), with
 * Neyman's conservative variance s_a^2 / n_a + s_0^2 / n_0 (Imbens and
 * Rubin 2015, ch. 6).
 */
void
cmp_ate(const CmpState *st, int32 action, OpeResult *res)
{
	const CmpGroup *g0 = &st->groups[0];
	const CmpGroup *ga = &st->groups[action];

	memset(res, 0, sizeof(*res));
	res->n = g0->n + ga->n;
	if (g0->n == 0 || ga->n == 0)
		return;
	res->estimate = neumaier_value(&ga->s[0]) / (double) ga->n -
		neumaier_value(&g0->s[0]) / (double) g0->n;
	res->has_estimate = true;
	if (g0->n < 2 || ga->n < 2)
		return;
	res->std_error = sqrt(group_variance(ga) / (double) ga->n +
						  group_variance(g0) / (double) g0->n);
	set_normal_interval(res, st->opts.alpha);
}

/*
 * Share of rows on which the deployed policy takes "action": the mix of
 * actions that the untargeted baseline gives to random rows.
 */
static double
policy_share(const CmpState *st, int32 action, int64 n)
{
	double		share = 0.0;

	for (int32 c = 0; c < st->n_groups; c++)
		share += (double) st->chosen[c] * cmp_policy_propensity(&st->opts, action, c);
	return share / (double) n;
}

/* The baseline's probability of action g (not for the logged baseline). */
static double
baseline_probability(const CmpState *st, int32 g, int64 n)
{
	if (st->opts.baseline == CMP_BASELINE_NO_OFFER)
		return g == 0 ? 1.0 : 0.0;
	return policy_share(st, g, n);
}

/*
 * The allocation as deployed against its baseline, for outcome o = 0 (value)
 * or 1 (cost), on the same rows.  The deployed policy's weight of a row is
 * w_i = pi(a_i | chosen_i) / p_i; a baseline that takes action a with
 * probability b_a (b_a = [a = 0] for no offer, the deployed policy's share of
 * a for untargeted) has weight v_i = b_{a_i} / p_i; the logged policy is the
 * on-policy mean.  With self_normalized (SNIPS, the default) each mean is
 * sum w y / sum w, else (IPS) sum w y / n.  The difference is linearised as
 * for snips_diff:
 *
 *	  psi_i = (w_i y_i - P w_i) / mean(w) - (v_i y_i - B v_i) / mean(v)
 *
 * (IPS: psi_i = w_i y_i - v_i y_i; logged baseline: second term y_i - B).
 */
void
cmp_allocation(const CmpState *st, int outcome, CmpComparison *res)
{
	bool		sn = st->opts.self_normalized;
	bool		logged = st->opts.baseline == CMP_BASELINE_LOGGED;
	int			wy = 1 + outcome,		/* w y */
				bw = logged ? -1 : 3,	/* the baseline's weight per b: 1 / p */
				by = logged ? 6 + outcome : 4 + outcome;	/* its y per b */
	double	   *b = palloc(sizeof(double) * st->n_groups);
	int64		n = 0;
	double		sw = 0.0,
				swy = 0.0,
				sb = 0.0,
				sby = 0.0,
				mw,
				mb,
				sum = 0.0,
				sumsq = 0.0;

	memset(res, 0, sizeof(*res));
	for (int32 g = 0; g < st->n_groups; g++)
		n += st->groups[g].n;
	res->diff.n = n;
	if (n == 0)
		return;

	for (int32 g = 0; g < st->n_groups; g++)
	{
		const CmpGroup *grp = &st->groups[g];

		b[g] = logged ? 1.0 : baseline_probability(st, g, n);
		sw += neumaier_value(&grp->s[0]);
		swy += neumaier_value(&grp->s[wy]);
		sb += b[g] * (logged ? (double) grp->n : neumaier_value(&grp->s[bw]));
		sby += b[g] * neumaier_value(&grp->s[by]);
	}
	mw = sn ? sw / (double) n : 1.0;
	mb = sn ? sb / (double) n : 1.0;
	if (!(mw > 0.0 && mb > 0.0))
		return;					/* no logged row supports one of the policies */
	res->policy = swy / (double) n / mw;
	res->baseline = sby / (double) n / mb;

	/* psi_i = a_g . u_i; constants do not change its variance */
	for (int32 g = 0; g < st->n_groups; g++)
	{
		double		a[8] = {0};

		a[wy] = 1.0 / mw;
		a[by] = -b[g] / mb;
		if (sn)
		{
			a[0] = -res->policy / mw;
			if (!logged)
				a[bw] = b[g] * res->baseline / mb;
		}
		linear_sums(&st->groups[g], 8, a, &sum, &sumsq);
	}
	pfree(b);
	finish(&res->diff, res->policy - res->baseline, sum, sumsq, n, st->opts.alpha);
}
