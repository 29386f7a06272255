
-- Security and reliability (issue 12): every SQL body reaches only pg_catalog
-- and @extschema@ objects; the assignment log leaves the extension and gets
-- per-experiment rights; allocate_budget_summary says why nothing was
-- assigned.

-- allocate_budget_summary gets a reason column.

DROP FUNCTION allocate_budget_summary(text, float8, jsonb);

CREATE FUNCTION allocate_budget_summary(candidates text, budget float8, options jsonb DEFAULT NULL,
    OUT candidate_rows bigint, OUT units bigint, OUT assigned bigint,
    OUT total_value float8, OUT total_cost float8, OUT available float8,
    OUT lp_bound float8, OUT gap float8, OUT largest_increment float8,
    OUT threshold float8, OUT units_per_action jsonb, OUT memory_bytes bigint,
    OUT reason text)
RETURNS record
AS 'MODULE_PATHNAME', 'allocate_budget_summary'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION allocate_budget_summary(text, float8, jsonb) IS
'totals of the allocation allocate_budget makes, its LP upper bound, the gap to it, and why no unit got an action when none did';
