/*
 * forest.c
 *	  SQL glue of the forests of a model: uplift_tree_nodes, one tree's nodes
 *	  as rows, for people who want to look at a tree (uplift_model_info
 *	  summarises the forests).
 *
 *	  uplift_tree_nodes(model, tree [, head])
 *
 * Trees and heads are numbered from 1 (a head's number is its position in
 * the "heads" of uplift_model_info); so are the nodes of a tree, root
 * first, every node before its children.
 */
#include "uplift.h"

#include "catalog/pg_type.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"

#include "model.h"
#include "tree_model.h"

/* Columns of uplift_tree_nodes. */
enum
{
	COL_NODE, COL_PARENT, COL_DEPTH, COL_FEATURE, COL_THRESHOLD, COL_CATEGORIES,
	COL_MISSING_LEFT, COL_LEFT, COL_RIGHT, COL_VALUES, N_COLS
};

/* The forest of head number "head" (1-based) of m, or an error. */
static const TreeForest *
head_forest(const UpliftModel *m, int32 head)
{
	if (m->base != UPLIFT_BASE_FOREST)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("model of uplift_tree_nodes has no trees"),
				 errdetail("It is a %s model with base \"%s\".",
						   uplift_learner_name(m->learner), uplift_base_name(m->base)),
				 errhint("Fit it with {\"learner\": \"forest\"} or {\"base\": \"forest\"}.")));
	if (head < 1 || head > m->n_heads)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("head of uplift_tree_nodes must be between 1 and %d", m->n_heads),
				 errdetail("Got %d.", head),
				 errhint("Heads are numbered as uplift_model_info lists them.")));
	return m->heads[head - 1].forest;
}

/*
 * The levels going left at a categorical split (a split on a native column
 * of named features): their names, and a NULL element when the levels not
 * among the key's kept ones (rare, pooled or unseen) go left too.
 */
static ArrayType *
split_categories(const UpliftModel *m, const TreeForest *f, const TreeNode *nd)
{
	const TreeBinFeature *bf = &f->feat[nd->feature];
	const UpliftFeatureKey *key = &m->encoding->keys[nd->feature];
	Datum	   *elems = palloc(sizeof(Datum) * (bf->nvalues + 1));
	bool	   *nulls = palloc0(sizeof(bool) * (bf->nvalues + 1));
	int			dims[1];
	int			lbs[1] = {1};
	int			n = 0;
	bool		other = tree_code_in_set(&f->sets[nd->u.set], TREE_CODE_OTHER);

	for (int k = 0; k < bf->nvalues; k++)
	{
		int			level = (int) bf->values[k];

		if (!tree_code_in_set(&f->sets[nd->u.set], (uint8) (k + 2)))
			continue;
		if (level < 0 || level >= key->n_levels || key->levels[level] == NULL)
			other = true;		/* the pooled levels share index -1 */
		else
			elems[n++] = CStringGetTextDatum(key->levels[level]);
	}
	if (other)
		nulls[n++] = true;
	dims[0] = n;
	return construct_md_array(elems, nulls, 1, dims, lbs, TEXTOID, -1, false, TYPALIGN_INT);
}

/* One row per node of tree t of forest f (head h of m). */
static void
emit_tree(ReturnSetInfo *rsinfo, const UpliftModel *m, const UpliftHead *h,
		  const TreeForest *f, int32 t)
{
	int32		lo = f->roots[t];
	int32		hi = t + 1 < f->n_trees ? f->roots[t + 1] : f->n_nodes;
	int32	   *parent = palloc0(sizeof(int32) * (hi - lo));
	int32	   *depth = palloc0(sizeof(int32) * (hi - lo));

	for (int32 i = lo; i < hi; i++)
	{
		const TreeNode *nd = &f->nodes[i];
		Datum		values[N_COLS];
		bool		nulls[N_COLS];
		int32		id = i - lo;

		CHECK_FOR_INTERRUPTS();
		memset(nulls, true, sizeof(nulls));
		values[COL_NODE] = Int32GetDatum(id + 1);
		nulls[COL_NODE] = false;
		values[COL_PARENT] = Int32GetDatum(parent[id]);
		nulls[COL_PARENT] = parent[id] == 0;
		values[COL_DEPTH] = Int32GetDatum(depth[id]);
		nulls[COL_DEPTH] = false;
		if (nd->left < 0)
		{
			Datum	   *v = palloc(sizeof(Datum) * f->n_arms);

			for (int32 a = 0; a < f->n_arms; a++)
				v[a] = Float8GetDatum(f->values[nd->u.value + a]);
			values[COL_VALUES] = PointerGetDatum(construct_array(v, f->n_arms, FLOAT8OID,
																 sizeof(float8), FLOAT8PASSBYVAL,
																 TYPALIGN_DOUBLE));
			nulls[COL_VALUES] = false;
		}
		else
		{
			int32		l = nd->left - lo;

			parent[l] = parent[l + 1] = id + 1;
			depth[l] = depth[l + 1] = depth[id] + 1;
			values[COL_FEATURE] = PointerGetDatum(cstring_to_text(uplift_head_column_name(m, h->role,
																							   nd->feature)));
			values[COL_MISSING_LEFT] = BoolGetDatum((nd->flags & TREE_NODE_DEFAULT_LEFT) != 0);
			values[COL_LEFT] = Int32GetDatum(l + 1);
			values[COL_RIGHT] = Int32GetDatum(l + 2);
			nulls[COL_FEATURE] = nulls[COL_MISSING_LEFT] = false;
			nulls[COL_LEFT] = nulls[COL_RIGHT] = false;
			if (nd->flags & TREE_NODE_CATEGORICAL)
				values[COL_CATEGORIES] = PointerGetDatum(split_categories(m, f, nd));
			else
				values[COL_THRESHOLD] = Float8GetDatum(nd->u.threshold);
			nulls[(nd->flags & TREE_NODE_CATEGORICAL) ? COL_CATEGORIES : COL_THRESHOLD] = false;
		}
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
}

/* uplift_tree_nodes(model, tree [, head]) */
PG_FUNCTION_INFO_V1(uplift_tree_nodes);
Datum
uplift_tree_nodes(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	const UpliftModel *m;
	const TreeForest *f;
	int32		tree;
	int32		head = PG_NARGS() > 2 ? PG_GETARG_INT32(2) : 1;

	m = uplift_model_cached_arg(fcinfo, 0, NULL);
	f = head_forest(m, head);
	tree = PG_GETARG_INT32(1);
	if (tree < 1 || tree > f->n_trees)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("tree of uplift_tree_nodes must be between 1 and %d", f->n_trees),
				 errdetail("Got %d.", tree),
				 errhint("The forest has %d trees.", f->n_trees)));
	InitMaterializedSRF(fcinfo, 0);
	emit_tree(rsinfo, m, &m->heads[head - 1], f, tree - 1);
	return (Datum) 0;
}
