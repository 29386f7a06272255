-- uplift_fit_query (src/fit_query.c): the fits of uplift_fit over passes of
-- a query, each pass an aggregate with a small, mergeable state.  It runs
-- the caller's query (checked to be one SELECT) with the caller's rights, so
-- it is VOLATILE and PARALLEL UNSAFE, as allocate_budget is.

CREATE FUNCTION uplift_fit_query(query text, options jsonb DEFAULT '{}')
RETURNS uplift_model
AS 'MODULE_PATHNAME', 'uplift_fit_query'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION uplift_fit_query(text, jsonb) IS
'the model uplift_fit fits on the rows of query (features, treatment, outcome [, propensity]), fitted over passes of the query so that no backend holds its rows';
