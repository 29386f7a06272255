-- pgTAP: uplift_assign returns the same assignments whether its arguments
-- other than the unit are constants (the results are then built once per
-- call site and returned as read-only expanded records) or come from a
-- table (a row built per call), however the query uses the result: one
-- field, all fields, the whole row as text or JSON, stored in a table,
-- aggregated into an array, grouped, sorted, compared, passed to a function,
-- held in a PL/pgSQL variable, in FROM, and sent back from parallel workers.
BEGIN;
SELECT plan(16);

CREATE TABLE ar_units AS SELECT id FROM generate_series(1::bigint, 20000) id;
CREATE TABLE ar_args AS SELECT 'results'::text AS experiment, ARRAY[0.5, 0.3, 0.2]::float8[] AS weights,
                               0.1::float8 AS holdout, 'global'::text AS holdout_name;
ANALYZE ar_units;

-- the reference: every argument from ar_args, so none is a constant
CREATE TABLE ar_ref AS
SELECT u.id, uplift_assign(a.experiment, u.id, a.weights, a.holdout, a.holdout_name) AS r
FROM ar_units u, ar_args a;

SELECT is((SELECT count(*) FROM ar_ref r
           WHERE (uplift_assign('results', r.id, ARRAY[0.5, 0.3, 0.2], 0.1)).action IS DISTINCT FROM (r.r).action
              OR (uplift_assign('results', r.id, ARRAY[0.5, 0.3, 0.2], 0.1)).propensity IS DISTINCT FROM (r.r).propensity
              OR (uplift_assign('results', r.id, ARRAY[0.5, 0.3, 0.2], 0.1)).holdout IS DISTINCT FROM (r.r).holdout),
          0::bigint, 'each field of a call with constant arguments is the reference''s');
SELECT ok((SELECT count(DISTINCT (r).action) = 3 AND bool_or((r).holdout) AND NOT bool_and((r).holdout) FROM ar_ref),
          'the reference draws every action and holds some units out');
SELECT is((SELECT count(*) FROM (SELECT id, (uplift_assign('results', id, ARRAY[0.5, 0.3, 0.2], 0.1)).* FROM ar_units) s
           JOIN ar_ref r USING (id)
           WHERE (s.action, s.propensity, s.holdout) IS DISTINCT FROM ((r.r).action, (r.r).propensity, (r.r).holdout)),
          0::bigint, '(uplift_assign(...)).* gives the reference''s fields');
SELECT is((SELECT count(*) FROM ar_ref r
           WHERE uplift_assign('results', r.id, ARRAY[0.5, 0.3, 0.2], 0.1)::text <> r.r::text
              OR row_to_json(uplift_assign('results', r.id, ARRAY[0.5, 0.3, 0.2], 0.1))::text <> row_to_json(r.r)::text),
          0::bigint, 'the whole row as text and as JSON is the reference''s');
SELECT is((SELECT count(*) FROM ar_ref r WHERE uplift_assign('results', r.id, ARRAY[0.5, 0.3, 0.2], 0.1) <> r.r),
          0::bigint, 'the whole row compares equal to the reference''s');

CREATE TABLE ar_stored AS
SELECT id, uplift_assign('results', id, ARRAY[0.5, 0.3, 0.2], 0.1) AS a FROM ar_units;
SELECT is((SELECT count(*) FROM ar_stored s JOIN ar_ref r USING (id) WHERE s.a IS DISTINCT FROM r.r),
          0::bigint, 'rows stored in a table are the reference''s');
SELECT is((SELECT array_agg(uplift_assign('results', id, ARRAY[0.5, 0.3, 0.2], 0.1) ORDER BY id) FROM ar_units),
          (SELECT array_agg(r ORDER BY id) FROM ar_ref),
          'array_agg of the rows is the reference''s');
SELECT is((SELECT array_agg(g ORDER BY g) FROM
             (SELECT uplift_assign('results', id, ARRAY[0.5, 0.3, 0.2], 0.1)::text || ':' || count(*) AS g
              FROM ar_units GROUP BY 1 - 1, uplift_assign('results', id, ARRAY[0.5, 0.3, 0.2], 0.1)) s),
          (SELECT array_agg(g ORDER BY g) FROM (SELECT r::text || ':' || count(*) AS g FROM ar_ref GROUP BY r) s),
          'grouped by the row: the reference''s groups and counts');
SELECT is((SELECT array_agg(id) FROM (SELECT id FROM ar_units
                                      ORDER BY uplift_assign('results', id, ARRAY[0.5, 0.3, 0.2], 0.1), id LIMIT 50) s),
          (SELECT array_agg(id) FROM (SELECT id FROM ar_ref ORDER BY r, id LIMIT 50) s),
          'sorted by the row: the reference''s order');
SELECT is((SELECT count(*) FROM (SELECT DISTINCT uplift_assign('results', id, ARRAY[0.5, 0.3, 0.2], 0.1) FROM ar_units) s),
          4::bigint, 'DISTINCT rows: three actions and the holdout');
SELECT is((SELECT count(*) FROM ar_ref r
           WHERE uplift_assignment_check(uplift_assign('results', r.id, ARRAY[0.5, 0.3, 0.2], 0.1)) IS DISTINCT FROM r.r),
          0::bigint, 'passed to a SQL function taking the row type, the row is the reference''s');
SELECT is((SELECT count(*) FROM ar_ref r
           JOIN LATERAL uplift_assign('results', r.id, ARRAY[0.5, 0.3, 0.2], 0.1) a ON true
           WHERE (a.action, a.propensity, a.holdout) IS DISTINCT FROM ((r.r).action, (r.r).propensity, (r.r).holdout)),
          0::bigint, 'uplift_assign in FROM gives the reference''s rows');

CREATE FUNCTION pg_temp.kept(n int) RETURNS uplift_assignment[] LANGUAGE plpgsql AS $$
DECLARE
    a uplift_assignment;
    kept uplift_assignment[] := '{}';
BEGIN
    FOR i IN 1..n LOOP
        a := uplift_assign('results', i, ARRAY[0.5, 0.3, 0.2], 0.1);
        kept := kept || a;
    END LOOP;
    RETURN kept;
END $$;
SELECT is(pg_temp.kept(300), (SELECT array_agg(r ORDER BY id) FROM ar_ref WHERE id <= 300),
          'rows held in a PL/pgSQL variable and returned are the reference''s');
CREATE FUNCTION pg_temp.last_row() RETURNS uplift_assignment LANGUAGE sql AS
$$SELECT uplift_assign('results', id, ARRAY[0.5, 0.3, 0.2], 0.1) FROM generate_series(1::bigint, 5) id ORDER BY id DESC LIMIT 1$$;
SELECT is(pg_temp.last_row(), (SELECT r FROM ar_ref WHERE id = 5),
          'a row returned from a SQL function outlives the query that made it');

SET LOCAL parallel_setup_cost = 0;
SET LOCAL parallel_tuple_cost = 0;
SET LOCAL min_parallel_table_scan_size = 0;
SET LOCAL max_parallel_workers_per_gather = 2;
SELECT ok(EXISTS (SELECT 1 FROM explain_lines('SELECT id, uplift_assign(''results'', id, ARRAY[0.5, 0.3, 0.2], 0.1) FROM ar_units') l
                  WHERE l LIKE '%Gather%'),
          'the rows are made in parallel workers');
CREATE TABLE ar_parallel AS
SELECT id, uplift_assign('results', id, ARRAY[0.5, 0.3, 0.2], 0.1) AS a FROM ar_units;
SELECT is((SELECT count(*) FROM ar_parallel p JOIN ar_ref r USING (id) WHERE p.a IS DISTINCT FROM r.r),
          0::bigint, 'rows made in parallel workers are the reference''s');

SELECT * FROM finish();
ROLLBACK;
