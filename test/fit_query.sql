-- pgTAP: uplift_fit_query checks its query and the query's columns, and
-- its logistic and linear fits over passes of the query (uplift_newton_pass)
-- give the model uplift_fit fits in memory on the same rows: the same heads
-- to 1e-9, the same scores, the same errors, under serial and parallel
-- plans; partial pass states split as Citus splits them combine to the
-- one-pass state.
BEGIN;
SELECT plan(70);

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

-- ---- the fits: against uplift_fit on the same rows ----

-- Every arm's outcome mean, then every head's intercept and coefficients,
-- in head and feature order.
CREATE FUNCTION pg_temp.coefs(m uplift_model) RETURNS float8[] LANGUAGE sql AS
$$SELECT (SELECT array_agg((a->>'outcome_mean')::float8 ORDER BY n)
            FROM jsonb_array_elements(uplift_model_info(m)->'arms') WITH ORDINALITY a(a, n)) ||
         array_agg(c.v ORDER BY h.n, c.k)
  FROM jsonb_array_elements(uplift_model_info(m)->'heads') WITH ORDINALITY h(head, n),
       LATERAL (SELECT 0::bigint AS k, (h.head->>'intercept')::float8 AS v
                UNION ALL
                SELECT e.k, e.value::text::float8
                FROM jsonb_each(h.head->'coefficients') WITH ORDINALITY e(key, value, k)) c$$;

-- Equal to 1e-9, relative to the larger magnitude (at least 1).
CREATE FUNCTION pg_temp.close(a float8[], b float8[], tol float8 DEFAULT 1e-9) RETURNS bool LANGUAGE sql AS
$$SELECT cardinality(a) = cardinality(b) AND cardinality(a) > 0
     AND bool_and(abs(x - y) <= tol * greatest(abs(x), abs(y), 1))
  FROM unnest(a, b) u(x, y)$$;

-- What uplift_model_info shows, but the numbers the two paths sum in
-- another order (outcome means and coefficients, compared above, and the
-- last gradient) and the checksum of the bytes.
CREATE FUNCTION pg_temp.info(m uplift_model) RETURNS jsonb LANGUAGE sql AS
$$SELECT (uplift_model_info(m) - 'checksum') ||
         jsonb_build_object('heads', (SELECT jsonb_agg(h - 'intercept' - 'coefficients' - 'max_gradient')
                                      FROM jsonb_array_elements(uplift_model_info(m)->'heads') h),
                            'arms', (SELECT jsonb_agg(a - 'outcome_mean')
                                     FROM jsonb_array_elements(uplift_model_info(m)->'arms') a))$$;

-- Three arms (two for the class transformation), three features, a 0/1
-- and a continuous outcome, and logged propensities that vary within each
-- arm (a regular table, so that
-- parallel workers can scan it).
CREATE TABLE fq_rows AS
SELECT i, ARRAY[(i % 7)::float8, ((i * 13) % 11)::float8 / 3, sin(i)] AS x, i % 3 AS t,
       ((i * 7) % 5 = 0 OR sin(i * i) > 0.3)::int::float8 AS y,
       ((i * 7) % 5 + sin(i * i) + (i % 3) * cos(i)) * 100 AS amount,
       (0.2 + 0.6 * ((i * 17) % 5) / 4.0)::float8 AS e
FROM generate_series(1, 3000) i;
ANALYZE fq_rows;

CREATE TABLE fq_cases (name text, fit_sql text, query text, options jsonb);
INSERT INTO fq_cases VALUES
  ('logistic', 'SELECT uplift_fit(x, t, y) FROM fq_rows', 'SELECT x, t, y FROM fq_rows', '{}'),
  ('linear', 'SELECT uplift_fit(x, t, amount) FROM fq_rows', 'SELECT x, t, amount FROM fq_rows', '{}'),
  ('weighted logistic', 'SELECT uplift_fit(x, t, y, e, ''{"l2": 0.5}'') FROM fq_rows',
   'SELECT x, t, y, e FROM fq_rows', '{"l2": 0.5}'),
  ('weighted linear, clipped', 'SELECT uplift_fit(x, t, amount, e, ''{"min_propensity": 0.4}'') FROM fq_rows',
   'SELECT x, t, amount, e FROM fq_rows', '{"min_propensity": 0.4}'),
  ('float4 features, linear base asked', 'SELECT uplift_fit(x::float4[], t, y, ''{"base": "linear", "l2": 0}'') FROM fq_rows',
   'SELECT x::float4[], t, y FROM fq_rows', '{"base": "linear", "l2": 0}'),
  ('s_learner, weighted logistic', 'SELECT uplift_fit(x, t, y, e, ''{"learner": "s_learner"}'') FROM fq_rows',
   'SELECT x, t, y, e FROM fq_rows', '{"learner": "s_learner"}'),
  ('s_learner, linear without interactions',
   'SELECT uplift_fit(x, t, amount, ''{"learner": "s_learner", "interactions": false}'') FROM fq_rows',
   'SELECT x, t, amount FROM fq_rows', '{"learner": "s_learner", "interactions": false}'),
  ('class_transform, logistic', 'SELECT uplift_fit(x, t, y, ''{"learner": "class_transform"}'') FROM fq_rows WHERE t < 2',
   'SELECT x, t, y FROM fq_rows WHERE t < 2', '{"learner": "class_transform"}'),
  ('class_transform, weighted linear', 'SELECT uplift_fit(x, t, amount, e, ''{"learner": "class_transform"}'') FROM fq_rows WHERE t < 2',
   'SELECT x, t, amount, e FROM fq_rows WHERE t < 2', '{"learner": "class_transform"}'),
  ('class_transform, linear base asked',
   'SELECT uplift_fit(x, t, y, ''{"learner": "class_transform", "base": "linear"}'') FROM fq_rows WHERE t < 2',
   'SELECT x, t, y FROM fq_rows WHERE t < 2', '{"learner": "class_transform", "base": "linear"}');

CREATE FUNCTION pg_temp.fits(c fq_cases) RETURNS TABLE (mem uplift_model, passes uplift_model)
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE c.fit_sql INTO mem;
    passes := uplift_fit_query(c.query, c.options);
    RETURN NEXT;
END $$;

SELECT force_serial();
CREATE TEMP TABLE fq_serial AS SELECT c.name, f.* FROM fq_cases c, pg_temp.fits(c) f;
SELECT force_parallel();
CREATE TEMP TABLE fq_parallel AS SELECT c.name, f.* FROM fq_cases c, pg_temp.fits(c) f;
SELECT force_serial();

SELECT ok(pg_temp.close(pg_temp.coefs(mem), pg_temp.coefs(passes)),
          name || ': the heads equal uplift_fit''s to 1e-9 (serial plans)')
FROM fq_serial ORDER BY name;
SELECT ok(pg_temp.close(pg_temp.coefs(s.mem), pg_temp.coefs(p.passes)),
          s.name || ': the heads equal uplift_fit''s to 1e-9 (parallel plans)')
FROM fq_serial s JOIN fq_parallel p USING (name) ORDER BY name;
SELECT is(pg_temp.info(passes), pg_temp.info(mem), name || ': uplift_model_info shows what uplift_fit''s model shows')
FROM fq_serial ORDER BY name;
SELECT ok(bool_and(abs(uplift_score(s.passes, r.x, 1) - uplift_score(s.mem, r.x, 1)) <= 1e-9
               AND abs(uplift_score(s.passes, r.x, 2) - uplift_score(s.mem, r.x, 2)) <= 1e-9),
          'weighted logistic: the scores of every row equal uplift_fit''s to 1e-9')
FROM fq_serial s, fq_rows r WHERE s.name = 'weighted logistic';

SELECT force_parallel();
SELECT ok(bool_or(l ~ 'Partial Aggregate') AND bool_or(l ~ 'Gather'),
          'under force_parallel() a pass runs as a Partial Aggregate in workers')
FROM explain_lines($$SELECT uplift_newton_pass(q.x, q.t, q.y, NULL, '{0,0,0,0,0,0,0,0,0}')
                     FROM (SELECT x, t, y FROM fq_rows) AS q(x, t, y)$$) l;
SELECT force_serial();

-- Hillstrom (Mens E-Mail against No E-Mail): visits (logistic) and spend (linear).
SELECT ok(pg_temp.close(pg_temp.coefs((SELECT uplift_fit(features, treatment, visit::float8) FROM hillstrom_mens)),
                        pg_temp.coefs(uplift_fit_query('SELECT features, treatment, visit::float8 FROM hillstrom_mens'))),
          'Hillstrom visits: the logistic heads equal uplift_fit''s to 1e-9');
SELECT ok(pg_temp.close(pg_temp.coefs((SELECT uplift_fit(features, treatment, spend) FROM hillstrom_mens)),
                        pg_temp.coefs(uplift_fit_query('SELECT features, treatment, spend FROM hillstrom_mens'))),
          'Hillstrom spend: the linear heads equal uplift_fit''s to 1e-9');

-- Arms of 300,000 rows, where uplift_fit's Newton first converges on a
-- subsample (logistic.c's warm start) and uplift_fit_query's does not: the
-- minimiser is the same; only the steps taken differ.
CREATE TABLE fq_big AS
SELECT ARRAY[(i % 7)::float8, ((i * 13) % 11)::float8 / 3, sin(i)] AS x, i % 2 AS t,
       (sin(i * 0.37) + 0.3 * (i % 7) - 0.2 * (i % 2) * sin(i) > 0.8)::int::float8 AS y
FROM generate_series(1, 600000) i;
SELECT ok(pg_temp.close(pg_temp.coefs((SELECT uplift_fit(x, t, y) FROM fq_big)),
                        pg_temp.coefs(uplift_fit_query('SELECT x, t, y FROM fq_big'))),
          'arms of 300,000 rows (uplift_fit starts on a subsample): the heads equal uplift_fit''s to 1e-9');
DROP TABLE fq_big;

-- ---- errors: the SQLSTATE of uplift_fit on the same rows ----

-- The SQLSTATE of q; 'completed' (never expected of either fit) otherwise.
CREATE FUNCTION pg_temp.sqlstate(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE q;
    RETURN 'completed';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE;
END $$;

CREATE TABLE fq_bad (name text, rows_sql text, weighted bool);
INSERT INTO fq_bad VALUES
  ('a NULL feature array', $$SELECT CASE WHEN i = 5 THEN NULL ELSE x END AS x, t, y FROM fq_rows$$, false),
  ('a NaN feature', $$SELECT CASE WHEN i = 5 THEN ARRAY[1, 'NaN', 2]::float8[] ELSE x END AS x, t, y FROM fq_rows$$, false),
  ('rows of different lengths', $$SELECT CASE WHEN i = 5 THEN ARRAY[1, 2]::float8[] ELSE x END AS x, t, y FROM fq_rows$$, false),
  ('a negative treatment', $$SELECT x, CASE WHEN i = 5 THEN -1 ELSE t END AS t, y FROM fq_rows$$, false),
  ('a NULL outcome', $$SELECT x, t, CASE WHEN i = 5 THEN NULL ELSE y END AS y FROM fq_rows$$, false),
  ('an infinite outcome', $$SELECT x, t, CASE WHEN i = 5 THEN 'Infinity' ELSE y END AS y FROM fq_rows$$, false),
  ('a propensity of 0', $$SELECT x, t, y, CASE WHEN i = 5 THEN 0 ELSE e END AS e FROM fq_rows$$, true),
  ('a propensity above 1', $$SELECT x, t, y, CASE WHEN i = 5 THEN 1.5 ELSE e END AS e FROM fq_rows$$, true),
  ('a NULL propensity', $$SELECT x, t, y, CASE WHEN i = 5 THEN NULL ELSE e END AS e FROM fq_rows$$, true),
  ('an arm without rows', $$SELECT x, t * 2, y FROM fq_rows$$, false),
  ('no treated rows', $$SELECT x, 0, y FROM fq_rows$$, false),
  ('no rows', $$SELECT x, t, y FROM fq_rows WHERE false$$, false),
  ('features whose squares overflow', $$SELECT CASE WHEN i = 5 THEN ARRAY[1e200, 1, 2]::float8[] ELSE x END AS x, t, y FROM fq_rows$$, false),
  ('a propensity whose inverse overflows', $$SELECT x, t, y, CASE WHEN i = 5 THEN 1e-310 ELSE e END AS e FROM fq_rows$$, true);

SELECT is(pg_temp.sqlstate(format('SELECT uplift_fit_query(%L)', rows_sql)),
          nullif(pg_temp.sqlstate(format('SELECT uplift_fit(x, t, y%s) FROM (%s) AS r(x, t, y%s)',
                                         CASE WHEN weighted THEN ', e, ''{}''' ELSE '' END, rows_sql,
                                         CASE WHEN weighted THEN ', e' ELSE '' END)), 'completed'),
          name || ': the error of uplift_fit')
FROM fq_bad ORDER BY name;

SELECT is(pg_temp.sqlstate($$SELECT uplift_fit_query('SELECT x, t, amount FROM fq_rows', '{"base": "logistic"}')$$),
          nullif(pg_temp.sqlstate($$SELECT uplift_fit(x, t, amount, '{"base": "logistic"}') FROM fq_rows$$), 'completed'),
          'an outcome other than 0 and 1 with base logistic: the error of uplift_fit');
SELECT setseed(0.25);
SELECT throws_ok($$SELECT uplift_fit_query('SELECT x, t, y FROM fq_rows WHERE random() < 0.5')$$,
                 '22000', 'query of uplift_fit_query returned other rows in a later pass',
                 'a query that returns other rows in a later pass is an error');
SELECT throws_ok($$SELECT uplift_fit_query('SELECT x, t, y FROM fq_rows', '{"learner": "x_learner"}')$$,
                 '0A000', 'uplift_fit_query cannot fit learner "x_learner" yet',
                 'another learner is not fitted over passes yet, and the error says so');
SELECT throws_ok($$SELECT uplift_fit_query('SELECT x, t, y FROM fq_rows', '{"l2": -1}')$$, '22023', NULL,
                 'the options are checked as uplift_fit checks them');

-- ---- the pass state split as Citus splits it ----

-- A shard's partial aggregate (the transition function alone) and the
-- coordinator's (the combine function, then the final function).
CREATE AGGREGATE pg_temp.pass_partial(float8[], int, float8, float8, float8[])
    (SFUNC = uplift_newton_pass_transfn, STYPE = uplift_newton_state);
CREATE AGGREGATE pg_temp.pass_combine(uplift_newton_state)
    (SFUNC = uplift_newton_pass_combinefn, STYPE = uplift_newton_state,
     FINALFUNC = uplift_newton_pass_finalfn);

-- A summary pass, a weighted logistic gradient pass of a head per arm and
-- a weighted linear pass of the s_learner's design, at some coefficients
-- (three arms of two features; layout in src/newton_state.h).
CREATE TEMP TABLE fq_setups (name text, setup float8[]);
INSERT INTO fq_setups VALUES
  ('summary', '{0,0,1,0.3,0,0,0,0,0}'),
  ('t_learner gradient', ARRAY[1, 1, 1, 0.3, 1, 3, 2, 0, 0,
                               1, 0.9, 3,  0, 1, 3,  1, 1.2, 3,
                               1, 3, 1.5, 0.1, -0.2, 0.05,
                               1, 3, 1.5, 0.3, 0.1, -0.1,
                               0, 2.9, 1.6, 0, 0, 0]::float8[]),
  ('s_learner gradient', ARRAY[1, 2, 1, 0.3, 1, 3, 2, 1, 1,
                               1, 0.9, 3,  0, 1, 3,  1, 1.2, 3,
                               1]::float8[] || array_fill(0.5::float8, ARRAY[8]) ||
                         ARRAY[0.1, -0.1, 0.05, 0.2, 0.3, -0.2, 0.1, 0.0, 0.1]::float8[]);

CREATE TEMP TABLE fq_parts AS
SELECT s.name, part,
       (SELECT pg_temp.pass_partial(r.x[1:2], r.t, r.y, r.e, s.setup)::text
        FROM fq_rows r WHERE r.i % 4 = part) AS state
FROM fq_setups s CROSS JOIN generate_series(0, 4) part;

SELECT ok(pg_temp.close((SELECT pg_temp.pass_combine(state::uplift_newton_state) FROM fq_parts p WHERE p.name = s.name),
                        (SELECT uplift_newton_pass(r.x[1:2], r.t, r.y, r.e, s.setup) FROM fq_rows r), 1e-12),
          s.name || ' pass: four partial states and an empty one, through text, combined, give the one-pass sums')
FROM fq_setups s ORDER BY s.name;

SELECT is((SELECT (uplift_newton_pass(r.x[1:2], r.t, r.y, r.e, s.setup))[7:8] FROM fq_rows r, fq_setups s WHERE s.name = 't_learner gradient'),
          (SELECT ARRAY[count(*), count(*) FILTER (WHERE e < 0.3)]::float8[] FROM fq_rows WHERE t = 0),
          'a pass counts the rows and the clipped rows of each arm (here arm 0)');
SELECT is((SELECT pg_temp.pass_combine(state::uplift_newton_state)::text FROM fq_parts WHERE name = 'summary' AND part = 4),
          NULL, 'a part without rows has a NULL state');
SELECT throws_ok($$SELECT 'AAAA'::uplift_newton_state$$, '22P02', NULL,
                 'a text form that does not read back as a state is rejected');
SELECT throws_ok($$SELECT uplift_newton_pass(x, t, y, e, '{1,1,0,0,1,2,3}') FROM fq_rows$$, '22023',
                 'setup of uplift_newton_pass is not valid', 'a setup whose arms are missing is rejected');

-- ---- cancel ----

SET LOCAL statement_timeout = '200ms';
SELECT is(query_outcome($$SELECT uplift_fit_query('SELECT ARRAY[i::float8], i % 2, (i % 3 = 0)::int::float8 FROM generate_series(1, 100000000) i')$$),
          '57014', 'a statement timeout cancels a fit in its passes');
RESET statement_timeout;

SELECT * FROM finish();
ROLLBACK;
