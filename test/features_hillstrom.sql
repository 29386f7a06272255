-- pgTAP: named features on the raw Hillstrom table (text columns, NULLs put
-- into recency and history) against the same T-learners fitted from a
-- design built here in SQL: avg() for the imputed means, CASE for the
-- missing indicators and the one-hot levels (scikit-learn's
-- SimpleImputer(strategy="mean", add_indicator=True) and OneHotEncoder
-- (handle_unknown="ignore") in ColumnTransformer's column order), then
-- LogisticRegression(C=0.5) and Ridge(alpha=2) per arm.
BEGIN;
SELECT plan(4);

CREATE TABLE hr AS
SELECT file_row, (segment = 'Mens E-Mail')::int AS t, visit, spend,
       CASE WHEN file_row % 10 = 3 THEN NULL ELSE recency END AS recency,
       CASE WHEN file_row % 7 = 2 THEN NULL ELSE history END AS history,
       mens, womens, newbie, zip_code, channel
FROM hillstrom WHERE segment IN ('Mens E-Mail', 'No E-Mail');

CREATE TABLE hr_means AS
SELECT avg(recency::float8) AS recency, avg(history) AS history FROM hr;

CREATE TABLE hr_x AS
SELECT file_row, t, visit, spend,
       to_jsonb(hr) - 'file_row' - 't' - 'visit' - 'spend' AS f,
       ARRAY[coalesce(hr.history, m.history), mens, newbie, coalesce(hr.recency, m.recency), womens,
             (hr.history IS NULL)::int, (hr.recency IS NULL)::int,
             (channel = 'Multichannel')::int, (channel = 'Phone')::int, (channel = 'Web')::int,
             (zip_code = 'Rural')::int, (zip_code = 'Surburban')::int, (zip_code = 'Urban')::int]::float8[] AS x
FROM hr, hr_means m;

-- a row with an unseen zip code and both numbers missing
CREATE TABLE hr_new AS
SELECT '{"mens": 1, "womens": 0, "newbie": 1, "channel": "Web", "zip_code": "Mars", "history": null, "recency": null}'::jsonb AS f,
       ARRAY[m.history, 1, 1, m.recency, 0, 1, 1, 0, 0, 1, 0, 0, 0]::float8[] AS x
FROM hr_means m;

CREATE TABLE hr_m AS
SELECT (SELECT uplift_fit(f, t, visit, '{"l2": 2}') FROM hr_x) AS logit_named,
       (SELECT uplift_fit(x, t, visit, '{"l2": 2}') FROM hr_x) AS logit_arr,
       (SELECT uplift_fit(f, t, spend, '{"base": "linear", "l2": 2}') FROM hr_x) AS ridge_named,
       (SELECT uplift_fit(x, t, spend, '{"base": "linear", "l2": 2}') FROM hr_x) AS ridge_arr;

SELECT is(uplift_model_info(logit_named) -> 'feature_names',
          '["history", "mens", "newbie", "recency", "womens", "missingindicator_history", "missingindicator_recency",
            "channel=Multichannel", "channel=Phone", "channel=Web", "zip_code=Rural", "zip_code=Surburban", "zip_code=Urban"]'::jsonb,
          'the columns of ColumnTransformer: numbers, their missing indicators, then the levels')
FROM hr_m;

SELECT ok(max(abs(uplift_score(logit_named, f) - uplift_score(logit_arr, x))) < 1e-6,
          'logistic T-learner (C = 0.5) from the raw rows equals the fit from the SQL design in uplift to 1e-6')
FROM hr_m, (SELECT f, x FROM hr_x UNION ALL SELECT f, x FROM hr_new) r;

SELECT ok(max(abs(uplift_score(ridge_named, f) - uplift_score(ridge_arr, x))) < 1e-9,
          'ridge T-learner (alpha = 2) from the raw rows equals the fit from the SQL design in uplift to 1e-9')
FROM hr_m, (SELECT f, x FROM hr_x UNION ALL SELECT f, x FROM hr_new) r;

SELECT ok(abs(uplift_score(ridge_named, n.f) - uplift_score(ridge_arr, n.x)) < 1e-9
          AND abs(uplift_score(logit_named, n.f) - uplift_score(logit_arr, n.x)) < 1e-6,
          'an unseen zip code with both numbers missing scores as zeros, the means and both indicators')
FROM hr_m, hr_new n;

SELECT * FROM finish();
ROLLBACK;
