-- pgTAP: bad input to the model type and the scoring functions.
BEGIN;
SELECT plan(23);

CREATE TEMP TABLE m AS SELECT uplift_model_import(
  '{"learner":"t_learner","base":"linear","n_actions":1,"n_features":2,
    "heads":[{"role":"outcome","action":0,"link":"identity","intercept":1,"coefficients":[2,3]},
             {"role":"outcome","action":1,"link":"identity","intercept":1.5,"coefficients":[2,4]}]}') AS model;

SELECT throws_ok($$SELECT uplift_score(model, ARRAY[1,2,3]::float8[]) FROM m$$, '2202E',
    'features must have 2 elements', 'a wrong number of features names the model''s number');
SELECT throws_ok($$SELECT uplift_score(model, ARRAY[1,NULL]::float8[]) FROM m$$, '22004', NULL,
    'a NULL feature is rejected');
SELECT throws_ok($$SELECT uplift_score(model, ARRAY[1,'NaN']::float8[]) FROM m$$, '22000', NULL,
    'a NaN feature is rejected');
SELECT throws_ok($$SELECT uplift_score(model, ARRAY[1,'Infinity']::float8[]) FROM m$$, '22000', NULL,
    'an infinite feature is rejected');
SELECT throws_ok($$SELECT uplift_score(model, ARRAY[[1,2]]::float8[]) FROM m$$, '2202E', NULL,
    'a two-dimensional features array is rejected');
SELECT throws_ok($$SELECT uplift_score(model, ARRAY[1,2]::float8[], 2) FROM m$$, '22023',
    'action 2 is not in the model', 'an action the model does not have is rejected');
SELECT throws_ok($$SELECT uplift_predict(model, ARRAY[1,2]::float8[], -1) FROM m$$, '22023', NULL,
    'a negative action is rejected');
SELECT throws_ok($$SELECT 'not base64!'::uplift_model$$, '22P02', NULL,
    'text that is not base64 is rejected');
SELECT throws_ok($$SELECT 'AAAA'::uplift_model$$, '22P03', NULL,
    'bytes without the header are rejected as corrupted');
SELECT throws_ok($$SELECT overlay(model::bytea PLACING '\xee' FROM 40)::uplift_model FROM m$$, '22P03', NULL,
    'a damaged body fails the checksum');
SELECT throws_ok($$SELECT overlay(model::bytea PLACING '\x0009' FROM 5)::uplift_model FROM m$$, '22P03',
    'uplift_model format version 9 is not supported', 'a format version from the future is refused');
SELECT throws_ok($$SELECT uplift_model_import('{"learner":"t_learner","base":"linear","n_actions":1,"n_features":2,"heads":[]}')$$,
    '22023', NULL, 'importing a model without heads is rejected');
SELECT throws_ok($$SELECT uplift_model_import('{"learner":"t_learner","base":"linear","n_actions":1,"n_features":2,
    "heads":[{"role":"outcome","action":0,"link":"identity","intercept":1,"coefficients":[2]}]}')$$,
    '22023', NULL, 'importing a head with the wrong number of coefficients is rejected');
SELECT throws_ok($$SELECT uplift_model_import('{"learner":"t_learner","base":"linear","n_actions":1,"n_features":2,
    "heads":[{"role":"outcome","action":0,"link":"identity","intercept":1,"coefficients":[2,3]}]}')$$,
    '22023', NULL, 'importing a T-learner without a head per arm is rejected');
SELECT throws_ok($$SELECT uplift_model_import('{"learner":"magic","base":"linear","n_actions":1,"n_features":2,"heads":[]}')$$,
    '22023', NULL, 'importing an unknown learner is rejected');
SELECT throws_ok($$SELECT uplift_model_import('[1,2]')$$, '22023', NULL,
    'a model description that is not an object is rejected');

SELECT throws_ok($$SELECT uplift_model_import('{"learner":"t_learner","base":"linear","n_actions":1,"n_features":1,
    "heads":[{"role":"outcome","action":0,"link":"identity","intercept":1e400,"coefficients":[1]},
             {"role":"outcome","action":1,"link":"identity","intercept":1,"coefficients":[1]}]}')$$,
    '22003', '"intercept" of the model description is out of range for double precision',
    'a number beyond float8 is an error naming its key');
SELECT throws_ok($$SELECT uplift_model_import('{"learner":"t_learner","base":"linear","n_actions":1,"n_features":1,
    "heads":[{"role":"outcome","action":0,"link":"identity","intercept":1,"coefficients":{"x1":-1e999}},
             {"role":"outcome","action":1,"link":"identity","intercept":1,"coefficients":[1]}]}')$$,
    '22003', '"x1" of the model description is out of range for double precision',
    'a keyed coefficient beyond float8 is an error naming its key');
SELECT throws_ok($$SELECT uplift_model_import('{"learner":"t_learner","base":"linear","n_actions":1,"n_features":1,
    "heads":[{"role":"outcome","action":0,"link":"identity","intercept":1,"coefficients":[1],"rows":1e30},
             {"role":"outcome","action":1,"link":"identity","intercept":1,"coefficients":[1]}]}')$$,
    '22023', NULL, 'a row count beyond bigint is rejected');
SELECT throws_ok($$SELECT uplift_model_import('{"learner":"t_learner","base":"linear","n_actions":1,"n_features":1,
    "calibration":[{"action":1,"intercept":0,"slope":1,"rows":2.5}],
    "heads":[{"role":"outcome","action":0,"link":"identity","intercept":1,"coefficients":[1]},
             {"role":"outcome","action":1,"link":"identity","intercept":1,"coefficients":[1]}]}')$$,
    '22023', NULL, 'a calibration line with a fractional row count is rejected');
SELECT throws_ok($$SELECT uplift_model_import('{"learner":"t_learner","base":"linear","n_actions":1,"n_features":1,
    "calibration":[{"action":1,"intercept":0,"slope":1,"slope_se":-1}],
    "heads":[{"role":"outcome","action":0,"link":"identity","intercept":1,"coefficients":[1]},
             {"role":"outcome","action":1,"link":"identity","intercept":1,"coefficients":[1]}]}')$$,
    '22023', NULL, 'a negative standard error of a calibration slope is rejected');
SELECT throws_ok($$SELECT uplift_model_import('{"learner":"t_learner","base":"linear","n_actions":1,"n_features":1,
    "heads":[{"role":"outcome","action":0,"link":"identity","intercept":1,"coefficients":{"x1":2,"x9":3}},
             {"role":"outcome","action":1,"link":"identity","intercept":1,"coefficients":{"x1":2}}]}')$$,
    '22023', 'coefficient "x9" of the model description names no column of the model',
    'a coefficient keyed by no feature is an error naming the key');
SELECT throws_ok($$SELECT uplift_model_import('{"learner":"t_learner","base":"linear","n_actions":1,"n_features":2,
    "feature_names":["recency","spend"],
    "heads":[{"role":"outcome","action":0,"link":"identity","intercept":1,"coefficients":{"recency":2,"spend":1}},
             {"role":"outcome","action":1,"link":"identity","intercept":1,
              "coefficients":{"recency":2,"spend":1,"x1":0}}]}')$$,
    '22023', 'coefficient "x1" of the model description names no column of the model',
    'with feature names, a coefficient keyed by a default name is an error naming the key');

SELECT * FROM finish();
ROLLBACK;
