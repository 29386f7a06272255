-- pgTAP: equality, order and hashing of uplift_model (src/model_cmp.c).
-- The reference is bytea's own comparison of the models' bytes
-- (uplift_model::bytea), which is byte equality and memcmp-then-length order;
-- DISTINCT and GROUP BY counts are known by construction; a compressed
-- out-of-line model equals and hashes as its plain copy.
BEGIN;
SELECT plan(23);

-- Three distinct small models, told apart by one coefficient.
CREATE TABLE cmp_models AS
SELECT i, uplift_model_import(jsonb_build_object(
           'learner', 't_learner', 'base', 'linear', 'n_actions', 1, 'n_features', 2,
           'heads', jsonb_build_array(
               jsonb_build_object('role', 'outcome', 'action', 0, 'link', 'identity',
                                  'intercept', 0.5, 'coefficients', jsonb_build_array(1.0, 2.0)),
               jsonb_build_object('role', 'outcome', 'action', 1, 'link', 'identity',
                                  'intercept', 0.5, 'coefficients', jsonb_build_array(1.0, i::float8)))))
       AS model
FROM generate_series(1, 3) i;

SELECT ok((SELECT a.model = b.model FROM cmp_models a, cmp_models b WHERE a.i = 1 AND b.i = 1),
          'a model equals itself');
SELECT ok((SELECT a.model = uplift_model_import(uplift_model_info(a.model)) FROM cmp_models a WHERE a.i = 2),
          'a model equals its re-import (same bytes, another value)');
SELECT ok((SELECT NOT (a.model = b.model) FROM cmp_models a, cmp_models b WHERE a.i = 1 AND b.i = 2),
          'models with different coefficients are not equal');
SELECT ok((SELECT a.model <> b.model FROM cmp_models a, cmp_models b WHERE a.i = 1 AND b.i = 3),
          '<> is true for different models');
SELECT ok((SELECT NOT (a.model <> b.model) FROM cmp_models a, cmp_models b WHERE a.i = 3 AND b.i = 3),
          '<> is false for equal models');

-- Every pair against bytea's comparison of the same bytes.
SELECT is((SELECT count(*) FROM cmp_models a, cmp_models b
            WHERE (a.model = b.model) IS DISTINCT FROM (a.model::bytea = b.model::bytea)
               OR (a.model <> b.model) IS DISTINCT FROM (a.model::bytea <> b.model::bytea)
               OR (a.model < b.model) IS DISTINCT FROM (a.model::bytea < b.model::bytea)
               OR (a.model <= b.model) IS DISTINCT FROM (a.model::bytea <= b.model::bytea)
               OR (a.model > b.model) IS DISTINCT FROM (a.model::bytea > b.model::bytea)
               OR (a.model >= b.model) IS DISTINCT FROM (a.model::bytea >= b.model::bytea)
               OR uplift_model_cmp(a.model, b.model)
                  IS DISTINCT FROM sign(byteacmp(a.model::bytea, b.model::bytea))::int),
          0::bigint,
          'every operator and uplift_model_cmp agree with bytea''s order of the same bytes');
SELECT is((SELECT count(*) FROM cmp_models a, cmp_models b WHERE a.model < b.model), 3::bigint,
          'three distinct models: three ordered pairs');

-- NULL: the operators are STRICT.
SELECT is((SELECT model = NULL::uplift_model FROM cmp_models WHERE i = 1), NULL,
          'model = NULL is NULL');
SELECT is((SELECT NULL::uplift_model <> model FROM cmp_models WHERE i = 1), NULL,
          'NULL <> model is NULL');
SELECT is(uplift_model_cmp(NULL, NULL), NULL, 'uplift_model_cmp of NULLs is NULL');
SELECT is(uplift_model_hash(NULL), NULL, 'uplift_model_hash of NULL is NULL');

-- 300 rows: 100 copies of each model plus 5 NULLs.
CREATE TABLE cmp_rows AS
SELECT m.model FROM cmp_models m, generate_series(1, 100)
UNION ALL SELECT NULL FROM generate_series(1, 5);
ANALYZE cmp_rows;

SET LOCAL enable_hashagg = on;
SET LOCAL enable_sort = off;
SELECT ok((SELECT bool_or(l ~ 'HashAggregate') FROM explain_lines('SELECT DISTINCT model FROM cmp_rows') l),
          'DISTINCT can hash models');
SELECT is((SELECT count(*) FROM (SELECT DISTINCT model FROM cmp_rows) d), 4::bigint,
          'DISTINCT under a hash plan: three models and NULL');
SELECT results_eq('SELECT count(*) FROM cmp_rows GROUP BY model ORDER BY 1',
                  ARRAY[5::bigint, 100, 100, 100],
                  'GROUP BY model under a hash plan: 100 rows per model, 5 NULLs');
RESET enable_sort;
SET LOCAL enable_hashagg = off;
SELECT ok((SELECT NOT bool_or(l ~ 'HashAggregate') FROM explain_lines('SELECT DISTINCT model FROM cmp_rows') l),
          'DISTINCT sorts models when hashing is off');
SELECT is((SELECT count(*) FROM (SELECT DISTINCT model FROM cmp_rows) d), 4::bigint,
          'DISTINCT under a sort plan: three models and NULL');
SELECT results_eq('SELECT count(*) FROM cmp_rows GROUP BY model ORDER BY 1',
                  ARRAY[5::bigint, 100, 100, 100],
                  'GROUP BY model under a sort plan: 100 rows per model, 5 NULLs');
RESET enable_hashagg;
SELECT is((SELECT count(*) FROM cmp_rows a JOIN cmp_models b ON a.model = b.model), 300::bigint,
          'a join on = matches each of the 300 non-NULL rows once');

-- A large model (2000 features of repeated coefficients, about 32 kB), stored
-- compressed in one table and plain out of line in another.
CREATE TABLE cmp_big_plain (model uplift_model);
ALTER TABLE cmp_big_plain ALTER model SET STORAGE external;
CREATE TABLE cmp_big_packed (model uplift_model);
INSERT INTO cmp_big_plain
SELECT uplift_model_import(jsonb_build_object(
           'learner', 't_learner', 'base', 'linear', 'n_actions', 1, 'n_features', 2000,
           'heads', jsonb_build_array(
               jsonb_build_object('role', 'outcome', 'action', 0, 'link', 'identity', 'intercept', 0,
                                  'coefficients', to_jsonb(array_fill(0.25::float8, ARRAY[2000]))),
               jsonb_build_object('role', 'outcome', 'action', 1, 'link', 'identity', 'intercept', 0,
                                  'coefficients', to_jsonb(array_fill(0.5::float8, ARRAY[2000]))))));
INSERT INTO cmp_big_packed SELECT model FROM cmp_big_plain;

SELECT ok((SELECT pg_column_compression(model) IS NOT NULL
                  AND pg_column_size(model) < octet_length(model::bytea) / 4 FROM cmp_big_packed),
          'the large model is stored compressed');
SELECT ok((SELECT pg_column_compression(model) IS NULL
                  AND pg_column_size(model) > 32000 FROM cmp_big_plain),
          'its copy is stored plain');
SELECT ok((SELECT p.model = q.model AND NOT (p.model <> q.model) AND uplift_model_cmp(p.model, q.model) = 0
             FROM cmp_big_plain p, cmp_big_packed q),
          'a compressed large model equals its plain copy');
SELECT ok((SELECT uplift_model_hash(p.model) = uplift_model_hash(q.model)
                  AND uplift_model_hash_extended(p.model, 7) = uplift_model_hash_extended(q.model, 7)
             FROM cmp_big_plain p, cmp_big_packed q),
          'a compressed large model hashes as its plain copy');
SELECT ok((SELECT p.model <> m.model FROM cmp_big_packed p, cmp_models m WHERE m.i = 1),
          'a large model differs from a small one');

SELECT * FROM finish();
ROLLBACK;
