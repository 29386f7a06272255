-- pgTAP: how each learner's heads combine into effects, checked against the
-- closed forms of doc/model.md on imported coefficients.
BEGIN;
SELECT plan(9);

CREATE TEMP TABLE m (name text, model uplift_model);
INSERT INTO m VALUES
 ('ct_logit', uplift_model_import('{"learner":"class_transform","base":"logistic","n_actions":1,"n_features":2,
    "heads":[{"role":"transformed","action":1,"link":"logit","intercept":0.2,"coefficients":[0.5,-0.3]}]}')),
 ('ct_linear', uplift_model_import('{"learner":"class_transform","base":"linear","n_actions":1,"n_features":2,
    "heads":[{"role":"transformed","action":1,"link":"identity","intercept":0.2,"coefficients":[0.5,-0.3]}]}')),
 ('x', uplift_model_import('{"learner":"x_learner","base":"linear","n_actions":2,"n_features":2,"mix":[0.25,0.6],
    "heads":[{"role":"outcome","action":0,"link":"identity","intercept":1,"coefficients":[1,1]},
             {"role":"outcome","action":1,"link":"identity","intercept":2,"coefficients":[1,2]},
             {"role":"outcome","action":2,"link":"identity","intercept":3,"coefficients":[2,1]},
             {"role":"effect_control","action":1,"link":"identity","intercept":0.5,"coefficients":[0.1,0.2]},
             {"role":"effect","action":1,"link":"identity","intercept":0.7,"coefficients":[0.3,0.4]},
             {"role":"effect_control","action":2,"link":"identity","intercept":-1,"coefficients":[1,0]},
             {"role":"effect","action":2,"link":"identity","intercept":1,"coefficients":[0,1]}]}')),
 ('dr', uplift_model_import('{"learner":"dr_learner","base":"linear","n_actions":2,"n_features":2,
    "calibration":[{"action":1,"intercept":0.1,"slope":0.5,"rows":100},{"action":2,"intercept":0,"slope":2,"rows":100}],
    "heads":[{"role":"outcome","action":0,"link":"identity","intercept":1,"coefficients":[1,1]},
             {"role":"outcome","action":1,"link":"identity","intercept":2,"coefficients":[1,2]},
             {"role":"outcome","action":2,"link":"identity","intercept":3,"coefficients":[2,1]},
             {"role":"effect","action":1,"link":"identity","intercept":0.5,"coefficients":[0.1,0.2]},
             {"role":"effect","action":2,"link":"identity","intercept":-0.5,"coefficients":[0.3,-0.2]}]}'));

CREATE TEMP TABLE x AS SELECT * FROM (VALUES (ARRAY[1, 2]::float8[]), (ARRAY[-0.5, 3]::float8[])) AS v(x);

SELECT ok(bool_and(abs(uplift_score(model, x) - (2 / (1 + exp(-(0.2 + 0.5 * x[1] - 0.3 * x[2]))) - 1)) < 1e-15),
          'class transformation, logistic: 2 P(z=1|x) - 1')
FROM m, x WHERE name = 'ct_logit';
SELECT ok(bool_and(abs(uplift_score(model, x) - (0.2 + 0.5 * x[1] - 0.3 * x[2])) < 1e-15),
          'class transformation, linear: the transformed-outcome regression')
FROM m, x WHERE name = 'ct_linear';
SELECT throws_ok($$SELECT uplift_predict(model, ARRAY[1, 2], 0) FROM m WHERE name = 'ct_logit'$$, '0A000', NULL,
          'uplift_predict refuses a learner without outcome heads');
SELECT ok(bool_and(abs(uplift_score(model, x, 1) - (0.25 * (0.5 + 0.1 * x[1] + 0.2 * x[2]) + 0.75 * (0.7 + 0.3 * x[1] + 0.4 * x[2]))) < 1e-14
               AND abs(uplift_score(model, x, 2) - (0.6 * (-1 + x[1]) + 0.4 * (1 + x[2]))) < 1e-14),
          'X-learner: mix_k tau0_k + (1 - mix_k) tau1_k')
FROM m, x WHERE name = 'x';
SELECT ok(bool_and(abs(uplift_predict(model, x, 2) - (3 + 2 * x[1] + x[2])) < 1e-14),
          'X-learner keeps outcome heads for uplift_predict')
FROM m, x WHERE name = 'x';
SELECT ok(bool_and(abs(uplift_score(model, x, 1) - (0.1 + 0.5 * (0.5 + 0.1 * x[1] + 0.2 * x[2]))) < 1e-14
               AND abs(uplift_score(model, x, 2) - 2 * (-0.5 + 0.3 * x[1] - 0.2 * x[2])) < 1e-14),
          'DR-learner effect heads, mapped through the calibration lines')
FROM m, x WHERE name = 'dr';
SELECT is(uplift_model_info(model) -> 'calibration' -> 1, '{"action": 2, "intercept": 0, "slope": 2, "slope_se": null, "rows": 100}'::jsonb,
          'uplift_model_info reports the calibration')
FROM m WHERE name = 'dr';
SELECT throws_ok($$SELECT uplift_model_import('{"learner":"x_learner","base":"linear","n_actions":1,"n_features":1,
    "heads":[{"role":"outcome","action":0,"link":"identity","intercept":1,"coefficients":[1]},
             {"role":"outcome","action":1,"link":"identity","intercept":1,"coefficients":[1]},
             {"role":"effect_control","action":1,"link":"identity","intercept":1,"coefficients":[1]},
             {"role":"effect","action":1,"link":"identity","intercept":1,"coefficients":[1]}]}')$$,
          '22023', NULL, 'an X-learner without mixing weights is rejected');
SELECT throws_ok($$SELECT uplift_model_import('{"learner":"class_transform","base":"logistic","n_actions":2,"n_features":1,
    "heads":[{"role":"transformed","action":1,"link":"logit","intercept":1,"coefficients":[1]}]}')$$,
          '22023', NULL, 'a class-transformation model with two actions is rejected');

SELECT * FROM finish();
ROLLBACK;
