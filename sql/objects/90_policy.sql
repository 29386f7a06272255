
-- The greedy policy induced by per-action effects (src/policy.c).

CREATE FUNCTION uplift_policy_probs(effects float8[], epsilon float8 DEFAULT 0,
                                    min_propensity float8 DEFAULT 0)
RETURNS float8[]
AS 'MODULE_PATHNAME'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION uplift_policy_probs(float8[], float8, float8) IS
'probabilities (element a+1 for action a = 0..K) that the greedy policy over these effects takes each action';

CREATE FUNCTION uplift_policy_propensity(effects float8[], action int,
                                         epsilon float8 DEFAULT 0,
                                         min_propensity float8 DEFAULT 0)
RETURNS float8
AS 'MODULE_PATHNAME'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION uplift_policy_propensity(float8[], int, float8, float8) IS
'probability that the greedy policy over these effects takes the given action';

CREATE FUNCTION uplift_policy_action(effects float8[])
RETURNS int
AS 'MODULE_PATHNAME'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION uplift_policy_action(float8[]) IS
'the greedy action: the largest positive effect, else 0 (no offer)';
