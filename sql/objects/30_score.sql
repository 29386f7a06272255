
-- Scoring with a stored model (src/score.c).  The model is parsed once per
-- call site.  float4[] (and integer or numeric) features are accepted through
-- PostgreSQL's implicit array casts to float8[]; a single signature keeps
-- literals such as ARRAY[1, 2] unambiguous.  Not STRICT: NULL features or
-- action give NULL, but a NULL model is an error (doc/scoring.md).

CREATE FUNCTION uplift_score(model uplift_model, features float8[]) RETURNS float8
AS 'MODULE_PATHNAME', 'uplift_score' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION uplift_score(uplift_model, float8[]) IS
'estimated effect of action 1 versus control';

CREATE FUNCTION uplift_score(model uplift_model, features float8[], action int) RETURNS float8
AS 'MODULE_PATHNAME', 'uplift_score_action' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION uplift_score(uplift_model, float8[], int) IS
'estimated effect of the action versus control (0 for action 0)';

CREATE FUNCTION uplift_scores(model uplift_model, features float8[]) RETURNS float8[]
AS 'MODULE_PATHNAME', 'uplift_scores' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION uplift_scores(uplift_model, float8[]) IS
'estimated effect of each action 1..K versus control';

CREATE FUNCTION uplift_predict(model uplift_model, features float8[], action int) RETURNS float8
AS 'MODULE_PATHNAME', 'uplift_predict' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION uplift_predict(uplift_model, float8[], int) IS
'predicted outcome under the action (0 = control)';
