-- The planner support function of uplift_fit's transition function
-- (src/fit_plan.c): a query holding a fit that keeps its training rows (any
-- fit but the linear T- and S-learners, which keep per-arm moments) is
-- aggregated in one process, unless uplift.parallel_fit_rows is on.  Every
-- signature of uplift_fit_transfn gets it, so this file comes after all of
-- them.

CREATE FUNCTION uplift_fit_support(internal) RETURNS internal
AS 'MODULE_PATHNAME', 'uplift_fit_support'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION uplift_fit_support(internal) IS
'planner support function of uplift_fit_transfn: keeps the fits that hold their rows out of partial aggregation';

DO $$
DECLARE
    f regprocedure;
BEGIN
    FOR f IN SELECT p.oid::regprocedure FROM pg_catalog.pg_proc p
              WHERE p.proname = 'uplift_fit_transfn'
                AND p.pronamespace = pg_catalog.to_regnamespace('@extschema@')
    LOOP
        EXECUTE pg_catalog.format('ALTER FUNCTION %s SUPPORT @extschema@.uplift_fit_support', f);
    END LOOP;
END $$;
