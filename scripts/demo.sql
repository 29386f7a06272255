-- The demo job: a randomized campaign from the built-in generator, value and
-- cost models, every customer scored, and a short report against the
-- generator's known truth.  Run by scripts/demo.sh (psql variables n, seed).
\set ON_ERROR_STOP on
\pset footer off
SET client_min_messages = warning;

\echo
\echo '== 1. The campaign: randomized actions with logged propensities'
CREATE TABLE campaign AS SELECT * FROM uplift_demo_campaign(:n, :seed);
-- 80% of the units train the models, 20% are held out for evaluation
CREATE TABLE train AS SELECT * FROM campaign WHERE unit_id % 5 <> 0;
CREATE TABLE holdout AS SELECT * FROM campaign WHERE unit_id % 5 = 0;
ANALYZE campaign; ANALYZE train; ANALYZE holdout;

SELECT action, count(*) AS units, min(propensity) AS propensity,
       round(avg(value)::numeric, 3) AS mean_value,
       round(avg(cost)::numeric, 3) AS mean_cost,
       round(avg(converted)::numeric, 4) AS conversion
FROM campaign GROUP BY action ORDER BY action;

\echo '== 2. Fit a value head and a cost head (T-learner, linear base, weighted by 1/propensity)'
CREATE TABLE models AS
SELECT 'value' AS head,
       uplift_fit(features, action, value, propensity, '{"learner": "t_learner", "base": "linear", "l2": 0}') AS model
FROM train
UNION ALL
SELECT 'cost',
       uplift_fit(features, action, cost, propensity, '{"learner": "t_learner", "base": "linear", "l2": 0}')
FROM train
UNION ALL
SELECT 'conversion',
       uplift_fit(features, action, converted, '{"learner": "t_learner", "base": "logistic"}')
FROM train;

SELECT head, m ->> 'learner' AS learner, m ->> 'base' AS base,
       (SELECT string_agg(a ->> 'rows', ' / ') FROM jsonb_array_elements(m -> 'arms') a) AS rows_per_arm,
       (SELECT bool_and((h ->> 'converged')::bool) FROM jsonb_array_elements(m -> 'heads') h) AS converged
FROM (SELECT head, uplift_model_info(model) AS m FROM models) s ORDER BY head;

\echo '== 3. Score every customer: incremental value and cost of each action'
CREATE TABLE scored AS
SELECT c.unit_id, c.true_value_uplift, c.true_cost_uplift, c.true_conversion_uplift,
       uplift_scores(v.model, c.features) AS value_uplift,
       uplift_scores(k.model, c.features) AS cost_uplift,
       uplift_scores(p.model, c.features) AS conversion_uplift
FROM campaign c,
     (SELECT model FROM models WHERE head = 'value') v,
     (SELECT model FROM models WHERE head = 'cost') k,
     (SELECT model FROM models WHERE head = 'conversion') p;

\echo '== 4. Estimated against true uplift, per action (PEHE = root mean squared error)'
SELECT a AS action,
       round(avg(value_uplift[a])::numeric, 3) AS est_value,
       round(avg(true_value_uplift[a])::numeric, 3) AS true_value,
       round(sqrt(avg((value_uplift[a] - true_value_uplift[a]) ^ 2))::numeric, 3) AS value_pehe,
       round(avg(cost_uplift[a])::numeric, 3) AS est_cost,
       round(avg(true_cost_uplift[a])::numeric, 3) AS true_cost,
       round(corr(conversion_uplift[a], true_conversion_uplift[a])::numeric, 3) AS conversion_corr
FROM scored, generate_series(1, 2) AS a
GROUP BY a ORDER BY a;
