-- pgTAP: uplift_fit from named features (jsonb).  The encoding is checked
-- against a closed form computed by hand on a small table (the mean of the
-- present values, a missing indicator, one column per level with JSON null
-- a level of its own, an unseen level encoding to zeros), and every fit
-- against the same fit from a float8[] design built here in SQL.
BEGIN;
SELECT plan(20);

CREATE TABLE fe (id int, recency float8, channel text, newbie boolean, treatment int, y float8, conv int);
INSERT INTO fe VALUES
    (1, 1, 'Web', true, 0, 1.0, 1),
    (2, NULL, 'Phone', false, 1, 2.0, 0),
    (3, 3, NULL, true, 0, 0.5, 0),
    (4, 4, 'Web', false, 1, 3.0, 1),
    (5, 2, 'Phone', true, 0, 1.5, 1),
    (6, 6, 'Web', false, 1, 2.5, 0),
    (7, 5, 'Multichannel', true, 0, 1.0, 0),
    (8, NULL, 'Web', false, 1, 2.0, 1),
    (9, 2, 'Phone', false, 0, 0.0, 0),
    (10, 7, 'Multichannel', true, 1, 4.0, 1);

-- the hand encoding: recency's mean over its 8 values is 30/8 = 3.75
CREATE VIEW fe_x AS
SELECT id, treatment, y, conv,
       to_jsonb(fe) - 'id' - 'treatment' - 'y' - 'conv' AS f,
       ARRAY[newbie::int, coalesce(recency, 3.75), (recency IS NULL)::int,
             (channel IS NOT DISTINCT FROM 'Multichannel')::int, (channel IS NOT DISTINCT FROM 'Phone')::int,
             (channel IS NOT DISTINCT FROM 'Web')::int, (channel IS NULL)::int]::float8[] AS x
FROM fe;

CREATE TABLE fe_m AS
SELECT (SELECT uplift_fit(f, treatment, y, '{"base": "linear", "l2": 2}') FROM fe_x) AS named,
       (SELECT uplift_fit(x, treatment, y, '{"base": "linear", "l2": 2, "feature_names":
               ["newbie", "recency", "missingindicator_recency", "channel=Multichannel",
                "channel=Phone", "channel=Web", "channel=null"]}') FROM fe_x) AS arr;

SELECT is(uplift_model_info(named) -> 'feature_names',
          '["newbie", "recency", "missingindicator_recency", "channel=Multichannel", "channel=Phone", "channel=Web", "channel=null"]'::jsonb,
          'columns: numeric keys in byte order, their missing indicators, then each level of the string keys')
FROM fe_m;

SELECT is(uplift_model_info(named) -> 'encoding',
          '[{"key": "channel", "type": "string", "categorical": true, "levels": ["Multichannel", "Phone", "Web", null], "infrequent": []},
            {"key": "newbie", "type": "boolean", "categorical": false, "mean": 0.5, "missing_indicator": false},
            {"key": "recency", "type": "number", "categorical": false, "mean": 3.75, "missing_indicator": true}]'::jsonb,
          'the encoding: levels in byte order with null last, the mean of the present values, an indicator where values are missing')
FROM fe_m;

-- every coefficient of every head, by head and column name
CREATE FUNCTION pg_temp.coefs(model uplift_model) RETURNS TABLE (name text, value float8)
LANGUAGE sql AS $$
    SELECT (h->>'role') || (h->>'action') || ':' || c.key, c.value::float8
    FROM jsonb_array_elements(uplift_model_info(model)->'heads') h,
         jsonb_each_text(h->'coefficients') c
    UNION ALL
    SELECT (h->>'role') || (h->>'action') || ':intercept', (h->>'intercept')::float8
    FROM jsonb_array_elements(uplift_model_info(model)->'heads') h
$$;

SELECT ok(count(*) = 16 AND max(abs(a.value - b.value)) < 1e-12,
          'a ridge T-learner from jsonb equals the fit from the hand-encoded float8[] design to 1e-12')
FROM fe_m, pg_temp.coefs(named) a JOIN pg_temp.coefs(arr) b USING (name);

SELECT ok(bool_and(abs(uplift_score(named, f) - uplift_score(arr, x)) < 1e-12
               AND abs(uplift_predict(named, f, 1) - uplift_predict(arr, x, 1)) < 1e-12
               AND abs((uplift_scores(named, f))[1] - (uplift_scores(arr, x))[1]) < 1e-12),
          'scores from jsonb equal scores from the hand-encoded design')
FROM fe_m, fe_x;

-- an unseen level and both missing: zeros for channel, the mean and indicator for recency
SELECT is(uplift_predict(named, '{"recency": null, "channel": "Fax", "newbie": null}'::jsonb, 0),
          uplift_predict(arr, ARRAY[0.5, 3.75, 1, 0, 0, 0, 0], 0),
          'an unseen level encodes to zeros, a missing number to its mean and indicator')
FROM fe_m;

SELECT is(uplift_predict(named, '{"recency": 2.5, "channel": null, "newbie": true}'::jsonb, 1),
          uplift_predict(arr, ARRAY[1, 2.5, 0, 0, 0, 0, 1], 1),
          'JSON null is the null level of a string key')
FROM fe_m;

-- the closed form of ridge on one arm: the score is the difference of two
-- linear predictors, so it is linear in the design
SELECT ok(abs(uplift_score(named, '{"recency": 4, "channel": "Web", "newbie": false}'::jsonb)
              - uplift_score(named, '{"recency": 3, "channel": "Web", "newbie": false}'::jsonb)
              - ((SELECT (h->'coefficients'->>'recency')::float8 FROM jsonb_array_elements(uplift_model_info(named)->'heads') h WHERE h->>'action' = '1')
                 - (SELECT (h->'coefficients'->>'recency')::float8 FROM jsonb_array_elements(uplift_model_info(named)->'heads') h WHERE h->>'action' = '0'))) < 1e-12,
          'one more unit of recency moves the score by the difference of the arms'' recency coefficients')
FROM fe_m;

-- every learner, both bases, from jsonb equals the same fit from the design
CREATE TABLE fe_learners AS
SELECT l, b,
       (SELECT uplift_fit(f, treatment, CASE b WHEN 'logistic' THEN conv ELSE y END,
                          jsonb_build_object('learner', l, 'base', b, 'l2', 0.5)) FROM fe_x) AS named,
       (SELECT uplift_fit(x, treatment, CASE b WHEN 'logistic' THEN conv ELSE y END,
                          jsonb_build_object('learner', l, 'base', b, 'l2', 0.5)) FROM fe_x) AS arr
FROM unnest(ARRAY['t_learner', 's_learner', 'class_transform', 'x_learner', 'dr_learner']) l,
     unnest(ARRAY['linear', 'logistic']) b
WHERE NOT (l = 'class_transform' AND b = 'logistic');

SELECT is(count(*), 9::bigint, 'five learners from jsonb') FROM fe_learners WHERE named IS NOT NULL;

SELECT is(array_agg(l || ' ' || b) FILTER (WHERE NOT ok), NULL,
          'every learner from jsonb scores as the same learner from the hand-encoded design (1e-9)')
FROM (SELECT l, b, bool_and(abs(uplift_score(named, f) - uplift_score(arr, x)) < 1e-9) AS ok
        FROM fe_learners, fe_x GROUP BY l, b) s;

SELECT is(array_agg(l || ' ' || b) FILTER (WHERE uplift_model_import(uplift_model_info(named))::bytea <> named::bytea),
          NULL, 'every model from jsonb comes back byte for byte from uplift_model_import(uplift_model_info(m))')
FROM fe_learners;

SELECT is(array_agg(DISTINCT (uplift_model_info(named)->>'format_version') || '/' || (uplift_model_info(arr)->>'format_version')),
          ARRAY['3/2'], 'models from jsonb are format 3, models from float8[] stay format 2')
FROM fe_learners;

-- with a propensity
SELECT ok(bool_and(abs(uplift_score(n.m, f) - uplift_score(a.m, x)) < 1e-9),
          'a weighted dr_learner from jsonb equals the one from the design')
FROM (SELECT uplift_fit(f, treatment, y, 0.5, '{"learner": "dr_learner", "base": "linear"}') AS m FROM fe_x) n,
     (SELECT uplift_fit(x, treatment, y, 0.5, '{"learner": "dr_learner", "base": "linear"}') AS m FROM fe_x) a,
     fe_x;

-- max_categories, as scikit-learn's: the max_categories - 1 most frequent
-- levels keep a column, the rest share one; ties keep the later level
CREATE TABLE fe_cat AS
SELECT jsonb_build_object('k', k, 'n', n) AS f, i % 2 AS t, i::float8 AS y
FROM (VALUES (1, 'a', 10), (2, 'a', 10), (3, 'a', 2), (4, 'a', 9), (5, 'b', 9), (6, 'b', 10),
             (7, 'b', 2), (8, 'c', 2), (9, 'c', 10), (10, 'd', 9)) v(i, k, n);

SELECT is(uplift_model_info(uplift_fit(f, t, y, '{"base": "linear", "max_categories": 3}')) -> 'feature_names',
          '["n", "k=a", "k=b", "k=infrequent"]'::jsonb,
          'max_categories 3: the two most frequent levels and one column for the others')
FROM fe_cat;

SELECT is(uplift_model_info(uplift_fit(f, t, y, '{"base": "linear", "max_categories": 3}')) -> 'encoding' -> 0 -> 'infrequent',
          '["c", "d"]'::jsonb, 'the pooled levels are kept in the model')
FROM fe_cat;

SELECT is(uplift_model_info(uplift_fit(f, t, y, '{"base": "linear", "categorical": ["n"], "max_categories": 2}')) -> 'feature_names',
          '["k=a", "k=infrequent", "n=10", "n=infrequent"]'::jsonb,
          'max_categories 2 keeps the most frequent level of each key (a: 4 of 10, 10: 4 of 10)')
FROM fe_cat;

SELECT is(uplift_model_info(uplift_fit(f, t, y, '{"base": "linear", "max_categories": 3}')) -> 'encoding' -> 0,
          '{"key": "k", "type": "string", "categorical": true, "levels": ["a", "c"], "infrequent": ["b", "d"]}'::jsonb,
          'a tie (b and c, two rows each) pools the earlier level, as scikit-learn''s stable sort does')
FROM fe_cat WHERE y NOT IN (1, 5);

SELECT is(uplift_model_info(uplift_fit(f, t, y, '{"base": "linear", "categorical": ["n"]}')) -> 'encoding' -> 1 -> 'levels',
          '["2", "9", "10"]'::jsonb, 'numbers made categorical sort as numbers')
FROM fe_cat;

SELECT is(uplift_predict(m, '{"k": "d", "n": 9}'::jsonb, 0), uplift_predict(m, '{"k": "c", "n": 9}'::jsonb, 0),
          'two pooled levels score alike')
FROM (SELECT uplift_fit(f, t, y, '{"base": "linear", "max_categories": 3}') AS m FROM fe_cat) s;

SELECT isnt(uplift_predict(m, '{"k": "d", "n": 9}'::jsonb, 0), uplift_predict(m, '{"k": "zz", "n": 9}'::jsonb, 0),
          'a pooled level is not an unseen one')
FROM (SELECT uplift_fit(f, t, y, '{"base": "linear", "max_categories": 3}') AS m FROM fe_cat) s;

-- an absent key in training is a missing value
SELECT is(uplift_model_info(uplift_fit(CASE WHEN y > 5 THEN f - 'n' ELSE f END, t, y, '{"base": "linear"}')) -> 'encoding' -> 1,
          '{"key": "n", "type": "number", "categorical": false, "mean": 8, "missing_indicator": true}'::jsonb,
          'a key absent from some rows is missing there: mean of the five others, (10+10+2+9+9)/5 = 8')
FROM fe_cat;

SELECT * FROM finish();
ROLLBACK;
