
-- The decision layer: budget allocation as a multiple-choice knapsack
-- (src/allocate.c, src/allocate_scale.c, src/knapsack.c; doc/allocation.md).

CREATE FUNCTION allocate_budget(candidates text, budget float8, options jsonb DEFAULT NULL)
RETURNS TABLE (unit_id bigint, action int, value float8, cost float8)
AS 'MODULE_PATHNAME', 'allocate_budget'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION allocate_budget(text, float8, jsonb) IS
'at most one action per unit from the candidates query (unit_id, action, value, cost), best total value with total cost within the budget';

CREATE FUNCTION allocate_budget_summary(candidates text, budget float8, options jsonb DEFAULT NULL,
    OUT candidate_rows bigint, OUT units bigint, OUT assigned bigint,
    OUT total_value float8, OUT total_cost float8, OUT available float8,
    OUT lp_bound float8, OUT gap float8, OUT largest_increment float8,
    OUT threshold float8, OUT units_per_action jsonb, OUT memory_bytes bigint,
    OUT reason text, OUT excluded bigint, OUT capped bigint)
RETURNS record
AS 'MODULE_PATHNAME', 'allocate_budget_summary'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION allocate_budget_summary(text, float8, jsonb) IS
'totals of the allocation allocate_budget makes, its LP upper bound, the gap to it, why no unit got an action when none did, and how many units the exclusions and the contact cap left alone';

-- The two-step path: a threshold aggregate (sql/objects/61_allocate_threshold.sql)
-- and a per-row decision.

CREATE FUNCTION allocate_action(action_values float8[], action_costs float8[], threshold float8,
                                options jsonb DEFAULT NULL)
RETURNS int
AS 'MODULE_PATHNAME', 'allocate_action'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION allocate_action(float8[], float8[], float8, jsonb) IS
'the action (0 = no offer) a unit gets at the threshold from allocate_threshold, given its per-action values and costs';

CREATE FUNCTION allocate_action(unit_id bigint, action_values float8[], action_costs float8[],
                                threshold float8, options jsonb)
RETURNS int
AS 'MODULE_PATHNAME', 'allocate_action'
LANGUAGE C STABLE PARALLEL SAFE;

COMMENT ON FUNCTION allocate_action(bigint, float8[], float8[], float8, jsonb) IS
'the action (0 = no offer) a unit gets at the threshold from allocate_threshold(unit_id, ...); 0 for a unit that options contact_cap and exclude leave alone';
