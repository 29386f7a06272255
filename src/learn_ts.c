/*
 * learn_ts.c
 *	  The T-learner and S-learner over logistic or linear bases, from the
 *	  rows of a training buffer or, for a linear base, from its per-arm
 *	  moments (see learn_ts.h).
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
 */
#include "postgres.h"

#include "miscadmin.h"

#include "learn_head.h"
#include "learn_ts.h"

/*
 * The s_learner design over all arms, without copying: the rows of a tile
 * are all of one arm, so every design column of a tile is one of the
 * tile's feature columns, or all ones, or all zeros.  Which one is read
 * off uplift_s_design itself, once per arm, from a row whose features are
 * 2, 3, ... (the one definition of the design).
 */
typedef struct SDesignSource
{
	RowSource	base;
	const TrainBuf *buf;
	const ArmWeights *aw;
	TileCursor	cur;
	int32	   *from;			/* n_arms x d: a feature (>= 0), DESIGN_ONE or DESIGN_ZERO */
	const double *ones;			/* ROWBLOCK_ROWS ones */
	const double *zeros;		/* ROWBLOCK_ROWS zeros */
	const double **feat;		/* p feature column pointers of the tile */
	const double **cols;		/* d design column pointers */
} SDesignSource;

#define DESIGN_ONE (-1)
#define DESIGN_ZERO (-2)

static bool
sdesign_next(RowSource *s, RowBlock *blk)
{
	SDesignSource *src = (SDesignSource *) s;
	int			d = s->d;
	TrainTile	t;
	const int32 *from;

	if (!trainbuf_cursor_next(&src->cur, &t))
		return false;
	trainbuf_tile_columns(src->buf, &t, src->feat);
	from = src->from + (Size) t.arm * d;
	for (int j = 0; j < d; j++)
		src->cols[j] = from[j] >= 0 ? src->feat[from[j]] :
			from[j] == DESIGN_ONE ? src->ones : src->zeros;
	blk->n = t.n;
	blk->arm = t.arm;
	blk->col = src->cols;
	blk->y = t.y;
	blk->w = src->aw[t.arm].use ? t.chunk->w + t.start : NULL;
	blk->wscale = src->aw[t.arm].scale;
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
	int			p = buf->p;
	int			d = uplift_s_design_len(m->n_features, m->n_actions, m->interactions);
	double	   *x = palloc(Max(p, 1) * sizeof(double));
	double	   *z = palloc(Max(d, 1) * sizeof(double));
	double	   *ones = palloc(ROWBLOCK_ROWS * sizeof(double));

	memset(src, 0, sizeof(SDesignSource));
	src->base.d = d;
	src->base.nrows = buf->nrows;
	src->base.next = sdesign_next;
	src->base.rewind = sdesign_rewind;
	src->buf = buf;
	src->aw = aw;
	for (int i = 0; i < ROWBLOCK_ROWS; i++)
		ones[i] = 1.0;
	src->ones = ones;
	src->zeros = palloc0(ROWBLOCK_ROWS * sizeof(double));
	src->feat = palloc(Max(p, 1) * sizeof(double *));
	src->cols = palloc(Max(d, 1) * sizeof(double *));
	src->from = palloc((Size) Max(buf->n_arms, 1) * Max(d, 1) * sizeof(int32));
	for (int i = 0; i < p; i++)
		x[i] = i + 2;
	for (int32 a = 0; a < buf->n_arms; a++)
	{
		int32	   *from = src->from + (Size) a * d;

		uplift_s_design(m, x, a, z);
		for (int j = 0; j < d; j++)
			from[j] = z[j] == 1.0 ? DESIGN_ONE : z[j] == 0.0 ? DESIGN_ZERO :
				(int32) z[j] - 2;
	}
	pfree(x);
	pfree(z);
	sdesign_rewind(&src->base, 1);
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
void
learn_ts_moments(const TrainBuf *buf, const LearnSettings *s, UpliftModel *m)
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
		learn_check_weight_total(st[a].w, a);
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
			learn_head_fit_moments(p, g, r, st[a].mean, st[a].mean[p], s,
								   buf->arms[a].nrows, UPLIFT_HEAD_OUTCOME, a,
								   &m->heads[a], what);
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
		learn_head_fit_moments(d, g, r, zbar, ybar, s, buf->nrows,
							   UPLIFT_HEAD_JOINT, -1, &m->heads[0],
							   "the s_learner model");
	}
}

void
learn_t(const TrainBuf *buf, const LearnSettings *s, UpliftModel *m,
		const ArmWeights *aw)
{
	m->n_heads = m->n_actions + 1;
	m->heads = palloc0(m->n_heads * sizeof(UpliftHead));
	/* the T-learner's heads are the rows' last readers */
	learn_outcome_heads(buf, s, m, aw, true);
}

void
learn_s(const TrainBuf *buf, const LearnSettings *s, UpliftModel *m,
		const ArmWeights *aw)
{
	SDesignSource src;

	sdesign_source(&src, buf, m, aw);
	m->n_heads = 1;
	m->heads = palloc0(sizeof(UpliftHead));
	learn_head_fit(&src.base, s, m->base, UPLIFT_HEAD_JOINT, -1, &m->heads[0],
				   "the s_learner model");
}
