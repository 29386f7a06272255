-- The demo job: a randomized campaign from the built-in generator, value and
-- cost models, every customer scored, and a short report against the
-- generator's known truth.  Run by scripts/demo.sh (psql variables n, seed).
\set ON_ERROR_STOP on
\pset footer off
SET client_min_messages = warning;

\echo
\echo '== 1. The campaign: randomized actions with logged propensities'
CREATE TABLE campaign AS SELECT * FROM uplift_demo_campaign(:n, :seed);
-- 60% of the units train the models, 20% calibrate them, 20% are held out
-- for evaluation
CREATE TABLE train AS SELECT * FROM campaign WHERE unit_id % 5 IN (1, 2, 3);
CREATE TABLE calibration AS SELECT * FROM campaign WHERE unit_id % 5 = 4;
CREATE TABLE holdout AS SELECT * FROM campaign WHERE unit_id % 5 = 0;
ANALYZE campaign; ANALYZE train; ANALYZE calibration; ANALYZE holdout;

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

\echo '== 3. Calibrate the value and cost heads on the calibration split'
UPDATE models m
SET model = (SELECT uplift_fit_calibration(m.model, c.features, c.action,
                                           CASE m.head WHEN 'value' THEN c.value ELSE c.cost END,
                                           c.propensity)
             FROM calibration c)
WHERE head IN ('value', 'cost');

SELECT head, (l ->> 'action')::int AS action,
       round((l ->> 'slope')::numeric, 3) AS slope, round((l ->> 'intercept')::numeric, 3) AS intercept
FROM models, jsonb_array_elements(uplift_model_info(model) -> 'calibration') l
WHERE head IN ('value', 'cost')
ORDER BY head, action;

\echo '== 4. Score every customer: incremental value and cost of each action'
CREATE TABLE scored AS
SELECT c.unit_id, c.true_value_uplift, c.true_cost_uplift, c.true_conversion_uplift,
       uplift_scores(v.model, c.features) AS value_uplift,
       uplift_scores(k.model, c.features) AS cost_uplift,
       uplift_scores(p.model, c.features) AS conversion_uplift
FROM campaign c,
     (SELECT model FROM models WHERE head = 'value') v,
     (SELECT model FROM models WHERE head = 'cost') k,
     (SELECT model FROM models WHERE head = 'conversion') p;

\echo '== 5. Estimated against true uplift, per action (PEHE = root mean squared error)'
SELECT a AS action,
       round(avg(value_uplift[a])::numeric, 3) AS est_value,
       round(avg(true_value_uplift[a])::numeric, 3) AS true_value,
       round(sqrt(avg((value_uplift[a] - true_value_uplift[a]) ^ 2))::numeric, 3) AS value_pehe,
       round(avg(cost_uplift[a])::numeric, 3) AS est_cost,
       round(avg(true_cost_uplift[a])::numeric, 3) AS true_cost,
       round(corr(conversion_uplift[a], true_conversion_uplift[a])::numeric, 3) AS conversion_corr
FROM scored, generate_series(1, 2) AS a
GROUP BY a ORDER BY a;

\echo '== 6. Evaluate on the holdout: Qini and AUUC of the conversion head (0/1 outcome), uplift@30% of the value head'
SELECT a AS action,
       round(uplift_qini_auc(s.conversion_uplift[a], (h.action = a)::int, h.converted)::numeric, 4) AS qini_auc,
       round(uplift_auuc(s.conversion_uplift[a], (h.action = a)::int, h.converted)::numeric, 4) AS auuc,
       round(uplift_at_k(s.value_uplift[a], (h.action = a)::int, h.value, 0.3, 'by_group')::numeric, 3) AS uplift_at_30pct
FROM holdout h JOIN scored s USING (unit_id), generate_series(1, 2) AS a
WHERE h.action IN (0, a)
GROUP BY a ORDER BY a;

\echo '== 7. Off-policy value of the learned policy (greedy on value uplift, 10% exploration) on the holdout log'
CREATE VIEW evaluated AS
SELECT h.*,
       ope_target_propensity(m.model, h.features, h.action, 0.1) AS target,
       uplift_predict(m.model, h.features, h.action) AS q_logged,
       ope_q_target(m.model, h.features, ope_target_probs(m.model, h.features, 0.1)) AS q_target,
       ope_target_probs(m.model, h.features, 0.1) AS probs
FROM holdout h, models m WHERE m.head = 'value';

SELECT 'ips' AS estimator, round(e.estimate::numeric, 3) AS estimate,
       round(e.ci_low::numeric, 3) AS ci_low, round(e.ci_high::numeric, 3) AS ci_high
FROM (SELECT (ips_value(value, propensity, target)).* FROM evaluated) e
UNION ALL
SELECT 'dr', round(e.estimate::numeric, 3), round(e.ci_low::numeric, 3), round(e.ci_high::numeric, 3)
FROM (SELECT (dr_value(value, propensity, target, q_logged, q_target)).* FROM evaluated) e
UNION ALL
-- the generator knows E[value | x, a]: the policy's true value and the
-- value of never making an offer
SELECT 'true value', round(avg(5 + 2 * features[1] + features[2] + 1.5 * features[3]
                               + probs[2] * true_value_uplift[1] + probs[3] * true_value_uplift[2])::numeric, 3),
       NULL, NULL
FROM evaluated
UNION ALL
SELECT 'never offer', round(avg(5 + 2 * features[1] + features[2] + 1.5 * features[3])::numeric, 3), NULL, NULL
FROM evaluated;

\echo '== 8. Allocate a budget: at most one action per customer, no offer where nothing pays'
-- candidates: each customer's calibrated incremental value and cost per action
CREATE TABLE candidates AS
SELECT c.unit_id, v.action, v.value, v.cost
FROM campaign c,
     (SELECT model FROM models WHERE head = 'value') vm,
     (SELECT model FROM models WHERE head = 'cost') cm,
     uplift_value_cost(vm.model, cm.model, c.features) v;

\set budget (:n / 5)
CREATE TABLE allocation AS
SELECT * FROM allocate_budget('SELECT unit_id, action, value, cost FROM candidates', :budget);

SELECT a.action, count(*) AS units,
       round(sum(a.value)::numeric, 1) AS est_value, round(sum(a.cost)::numeric, 1) AS est_cost,
       round(sum(c.true_value_uplift[a.action])::numeric, 1) AS true_value,
       round(sum(c.true_cost_uplift[a.action])::numeric, 1) AS true_cost
FROM allocation a JOIN campaign c USING (unit_id)
GROUP BY ROLLUP (a.action) ORDER BY a.action;

SELECT :budget AS budget, assigned, round(total_value::numeric, 1) AS total_value,
       round(total_cost::numeric, 1) AS total_cost, round(lp_bound::numeric, 1) AS lp_bound,
       round(gap::numeric, 4) AS gap
FROM allocate_budget_summary('SELECT unit_id, action, value, cost FROM candidates', :budget);

-- the same budget spent on random customers with action 1 (untargeted mass mailing)
SELECT 'untargeted action 1' AS policy, count(*) AS units,
       round(sum(true_value_uplift[1])::numeric, 1) AS true_value,
       round(sum(true_cost_uplift[1])::numeric, 1) AS true_cost
FROM (SELECT *, sum(true_cost_uplift[1]) OVER (ORDER BY uplift_demo_uniform(unit_id, :seed, 99)) AS spent
      FROM campaign) r
WHERE spent <= :budget;

\echo '== 9. Log the decisions, keeping 5% exploration so later policies stay identifiable'
SELECT uplift_create_assignment_log() AS assignment_log \gset
SELECT l.action, count(*) AS units,
       round(min(l.propensity)::numeric, 4) AS min_propensity,
       round(max(l.propensity)::numeric, 4) AS max_propensity
FROM campaign c
LEFT JOIN allocation a USING (unit_id),
LATERAL uplift_explore_logged('demo-allocation', c.unit_id,
            ARRAY[CASE WHEN a.action = 1 THEN 1 ELSE -1 END,
                  CASE WHEN a.action = 2 THEN 1 ELSE -1 END]::float8[],
            0.05, 0.01) l
GROUP BY l.action ORDER BY l.action;

SELECT count(*) AS logged_rows, count(DISTINCT unit_id) AS units FROM uplift_assignment_log
WHERE experiment = 'demo-allocation';
