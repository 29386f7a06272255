/*
 * tree_split.c
 *	  Split criteria of the tree engine (see tree_split.h).
 */
#include "postgres.h"

#include <math.h>

#include "tree_split.h"

const char *const tree_criterion_names[] = {
	"kl", "ed", "chi", "ddp", "cts", "variance", "gini", "entropy", NULL
};

/* Weight of the treatment-versus-control part of normI (causalml's alpha). */
#define NORM_ALPHA 0.9

/* causalml's kl_divergence: KL of Bernoulli(pk) from Bernoulli(qk). */
static double
kl_divergence(double pk, double qk)
{
	const double eps = 1e-6;

	if (qk == 0.0)
		return 0.0;
	qk = Min(Max(qk, eps), 1.0 - eps);
	if (pk == 0.0)
		return -log(1.0 - qk);
	if (pk == 1.0)
		return -log(qk);
	return pk * log(pk / qk) + (1.0 - pk) * log((1.0 - pk) / (1.0 - qk));
}

/* causalml's entropyH(p): -p log p. */
static double
entropy_self(double p)
{
	return p > 0.0 ? -p * log(p) : 0.0;
}

/* causalml's entropyH(p, q): -p log q. */
static double
entropy_cross(double p, double q)
{
	return q > 0.0 ? -p * log(q) : 0.0;
}

/*
 * causalml's normI: the normalisation of Rzepakowski and Jaroszewicz,
 * from the control's and treatments' sizes in the node (n_c, n_t[]) and in
 * the left child (n_c_left, n_t_left[]), n_treat treatments.
 */
static double
norm_factor(double n_c, double n_c_left, const double *n_t,
			const double *n_t_left, int n_treat)
{
	double		sum_t = 0.0,
				sum_t_left = 0.0,
				pt_a,
				pc_a,
				r;

	for (int i = 0; i < n_treat; i++)
	{
		sum_t += n_t[i];
		sum_t_left += n_t_left[i];
	}
	pt_a = sum_t_left / (sum_t + 0.1);
	pc_a = n_c_left / (n_c + 0.1);
	r = NORM_ALPHA * entropy_cross(sum_t / (sum_t + n_c), n_c / (sum_t + n_c))
		* kl_divergence(pt_a, pc_a);
	for (int i = 0; i < n_treat; i++)
	{
		double		pt_a_i = n_t_left[i] / (n_t[i] + 0.1);

		r += (1.0 - NORM_ALPHA)
			* entropy_cross(n_t[i] / (n_t[i] + n_c), n_c / (n_t[i] + n_c))
			* kl_divergence(pt_a_i, pc_a);
		r += n_t[i] / (sum_t + n_c) * entropy_self(pt_a_i);
	}
	r += n_c / (sum_t + n_c) * entropy_self(pc_a);
	return r + 0.5;
}

void
tree_split_scratch_init(TreeSplitScratch *scr, int32 n_arms)
{
	scr->right = palloc(sizeof(TreeCell) * n_arms);
	scr->sum_left = palloc(sizeof(double) * n_arms);
	scr->sum_right = palloc(sizeof(double) * n_arms);
}

void
tree_node_summary(const TreeSplitParams *sp, const TreeCell *cells,
				  const double *parent, double *out)
{
	bool		shrink = tree_criterion_is_uplift(sp->criterion);

	for (int32 a = 0; a < sp->n_arms; a++)
	{
		const TreeCell *c = &cells[a];

		if (parent == NULL || !shrink)
			out[a] = c->sw > 0.0 ? c->swy / c->sw : 0.0;
		else if (c->n > sp->min_samples_treatment)
			out[a] = (c->swy + parent[a] * sp->n_reg) / (c->sw + sp->n_reg);
		else
			out[a] = parent[a];
	}
}

double
tree_summary_score(const TreeSplitParams *sp, const double *s)
{
	double		pc = s[0],
				d = 0.0;

	if (sp->criterion == TREE_CTS)
	{
		double		best = s[0];

		for (int32 a = 1; a < sp->n_arms; a++)
			best = Max(best, s[a]);
		return -best;
	}
	for (int32 a = 1; a < sp->n_arms; a++)
	{
		double		diff = s[a] - pc;

		switch (sp->criterion)
		{
			case TREE_KL:
				d += kl_divergence(s[a], pc);
				break;
			case TREE_ED:
				d += 2.0 * diff * diff;
				break;
			case TREE_CHI:
				d += diff * diff / Max(1e-6, pc) + diff * diff / Max(1e-6, 1.0 - pc);
				break;
			default:			/* TREE_DDP */
				d += diff;
				break;
		}
	}
	return d;
}

/* Impurity x weight of a 0/1 or continuous node for the plain criteria. */
static double
plain_impurity(TreeCriterion crit, const TreeCell *c)
{
	double		p;

	if (c->sw <= 0.0)
		return 0.0;
	p = c->swy / c->sw;
	switch (crit)
	{
		case TREE_GINI:
			return c->sw * 2.0 * p * (1.0 - p);
		case TREE_ENTROPY:
			return c->sw * ((p > 0.0 ? -p * log2(p) : 0.0) +
							(p < 1.0 ? -(1.0 - p) * log2(1.0 - p) : 0.0));
		default:				/* TREE_VARIANCE: sum w y^2 - (sum w y)^2 / sum w */
			return -c->swy * c->swy / c->sw;
	}
}

static double
plain_gain(const TreeSplitParams *sp, const TreeCell *node,
		   const TreeCell *left, const TreeCell *right, double *importance)
{
	double		gain;

	if (left->n < sp->min_samples_leaf || right->n < sp->min_samples_leaf ||
		left->sw <= 0.0 || right->sw <= 0.0)
		return -INFINITY;
	gain = plain_impurity(sp->criterion, node) -
		plain_impurity(sp->criterion, left) -
		plain_impurity(sp->criterion, right);
	*importance = gain;
	return gain;
}

/* Sizes of both children, and whether every arm has enough rows in each. */
static bool
uplift_sizes_ok(const TreeSplitParams *sp, const TreeCell *left,
				const TreeCell *right, double *sw_left, double *sw_right)
{
	double		n_left = 0.0,
				n_right = 0.0;

	*sw_left = *sw_right = 0.0;
	for (int32 a = 0; a < sp->n_arms; a++)
	{
		if (left[a].n < sp->min_samples_treatment ||
			right[a].n < sp->min_samples_treatment)
			return false;
		n_left += left[a].n;
		n_right += right[a].n;
		*sw_left += left[a].sw;
		*sw_right += right[a].sw;
	}
	return n_left >= sp->min_samples_leaf && n_right >= sp->min_samples_leaf &&
		*sw_left > 0.0 && *sw_right > 0.0;
}

double
tree_split_gain(const TreeSplitParams *sp, const TreeCell *node,
				const double *node_summary, const TreeCell *left,
				TreeSplitScratch *scr, double *importance)
{
	TreeCell   *right = scr->right;
	double		sw_left,
				sw_right,
				sw,
				p,
				d_node,
				d_left,
				d_right,
				gain;

	for (int32 a = 0; a < sp->n_arms; a++)
		tree_cell_diff(&right[a], &node[a], &left[a]);
	if (!tree_criterion_is_uplift(sp->criterion))
		return plain_gain(sp, node, left, right, importance);
	if (!uplift_sizes_ok(sp, left, right, &sw_left, &sw_right))
		return -INFINITY;

	sw = sw_left + sw_right;
	p = sw_left / sw;
	tree_node_summary(sp, left, node_summary, scr->sum_left);
	tree_node_summary(sp, right, node_summary, scr->sum_right);
	d_node = tree_summary_score(sp, node_summary);
	d_left = tree_summary_score(sp, scr->sum_left);
	d_right = tree_summary_score(sp, scr->sum_right);

	switch (sp->criterion)
	{
		case TREE_CTS:
			*importance = sw * d_node - sw_left * d_left - sw_right * d_right;
			return d_node - p * d_left - (1.0 - p) * d_right;
		case TREE_DDP:
			*importance = fabs(sw_left * d_left - sw_right * d_right);
			return fabs(d_left - d_right);
		default:
			break;
	}
	*importance = sw_left * d_left + sw_right * d_right - sw * d_node;
	gain = p * d_left + (1.0 - p) * d_right - d_node;
	if (sp->normalization)
	{
		/* sum_left and sum_right are free again: reuse them for the sizes */
		double	   *n_t = scr->sum_left,
				   *n_t_left = scr->sum_right;

		for (int32 a = 1; a < sp->n_arms; a++)
		{
			n_t[a - 1] = node[a].sw;
			n_t_left[a - 1] = left[a].sw;
		}
		gain /= norm_factor(node[0].sw, left[0].sw, n_t, n_t_left, sp->n_arms - 1);
	}
	return gain;
}
