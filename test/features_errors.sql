-- pgTAP: bad named features, at fit and at scoring time: each a clear error
-- with its SQLSTATE, naming the key.
BEGIN;
SELECT plan(28);

CREATE TABLE fx AS
SELECT jsonb_build_object('recency', i % 7, 'channel', CASE WHEN i % 3 = 0 THEN 'Web' ELSE 'Phone' END) AS f,
       i % 2 AS t, (i % 5)::float8 AS y
FROM generate_series(1, 40) i;
CREATE TABLE fx_m AS SELECT uplift_fit(f, t, y, '{"base": "linear"}') AS m FROM fx;
CREATE TABLE fx_a AS SELECT uplift_fit(ARRAY[(f->>'recency')::float8], t, y, '{"base": "linear"}') AS m FROM fx;

-- fitting
SELECT throws_ok($$SELECT uplift_fit(jsonb_build_object('a', CASE WHEN i % 2 = 0 THEN to_jsonb(i) ELSE to_jsonb('x'::text) END), i % 2, i) FROM generate_series(1, 10) i$$,
                 '42804', 'key "a" of features is a string in one row and a number in another',
                 'a number in one row and a string in another');
SELECT throws_ok($$SELECT uplift_fit(jsonb_build_object('a', CASE WHEN i % 2 = 0 THEN to_jsonb(i) ELSE to_jsonb(true) END), i % 2, i) FROM generate_series(1, 10) i$$,
                 '42804', NULL, 'a number in one row and a boolean in another');
SELECT throws_ok($$SELECT uplift_fit(jsonb_build_object('a', jsonb_build_object('b', 1)), i % 2, i) FROM generate_series(1, 10) i$$,
                 '22023', 'value of key "a" of features is an object or an array', 'a nested object');
SELECT throws_ok($$SELECT uplift_fit(jsonb_build_object('a', jsonb_build_array(1, 2)), i % 2, i) FROM generate_series(1, 10) i$$,
                 '22023', 'value of key "a" of features is an object or an array', 'an array as a value');
SELECT throws_ok($$SELECT uplift_fit('{}'::jsonb, i % 2, i) FROM generate_series(1, 10) i$$,
                 '22023', 'features of uplift_fit must not be an empty object', 'an empty object');
SELECT throws_ok($$SELECT uplift_fit('[1, 2]'::jsonb, i % 2, i) FROM generate_series(1, 10) i$$,
                 '22023', 'features of uplift_fit must be a JSON object', 'an array instead of an object');
SELECT throws_ok($$SELECT uplift_fit(jsonb_build_object('zip', 'z' || i), i % 2, i) FROM generate_series(1, 1001) i$$,
                 '54000', 'key "zip" of features has more than 1000 levels', 'more than 1000 levels');
SELECT throws_ok($$SELECT uplift_fit((SELECT jsonb_object_agg('k' || j, j) FROM generate_series(1, 1001) j), i % 2, i) FROM generate_series(1, 4) i$$,
                 '54000', 'features of uplift_fit have more than 1000 keys', 'more than 1000 keys');
SELECT throws_ok($$SELECT uplift_fit(jsonb_build_object('a', null, 'b', i), i % 2, i) FROM generate_series(1, 10) i$$,
                 '22023', 'key "a" of features is null or absent in every row', 'a key null in every row');
SELECT throws_ok($$SELECT uplift_fit(f, t, y, '{"categorical": "recency"}') FROM fx$$,
                 '22023', 'option "categorical" of uplift_fit must be a JSON array of key names', 'categorical not an array');
SELECT throws_ok($$SELECT uplift_fit(f, t, y, '{"categorical": ["Recency"]}') FROM fx$$,
                 '22023', 'option "categorical" of uplift_fit names key "Recency", which no row has', 'categorical names no key');
SELECT throws_ok($$SELECT uplift_fit(jsonb_build_object('k', 'a', 'k=a', i), i % 2, i) FROM generate_series(1, 10) i$$,
                 '22023', 'the columns of the named features of uplift_fit are not usable', 'a key named as another key''s column');
SELECT throws_ok($$SELECT uplift_fit(jsonb_build_object('action_1', i, 'b', i * i), i % 2, i, '{"learner": "s_learner"}') FROM generate_series(1, 10) i$$,
                 '22023', 'the columns of the named features of uplift_fit are not usable', 'a key of the form of an s_learner column');
SELECT throws_ok($$SELECT uplift_fit(f, t, y, '{"max_categories": 0}') FROM fx$$,
                 '22023', NULL, 'max_categories below 1');
SELECT throws_ok($$SELECT uplift_fit(f, t, y, '{"feature_names": ["a"]}') FROM fx$$,
                 '22023', 'option "feature_names" of uplift_fit does not apply to named features', 'feature_names with named features');
SELECT throws_ok($$SELECT uplift_fit(f, t, y, '{"bogus": 1}') FROM fx$$,
                 '22023', NULL, 'an unknown option');
SELECT throws_ok($$SELECT uplift_fit(ARRAY[1.0, 2.0]::float8[], t, y, '{"categorical": ["a"]}') FROM fx$$,
                 '22023', NULL, 'categorical is an option of named features only');
SELECT throws_ok($$SELECT uplift_fit(jsonb_build_object('a', 1e400::numeric), i % 2, i) FROM generate_series(1, 4) i$$,
                 '22003', NULL, 'a number beyond double precision');

-- scoring
SELECT throws_ok($$SELECT uplift_score(m, '{"recency": 1, "chanel": "Web", "channel": "Web"}'::jsonb) FROM fx_m$$,
                 '42703', 'key "chanel" of features is not a feature of the model', 'a misspelt key');
SELECT throws_ok($$SELECT uplift_score(m, '{"recency": 1, "chanel": "Web"}'::jsonb) FROM fx_m$$,
                 '42703', 'key "chanel" of features is not a feature of the model', 'a misspelt key in place of a needed one');
SELECT throws_ok($$SELECT uplift_scores(m, '{"recency": 1}'::jsonb) FROM fx_m$$,
                 '22023', 'features lack key "channel" of the model', 'an absent key');
SELECT throws_ok($$SELECT uplift_predict(m, '{"recency": "1", "channel": "Web"}'::jsonb, 0) FROM fx_m$$,
                 '42804', 'key "recency" of features is a string, but the model was fitted with a number', 'a string for a number');
SELECT throws_ok($$SELECT uplift_score(m, '{"recency": 1, "channel": {"a": 1}}'::jsonb, 1) FROM fx_m$$,
                 '22023', 'value of key "channel" of features is an object or an array', 'a nested value at scoring');
SELECT throws_ok($$SELECT uplift_score(m, '[1]'::jsonb) FROM fx_m$$,
                 '22023', NULL, 'an array instead of an object at scoring');
SELECT throws_ok($$SELECT uplift_score(m, ARRAY[1.0, 2.0]::float8[]) FROM fx_m$$,
                 '42804', 'the model was fitted from named (jsonb) features, not array', 'a float8[] for a model from jsonb');
SELECT throws_ok($$SELECT uplift_score(m, '{"recency": 1}'::jsonb) FROM fx_a$$,
                 '42804', 'the model was fitted from array features, not named (jsonb)', 'jsonb for a model from float8[]');
SELECT is(uplift_score(m, NULL::jsonb), NULL, 'NULL features score NULL, as for arrays') FROM fx_m;

-- calibration takes float8[] features only (for now): a model fitted from
-- named features is refused, not fed an array in an order it does not have
SELECT throws_ok($$SELECT uplift_fit_calibration(m, ARRAY[1, 0]::float8[], t, y, 0.5) FROM fx, fx_m$$,
                 '42804', 'the model was fitted from named (jsonb) features, not array',
                 'uplift_fit_calibration refuses a model fitted from named features');

SELECT * FROM finish();
ROLLBACK;
