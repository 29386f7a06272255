-- pgTAP: one call site scoring several models in turn (a join of customers
-- with a table of models) keeps the last few parsed models; whatever the
-- order and however many models, every score is that of its own model.
-- Model i is an S-learner whose action 1 has the effect i at every x
-- (closed form), so the expected score of each pair is known.
BEGIN;
SELECT plan(4);

CREATE TEMP TABLE mc_models AS
SELECT i AS id, uplift_model_import(format(
  '{"learner":"s_learner","base":"linear","n_actions":1,"n_features":1,"interactions":false,
    "heads":[{"role":"joint","action":-1,"link":"identity","intercept":0,"coefficients":[1,%s]}]}', i)::jsonb) AS model
  FROM generate_series(1, 7) i;
CREATE TEMP TABLE mc_rows AS SELECT g AS unit, ARRAY[g::float8] AS x FROM generate_series(1, 50) g;
SET LOCAL enable_hashjoin = off;
SET LOCAL enable_mergejoin = off;

SELECT is((SELECT count(*) FROM mc_rows r CROSS JOIN (SELECT * FROM mc_models WHERE id <= 2) m
            WHERE uplift_score(m.model, r.x) <> m.id),
          0::bigint, 'two models alternating row by row: every score is its own model''s');
SELECT is((SELECT count(*) FROM mc_rows r CROSS JOIN (SELECT * FROM mc_models WHERE id <= 4) m
            WHERE uplift_score(m.model, r.x) <> m.id),
          0::bigint, 'four models, as many as a call site keeps');
SELECT is((SELECT count(*) FROM mc_rows r CROSS JOIN mc_models m
            WHERE uplift_score(m.model, r.x) <> m.id),
          0::bigint, 'seven models: the least recently used is parsed again, never confused');
SELECT is((SELECT count(*) FROM (SELECT m.id, m.model, r.x FROM mc_rows r CROSS JOIN mc_models m
                                  ORDER BY (r.unit * 7919 + m.id * 104729) % 1000) s
            WHERE uplift_score(s.model, s.x) <> s.id),
          0::bigint, 'models in a scrambled order');

SELECT * FROM finish();
ROLLBACK;
