-- pgTAP: uplift_fit_query checks its query and the query's columns.
BEGIN;
SELECT plan(9);

CREATE TEMP TABLE d AS
SELECT i, ARRAY[i % 7, (i * 13) % 11]::float8[] AS x, i % 2 AS t,
       ((i * 7) % 3 = 0)::int::float8 AS y
FROM generate_series(1, 200) i;

SELECT throws_ok($$SELECT uplift_fit_query(NULL)$$, '22004',
                 'query of uplift_fit_query must not be NULL', 'a NULL query is rejected');
SELECT throws_ok($$SELECT uplift_fit_query('SELECT x, t, y FROM d; SELECT 1')$$, '42601', NULL,
                 'two statements are rejected');
SELECT throws_ok($$SELECT uplift_fit_query('DELETE FROM d RETURNING x, t, y')$$, '0A000', NULL,
                 'a statement that changes data is rejected');
SELECT throws_ok($$SELECT uplift_fit_query('SELECT x, t FROM d')$$, '22023',
                 'query of uplift_fit_query must return 3 or 4 columns', 'two columns are rejected');
SELECT throws_ok($$SELECT uplift_fit_query('SELECT x, t, y, y, y FROM d')$$, '22023',
                 'query of uplift_fit_query must return 3 or 4 columns', 'five columns are rejected');
SELECT throws_ok($$SELECT uplift_fit_query('SELECT x::text, t, y FROM d')$$, '42804',
                 'column 1 (features) of query of uplift_fit_query has type text',
                 'features of another type are rejected, naming the column');
SELECT throws_ok($$SELECT uplift_fit_query('SELECT x, t::float8, y FROM d')$$, '42804',
                 'column 2 (treatment) of query of uplift_fit_query has type double precision',
                 'a treatment of another type is rejected');
SELECT throws_ok($$SELECT uplift_fit_query('SELECT x, t, y::int FROM d')$$, '42804',
                 'column 3 (outcome) of query of uplift_fit_query has type integer',
                 'an outcome of another type is rejected');
SELECT throws_ok($$SELECT uplift_fit_query('SELECT x, t, y, 0.5 FROM d')$$, '42804',
                 'column 4 (propensity) of query of uplift_fit_query has type numeric',
                 'a propensity of another type is rejected');

SELECT * FROM finish();
ROLLBACK;
