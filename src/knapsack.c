/*
 * knapsack.c
 *	  The multiple-choice knapsack solver behind allocate_budget and the
 *	  threshold of the two-step allocation path.
 *
 * Method: the LP relaxation of the multiple-choice knapsack (Sinha and
 * Zoltners, "The multiple-choice knapsack problem", Operations Research 27(3),
 * 1979).  Each unit's points, together with no offer at (0, 0), are reduced to
 * their upper convex hull in the (cost, value) plane; the LP optimum takes hull
 * increments in decreasing order of incremental value per incremental cost
 * until the budget is exhausted, the last one fractionally.  The integer
 * answer takes the same increments whole while they fit, so it falls short of
 * the LP bound by less than the one increment that did not fit; then, to use
 * what is left of the budget, every unit moves on to the best point it can
 * still afford.
 *
 * Without caps, every unit's hull is built by Andrew's monotone chain
 * (ks_hull) and all increments are sorted by ratio and taken while they fit
 * (phase 1).
 * Then, and from the start when there are caps, a heap holds each unit's next
 * move from its current point (ks_next): when an action is full, units that
 * wanted it recompute their move without it; once the budget has run out,
 * units move to the best point they can still afford.
 *
 * Ties are broken deterministically: increments of equal ratio are taken in
 * unit_id order; within a unit, among points of equal ratio the cheaper one
 * comes first, and among points of equal cost and value the lower action.
 */
#include "uplift.h"

#include <math.h>

#include "miscadmin.h"
#include "utils/float.h"
#include "utils/memutils.h"

#include "knapsack.h"

KsProblem *
ks_create(double available, double min_roi, bool with_caps)
{
	KsProblem  *p = palloc0(sizeof(KsProblem));

	p->available = available;
	p->min_roi = min_roi;
	p->maxunits = 1024;
	p->units = palloc(p->maxunits * sizeof(KsUnit));
	p->maxpoints = 4096;
	p->points = palloc(p->maxpoints * sizeof(KsPoint));
	if (with_caps)
	{
		p->caps = palloc((KS_MAX_ACTION + 1) * sizeof(int64));
		for (int a = 0; a <= KS_MAX_ACTION; a++)
			p->caps[a] = -1;
		p->counts = palloc0((KS_MAX_ACTION + 1) * sizeof(int64));
	}
	return p;
}

/* Grow an array by half (at least "min_extra" more); sizes checked. */
static void *
grow_array(void *ptr, Size *max, Size elem, Size min_extra, Size limit)
{
	Size		newmax = *max + Max(*max / 2, min_extra);

	if (newmax > limit)
		newmax = limit;
	if (newmax <= *max || (double) newmax * elem >= (double) MaxAllocHugeSize)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("too many candidates for allocate_budget"),
				 errdetail("At most %zu units and %zu candidate points can be held in memory.",
						   (Size) PG_UINT32_MAX, (Size) PG_UINT32_MAX),
				 errhint("Use the two-step path (allocate_threshold and allocate_action) for larger inputs.")));
	*max = newmax;
	return repalloc_huge(ptr, newmax * elem);
}

static int
point_cmp(const void *a, const void *b)
{
	const KsPoint *x = a;
	const KsPoint *y = b;
	double		cx = ks_budget_cost(x);
	double		cy = ks_budget_cost(y);

	if (cx != cy)
		return cx < cy ? -1 : 1;
	if (x->value != y->value)
		return x->value > y->value ? -1 : 1;
	return (x->action > y->action) - (x->action < y->action);
}

static void
sort_points(KsPoint *pts, int m)
{
	if (m > 16)
	{
		qsort(pts, m, sizeof(KsPoint), point_cmp);
		return;
	}
	/* insertion sort: units have a handful of actions */
	for (int i = 1; i < m; i++)
	{
		KsPoint		x = pts[i];
		int			j = i;

		while (j > 0 && point_cmp(&pts[j - 1], &x) > 0)
		{
			pts[j] = pts[j - 1];
			j--;
		}
		pts[j] = x;
	}
}

int
ks_prepare_points(KsPoint *pts, int n, double min_roi, bool keep_dominated)
{
	int			m = 0;

	for (int i = 0; i < n; i++)
	{
		double		c = ks_budget_cost(&pts[i]);

		/* no offer (0, 0) is at least as good as a point worth nothing */
		if (!(pts[i].value > 0.0))
			continue;
		if (c > 0.0 && pts[i].value < min_roi * c)
			continue;
		pts[m++] = pts[i];
	}
	sort_points(pts, m);
	if (!keep_dominated)
	{
		int			k = 0;
		double		best = 0.0;

		/* sorted by cost: keep a point only if it beats every cheaper one */
		for (int i = 0; i < m; i++)
			if (pts[i].value > best)
			{
				best = pts[i].value;
				pts[k++] = pts[i];
			}
		m = k;
	}
	return m;
}

static inline bool
action_full(const KsProblem *p, int32 action)
{
	return p->caps != NULL && p->caps[action] >= 0 &&
		p->counts[action] >= p->caps[action];
}

int
ks_next(const KsPoint *pts, int n, int current, double min_roi,
		const KsProblem *p, bool check_fit, double *ratio)
{
	double		pv = current < 0 ? 0.0 : pts[current].value;
	double		pc = current < 0 ? 0.0 : ks_budget_cost(&pts[current]);
	int			best = -1;
	double		best_ratio = 0.0;

	for (int i = 0; i < n; i++)
	{
		double		qc = ks_budget_cost(&pts[i]);
		double		r;

		if (i == current || qc < pc || !(pts[i].value > pv))
			continue;
		if (qc > pc)
		{
			r = (pts[i].value - pv) / (qc - pc);
			if (r < min_roi)
				continue;
		}
		else
			r = get_float8_infinity();
		if (p != NULL && action_full(p, pts[i].action))
			continue;
		if (check_fit && !ks_fits(&p->spent, pc, qc, p->available))
			continue;
		/* strictly better only: among equal ratios the cheaper point wins */
		if (best < 0 || r > best_ratio)
		{
			best = i;
			best_ratio = r;
		}
	}
	*ratio = best_ratio;
	return best;
}

int
ks_hull(const KsPoint *pts, int n, double min_roi, int *targets, double *ratios)
{
	int			k = 0;

	/*
	 * Andrew's monotone chain from no offer (0, 0).  The points rise strictly
	 * in cost and in value (ks_prepare_points without keep_dominated), so a
	 * point is dropped when it lies strictly below the segment joining its
	 * neighbours; points on the segment stay, as with ks_next.
	 */
	for (int i = 0; i < n; i++)
	{
		double		qc = ks_budget_cost(&pts[i]);
		double		qv = pts[i].value;

		while (k > 0)
		{
			double		ac = k > 1 ? ks_budget_cost(&pts[targets[k - 2]]) : 0.0;
			double		av = k > 1 ? pts[targets[k - 2]].value : 0.0;
			double		bc = ks_budget_cost(&pts[targets[k - 1]]);
			double		bv = pts[targets[k - 1]].value;

			if ((bv - av) * (qc - ac) < (qv - av) * (bc - ac))
				k--;
			else
				break;
		}
		targets[k++] = i;
	}

	for (int j = 0; j < k; j++)
	{
		double		pc = j > 0 ? ks_budget_cost(&pts[targets[j - 1]]) : 0.0;
		double		pv = j > 0 ? pts[targets[j - 1]].value : 0.0;
		double		qc = ks_budget_cost(&pts[targets[j]]);
		double		r = qc > pc ? (pts[targets[j]].value - pv) / (qc - pc) : get_float8_infinity();

		/* an upgrade below min_roi ends the walk */
		if (r < min_roi)
			return j;
		/* never above the previous ratio, even by a rounding error */
		ratios[j] = (j > 0 && r > ratios[j - 1]) ? ratios[j - 1] : r;
	}
	return k;
}

void
ks_add_unit(KsProblem *p, int64 unit_id, KsPoint *pts, int n)
{
	KsUnit	   *u;

	n = ks_prepare_points(pts, n, p->min_roi, p->caps != NULL);
	if (p->nunits >= p->maxunits)
		p->units = grow_array(p->units, &p->maxunits, sizeof(KsUnit), 1024, PG_UINT32_MAX);
	while (p->npoints + n > p->maxpoints)
		p->points = grow_array(p->points, &p->maxpoints, sizeof(KsPoint), 4096, PG_UINT32_MAX);

	u = &p->units[p->nunits++];
	u->unit_id = unit_id;
	u->first = (uint32) p->npoints;
	u->npoints = (uint16) n;
	u->current = -1;
	p->max_unit_points = Max(p->max_unit_points, n);
	memcpy(p->points + p->npoints, pts, n * sizeof(KsPoint));
	p->npoints += n;
}

/* Heap order: larger ratio first, then smaller unit index (= smaller unit_id). */
static inline bool
heap_before(const KsHeapEntry *a, const KsHeapEntry *b)
{
	if (a->ratio != b->ratio)
		return a->ratio > b->ratio;
	return a->unit < b->unit;
}

static void
heap_sift_down(KsHeapEntry *heap, Size n, Size i)
{
	KsHeapEntry e = heap[i];

	for (;;)
	{
		Size		c = 2 * i + 1;

		if (c >= n)
			break;
		if (c + 1 < n && heap_before(&heap[c + 1], &heap[c]))
			c++;
		if (!heap_before(&heap[c], &e))
			break;
		heap[i] = heap[c];
		i = c;
	}
	heap[i] = e;
}

/*
 * Replace the heap's top (the unit just handled) by that unit's next
 * increment, or remove it when there is none.
 */
static void
heap_replace_top(KsHeapEntry *heap, Size *n, uint32 unit, int target, double ratio)
{
	if (target >= 0)
	{
		heap[0].ratio = ratio;
		heap[0].unit = unit;
		heap[0].target = (int16) target;
	}
	else
		heap[0] = heap[--(*n)];
	if (*n > 1)
		heap_sift_down(heap, *n, 0);
}

/* A hull increment of phase 1: unit moves from point "from" to "target". */
typedef struct KsInc
{
	double		ratio;
	uint32		unit;
	int16		from;
	int16		target;
} KsInc;

/*
 * Larger ratio first; equal ratios in unit_id order and, within a unit, in
 * hull order (targets are sorted by cost, so along the hull they increase).
 */
#define ST_SORT ks_sort_incs
#define ST_ELEMENT_TYPE KsInc
#define ST_COMPARE(a, b) \
	((a)->ratio != (b)->ratio ? ((a)->ratio > (b)->ratio ? -1 : 1) : \
	 (a)->unit != (b)->unit ? ((a)->unit < (b)->unit ? -1 : 1) : \
	 ((a)->target > (b)->target) - ((a)->target < (b)->target))
#define ST_SCOPE static
#define ST_CHECK_FOR_INTERRUPTS
#define ST_DEFINE
#include "lib/sort_template.h"

static void
note_memory(KsProblem *p)
{
	p->peak_memory = Max(p->peak_memory, MemoryContextMemAllocated(CurrentMemoryContext, true));
}

/*
 * Phase 1 without caps: every unit's hull increments, sorted by ratio, taken
 * while they fit.  Stops at the first one that does not fit, which gives the
 * LP bound.
 */
static void
solve_sorted(KsProblem *p, NeumaierSum *prefix)
{
	KsInc	   *incs;
	Size		ninc = 0;
	int		   *targets = palloc(Max(p->max_unit_points, 1) * sizeof(int));
	double	   *ratios = palloc(Max(p->max_unit_points, 1) * sizeof(double));

	incs = MemoryContextAllocHuge(CurrentMemoryContext, Max(p->npoints, 1) * sizeof(KsInc));
	for (Size u = 0; u < p->nunits; u++)
	{
		int			k = ks_hull(p->points + p->units[u].first, p->units[u].npoints,
								p->min_roi, targets, ratios);

		if ((u & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		for (int j = 0; j < k; j++)
		{
			incs[ninc].ratio = ratios[j];
			incs[ninc].unit = (uint32) u;
			incs[ninc].from = (int16) (j == 0 ? -1 : targets[j - 1]);
			incs[ninc].target = (int16) targets[j];
			ninc++;
		}
	}
	ks_sort_incs(incs, ninc);
	note_memory(p);

	for (Size i = 0; i < ninc; i++)
	{
		KsUnit	   *u = &p->units[incs[i].unit];
		const KsPoint *pts = p->points + u->first;
		const KsPoint *q = &pts[incs[i].target];
		double		pv = incs[i].from < 0 ? 0.0 : pts[incs[i].from].value;
		double		pc = incs[i].from < 0 ? 0.0 : ks_budget_cost(&pts[incs[i].from]);
		double		qc = ks_budget_cost(q);

		if ((i & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		Assert(u->current == incs[i].from);
		p->largest_increment = Max(p->largest_increment, q->value - pv);
		if (!ks_fits(&p->spent, pc, qc, p->available))
		{
			double		room = p->available - neumaier_value(&p->spent);
			double		frac = Min(Max(room / (qc - pc), 0.0), 1.0);

			/* the LP optimum takes this increment fractionally and stops */
			p->broken = true;
			p->threshold = incs[i].ratio;
			p->lp_bound = neumaier_value(prefix) + frac * (q->value - pv);
			break;
		}
		neumaier_add(prefix, q->value);
		neumaier_add(prefix, -pv);
		neumaier_add(&p->spent, qc);
		neumaier_add(&p->spent, -pc);
		u->current = incs[i].target;
	}
	pfree(incs);
	pfree(targets);
	pfree(ratios);
}

/*
 * The heap walk: every unit's next move (the best increment from its current
 * point, among actions not full and, once the budget has run out, among points
 * it can still afford) in a heap by ratio; the best is taken if it fits,
 * otherwise the unit looks for a cheaper move.  With caps this is the whole
 * solver; without, it only uses up what phase 1 left of the budget.
 */
static void
solve_heap(KsProblem *p, NeumaierSum *prefix)
{
	KsHeapEntry *heap;
	Size		nheap = 0;
	uint64		iter = 0;

	heap = MemoryContextAllocHuge(CurrentMemoryContext,
								  Max(p->nunits, 1) * sizeof(KsHeapEntry));
	for (Size u = 0; u < p->nunits; u++)
	{
		double		r;
		int			t = ks_next(p->points + p->units[u].first, p->units[u].npoints,
								p->units[u].current, p->min_roi, p, p->broken, &r);

		if (t >= 0)
		{
			heap[nheap].ratio = r;
			heap[nheap].unit = (uint32) u;
			heap[nheap].target = (int16) t;
			nheap++;
		}
	}
	for (Size i = nheap / 2; i-- > 0;)
		heap_sift_down(heap, nheap, i);
	note_memory(p);

	while (nheap > 0)
	{
		KsHeapEntry e = heap[0];
		KsUnit	   *u = &p->units[e.unit];
		const KsPoint *pts = p->points + u->first;
		const KsPoint *q = &pts[e.target];
		int			cur = u->current;
		double		pv = cur < 0 ? 0.0 : pts[cur].value;
		double		pc = cur < 0 ? 0.0 : ks_budget_cost(&pts[cur]);
		double		qc = ks_budget_cost(q);
		double		r;
		int			t;

		if ((++iter & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();

		if (action_full(p, q->action))
		{
			/* the action filled up since this move was computed */
			t = ks_next(pts, u->npoints, cur, p->min_roi, p, p->broken, &r);
			heap_replace_top(heap, &nheap, e.unit, t, r);
			continue;
		}

		p->largest_increment = Max(p->largest_increment, q->value - pv);
		if (ks_fits(&p->spent, pc, qc, p->available))
		{
			if (!p->broken)
			{
				neumaier_add(prefix, q->value);
				neumaier_add(prefix, -pv);
			}
			neumaier_add(&p->spent, qc);
			neumaier_add(&p->spent, -pc);
			if (p->caps != NULL)
			{
				if (cur >= 0)
					p->counts[pts[cur].action]--;
				p->counts[q->action]++;
			}
			u->current = e.target;
			t = ks_next(pts, u->npoints, e.target, p->min_roi, p, p->broken, &r);
		}
		else
		{
			if (!p->broken)
			{
				double		room = p->available - neumaier_value(&p->spent);
				double		frac = Min(Max(room / (qc - pc), 0.0), 1.0);

				p->broken = true;
				p->threshold = e.ratio;
				p->lp_bound = neumaier_value(prefix) + frac * (q->value - pv);
			}
			/* move on to the best point this unit can still afford */
			t = ks_next(pts, u->npoints, cur, p->min_roi, p, true, &r);
		}
		heap_replace_top(heap, &nheap, e.unit, t, r);
	}
	pfree(heap);
}

/* Give back the growth slack of the input arrays before solving. */
static void
trim_arrays(KsProblem *p)
{
	note_memory(p);
	p->maxunits = Max(p->nunits, 1);
	p->units = repalloc_huge(p->units, p->maxunits * sizeof(KsUnit));
	p->maxpoints = Max(p->npoints, 1);
	p->points = repalloc_huge(p->points, p->maxpoints * sizeof(KsPoint));
}

void
ks_solve(KsProblem *p)
{
	NeumaierSum prefix = {0, 0};

	trim_arrays(p);
	if (p->caps == NULL)
		solve_sorted(p, &prefix);
	solve_heap(p, &prefix);
	if (!p->broken)
		p->lp_bound = neumaier_value(&prefix);
	note_memory(p);
}

static int
double_cmp_desc(const void *a, const void *b)
{
	double		x = *(const double *) a;
	double		y = *(const double *) b;

	return (x < y) - (x > y);
}

/* Lagrangian value of unit u's best choice: max(0, max v - lambda c - mu). */
static double
unit_dual(const KsProblem *p, const KsUnit *u, double lambda, const double *mu,
		  int32 skip_action)
{
	double		best = 0.0;

	for (int i = 0; i < u->npoints; i++)
	{
		const KsPoint *q = &p->points[u->first + i];
		double		x;

		if (q->action == skip_action)
			continue;
		x = q->value - lambda * ks_budget_cost(q) - mu[q->action];
		best = Max(best, x);
	}
	return best;
}

/*
 * An upper bound on the best total value under the budget and the caps, by
 * Lagrangian relaxation (Fisher, "The Lagrangian relaxation method for solving
 * integer programming problems", Management Science 27(1), 1981):
 *
 *	  D(lambda, mu) = lambda A + sum_a mu_a cap_a
 *					+ sum_u max(0, max_q (v_q - lambda c_q - mu_a(q)))
 *
 * bounds the optimum for every lambda, mu >= 0.  lambda is the threshold at
 * which the budget ran out and each mu_a, in turn, the minimiser of D with
 * the others fixed: the (cap_a + 1)-th largest gain of action a over the
 * unit's best other choice.  Without caps this is the LP bound itself.
 */
double
ks_dual_bound(KsProblem *p)
{
	double		lambda;
	double	   *mu;
	double	   *gain;
	NeumaierSum d = {0, 0};

	if (p->caps == NULL)
		return p->lp_bound;

	lambda = (p->broken && !isinf(p->available)) ? p->threshold : 0.0;
	mu = palloc0((KS_MAX_ACTION + 1) * sizeof(double));
	gain = MemoryContextAllocHuge(CurrentMemoryContext, Max(p->nunits, 1) * sizeof(double));

	for (int a = 1; a <= KS_MAX_ACTION; a++)
	{
		Size		ng = 0;

		if (p->caps[a] < 0 || !p->action_seen[a])
			continue;
		for (Size k = 0; k < p->nunits; k++)
		{
			const KsUnit *u = &p->units[k];

			CHECK_FOR_INTERRUPTS();
			for (int i = 0; i < u->npoints; i++)
			{
				const KsPoint *q = &p->points[u->first + i];

				if (q->action == a)
				{
					double		g = q->value - lambda * ks_budget_cost(q) -
						unit_dual(p, u, lambda, mu, a);

					if (g > 0.0)
						gain[ng++] = g;
				}
			}
		}
		if (ng > (Size) p->caps[a])
		{
			qsort(gain, ng, sizeof(double), double_cmp_desc);
			mu[a] = gain[p->caps[a]];
		}
	}

	if (lambda > 0.0)
		neumaier_add(&d, lambda * p->available);
	for (int a = 1; a <= KS_MAX_ACTION; a++)
		if (mu[a] > 0.0)
			neumaier_add(&d, mu[a] * (double) p->caps[a]);
	for (Size k = 0; k < p->nunits; k++)
		neumaier_add(&d, unit_dual(p, &p->units[k], lambda, mu, -1));

	pfree(mu);
	pfree(gain);
	return neumaier_value(&d);
}

double
ks_available(double budget, double pace, double spent)
{
	double		prod;
	double		avail;

	if (pace == 0.0)
		prod = 0.0;
	else
	{
		prod = budget * pace;
		/* round the product down: fma gives its exact rounding error */
		if (!isinf(prod) && fma(budget, pace, -prod) < 0.0)
			prod = nextafter(prod, -get_float8_infinity());
	}
	avail = prod - spent;
	if (!isinf(avail))
	{
		/* exact error of the subtraction (Knuth's TwoSum) */
		double		bb = avail - prod;
		double		err = (prod - (avail - bb)) + (-spent - bb);

		if (err < 0.0)
			avail = nextafter(avail, -get_float8_infinity());
	}
	return avail > 0.0 ? avail : 0.0;
}

static int
step_cmp(const void *a, const void *b)
{
	const KsStep *x = a;
	const KsStep *y = b;

	if (x->ratio != y->ratio)
		return x->ratio > y->ratio ? -1 : 1;
	if (x->to_cost != y->to_cost)
		return x->to_cost < y->to_cost ? -1 : 1;
	if (x->from_cost != y->from_cost)
		return x->from_cost < y->from_cost ? -1 : 1;
	return 0;
}

Size
ks_steps_cut(KsStep *steps, Size n, double available, double *threshold)
{
	NeumaierSum spent = {0, 0};
	Size		i = 0;

	*threshold = 0.0;
	if (n == 0 || isinf(available))
		return n;
	qsort(steps, n, sizeof(KsStep), step_cmp);
	while (i < n)
	{
		NeumaierSum t = spent;
		Size		j = i;

		CHECK_FOR_INTERRUPTS();
		/* a group of equal ratios is taken whole or not at all */
		while (j < n && steps[j].ratio == steps[i].ratio)
		{
			neumaier_add(&t, steps[j].to_cost);
			neumaier_add(&t, -steps[j].from_cost);
			j++;
		}
		if ((t.sum - available) + t.comp > 0.0)
		{
			*threshold = steps[i].ratio;
			return j;
		}
		spent = t;
		i = j;
	}
	return n;
}
