-- More evaluation aggregates (src/metrics.c, src/metrics_sql.c,
-- doc/evaluation.md): uplift at an absolute number of rows and the
-- treatment balance curve, both on the state of the evaluation aggregates
-- (40_eval.sql).

CREATE FUNCTION uplift_at_n_transfn(internal, float8, int, float8, bigint, text)
RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION uplift_at_n_finalfn(internal)
RETURNS float8 AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION uplift_treatment_balance_transfn(internal, float8, int, bigint)
RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION uplift_treatment_balance_transfn(internal, float8, int, bigint, jsonb)
RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION uplift_treatment_balance_finalfn(internal)
RETURNS uplift_curve_point[] AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION uplift_at_n_transfn(internal, float8, int, float8, bigint, text) IS 'transition function of uplift_at_n';
COMMENT ON FUNCTION uplift_at_n_finalfn(internal) IS 'final function of uplift_at_n';
COMMENT ON FUNCTION uplift_treatment_balance_transfn(internal, float8, int, bigint) IS 'transition function of uplift_treatment_balance';
COMMENT ON FUNCTION uplift_treatment_balance_transfn(internal, float8, int, bigint, jsonb) IS 'transition function of uplift_treatment_balance with options';
COMMENT ON FUNCTION uplift_treatment_balance_finalfn(internal) IS 'final function of uplift_treatment_balance';

CREATE AGGREGATE uplift_at_n(score float8, treatment int, outcome float8, n bigint, strategy text) (
    SFUNC = uplift_at_n_transfn, STYPE = internal,
    FINALFUNC = uplift_at_n_finalfn, FINALFUNC_MODIFY = READ_WRITE,
    COMBINEFUNC = uplift_eval_combinefn,
    SERIALFUNC = uplift_eval_serialfn, DESERIALFUNC = uplift_eval_deserialfn,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE uplift_at_n(float8, int, float8, bigint, text) IS
'treated minus control response rate in the top n rows of the scores (scikit-uplift uplift_at_k with an integer k)';

CREATE AGGREGATE uplift_treatment_balance(score float8, treatment int, winsize bigint) (
    SFUNC = uplift_treatment_balance_transfn, STYPE = internal,
    FINALFUNC = uplift_treatment_balance_finalfn, FINALFUNC_MODIFY = READ_WRITE,
    COMBINEFUNC = uplift_eval_combinefn,
    SERIALFUNC = uplift_eval_serialfn, DESERIALFUNC = uplift_eval_deserialfn,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE uplift_treatment_balance(float8, int, bigint) IS
'share of treated rows in a moving window of winsize rows down the ranking (scikit-uplift treatment_balance_curve)';

CREATE AGGREGATE uplift_treatment_balance(score float8, treatment int, winsize bigint, options jsonb) (
    SFUNC = uplift_treatment_balance_transfn, STYPE = internal,
    FINALFUNC = uplift_treatment_balance_finalfn, FINALFUNC_MODIFY = READ_WRITE,
    COMBINEFUNC = uplift_eval_combinefn,
    SERIALFUNC = uplift_eval_serialfn, DESERIALFUNC = uplift_eval_deserialfn,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE uplift_treatment_balance(float8, int, bigint, jsonb) IS
'share of treated rows in a moving window down the ranking; option points';
