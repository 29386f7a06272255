-- pgTAP: the allocation's rules checked against plain SQL: the same answer
-- whatever the row order, no budget limit = each unit's best action by value,
-- a budget of 0 = free actions only, deterministic ties, include_no_offer.
BEGIN;
SELECT plan(8);

CREATE FUNCTION pg_temp.u01(VARIADIC k int[]) RETURNS float8
LANGUAGE sql IMMUTABLE AS
$$ SELECT ('x' || substr(md5(array_to_string(k, ',')), 1, 8))::bit(32)::bigint / 4294967296.0 $$;

CREATE TABLE alloc_rules_c AS
SELECT u::bigint AS unit_id, a AS action,
       round((pg_temp.u01(u, a, 1) * 10 - 3)::numeric, 2)::float8 AS value,
       round((pg_temp.u01(u, a, 2) * 6 - 1)::numeric, 2)::float8 AS cost
FROM generate_series(1, 3000) u, generate_series(1, 5) a
WHERE pg_temp.u01(u, a, 3) < 0.8;

SELECT is((SELECT count(*) FROM (
              (SELECT * FROM allocate_budget('SELECT * FROM alloc_rules_c ORDER BY unit_id, action', 2000)
               EXCEPT ALL
               SELECT * FROM allocate_budget('SELECT * FROM alloc_rules_c ORDER BY md5(unit_id::text || action::text)', 2000))
              UNION ALL
              (SELECT * FROM allocate_budget('SELECT * FROM alloc_rules_c ORDER BY md5(unit_id::text || action::text)', 2000)
               EXCEPT ALL
               SELECT * FROM allocate_budget('SELECT * FROM alloc_rules_c ORDER BY unit_id, action', 2000))) d),
          0::bigint, 'the same allocation whatever order the rows come in');

-- no limit: every unit with a positive value gets its most valuable action
-- (among equals the cheaper, then the lower action); budget 0: the same among actions that
-- cost nothing or save
CREATE TEMP TABLE best_any AS
SELECT DISTINCT ON (unit_id) * FROM alloc_rules_c WHERE value > 0
ORDER BY unit_id, value DESC, greatest(cost, 0), action;
CREATE TEMP TABLE best_free AS
SELECT DISTINCT ON (unit_id) * FROM alloc_rules_c WHERE value > 0 AND cost <= 0 ORDER BY unit_id, value DESC, action;
CREATE TEMP TABLE got_any AS SELECT * FROM allocate_budget('SELECT * FROM alloc_rules_c', 'Infinity');
CREATE TEMP TABLE got_free AS SELECT * FROM allocate_budget('SELECT * FROM alloc_rules_c', 0);

SELECT is((SELECT count(*) FROM ((TABLE got_any EXCEPT ALL TABLE best_any)
                                 UNION ALL (TABLE best_any EXCEPT ALL TABLE got_any)) d),
          0::bigint, 'an infinite budget gives each unit its most valuable action');
SELECT is((SELECT count(*) FROM ((TABLE got_free EXCEPT ALL TABLE best_free)
                                 UNION ALL (TABLE best_free EXCEPT ALL TABLE got_free)) d),
          0::bigint, 'a budget of 0 gives only free actions, the most valuable of them');
SELECT cmp_ok((SELECT count(*) FROM got_free), '>', 0::bigint, 'and there are some');

SELECT is((SELECT count(*) FROM allocate_budget('SELECT * FROM alloc_rules_c', 500, '{"include_no_offer": true}')),
          (SELECT count(DISTINCT unit_id) FROM alloc_rules_c),
          'include_no_offer returns every unit of the candidates once');
SELECT is((SELECT count(*) FROM allocate_budget('SELECT * FROM alloc_rules_c', 500, '{"include_no_offer": true}')
           WHERE action = 0 AND (value <> 0 OR cost <> 0)), 0::bigint,
          'units left with no offer come back as (unit, 0, 0, 0)');

-- ties: identical units, room for two of them: the lowest unit_ids win
SELECT results_eq(
    $$SELECT unit_id FROM allocate_budget('SELECT u::bigint, 1, 3.0::float8, 2.0::float8 FROM generate_series(10, 1, -1) u', 4)
      ORDER BY 1$$,
    $$VALUES (1::bigint), (2::bigint)$$,
    'equal ratios are taken in unit_id order');
-- equal cost and value within a unit: the lower action
SELECT results_eq(
    $$SELECT action FROM allocate_budget('VALUES (1::bigint, 3, 5.0::float8, 1.0::float8), (1, 2, 5.0, 1.0)', 10)$$,
    $$VALUES (2)$$,
    'equal actions of a unit: the lower action number');

SELECT * FROM finish();
ROLLBACK;
