-- The interaction of two experiments randomized independently over the same
-- units: the 2x2 factorial contrast (src/interaction.c, doc/portfolio.md).

CREATE FUNCTION uplift_interaction_transfn(float8[], int, int, float8)
RETURNS float8[]
AS 'MODULE_PATHNAME', 'uplift_interaction_transfn'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION uplift_interaction_transfn(float8[], int, int, float8, int, int)
RETURNS float8[]
AS 'MODULE_PATHNAME', 'uplift_interaction_transfn'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION uplift_interaction_combinefn(float8[], float8[])
RETURNS float8[]
AS 'MODULE_PATHNAME', 'uplift_interaction_combinefn'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION uplift_interaction_finalfn(float8[])
RETURNS uplift_estimate
AS 'MODULE_PATHNAME', 'uplift_interaction_finalfn'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE AGGREGATE uplift_interaction(action_a int, action_b int, outcome float8) (
    SFUNC = uplift_interaction_transfn,
    STYPE = float8[],
    INITCOND = '{0,0,0,0,0,0,0,0,0,0,0,0}',
    COMBINEFUNC = uplift_interaction_combinefn,
    FINALFUNC = uplift_interaction_finalfn,
    FINALFUNC_MODIFY = READ_ONLY,
    PARALLEL = SAFE
);

CREATE AGGREGATE uplift_interaction(action_a int, action_b int, outcome float8,
                                    treated_a int, treated_b int) (
    SFUNC = uplift_interaction_transfn,
    STYPE = float8[],
    INITCOND = '{0,0,0,0,0,0,0,0,0,0,0,0}',
    COMBINEFUNC = uplift_interaction_combinefn,
    FINALFUNC = uplift_interaction_finalfn,
    FINALFUNC_MODIFY = READ_ONLY,
    PARALLEL = SAFE
);

COMMENT ON AGGREGATE uplift_interaction(int, int, float8) IS
'the interaction mean(11) - mean(10) - mean(01) + mean(00) of two experiments (any action above 0 counts as treated), with its standard error';
COMMENT ON AGGREGATE uplift_interaction(int, int, float8, int, int) IS
'the interaction mean(11) - mean(10) - mean(01) + mean(00) of action treated_a of one experiment and treated_b of another against control, with its standard error';
