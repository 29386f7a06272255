/*
 * tree_grow.c
 *	  Level-wise growth of every tree of a forest at once from histogram
 *	  statistics (see tree_grow.h).
 */
#include "postgres.h"

#include <float.h>
#include <math.h>

#include "miscadmin.h"
#include "utils/memutils.h"

#include "bytes.h"
#include "tree_grow.h"
#include "tree_stats.h"

/*
 * Largest block of statistics opened at once, by default: a level whose
 * statistics are larger comes in several blocks, each for a group of trees.
 * Rows held in memory pass once per tree and level either way (trees are
 * the outer loop), so a small block costs them no time: 4 MB grew 100 trees
 * on 1M rows in the time 16 MB did, with 19 MB less memory.
 */
#define TREE_BLOCK_BYTES ((Size) 4 * 1024 * 1024)

/* Rows of one tree between interrupt checks: well under 10 ms of work. */
#define ROWS_PER_CHECK 8192

/* A node while the forest grows. */
typedef struct GrowNode
{
	TreeNode	split;			/* left (-1 until split), u.set (code set),
								 * feature, flags, code; as in the forest but
								 * with child indices within the tree */
	int32		depth;
	int32		slot;			/* statistics slot at the current level, or -1 */
	TreeCell   *tot;			/* n_arms per-arm sums of its rows */
	double	   *summary;		/* n_arms shrunk means (tree_node_summary) */
	double	   *value;			/* n_arms leaf values */
} GrowNode;

typedef struct GrowTree
{
	GrowNode   *nodes;
	int32		n;
	int32		cap;
	bool		open;			/* has a node at the current level */
} GrowTree;

/* The best split found so far for one node. */
typedef struct SplitChoice
{
	double		gain;
	double		importance;
	int32		fslot;			/* feature slot in the statistics */
	int32		feature;
	bool		categorical;
	bool		miss_left;
	int32		n_left;			/* codes going left: order[0..n_left-1] */
	uint8		order[TREE_MAX_BINS];
} SplitChoice;

struct TreeGrower
{
	const TreeBins *bins;
	TreeParams	params;
	const TreeParams *par;		/* &params */
	int32		n_arms;
	int32		p;
	int32		depth;			/* the level being grown */
	int32		group_end;		/* the open block holds trees up to this one
								 * (0: none open at this level yet) */
	Size		block_bytes;	/* most bytes of a block (one tree's at least) */
	int32		n_slots;		/* open nodes (or leaves) with statistics */
	int32	   *slot_feats;		/* n_slots x n_feat features tried */
	TreeSplitParams sp;
	TreeSplitScratch scr;
	TreeQuant	quant;
	uint64		seedmix;
	double		poisson_cdf[TREE_MAX_COUNT + 1];
	GrowTree   *trees;
	TreeCodeSet *sets;
	int32		n_sets;
	int32		cap_sets;
	double	   *importance;		/* p */
	int32		n_feat;			/* features per node */
	int32	   *perm;			/* p scratch for drawing features */
	TreeCell   *left;			/* n_arms scratch: the left child's sums */
	TreeCell   *cand;			/* n_arms scratch: left plus missing */
	double		keys[TREE_MAX_BINS + 1];	/* categorical ordering keys */
};

typedef struct TreeGrower GrowCtx;

void
tree_params_default(TreeParams *par)
{
	par->criterion = TREE_KL;
	par->n_trees = 100;
	par->max_depth = 5;
	par->min_samples_leaf = 100;
	par->min_samples_treatment = 10;
	par->n_reg = 100;
	par->normalization = true;
	par->max_features = 0;
	par->bootstrap = true;
	par->subsample = 1.0;
	par->honest = false;
	par->seed = 0;
	par->stats_memory = (Size) 256 * 1024 * 1024;
}

static void
bad_option(const char *name, const char *msg, const char *hint)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("%s %s", name, msg),
			 errhint("%s", hint)));
}

static void
check_params(const TreeParams *par, const TreeDataSummary *d, int32 p)
{
	TreeCriterion c = par->criterion;

	if (c < TREE_KL || c > TREE_ENTROPY)
		bad_option("criterion", "is not a known split criterion",
				   "Use kl, ed, chi, ddp or cts for uplift, variance, gini or entropy for plain forests.");
	if (par->n_trees < 1 || par->n_trees > TREE_MAX_TREES)
		bad_option("n_trees", "must be between 1 and 10000",
				   "Ask for at least one tree.");
	if (par->max_depth < 1 || par->max_depth > TREE_MAX_DEPTH)
		bad_option("max_depth", "must be between 1 and 20",
				   "A tree of depth d has at most 2^d leaves; 3 to 8 is usual.");
	if (!(par->min_samples_leaf >= 1))
		bad_option("min_samples_leaf", "must be at least 1",
				   "It is the fewest rows a leaf may hold.");
	if (par->min_samples_leaf > (double) d->n)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("min_samples_leaf (%g) is larger than the %lld training rows",
						par->min_samples_leaf, (long long) d->n),
				 errhint("Lower min_samples_leaf or train on more rows.")));
	if (!(par->min_samples_treatment >= 0))
		bad_option("min_samples_treatment", "must not be negative",
				   "It is the fewest rows of each arm a child may hold.");
	if (!(par->n_reg >= 0) || !isfinite(par->n_reg))
		bad_option("n_reg", "must be a finite number, at least 0",
				   "It is the weight, in rows, of the parent's means in a child's.");
	if (par->max_features < 0 || par->max_features > p)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("max_features must be between 0 (all) and the %d features", p),
				 errhint("It is the number of features tried at each split.")));
	if (!par->bootstrap && !(par->subsample > 0 && par->subsample <= 1))
		bad_option("subsample", "must be in (0, 1]",
				   "It is the share of rows each tree draws without bootstrap.");
	if (par->stats_memory < 1024 * 1024)
		bad_option("stats_memory", "must be at least 1 MB",
				   "It bounds the statistics of one level of the forest.");
	if (tree_criterion_is_uplift(c) && d->n_arms < 2)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("criterion %s needs a control and at least one treatment",
						tree_criterion_names[c]),
				 errhint("Use variance, gini or entropy for a forest of one outcome.")));
	if (!tree_criterion_is_uplift(c) && d->n_arms != 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("criterion %s grows a forest of one arm, not %d",
						tree_criterion_names[c], d->n_arms),
				 errhint("Use kl, ed, chi, ddp or cts for uplift forests.")));
	if (c == TREE_DDP && d->n_arms != 2)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("criterion ddp compares one treatment with the control, not %d treatments",
						d->n_arms - 1),
				 errhint("Use kl, ed, chi or cts for several treatments.")));
}

void
tree_data_summary_init(TreeDataSummary *s, int32 n_arms)
{
	memset(s, 0, sizeof(TreeDataSummary));
	if (n_arms < 1 || n_arms > TREE_MAX_ARMS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("a forest has 1 to %d arms, not %d", TREE_MAX_ARMS, n_arms),
				 errhint("Arms are the control (0) and the treatments.")));
	s->n_arms = n_arms;
	s->binary = true;
}

/* Check one row's values. */
static void
check_row(const TreeData *d, const TreeBins *bins, int64 i)
{
	double		y = d->y[i],
				w = d->w ? d->w[i] : 1.0;
	int32		a = d->arm ? d->arm[i] : 0;

	if (!isfinite(y))
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("outcome of row %lld is not finite", (long long) i + 1),
				 errhint("Remove rows without a finite outcome.")));
	if (!(w >= 0.0) || !isfinite(w))
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("weight of row %lld must be finite and not negative",
						(long long) i + 1),
				 errhint("Weights are inverse propensities or frequencies.")));
	if (a >= d->n_arms)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("arm of row %lld is %d, past the %d arms",
						(long long) i + 1, a, d->n_arms),
				 errhint("Arms are numbered 0 (control) to n_arms - 1.")));
	for (int32 j = 0; j < d->p; j++)
		if (d->codes[i * d->p + j] > bins->feat[j].nbins)
			ereport(ERROR,
					(errcode(ERRCODE_DATA_EXCEPTION),
					 errmsg("bin code %d of feature %d in row %lld is out of range",
							d->codes[i * d->p + j], j + 1, (long long) i + 1),
					 errhint("Compute the codes with the bins the forest is grown with.")));
}

/* Error unless rows d have the forest's p features and n_arms arms. */
static void
check_rows_shape(const TreeData *d, int32 p, int32 n_arms)
{
	if (d->p != p || d->n_arms != n_arms)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("tree rows have %d features and %d arms, the forest %d and %d",
						d->p, d->n_arms, p, n_arms),
				 errhint("Bin and summarise the same rows the forest is grown on.")));
}

void
tree_data_summarize(TreeDataSummary *s, const TreeData *d, const TreeBins *bins)
{
	check_rows_shape(d, bins->p, s->n_arms);
	for (int64 i = 0; i < d->n; i++)
	{
		double		y = d->y[i];

		check_row(d, bins, i);
		s->arm_rows[d->arm ? d->arm[i] : 0]++;
		s->max_w = Max(s->max_w, d->w ? d->w[i] : 1.0);
		s->max_y = Max(s->max_y, fabs(y));
		if (y != 0.0 && y != 1.0)
			s->binary = false;
		if ((i & 0xffff) == 0)
			CHECK_FOR_INTERRUPTS();
	}
	s->n += d->n;
}

void
tree_data_summary_merge(TreeDataSummary *into, const TreeDataSummary *from)
{
	into->n += from->n;
	for (int32 a = 0; a < into->n_arms; a++)
		into->arm_rows[a] += from->arm_rows[a];
	into->max_w = Max(into->max_w, from->max_w);
	into->max_y = Max(into->max_y, from->max_y);
	into->binary = into->binary && from->binary;
}

/* Errors for data the criterion or the options cannot grow a forest on. */
static void
check_summary(const TreeParams *par, const TreeDataSummary *d)
{
	TreeCriterion c = par->criterion;

	if (d->n < 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("a forest needs at least one training row"),
				 errhint("Train on a non-empty set of rows.")));
	if (c != TREE_CTS && c != TREE_VARIANCE && !d->binary)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("criterion %s needs 0/1 outcomes", tree_criterion_names[c]),
				 errhint("Use cts (uplift) or variance (plain) for continuous outcomes.")));
	for (int32 a = 0; a < d->n_arms; a++)
		if ((double) d->arm_rows[a] < Max(2.0 * par->min_samples_treatment, 1.0))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("arm %d has %lld rows, too few for any split with min_samples_treatment %g",
							a, (long long) d->arm_rows[a], par->min_samples_treatment),
					 errhint("Lower min_samples_treatment, or leave out arms with few rows.")));
}

/* A row's multiplicity in a tree, and whether it is in the estimation half. */
static inline int
row_draw(const GrowCtx *g, uint32 rowhash, int32 tree, bool *estimation)
{
	uint64		h = tree_mix64((((uint64) rowhash << 32) | (uint32) tree) ^ g->seedmix);
	double		u = (double) (h >> 11) * (1.0 / 9007199254740992.0);
	int			k = 0;

	*estimation = g->par->honest && (h & 1);
	if (!g->par->bootstrap)
		return u < g->par->subsample ? 1 : 0;
	while (k < TREE_MAX_COUNT && u >= g->poisson_cdf[k])
		k++;
	return k;
}

/* The node of tree t that a row (its codes) reaches. */
static inline int32
walk_codes(const GrowCtx *g, const GrowTree *t, const uint8 *codes)
{
	int32		i = 0;

	while (t->nodes[i].split.left >= 0)
	{
		const TreeNode *nd = &t->nodes[i].split;

		i = nd->left + (tree_node_goes_left(nd, g->sets, codes[nd->feature]) ? 0 : 1);
	}
	return i;
}

static int32
add_node(GrowCtx *g, GrowTree *t, int32 depth)
{
	GrowNode   *nd;
	int32		n_arms = g->n_arms;

	if (t->n == t->cap)
	{
		t->cap *= 2;
		t->nodes = repalloc_huge(t->nodes, sizeof(GrowNode) * t->cap);
	}
	nd = &t->nodes[t->n];
	memset(nd, 0, sizeof(GrowNode));
	nd->split.left = -1;
	nd->depth = depth;
	nd->slot = -1;
	nd->tot = palloc0(sizeof(TreeCell) * n_arms);
	nd->summary = palloc0(sizeof(double) * n_arms);
	nd->value = palloc0(sizeof(double) * n_arms);
	return t->n++;
}

/* Leaf values: the arms' means, or the parent's where an arm has no weight. */
static void
node_values(const GrowCtx *g, const TreeCell *tot, const double *parent, double *value)
{
	for (int32 a = 0; a < g->n_arms; a++)
		value[a] = tot[a].sw > 0.0 ? tot[a].swy / tot[a].sw :
			(parent ? parent[a] : 0.0);
}

/* Whether a node has enough rows for any allowed split. */
static bool
splittable(const GrowCtx *g, const TreeCell *tot)
{
	double		n = 0.0;
	bool		uplift = tree_criterion_is_uplift(g->par->criterion);

	for (int32 a = 0; a < g->n_arms; a++)
	{
		if (uplift && tot[a].n < 2.0 * g->par->min_samples_treatment)
			return false;
		n += tot[a].n;
	}
	return n >= 2.0 * g->par->min_samples_leaf;
}

/* The features node "node" of tree "tree" may split on, ascending. */
static void
draw_features(GrowCtx *g, int32 tree, int32 node, int32 *out)
{
	int32		p = g->p,
				m = g->n_feat;

	for (int32 j = 0; j < p; j++)
		g->perm[j] = j;
	if (m < p)
	{
		for (int32 i = 0; i < m; i++)
		{
			uint64		h = tree_mix64(g->seedmix ^ tree_mix64(((uint64) tree << 40) ^
															((uint64) node << 16) ^ (uint64) i));
			int32		j = i + (int32) (h % (uint64) (p - i));
			int32		tmp = g->perm[i];

			g->perm[i] = g->perm[j];
			g->perm[j] = tmp;
		}
		/* insertion sort of the m drawn features */
		for (int32 i = 1; i < m; i++)
			for (int32 k = i; k > 0 && g->perm[k - 1] > g->perm[k]; k--)
			{
				int32		tmp = g->perm[k];

				g->perm[k] = g->perm[k - 1];
				g->perm[k - 1] = tmp;
			}
	}
	memcpy(out, g->perm, sizeof(int32) * m);
}

/*
 * One pass over rows d (all, or a partition).  Without "estimation": add
 * each tree's structure rows to the statistics of the open node they reach
 * (st: slots x features x codes x arms).  With it: add each tree's honest
 * estimation rows to their leaf's sums (st: a slot per leaf).  Trees are the
 * outer loop, so that one tree's statistics stay in cache while the rows
 * stream by.
 */
static void
pass_rows(const GrowCtx *g, TreeStats *st, const TreeData *d, bool estimation)
{
	check_rows_shape(d, g->p, g->n_arms);
	for (int32 t = 0; t < g->par->n_trees; t++)
	{
		const GrowTree *tree = &g->trees[t];

		if (!estimation && !tree->open)
			continue;
		for (int64 i = 0; i < d->n; i++)
		{
			const uint8 *codes = d->codes + i * d->p;
			int32		arm = d->arm ? d->arm[i] : 0;
			bool		est;
			int			k;
			int32		slot;
			TreeRowValue v;

			if ((i % ROWS_PER_CHECK) == 0)
				CHECK_FOR_INTERRUPTS();
			k = row_draw(g, d->rowhash[i], t, &est);
			if (k == 0 || est != estimation)
				continue;
			slot = tree->nodes[walk_codes(g, tree, codes)].slot;
			if (slot < 0)
				continue;
			tree_row_value(&g->quant, d->w ? d->w[i] : 1.0, d->y[i], &v);
			if (estimation)
				tree_cell_add(tree_stats_at(st, slot, 0, 0) + arm, (double) k, &v);
			else
				tree_stats_add_row(st, slot, g->slot_feats + (Size) slot * g->n_feat,
								   codes, arm, (double) k, &v);
		}
	}
}

void
tree_grower_add_rows(const TreeGrower *g, TreeStats *st, const TreeData *d)
{
	pass_rows(g, st, d, false);
}

/* Ordering key of a categorical code at a node: its uplift, or its mean. */
static double
code_key(const GrowCtx *g, const TreeCell *cells, const double *summary)
{
	int32		n_arms = g->n_arms;
	double		m0 = 0.0,
				best = -INFINITY;

	if (n_arms == 1)
		return cells[0].sw > 0.0 ? cells[0].swy / cells[0].sw : summary[0];
	for (int32 a = 0; a < n_arms; a++)
	{
		double		den = cells[a].sw + g->par->n_reg;
		double		m = den > 0.0 ? (cells[a].swy + summary[a] * g->par->n_reg) / den :
			summary[a];

		if (a == 0)
			m0 = m;
		else
			best = Max(best, m - m0);
	}
	return best;
}

static bool
cells_empty(const TreeCell *c, int32 n_arms)
{
	for (int32 a = 0; a < n_arms; a++)
		if (c[a].n > 0.0)
			return false;
	return true;
}

/*
 * The codes of feature slot f in scan order: numeric, 1..nbins; categorical,
 * the codes that have rows, by increasing key (ties by code).
 */
static int32
scan_order(GrowCtx *g, const TreeStats *st, int32 slot, int32 f,
		   const TreeBinFeature *bf, const double *summary, uint8 *order)
{
	int32		n = 0;

	for (int32 c = 1; c <= bf->nbins; c++)
	{
		const TreeCell *cells = tree_stats_at(st, slot, f, c);

		if (bf->categorical && cells_empty(cells, st->n_arms))
			continue;
		if (bf->categorical)
			g->keys[c] = code_key(g, cells, summary);
		order[n++] = (uint8) c;
	}
	if (bf->categorical)
		for (int32 i = 1; i < n; i++)
			for (int32 k = i; k > 0 && g->keys[order[k - 1]] > g->keys[order[k]]; k--)
			{
				uint8		tmp = order[k];

				order[k] = order[k - 1];
				order[k - 1] = tmp;
			}
	return n;
}

/* Try every split of feature slot f of a node; keep the best in *best. */
static void
scan_feature(GrowCtx *g, const TreeStats *st, int32 slot, int32 f, int32 feature,
			 const TreeCell *tot, const double *summary, SplitChoice *best)
{
	const TreeBinFeature *bf = &g->bins->feat[feature];
	int32		n_arms = st->n_arms;
	const TreeCell *miss = tree_stats_at(st, slot, f, TREE_CODE_MISSING);
	bool		has_miss = !cells_empty(miss, n_arms);
	uint8		order[TREE_MAX_BINS];
	int32		n_order = scan_order(g, st, slot, f, bf, summary, order);

	/*
	 * The last prefix holds every value: with missing values it is the split
	 * of missing values alone (the third choice of "missing incorporated in
	 * attributes"); every other candidate with an empty side gains -INFINITY.
	 */
	memset(g->left, 0, sizeof(TreeCell) * n_arms);
	for (int32 r = 0; r < n_order; r++)
	{
		const TreeCell *cells = tree_stats_at(st, slot, f, order[r]);

		for (int32 a = 0; a < n_arms; a++)
			tree_cell_merge(&g->left[a], &cells[a]);
		for (int v = 0; v < (has_miss ? 2 : 1); v++)
		{
			const TreeCell *cand = g->left;
			double		imp,
						gain;

			if (v == 1)
			{
				for (int32 a = 0; a < n_arms; a++)
				{
					g->cand[a] = g->left[a];
					tree_cell_merge(&g->cand[a], &miss[a]);
				}
				cand = g->cand;
			}
			gain = tree_split_gain(&g->sp, tot, summary, cand, &g->scr, &imp);
			if (gain > best->gain)
			{
				best->gain = gain;
				best->importance = imp;
				best->fslot = f;
				best->feature = feature;
				best->categorical = bf->categorical;
				best->miss_left = v == 1;
				best->n_left = r + 1;
				memcpy(best->order, order, n_order);
			}
		}
	}
}

static int32
add_code_set(GrowCtx *g, const SplitChoice *b)
{
	TreeCodeSet *s;

	if (g->n_sets == g->cap_sets)
	{
		g->cap_sets *= 2;
		g->sets = repalloc_huge(g->sets, sizeof(TreeCodeSet) * g->cap_sets);
	}
	s = &g->sets[g->n_sets];
	memset(s, 0, sizeof(TreeCodeSet));
	for (int32 r = 0; r < b->n_left; r++)
		s->bits[b->order[r] >> 3] |= (uint8) (1 << (b->order[r] & 7));
	return g->n_sets++;
}

/* Split node "ni" of tree t as b says, creating its two children. */
static void
apply_split(GrowCtx *g, GrowTree *t, int32 ni, const TreeStats *st, int32 slot,
			const SplitChoice *b)
{
	int32		n_arms = g->n_arms;
	int32		li = add_node(g, t, t->nodes[ni].depth + 1);
	int32		ri = add_node(g, t, t->nodes[ni].depth + 1);
	GrowNode   *nd = &t->nodes[ni],
			   *l = &t->nodes[li],
			   *r = &t->nodes[ri];
	double		sw_left = 0.0,
				sw_right = 0.0;
	bool		has_miss;

	for (int32 k = 0; k < b->n_left; k++)
	{
		const TreeCell *cells = tree_stats_at(st, slot, b->fslot, b->order[k]);

		for (int32 a = 0; a < n_arms; a++)
			tree_cell_merge(&l->tot[a], &cells[a]);
	}
	has_miss = !cells_empty(tree_stats_at(st, slot, b->fslot, TREE_CODE_MISSING), n_arms);
	if (b->miss_left)
		for (int32 a = 0; a < n_arms; a++)
			tree_cell_merge(&l->tot[a],
							&tree_stats_at(st, slot, b->fslot, TREE_CODE_MISSING)[a]);
	for (int32 a = 0; a < n_arms; a++)
	{
		tree_cell_diff(&r->tot[a], &nd->tot[a], &l->tot[a]);
		sw_left += l->tot[a].sw;
		sw_right += r->tot[a].sw;
	}
	tree_node_summary(&g->sp, l->tot, nd->summary, l->summary);
	tree_node_summary(&g->sp, r->tot, nd->summary, r->summary);
	node_values(g, l->tot, nd->value, l->value);
	node_values(g, r->tot, nd->value, r->value);

	nd->split.left = li;
	nd->split.feature = (int16) b->feature;
	nd->split.code = b->categorical ? 0 : b->order[b->n_left - 1];
	nd->split.flags = 0;
	if (has_miss ? b->miss_left : sw_left >= sw_right)
		nd->split.flags |= TREE_NODE_DEFAULT_LEFT;
	if (b->categorical)
	{
		nd->split.flags |= TREE_NODE_CATEGORICAL;
		nd->split.u.set = add_code_set(g, b);
	}
	g->importance[b->feature] += b->importance;
}

/* Whether node nd, at the level being grown, opens (gets statistics). */
static bool
node_opens(const GrowCtx *g, const GrowNode *nd, int32 depth)
{
	return nd->depth == depth && nd->split.left < 0 &&
		(depth == 0 || splittable(g, nd->tot));
}

/* The nodes of tree t that open at this depth. */
static int32
tree_open_nodes(const GrowCtx *g, const GrowTree *tree, int32 depth)
{
	int32		n = 0;

	for (int32 i = 0; i < tree->n; i++)
		n += node_opens(g, &tree->nodes[i], depth) ? 1 : 0;
	return n;
}

/*
 * Give every node that opens at this depth in trees [lo, hi) a statistics
 * slot; every other node (and tree) has none.
 */
static int32
open_trees(GrowCtx *g, int32 depth, int32 lo, int32 hi)
{
	int32		n_slots = 0;

	for (int32 t = 0; t < g->par->n_trees; t++)
	{
		GrowTree   *tree = &g->trees[t];

		tree->open = false;
		for (int32 i = 0; i < tree->n; i++)
		{
			GrowNode   *nd = &tree->nodes[i];

			nd->slot = -1;
			if (t < lo || t >= hi || !node_opens(g, nd, depth))
				continue;
			nd->slot = n_slots++;
			tree->open = true;
		}
	}
	return n_slots;
}

/*
 * The trees of the next block of this level: from the first tree at or
 * after g->group_end with open nodes, as many as keep the block within
 * g->block_bytes (at least one); false when no tree is left.
 */
static bool
next_group(const GrowCtx *g, Size slot_bytes, int32 *lo, int32 *hi)
{
	int32		t = g->group_end;
	Size		bytes = 0;

	while (t < g->par->n_trees && tree_open_nodes(g, &g->trees[t], g->depth) == 0)
		t++;
	if (t >= g->par->n_trees)
		return false;
	*lo = t;
	for (; t < g->par->n_trees; t++)
	{
		Size		more = slot_bytes * tree_open_nodes(g, &g->trees[t], g->depth);

		if (t > *lo && bytes + more > g->block_bytes)
			break;
		bytes += more;
	}
	*hi = t;
	return true;
}

/*
 * Open the next block: the statistics of the open nodes of the next group
 * of trees at this level, or NULL when the forest is fully grown.  A level
 * is checked against stats_memory whole, as if it were one block.
 */
TreeStats *
tree_grower_level(TreeGrower *g)
{
	int32		n_codes = g->bins->max_code + 1;
	Size		slot_bytes = tree_stats_size(1, g->n_feat, n_codes, g->n_arms,
											 MaxAllocHugeSize);
	int32		lo,
				hi;

	for (;;)
	{
		if (g->depth >= g->par->max_depth)
			return NULL;
		if (g->group_end == 0)
		{
			int32		level_slots = 0;

			for (int32 t = 0; t < g->par->n_trees; t++)
				level_slots += tree_open_nodes(g, &g->trees[t], g->depth);
			if (level_slots == 0)
				return NULL;
			(void) tree_stats_size(level_slots, g->n_feat, n_codes, g->n_arms,
								   g->par->stats_memory);
		}
		if (next_group(g, slot_bytes, &lo, &hi))
			break;
		/* every tree of this level is done */
		g->depth++;
		g->group_end = 0;
	}
	g->group_end = hi;
	g->n_slots = open_trees(g, g->depth, lo, hi);
	if (g->slot_feats)
		pfree(g->slot_feats);
	g->slot_feats = palloc_extended(sizeof(int32) * (Size) g->n_slots * g->n_feat,
									MCXT_ALLOC_HUGE);
	for (int32 t = lo; t < hi; t++)
		for (int32 i = 0; i < g->trees[t].n; i++)
			if (g->trees[t].nodes[i].slot >= 0)
				draw_features(g, t, i, g->slot_feats +
							  (Size) g->trees[t].nodes[i].slot * g->n_feat);
	return tree_stats_create(g->n_slots, g->n_feat, n_codes, g->n_arms,
							 g->par->stats_memory);
}

static void
check_stats_fit(const GrowCtx *g, const TreeStats *st, int32 n_feat, int32 n_codes)
{
	if (st->n_slots != g->n_slots || st->n_feat != n_feat ||
		st->n_codes != n_codes || st->n_arms != g->n_arms)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("tree statistics do not belong to this level of the forest"),
				 errhint("Pass the statistics of the level the grower opened.")));
}

/* Every open node takes its best split (if any); st is freed. */
void
tree_grower_split(TreeGrower *g, TreeStats *st)
{
	int32		depth = g->depth;

	check_stats_fit(g, st, g->n_feat, g->bins->max_code + 1);
	for (int32 t = 0; t < g->par->n_trees; t++)
	{
		GrowTree   *tree = &g->trees[t];
		int32		n_before = tree->n;

		for (int32 i = 0; i < n_before; i++)
		{
			GrowNode   *nd = &tree->nodes[i];
			int32		slot = nd->slot;
			SplitChoice best;

			if (slot < 0)
				continue;
			CHECK_FOR_INTERRUPTS();
			if (depth == 0)
			{
				tree_stats_node_totals(st, slot, nd->tot);
				tree_node_summary(&g->sp, nd->tot, NULL, nd->summary);
				node_values(g, nd->tot, NULL, nd->value);
				if (!splittable(g, nd->tot))
					continue;
			}
			best.gain = 0.0;
			best.feature = -1;
			for (int32 f = 0; f < g->n_feat; f++)
				scan_feature(g, st, slot, f, g->slot_feats[(Size) slot * g->n_feat + f],
							 nd->tot, nd->summary, &best);
			if (best.feature >= 0)
				apply_split(g, tree, i, st, slot, &best);
		}
	}
	pfree(st->cells);
	pfree(st);
	if (g->group_end >= g->par->n_trees)
	{
		g->depth++;
		g->group_end = 0;
	}
}

int32
tree_grower_depth(const TreeGrower *g)
{
	return g->depth;
}

/*
 * Honest estimation: a block with one slot per leaf (one feature slot, one
 * code) for the estimation half's sums, or NULL without honest estimation.
 */
TreeStats *
tree_grower_leaves(TreeGrower *g)
{
	if (!g->par->honest)
		return NULL;
	g->n_slots = 0;
	for (int32 t = 0; t < g->par->n_trees; t++)
		for (int32 i = 0; i < g->trees[t].n; i++)
		{
			GrowNode   *nd = &g->trees[t].nodes[i];

			nd->slot = nd->split.left < 0 ? g->n_slots++ : -1;
		}
	return tree_stats_create(g->n_slots, 1, 1, g->n_arms, g->par->stats_memory);
}

void
tree_grower_add_leaf_rows(const TreeGrower *g, TreeStats *st, const TreeData *d)
{
	pass_rows(g, st, d, true);
}

/* Leaf values from the estimation half; st is freed. */
void
tree_grower_set_leaves(TreeGrower *g, TreeStats *st)
{
	check_stats_fit(g, st, 1, 1);
	for (int32 t = 0; t < g->par->n_trees; t++)
		for (int32 i = 0; i < g->trees[t].n; i++)
		{
			GrowNode   *nd = &g->trees[t].nodes[i];

			if (nd->slot >= 0)
				node_values(g, tree_stats_at(st, nd->slot, 0, 0), nd->value, nd->value);
		}
	pfree(st->cells);
	pfree(st);
}

/* The grown trees as a TreeForest. */
TreeForest *
tree_grower_forest(TreeGrower *g)
{
	TreeForest *f = palloc0(sizeof(TreeForest));
	int32		n_arms = g->n_arms,
				n_nodes = 0,
				n_leaves = 0,
				pos = 0;
	double		total = 0.0;

	int64		total_nodes = 0;

	for (int32 t = 0; t < g->par->n_trees; t++)
		total_nodes += g->trees[t].n;
	if (total_nodes > PG_INT32_MAX / 2)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("the forest has %lld nodes, more than %d",
						(long long) total_nodes, PG_INT32_MAX / 2),
				 errhint("Lower n_trees or max_depth, or raise min_samples_leaf.")));
	for (int32 t = 0; t < g->par->n_trees; t++)
		for (int32 i = 0; i < g->trees[t].n; i++)
		{
			n_nodes++;
			n_leaves += g->trees[t].nodes[i].split.left < 0;
		}
	f->p = g->p;
	f->n_arms = n_arms;
	f->n_trees = g->par->n_trees;
	f->n_nodes = n_nodes;
	f->n_values = n_leaves * n_arms;
	f->n_sets = g->n_sets;
	f->criterion = (uint8) g->par->criterion;
	f->roots = palloc(sizeof(int32) * f->n_trees);
	f->nodes = palloc_extended(sizeof(TreeNode) * n_nodes, MCXT_ALLOC_HUGE);
	f->values = palloc_extended(sizeof(double) * Max(f->n_values, 1), MCXT_ALLOC_HUGE);
	f->sets = palloc_extended(sizeof(TreeCodeSet) * Max(g->n_sets, 1), MCXT_ALLOC_HUGE);
	memcpy(f->sets, g->sets, sizeof(TreeCodeSet) * g->n_sets);
	f->n_values = 0;
	for (int32 t = 0; t < f->n_trees; t++)
	{
		const GrowTree *tree = &g->trees[t];

		f->roots[t] = pos;
		for (int32 i = 0; i < tree->n; i++)
		{
			const GrowNode *nd = &tree->nodes[i];
			TreeNode   *out = &f->nodes[pos + i];

			memset(out, 0, sizeof(TreeNode));
			out->left = nd->split.left < 0 ? -1 : pos + nd->split.left;
			out->feature = nd->split.left < 0 ? 0 : nd->split.feature;
			out->flags = nd->split.flags;
			out->code = nd->split.code;
			if (nd->split.left < 0)
			{
				out->u.value = f->n_values;
				memcpy(f->values + f->n_values, nd->value, sizeof(double) * n_arms);
				f->n_values += n_arms;
			}
			else if (nd->split.flags & TREE_NODE_CATEGORICAL)
				out->u.set = nd->split.u.set;
			else if (nd->split.code == g->bins->feat[nd->split.feature].nbins)
				out->u.threshold = DBL_MAX; /* every value left, missing right */
			else
				out->u.threshold = g->bins->feat[nd->split.feature].values[nd->split.code - 1];
		}
		pos += tree->n;
	}
	f->importance = palloc(sizeof(double) * f->p);
	for (int32 j = 0; j < f->p; j++)
		total += g->importance[j];
	for (int32 j = 0; j < f->p; j++)
		f->importance[j] = total > 0.0 ? g->importance[j] / total : 0.0;
	f->feat = palloc0(sizeof(TreeBinFeature) * f->p);
	for (int32 j = 0; j < f->p; j++)
	{
		const TreeBinFeature *bf = &g->bins->feat[j];

		f->feat[j].categorical = bf->categorical;
		f->feat[j].nbins = bf->nbins;
		if (bf->categorical)
		{
			f->feat[j].nvalues = bf->nvalues;
			f->feat[j].values = palloc(sizeof(double) * Max(bf->nvalues, 1));
			memcpy(f->feat[j].values, bf->values, sizeof(double) * bf->nvalues);
		}
	}
	return f;
}

/* The seed's mix and the Poisson(1) CDF the row draws use. */
static void
init_draws(GrowCtx *g)
{
	double		term = exp(-1.0),
				cdf = 0.0;

	g->seedmix = tree_mix64(g->par->seed ^ UINT64CONST(0x67726f77));	/* "grow" */
	for (int k = 0; k <= TREE_MAX_COUNT; k++)
	{
		cdf += term;
		g->poisson_cdf[k] = cdf;
		term /= (double) (k + 1);
	}
}

TreeGrower *
tree_grower_create(const TreeBins *bins, const TreeParams *par,
				   const TreeDataSummary *summary)
{
	TreeGrower *g = palloc0(sizeof(TreeGrower));

	if (bins->p < 1 || bins->p > PG_INT16_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("a forest has 1 to %d features, not %d", PG_INT16_MAX, bins->p),
				 errhint("Train on fewer features.")));
	check_params(par, summary, bins->p);
	check_summary(par, summary);
	g->bins = bins;
	g->params = *par;
	g->par = &g->params;
	g->block_bytes = TREE_BLOCK_BYTES;
	g->n_arms = summary->n_arms;
	g->p = bins->p;
	g->sp.criterion = par->criterion;
	g->sp.n_arms = g->n_arms;
	g->sp.n_reg = par->n_reg;
	g->sp.normalization = par->normalization;
	g->sp.min_samples_leaf = par->min_samples_leaf;
	g->sp.min_samples_treatment = par->min_samples_treatment;
	tree_split_scratch_init(&g->scr, g->n_arms);
	tree_quant_init(&g->quant, summary->n, par->bootstrap ? TREE_MAX_COUNT : 1,
					summary->max_w, summary->max_y);
	init_draws(g);
	g->n_feat = par->max_features > 0 ? par->max_features : g->p;
	g->perm = palloc(sizeof(int32) * g->p);
	g->left = palloc(sizeof(TreeCell) * g->n_arms);
	g->cand = palloc(sizeof(TreeCell) * g->n_arms);
	g->importance = palloc0(sizeof(double) * g->p);
	g->cap_sets = 16;
	g->sets = palloc(sizeof(TreeCodeSet) * g->cap_sets);
	g->trees = palloc0(sizeof(GrowTree) * par->n_trees);
	for (int32 t = 0; t < par->n_trees; t++)
	{
		g->trees[t].cap = 16;
		g->trees[t].nodes = palloc(sizeof(GrowNode) * g->trees[t].cap);
		add_node(g, &g->trees[t], 0);
	}
	return g;
}

void
tree_grower_set_block_bytes(TreeGrower *g, Size bytes)
{
	g->block_bytes = bytes;
}

TreeForest *
tree_grow(const TreeData *d, const TreeBins *bins, const TreeParams *par)
{
	TreeDataSummary summary;
	TreeGrower *g;
	TreeStats  *st;

	tree_data_summary_init(&summary, d->n_arms);
	tree_data_summarize(&summary, d, bins);
	g = tree_grower_create(bins, par, &summary);
	while ((st = tree_grower_level(g)) != NULL)
	{
		tree_grower_add_rows(g, st, d);
		tree_grower_split(g, st);
	}
	if ((st = tree_grower_leaves(g)) != NULL)
	{
		tree_grower_add_leaf_rows(g, st, d);
		tree_grower_set_leaves(g, st);
	}
	return tree_grower_forest(g);
}

/* ---- routers: the growers of a pass over a partition of the rows ---- */

#define TREE_ROUTER_VERSION 1

static void
write_bins(StringInfo out, const TreeBins *bins)
{
	bytes_put_i32(out, bins->p);
	for (int32 j = 0; j < bins->p; j++)
	{
		const TreeBinFeature *f = &bins->feat[j];

		bytes_put_u8(out, f->categorical ? 1 : 0);
		bytes_put_i32(out, f->nvalues);
		bytes_put_f64s(out, f->values, f->nvalues);
	}
}

/* Bins read back: values increasing, at most TREE_MAX_BINS codes. */
static TreeBins *
read_bins(ByteReader *r)
{
	TreeBins   *bins = palloc(sizeof(TreeBins));

	bins->p = bytes_get_i32(r);
	if (bins->p < 1 || bins->p > PG_INT16_MAX)
		bytes_corrupted(r, "The number of features is out of range");
	bins->max_code = 0;
	bins->feat = palloc0(sizeof(TreeBinFeature) * bins->p);
	for (int32 j = 0; j < bins->p; j++)
	{
		TreeBinFeature *f = &bins->feat[j];
		uint8		cat = bytes_get_u8(r);

		f->nvalues = bytes_get_i32(r);
		if (cat > 1 || f->nvalues < 0 || f->nvalues > TREE_MAX_BINS - 1)
			bytes_corrupted(r, "A feature's bins are out of range");
		f->categorical = cat == 1;
		f->nbins = f->nvalues + 1;
		f->values = palloc(sizeof(double) * Max(f->nvalues, 1));
		bytes_get_f64s(r, f->values, f->nvalues);
		for (int k = 0; k < f->nvalues; k++)
			if (isnan(f->values[k]) || (k > 0 && !(f->values[k] > f->values[k - 1])))
				bytes_corrupted(r, "A feature's bin values do not increase");
		bins->max_code = Max(bins->max_code, f->nbins);
	}
	return bins;
}

void
tree_grower_write_router(const TreeGrower *g, bool leaves, StringInfo out)
{
	bytes_put_u8(out, TREE_ROUTER_VERSION);
	bytes_put_u8(out, leaves ? 1 : 0);
	write_bins(out, g->bins);
	bytes_put_i32(out, g->n_arms);
	bytes_put_i32(out, g->par->n_trees);
	bytes_put_u8(out, g->par->bootstrap ? 1 : 0);
	bytes_put_u8(out, g->par->honest ? 1 : 0);
	bytes_put_f64(out, g->par->subsample);
	bytes_put_u64(out, g->par->seed);
	bytes_put_f64(out, g->quant.qw);
	bytes_put_f64(out, g->quant.qwy);
	bytes_put_f64(out, g->quant.qwy2);
	bytes_put_i64(out, (int64) g->par->stats_memory);
	bytes_put_i32(out, g->n_slots);
	bytes_put_i32(out, leaves ? 1 : g->n_feat);
	if (!leaves)
		for (Size k = 0; k < (Size) g->n_slots * g->n_feat; k++)
			bytes_put_i32(out, g->slot_feats[k]);
	bytes_put_i32(out, g->n_sets);
	for (int32 k = 0; k < g->n_sets; k++)
		appendBinaryStringInfo(out, (const char *) g->sets[k].bits, sizeof(g->sets[k].bits));
	for (int32 t = 0; t < g->par->n_trees; t++)
	{
		const GrowTree *tree = &g->trees[t];

		bytes_put_u8(out, tree->open ? 1 : 0);
		bytes_put_i32(out, tree->n);
		for (int32 i = 0; i < tree->n; i++)
		{
			const GrowNode *nd = &tree->nodes[i];

			bytes_put_i32(out, nd->split.left);
			bytes_put_i32(out, nd->split.left < 0 ? 0 : nd->split.feature);
			bytes_put_u8(out, nd->split.flags);
			bytes_put_u8(out, nd->split.code);
			bytes_put_i32(out, (nd->split.left >= 0 && (nd->split.flags & TREE_NODE_CATEGORICAL)) ?
						  nd->split.u.set : 0);
			bytes_put_i32(out, nd->slot);
		}
	}
}

/* A power of two for a grid step, as tree_quant_init makes them. */
static bool
grid_step_ok(double q)
{
	int			e;

	return q > 0.0 && isfinite(q) && frexp(q, &e) == 0.5;
}

static void
read_router_params(ByteReader *r, GrowCtx *g)
{
	TreeParams *par = &g->params;

	tree_params_default(par);
	g->par = par;
	g->n_arms = bytes_get_i32(r);
	par->n_trees = bytes_get_i32(r);
	par->bootstrap = bytes_get_u8(r) == 1;
	par->honest = bytes_get_u8(r) == 1;
	par->subsample = bytes_get_f64(r);
	par->seed = bytes_get_u64(r);
	g->quant.qw = bytes_get_f64(r);
	g->quant.qwy = bytes_get_f64(r);
	g->quant.qwy2 = bytes_get_f64(r);
	par->stats_memory = (Size) bytes_get_i64(r);
	if (g->n_arms < 1 || g->n_arms > TREE_MAX_ARMS ||
		par->n_trees < 1 || par->n_trees > TREE_MAX_TREES ||
		!(par->subsample > 0.0 && par->subsample <= 1.0) ||
		!grid_step_ok(g->quant.qw) || !grid_step_ok(g->quant.qwy) ||
		!grid_step_ok(g->quant.qwy2) ||
		par->stats_memory < 1024 * 1024 || par->stats_memory > MaxAllocHugeSize)
		bytes_corrupted(r, "A parameter of the forest is out of range");
	g->quant.inv_qw = 1.0 / g->quant.qw;
	g->quant.inv_qwy = 1.0 / g->quant.qwy;
	g->quant.inv_qwy2 = 1.0 / g->quant.qwy2;
	init_draws(g);
}

/*
 * A tree's nodes read back: children come after their parent, in the tree,
 * so that a walk from the root ends; features, code sets and slots exist.
 */
static void
read_router_tree(ByteReader *r, GrowCtx *g, GrowTree *tree)
{
	tree->open = bytes_get_u8(r) == 1;
	tree->n = bytes_get_i32(r);
	if (tree->n < 1 || (Size) tree->n > (r->len - r->pos) / 18)
		bytes_corrupted(r, "A tree's node count is out of range");
	tree->cap = tree->n;
	tree->nodes = palloc0(sizeof(GrowNode) * tree->n);
	for (int32 i = 0; i < tree->n; i++)
	{
		GrowNode   *nd = &tree->nodes[i];
		int32		feature;
		int32		set;

		nd->split.left = bytes_get_i32(r);
		feature = bytes_get_i32(r);
		nd->split.flags = bytes_get_u8(r);
		nd->split.code = bytes_get_u8(r);
		set = bytes_get_i32(r);
		nd->slot = bytes_get_i32(r);
		if ((nd->split.left >= 0 && (nd->split.left <= i || nd->split.left >= tree->n - 1)) ||
			nd->split.left < -1 || feature < 0 || feature >= g->p ||
			set < 0 || (set > 0 && set >= g->n_sets) ||
			((nd->split.flags & TREE_NODE_CATEGORICAL) && set >= g->n_sets) ||
			nd->slot < -1 || nd->slot >= g->n_slots)
			bytes_corrupted(r, "A node of a tree is out of range");
		nd->split.feature = (int16) feature;
		nd->split.u.set = set;
	}
}

TreeGrower *
tree_grower_read_router(ByteReader *r, bool *leaves)
{
	GrowCtx    *g = palloc0(sizeof(GrowCtx));
	Size		n_feats;

	if (bytes_get_u8(r) != TREE_ROUTER_VERSION)
		bytes_corrupted(r, "Unknown version of a forest's router");
	*leaves = bytes_get_u8(r) == 1;
	g->bins = read_bins(r);
	g->p = g->bins->p;
	read_router_params(r, g);
	g->n_slots = bytes_get_i32(r);
	g->n_feat = bytes_get_i32(r);
	if (g->n_slots < 0 || g->n_feat < 1 || g->n_feat > g->p || (*leaves && g->n_feat != 1))
		bytes_corrupted(r, "The slots of a forest's router are out of range");
	n_feats = *leaves ? 0 : (Size) g->n_slots * g->n_feat;
	if (n_feats > (r->len - r->pos) / 4)
		bytes_corrupted(r, "The slots of a forest's router are out of range");
	g->slot_feats = palloc_extended(sizeof(int32) * Max(n_feats, 1), MCXT_ALLOC_HUGE);
	for (Size k = 0; k < n_feats; k++)
	{
		g->slot_feats[k] = bytes_get_i32(r);
		if (g->slot_feats[k] < 0 || g->slot_feats[k] >= g->p)
			bytes_corrupted(r, "A feature of a slot is out of range");
	}
	g->n_sets = bytes_get_i32(r);
	if (g->n_sets < 0 || (Size) g->n_sets > (r->len - r->pos) / sizeof(TreeCodeSet))
		bytes_corrupted(r, "The code sets of a forest's router are out of range");
	g->cap_sets = Max(g->n_sets, 1);
	g->sets = palloc(sizeof(TreeCodeSet) * g->cap_sets);
	for (int32 k = 0; k < g->n_sets; k++)
		for (int b = 0; b < (int) sizeof(g->sets[k].bits); b++)
			g->sets[k].bits[b] = bytes_get_u8(r);
	g->trees = palloc0(sizeof(GrowTree) * g->par->n_trees);
	for (int32 t = 0; t < g->par->n_trees; t++)
	{
		CHECK_FOR_INTERRUPTS();
		read_router_tree(r, g, &g->trees[t]);
	}
	bytes_expect_end(r);
	return g;
}

const TreeBins *
tree_grower_bins(const TreeGrower *g)
{
	return g->bins;
}

TreeStats *
tree_grower_router_stats(const TreeGrower *g, bool leaves)
{
	int32		n_codes = leaves ? 1 : g->bins->max_code + 1;

	return tree_stats_create(g->n_slots, leaves ? 1 : g->n_feat, n_codes, g->n_arms,
							 g->par->stats_memory);
}
