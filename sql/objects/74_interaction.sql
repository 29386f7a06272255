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

-- The portfolio holdout report (src/portfolio.c, doc/portfolio.md): the
-- effect of all experiments together against the portfolio (global)
-- holdout, next to the sum of the per-experiment estimates.

CREATE TYPE uplift_portfolio_report AS (
    holdout_units   bigint,
    portfolio_units bigint,
    total_effect    float8,
    total_se        float8,
    sum_of_effects  float8,
    sum_se          float8,
    gap             float8,
    gap_se          float8,
    effects         float8[],
    effect_ses      float8[],
    treated_shares  float8[]
);

COMMENT ON TYPE uplift_portfolio_report IS
'the portfolio''s effect per unit against its holdout (total_effect), the sum of each experiment''s treated share times its effect (sum_of_effects), their difference (gap, the interference) and standard errors; per experiment its effect, standard error and treated share';

CREATE FUNCTION uplift_portfolio_holdout_transfn(float8[], bool, int[], float8)
RETURNS float8[]
AS 'MODULE_PATHNAME', 'uplift_portfolio_holdout_transfn'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION uplift_portfolio_holdout_combinefn(float8[], float8[])
RETURNS float8[]
AS 'MODULE_PATHNAME', 'uplift_portfolio_holdout_combinefn'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION uplift_portfolio_holdout_finalfn(float8[])
RETURNS uplift_portfolio_report
AS 'MODULE_PATHNAME', 'uplift_portfolio_holdout_finalfn'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION uplift_portfolio_holdout_transfn(float8[], bool, int[], float8) IS
'transition function of uplift_portfolio_holdout: adds a unit''s outcome to the holdout, or to the portfolio and each experiment''s treated or control group';
COMMENT ON FUNCTION uplift_portfolio_holdout_combinefn(float8[], float8[]) IS
'combine function of uplift_portfolio_holdout: merges two partial states';
COMMENT ON FUNCTION uplift_portfolio_holdout_finalfn(float8[]) IS
'final function of uplift_portfolio_holdout: the report';

CREATE AGGREGATE uplift_portfolio_holdout(in_holdout bool, actions int[], outcome float8) (
    SFUNC = uplift_portfolio_holdout_transfn,
    STYPE = float8[],
    INITCOND = '{}',
    COMBINEFUNC = uplift_portfolio_holdout_combinefn,
    FINALFUNC = uplift_portfolio_holdout_finalfn,
    FINALFUNC_MODIFY = READ_ONLY,
    PARALLEL = SAFE
);

COMMENT ON AGGREGATE uplift_portfolio_holdout(bool, int[], float8) IS
'one row per unit (in the portfolio holdout?, its action in each experiment or NULL, outcome): the portfolio''s effect against its holdout, the sum of the per-experiment estimates, and the gap between them (the interference), with standard errors';
