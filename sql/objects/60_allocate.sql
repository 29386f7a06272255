
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

-- The two-step path: a threshold aggregate and a per-row decision.

CREATE FUNCTION allocate_threshold_transfn(internal, float8[], float8[], float8)
RETURNS internal
AS 'MODULE_PATHNAME', 'allocate_threshold_transfn'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION allocate_threshold_transfn(internal, float8[], float8[], float8, jsonb)
RETURNS internal
AS 'MODULE_PATHNAME', 'allocate_threshold_transfn'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION allocate_threshold_transfn(internal, bigint, float8[], float8[], float8, jsonb)
RETURNS internal
AS 'MODULE_PATHNAME', 'allocate_threshold_transfn'
LANGUAGE C STABLE PARALLEL SAFE;

CREATE FUNCTION allocate_threshold_combinefn(internal, internal)
RETURNS internal
AS 'MODULE_PATHNAME', 'allocate_threshold_combinefn'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION allocate_threshold_serialfn(internal)
RETURNS bytea
AS 'MODULE_PATHNAME', 'allocate_threshold_serialfn'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION allocate_threshold_deserialfn(bytea, internal)
RETURNS internal
AS 'MODULE_PATHNAME', 'allocate_threshold_deserialfn'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION allocate_threshold_finalfn(internal)
RETURNS float8
AS 'MODULE_PATHNAME', 'allocate_threshold_finalfn'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION allocate_threshold_transfn(internal, float8[], float8[], float8) IS
'transition function of allocate_threshold: adds a unit''s hull increments';
COMMENT ON FUNCTION allocate_threshold_transfn(internal, float8[], float8[], float8, jsonb) IS
'transition function of allocate_threshold with options';
COMMENT ON FUNCTION allocate_threshold_transfn(internal, bigint, float8[], float8[], float8, jsonb) IS
'transition function of allocate_threshold with unit ids: units that options contact_cap and exclude leave alone add nothing';
COMMENT ON FUNCTION allocate_threshold_combinefn(internal, internal) IS
'combine function of allocate_threshold: merges two partial states';
COMMENT ON FUNCTION allocate_threshold_serialfn(internal) IS
'serial function of allocate_threshold: versioned bytes of a partial state';
COMMENT ON FUNCTION allocate_threshold_deserialfn(bytea, internal) IS
'deserial function of allocate_threshold: checks the version and every length';
COMMENT ON FUNCTION allocate_threshold_finalfn(internal) IS
'final function of allocate_threshold: the ratio of the first group of increments that does not fit';

CREATE AGGREGATE allocate_threshold(action_values float8[], action_costs float8[], budget float8) (
    SFUNC = allocate_threshold_transfn,
    STYPE = internal,
    FINALFUNC = allocate_threshold_finalfn,
    FINALFUNC_MODIFY = READ_WRITE,
    COMBINEFUNC = allocate_threshold_combinefn,
    SERIALFUNC = allocate_threshold_serialfn,
    DESERIALFUNC = allocate_threshold_deserialfn,
    PARALLEL = SAFE
);

COMMENT ON AGGREGATE allocate_threshold(float8[], float8[], float8) IS
'efficiency threshold (value per cost) at which the units'' best hull increments spend the budget; use with allocate_action';

CREATE AGGREGATE allocate_threshold(action_values float8[], action_costs float8[], budget float8, options jsonb) (
    SFUNC = allocate_threshold_transfn,
    STYPE = internal,
    FINALFUNC = allocate_threshold_finalfn,
    FINALFUNC_MODIFY = READ_WRITE,
    COMBINEFUNC = allocate_threshold_combinefn,
    SERIALFUNC = allocate_threshold_serialfn,
    DESERIALFUNC = allocate_threshold_deserialfn,
    PARALLEL = SAFE
);

COMMENT ON AGGREGATE allocate_threshold(float8[], float8[], float8, jsonb) IS
'efficiency threshold with options min_roi, spent, pace; use with allocate_action';

CREATE AGGREGATE allocate_threshold(unit_id bigint, action_values float8[], action_costs float8[],
                                    budget float8, options jsonb) (
    SFUNC = allocate_threshold_transfn,
    STYPE = internal,
    FINALFUNC = allocate_threshold_finalfn,
    FINALFUNC_MODIFY = READ_WRITE,
    COMBINEFUNC = allocate_threshold_combinefn,
    SERIALFUNC = allocate_threshold_serialfn,
    DESERIALFUNC = allocate_threshold_deserialfn,
    PARALLEL = SAFE
);

COMMENT ON AGGREGATE allocate_threshold(bigint, float8[], float8[], float8, jsonb) IS
'efficiency threshold with options min_roi, spent, pace, contact_cap, as_of, exclude; units left alone spend nothing; use with allocate_action(unit_id, ...)';

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
