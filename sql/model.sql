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

-- effect of action 1, of each action, and the predicted outcome under action 2.
-- At x = (6, 0.3) the heads give mu_0 = 0.5 - 0.02 * 6 + 0.8 * 0.3 = 0.62,
-- mu_1 = 0.9 - 0.3 + 0.42 = 1.02 and mu_2 = 0.6 - 0.18 + 0.33 = 0.75, so the
-- uplifts are 1.02 - 0.62 = 0.4 and 0.75 - 0.62 = 0.13
SELECT uplift_score(model, ARRAY[6, 0.3]) AS uplift_1,
       uplift_score(model, ARRAY[6, 0.3], 2) AS uplift_2,
       uplift_scores(model, ARRAY[6, 0.3]) AS uplifts,
       uplift_predict(model, ARRAY[6, 0.3], 2) AS predicted_2
FROM models;

-- a whole table at once; integer and float4 arrays are cast to float8[].
-- x = (1, 0.1): mu_1 - mu_0 = 0.4 - 0.03 * 1 + 0.6 * 0.1 = 0.43;
-- x = (12, 2.5): 0.4 - 0.03 * 12 + 0.6 * 2.5 = 1.54
SELECT c.id, round(uplift_score(m.model, c.features)::numeric, 4) AS uplift
FROM (VALUES (1, ARRAY[1, 0.1]::float4[]), (2, ARRAY[12, 2.5]::float4[])) AS c(id, features),
     models m
ORDER BY c.id;

-- the text form is base64 of the checksummed binary form.  Its bytes (the
-- layout in src/model_format.c): a 16-byte header and a body of 4 x i32 + 2 x
-- u8 = 18, two names (4 + 7, 4 + 9) = 24, 3 arm rows and 3 means = 48, the
-- propensity range and the clipped rows = 24, the options "{}" = 6, the mix
-- and calibration flags and the head count = 6, and 3 heads of 3 x i32 + u32
-- + 3 coefficients + i64 + i32 + u8 + f64 = 61 bytes each = 183: 325 bytes,
-- 4 * ceil(325 / 3) = 436 characters of base64.  The checksum is the CRC-32C
-- of the body, as its header stores it
SELECT octet_length(model::bytea) AS bytes, length(model::text) AS text_length,
       model::text = translate(encode(model::bytea, 'base64'), E'\n', '') AS is_base64,
       uplift_model_checksum(model) FROM models;

-- errors
SELECT uplift_score(model, ARRAY[6, 0.3, 1]) FROM models;
SELECT uplift_score(model, ARRAY[6, 0.3], 3) FROM models;
SELECT 'VVBMTQ=='::uplift_model;
