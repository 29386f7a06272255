/*
 * ope_estimators.c
 *	  Arithmetic of the off-policy estimators: per-row contributions, their
 *	  compensated sums, the normal and bootstrap intervals, and the overlap
 *	  diagnostics.  No SQL here; ope.c is the glue.
 *
 * For a logged row with reward r, logged propensity p, target propensity t
 * the importance weight is w = min(t / p, clip) (clip = +inf unless given,
 * as lambda_ in Open Bandit Pipeline).  With n rows:
 *
 *	  IPS    V = (1/n) sum c_i,            c_i = w_i r_i
 *	  DR     V = (1/n) sum c_i,            c_i = qt_i + w_i (r_i - ql_i)
 *	  SNIPS  V = sum w_i r_i / sum w_i
 *
 * Normal intervals: for IPS and DR the standard error is s / sqrt(n) with s
 * the sample standard deviation of the c_i; for SNIPS the delta method gives
 *
 *	  se^2 = n / (n - 1) * sum (w_i r_i - V w_i)^2 / (sum w_i)^2
 *
 * and sum (w r - V w)^2 = sum (wr)^2 - 2 V sum w (wr) + V^2 sum w^2.  The
 * interval is V -/+ z_{1-alpha/2} se.  Every sum is Neumaier-compensated,
 * so the state is constant-size and partial states merge exactly.
 */
#include "uplift.h"

#include "common/pg_prng.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/memutils.h"

#include "ope_estimators.h"

void
ope_options_default(OpeOptions *opts)
{
	memset(opts, 0, sizeof(*opts));
	opts->alpha = OPE_DEFAULT_ALPHA;
	opts->clip = INFINITY;
	opts->ci = OPE_CI_NORMAL;
	opts->n_boot = OPE_DEFAULT_N_BOOT;
	opts->seed = 0;
	opts->floor = OPE_DEFAULT_FLOOR;
	opts->min_ess_share = OPE_DEFAULT_MIN_ESS_SHARE;
	opts->max_weight_share = OPE_DEFAULT_MAX_WEIGHT_SHARE;
	opts->mean_tolerance = OPE_DEFAULT_MEAN_TOLERANCE;
}

bool
ope_options_equal(const OpeOptions *a, const OpeOptions *b)
{
	return a->alpha == b->alpha && a->clip == b->clip && a->ci == b->ci &&
		a->n_boot == b->n_boot && a->seed == b->seed &&
		a->floor == b->floor && a->min_ess_share == b->min_ess_share &&
		a->max_weight_share == b->max_weight_share &&
		a->mean_tolerance == b->mean_tolerance;
}

void
ope_state_init(OpeState *st, OpeKind kind, const OpeOptions *opts,
			   MemoryContext rows_cxt)
{
	memset(st, 0, sizeof(*st));
	st->kind = kind;
	st->opts = *opts;
	st->max_w = 0.0;
	st->min_logged = INFINITY;
	st->rows_cxt = rows_cxt;
}

int64
ope_rows_capacity(const OpeState *st, int64 more)
{
	int			stride = ope_row_stride(st);
	int64		need = st->n_rows + more;
	int64		cap;

	if (stride == 0 || need <= st->cap_rows)
		return st->cap_rows;
	if (need > OPE_MAX_ROW_DOUBLES / stride)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("too many rows for the bootstrap interval"),
				 errdetail("The bootstrap keeps every row; at most " INT64_FORMAT " rows fit in one group.",
						   OPE_MAX_ROW_DOUBLES / stride),
				 errhint("Use the normal interval (the default), which keeps no rows.")));
	cap = Max(need, Max(st->cap_rows * 2, 1024));
	return Min(cap, OPE_MAX_ROW_DOUBLES / stride);
}

static void
ope_reserve_rows(OpeState *st, int64 more)
{
	int			stride = ope_row_stride(st);
	int64		cap = ope_rows_capacity(st, more);

	if (cap == st->cap_rows)
		return;
	if (st->rows_cxt == NULL)
		elog(ERROR, "off-policy state without a memory context cannot grow");
	if (st->rows == NULL)
		st->rows = MemoryContextAllocHuge(st->rows_cxt, cap * stride * sizeof(double));
	else
		st->rows = repalloc_huge(st->rows, cap * stride * sizeof(double));
	st->cap_rows = cap;
}

bool
ope_add(OpeState *st, double reward, double logged, double target,
		double q_logged, double q_target)
{
	double		w = target / logged;
	double		c;

	if (unlikely(isinf(w)))
		return false;

	if (w > st->opts.clip)
	{
		w = st->opts.clip;
		st->n_clipped++;
	}
	st->n++;

	switch ((OpeKind) st->kind)
	{
		case OPE_IPS:
			c = w * reward;
			if (unlikely(isinf(c)))
				return false;
			neumaier_add(&st->s_c, c);
			neumaier_add(&st->s_cc, c * c);
			break;
		case OPE_SNIPS:
			c = w * reward;
			if (unlikely(isinf(c)))
				return false;
			neumaier_add(&st->s_w, w);
			neumaier_add(&st->s_ww, w * w);
			neumaier_add(&st->s_c, c);
			neumaier_add(&st->s_cc, c * c);
			neumaier_add(&st->s_wc, w * c);
			break;
		case OPE_DR:
			c = q_target + w * (reward - q_logged);
			if (unlikely(isinf(c)))
				return false;
			neumaier_add(&st->s_c, c);
			neumaier_add(&st->s_cc, c * c);
			break;
		case OPE_OVERLAP:
			c = 0.0;
			neumaier_add(&st->s_w, w);
			neumaier_add(&st->s_ww, w * w);
			if (w > st->max_w)
				st->max_w = w;
			if (logged < st->min_logged)
				st->min_logged = logged;
			if (logged < st->opts.floor)
				st->n_below_floor++;
			break;
		default:
			elog(ERROR, "unknown off-policy estimator kind %d", st->kind);
			return false;
	}

	if (st->opts.ci == OPE_CI_BOOTSTRAP && st->kind != OPE_OVERLAP)
	{
		int			stride = ope_row_stride(st);

		ope_reserve_rows(st, 1);
		if (stride == 2)
		{
			st->rows[2 * st->n_rows] = w;
			st->rows[2 * st->n_rows + 1] = c;
		}
		else
			st->rows[st->n_rows] = c;
		st->n_rows++;
	}
	return true;
}

void
ope_merge(OpeState *st, const OpeState *other)
{
	int			stride = ope_row_stride(st);

	st->n += other->n;
	st->n_clipped += other->n_clipped;
	st->n_below_floor += other->n_below_floor;
	st->max_w = Max(st->max_w, other->max_w);
	st->min_logged = Min(st->min_logged, other->min_logged);
	neumaier_merge(&st->s_w, &other->s_w);
	neumaier_merge(&st->s_ww, &other->s_ww);
	neumaier_merge(&st->s_c, &other->s_c);
	neumaier_merge(&st->s_cc, &other->s_cc);
	neumaier_merge(&st->s_wc, &other->s_wc);
	if (stride > 0 && other->n_rows > 0)
	{
		ope_reserve_rows(st, other->n_rows);
		memcpy(st->rows + st->n_rows * stride, other->rows,
			   other->n_rows * stride * sizeof(double));
		st->n_rows += other->n_rows;
	}
}

/*
 * Sum of squared deviations from the mean, from compensated sums; >= 0, or
 * +inf when the sum of squares overflowed (never the 0 that inf - inf
 * would clamp to).
 */
static double
centered_square_sum(const NeumaierSum *s, const NeumaierSum *ss, int64 n)
{
	double		sum = neumaier_value(s);
	double		d;

	if (!isfinite(neumaier_value(ss)))
		return INFINITY;
	d = neumaier_value(ss) - sum * (sum / (double) n);
	return d > 0.0 ? d : 0.0;
}

static int
cmp_double(const void *a, const void *b)
{
	double		x = *(const double *) a;
	double		y = *(const double *) b;

	return (x > y) - (x < y);
}

static int
cmp_pair(const void *a, const void *b)
{
	const double *x = (const double *) a;
	const double *y = (const double *) b;

	if (x[0] != y[0])
		return (x[0] > y[0]) - (x[0] < y[0]);
	return (x[1] > y[1]) - (x[1] < y[1]);
}

/* Type-7 (linear interpolation) quantile of sorted x[0..n-1], as numpy's. */
static double
sorted_quantile(const double *x, int n, double p)
{
	double		h = (n - 1) * p;
	int			lo = (int) floor(h);

	if (lo >= n - 1)
		return x[n - 1];
	return x[lo] + (h - lo) * (x[lo + 1] - x[lo]);
}

/*
 * Percentile bootstrap: n_boot resamples of the rows with replacement,
 * drawn with PostgreSQL's pg_prng seeded by the "seed" option.  The rows
 * are sorted first, so the result depends on the multiset of rows and the
 * seed only, not on the order in which rows arrived (or on a parallel plan).
 * Sums inside one replicate are plain doubles: their rounding is far below
 * the resampling noise.  Cost: n * n_boot random draws.
 */
static void
bootstrap_interval(OpeState *st, OpeResult *res)
{
	int			stride = ope_row_stride(st);
	int64		n = st->n_rows;
	int			n_boot = st->opts.n_boot;
	double	   *est = palloc(sizeof(double) * n_boot);
	int			n_ok = 0;
	pg_prng_state rng;
	double		mean = 0.0,
				m2 = 0.0;

	/* sorting only reorders the kept rows: the state's meaning is unchanged */
	qsort(st->rows, n, stride * sizeof(double), stride == 2 ? cmp_pair : cmp_double);
	pg_prng_seed(&rng, (uint64) st->opts.seed);

	for (int b = 0; b < n_boot; b++)
	{
		double		sum_c = 0.0,
					sum_w = 0.0;

		CHECK_FOR_INTERRUPTS();
		for (int64 i = 0; i < n; i++)
		{
			int64		j = (int64) pg_prng_uint64_range(&rng, 0, (uint64) (n - 1));

			if (stride == 2)
			{
				sum_w += st->rows[2 * j];
				sum_c += st->rows[2 * j + 1];
			}
			else
				sum_c += st->rows[j];
		}
		if (stride == 2)
		{
			if (sum_w > 0.0)
				est[n_ok++] = sum_c / sum_w;
		}
		else
			est[n_ok++] = sum_c / (double) n;
	}

	for (int b = 0; b < n_ok; b++)
		if (!isfinite(est[b]))
		{
			/* a replicate's plain sum overflowed: no interval */
			res->se_overflow = true;
			n_ok = 0;
		}
	if (n_ok < 2)
	{
		res->has_se = false;
		pfree(est);
		return;
	}
	/* Welford's running mean and variance of the replicates */
	for (int b = 0; b < n_ok; b++)
	{
		double		d = est[b] - mean;

		mean += d / (b + 1);
		m2 += d * (est[b] - mean);
	}
	qsort(est, n_ok, sizeof(double), cmp_double);
	res->std_error = sqrt(m2 / (n_ok - 1));
	res->ci_low = sorted_quantile(est, n_ok, st->opts.alpha / 2.0);
	res->ci_high = sorted_quantile(est, n_ok, 1.0 - st->opts.alpha / 2.0);
	res->has_se = true;
	pfree(est);
}

void
ope_estimate(OpeState *st, OpeResult *res)
{
	int64		n = st->n;
	double		var_sum;		/* sum of squared centred contributions */

	memset(res, 0, sizeof(*res));
	res->n = n;
	if (n == 0)
		return;

	if (st->kind == OPE_SNIPS)
	{
		double		sw = neumaier_value(&st->s_w);
		double		v;

		if (!isfinite(sw))
		{
			res->estimate_overflow = true;
			return;
		}
		if (!(sw > 0.0))
			return;				/* no row supports the target policy */
		v = neumaier_value(&st->s_c) / sw;
		res->estimate = v;
		var_sum = neumaier_value(&st->s_cc) - 2.0 * v * neumaier_value(&st->s_wc)
			+ v * v * neumaier_value(&st->s_ww);
		if (isnan(var_sum))
			var_sum = INFINITY;	/* inf - inf: the squares overflowed */
		if (var_sum < 0.0)
			var_sum = 0.0;
		if (n >= 2)
			res->std_error = sqrt((double) n / (double) (n - 1) * var_sum) / sw;
	}
	else
	{
		res->estimate = neumaier_value(&st->s_c) / (double) n;
		var_sum = centered_square_sum(&st->s_c, &st->s_cc, n);
		if (n >= 2)
			res->std_error = sqrt(var_sum / (double) (n - 1) / (double) n);
	}
	res->has_estimate = true;
	if (!isfinite(res->estimate))
	{
		res->estimate_overflow = true;
		return;
	}

	if (st->opts.ci == OPE_CI_BOOTSTRAP)
		bootstrap_interval(st, res);
	else if (n >= 2)
	{
		double		z = normal_quantile(1.0 - st->opts.alpha / 2.0);

		res->ci_low = res->estimate - z * res->std_error;
		res->ci_high = res->estimate + z * res->std_error;
		res->has_se = true;
	}

	/* an interval that is not finite is not reported (NULL, and a warning) */
	if (res->has_se &&
		!(isfinite(res->std_error) && isfinite(res->ci_low) && isfinite(res->ci_high)))
	{
		res->has_se = false;
		res->se_overflow = true;
	}
}

static void
add_warning(OpeOverlap *res, const char *fmt,...) pg_attribute_printf(2, 3);

static void
add_warning(OpeOverlap *res, const char *fmt,...)
{
	StringInfoData buf;
	va_list		args;

	if (res->n_warnings >= (int) lengthof(res->warnings))
		return;
	initStringInfo(&buf);
	for (;;)
	{
		int			needed;

		va_start(args, fmt);
		needed = appendStringInfoVA(&buf, fmt, args);
		va_end(args);
		if (needed == 0)
			break;
		enlargeStringInfo(&buf, needed);
	}
	res->warnings[res->n_warnings++] = buf.data;
}

/*
 * Overlap diagnostics.  Kish's effective sample size is
 * (sum w)^2 / sum w^2: the number of equally weighted rows that would give
 * the same variance of a weighted mean.  Warnings, in plain words, when
 * a logged propensity is below the floor, when ESS / n is below
 * min_ess_share, when one row carries more than max_weight_share of the
 * total weight, or when the mean weight is more than mean_tolerance away
 * from 1 (its expectation when the logged propensities are right and the
 * target propensities of each row sum to 1 over the actions).
 */
void
ope_overlap(const OpeState *st, OpeOverlap *res)
{
	const OpeOptions *o = &st->opts;
	double		sw = neumaier_value(&st->s_w);
	double		sww = neumaier_value(&st->s_ww);

	memset(res, 0, sizeof(*res));
	res->n = st->n;
	res->sum_w = sw;
	res->mean_w = st->n > 0 ? sw / (double) st->n : 0.0;
	res->max_w = st->max_w;
	res->ess = sww > 0.0 ? sw * (sw / sww) : 0.0;
	res->overflow = !isfinite(sw) || !isfinite(sww);
	res->ess_share = st->n > 0 ? res->ess / (double) st->n : 0.0;
	res->min_logged = st->min_logged;
	res->share_below_floor = st->n > 0 ? (double) st->n_below_floor / (double) st->n : 0.0;
	res->n_clipped = st->n_clipped;

	if (res->overflow)
		add_warning(res, "the weights are too large for double precision sums: ess and ess_share (and sum_weight and mean_weight if the weights' own sum overflows) are NULL; clip the weights");
	if (st->n_below_floor > 0)
		add_warning(res, INT64_FORMAT " of " INT64_FORMAT " rows (%.3g%%) have a logged propensity below %g (smallest %g): their weights are large and the estimate leans on them; check the logging or clip the weights",
					st->n_below_floor, st->n, 100.0 * res->share_below_floor,
					o->floor, st->min_logged);
	if (sww > 0.0 && res->ess_share < o->min_ess_share)
		add_warning(res, "the effective sample size is %.1f of " INT64_FORMAT " rows (%.3g%%): a few rows dominate the estimate; clip the weights or evaluate a policy closer to the logging policy",
					res->ess, st->n, 100.0 * res->ess_share);
	if (sw > 0.0 && st->max_w / sw > o->max_weight_share)
		add_warning(res, "one row carries %.3g%% of the total weight (weight %.6g): the estimate depends on that row",
					100.0 * st->max_w / sw, st->max_w);
	if (st->n > 0 && fabs(res->mean_w - 1.0) > o->mean_tolerance)
		add_warning(res, "the mean weight is %.4g, not about 1: the logged propensities may be wrong, or the target propensities do not sum to 1 over the actions of a row",
					res->mean_w);
}

/*
 * The standard normal quantile: Wichura, M. J. (1988), Algorithm AS 241,
 * "The percentage points of the normal distribution", Applied Statistics
 * 37(3): 477-484 (PPND16, about 1e-16 relative accuracy).
 */
double
normal_quantile(double p)
{
	double		q = p - 0.5;
	double		r,
				x;

	if (fabs(q) <= 0.425)
	{
		r = 0.180625 - q * q;
		return q * (((((((2.5090809287301226727e+3 * r +
						  3.3430575583588128105e+4) * r +
						 6.7265770927008700853e+4) * r +
						4.5921953931549871457e+4) * r +
					   1.3731693765509461125e+4) * r +
					  1.9715909503065514427e+3) * r +
					 1.3314166789178437745e+2) * r +
					3.3871328727963666080e+0) /
			(((((((5.2264952788528545610e+3 * r +
				   2.8729085735721942674e+4) * r +
				  3.9307895800092710610e+4) * r +
				 2.1213794301586595867e+4) * r +
				5.3941960214247511077e+3) * r +
			   6.8718700749205790830e+2) * r +
			  4.2313330701600911252e+1) * r + 1.0);
	}
	r = q <= 0.0 ? p : 1.0 - p;
	r = sqrt(-log(r));
	if (r <= 5.0)
	{
		r -= 1.6;
		x = (((((((7.7454501427834140764e-4 * r +
				   2.2723844989269184583e-2) * r +
				  2.4178072517745061177e-1) * r +
				 1.2704582524523683826e+0) * r +
				3.6478483247632046050e+0) * r +
			   5.7694972214606914055e+0) * r +
			  4.6303378461565452959e+0) * r +
			 1.4234371107496835773e+0) /
			(((((((1.0507500716444168432e-9 * r +
				   5.4759380849953449460e-4) * r +
				  1.5198666563616457197e-2) * r +
				 1.4810397642748007459e-1) * r +
				6.8976733498510000455e-1) * r +
			   1.6763848301838038494e+0) * r +
			  2.0531916266377588219e+0) * r + 1.0);
	}
	else
	{
		r -= 5.0;
		x = (((((((2.0103343992922881327e-7 * r +
				   2.7115555687434875782e-5) * r +
				  1.2426609473880784386e-3) * r +
				 2.6532189526576123093e-2) * r +
				2.9656057182850489123e-1) * r +
			   1.7848265399172913358e+0) * r +
			  5.4637849111641143699e+0) * r +
			 6.6579046435011037772e+0) /
			(((((((2.0442631033899397856e-15 * r +
				   1.4215117583164458887e-7) * r +
				  1.8463183175100546818e-5) * r +
				 7.8686913114561325910e-4) * r +
				1.4875361290850614853e-2) * r +
			   1.3692988092273580531e-1) * r +
			  5.9983220655588793769e-1) * r + 1.0);
	}
	return q < 0.0 ? -x : x;
}
