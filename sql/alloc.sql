-- allocate_budget and the two-step path on a small example whose answer can
-- be checked by hand (doc/allocation.md walks through it).
CREATE TABLE alloc_demo (unit_id bigint, action int, value float8, cost float8);
INSERT INTO alloc_demo VALUES
    (1, 1, 10, 5), (1, 2, 12, 10),   -- 1 -> 2 adds 2 for 5 more: ratio 0.4
    (2, 1, 3, 1),  (2, 2, 8, 4),     -- ratios 3, then 5/3
    (3, 1, -1, 2),                   -- worth nothing: never chosen
    (4, 1, 5, 0),                    -- free: always chosen
    (5, 2, 7, -1),                   -- saves money: chosen, saving not spent
    (6, 1, NULL, 3);                 -- no estimate: not a candidate

-- budget 10: increments by ratio: free ones, 3 (unit 2), 2 (unit 1),
-- 5/3 (unit 2 upgrade) cost 1 + 5 + 3 = 9; unit 1's upgrade (5 more) does not fit
SELECT * FROM allocate_budget('SELECT * FROM alloc_demo', 10) ORDER BY unit_id;

-- the same, with a no-offer row (action 0, value 0, cost 0) for units 3 and 6
SELECT * FROM allocate_budget('SELECT * FROM alloc_demo', 10, '{"include_no_offer": true}')
ORDER BY unit_id;

-- LP bound: 30 + (1/5) * 2 = 30.4.  8 candidate rows of 6 units, 4 assigned:
-- value 10 + 8 + 5 + 7 = 30, cost 5 + 4 + 0 - 1 = 8; the largest value
-- increment taken is unit 1's 10; the threshold is the ratio 0.4 of unit 1's
-- upgrade, the first increment that did not fit
SELECT candidate_rows, units, assigned, total_value, total_cost, available,
       round(lp_bound::numeric, 6) AS lp_bound, round(gap::numeric, 6) AS gap,
       largest_increment, threshold, units_per_action
FROM allocate_budget_summary('SELECT * FROM alloc_demo', 10);

-- min_roi 2: unit 1's action 2 (12/10) is out; unit 2 stays at action 1,
-- since the upgrade to action 2 adds 5 for 3 more (5/3 < 2), although action 2
-- alone (8/4) would pass
SELECT * FROM allocate_budget('SELECT * FROM alloc_demo', 10, '{"min_roi": 2}') ORDER BY unit_id;

-- pace and spent: 20 * 0.5 - 4 = 6 available: the free units 4 and 5, then
-- unit 2's action 1 (ratio 3, cost 1) and unit 1's action 1 (ratio 2, cost
-- 5) spend 1 + 5 + 0 - 1 = 5 for 3 + 10 + 5 + 7 = 25; unit 2's upgrade (3
-- more) no longer fits
SELECT sum(cost) AS spent_now, sum(value) AS value
FROM allocate_budget('SELECT * FROM alloc_demo', 20, '{"pace": 0.5, "spent": 4}');

-- a cap of one unit on action 1: the free unit 4 takes it first; units 1
-- and 2 then want action 2, and only unit 2's fits
SELECT * FROM allocate_budget('SELECT * FROM alloc_demo', 10, '{"max_units": {"1": 1}}') ORDER BY unit_id;

-- a budget of 0: only what costs nothing
SELECT * FROM allocate_budget('SELECT * FROM alloc_demo', 0) ORDER BY unit_id;

-- the two-step path on the same units, one row per unit with arrays
CREATE TABLE alloc_demo_units AS
SELECT u AS unit_id,
       array_agg(d.value ORDER BY a) AS v,
       array_agg(d.cost ORDER BY a) AS c
FROM generate_series(1, 6) u CROSS JOIN generate_series(1, 2) a
LEFT JOIN alloc_demo d ON d.unit_id = u AND d.action = a
GROUP BY u;

-- the threshold is the same 0.4 as the summary's, and allocate_action gives
-- each unit the action allocate_budget gave it (0 for units 3 and 6)
SELECT allocate_threshold(v, c, 10) FROM alloc_demo_units;

SELECT unit_id, allocate_action(v, c, t) AS action
FROM alloc_demo_units, (SELECT allocate_threshold(v, c, 10) AS t FROM alloc_demo_units) s
ORDER BY unit_id;

-- a candidates query without rows: a WARNING, and the summary says why
SELECT * FROM allocate_budget('SELECT * FROM alloc_demo WHERE unit_id > 100', 10);
SELECT candidate_rows, assigned, reason
FROM allocate_budget_summary('SELECT * FROM alloc_demo WHERE unit_id > 100', 10);
-- a second statement smuggled into the candidates text is refused
SELECT * FROM allocate_budget('SELECT * FROM alloc_demo) x; DELETE FROM alloc_demo; SELECT * FROM (SELECT * FROM alloc_demo', 10);
SELECT * FROM allocate_budget('SELECT * FROM alloc_demo; DELETE FROM alloc_demo', 10);
SELECT count(*) FROM alloc_demo;

DROP TABLE alloc_demo, alloc_demo_units;

