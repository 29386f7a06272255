-- pgTAP: the contact cap and the exclusions of allocate_budget,
-- allocate_budget_summary and the two-step path (allocate_threshold and
-- allocate_action with unit ids).  A hand-built log whose capped units are
-- known, a closed-form allocation under the budget on both paths, the
-- caller's rights on the log (row-level security), a parallel plan against
-- the serial answer, and bad input.
BEGIN;
SELECT plan(39);

-- Six units, one action each: value 10 u, cost 1.  With a budget of 3 and
-- nothing left alone, units 6, 5 and 4 get the offer.
CREATE TABLE cand AS
SELECT u::bigint AS unit_id, 1 AS action, 10.0::float8 * u AS value, 1.0::float8 AS cost
  FROM generate_series(1, 6) u;
CREATE TABLE cand_arrays AS
SELECT unit_id, ARRAY[value] AS vals, ARRAY[cost] AS costs FROM cand;

-- The log, as of 2026-03-31 00:00+00 with a 30-day window [03-01, 03-31):
--   unit 6: two offers in the window (experiments a, b)        -> capped at 2
--   unit 5: one offer in the window, one on 02-15 (outside)    -> 1 offer
--   unit 3: one offer and one action 0 (no offer) in the window -> 1 offer
--   unit 2: one offer in the window, one at 03-31 00:00 (as_of) -> 1 offer
--   unit 1: two offers in the window under a text unit_key    -> not a unit_id
SELECT uplift_create_assignment_log();
INSERT INTO uplift_assignment_log (experiment, unit_id, unit_key, action, propensity, policy, assigned_at)
VALUES ('a', 6, NULL, 1, 0.5, 'weights', '2026-03-20 10:00+00'),
       ('b', 6, NULL, 2, 0.5, 'weights', '2026-03-25 10:00+00'),
       ('a', 5, NULL, 1, 0.5, 'weights', '2026-03-05 10:00+00'),
       ('b', 5, NULL, 1, 0.5, 'weights', '2026-02-15 10:00+00'),
       ('a', 3, NULL, 1, 0.5, 'weights', '2026-03-10 10:00+00'),
       ('b', 3, NULL, 0, 0.5, 'weights', '2026-03-11 10:00+00'),
       ('a', 2, NULL, 1, 0.5, 'weights', '2026-03-12 10:00+00'),
       ('b', 2, NULL, 1, 0.5, 'weights', '2026-03-31 00:00+00'),
       ('a', NULL, '1', 1, 0.5, 'weights', '2026-03-12 10:00+00'),
       ('b', NULL, '1', 1, 0.5, 'weights', '2026-03-13 10:00+00');
-- a do-not-disturb list
CREATE TABLE dnd (unit_id bigint);
INSERT INTO dnd VALUES (4), (99);

-- Capped: 6.  Excluded: 4.  The budget of 3 goes to 5, 3, 2 (value 100).
CREATE TEMP TABLE opts AS SELECT
  '{"contact_cap": {"max_contacts": 2, "window": "30 days"}, "as_of": "2026-03-31 00:00+00", "exclude": "dnd"}'::jsonb AS o;

SELECT results_eq(
  $$SELECT unit_id FROM allocate_budget('SELECT * FROM cand', 3, (SELECT o FROM opts)) ORDER BY 1$$,
  ARRAY[2, 3, 5]::bigint[],
  'allocate_budget: the capped and the excluded unit are skipped, the budget goes to the next best');
SELECT results_eq(
  $$SELECT assigned, total_value, total_cost, excluded, capped, units
      FROM allocate_budget_summary('SELECT * FROM cand', 3, (SELECT o FROM opts))$$,
  $$VALUES (3::bigint, 100::float8, 3::float8, 1::bigint, 1::bigint, 6::bigint)$$,
  'allocate_budget_summary counts the excluded and the capped units, which spend nothing');
SELECT results_eq(
  $$SELECT unit_id, action FROM allocate_budget('SELECT * FROM cand', 3,
        (SELECT o || '{"include_no_offer": true}' FROM opts)) ORDER BY 1$$,
  $$VALUES (1::bigint, 0), (2, 1), (3, 1), (4, 0), (5, 1), (6, 0)$$,
  'include_no_offer returns the units left alone with action 0');
SELECT results_eq(
  $$SELECT unit_id FROM allocate_budget('SELECT * FROM cand', 3,
        '{"contact_cap": {"max_contacts": 1, "window": "30 days"}, "as_of": "2026-03-31 00:00+00"}') ORDER BY 1$$,
  ARRAY[1, 4]::bigint[],
  'max_contacts 1: every unit offered once in the window is capped (2, 3, 5, 6)');
SELECT results_eq(
  $$SELECT unit_id FROM allocate_budget('SELECT * FROM cand', 3,
        '{"contact_cap": {"max_contacts": 2, "window": "60 days"}, "as_of": "2026-03-31 00:00+00"}') ORDER BY 1$$,
  ARRAY[2, 3, 4]::bigint[],
  'a 60-day window reaches unit 5''s offer of 15 February: 5 and 6 are capped');
SELECT results_eq(
  $$SELECT unit_id FROM allocate_budget('SELECT * FROM cand', 3,
        '{"contact_cap": {"max_contacts": 2, "window": "30 days"}, "as_of": "2026-03-31 00:00:01+00"}') ORDER BY 1$$,
  ARRAY[3, 4, 5]::bigint[],
  'a second later the offer at 03-31 00:00 is inside the window: unit 2 is capped too');
SELECT results_eq(
  $$SELECT unit_id FROM allocate_budget('SELECT * FROM cand', 3,
        '{"contact_cap": {"max_contacts": 2, "window": "30 days"}, "as_of": "2026-03-01 00:00+00"}') ORDER BY 1$$,
  ARRAY[4, 5, 6]::bigint[],
  'as_of before every offer: nobody is capped (no leakage from the future)');
SELECT results_eq(
  $$SELECT unit_id FROM allocate_budget('SELECT * FROM cand', 10,
        '{"exclude": "SELECT unit_id FROM dnd UNION ALL SELECT 1"}') ORDER BY 1$$,
  ARRAY[2, 3, 5, 6]::bigint[],
  'exclude as a query: its units get nothing even with budget to spare');
SELECT results_eq(
  $$SELECT unit_id FROM allocate_budget('SELECT * FROM cand', 10, '{"exclude": "public.dnd"}') ORDER BY 1$$,
  ARRAY[1, 2, 3, 5, 6]::bigint[],
  'exclude as a schema-qualified table name');
SELECT results_eq(
  $$SELECT reason FROM allocate_budget_summary('SELECT * FROM cand WHERE unit_id IN (4, 6)', 3, (SELECT o FROM opts))$$,
  ARRAY['every unit is excluded or has reached its contact cap'],
  'the summary says why nobody got an offer');

-- The two-step path with unit ids, same options: the same units.
SELECT results_eq(
  $$WITH t AS (SELECT allocate_threshold(unit_id, vals, costs, 3, (SELECT o FROM opts)) AS th FROM cand_arrays)
    SELECT unit_id FROM cand_arrays, t
     WHERE allocate_action(unit_id, vals, costs, th, (SELECT o FROM opts)) > 0 ORDER BY 1$$,
  ARRAY[2, 3, 5]::bigint[],
  'two-step path: the same allocation as allocate_budget');
SELECT is((SELECT allocate_action(6, ARRAY[60.0], ARRAY[1.0], 0, o) FROM opts), 0,
          'allocate_action gives a capped unit 0 even at threshold 0');
SELECT is((SELECT allocate_action(4, ARRAY[40.0], ARRAY[1.0], 0, o) FROM opts), 0,
          'allocate_action gives an excluded unit 0');
SELECT is((SELECT allocate_action(5, ARRAY[50.0], ARRAY[1.0], 0, o) FROM opts), 1,
          'allocate_action gives a free unit its action');
SELECT is((SELECT allocate_threshold(unit_id, vals, costs, 'Infinity', NULL) FROM cand_arrays), 0::float8,
          'with unit ids and no options: nothing is left alone');

-- The caller's rights: a role that may read experiment a only does not see
-- unit 6's offer in b, so unit 6 is not capped for it.
CREATE ROLE uplift_cap_reader;
INSERT INTO uplift_experiment_grants VALUES ('a', 'uplift_cap_reader', 'read');
GRANT SELECT ON cand, dnd TO uplift_cap_reader;
GRANT SELECT ON opts TO uplift_cap_reader;
SET ROLE uplift_cap_reader;
SELECT results_eq(
  $$SELECT unit_id FROM allocate_budget('SELECT * FROM cand', 3,
        '{"contact_cap": {"max_contacts": 2, "window": "30 days"}, "as_of": "2026-03-31 00:00+00"}') ORDER BY 1$$,
  ARRAY[4, 5, 6]::bigint[],
  'row-level security: offers of experiments the caller may not read do not count');
RESET ROLE;
REVOKE SELECT ON dnd FROM uplift_cap_reader;
SET ROLE uplift_cap_reader;
SELECT throws_ok($$SELECT * FROM allocate_budget('SELECT * FROM cand', 3, '{"exclude": "dnd"}')$$,
                 '42501', NULL, 'the exclusion table is read with the caller''s rights');
RESET ROLE;

-- Closed form at scale: 5000 units, value u, cost 1, budget 100; units
-- with u % 7 = 0 offered three times in the window (cap 3), units with
-- u % 11 = 0 on the do-not-disturb list.  The allocation is the 100 largest
-- u that are neither.
CREATE TABLE big AS
SELECT u::bigint AS unit_id, ARRAY[u::float8] AS vals, ARRAY[1.0::float8] AS costs
  FROM generate_series(1, 5000) u;
INSERT INTO uplift_assignment_log (experiment, unit_id, action, propensity, policy, assigned_at)
SELECT 'e' || k, u, 1, 0.5, 'weights', timestamptz '2026-03-20 00:00+00' + k * interval '1 hour'
  FROM generate_series(7, 5000, 7) u, generate_series(1, 3) k;
CREATE TABLE big_dnd AS SELECT u::bigint AS unit_id FROM generate_series(11, 5000, 11) u;
ANALYZE big;
ANALYZE big_dnd;
CREATE TEMP TABLE expected AS
SELECT u::bigint AS unit_id FROM generate_series(1, 5000) u
 WHERE u % 7 <> 0 AND u % 11 <> 0 ORDER BY u DESC LIMIT 100;
CREATE TEMP TABLE big_opts AS SELECT
  '{"contact_cap": {"max_contacts": 3, "window": "30 days"}, "as_of": "2026-03-31 00:00+00", "exclude": "big_dnd"}'::jsonb AS o;

SELECT set_eq(
  $$SELECT unit_id FROM allocate_budget('SELECT unit_id, 1, vals[1], costs[1] FROM big', 100, (SELECT o FROM big_opts))$$,
  $$SELECT unit_id FROM expected$$,
  'allocate_budget at scale: the 100 best units that are neither capped nor excluded');
SELECT results_eq(
  $$SELECT excluded, capped FROM allocate_budget_summary('SELECT unit_id, 1, vals[1], costs[1] FROM big', 100,
        (SELECT o FROM big_opts))$$,
  $$VALUES ((5000 / 11)::bigint, (5000 / 7 - 5000 / 77)::bigint)$$,
  'the summary counts 454 excluded and 650 capped (multiples of 77 count as excluded)');

SELECT force_serial();
CREATE TEMP TABLE serial AS
SELECT allocate_threshold(unit_id, vals, costs, 100, (SELECT o FROM big_opts)) AS th FROM big;
SELECT set_eq(
  $$SELECT unit_id FROM big, serial WHERE allocate_action(unit_id, vals, costs, th, (SELECT o FROM big_opts)) > 0$$,
  $$SELECT unit_id FROM expected$$,
  'two-step path at scale, serial: the same 100 units');
SELECT force_parallel();
SELECT ok((SELECT bool_or(l ~ 'Partial Aggregate') FROM explain_lines($$SELECT allocate_threshold(unit_id, vals, costs, 100,
                  '{"contact_cap": {"max_contacts": 3, "window": "30 days"}, "exclude": "big_dnd"}') FROM big$$) l),
          'the threshold aggregate runs in parallel workers');
SELECT is((SELECT allocate_threshold(unit_id, vals, costs, 100,
                  '{"contact_cap": {"max_contacts": 3, "window": "30 days"}, "as_of": "2026-03-31 00:00+00", "exclude": "big_dnd"}')
             FROM big),
          (SELECT th FROM serial), 'the parallel threshold equals the serial one');
SELECT force_serial();

-- Bad input.
SELECT throws_ok($$SELECT * FROM allocate_budget('SELECT * FROM cand', 3, '{"contact_cap": {"max_contacts": 0, "window": "30 days"}}')$$,
                 '22023', 'option "contact_cap.max_contacts" of allocate_budget must be a whole number, 1 or more',
                 'a cap below 1');
SELECT throws_ok($$SELECT * FROM allocate_budget('SELECT * FROM cand', 3, '{"contact_cap": {"max_contacts": 2.5, "window": "30 days"}}')$$,
                 '22023', NULL, 'a cap that is not a whole number');
SELECT throws_ok($$SELECT * FROM allocate_budget('SELECT * FROM cand', 3, '{"contact_cap": {"max_contacts": 2, "window": "a month ago"}}')$$,
                 '22023', 'option "contact_cap.window" of allocate_budget must be an interval',
                 'a window that is not an interval');
SELECT throws_ok($$SELECT * FROM allocate_budget('SELECT * FROM cand', 3, '{"contact_cap": {"max_contacts": 2, "window": 30}}')$$,
                 '22023', 'option "contact_cap.window" of allocate_budget must be a string',
                 'a window that is a number');
SELECT throws_ok($$SELECT * FROM allocate_budget('SELECT * FROM cand', 3, '{"contact_cap": {"max_contacts": 2, "window": "-1 day"}}')$$,
                 '22023', 'option "contact_cap.window" of allocate_budget must be positive', 'a negative window');
SELECT throws_ok($$SELECT * FROM allocate_budget('SELECT * FROM cand', 3, '{"contact_cap": {"max_contacts": 2, "window": "1 day", "days": 3}}')$$,
                 '22023', 'option "contact_cap" of allocate_budget has unknown key "days"', 'an unknown key in contact_cap');
SELECT throws_ok($$SELECT * FROM allocate_budget('SELECT * FROM cand', 3, '{"contact_cap": 3}')$$,
                 '22023', 'option "contact_cap" of allocate_budget must be a JSON object', 'contact_cap not an object');
SELECT throws_ok($$SELECT * FROM allocate_budget('SELECT * FROM cand', 3, '{"contact_cap": {"window": "1 day"}}')$$,
                 '22023', 'option "contact_cap" of allocate_budget needs "max_contacts"', 'contact_cap without max_contacts');
SELECT throws_ok($$SELECT * FROM allocate_budget('SELECT * FROM cand', 3, '{"contact_cap": {"max_contacts": 2, "window": "1 day"}, "as_of": "soonish"}')$$,
                 '22023', 'option "as_of" of allocate_budget must be a timestamp with time zone', 'a bad as_of');
SELECT throws_ok($$SELECT * FROM allocate_budget('SELECT * FROM cand', 3, '{"as_of": "2026-03-31"}')$$,
                 '22023', 'option "as_of" of allocate_budget needs option "contact_cap"', 'as_of without a cap');
SELECT throws_ok($$SELECT * FROM allocate_budget('SELECT * FROM cand', 3, '{"exclude": "SELECT 1; DELETE FROM dnd"}')$$,
                 '42601', 'option "exclude" of allocate_budget must be exactly one statement', 'two statements in exclude');
SELECT throws_ok($$SELECT * FROM allocate_budget('SELECT * FROM cand', 3, '{"exclude": "DELETE FROM dnd RETURNING unit_id"}')$$,
                 '0A000', 'option "exclude" of allocate_budget must be a SELECT query', 'a DELETE in exclude');
SELECT throws_ok($$SELECT * FROM allocate_budget('SELECT * FROM cand', 3, '{"exclude": "SELECT ''x''"}')$$,
                 '42804', 'option "exclude" of allocate_budget must return one column of unit ids', 'exclude returning text');
SELECT throws_ok($$SELECT * FROM allocate_budget('SELECT * FROM cand', 3, '{"exclude": "no_such_table"}')$$,
                 '42P01', NULL, 'exclude naming a missing table');
SELECT throws_ok($$SELECT * FROM allocate_budget('SELECT * FROM cand', 3, '{"exclude": " ; "}')$$,
                 '22023', 'option "exclude" of allocate_budget must not be empty', 'an empty exclude');
SELECT throws_ok($$SELECT allocate_threshold(vals, costs, 3, '{"exclude": "dnd"}') FROM cand_arrays$$,
                 '22023', 'option "exclude" of allocate_threshold needs the unit ids',
                 'exclude in the overload without unit ids');
SELECT throws_ok($$SELECT allocate_action(NULL::bigint, ARRAY[1.0], ARRAY[1.0], 0, '{}')$$,
                 '22004', 'unit_id of allocate_action must not be NULL', 'a NULL unit_id');

SELECT * FROM finish();
ROLLBACK;
