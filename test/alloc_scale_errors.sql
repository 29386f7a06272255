-- pgTAP: bad input to the two-step allocation path (allocate_threshold,
-- allocate_action), and what a NULL array or element means there.
BEGIN;
SELECT plan(13);

SELECT throws_ok($$SELECT allocate_action(ARRAY[[1, 2], [3, 4]]::float8[], ARRAY[[1, 1], [1, 1]]::float8[], 0.5)$$,
                 '2202E', 'action_values must be a one-dimensional array',
                 'allocate_action: two-dimensional arrays are rejected, naming the argument');
SELECT throws_ok($$SELECT allocate_action(ARRAY[1, 2]::float8[], ARRAY[1]::float8[], 0.5)$$,
                 '2202E', 'action_costs must have 2 elements',
                 'allocate_action: arrays of different lengths are rejected, naming the argument and the length of action_values');
SELECT throws_ok($$SELECT allocate_action(ARRAY['NaN', 1]::float8[], ARRAY[1, 1]::float8[], 0.5)$$,
                 '22000', NULL, 'allocate_action: a NaN value is rejected');
SELECT throws_ok($$SELECT allocate_action(ARRAY[1, 1]::float8[], ARRAY[1, 'Infinity']::float8[], 0.5)$$,
                 '22000', NULL, 'allocate_action: an infinite cost is rejected');
SELECT throws_ok($$SELECT allocate_action(array_fill(1::float8, ARRAY[40000]), array_fill(1::float8, ARRAY[40000]), 0.5)$$,
                 '2202E', 'action_values must have at most 32767 elements',
                 'allocate_action: more actions than supported are rejected');
SELECT throws_ok($$SELECT allocate_action(ARRAY[1]::float8[], ARRAY[1]::float8[], NULL)$$,
                 '22004', NULL, 'allocate_action: a NULL threshold is rejected');
SELECT throws_ok($$SELECT allocate_action(ARRAY[1]::float8[], ARRAY[1]::float8[], 'NaN')$$,
                 '22023', NULL, 'allocate_action: a NaN threshold is rejected');

-- A NULL array: no candidates, no offer.  A NULL element: that action is not
-- offered.  Action 1 (value 10) with its cost taken as 0 would win over
-- action 2 (value 5, cost 1: ratio 5 > 0.5); left out, action 2 is taken.
SELECT is(allocate_action(NULL, ARRAY[1]::float8[], 0.5), 0, 'allocate_action: a NULL array gives no offer');
SELECT is(allocate_action(ARRAY[10, 5]::float8[], ARRAY[NULL, 1]::float8[], 0.5), 2,
          'allocate_action: a NULL element leaves that action out');

SELECT throws_ok($$SELECT allocate_threshold(v, c, 10) FROM (VALUES (ARRAY['NaN']::float8[], ARRAY[1]::float8[])) t(v, c)$$,
                 '22000', NULL, 'allocate_threshold: a NaN value is rejected');
SELECT throws_ok($$SELECT allocate_threshold(v, c, NULL) FROM (VALUES (ARRAY[1]::float8[], ARRAY[1]::float8[])) t(v, c)$$,
                 '22004', NULL, 'allocate_threshold: a NULL budget is rejected');
SELECT is((SELECT allocate_threshold(v, c, 10) FROM (VALUES (ARRAY[1]::float8[], ARRAY[1]::float8[])) t(v, c) WHERE false),
          NULL, 'allocate_threshold: no rows give NULL');
-- Two units whose only candidates are NULL arrays: nothing to spend on, so
-- every increment fits and the threshold is 0.
SELECT is((SELECT allocate_threshold(v, c, 10) FROM (VALUES (NULL::float8[], NULL::float8[]), (NULL, NULL)) t(v, c)),
          0::float8, 'allocate_threshold: units with NULL arrays have no candidates');

SELECT * FROM finish();
ROLLBACK;
