-- pgTAP: allocate_budget against independent exact methods written here in
-- SQL and PL/pgSQL (never calling the extension's own solver):
--   * exhaustive search over every assignment, 200 random instances of
--     8 units x 3 actions;
--   * a dynamic program over integer costs, 300 units x 4 actions.
-- Checked: optimum - ours <= the largest increment (bounded by the largest
-- candidate value), ours <= the reported LP bound, optimum <= the LP bound,
-- and the returned costs, summed exactly as numeric, within the budget.
BEGIN;
SELECT plan(18);

-- A deterministic uniform number in [0, 1) from integers.
CREATE FUNCTION pg_temp.u01(VARIADIC k int[]) RETURNS float8
LANGUAGE sql IMMUTABLE AS
$$ SELECT ('x' || substr(md5(array_to_string(k, ',')), 1, 8))::bit(32)::bigint / 4294967296.0 $$;

-- Exhaustive search: costs are multiples of 1/8, so every sum is exact.
CREATE TEMP TABLE ex_c AS
SELECT s, u, a,
       round((pg_temp.u01(s, u, a, 1) * 12 - 2)::numeric, 2)::float8 AS value,
       floor(pg_temp.u01(s, u, a, 2) * 40) / 8.0 AS cost
FROM generate_series(1, 200) s, generate_series(1, 8) u, generate_series(1, 3) a;

CREATE TEMP TABLE ex_budget AS
SELECT s, 1 + floor(pg_temp.u01(s, 0, 0, 3) * 64) / 8.0 AS budget
FROM generate_series(1, 200) s;

-- every choice of each unit, no offer included
CREATE TEMP TABLE ex_choice AS
SELECT s, u, a, value, cost FROM ex_c
UNION ALL
SELECT s, u, 0, 0, 0 FROM generate_series(1, 200) s, generate_series(1, 8) u;

-- all 4^4 assignments of units 1-4 and of units 5-8
CREATE TEMP TABLE ex_half AS
SELECT c1.s, h.half,
       c1.value + c2.value + c3.value + c4.value AS v,
       c1.cost + c2.cost + c3.cost + c4.cost AS c,
       (c1.a = 1)::int + (c2.a = 1)::int + (c3.a = 1)::int + (c4.a = 1)::int AS n1
FROM (VALUES (0), (4)) h(half)
JOIN ex_choice c1 ON c1.u = h.half + 1
JOIN ex_choice c2 ON c2.s = c1.s AND c2.u = h.half + 2
JOIN ex_choice c3 ON c3.s = c1.s AND c3.u = h.half + 3
JOIN ex_choice c4 ON c4.s = c1.s AND c4.u = h.half + 4;

-- the optimum over all 4^8 assignments within the budget; the right half is
-- cut to its efficient assignments first (no cheaper one worth as much), which
-- leaves the maximum unchanged
CREATE TEMP TABLE ex_opt AS
WITH r AS (
    SELECT s, v, c FROM (
        SELECT s, v, c, max(v) OVER (PARTITION BY s ORDER BY c, v DESC
                                     ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS before
        FROM ex_half WHERE half = 4) x
    WHERE before IS NULL OR v > before)
SELECT l.s, max(l.v + r.v) AS opt
FROM ex_half l JOIN r ON r.s = l.s JOIN ex_budget b ON b.s = l.s
WHERE l.half = 0 AND l.c + r.c <= b.budget
GROUP BY l.s;

CREATE TEMP TABLE ex_ours AS
SELECT b.s, b.budget, m.*,
       (SELECT coalesce(sum(value), 0) FROM allocate_budget(q, b.budget)) AS value_rows,
       (SELECT coalesce(sum(cost::numeric), 0) FROM allocate_budget(q, b.budget)) AS cost_numeric,
       (SELECT max(value) FROM ex_c c WHERE c.s = b.s) AS largest_value
FROM ex_budget b,
     LATERAL (SELECT format('SELECT u::bigint, a, value, cost FROM ex_c WHERE s = %s', b.s) AS q) q,
     LATERAL allocate_budget_summary(q.q, b.budget) m;

SELECT is((SELECT count(*) FROM ex_opt o JOIN ex_ours r USING (s)), 200::bigint,
          'exhaustive: 200 instances solved both ways');
SELECT is((SELECT count(*) FROM ex_opt o JOIN ex_ours r USING (s)
           WHERE o.opt - r.total_value > r.largest_value + 1e-9), 0::bigint,
          'exhaustive: optimum - ours <= largest increment on every instance');
SELECT is((SELECT count(*) FROM ex_ours WHERE total_value > lp_bound + 1e-9), 0::bigint,
          'exhaustive: ours <= LP bound on every instance');
SELECT is((SELECT count(*) FROM ex_opt o JOIN ex_ours r USING (s) WHERE o.opt > r.lp_bound + 1e-9), 0::bigint,
          'exhaustive: the optimum <= LP bound on every instance (the bound is valid)');
SELECT is((SELECT count(*) FROM ex_ours WHERE cost_numeric > budget::numeric), 0::bigint,
          'exhaustive: returned costs summed as numeric never exceed the budget');
SELECT is((SELECT count(*) FROM ex_ours WHERE abs(value_rows - total_value) > 1e-9), 0::bigint,
          'exhaustive: summary totals match the returned rows');
SELECT cmp_ok((SELECT count(*) FROM ex_opt o JOIN ex_ours r USING (s)
               WHERE abs(o.opt - r.total_value) <= 1e-9), '>=', 140::bigint,
              'exhaustive: the optimum itself on at least 70% of instances');

-- Dynamic program over integer costs: best[c] = best value with cost <= c.
CREATE TEMP TABLE dp_c AS
SELECT s, u, a,
       round((pg_temp.u01(s, u, a, 11) * 25 - 5)::numeric, 3)::float8 AS value,
       floor(pg_temp.u01(s, u, a, 12) * 11)::float8 AS cost
FROM generate_series(1, 3) s, generate_series(1, 300) u, generate_series(1, 4) a;

CREATE FUNCTION pg_temp.mckp_dp(seed int, budget int) RETURNS float8
LANGUAGE plpgsql AS $$
DECLARE
    best float8[] := array_fill(0::float8, ARRAY[budget + 1]);
    nxt float8[];
    unit int;
    r record;
BEGIN
    FOR unit IN SELECT DISTINCT u FROM dp_c WHERE s = seed ORDER BY 1 LOOP
        nxt := best;
        FOR r IN SELECT cost::int AS cost, value FROM dp_c WHERE s = seed AND u = unit LOOP
            FOR c IN r.cost .. budget LOOP
                IF best[c - r.cost + 1] + r.value > nxt[c + 1] THEN
                    nxt[c + 1] := best[c - r.cost + 1] + r.value;
                END IF;
            END LOOP;
        END LOOP;
        best := nxt;
    END LOOP;
    RETURN best[budget + 1];
END $$;

CREATE TEMP TABLE dp_res AS
SELECT s, budget, pg_temp.mckp_dp(s, budget) AS opt, m.*,
       (SELECT coalesce(sum(cost::numeric), 0) FROM allocate_budget(q, budget)) AS cost_numeric,
       (SELECT max(value) FROM dp_c c WHERE c.s = b.s) AS largest_value
FROM (SELECT s, (200 + 150 * s) AS budget FROM generate_series(1, 3) s) b,
     LATERAL (SELECT format('SELECT u::bigint, a, value, cost FROM dp_c WHERE s = %s', b.s) AS q) q,
     LATERAL allocate_budget_summary(q.q, b.budget) m;

SELECT is((SELECT count(*) FROM dp_res), 3::bigint, 'dynamic program: 3 instances of 300 units x 4 actions');
SELECT is((SELECT count(*) FROM dp_res WHERE opt - total_value > largest_value + 1e-9), 0::bigint,
          'dynamic program: optimum - ours <= largest increment');
SELECT is((SELECT count(*) FROM dp_res WHERE total_value > lp_bound + 1e-9 OR opt > lp_bound + 1e-9), 0::bigint,
          'dynamic program: ours and the optimum <= LP bound');
SELECT is((SELECT count(*) FROM dp_res WHERE cost_numeric > budget), 0::bigint,
          'dynamic program: returned costs within the budget');
SELECT cmp_ok((SELECT max((opt - total_value) / opt) FROM dp_res), '<', 0.01::float8,
              'dynamic program: within 1% of the optimum');
SELECT is((SELECT count(*) FROM dp_res WHERE gap > largest_increment + 1e-9), 0::bigint,
          'dynamic program: reported gap <= largest increment');

-- With a cap of 2 units on action 1: the optimum by the same exhaustive
-- search (efficient right halves kept per number of action-1 units).
CREATE TEMP TABLE ex_opt_cap AS
WITH r AS (
    SELECT s, v, c, n1 FROM (
        SELECT s, v, c, n1, max(v) OVER (PARTITION BY s, n1 ORDER BY c, v DESC
                                         ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS before
        FROM ex_half WHERE half = 4) x
    WHERE before IS NULL OR v > before)
SELECT l.s, max(l.v + r.v) AS opt
FROM ex_half l JOIN r ON r.s = l.s JOIN ex_budget b ON b.s = l.s
WHERE l.half = 0 AND l.c + r.c <= b.budget AND l.n1 + r.n1 <= 2
GROUP BY l.s;

CREATE TEMP TABLE ex_ours_cap AS
SELECT b.s, b.budget, m.*,
       (SELECT count(*) FROM allocate_budget(q, b.budget, '{"max_units": {"1": 2}}') WHERE action = 1) AS n1
FROM ex_budget b,
     LATERAL (SELECT format('SELECT u::bigint, a, value, cost FROM ex_c WHERE s = %s', b.s) AS q) q,
     LATERAL allocate_budget_summary(q.q, b.budget, '{"max_units": {"1": 2}}') m;

SELECT is((SELECT count(*) FROM ex_ours_cap WHERE n1 > 2 OR total_cost > budget), 0::bigint,
          'exhaustive with a cap: the cap and the budget are respected');
SELECT is((SELECT count(*) FROM ex_opt_cap o JOIN ex_ours_cap r USING (s) WHERE r.total_value > o.opt + 1e-9), 0::bigint,
          'exhaustive with a cap: ours never beats the optimum (it is feasible)');
SELECT is((SELECT count(*) FROM ex_opt_cap o JOIN ex_ours_cap r USING (s) WHERE o.opt > r.lp_bound + 1e-9), 0::bigint,
          'exhaustive with a cap: the optimum <= the reported Lagrangian bound');
SELECT cmp_ok((SELECT sum(r.total_value) / sum(o.opt) FROM ex_opt_cap o JOIN ex_ours_cap r USING (s)), '>=', 0.95::float8,
              'exhaustive with a cap: at least 95% of the optimal value over all instances');

-- the greedy taken alone would stop at the first increment that does not
-- fit; ours keeps filling, so it is never below LP bound minus that increment
SELECT is((SELECT count(*) FROM ex_ours WHERE gap > largest_increment + 1e-9), 0::bigint,
          'exhaustive: reported gap <= largest increment');

SELECT * FROM finish();
ROLLBACK;
