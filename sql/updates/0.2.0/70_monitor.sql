
-- Monitoring: new in 0.2.0 (the same objects as sql/objects/75_monitor.sql).
-- Monitoring (doc/monitoring.md): drift of features and scores between a
-- reference window and the current one (src/monitor.c, src/drift.c), the
-- reference profile as a stored value, and the chi-square p-value.

CREATE TYPE uplift_drift_profile;

CREATE FUNCTION uplift_drift_profile_in(cstring) RETURNS uplift_drift_profile
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION uplift_drift_profile_out(uplift_drift_profile) RETURNS cstring
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION uplift_drift_profile_recv(internal) RETURNS uplift_drift_profile
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION uplift_drift_profile_send(uplift_drift_profile) RETURNS bytea
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE uplift_drift_profile (
    INPUT = uplift_drift_profile_in,
    OUTPUT = uplift_drift_profile_out,
    RECEIVE = uplift_drift_profile_recv,
    SEND = uplift_drift_profile_send,
    INTERNALLENGTH = VARIABLE,
    STORAGE = extended
);

COMMENT ON TYPE uplift_drift_profile IS
'what drift checks need of a reference window: deciles, bin counts, a quantile grid and category counts per column';

CREATE FUNCTION uplift_drift_profile_info(uplift_drift_profile) RETURNS jsonb
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION uplift_drift_profile_info(uplift_drift_profile) IS
'the contents of a drift profile: per column its kind, counts, deciles and bin counts, or its levels';

CREATE FUNCTION uplift_drift_profile_trans(internal, record) RETURNS internal
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION uplift_drift_profile_combine(internal, internal) RETURNS internal
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION uplift_drift_profile_serialize(internal) RETURNS bytea
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION uplift_drift_profile_deserialize(bytea, internal) RETURNS internal
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION uplift_drift_profile_final(internal) RETURNS uplift_drift_profile
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION uplift_drift_profile_trans(internal, record) IS 'transition function of uplift_drift_profile';
COMMENT ON FUNCTION uplift_drift_profile_combine(internal, internal) IS 'combine function of uplift_drift_profile';
COMMENT ON FUNCTION uplift_drift_profile_serialize(internal) IS 'serial function of uplift_drift_profile';
COMMENT ON FUNCTION uplift_drift_profile_deserialize(bytea, internal) IS 'deserial function of uplift_drift_profile';
COMMENT ON FUNCTION uplift_drift_profile_final(internal) IS 'final function of uplift_drift_profile';

-- The final function sorts the state's values in place, which does not
-- change what the state means, so READ_ONLY holds.
CREATE AGGREGATE uplift_drift_profile(reference record) (
    SFUNC = uplift_drift_profile_trans, STYPE = internal,
    FINALFUNC = uplift_drift_profile_final, FINALFUNC_MODIFY = READ_ONLY,
    COMBINEFUNC = uplift_drift_profile_combine,
    SERIALFUNC = uplift_drift_profile_serialize,
    DESERIALFUNC = uplift_drift_profile_deserialize, PARALLEL = SAFE);

COMMENT ON AGGREGATE uplift_drift_profile(record) IS
'the drift profile of a reference window, from its rows: SELECT uplift_drift_profile(r) FROM (SELECT ...) r';

CREATE FUNCTION uplift_drift(reference text, current text, options jsonb DEFAULT NULL)
RETURNS TABLE (feature text, kind text, psi float8, ks float8, js float8,
               wasserstein float8, drifted bool, stattest text, score float8,
               threshold float8, n_reference bigint, n_current bigint)
AS 'MODULE_PATHNAME', 'uplift_drift' LANGUAGE C VOLATILE PARALLEL RESTRICTED ROWS 10;

COMMENT ON FUNCTION uplift_drift(text, text, jsonb) IS
'drift of every column between a reference query and a current query: PSI, KS, Jensen-Shannon, Wasserstein, and whether it drifted';

CREATE FUNCTION uplift_drift(reference uplift_drift_profile, current text, options jsonb DEFAULT NULL)
RETURNS TABLE (feature text, kind text, psi float8, ks float8, js float8,
               wasserstein float8, drifted bool, stattest text, score float8,
               threshold float8, n_reference bigint, n_current bigint)
AS 'MODULE_PATHNAME', 'uplift_drift' LANGUAGE C VOLATILE PARALLEL RESTRICTED ROWS 10;

COMMENT ON FUNCTION uplift_drift(uplift_drift_profile, text, jsonb) IS
'drift of every column of a current query against a stored reference profile, in one scan of the current window';

CREATE FUNCTION uplift_chisq_pvalue(statistic float8, df float8) RETURNS float8
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION uplift_chisq_pvalue(float8, float8) IS
'P(X >= statistic) for X chi-square with df degrees of freedom';
