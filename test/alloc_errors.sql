-- pgTAP: every rejected input of the allocation functions, with its SQLSTATE,
-- and nothing half-written when the candidates turn bad part-way through.
BEGIN;
SELECT plan(44);

CREATE TABLE alloc_err_c (unit_id bigint, action int, value float8, cost float8);
INSERT INTO alloc_err_c VALUES (1, 1, 5, 2), (1, 2, 8, 5), (2, 1, 3, 1), (3, 2, 4, 4);
CREATE TABLE alloc_err_out (unit_id bigint, action int, value float8, cost float8);

SELECT throws_ok($$SELECT * FROM allocate_budget('SELECT * FROM no_such_table', 10)$$,
                 '42P01', NULL, 'a failing candidates query raises its own error');
SELECT throws_ok($$SELECT * FROM allocate_budget('SELEC 1', 10)$$,
                 '42601', NULL, 'a candidates query with a syntax error is rejected');
SELECT throws_ok($$SELECT * FROM allocate_budget('SELECT unit_id, action, value FROM alloc_err_c', 10)$$,
                 '42804', 'candidates query must return 4 columns', 'three columns are rejected');
SELECT throws_ok($$SELECT * FROM allocate_budget('SELECT unit_id, action, value::numeric, cost FROM alloc_err_c', 10)$$,
                 '42804', 'column 3 ("value") of the candidates query has type numeric',
                 'a numeric value column is rejected and named');
SELECT throws_ok($$SELECT * FROM allocate_budget('SELECT unit_id::text, action, value, cost FROM alloc_err_c', 10)$$,
                 '42804', 'column 1 ("unit_id") of the candidates query has type text',
                 'a text unit_id column is rejected and named');
SELECT throws_ok($$SELECT * FROM allocate_budget('SELECT * FROM alloc_err_c UNION ALL SELECT 2, 1, 1, 1', 10)$$,
                 '21000', NULL, 'a duplicate (unit, action) pair is rejected');
SELECT throws_ok($$SELECT * FROM allocate_budget('SELECT * FROM alloc_err_c', -1)$$,
                 '22023', NULL, 'a negative budget is rejected');
SELECT throws_ok($$SELECT * FROM allocate_budget('SELECT * FROM alloc_err_c', 'NaN')$$,
                 '22023', NULL, 'a NaN budget is rejected');
SELECT throws_ok($$SELECT * FROM allocate_budget('SELECT * FROM alloc_err_c', NULL)$$,
                 '22004', NULL, 'a NULL budget is rejected');
SELECT throws_ok($$SELECT * FROM allocate_budget(NULL, 10)$$,
                 '22004', NULL, 'a NULL candidates query is rejected');
SELECT throws_ok($$SELECT * FROM allocate_budget('SELECT * FROM alloc_err_c', 10, '{"min_roj": 1}')$$,
                 '22023', 'unknown option "min_roj" for allocate_budget', 'an unknown option is rejected');
SELECT throws_ok($$SELECT * FROM allocate_budget('SELECT * FROM alloc_err_c', 10, '{"max_units": {"3": 1}}')$$,
                 '22023', 'option "max_units" caps action 3, which no candidate has',
                 'a cap for an action no candidate has is rejected');
SELECT throws_ok($$SELECT * FROM allocate_budget('SELECT * FROM alloc_err_c', 10, '{"max_units": {"one": 1}}')$$,
                 '22023', NULL, 'a cap keyed by something other than an action is rejected');
SELECT throws_ok($$SELECT * FROM allocate_budget('SELECT * FROM alloc_err_c', 10, '{"max_units": {"1": -1}}')$$,
                 '22023', NULL, 'a negative cap is rejected');
SELECT throws_ok($$SELECT * FROM allocate_budget('SELECT * FROM alloc_err_c', 10, '{"max_units": [1, 2]}')$$,
                 '22023', NULL, 'max_units that is not an object is rejected');
SELECT throws_ok($$SELECT * FROM allocate_budget('SELECT * FROM alloc_err_c', 10, '{"pace": 1.5}')$$,
                 '22023', NULL, 'a pace above 1 is rejected');
SELECT throws_ok($$SELECT * FROM allocate_budget('SELECT * FROM alloc_err_c', 10, '{"spent": -1}')$$,
                 '22023', NULL, 'a negative spent is rejected');
SELECT throws_ok($$SELECT * FROM allocate_budget('SELECT * FROM alloc_err_c', 10, '{"min_roi": -0.5}')$$,
                 '22023', NULL, 'a negative min_roi is rejected');
SELECT throws_ok($$SELECT * FROM allocate_budget('SELECT * FROM alloc_err_c UNION ALL SELECT 4, 0, 0, 0', 10)$$,
                 '22023', NULL, 'action 0 among the candidates is rejected');
SELECT throws_ok($$SELECT * FROM allocate_budget('SELECT * FROM alloc_err_c UNION ALL SELECT 4, 40000, 1, 1', 10)$$,
                 '22023', NULL, 'an action above 32767 is rejected');
SELECT throws_ok($$SELECT * FROM allocate_budget('SELECT * FROM alloc_err_c UNION ALL SELECT NULL, 1, 1, 1', 10)$$,
                 '22004', NULL, 'a NULL unit_id is rejected');
SELECT throws_ok($$SELECT * FROM allocate_budget('SELECT * FROM alloc_err_c UNION ALL SELECT 9, 1, ''NaN'', 1', 10)$$,
                 '22000', NULL, 'a NaN value is rejected');
SELECT throws_ok($$SELECT * FROM allocate_budget_summary('SELECT * FROM alloc_err_c', 10, '{"pace": "half"}')$$,
                 '22023', NULL, 'allocate_budget_summary checks its options too');

-- nothing half-written: the last unit (in unit_id order) is bad, after
-- rows for the others were read
SELECT throws_ok($$INSERT INTO alloc_err_out
                   SELECT * FROM allocate_budget('SELECT * FROM alloc_err_c UNION ALL SELECT 99, 1, 1, ''Infinity''', 100)$$,
                 '22000', NULL, 'a bad row at the end fails the whole allocation');
SELECT is((SELECT count(*) FROM alloc_err_out), 0::bigint, 'and no assignment row was written');

SELECT throws_ok($$SELECT allocate_threshold(v, c, 10) FROM (VALUES (ARRAY[1, 2]::float8[], ARRAY[1]::float8[])) t(v, c)$$,
                 '2202E', NULL, 'allocate_threshold: values and costs of different lengths are rejected');
SELECT throws_ok($$SELECT allocate_threshold(v, c, 10, '{"max_units": {"1": 1}}') FROM (VALUES (ARRAY[1]::float8[], ARRAY[1]::float8[])) t(v, c)$$,
                 '22023', NULL, 'allocate_threshold: an option of allocate_budget alone is rejected');
SELECT throws_ok($$SELECT allocate_action(ARRAY[1]::float8[], ARRAY[1]::float8[], -1)$$,
                 '22023', NULL, 'allocate_action: a negative threshold is rejected');

-- the candidates text is exactly one query that changes nothing: it cannot
-- close the parenthesis it is wrapped in, add statements or write
SELECT throws_ok($$SELECT * FROM allocate_budget('SELECT * FROM alloc_err_c) x;
                   INSERT INTO alloc_err_out VALUES (9, 1, 1, 1);
                   SELECT * FROM (SELECT * FROM alloc_err_c', 10)$$,
                 '42601', NULL, 'a candidates text that closes the wrapping parenthesis is rejected');
SELECT throws_ok($$SELECT * FROM allocate_budget('SELECT * FROM alloc_err_c; SELECT 1, 2, 3.0, 4.0', 10)$$,
                 '42601', 'candidates query of allocate_budget must be exactly one statement',
                 'two statements are rejected');
SELECT throws_ok($$SELECT * FROM allocate_budget_summary('SELECT * FROM alloc_err_c; DROP TABLE alloc_err_out', 10)$$,
                 '42601', 'candidates query of allocate_budget_summary must be exactly one statement',
                 'allocate_budget_summary rejects two statements too');
SELECT throws_ok($$SELECT * FROM allocate_budget('INSERT INTO alloc_err_out VALUES (9, 1, 1, 1) RETURNING *', 10)$$,
                 '0A000', 'candidates query of allocate_budget must be a SELECT query',
                 'an INSERT ... RETURNING is rejected');
SELECT throws_ok($$SELECT * FROM allocate_budget('WITH w AS (INSERT INTO alloc_err_out VALUES (9, 1, 1, 1) RETURNING *) SELECT * FROM w', 10)$$,
                 '0A000', NULL, 'a data-modifying CTE is rejected');
SELECT throws_ok($$SELECT * FROM allocate_budget('WITH a AS (SELECT 1), w AS (DELETE FROM alloc_err_out RETURNING *) SELECT * FROM alloc_err_c UNION ALL SELECT * FROM w', 10)$$,
                 '0A000', NULL, 'a data-modifying CTE after a plain one is rejected');
SELECT throws_ok($$SELECT * FROM allocate_budget('SELECT * INTO alloc_err_new FROM alloc_err_c', 10)$$,
                 '0A000', NULL, 'a SELECT INTO is rejected');
SELECT throws_ok($$SELECT * FROM allocate_budget('SELECT * FROM alloc_err_c FOR UPDATE', 10)$$,
                 '0A000', NULL, 'a SELECT FOR UPDATE is rejected');
SELECT throws_ok($$SELECT * FROM allocate_budget('CREATE TABLE alloc_err_new AS SELECT * FROM alloc_err_c', 10)$$,
                 '0A000', NULL, 'a CREATE TABLE AS is rejected');
SELECT is((SELECT count(*) FROM alloc_err_out), 0::bigint, 'nothing was written by the rejected texts');
SELECT is((SELECT count(*)::int FROM allocate_budget(
               'WITH c AS (SELECT * FROM alloc_err_c) VALUES (7::bigint, 1, 1.0::float8, 1.0::float8) UNION ALL TABLE c -- the end', 100)),
          4, 'WITH, VALUES, UNION, TABLE and a final comment are accepted');

-- a candidates query without rows says so (the WARNING is in sql/alloc.sql)
SET LOCAL client_min_messages = error;
SELECT is((SELECT reason FROM allocate_budget_summary('SELECT * FROM alloc_err_c WHERE false', 10)),
          'the candidates query returned no rows', 'the summary says when there were no candidates');
SELECT is((SELECT reason FROM allocate_budget_summary('SELECT unit_id, action, -value, cost FROM alloc_err_c', 10)),
          'no candidate is worth more than no offer (value 0 or less, below min_roi, or NULL)',
          'the summary says when no candidate is worth anything');
SELECT is((SELECT reason FROM allocate_budget_summary('SELECT * FROM alloc_err_c', 0.5)),
          'no candidate fits in the budget available', 'the summary says when the budget buys nothing');
SELECT is((SELECT reason FROM allocate_budget_summary('SELECT * FROM alloc_err_c', 10)),
          NULL, 'no reason when units got actions');
RESET client_min_messages;

-- the candidates query runs with the caller's rights
CREATE ROLE alloc_err_nobody;
GRANT USAGE ON SCHEMA public TO alloc_err_nobody;
SET LOCAL ROLE alloc_err_nobody;
SELECT throws_ok($$SELECT * FROM allocate_budget('SELECT * FROM alloc_err_c', 10)$$,
                 '42501', NULL, 'a caller without rights on the candidates cannot read them through allocate_budget');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
