-- pgTAP: forests in uplift_fit (learner "forest", base "forest") against
-- closed forms on small tables, the same forest under serial and parallel
-- plans and in any row order, and the options' errors.
BEGIN;
SELECT plan(57);

-- A small campaign: x1 in {0, 1}, x2 in {0, 1, 2, 3}, arms 0 and 1; the
-- treated rows with x1 = 1 respond most, x2 = 3 a little.
CREATE TEMP TABLE tiny AS
SELECT i, ARRAY[(i % 2)::float8, ((i / 2) % 4)::float8] AS x, (i / 8) % 2 AS t,
       CASE WHEN (i / 8) % 2 = 1 AND i % 2 = 1 THEN (i % 5 <> 0)::int
            WHEN (i / 2) % 4 = 3 THEN (i % 3 = 0)::int
            ELSE (i % 7 = 0)::int END::float8 AS y
FROM generate_series(0, 799) i;

-- One tree, one split, no bootstrap, no shrinkage: the ddp split is the
-- candidate x_j <= v with the largest |D(left) - D(right)|, D = the treated
-- mean minus the control mean (Hansotia and Rukstales), and the leaves hold
-- each arm's mean.
CREATE TEMP TABLE one AS
SELECT uplift_fit(x, t, y, '{"learner": "forest", "criterion": "ddp", "n_trees": 1, "max_depth": 1,
                             "bootstrap": false, "n_reg": 0, "min_samples_leaf": 1,
                             "min_samples_treatment": 0}') AS m
FROM tiny;

CREATE TEMP TABLE cand AS
WITH c AS (
    SELECT j, v FROM (VALUES (1), (2)) f(j),
           LATERAL (SELECT DISTINCT x[j] AS v FROM tiny) d
    WHERE v < (SELECT max(x[j]) FROM tiny)),
s AS (
    SELECT j, v, x[j] <= v AS left_side,
           avg(y) FILTER (WHERE t = 1) - avg(y) FILTER (WHERE t = 0) AS d
    FROM c, tiny GROUP BY j, v, x[j] <= v)
SELECT j, v, abs(max(d) FILTER (WHERE left_side) - max(d) FILTER (WHERE NOT left_side)) AS gain
FROM s GROUP BY j, v;

SELECT ok((SELECT count(*) FROM cand c1 WHERE gain > (SELECT max(gain) FROM cand) - 1e-9) = 1,
          'the hand-computed ddp gains have one best split');
SELECT results_eq(
    $$SELECT n.feature, n.threshold FROM one, uplift_tree_nodes(one.m, 1) n WHERE n.node = 1$$,
    $$SELECT 'x' || j, v FROM cand ORDER BY gain DESC LIMIT 1$$,
    'the root splits where the hand-computed ddp gain is largest');
SELECT results_eq(
    $$SELECT n.leaf_values FROM one, uplift_tree_nodes(one.m, 1) n WHERE n.leaf_values IS NOT NULL ORDER BY n.node$$,
    $$SELECT ARRAY[avg(y) FILTER (WHERE t = 0), avg(y) FILTER (WHERE t = 1)]::float8[]
        FROM tiny, (SELECT j, v FROM cand ORDER BY gain DESC LIMIT 1) b
       GROUP BY x[b.j] <= b.v ORDER BY x[b.j] <= b.v DESC$$,
    'each leaf holds the per-arm outcome means of its rows');
SELECT is(uplift_score(m, ARRAY[1, 0]::float8[]),
          (SELECT avg(y) FILTER (WHERE t = 1) - avg(y) FILTER (WHERE t = 0) FROM tiny WHERE x[1] = 1)::float8,
          'the effect is the leaf''s treated minus control mean')
FROM one;
SELECT is(uplift_predict(m, ARRAY[1, 2]::float8[], 0),
          (SELECT avg(y) FROM tiny WHERE x[1] = 1 AND t = 0)::float8,
          'uplift_predict gives the leaf''s mean of the arm')
FROM one;

-- kl on the same rows picks x1 too (the only feature the effect depends on),
-- and all the gain goes to it.
SELECT is((uplift_model_info(m)->'heads'->0->'forest'->'importance'->>'x1')::float8, 1::float8,
          'a one-split kl tree puts all importance on the split feature')
FROM (SELECT uplift_fit(x, t, y, '{"learner": "forest", "n_trees": 1, "max_depth": 1, "bootstrap": false}') m
      FROM tiny) s;

-- Three arms: one forest whose leaves hold every arm's mean (on the side
-- of the root's split where the scored row falls).
CREATE TEMP TABLE three AS
SELECT m, substr(n.feature, 2)::int AS j, n.threshold AS v
FROM (SELECT uplift_fit(x, (i / 8) % 3, y, '{"learner": "forest", "n_trees": 1, "max_depth": 1,
                                            "bootstrap": false, "n_reg": 0, "min_samples_leaf": 1,
                                            "min_samples_treatment": 0}') m
      FROM tiny) s, uplift_tree_nodes(m, 1) n
WHERE n.node = 1;
SELECT is(uplift_scores(m, ARRAY[1, 3]::float8[]),
          (SELECT ARRAY[avg(y) FILTER (WHERE (i / 8) % 3 = 1) - avg(y) FILTER (WHERE (i / 8) % 3 = 0),
                        avg(y) FILTER (WHERE (i / 8) % 3 = 2) - avg(y) FILTER (WHERE (i / 8) % 3 = 0)]::float8[]
             FROM tiny WHERE (x[three.j] <= three.v) = ((ARRAY[1, 3]::float8[])[three.j] <= three.v)),
          'with two actions, each effect is its arm''s leaf mean minus control''s')
FROM three;

-- Base "forest": a T-learner of one regression tree per arm.
SELECT is(uplift_predict(m, ARRAY[1, 0]::float8[], 1),
          (SELECT avg(y) FROM tiny WHERE t = 1 AND x[1] = 1)::float8,
          'a t_learner over forests predicts each arm from its own tree''s leaf')
FROM (SELECT uplift_fit(x, t, y, '{"base": "forest", "n_trees": 1, "max_depth": 1, "bootstrap": false,
                                   "min_samples_leaf": 1}') m FROM tiny) s;

-- Named features go in natively: a categorical key is split by grouping
-- its levels (here the two that respond), missing values go the side the
-- split chooses.
CREATE TEMP TABLE named AS
SELECT i, jsonb_build_object('seg', (ARRAY['a', 'b', 'c', 'd'])[1 + i % 4],
                             'v', CASE WHEN i % 10 = 0 THEN NULL ELSE (i % 7)::float8 END) AS f,
       (i / 4) % 2 AS t,
       (CASE WHEN (i / 4) % 2 = 1 AND i % 4 IN (1, 3) THEN i % 5 <> 0 ELSE i % 9 = 0 END)::int::float8 AS y
FROM generate_series(0, 3999) i;
CREATE TEMP TABLE named_m AS
SELECT uplift_fit(f, t, y, '{"learner": "forest", "n_trees": 1, "max_depth": 1, "bootstrap": false,
                             "n_reg": 0, "min_samples_leaf": 1, "min_samples_treatment": 0}') AS m
FROM named;
SELECT ok((SELECT array_agg(c ORDER BY c) FROM named_m, uplift_tree_nodes(m, 1) n, unnest(n.categories) c
            WHERE n.node = 1 AND n.feature = 'seg') IN (ARRAY['a', 'c'], ARRAY['b', 'd']),
          'a categorical key splits by grouping its levels: the two that respond on one side');
SELECT is(uplift_score(m, '{"seg": "b", "v": 3}'::jsonb),
          (SELECT avg(y) FILTER (WHERE t = 1) - avg(y) FILTER (WHERE t = 0) FROM named WHERE f->>'seg' IN ('b', 'd'))::float8,
          'a level scores with its group''s leaf')
FROM named_m;
SELECT is(uplift_score(m, '{"seg": "zzz", "v": null}'::jsonb), uplift_score(m, '{"seg": "zzz", "v": 1}'::jsonb),
          'an unseen level and a missing number score without error')
FROM named_m;
SELECT is((uplift_model_info(m)->'encoding'->0->>'native')::boolean, true, 'the encoding of a forest is native')
FROM named_m;
SELECT is(count(*), 4::bigint, 'every meta-learner over forests takes named features natively')
FROM (SELECT l, uplift_fit(f, t, y, jsonb_build_object('learner', l, 'base', 'forest', 'n_trees', 3)) m
      FROM named, unnest(ARRAY['t_learner', 's_learner', 'x_learner', 'dr_learner']) l GROUP BY l) s
WHERE uplift_score(m, '{"seg": "b", "v": null}'::jsonb) IS NOT NULL;

-- Missing values alone against every value (grf's "missing incorporated in
-- attributes"): here the effect is where v is missing, and one ddp split
-- isolates those rows, every value going left.
CREATE TEMP TABLE miss AS
SELECT i, jsonb_build_object('v', CASE WHEN i % 3 = 0 THEN NULL ELSE (i % 11)::float8 END) AS f,
       (i / 3) % 2 AS t,
       (CASE WHEN (i / 3) % 2 = 1 AND i % 3 = 0 THEN i % 5 <> 0 ELSE i % 9 = 0 END)::int::float8 AS y
FROM generate_series(0, 2999) i;
CREATE TEMP TABLE miss_m AS
SELECT uplift_fit(f, t, y, '{"learner": "forest", "criterion": "ddp", "n_trees": 1, "max_depth": 1,
                             "bootstrap": false, "n_reg": 0, "min_samples_leaf": 1,
                             "min_samples_treatment": 0}') AS m
FROM miss;
SELECT is((SELECT row(n.feature, n.missing_left, n.threshold > 1e300)::text FROM miss_m, uplift_tree_nodes(m, 1) n WHERE n.node = 1),
          '(v,f,t)', 'the root sends every value left and the missing values right');
SELECT is(uplift_score(m, '{"v": null}'::jsonb),
          (SELECT avg(y) FILTER (WHERE t = 1) - avg(y) FILTER (WHERE t = 0) FROM miss WHERE f->'v' = 'null')::float8,
          'a missing value scores with the leaf of the missing rows')
FROM miss_m;

-- The same rows in any order, with many identical rows, give the same forest.
CREATE TEMP TABLE dup AS
SELECT i, ARRAY[(i % 3)::float8, (i % 5)::float8, ((i * 7) % 11)::float8] AS x, (i / 3) % 2 AS t,
       ((i * 13) % 10 < 3 + (i % 3) * ((i / 3) % 2))::int::float8 AS y
FROM generate_series(1, 6000) i;
SELECT is((SELECT uplift_model_checksum(uplift_fit(x, t, y, '{"learner": "forest", "n_trees": 20}' ORDER BY i)) FROM dup),
          (SELECT uplift_model_checksum(uplift_fit(x, t, y, '{"learner": "forest", "n_trees": 20}' ORDER BY -i)) FROM dup),
          'the forest does not depend on the order of the rows, duplicates included');
SELECT isnt((SELECT uplift_model_checksum(uplift_fit(x, t, y, '{"learner": "forest", "n_trees": 20, "seed": 1}')) FROM dup),
            (SELECT uplift_model_checksum(uplift_fit(x, t, y, '{"learner": "forest", "n_trees": 20}')) FROM dup),
            'another seed draws other bootstrap samples');

-- Outcomes of 0 or 1 are kept a byte a row until another value comes: the
-- forest on a continuous outcome is the same whether its 0/1 outcomes come
-- first or last, and its arm means are the outcomes' means.
CREATE TEMP TABLE cont AS
SELECT i, x, t, CASE WHEN i % 4 = 0 THEN y * 2.5 ELSE y END AS y FROM dup;
SELECT is((SELECT uplift_model_checksum(uplift_fit(x, t, y, '{"learner": "forest", "n_trees": 10, "criterion": "cts"}'
                                        ORDER BY y NOT IN (0, 1), i)) FROM cont),
          (SELECT uplift_model_checksum(uplift_fit(x, t, y, '{"learner": "forest", "n_trees": 10, "criterion": "cts"}'
                                        ORDER BY y IN (0, 1), i)) FROM cont),
          'a continuous outcome whose first values are 0 or 1 gives the forest of any other order');
SELECT ok(bool_and(abs((a ->> 'outcome_mean')::float8 - (SELECT avg(y) FROM cont WHERE t = (a ->> 'action')::int)) < 1e-12),
          'the arm means of a forest on outcomes that began as 0 and 1 are the outcomes'' means')
FROM (SELECT uplift_fit(x, t, y, '{"learner": "forest", "n_trees": 3, "criterion": "cts"}' ORDER BY y NOT IN (0, 1), i) m
      FROM cont) f,
     jsonb_array_elements(uplift_model_info(m) -> 'arms') a;

-- Serial and parallel plans grow the same forests.
CREATE TABLE forest_par AS SELECT * FROM uplift_demo_campaign(20000, 3);
ANALYZE forest_par;
CREATE TEMP TABLE q (name text, query text);
INSERT INTO q VALUES
    ('forest', $$SELECT uplift_fit(features, action, converted, '{"learner": "forest", "n_trees": 10}') FROM forest_par$$),
    ('forest cts', $$SELECT uplift_fit(features, action, value, '{"learner": "forest", "n_trees": 10, "honest": true}') FROM forest_par$$),
    ('t_learner forest', $$SELECT uplift_fit(features, action, converted, '{"base": "forest", "n_trees": 10}') FROM forest_par$$),
    ('dr_learner forest', $$SELECT uplift_fit(features, action, value, propensity, '{"learner": "dr_learner", "base": "forest", "n_trees": 5}') FROM forest_par$$);
CREATE FUNCTION pg_temp.run(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    m uplift_model;
BEGIN
    EXECUTE q INTO m;
    RETURN uplift_model_checksum(m);
END
$$;
SELECT force_serial();
CREATE TEMP TABLE serial AS SELECT name, pg_temp.run(query) AS checksum FROM q;
SELECT force_parallel();
SELECT ok(bool_and(EXISTS (SELECT 1 FROM explain_lines(query) l WHERE l LIKE '%Partial Aggregate%')),
          'the fits run as partial aggregates in workers') FROM q;
SELECT is(pg_temp.run(q.query), s.checksum, q.name || ': the parallel plan grows the serial plan''s forest')
FROM q JOIN serial s USING (name) ORDER BY name;
SELECT force_serial();

-- Every meta-learner takes base "forest"; the model round-trips through text.
SELECT is(count(*), 5::bigint, 'every meta-learner fits and scores with base "forest"')
FROM (SELECT l, uplift_fit(features, action, converted, jsonb_build_object('learner', l, 'base', 'forest', 'n_trees', 3)) m
      FROM forest_par, unnest(ARRAY['t_learner', 's_learner', 'class_transform', 'x_learner', 'dr_learner']) l
      WHERE l <> 'class_transform' OR action < 2 GROUP BY l) f
WHERE uplift_score(m, ARRAY[1, 0.5, 0, 1, 0]::float8[]) IS NOT NULL;
SELECT is(uplift_model_checksum(m::text::uplift_model), uplift_model_checksum(m), 'a forest model survives its text form')
FROM (SELECT uplift_fit(features, action, converted, '{"learner": "forest", "n_trees": 3}') m FROM forest_par) s;

-- A text treatment: the forest's arms are the labels' actions (format 5
-- holds the labels after the forests).
SELECT is(uplift_score(l, ARRAY[1, 0.5, 0, 1, 0]::float8[], 'offer b'),
          uplift_score(n, ARRAY[1, 0.5, 0, 1, 0]::float8[], 2),
          'a forest fitted on treatment labels scores an action by its label')
FROM (SELECT uplift_fit(features, (ARRAY['none', 'offer a', 'offer b'])[action + 1], converted,
                        '{"learner": "forest", "n_trees": 3, "control": "none"}') l,
             uplift_fit(features, action, converted, '{"learner": "forest", "n_trees": 3}') n
      FROM forest_par) s;

-- Constant propensities per arm weigh every row alike: the unweighted forest.
SELECT is(uplift_score(w, ARRAY[1, 0.5, 0, 1, 0]::float8[]), uplift_score(u, ARRAY[1, 0.5, 0, 1, 0]::float8[]),
          'constant propensities give the unweighted forest')
FROM (SELECT uplift_fit(features, action, converted, 0.5, '{"learner": "forest", "n_trees": 5}') w,
             uplift_fit(features, action, converted, '{"learner": "forest", "n_trees": 5}') u
      FROM forest_par) s;

-- The quality the reference campaign asks for (../shared/reference/forest_simulated.md):
-- the uplift forest at least causalml's forest, the forest T-learner at least
-- scikit-learn's and above our logistic T-learner, on the test rows.
SET LOCAL max_parallel_workers_per_gather = 0;
SELECT setseed(0.1234);
CREATE TEMP TABLE raw AS SELECT i, ARRAY[random(), random(), random(), random(), random(), random(),
  random(), random(), random(), random()]::float8[] AS x, (random() < 0.5)::int AS t, random() AS u
  FROM generate_series(1, 300000) i;
CREATE TEMP TABLE sim AS SELECT i, x, t, tau, (u < base + t * tau)::int::float8 AS y FROM (
  SELECT i, x, t, u,
    (0.05 * (x[1] > 0.5 AND x[7] < 0.5)::int + 0.03 * (x[3] > 0.7)::int - 0.04 * (x[9] < 0.2)::int) AS tau,
    (0.20 + 0.10 * x[2] + 0.05 * (x[8] > 0.5)::int) AS base FROM raw) s;
CREATE TEMP TABLE sim_models AS
SELECT uplift_fit(x, t, y, '{"learner": "forest", "max_depth": 4, "min_samples_leaf": 200,
                             "min_samples_treatment": 50}') AS uf,
       uplift_fit(x, t, y, '{"base": "forest", "min_samples_leaf": 200}') AS tf0,
       uplift_fit(x, t, y, '{"base": "forest", "min_samples_leaf": 200, "seed": 1}') AS tf1,
       uplift_fit(x, t, y, '{"base": "forest", "min_samples_leaf": 200, "seed": 2}') AS tf2,
       uplift_fit(x, t, y) AS tl
FROM sim WHERE i <= 200000;
-- A forest's test Qini varies with its seed (by about 0.0007 here): the
-- forest T-learner is judged by its mean over three seeds.
CREATE TEMP TABLE sim_qini AS
SELECT uplift_qini_auc(uplift_score(uf, x), t, y) AS uf,
       (uplift_qini_auc(uplift_score(tf0, x), t, y) + uplift_qini_auc(uplift_score(tf1, x), t, y)
        + uplift_qini_auc(uplift_score(tf2, x), t, y)) / 3 AS tf,
       uplift_qini_auc(uplift_score(tl, x), t, y) AS tl, uplift_qini_auc(tau, t, y) AS oracle
FROM sim, sim_models WHERE i > 200000;
SELECT is(round(oracle::numeric, 6), 0.030668, 'the campaign is the reference''s (its oracle Qini)') FROM sim_qini;
SELECT cmp_ok(uf, '>=', 0.028547::float8, 'the kl forest''s test Qini is at least causalml''s forest''s (0.028547)') FROM sim_qini;
SELECT cmp_ok(tf, '>=', 0.026588::float8, 'the forest T-learner''s test Qini (mean of three seeds) is at least scikit-learn''s (0.026588)') FROM sim_qini;
SELECT cmp_ok(tf, '>', tl, 'the forest T-learner ranks better than the logistic T-learner') FROM sim_qini;

-- A cancel lands promptly at any point of a fit: here in the middle of
-- growing 1,000 trees on the 200,000 training rows.
CREATE TEMP TABLE clock (started timestamptz);
INSERT INTO clock VALUES (clock_timestamp());
SET LOCAL statement_timeout = '1500ms';
SELECT is(query_outcome($$SELECT uplift_fit(x, t, y, '{"learner": "forest", "n_trees": 1000}') FROM sim WHERE i <= 200000$$),
          '57014', 'statement_timeout cancels a forest fit with SQLSTATE 57014');
RESET statement_timeout;
SELECT ok(clock_timestamp() - started < interval '2.5 seconds',
          'the cancel arrives within a second of the 1.5 s timeout')
FROM clock;

-- Errors name the option and the fix.
SELECT throws_ok($$SELECT uplift_fit(x, t, y, '{"n_trees": 10}') FROM tiny$$, '22023',
                 'option "n_trees" of uplift_fit applies only to forests', 'tree options need a forest');
SELECT throws_ok($$SELECT uplift_fit(x, t, y, '{"learner": "forest", "base": "linear"}') FROM tiny$$, '22023',
                 'learner "forest" of uplift_fit has no base "linear"', 'the uplift forest takes no other base');
SELECT throws_ok($$SELECT uplift_fit(x, t, y, '{"learner": "forest", "criterion": "gini"}') FROM tiny$$, '22023',
                 'criterion "gini" of uplift_fit is not an uplift criterion', 'the uplift forest needs an uplift criterion');
SELECT throws_ok($$SELECT uplift_fit(x, t, y * 2.5, '{"learner": "forest", "criterion": "kl"}') FROM tiny$$, '22023',
                 'criterion "kl" of uplift_fit needs an outcome of 0 or 1', 'kl needs a 0/1 outcome');
SELECT throws_ok($$SELECT uplift_fit(x, (i / 8) % 3, y, '{"learner": "forest", "criterion": "ddp"}') FROM tiny$$, '22023',
                 'criterion "ddp" of uplift_fit compares one treatment with control, not 2', 'ddp needs one treatment');
SELECT throws_ok($$SELECT uplift_fit(x, t, y, '{"base": "forest", "criterion": "kl"}') FROM tiny$$, '22023',
                 'criterion "kl" of uplift_fit is an uplift criterion', 'forest heads need a plain criterion');
SELECT throws_ok($$SELECT uplift_fit(x, t, y, '{"learner": "forest", "max_depth": 0}') FROM tiny$$, '22023',
                 NULL, 'max_depth 0 is refused');
SELECT throws_ok($$SELECT uplift_fit(x, t, y, '{"learner": "forest", "bins": 256}') FROM tiny$$, '22023',
                 NULL, 'more than 255 bins are refused');
SELECT throws_ok($$SELECT uplift_fit(x, t, y, '{"learner": "forest", "min_samples_leaf": 801}') FROM tiny$$, '22023',
                 'min_samples_leaf (801) is larger than the 800 training rows', 'min_samples_leaf beyond the data is refused');
SELECT throws_ok($$SELECT uplift_fit(x, t, y, '{"learner": "forest", "max_features": "half"}') FROM tiny$$, '22023',
                 'option "max_features" must be a number of features, "sqrt" or "all"', 'max_features takes a number, sqrt or all');
SELECT is(uplift_model_info(m)->'options'->>'max_features', 'sqrt', 'forest heads draw sqrt(p) features a node by default')
FROM (SELECT uplift_fit(x, t, y, '{"base": "forest", "n_trees": 2}') m FROM tiny) s;
SELECT throws_ok($$SELECT uplift_fit(x, t, y, '{"learner": "forest", "subsample": 0.5}') FROM tiny$$, '22023',
                 'option "subsample" of uplift_fit needs "bootstrap": false', 'subsample needs bootstrap off');
SELECT throws_ok($$SELECT uplift_fit(features, action, converted, '{"learner": "forest", "n_trees": 2000, "max_depth": 8, "stats_memory": 1}') FROM forest_par$$,
                 '54000', NULL, 'statistics beyond stats_memory are refused');
SELECT throws_ok($$SELECT uplift_tree_nodes(uplift_fit(x, t, y), 1) FROM tiny$$, '22023',
                 'model of uplift_tree_nodes has no trees', 'a linear model has no trees to list');
SELECT throws_ok($$SELECT uplift_tree_nodes(m, 2) FROM one$$, '22023',
                 'tree of uplift_tree_nodes must be between 1 and 1', 'tree numbers are checked');
SELECT throws_ok($$SELECT uplift_model_import(uplift_model_info(m)) FROM one$$, '0A000',
                 'a model with forests cannot be imported from its description', 'a forest is not rebuilt from its summary');

-- The forest's last pass frees the aggregate's rows as it codes them, but
-- not in a window, whose frame grows after each model: over two peer groups
-- the final function runs twice on one state, and each model is the
-- aggregate's over the same rows.
SELECT results_eq(
    $$SELECT DISTINCT i / 400, uplift_model_checksum(uplift_fit(x, t, y, '{"learner": "forest", "n_trees": 3, "max_depth": 2}')
                                                  OVER (ORDER BY i / 400)) FROM tiny ORDER BY 1$$,
    $$SELECT 0, uplift_model_checksum(uplift_fit(x, t, y, '{"learner": "forest", "n_trees": 3, "max_depth": 2}')) FROM tiny WHERE i < 400
      UNION ALL
      SELECT 1, uplift_model_checksum(uplift_fit(x, t, y, '{"learner": "forest", "n_trees": 3, "max_depth": 2}')) FROM tiny$$,
    'in a window the forest leaves the rows for the next frame');
SELECT results_eq(
    $$SELECT uplift_model_checksum(uplift_fit(x, t, y, '{"learner": "forest", "n_trees": 3}')),
             uplift_model_checksum(uplift_fit(x, t, y, '{"learner": "forest", "n_trees": 3, "seed": 2}')),
             uplift_model_checksum(uplift_fit(x, t, y, '{"n_trees": 3, "base": "forest"}'))
      FROM tiny$$,
    $$SELECT (SELECT uplift_model_checksum(uplift_fit(x, t, y, '{"learner": "forest", "n_trees": 3}')) FROM tiny),
             (SELECT uplift_model_checksum(uplift_fit(x, t, y, '{"learner": "forest", "n_trees": 3, "seed": 2}')) FROM tiny),
             (SELECT uplift_model_checksum(uplift_fit(x, t, y, '{"n_trees": 3, "base": "forest"}')) FROM tiny)$$,
    'forests fitted side by side in one query are those fitted alone');

-- A hashed aggregate rescanned without a change of its input finalizes its
-- states again (here under a Limit whose offset comes from the outer row):
-- the second call returns the model of the first, not a fit of freed rows.
SET LOCAL enable_material = off;
SET LOCAL enable_sort = off;
-- The last reader of an arm's rows frees them (the uplift forest and every
-- meta-learner's last forest heads): the model is kept for such calls.
SELECT results_eq(
    format($$SELECT g, s.part, uplift_model_checksum(s.m)
      FROM generate_series(1, 3) g,
           LATERAL (SELECT i %% 2 AS part, uplift_fit(x, t, y, %L) AS m
                    FROM tiny GROUP BY i %% 2 OFFSET g - g) s ORDER BY 2, 1$$, o),
    format($$SELECT g, p.part, uplift_model_checksum(p.m)
      FROM generate_series(1, 3) g,
           (SELECT i %% 2 AS part, uplift_fit(x, t, y, %L) AS m
            FROM tiny GROUP BY i %% 2) p ORDER BY 2, 1$$, o),
    'a rescanned hashed aggregate returns the same forests again: ' || o)
FROM unnest(ARRAY['{"learner": "forest", "n_trees": 3, "max_depth": 2}',
                  '{"base": "forest", "n_trees": 3, "max_depth": 2}',
                  '{"learner": "x_learner", "base": "forest", "n_trees": 3, "max_depth": 2}',
                  '{"learner": "dr_learner", "base": "forest", "n_trees": 3, "max_depth": 2}',
                  '{"learner": "class_transform", "base": "forest", "n_trees": 3, "max_depth": 2}']) o;
RESET enable_material;
RESET enable_sort;

SELECT * FROM finish();
ROLLBACK;
