
-- Allocation with a contact cap and exclusions (sql/objects/60_allocate.sql,
-- src/allocate_contact.c): allocate_budget_summary reports how many units
-- they left alone, and the two-step path gets overloads with unit ids.

DROP FUNCTION allocate_budget_summary(text, float8, jsonb);

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

CREATE FUNCTION allocate_threshold_transfn(internal, bigint, float8[], float8[], float8, jsonb)
RETURNS internal
AS 'MODULE_PATHNAME', 'allocate_threshold_transfn'
LANGUAGE C STABLE PARALLEL SAFE;

COMMENT ON FUNCTION allocate_threshold_transfn(internal, bigint, float8[], float8[], float8, jsonb) IS
'transition function of allocate_threshold with unit ids: units that options contact_cap and exclude leave alone add nothing';

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

CREATE FUNCTION allocate_action(unit_id bigint, action_values float8[], action_costs float8[],
                                threshold float8, options jsonb)
RETURNS int
AS 'MODULE_PATHNAME', 'allocate_action'
LANGUAGE C STABLE PARALLEL SAFE;

COMMENT ON FUNCTION allocate_action(bigint, float8[], float8[], float8, jsonb) IS
'the action (0 = no offer) a unit gets at the threshold from allocate_threshold(unit_id, ...); 0 for a unit that options contact_cap and exclude leave alone';
