/*
 * learners.c
 *	  T-learner and S-learner over logistic or linear bases (see learners.h).
 *
 *	  t_learner  one model per arm a = 0..K on that arm's rows, z = x;
 *	             effect_k(x) = g(eta_k(x)) - g(eta_0(x)).
 *	  s_learner  one model on all rows over z = uplift_s_design(x, a): the
 *	             features, an indicator per action 1..K and (unless
 *	             interactions is off) the action-by-feature products;
 *	             effect_k(x) = g(eta(x, k)) - g(eta(x, 0)).
 *
 * Every coefficient but the intercept carries the l2 penalty, the action
 * indicators included (as in causalml's BaseSClassifier).
 *
 * Weighting (rows given a propensity): a row of arm a weighs
 * (1/p_i) / mean over arm a of (1/p_j), so the weights of each arm average 1
 * and the penalty keeps its meaning per row; an arm whose propensities are
 * all equal gets weight exactly 1, and the fit equals the unweighted one.
 */
#include "postgres.h"

#include <math.h>

#include "lib/stringinfo.h"
#include "miscadmin.h"

#include "learners.h"
#include "linear.h"
#include "logistic.h"
#include "uplift.h"

/* The s_learner design over all arms, built block by block. */
typedef struct SDesignSource
{
	RowSource	base;
	const TrainBuf *buf;
	const UpliftModel *model;
	const ArmWeights *aw;
	TileCursor	cur;
	double	   *xrow;			/* p */
	double	   *zrow;			/* d */
	double	   *zcols;			/* d columns of ROWBLOCK_ROWS */
	const double **cols;
} SDesignSource;

static bool
sdesign_next(RowSource *s, RowBlock *blk)
{
	SDesignSource *src = (SDesignSource *) s;
	const TrainBuf *buf = src->buf;
	int			p = buf->p;
	int			d = s->d;
	const TrainChunk *c;
	int32		start;
	int32		n;
	int32		arm;

	if (!trainbuf_cursor_next(&src->cur, &c, &start, &n))
		return false;
	arm = src->cur.arm;
	for (int32 i = 0; i < n; i++)
	{
		for (int j = 0; j < p; j++)
			src->xrow[j] = TRAINBUF_X(c, p, buf->tile, start + i, j);
		uplift_s_design(src->model, src->xrow, arm, src->zrow);
		for (int j = 0; j < d; j++)
			src->zcols[(Size) j * ROWBLOCK_ROWS + i] = src->zrow[j];
	}
	blk->n = n;
	blk->col = src->cols;
	blk->y = c->y + start;
	blk->w = src->aw[arm].use ? c->w + start : NULL;
	blk->wscale = src->aw[arm].scale;
	return true;
}

static void
sdesign_rewind(RowSource *s, int stride)
{
	SDesignSource *src = (SDesignSource *) s;

	trainbuf_cursor_start(&src->cur, src->buf, NULL, stride);
}

static void
sdesign_source(SDesignSource *src, const TrainBuf *buf, const UpliftModel *m,
			   const ArmWeights *aw)
{
	int			d = uplift_s_design_len(m->n_features, m->n_actions, m->interactions);

	memset(src, 0, sizeof(SDesignSource));
	src->base.d = d;
	src->base.nrows = buf->nrows;
	src->base.next = sdesign_next;
	src->base.rewind = sdesign_rewind;
	src->buf = buf;
	src->model = m;
	src->aw = aw;
	src->xrow = palloc(Max(buf->p, 1) * sizeof(double));
	src->zrow = palloc(Max(d, 1) * sizeof(double));
	src->zcols = palloc((Size) Max(d, 1) * ROWBLOCK_ROWS * sizeof(double));
	src->cols = palloc(Max(d, 1) * sizeof(double *));
	for (int j = 0; j < d; j++)
		src->cols[j] = src->zcols + (Size) j * ROWBLOCK_ROWS;
	sdesign_rewind(&src->base, 1);
}

/* Sum of the column over an arm, with compensation. */
static double
arm_sum(const TrainArm *arm, bool weights)
{
	NeumaierSum s = {0, 0};

	for (const TrainChunk *c = arm->head; c != NULL; c = c->next)
	{
		const double *v = weights ? c->w : c->y;
		double		b = 0.0;

		CHECK_FOR_INTERRUPTS();
		for (int32 i = 0; i < c->nrows; i++)
			b += v[i];
		neumaier_add(&s, b);
	}
	return neumaier_value(&s);
}

/* Weighted outcome mean of an arm. */
static double
arm_mean(const TrainArm *arm, const ArmWeights *aw)
{
	NeumaierSum sy = {0, 0};
	NeumaierSum sw = {0, 0};

	if (!aw->use)
		return arm_sum(arm, false) / (double) arm->nrows;
	for (const TrainChunk *c = arm->head; c != NULL; c = c->next)
	{
		double		by = 0.0;
		double		bw = 0.0;

		CHECK_FOR_INTERRUPTS();
		for (int32 i = 0; i < c->nrows; i++)
		{
			by += c->w[i] * c->y[i];
			bw += c->w[i];
		}
		neumaier_add(&sy, by);
		neumaier_add(&sw, bw);
	}
	return neumaier_value(&sy) / neumaier_value(&sw);
}

static void
check_arms(const TrainBuf *buf, int32 K)
{
	if (buf->nrows == 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("uplift_fit needs at least one row"),
				 errhint("Check the query's WHERE clause.")));
	if (K < 1)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("treatment of uplift_fit is 0 on every row"),
				 errdetail("An uplift model needs control rows (treatment 0) and treated rows (treatment 1 or more)."),
				 errhint("Check the treatment column.")));
	for (int32 a = 0; a <= K; a++)
		if (buf->arms[a].nrows == 0)
			ereport(ERROR,
					(errcode(ERRCODE_DATA_EXCEPTION),
					 errmsg("treatment %d of uplift_fit has no rows", a),
					 errdetail("Treatments must be numbered 0 (control) to %d without gaps, and each needs rows.", K),
					 errhint("Renumber the actions so that 0..K all occur.")));
}

/* The fewest significant digits (15 to 17) that read back as x. */
static int
round_trip_digits(double x)
{
	char		text[64];

	for (int digits = 15; digits < 17; digits++)
	{
		snprintf(text, sizeof(text), "%.*g", digits, x);
		if (strtod(text, NULL) == x)
			return digits;
	}
	return 17;
}

static char *
options_json(const LearnSettings *s, int32 base)
{
	StringInfoData b;

	initStringInfo(&b);
	appendStringInfo(&b, "{\"learner\": \"%s\", \"base\": \"%s\", \"l2\": %.17g",
					 uplift_learner_name(s->learner), uplift_base_name(base), s->l2);
	if (base == UPLIFT_BASE_LOGISTIC)
		appendStringInfo(&b, ", \"max_iter\": %d, \"tol\": %.17g", s->max_iter, s->tol);
	if (s->learner == UPLIFT_LEARNER_S)
		appendStringInfo(&b, ", \"interactions\": %s", s->interactions ? "true" : "false");
	if (s->min_propensity > 0)
		appendStringInfo(&b, ", \"min_propensity\": %.*g",
						 round_trip_digits(s->min_propensity), s->min_propensity);
	appendStringInfo(&b, ", \"seed\": " INT64_FORMAT "}", s->seed);
	return b.data;
}

void
uplift_fit_head(RowSource *src, const LearnSettings *s, int32 base,
				UpliftHead *head, const char *what)
{
	if (base == UPLIFT_BASE_LOGISTIC)
	{
		head->link = UPLIFT_LINK_LOGIT;
		logistic_fit(src, s->l2, s->max_iter, s->tol, head, what);
	}
	else
	{
		head->link = UPLIFT_LINK_IDENTITY;
		linear_fit(src, s->l2, head, what);
	}
}

/*
 * The weights 1/propensity of an arm must have a finite sum: each is finite
 * (trainbuf_append checks), but many huge ones overflow, and the per-arm
 * normalisation would then silently weigh every row 0.
 */
static void
check_weight_total(double total, int32 action)
{
	if (!isfinite(total))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("propensity of uplift_fit is too small: the weights 1/propensity of treatment %d sum beyond double precision", action),
				 errhint("Clip small propensities with option \"min_propensity\" (for example 0.001), or repair the logged propensities.")));
}

/* One arm's moments: weight total, means of (x, y), centred co-moment. */
typedef struct ArmStats
{
	double		w;
	double	   *mean;			/* p + 1 */
	double	   *c;				/* (p + 1) x (p + 1) */
} ArmStats;

/*
 * Linear heads from the per-arm moments of a moments buffer.  Weights are
 * normalised per arm as for rows (scaling an arm's co-moment by
 * rows / weight total).  For the s_learner the design z = A_a x + b_a is
 * affine in x within arm a, so the centred Gram matrix of z over all rows is
 *	  sum_a [A_a Cxx_a A_a' + w_a (zbar_a - zbar)(zbar_a - zbar)'],
 * and its cross-product with y likewise; A_a and b_a are read off
 * uplift_s_design.
 */
static void
learn_from_moments(const TrainBuf *buf, const LearnSettings *s, UpliftModel *m)
{
	int			p = buf->p;
	int			q = p + 1;
	int32		K = m->n_actions;
	ArmStats   *st = palloc((K + 1) * sizeof(ArmStats));

	for (int32 a = 0; a <= K; a++)
	{
		double		f;

		st[a].mean = palloc(q * sizeof(double));
		st[a].c = palloc((Size) q * q * sizeof(double));
		st[a].w = trainbuf_arm_moments(buf, a, st[a].mean, st[a].c);
		check_weight_total(st[a].w, a);
		f = buf->weighted ? (double) buf->arms[a].nrows / st[a].w : 1.0;
		st[a].w *= f;
		for (int j = 0; j < q * q; j++)
			st[a].c[j] *= f;
		m->arm_rows[a] = buf->arms[a].nrows;
		m->arm_outcome_mean[a] = st[a].mean[p];
	}

	if (s->learner == UPLIFT_LEARNER_T)
	{
		double	   *g = palloc((Size) Max(p, 1) * p * sizeof(double));
		double	   *r = palloc(Max(p, 1) * sizeof(double));

		m->n_heads = K + 1;
		m->heads = palloc0((K + 1) * sizeof(UpliftHead));
		for (int32 a = 0; a <= K; a++)
		{
			char		what[64];

			snprintf(what, sizeof(what), "treatment %d", a);
			for (int j = 0; j < p; j++)
			{
				for (int k = 0; k < p; k++)
					g[j * p + k] = st[a].c[j * q + k];
				r[j] = st[a].c[j * q + p];
			}
			m->heads[a].role = UPLIFT_HEAD_OUTCOME;
			m->heads[a].action = a;
			linear_fit_moments(p, g, r, st[a].mean, st[a].mean[p], s->l2,
							   buf->arms[a].nrows, &m->heads[a], what);
		}
	}
	else
	{
		int			d = uplift_s_design_len(p, K, m->interactions);
		double	   *g = palloc0((Size) d * d * sizeof(double));
		double	   *r = palloc0(d * sizeof(double));
		double	   *zbar = palloc0(d * sizeof(double));
		double	   *zbar_a = palloc((Size) (K + 1) * d * sizeof(double));
		double	   *amat = palloc((Size) d * Max(p, 1) * sizeof(double));
		double	   *ac = palloc((Size) d * Max(p, 1) * sizeof(double));
		double	   *x = palloc0(Max(p, 1) * sizeof(double));
		double	   *z = palloc(d * sizeof(double));
		double		w = 0.0;
		double		ybar = 0.0;

		for (int32 a = 0; a <= K; a++)
		{
			uplift_s_design(m, st[a].mean, a, zbar_a + (Size) a * d);
			w += st[a].w;
			ybar += st[a].w * st[a].mean[p];
			for (int i = 0; i < d; i++)
				zbar[i] += st[a].w * zbar_a[(Size) a * d + i];
		}
		ybar /= w;
		for (int i = 0; i < d; i++)
			zbar[i] /= w;

		for (int32 a = 0; a <= K; a++)
		{
			const double *za = zbar_a + (Size) a * d;
			double	   *b = palloc(d * sizeof(double));

			CHECK_FOR_INTERRUPTS();
			/* A_a: column j is design(e_j) - design(0) */
			memset(x, 0, p * sizeof(double));
			uplift_s_design(m, x, a, b);
			for (int j = 0; j < p; j++)
			{
				x[j] = 1.0;
				uplift_s_design(m, x, a, z);
				x[j] = 0.0;
				for (int i = 0; i < d; i++)
					amat[(Size) i * p + j] = z[i] - b[i];
			}
			/* ac = A_a Cxx_a (d x p) */
			for (int i = 0; i < d; i++)
				for (int k = 0; k < p; k++)
				{
					double		t = 0.0;

					for (int j = 0; j < p; j++)
						t += amat[(Size) i * p + j] * st[a].c[j * q + k];
					ac[(Size) i * p + k] = t;
				}
			for (int i = 0; i < d; i++)
			{
				double		di = za[i] - zbar[i];
				double		t = 0.0;

				for (int k = 0; k < d; k++)
				{
					double		u = 0.0;

					for (int j = 0; j < p; j++)
						u += ac[(Size) i * p + j] * amat[(Size) k * p + j];
					g[(Size) i * d + k] += u + st[a].w * di * (za[k] - zbar[k]);
				}
				for (int j = 0; j < p; j++)
					t += amat[(Size) i * p + j] * st[a].c[j * q + p];
				r[i] += t + st[a].w * di * (st[a].mean[p] - ybar);
			}
			pfree(b);
		}
		m->n_heads = 1;
		m->heads = palloc0(sizeof(UpliftHead));
		m->heads[0].role = UPLIFT_HEAD_JOINT;
		m->heads[0].action = -1;
		linear_fit_moments(d, g, r, zbar, ybar, s->l2, buf->nrows, &m->heads[0],
						   "the s_learner model");
	}
}

/*
 * Every number of a fitted model is finite, or the fit overflowed: an error
 * that says so rather than the internal error of the model's validation.
 * (The solvers catch overflow first and name the input; this is the net.)
 */
static void
check_finite(const UpliftModel *m)
{
	bool		ok = linear_all_finite(m->arm_outcome_mean, m->n_actions + 1);

	for (int32 h = 0; ok && h < m->n_heads; h++)
		ok = linear_all_finite(m->heads[h].coef, m->heads[h].n_coef);
	if (ok && m->mix != NULL)
		ok = linear_all_finite(m->mix, m->n_actions);
	if (!ok)
		linear_overflow_error(NULL, "outcome", "the model");
}

UpliftModel *
uplift_learn(const TrainBuf *buf, const LearnSettings *s)
{
	int32		K = trainbuf_max_action(buf);
	int32		base;
	UpliftModel *m;
	ArmWeights *aw;

	check_arms(buf, K);
	if (s->learner == UPLIFT_LEARNER_S)
		linear_check_columns((int64) uplift_s_design_len(buf->p, K, s->interactions) + 1,
							 buf->p, "the s_learner design of");
	base = uplift_learner_base(buf, s, K);
	if (base == UPLIFT_BASE_LOGISTIC && !buf->all_binary)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("outcome of uplift_fit must be 0 or 1 with base \"logistic\""),
				 errhint("Use option \"base\": \"linear\" for a continuous outcome.")));

	m = palloc0(sizeof(UpliftModel));
	m->format_version = UPLIFT_MODEL_FORMAT_VERSION;
	m->learner = s->learner;
	m->base = base;
	m->n_actions = K;
	m->n_features = buf->p;
	m->interactions = s->learner == UPLIFT_LEARNER_S && s->interactions;
	m->feature_names = s->n_names > 0 ? s->feature_names : NULL;
	m->arm_rows = palloc((K + 1) * sizeof(int64));
	m->arm_outcome_mean = palloc((K + 1) * sizeof(double));
	m->propensity_min = NAN;
	m->propensity_max = NAN;
	m->n_clipped = 0;
	m->options = options_json(s, base);

	aw = palloc0((buf->n_arms) * sizeof(ArmWeights));
	for (int32 a = 0; a < buf->n_arms; a++)
	{
		const TrainArm *arm = &buf->arms[a];

		aw[a].scale = 1.0;
		if (!buf->weighted || arm->nrows == 0)
			continue;
		if (isnan(m->propensity_min) || arm->prop_min < m->propensity_min)
			m->propensity_min = arm->prop_min;
		if (isnan(m->propensity_max) || arm->prop_max > m->propensity_max)
			m->propensity_max = arm->prop_max;
		if (arm->prop_min < arm->prop_max && !buf->moments)
		{
			double		total = arm_sum(arm, true);

			check_weight_total(total, a);
			aw[a].use = true;
			aw[a].scale = (double) arm->nrows / total;
		}
	}
	if (buf->moments)
	{
		learn_from_moments(buf, s, m);
		check_finite(m);
		uplift_model_validate(m, "uplift_fit");
		return m;
	}
	for (int32 a = 0; a <= K; a++)
	{
		m->arm_rows[a] = buf->arms[a].nrows;
		m->arm_outcome_mean[a] = arm_mean(&buf->arms[a], &aw[a]);
		if (!isfinite(m->arm_outcome_mean[a]))
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("outcome of uplift_fit is too large: the %s of treatment %d sum beyond double precision",
							aw[a].use ? "outcomes times 1/propensity" : "outcomes", a),
					 errhint(aw[a].use ?
							 "Rescale the outcome (for example to thousands), or clip small propensities with option \"min_propensity\"." :
							 "Rescale the outcome (for example to thousands).")));
	}

	if (s->learner == UPLIFT_LEARNER_T)
	{
		m->n_heads = K + 1;
		m->heads = palloc0((K + 1) * sizeof(UpliftHead));
		for (int32 a = 0; a <= K; a++)
		{
			ArmSource	src;
			char		what[64];

			snprintf(what, sizeof(what), "treatment %d", a);
			trainbuf_arm_source(&src, buf, a, aw[a].use, aw[a].scale);
			m->heads[a].role = UPLIFT_HEAD_OUTCOME;
			m->heads[a].action = a;
			uplift_fit_head(&src.base, s, base, &m->heads[a], what);
		}
	}
	else if (s->learner == UPLIFT_LEARNER_S)
	{
		SDesignSource src;

		sdesign_source(&src, buf, m, aw);
		m->n_heads = 1;
		m->heads = palloc0(sizeof(UpliftHead));
		m->heads[0].role = UPLIFT_HEAD_JOINT;
		m->heads[0].action = -1;
		uplift_fit_head(&src.base, s, base, &m->heads[0], "the s_learner model");
	}
	else
		uplift_learn_meta(buf, s, m, aw);
	check_finite(m);
	uplift_model_validate(m, "uplift_fit");
	return m;
}
