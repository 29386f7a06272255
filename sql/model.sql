-- The uplift_model type: build a model from coefficients, read it back,
-- score with it.
CREATE TABLE models (name text PRIMARY KEY, model uplift_model);

INSERT INTO models VALUES ('spend', uplift_model_import('{
  "learner": "t_learner", "base": "linear", "n_actions": 2, "n_features": 2,
  "feature_names": ["recency", "history_k"],
  "heads": [
    {"role": "outcome", "action": 0, "link": "identity", "intercept": 0.5,
     "coefficients": {"recency": -0.02, "history_k": 0.8}},
    {"role": "outcome", "action": 1, "link": "identity", "intercept": 0.9,
     "coefficients": {"recency": -0.05, "history_k": 1.4}},
    {"role": "outcome", "action": 2, "link": "identity", "intercept": 0.6,
     "coefficients": {"recency": -0.03, "history_k": 1.1}}]}'));

SELECT jsonb_pretty(uplift_model_info(model) - 'heads') FROM models;
SELECT jsonb_pretty(uplift_model_info(model) -> 'heads' -> 1) FROM models;

-- effect of action 1, of each action, and the predicted outcome under action 2
SELECT uplift_score(model, ARRAY[6, 0.3]) AS uplift_1,
       uplift_score(model, ARRAY[6, 0.3], 2) AS uplift_2,
       uplift_scores(model, ARRAY[6, 0.3]) AS uplifts,
       uplift_predict(model, ARRAY[6, 0.3], 2) AS predicted_2
FROM models;

-- a whole table at once; integer and float4 arrays are cast to float8[]
SELECT c.id, round(uplift_score(m.model, c.features)::numeric, 4) AS uplift
FROM (VALUES (1, ARRAY[1, 0.1]::float4[]), (2, ARRAY[12, 2.5]::float4[])) AS c(id, features),
     models m
ORDER BY c.id;

-- the text form is base64 of the checksummed binary form
SELECT length(model::text) AS text_length, uplift_model_checksum(model) FROM models;

-- errors
SELECT uplift_score(model, ARRAY[6, 0.3, 1]) FROM models;
SELECT uplift_score(model, ARRAY[6, 0.3], 3) FROM models;
SELECT 'VVBMTQ=='::uplift_model;
