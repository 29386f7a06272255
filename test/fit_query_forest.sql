-- pgTAP: uplift_fit_query grows the uplift forest, and the T-learner's
-- forest heads, over passes of its query (uplift_forest_pass): on rows that
-- are all distinct, the model uplift_fit grows in memory, byte for byte (the
-- same checksum), under serial and parallel plans, for every criterion,
-- weighting, sampling and honest estimation, with levels in several blocks; the pass states split as Citus
-- splits them (and with the calls Citus makes) give the one-pass state; bad rows and options give
-- uplift_fit's errors, bad setups and states clear ones.
BEGIN;
SELECT plan(89);

-- Three arms, four features (one of few values), a 0/1 and a continuous
-- outcome and logged propensities that vary within each arm; no two rows
-- alike.  A regular table, so that parallel workers can scan it.
CREATE TABLE fqf_rows AS
SELECT i, ARRAY[(i % 7)::float8, ((i * 13) % 11)::float8 / 3, sin(i), cos(i * 0.7)] AS x,
       i % 3 AS t,
       ((i * 7) % 5 = 0 OR sin(i * i) > 0.3 OR (i % 3 = 1 AND sin(i) > 0.5))::int::float8 AS y,
       ((i * 7) % 5 + sin(i * i) + (i % 3) * cos(i)) * 100 AS amount,
       (0.2 + 0.6 * ((i * 17) % 5) / 4.0)::float8 AS e
FROM generate_series(1, 4000) i;
ANALYZE fqf_rows;

CREATE TABLE fqf_cases (name text, args text, query text, options jsonb);
INSERT INTO fqf_cases VALUES
  ('kl', 'x, t, y', 'SELECT x, t, y FROM fqf_rows',
   '{"learner": "forest", "n_trees": 20, "max_depth": 4, "min_samples_leaf": 30}'),
  ('cts, subsample, two features a split', 'x, t, amount', 'SELECT x, t, amount FROM fqf_rows',
   '{"learner": "forest", "n_trees": 15, "max_depth": 3, "bootstrap": false, "subsample": 0.7, "max_features": 2, "seed": 5}'),
  ('chi, weighted, honest', 'x, t, y, e', 'SELECT x, t, y, e FROM fqf_rows',
   '{"learner": "forest", "criterion": "chi", "n_trees": 20, "max_depth": 4, "honest": true, "min_samples_leaf": 20}'),
  ('ed, bins from a sample of 1,000 rows', 'x, t, y', 'SELECT x, t, y FROM fqf_rows',
   '{"learner": "forest", "criterion": "ed", "n_trees": 10, "bin_sample": 1000, "bins": 16}'),
  ('levels in several blocks', 'x, t, y', 'SELECT x, t, y FROM fqf_rows',
   '{"learner": "forest", "n_trees": 60, "max_depth": 4, "bins": 255, "min_samples_leaf": 5, "min_samples_treatment": 2}'),
  ('ddp, two arms', 'x, t, y', 'SELECT x, t, y FROM fqf_rows WHERE t < 2',
   '{"learner": "forest", "criterion": "ddp", "n_trees": 10, "max_depth": 3}'),
  ('cts, weighted, clipped', 'x, t, amount, e', 'SELECT x, t, amount, e FROM fqf_rows',
   '{"learner": "forest", "n_trees": 10, "max_depth": 3, "min_propensity": 0.4}'),
  ('float4 features', 'x::float4[], t, y', 'SELECT x::float4[], t, y FROM fqf_rows',
   '{"learner": "forest", "n_trees": 10, "max_depth": 3}'),
  ('t_learner, forest heads', 'x, t, y', 'SELECT x, t, y FROM fqf_rows',
   '{"learner": "t_learner", "base": "forest", "n_trees": 20, "max_depth": 4, "min_samples_leaf": 30}'),
  ('t_learner, gini heads, weighted, honest', 'x, t, y, e', 'SELECT x, t, y, e FROM fqf_rows',
   '{"learner": "t_learner", "base": "forest", "criterion": "gini", "n_trees": 15, "max_depth": 3, "honest": true, "max_features": 2}'),
  ('t_learner, continuous outcome, subsample, several blocks', 'x, t, amount', 'SELECT x, t, amount FROM fqf_rows',
   '{"learner": "t_learner", "base": "forest", "n_trees": 100, "max_depth": 4, "bins": 255, "min_samples_leaf": 5, "max_features": 4, "bootstrap": false, "subsample": 0.6}'),
  ('s_learner, forest head', 'x, t, y', 'SELECT x, t, y FROM fqf_rows',
   '{"learner": "s_learner", "base": "forest", "n_trees": 20, "max_depth": 4, "min_samples_leaf": 30}'),
  ('class_transform, forest head, weighted', 'x, t, y, e', 'SELECT x, t, y, e FROM fqf_rows WHERE t < 2',
   '{"learner": "class_transform", "base": "forest", "n_trees": 15, "max_depth": 3}'),
  ('class_transform, forest head', 'x, t, y', 'SELECT x, t, y FROM fqf_rows WHERE t < 2',
   '{"learner": "class_transform", "base": "forest", "n_trees": 15, "max_depth": 3, "min_samples_leaf": 20}'),
  ('x_learner, forest heads, weighted', 'x, t, y, e', 'SELECT x, t, y, e FROM fqf_rows',
   '{"learner": "x_learner", "base": "forest", "n_trees": 10, "max_depth": 3}'),
  ('dr_learner, forest heads, weighted, continuous', 'x, t, amount, e', 'SELECT x, t, amount, e FROM fqf_rows',
   '{"learner": "dr_learner", "base": "forest", "n_trees": 10, "max_depth": 3, "honest": true}'),
  ('dr_learner, forest heads', 'x, t, y', 'SELECT x, t, y FROM fqf_rows',
   '{"learner": "dr_learner", "base": "forest", "n_trees": 10, "max_depth": 3, "min_samples_leaf": 20}'),
  ('s_learner, weighted, honest, continuous', 'x, t, amount, e', 'SELECT x, t, amount, e FROM fqf_rows',
   '{"learner": "s_learner", "base": "forest", "n_trees": 15, "max_depth": 3, "honest": true, "max_features": 3}');

CREATE FUNCTION pg_temp.fits(c fqf_cases) RETURNS TABLE (mem uplift_model, passes uplift_model)
LANGUAGE plpgsql AS $$
DECLARE
    rows_sql text := regexp_replace(c.query, '^SELECT .* FROM', 'SELECT * FROM');
BEGIN
    EXECUTE format('SELECT uplift_fit(%s, %L) FROM (%s) AS r', c.args, c.options, rows_sql) INTO mem;
    passes := uplift_fit_query(c.query, c.options);
    RETURN NEXT;
END $$;

SELECT force_serial();
CREATE TEMP TABLE fqf_serial AS SELECT c.name, f.* FROM fqf_cases c, pg_temp.fits(c) f;
SELECT force_parallel();
CREATE TEMP TABLE fqf_parallel AS SELECT c.name, f.* FROM fqf_cases c, pg_temp.fits(c) f;
SELECT force_serial();

SELECT is(uplift_model_checksum(passes), uplift_model_checksum(mem),
          name || ': the model is uplift_fit''s, byte for byte (serial plans)')
FROM fqf_serial ORDER BY name;
SELECT is(uplift_model_checksum(p.passes), uplift_model_checksum(s.mem),
          s.name || ': the model is uplift_fit''s, byte for byte (parallel plans)')
FROM fqf_serial s JOIN fqf_parallel p USING (name) ORDER BY name;

SELECT is((uplift_model_info(passes)->'heads'->0->'forest'->>'trees')::int, 60,
          'the forest of several blocks a level has its 60 trees')
FROM fqf_serial WHERE name = 'levels in several blocks';
-- The passes each fit makes, counted by the query itself: the summary,
-- then for each forest (one, or one a treatment) the sample and a pass a
-- level, and more when a level's statistics come in several blocks.
CREATE FUNCTION pg_temp.tick(first bool) RETURNS bool LANGUAGE sql VOLATILE AS
$$SELECT CASE WHEN first THEN set_config('fqf.passes', (current_setting('fqf.passes')::int + 1)::text, false) IS NOT NULL
              ELSE true END$$;
CREATE FUNCTION pg_temp.passes(c fqf_cases) RETURNS int LANGUAGE plpgsql AS $$
BEGIN
    PERFORM set_config('fqf.passes', '0', false);
    PERFORM uplift_fit_query(c.query || ' WHERE pg_temp.tick(i = 1)', c.options);
    RETURN current_setting('fqf.passes')::int;
END $$;
SELECT is(pg_temp.passes(c), 1 + 3 * (1 + 4), 't_learner, forest heads: 16 passes, the summary and five for each treatment')
FROM fqf_cases c WHERE name = 't_learner, forest heads';
SELECT is(pg_temp.passes(c), 1 + 1 + 4, c.name || ': 6 passes, the summary, the sample and four levels')
FROM fqf_cases c WHERE name = 's_learner, forest head';
SELECT is(pg_temp.passes(c), 1 + 7 * (1 + 3), c.name || ': 29 passes, the summary and four for each of 3 outcome and 4 effect forests')
FROM fqf_cases c WHERE name = 'x_learner, forest heads, weighted';
SELECT cmp_ok(pg_temp.passes(c), '>', 1 + 3 * (1 + 4), c.name || ': more passes, a level in blocks')
FROM fqf_cases c WHERE name = 't_learner, continuous outcome, subsample, several blocks';
SELECT cmp_ok(pg_temp.passes(c), '>', 1 + 1 + 4, c.name || ': more passes than the summary, the sample and the four levels')
FROM fqf_cases c WHERE name = 'levels in several blocks';

SELECT ok(bool_and(abs(uplift_score(s.passes, r.x, 1) - uplift_score(s.mem, r.x, 1)) = 0
               AND abs(uplift_score(s.passes, r.x, 2) - uplift_score(s.mem, r.x, 2)) = 0),
          'chi, weighted, honest: every row scores as with uplift_fit''s model')
FROM fqf_serial s, fqf_rows r WHERE s.name = 'chi, weighted, honest';

SELECT force_parallel();
SELECT ok(bool_or(l ~ 'Partial Aggregate') AND bool_or(l ~ 'Gather'),
          'under force_parallel() a pass runs as a Partial Aggregate in workers')
FROM explain_lines($$SELECT uplift_forest_pass(q.x, q.t, q.y, NULL, '\x00'::bytea)
                     FROM (SELECT x, t, y FROM fqf_rows) AS q(x, t, y)$$) l;
SELECT force_serial();

-- Identical rows share a key (uplift_fit tells them apart by rank, which a
-- pass cannot know): the forest is still the same under any plan.
CREATE TABLE fqf_dups AS
SELECT ARRAY[(i % 5)::float8, (i % 3)::float8] AS x, i % 2 AS t,
       ((i % 5) + (i % 2) * (i % 3) > 3)::int::float8 AS y
FROM generate_series(1, 6000) i;
ANALYZE fqf_dups;
SELECT force_parallel();
CREATE TEMP TABLE fqf_dups_par AS
SELECT uplift_fit_query('SELECT x, t, y FROM fqf_dups', '{"learner": "forest", "n_trees": 10, "bin_sample": 1000}') AS m;
SELECT force_serial();
SELECT is(uplift_model_checksum(uplift_fit_query('SELECT x, t, y FROM fqf_dups', '{"learner": "forest", "n_trees": 10, "bin_sample": 1000}')),
          (SELECT uplift_model_checksum(m) FROM fqf_dups_par),
          'rows with many copies: the same forest under serial and parallel plans');
SELECT ok((SELECT count(DISTINCT round(uplift_score(m, x, 1)::numeric, 12)) FROM fqf_dups_par, fqf_dups) > 1,
          'rows with many copies: the forest splits them');

-- ---- the pass state split as Citus splits it ----

CREATE AGGREGATE pg_temp.pass_partial(float8[], int, float8, float8, bytea)
    (SFUNC = uplift_forest_pass_transfn, STYPE = uplift_forest_pass_state);
CREATE AGGREGATE pg_temp.pass_combine(uplift_forest_pass_state)
    (SFUNC = uplift_forest_pass_combinefn, STYPE = uplift_forest_pass_state,
     FINALFUNC = uplift_forest_pass_finalfn);

-- Setups written out (src/forest_pass.c, src/tree_grow.c; big-endian): a
-- sample pass of 500 keys, and the first level of two trees, each a root
-- with a statistics slot, every feature's bins cut at one edge.
CREATE FUNCTION pg_temp.head(kind int, weighted bool, pooled bool DEFAULT false, design int DEFAULT 0)
RETURNS bytea LANGUAGE sql AS
$$SELECT '\x01'::bytea || set_byte('\x00'::bytea, 0, kind) || int4send(4) || int4send(3)
         || set_byte('\x00'::bytea, 0, pooled::int) || set_byte('\x00'::bytea, 0, design)
         || '\x00'::bytea || int4send(0) || set_byte('\x00'::bytea, 0, weighted::int) || float8send(0.3)$$;
-- One arm's part: taken, weighted, the inverse of its share, its factor.
CREATE FUNCTION pg_temp.arm(take bool, use_w bool, factor float8 DEFAULT NULL) RETURNS bytea LANGUAGE sql AS
$$SELECT set_byte('\x00'::bytea, 0, take::int) || set_byte('\x00'::bytea, 0, use_w::int) || float8send(3)
         || coalesce(float8send(factor), '\x'::bytea)$$;
-- No outcome forests.
CREATE FUNCTION pg_temp.no_forests() RETURNS bytea LANGUAGE sql AS $$SELECT '\x0000'::bytea$$;
CREATE FUNCTION pg_temp.root_router() RETURNS bytea LANGUAGE sql AS
$$SELECT '\x0100'::bytea || int4send(4)
         || '\x00'::bytea || int4send(1) || float8send(3) || '\x00'::bytea || int4send(1) || float8send(1.5)
         || '\x00'::bytea || int4send(1) || float8send(0) || '\x00'::bytea || int4send(1) || float8send(0)
         || int4send(3) || int4send(2) || '\x0100'::bytea || float8send(1) || int8send(11)
         || float8send(2 ^ -30) || float8send(2 ^ -30) || float8send(2 ^ -20) || int8send(256 * 1024 * 1024)
         || int4send(2) || int4send(4)
         || int4send(0) || int4send(1) || int4send(2) || int4send(3)
         || int4send(3) || int4send(2) || int4send(1) || int4send(0)
         || int4send(0)
         || '\x01'::bytea || int4send(1) || int4send(-1) || int4send(0) || '\x0000'::bytea || int4send(0) || int4send(0)
         || '\x01'::bytea || int4send(1) || int4send(-1) || int4send(0) || '\x0000'::bytea || int4send(0) || int4send(1)$$;
CREATE TEMP TABLE fqf_setups (name text, setup bytea);
INSERT INTO fqf_setups VALUES
  ('sample', pg_temp.head(0, true) || pg_temp.arm(true, true) || pg_temp.arm(true, true) || pg_temp.arm(true, true)
             || pg_temp.no_forests() || int8send(500) || int8send(3)),
  ('sample of treatment 2', pg_temp.head(0, true, true) || pg_temp.arm(false, true) || pg_temp.arm(false, true)
                            || pg_temp.arm(true, true) || pg_temp.no_forests() || int8send(500) || int8send(3)),
  ('sample of the s_learner design', pg_temp.head(0, true, true, 1) || pg_temp.arm(true, true) || pg_temp.arm(true, true)
                                     || pg_temp.arm(true, true) || pg_temp.no_forests() || int8send(500) || int8send(3)),
  ('level', pg_temp.head(1, true) || pg_temp.arm(true, true, 0.9) || pg_temp.arm(true, true, 1.1) || pg_temp.arm(true, false, 1)
            || pg_temp.no_forests() || pg_temp.root_router());

CREATE TEMP TABLE fqf_parts AS
SELECT s.name, part,
       (SELECT pg_temp.pass_partial(r.x, r.t, r.y, r.e, s.setup)::text
        FROM fqf_rows r WHERE r.i % 4 = part) AS state
FROM fqf_setups s CROSS JOIN generate_series(0, 4) part;

SELECT is((SELECT pg_temp.pass_combine(state::uplift_forest_pass_state) FROM fqf_parts p WHERE p.name = s.name),
          (SELECT uplift_forest_pass(r.x, r.t, r.y, r.e, s.setup) FROM fqf_rows r),
          s.name || ' pass: four partial states and an empty one, through text, combined, give the one-pass state')
FROM fqf_setups s ORDER BY s.name;
-- The same split with the support functions called as Citus calls them
-- (test/fixtures/05_citus_calls.sql).
SELECT is((SELECT citus_calls.combine('uplift_forest_pass(float8[], int, float8, float8, bytea)'::regprocedure::oid,
                                      part, NULL::bytea)
             FROM (SELECT citus_calls.partial('uplift_forest_pass(float8[], int, float8, float8, bytea)'::regprocedure::oid,
                                              ROW(r.x, r.t, r.y, r.e, s.setup)) AS part
                     FROM fqf_rows r GROUP BY r.i % 4 UNION ALL SELECT NULL) parts),
          (SELECT uplift_forest_pass(r.x, r.t, r.y, r.e, s.setup) FROM fqf_rows r),
          s.name || ' pass: split as Citus calls it, the one-pass state')
FROM fqf_setups s ORDER BY s.name;
SELECT force_parallel();
SELECT is((SELECT uplift_forest_pass(r.x, r.t, r.y, r.e, s.setup) FROM fqf_rows r),
          (SELECT pg_temp.pass_combine(state::uplift_forest_pass_state) FROM fqf_parts p WHERE p.name = s.name),
          s.name || ' pass: a parallel plan gives the one-pass state')
FROM fqf_setups s ORDER BY s.name;
SELECT force_serial();
SELECT is((SELECT pg_temp.pass_combine(state::uplift_forest_pass_state)::text FROM fqf_parts WHERE name = 'sample' AND part = 4),
          NULL, 'a part without rows has a NULL state');
SELECT is(length((SELECT uplift_forest_pass(r.x, r.t, r.y, r.e, s.setup) FROM fqf_rows r, fqf_setups s WHERE s.name = 'sample')),
          1 + 1 + 4 + 4 + 8 + 8 + 3 * (2 * (1 + 8 + 68 * 8) + 8) + 8 + 1 + 8 + 500 * (8 + 8 + 4 * 8),
          'the sample pass keeps 500 keys of the 4,000 rows, whatever their number');
-- The root's statistics: every row once per tree (Poisson counts), each
-- feature slot summing to the same totals.
SELECT is((SELECT length(uplift_forest_pass(r.x, r.t, r.y, r.e, s.setup)) FROM fqf_rows r, fqf_setups s WHERE s.name = 'level'),
          1 + 1 + 4 + 4 + 8 + 4 + 1 + 16 + 2 * 4 * 3 * 3 * 32,
          'the level pass holds two slots of four features, three codes and three arms');

SELECT is(length((SELECT uplift_forest_pass(r.x, r.t, r.y, r.e, s.setup) FROM fqf_rows r, fqf_setups s WHERE s.name = 'sample of the s_learner design')),
          1 + 1 + 4 + 4 + 8 + 8 + 3 * (2 * (1 + 8 + 68 * 8) + 8) + 8 + 1 + 8 + 500 * (8 + 8 + 6 * 8),
          'the sample of the s_learner design holds 6 columns: 4 features and 2 treatment indicators');
SELECT is((SELECT ('x' || encode(substring(uplift_forest_pass(r.x, r.t, r.y, r.e, s.setup) FROM 11 FOR 8), 'hex'))::bit(64)::bigint
           FROM fqf_rows r, fqf_setups s WHERE s.name = 'sample of treatment 2'),
          (SELECT count(*) FROM fqf_rows WHERE t = 2),
          'a pass of one treatment takes its rows alone');
SELECT throws_ok($$SELECT 'AAAA'::uplift_forest_pass_state$$, '22P02', NULL,
                 'a text form that does not read back as a state is rejected');
SELECT throws_ok($$SELECT uplift_forest_pass(x, t, y, e, '\x01'::bytea) FROM fqf_rows$$, '22023',
                 'setup of uplift_forest_pass is not valid', 'a truncated setup is rejected');
SELECT throws_ok($$SELECT uplift_forest_pass(x, t, y, e, NULL) FROM fqf_rows$$, '22004',
                 'setup of uplift_forest_pass must not be NULL', 'a NULL setup is rejected');
SELECT throws_ok($$SELECT uplift_forest_pass(x, t, y, e, pg_temp.head(1, true) || pg_temp.arm(true, true, 0.9)
                      || pg_temp.arm(true, true, 1.1) || pg_temp.arm(true, false, 1) || pg_temp.no_forests()
                      || overlay(pg_temp.root_router() placing int4send(0) from length(pg_temp.root_router()) - 17 for 4))
                    FROM fqf_rows$$, '22P03', NULL,
                 'a router whose node is its own child is rejected (no endless walk)');
SELECT throws_ok($$SELECT pg_temp.pass_combine(state::uplift_forest_pass_state) FROM fqf_parts WHERE part < 2$$, '22023',
                 'uplift_forest_pass cannot combine the states of different passes',
                 'states of different passes do not combine');
SELECT throws_ok($$SELECT uplift_forest_pass(x, t + 3, y, e, (SELECT setup FROM fqf_setups WHERE name = 'sample')) FROM fqf_rows$$,
                 '22000', 'query of uplift_fit_query returned other rows in a later pass',
                 'a treatment past the first pass''s arms is an error');

-- ---- errors: the SQLSTATE of uplift_fit on the same rows ----

CREATE FUNCTION pg_temp.sqlstate(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE q;
    RETURN 'completed';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE;
END $$;

CREATE TABLE fqf_bad (name text, rows_sql text, weighted bool, options jsonb);
INSERT INTO fqf_bad VALUES
  ('a NaN feature', $$SELECT CASE WHEN i = 5 THEN ARRAY[1, 'NaN', 2, 3]::float8[] ELSE x END AS x, t, y FROM fqf_rows$$, false, '{}'),
  ('rows of different lengths', $$SELECT CASE WHEN i = 5 THEN ARRAY[1, 2]::float8[] ELSE x END AS x, t, y FROM fqf_rows$$, false, '{}'),
  ('a NULL outcome', $$SELECT x, t, CASE WHEN i = 5 THEN NULL ELSE y END AS y FROM fqf_rows$$, false, '{}'),
  ('a propensity above 1', $$SELECT x, t, y, CASE WHEN i = 5 THEN 1.5 ELSE e END AS e FROM fqf_rows$$, true, '{}'),
  ('an arm without rows', $$SELECT x, t * 2, y FROM fqf_rows$$, false, '{}'),
  ('no rows', $$SELECT x, t, y FROM fqf_rows WHERE false$$, false, '{}'),
  ('kl on a continuous outcome', $$SELECT x, t, amount AS y FROM fqf_rows$$, false, '{"criterion": "kl"}'),
  ('ddp with two treatments', $$SELECT x, t, y FROM fqf_rows$$, false, '{"criterion": "ddp"}'),
  ('min_samples_leaf above the rows', $$SELECT x, t, y FROM fqf_rows$$, false, '{"min_samples_leaf": 5000}'),
  ('statistics past stats_memory', $$SELECT x, t, y FROM fqf_rows$$, false,
   '{"stats_memory": 1, "n_trees": 300, "bins": 255, "min_samples_leaf": 5}'),
  ('max_depth 0', $$SELECT x, t, y FROM fqf_rows$$, false, '{"max_depth": 0}'),
  ('300 bins', $$SELECT x, t, y FROM fqf_rows$$, false, '{"bins": 300}'),
  ('a tree option without a forest', $$SELECT x, t, y FROM fqf_rows$$, false, '{"learner": "t_learner", "n_trees": 5}'),
  ('forest heads: gini on a continuous outcome', $$SELECT x, t, amount AS y FROM fqf_rows$$, false,
   '{"learner": "t_learner", "base": "forest", "criterion": "gini"}'),
  ('forest heads: an uplift criterion', $$SELECT x, t, y FROM fqf_rows$$, false,
   '{"learner": "t_learner", "base": "forest", "criterion": "kl"}'),
  ('forest heads: the class transformation with two treatments', $$SELECT x, t, y FROM fqf_rows$$, false,
   '{"learner": "class_transform", "base": "forest"}'),
  ('forest heads: a NaN feature', $$SELECT CASE WHEN i = 5 THEN ARRAY[1, 'NaN', 2, 3]::float8[] ELSE x END AS x, t, y FROM fqf_rows$$, false,
   '{"learner": "t_learner", "base": "forest"}');

SELECT is(pg_temp.sqlstate(format('SELECT uplift_fit_query(%L, %L)', rows_sql,
                                  '{"learner": "forest", "n_trees": 5}'::jsonb || options)),
          pg_temp.sqlstate(format('SELECT uplift_fit(x, t, y%s, %L) FROM (%s) AS r(x, t, y%s)',
                                  CASE WHEN weighted THEN ', e' ELSE '' END,
                                  '{"learner": "forest", "n_trees": 5}'::jsonb || options, rows_sql,
                                  CASE WHEN weighted THEN ', e' ELSE '' END)),
          name || ': the error of uplift_fit')
FROM fqf_bad ORDER BY name;
SELECT is(count(*)::int, 0, 'every one of those cases is an error of both fits')
FROM fqf_bad
WHERE pg_temp.sqlstate(format('SELECT uplift_fit_query(%L, %L)', rows_sql,
                              '{"learner": "forest", "n_trees": 5}'::jsonb || options)) = 'completed';

SELECT setseed(0.25);
SELECT throws_ok($$SELECT uplift_fit_query('SELECT x, t, y FROM fqf_rows WHERE random() < 0.5', '{"learner": "forest", "n_trees": 5}')$$,
                 '22000', 'query of uplift_fit_query returned other rows in a later pass',
                 'a query that returns other rows in a later pass is an error');

-- ---- cancel ----

SET LOCAL statement_timeout = '200ms';
SELECT is(query_outcome($$SELECT uplift_fit_query('SELECT ARRAY[i::float8, sin(i)], i % 2, (i % 3 = 0)::int::float8 FROM generate_series(1, 100000000) i', '{"learner": "forest"}')$$),
          '57014', 'a statement timeout cancels a forest in its passes');
RESET statement_timeout;

SELECT * FROM finish();
ROLLBACK;
