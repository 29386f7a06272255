-- The class-transformation, X- and DR-learners on the demo campaign: what
-- their models hold, how they compare, and the messages users see.
CREATE TABLE lcampaign AS SELECT * FROM uplift_demo_campaign(6000, 3);

CREATE TABLE lmodels AS
SELECT 'x_learner' AS learner,
       uplift_fit(features, action, value, propensity, '{"learner": "x_learner"}') AS model
FROM lcampaign WHERE unit_id % 2 = 0
UNION ALL
SELECT 'dr_learner', uplift_fit(features, action, value, propensity, '{"learner": "dr_learner"}')
FROM lcampaign WHERE unit_id % 2 = 0
UNION ALL
-- action 1 against control, with the pair's propensity p_1 / (p_1 + p_0)
SELECT 'class_transform', uplift_fit(features, action, converted, propensity / 0.7,
                                     '{"learner": "class_transform"}')
FROM lcampaign WHERE unit_id % 2 = 0 AND action IN (0, 1);

-- the heads each learner stores
SELECT learner, i->>'base' AS base, i->'n_actions' AS n_actions, i->'mix' IS NOT NULL AS has_mix,
       (SELECT string_agg((h->>'role') || ' ' || (h->>'action') || ' ' || (h->>'link'), ', ')
        FROM jsonb_array_elements(i->'heads') h) AS heads
FROM lmodels, LATERAL (SELECT uplift_model_info(model) AS i) x
ORDER BY learner;

-- holdout: effects of action 1 against the demo's truth (doc/demo.md): the
-- true value uplift tv1 = 1 + 0.8 x1 - 0.5 x3 averages 1 + 0 - 0.5 / 2 = 0.75
-- (x1 standard normal, x3 0/1 with probability 1/2); the linear learners
-- recover it, up to the holdout's sampling noise
SELECT m.learner,
       round(avg(uplift_score(m.model, c.features, 1))::numeric, 2) AS ate_1,
       round(avg(CASE WHEN m.learner = 'class_transform' THEN c.true_conversion_uplift[1]
                      ELSE c.true_value_uplift[1] END)::numeric, 2) AS true_ate_1,
       round(corr(uplift_score(m.model, c.features, 1),
                  CASE WHEN m.learner = 'class_transform' THEN c.true_conversion_uplift[1]
                       ELSE c.true_value_uplift[1] END)::numeric, 1) AS corr_with_truth
FROM lmodels m, lcampaign c
WHERE c.unit_id % 2 = 1
GROUP BY m.learner ORDER BY m.learner;

-- scoring a class_transform model works; predicting outcomes does not.  At
-- x = 0 the demo's true conversion uplift is s(-1.5 + 0.5) - s(-1.5) = 0.2689 -
-- 0.1824 = 0.0865 (s the logistic function); the transformed outcome's linear
-- fit approximates that logistic difference over all x, and reads 0.108 there
SELECT round(uplift_score(model, ARRAY[0, 0, 0, 0, 0])::numeric, 3) AS ct_effect_at_zero
FROM lmodels WHERE learner = 'class_transform';
SELECT uplift_predict(model, ARRAY[0, 0, 0, 0, 0], 1) FROM lmodels WHERE learner = 'class_transform';

-- messages
SELECT uplift_fit(features, action, converted, '{"learner": "class_transform"}') FROM lcampaign;
SELECT uplift_fit(features, action, converted, propensity, '{"learner": "class_transform", "base": "logistic"}')
FROM lcampaign WHERE action IN (0, 1);
SELECT uplift_fit(features, action, value, '{"learner": "dr_learner", "min_propensity": 0.05}') FROM lcampaign;
SELECT uplift_fit(features, action, value, 0, '{"learner": "x_learner"}') FROM lcampaign;
