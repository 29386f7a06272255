
-- Scoring with a stored model (src/score.c).  The features may be float8[] or
-- float4[]; the model is parsed once per call site.

CREATE FUNCTION uplift_score(model uplift_model, features float8[]) RETURNS float8
AS 'MODULE_PATHNAME', 'uplift_score' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION uplift_score(model uplift_model, features float4[]) RETURNS float8
AS 'MODULE_PATHNAME', 'uplift_score' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION uplift_score(uplift_model, float8[]) IS
'estimated effect of action 1 versus control';
COMMENT ON FUNCTION uplift_score(uplift_model, float4[]) IS
'estimated effect of action 1 versus control';

CREATE FUNCTION uplift_score(model uplift_model, features float8[], action int) RETURNS float8
AS 'MODULE_PATHNAME', 'uplift_score_action' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION uplift_score(model uplift_model, features float4[], action int) RETURNS float8
AS 'MODULE_PATHNAME', 'uplift_score_action' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION uplift_score(uplift_model, float8[], int) IS
'estimated effect of the action versus control (0 for action 0)';
COMMENT ON FUNCTION uplift_score(uplift_model, float4[], int) IS
'estimated effect of the action versus control (0 for action 0)';

CREATE FUNCTION uplift_scores(model uplift_model, features float8[]) RETURNS float8[]
AS 'MODULE_PATHNAME', 'uplift_scores' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION uplift_scores(model uplift_model, features float4[]) RETURNS float8[]
AS 'MODULE_PATHNAME', 'uplift_scores' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION uplift_scores(uplift_model, float8[]) IS
'estimated effect of each action 1..K versus control';
COMMENT ON FUNCTION uplift_scores(uplift_model, float4[]) IS
'estimated effect of each action 1..K versus control';

CREATE FUNCTION uplift_predict(model uplift_model, features float8[], action int) RETURNS float8
AS 'MODULE_PATHNAME', 'uplift_predict' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION uplift_predict(model uplift_model, features float4[], action int) RETURNS float8
AS 'MODULE_PATHNAME', 'uplift_predict' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION uplift_predict(uplift_model, float8[], int) IS
'predicted outcome under the action (0 = control)';
COMMENT ON FUNCTION uplift_predict(uplift_model, float4[], int) IS
'predicted outcome under the action (0 = control)';
