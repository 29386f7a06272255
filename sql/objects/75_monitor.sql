
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

-- The aggregate's state: a concrete type (not internal), so that a
-- scale-out engine such as Citus computes partial states on its shards and
-- combines them on the coordinator (doc/citus.md).  It holds each numeric
-- column's values up to a cap and a sketch of those folded away, and each
-- categorical column's level counts; its text and binary forms are a
-- portable, versioned, checksummed format, validated on input.

CREATE TYPE uplift_drift_profile_state;

CREATE FUNCTION uplift_drift_profile_state_in(cstring) RETURNS uplift_drift_profile_state
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION uplift_drift_profile_state_out(uplift_drift_profile_state) RETURNS cstring
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION uplift_drift_profile_state_recv(internal) RETURNS uplift_drift_profile_state
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION uplift_drift_profile_state_send(uplift_drift_profile_state) RETURNS bytea
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE uplift_drift_profile_state (
    INPUT = uplift_drift_profile_state_in,
    OUTPUT = uplift_drift_profile_state_out,
    RECEIVE = uplift_drift_profile_state_recv,
    SEND = uplift_drift_profile_state_send,
    INTERNALLENGTH = VARIABLE,
    STORAGE = extended
);

COMMENT ON TYPE uplift_drift_profile_state IS
'partial state of uplift_drift_profile: per numeric column its values up to a cap (at most 2^24 over all columns) and a sketch of those folded away, per categorical column its level counts';

-- Not STRICT: a NULL row is skipped, a NULL side of the combine is the state
-- of a part without rows.
CREATE FUNCTION uplift_drift_profile_combinefn(uplift_drift_profile_state, uplift_drift_profile_state)
RETURNS uplift_drift_profile_state
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION uplift_drift_profile_finalfn(uplift_drift_profile_state) RETURNS uplift_drift_profile
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION uplift_drift_profile_combinefn(uplift_drift_profile_state, uplift_drift_profile_state) IS 'combine function of uplift_drift_profile';
COMMENT ON FUNCTION uplift_drift_profile_finalfn(uplift_drift_profile_state) IS 'final function of uplift_drift_profile';

-- Two aggregates build a profile.  With options, the state is an
-- uplift_drift_profile_state, so Citus computes partial states on its shards
-- (it passes the row and the options as one row value, which its shards'
-- type check accepts).  Of a row alone, Citus's shards would refuse the call
-- (they take a row argument for the aggregate's several arguments, and find
-- them one too many), so that aggregate keeps an internal state, which Citus
-- does not push down: it gathers the rows and gives the same profile.  The
-- final function sorts the state's values in place, which does not change
-- what the state means, so READ_ONLY holds.
CREATE FUNCTION uplift_drift_profile_transfn(uplift_drift_profile_state, record, jsonb)
RETURNS uplift_drift_profile_state
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION uplift_drift_profile_transfn(internal, record) RETURNS internal
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION uplift_drift_profile_combinefn(internal, internal) RETURNS internal
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION uplift_drift_profile_serialfn(internal) RETURNS bytea
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION uplift_drift_profile_deserialfn(bytea, internal) RETURNS internal
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION uplift_drift_profile_finalfn(internal) RETURNS uplift_drift_profile
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION uplift_drift_profile_transfn(uplift_drift_profile_state, record, jsonb) IS 'transition function of uplift_drift_profile with options';
COMMENT ON FUNCTION uplift_drift_profile_transfn(internal, record) IS 'transition function of uplift_drift_profile';
COMMENT ON FUNCTION uplift_drift_profile_combinefn(internal, internal) IS 'combine function of uplift_drift_profile';
COMMENT ON FUNCTION uplift_drift_profile_serialfn(internal) IS 'serial function of uplift_drift_profile';
COMMENT ON FUNCTION uplift_drift_profile_deserialfn(bytea, internal) IS 'deserial function of uplift_drift_profile';
COMMENT ON FUNCTION uplift_drift_profile_finalfn(internal) IS 'final function of uplift_drift_profile';

CREATE AGGREGATE uplift_drift_profile(reference record) (
    SFUNC = uplift_drift_profile_transfn, STYPE = internal,
    FINALFUNC = uplift_drift_profile_finalfn, FINALFUNC_MODIFY = READ_ONLY,
    COMBINEFUNC = uplift_drift_profile_combinefn,
    SERIALFUNC = uplift_drift_profile_serialfn, DESERIALFUNC = uplift_drift_profile_deserialfn,
    PARALLEL = SAFE);
CREATE AGGREGATE uplift_drift_profile(reference record, options jsonb) (
    SFUNC = uplift_drift_profile_transfn, STYPE = uplift_drift_profile_state,
    FINALFUNC = uplift_drift_profile_finalfn, FINALFUNC_MODIFY = READ_ONLY,
    COMBINEFUNC = uplift_drift_profile_combinefn, PARALLEL = SAFE);

COMMENT ON AGGREGATE uplift_drift_profile(record) IS
'the drift profile of a reference window, from its rows: SELECT uplift_drift_profile(r) FROM (SELECT ...) r';
COMMENT ON AGGREGATE uplift_drift_profile(record, jsonb) IS
'the drift profile of a reference window, from its rows, with options (none yet: pass ''{}''); Citus computes it on its shards';

-- Merging profiles of separate windows or shards (not strict: a NULL side,
-- the profile of a window without rows, gives the other).  The aggregate's
-- state is the profile itself, a concrete type, so a scale-out engine can
-- merge per-shard states.
CREATE FUNCTION uplift_drift_profile_merge(a uplift_drift_profile, b uplift_drift_profile)
RETURNS uplift_drift_profile
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION uplift_drift_profile_merge(uplift_drift_profile, uplift_drift_profile) IS
'the profile of the union of two windows: counts, levels, mean and deviation exact; deciles and grid exact while the grids hold every distinct value, otherwise within the rank error it reports';

CREATE FUNCTION uplift_drift_profile_union_transfn(uplift_drift_profile, uplift_drift_profile)
RETURNS uplift_drift_profile
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION uplift_drift_profile_union_combinefn(uplift_drift_profile, uplift_drift_profile)
RETURNS uplift_drift_profile
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION uplift_drift_profile_union_transfn(uplift_drift_profile, uplift_drift_profile) IS
'transition function of uplift_drift_profile_union';
COMMENT ON FUNCTION uplift_drift_profile_union_combinefn(uplift_drift_profile, uplift_drift_profile) IS
'combine function of uplift_drift_profile_union';

CREATE AGGREGATE uplift_drift_profile_union(profile uplift_drift_profile) (
    SFUNC = uplift_drift_profile_union_transfn, STYPE = uplift_drift_profile,
    COMBINEFUNC = uplift_drift_profile_union_combinefn, PARALLEL = SAFE);

COMMENT ON AGGREGATE uplift_drift_profile_union(uplift_drift_profile) IS
'the profile of the union of the windows whose profiles it merges';

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

-- Policy health from the assignment log.  The bodies run under a fixed
-- search_path and name the extension's objects with @extschema@; sources
-- passed as regclass are printed qualified under that path.  PL/pgSQL,
-- because they call functions created by later fragments.

CREATE FUNCTION uplift_logged_policy_probs(policy text, params jsonb)
RETURNS float8[]
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    floor_p float8 := coalesce((params ->> 'min_propensity')::float8, 0);
BEGIN
    IF policy = 'weights' THEN
        RETURN ARRAY(SELECT w::float8 / s.total
                       FROM jsonb_array_elements_text(params -> 'weights') WITH ORDINALITY AS t(w, i),
                            (SELECT sum(v::float8) AS total
                               FROM jsonb_array_elements_text(params -> 'weights') v) s
                      ORDER BY i);
    ELSIF policy = 'epsilon_greedy' THEN
        RETURN @extschema@.uplift_policy_probs(
                   ARRAY(SELECT e::float8 FROM jsonb_array_elements_text(params -> 'effects') e),
                   (params ->> 'epsilon')::float8, floor_p);
    ELSIF policy = 'thompson' THEN
        RETURN @extschema@.uplift_thompson_probs(
                   ARRAY(SELECT e::float8 FROM jsonb_array_elements_text(params -> 'successes') e),
                   ARRAY(SELECT e::float8 FROM jsonb_array_elements_text(params -> 'trials') e),
                   floor_p);
    END IF;
    RETURN NULL;
END $$;

COMMENT ON FUNCTION uplift_logged_policy_probs(text, jsonb) IS
'the probability of every action 0..K under a logged policy and its params (weights, epsilon_greedy, thompson), else NULL';

CREATE FUNCTION uplift_policy_health(experiment text, period interval DEFAULT '1 day')
RETURNS TABLE (period_start timestamptz, action int, assignments bigint, share float8,
               expected_share float8, no_offer_rate float8, holdout_share float8,
               srm_chisq float8, srm_df int, srm_pvalue float8,
               propensity_mismatches bigint, min_propensity float8,
               mean_propensity float8, max_propensity float8)
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM @extschema@.uplift_monitor_period_check(period, 'uplift_policy_health');
    IF experiment IS NULL THEN
        RAISE EXCEPTION 'experiment of uplift_policy_health must not be NULL'
            USING ERRCODE = 'null_value_not_allowed';
    END IF;
    RETURN QUERY
    WITH log AS (
        SELECT date_bin(period, l.assigned_at, timestamptz '2000-01-03 00:00:00+00') AS p,
               l.action AS a, l.propensity, l.holdout,
               CASE WHEN NOT l.holdout
                    THEN @extschema@.uplift_logged_policy_probs(l.policy, l.params) END AS probs
          FROM @extschema@.uplift_assignment_log l
         WHERE l.experiment = uplift_policy_health.experiment
    ),
    per_period AS (
        SELECT log.p, count(*) AS n, count(*) FILTER (WHERE log.holdout) AS n_holdout,
               count(*) FILTER (WHERE log.a = 0) AS n_no_offer,
               count(*) FILTER (WHERE log.probs IS NOT NULL) AS n_known,
               count(*) FILTER (WHERE log.probs IS NOT NULL
                                  AND abs(coalesce(log.probs[log.a + 1], 0) - log.propensity) > 1e-9) AS n_mismatch
          FROM log GROUP BY log.p
    ),
    observed AS (
        SELECT log.p, log.a, count(*) AS observed,
               count(*) FILTER (WHERE log.probs IS NOT NULL) AS observed_known,
               min(log.propensity) FILTER (WHERE NOT log.holdout) AS pmin,
               avg(log.propensity) FILTER (WHERE NOT log.holdout) AS pmean,
               max(log.propensity) FILTER (WHERE NOT log.holdout) AS pmax
          FROM log GROUP BY log.p, log.a
    ),
    expected AS (
        SELECT log.p, (t.i - 1)::int AS a, sum(t.q) AS expected
          FROM log, unnest(log.probs) WITH ORDINALITY AS t(q, i)
         GROUP BY log.p, t.i
    ),
    per_action AS (
        SELECT p, a, coalesce(o.observed, 0) AS observed,
               coalesce(o.observed_known, 0) AS observed_known,
               coalesce(e.expected, 0) AS expected, o.pmin, o.pmean, o.pmax
          FROM observed o FULL JOIN expected e USING (p, a)
    ),
    srm AS (
        SELECT pa.p,
               bool_or(pa.expected = 0 AND pa.observed_known > 0) AS impossible,
               sum((pa.observed_known - pa.expected) ^ 2 / pa.expected) FILTER (WHERE pa.expected > 0) AS chisq,
               (count(*) FILTER (WHERE pa.expected > 0) - 1)::int AS df
          FROM per_action pa GROUP BY pa.p
    )
    SELECT pa.p, pa.a, pa.observed,
           CASE WHEN pp.n_known > 0 THEN pa.observed_known::float8 / pp.n_known END,
           CASE WHEN pp.n_known > 0 THEN pa.expected / pp.n_known END,
           pp.n_no_offer::float8 / pp.n,
           pp.n_holdout::float8 / pp.n,
           CASE WHEN NOT s.impossible AND s.df > 0 THEN s.chisq END,
           CASE WHEN s.df > 0 THEN s.df END,
           CASE WHEN s.impossible THEN 0::float8
                WHEN s.df > 0 THEN @extschema@.uplift_chisq_pvalue(s.chisq, s.df) END,
           pp.n_mismatch, pa.pmin, pa.pmean, pa.pmax
      FROM per_action pa JOIN per_period pp USING (p) JOIN srm s USING (p)
     ORDER BY pa.p, pa.a;
END $$;

COMMENT ON FUNCTION uplift_policy_health(text, interval) IS
'per period and action of an experiment''s log: assignments, shares against the logged policy, no-offer and holdout rates, the sample-ratio-mismatch test and the logged propensities';

-- Checks shared by the monitoring functions that read a period and a source.
CREATE FUNCTION uplift_monitor_period_check(period interval, funcname text)
RETURNS void
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF period IS NULL THEN
        RAISE EXCEPTION 'period of % must not be NULL', funcname
            USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF period <= interval '0' OR extract(month FROM period) <> 0 OR extract(year FROM period) <> 0 THEN
        RAISE EXCEPTION 'period of % must be positive and shorter than a month', funcname
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Pass days, hours or minutes, for example ''1 day'' or ''7 days''.';
    END IF;
END $$;

COMMENT ON FUNCTION uplift_monitor_period_check(interval, text) IS
'error unless period is a positive interval of days, hours or minutes (as date_bin needs)';

CREATE FUNCTION uplift_policy_overlap(experiment text, target regclass, period interval DEFAULT '1 day')
RETURNS TABLE (period_start timestamptz, n bigint, ess float8, ess_share float8,
               max_weight float8, mean_weight float8, min_logged_propensity float8,
               share_below_floor float8, warnings text[])
LANGUAGE plpgsql STABLE PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM @extschema@.uplift_monitor_period_check(period, 'uplift_policy_overlap');
    IF experiment IS NULL OR target IS NULL THEN
        RAISE EXCEPTION 'experiment and target of uplift_policy_overlap must not be NULL'
            USING ERRCODE = 'null_value_not_allowed';
    END IF;
    RETURN QUERY EXECUTE format($q$
        SELECT s.p, (s.o).n, (s.o).ess, (s.o).ess_share, (s.o).max_weight, (s.o).mean_weight,
               (s.o).min_logged_propensity, (s.o).share_below_floor, (s.o).warnings
          FROM (SELECT date_bin($2, l.assigned_at, timestamptz '2000-01-03 00:00:00+00') AS p,
                       @extschema@.ope_overlap(l.propensity, coalesce(t.probs[l.action + 1], 0)) AS o
                  FROM @extschema@.uplift_assignment_log l
                  JOIN %s t ON t.unit_id = l.unit_id
                 WHERE l.experiment = $1 AND NOT l.holdout
                 GROUP BY 1) s
         ORDER BY s.p $q$, target) USING experiment, period;
END $$;

COMMENT ON FUNCTION uplift_policy_overlap(text, regclass, interval) IS
'per period of an experiment''s log: overlap diagnostics (ope_overlap) of a target policy given as a table or view of (unit_id, probs float8[])';

CREATE FUNCTION uplift_policy_outcomes(experiment text, outcomes regclass,
                                       period interval DEFAULT '1 day',
                                       plan float8 DEFAULT NULL)
RETURNS TABLE (period_start timestamptz, action int, units bigint, spend float8,
               planned_spend float8, pacing float8,
               realized_value_uplift float8, value_std_error float8, predicted_value_uplift float8,
               realized_cost_uplift float8, cost_std_error float8, predicted_cost_uplift float8)
LANGUAGE plpgsql STABLE PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM @extschema@.uplift_monitor_period_check(period, 'uplift_policy_outcomes');
    IF experiment IS NULL OR outcomes IS NULL THEN
        RAISE EXCEPTION 'experiment and outcomes of uplift_policy_outcomes must not be NULL'
            USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF plan IS NOT NULL AND NOT (plan > 0 AND plan < 'Infinity') THEN
        RAISE EXCEPTION 'plan of uplift_policy_outcomes must be positive and finite'
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Pass the spend planned per period, or NULL for no plan.';
    END IF;
    RETURN QUERY EXECUTE format($q$
    WITH rows AS (
        SELECT date_bin($2, l.assigned_at, timestamptz '2000-01-03 00:00:00+00') AS p,
               l.action AS a, 1 / l.propensity AS w,
               o.value::float8 AS y, o.cost::float8 AS c,
               o.predicted_value::float8 AS py, o.predicted_cost::float8 AS pc
          FROM @extschema@.uplift_assignment_log l JOIN %s o ON o.unit_id = l.unit_id
         WHERE l.experiment = $1 AND NOT l.holdout
    ),
    -- inverse-propensity weighted (Hajek) means per period and action
    means AS (
        SELECT p, a, count(*) AS n, sum(c) AS spend,
               sum(w * y) / sum(w) AS my, sum(w * c) / sum(w) AS mc,
               avg(py) AS py, avg(pc) AS pc
          FROM rows GROUP BY p, a
    ),
    vars AS (
        SELECT r.p, r.a,
               sum((r.w * (r.y - m.my)) ^ 2) / sum(r.w) ^ 2 AS vy,
               sum((r.w * (r.c - m.mc)) ^ 2) / sum(r.w) ^ 2 AS vc
          FROM rows r JOIN means m USING (p, a) GROUP BY r.p, r.a
    ),
    spent AS (SELECT p, sum(spend) FILTER (WHERE a > 0) AS total FROM means GROUP BY p)
    SELECT m.p, m.a, m.n, m.spend, $3, s.total / $3,
           m.my - c.my, sqrt(v.vy + vc0.vy), m.py,
           m.mc - c.mc, sqrt(v.vc + vc0.vc), m.pc
      FROM means m JOIN vars v USING (p, a) JOIN spent s USING (p)
      LEFT JOIN means c ON c.p = m.p AND c.a = 0
      LEFT JOIN vars vc0 ON vc0.p = m.p AND vc0.a = 0
     WHERE m.a > 0
     ORDER BY m.p, m.a $q$, outcomes) USING experiment, period, plan;
END $$;

COMMENT ON FUNCTION uplift_policy_outcomes(text, regclass, interval, float8) IS
'per period and action of an experiment''s log joined to outcomes (unit_id, value, cost, predicted_value, predicted_cost): spend against plan, realized incremental value and cost against predicted';

CREATE FUNCTION uplift_calibration_by_period(experiment text, scores regclass,
                                             period interval DEFAULT '1 day',
                                             bins int DEFAULT 10, action int DEFAULT 1)
RETURNS TABLE (period_start timestamptz, bin int, n bigint, n_treated bigint, n_control bigint,
               predicted float8, observed float8, std_error float8)
LANGUAGE plpgsql STABLE PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM @extschema@.uplift_monitor_period_check(period, 'uplift_calibration_by_period');
    IF experiment IS NULL OR scores IS NULL OR bins IS NULL OR action IS NULL THEN
        RAISE EXCEPTION 'experiment, scores, bins and action of uplift_calibration_by_period must not be NULL'
            USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF bins < 1 OR bins > 1000 OR action < 1 THEN
        RAISE EXCEPTION 'bins of uplift_calibration_by_period must be between 1 and 1000 and action at least 1'
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Ten bins (deciles of the score) is usual; action 0 is the control.';
    END IF;
    RETURN QUERY EXECUTE format($q$
    WITH rows AS (
        SELECT date_bin($2, l.assigned_at, timestamptz '2000-01-03 00:00:00+00') AS p,
               l.action AS a, 1 / l.propensity AS w,
               s.score::float8 AS score, s.outcome::float8 AS y
          FROM @extschema@.uplift_assignment_log l JOIN %s s ON s.unit_id = l.unit_id
         WHERE l.experiment = $1 AND NOT l.holdout AND l.action IN (0, $4)
           AND s.score IS NOT NULL AND s.outcome IS NOT NULL
    ),
    binned AS (
        SELECT rows.*, ntile($3) OVER (PARTITION BY p ORDER BY score) AS b FROM rows
    ),
    arm AS (
        SELECT p, b, a > 0 AS treated, count(*) AS n, sum(w * y) / sum(w) AS m
          FROM binned GROUP BY p, b, a > 0
    ),
    arm_var AS (
        SELECT x.p, x.b, x.a > 0 AS treated,
               sum((x.w * (x.y - arm.m)) ^ 2) / sum(x.w) ^ 2 AS v
          FROM binned x JOIN arm ON arm.p = x.p AND arm.b = x.b AND arm.treated = (x.a > 0)
         GROUP BY x.p, x.b, x.a > 0
    )
    SELECT x.p, x.b, count(*),
           count(*) FILTER (WHERE x.a > 0), count(*) FILTER (WHERE x.a = 0),
           avg(x.score),
           max(t.m) - max(c.m),
           sqrt(max(tv.v) + max(cv.v))
      FROM binned x
      LEFT JOIN arm t ON t.p = x.p AND t.b = x.b AND t.treated
      LEFT JOIN arm c ON c.p = x.p AND c.b = x.b AND NOT c.treated
      LEFT JOIN arm_var tv ON tv.p = x.p AND tv.b = x.b AND tv.treated
      LEFT JOIN arm_var cv ON cv.p = x.p AND cv.b = x.b AND NOT cv.treated
     GROUP BY x.p, x.b
     ORDER BY x.p, x.b $q$, scores) USING experiment, period, bins, action;
END $$;

COMMENT ON FUNCTION uplift_calibration_by_period(text, regclass, interval, int, int) IS
'per period and score bin of an experiment''s randomized traffic: predicted against observed uplift (inverse-propensity weighted) with its standard error';

-- Alerts.  No fixed search_path here, because the current query text of a
-- drift check runs with the caller's: every name and operator is qualified.
CREATE FUNCTION uplift_monitor_alerts(experiment text, period interval DEFAULT '1 day',
                                      options jsonb DEFAULT NULL,
                                      reference uplift_drift_profile DEFAULT NULL,
                                      current text DEFAULT NULL)
RETURNS TABLE (period_start timestamptz, "check" text, subject text, value float8,
               threshold float8, message text)
LANGUAGE plpgsql STABLE
AS $$
DECLARE
    o pg_catalog.jsonb := COALESCE(options, '{}'::pg_catalog.jsonb);
    srm_alpha pg_catalog.float8;
    floor_p pg_catalog.float8;
    no_offer_change pg_catalog.float8;
    drift_share pg_catalog.float8;
    bad pg_catalog.text;
BEGIN
    IF pg_catalog.jsonb_typeof(o) OPERATOR(pg_catalog.<>) 'object' THEN
        RAISE EXCEPTION 'options of uplift_monitor_alerts must be a JSON object'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT k INTO bad FROM pg_catalog.jsonb_object_keys(o) k
     WHERE k OPERATOR(pg_catalog.<>) ALL (ARRAY['srm_alpha', 'min_propensity', 'no_offer_change',
                                                'drift_share', 'drift']::pg_catalog.text[])
     LIMIT 1;
    IF bad IS NOT NULL THEN
        RAISE EXCEPTION 'unknown option "%" of uplift_monitor_alerts', bad
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Known options: srm_alpha, min_propensity, no_offer_change, drift_share, drift.';
    END IF;
    -- each threshold, when given, is a JSON number within double precision
    FOREACH bad IN ARRAY ARRAY['srm_alpha', 'min_propensity', 'no_offer_change',
                               'drift_share']::pg_catalog.text[] LOOP
        IF pg_catalog.jsonb_typeof(pg_catalog.jsonb_extract_path(o, bad))
               OPERATOR(pg_catalog.<>) ALL (ARRAY['number', 'null']::pg_catalog.text[]) THEN
            RAISE EXCEPTION 'option "%" of uplift_monitor_alerts must be a number', bad
                USING ERRCODE = 'invalid_parameter_value',
                      HINT = 'Give the threshold as a JSON number, such as {"srm_alpha": 0.001}.';
        END IF;
        IF pg_catalog.abs(pg_catalog.jsonb_extract_path_text(o, bad)::pg_catalog.numeric)
               OPERATOR(pg_catalog.>) 1.7976931348623157e308::pg_catalog.numeric
           OR pg_catalog.abs(pg_catalog.jsonb_extract_path_text(o, bad)::pg_catalog.numeric)
               OPERATOR(pg_catalog.<@) pg_catalog.numrange(0, 2.2250738585072014e-308, '()') THEN
            RAISE EXCEPTION 'option "%" of uplift_monitor_alerts is out of the range of double precision', bad
                USING ERRCODE = 'invalid_parameter_value',
                      HINT = 'Pass a number between -1.7e308 and 1.7e308, and at least 2.3e-308 in magnitude unless it is 0.';
        END IF;
    END LOOP;
    srm_alpha := COALESCE(pg_catalog.jsonb_extract_path_text(o, 'srm_alpha')::pg_catalog.float8, 0.001);
    floor_p := COALESCE(pg_catalog.jsonb_extract_path_text(o, 'min_propensity')::pg_catalog.float8, 0.01);
    no_offer_change := COALESCE(pg_catalog.jsonb_extract_path_text(o, 'no_offer_change')::pg_catalog.float8, 0.05);
    drift_share := COALESCE(pg_catalog.jsonb_extract_path_text(o, 'drift_share')::pg_catalog.float8, 0.5);
    IF (reference IS NULL) OPERATOR(pg_catalog.<>) (current IS NULL) THEN
        RAISE EXCEPTION 'reference and current of uplift_monitor_alerts go together'
            USING ERRCODE = 'null_value_not_allowed',
                  HINT = 'Pass both a drift profile and the current window''s query, or neither.';
    END IF;

    RETURN QUERY
    WITH h AS (
        SELECT * FROM @extschema@.uplift_policy_health(experiment, period)
    ),
    per_period AS (
        SELECT DISTINCT h.period_start, h.srm_pvalue, h.propensity_mismatches, h.no_offer_rate
          FROM h
    ),
    with_previous AS (
        SELECT pp.*, pg_catalog.lag(pp.no_offer_rate) OVER (ORDER BY pp.period_start) AS previous
          FROM per_period pp
    )
    SELECT w.period_start, 'sample_ratio_mismatch'::pg_catalog.text, experiment, w.srm_pvalue, srm_alpha,
           pg_catalog.format('arm counts differ from the logged policy (p = %s)', w.srm_pvalue::pg_catalog.text)
      FROM with_previous w WHERE w.srm_pvalue OPERATOR(pg_catalog.<) srm_alpha
    UNION ALL
    SELECT w.period_start, 'propensity_mismatch', experiment, w.propensity_mismatches::pg_catalog.float8, 0,
           pg_catalog.format('%s logged propensities differ from the logged policy''s probabilities',
                             w.propensity_mismatches::pg_catalog.text)
      FROM with_previous w WHERE w.propensity_mismatches OPERATOR(pg_catalog.>) 0
    UNION ALL
    SELECT w.period_start, 'no_offer_rate', experiment, w.no_offer_rate, no_offer_change,
           pg_catalog.format('the no-offer rate moved from %s to %s', w.previous::pg_catalog.text, w.no_offer_rate::pg_catalog.text)
      FROM with_previous w
     WHERE pg_catalog.abs(w.no_offer_rate OPERATOR(pg_catalog.-) w.previous) OPERATOR(pg_catalog.>) no_offer_change
    UNION ALL
    SELECT h.period_start, 'low_propensity', pg_catalog.format('action %s', h.action::pg_catalog.text),
           h.min_propensity, floor_p,
           pg_catalog.format('action %s was logged with propensity %s', h.action::pg_catalog.text, h.min_propensity::pg_catalog.text)
      FROM h WHERE h.min_propensity OPERATOR(pg_catalog.<) floor_p;

    IF reference IS NOT NULL THEN
        RETURN QUERY
        WITH d AS (
            SELECT * FROM @extschema@.uplift_drift(reference, current,
                                                   pg_catalog.jsonb_extract_path(o, 'drift'))
        )
        SELECT NULL::pg_catalog.timestamptz, 'feature_drift'::pg_catalog.text, d.feature, d.score, d.threshold,
               pg_catalog.format('%s drifted: %s %s', d.feature, d.stattest, d.score::pg_catalog.text)
          FROM d WHERE d.drifted
        UNION ALL
        SELECT NULL::pg_catalog.timestamptz, 'dataset_drift', experiment, s.share, drift_share,
               pg_catalog.format('%s of %s features drifted', s.k::pg_catalog.text, s.n::pg_catalog.text)
          FROM (SELECT pg_catalog.count(*) FILTER (WHERE d.drifted) AS k, pg_catalog.count(*) AS n,
                       pg_catalog.count(*) FILTER (WHERE d.drifted)::pg_catalog.float8
                           OPERATOR(pg_catalog./) pg_catalog.count(*)::pg_catalog.float8 AS share
                  FROM d) s
         WHERE s.share OPERATOR(pg_catalog.>=) drift_share;
    END IF;
END $$;

COMMENT ON FUNCTION uplift_monitor_alerts(text, interval, jsonb, uplift_drift_profile, text) IS
'what crossed a threshold: sample-ratio mismatch, propensities that differ from the policy or fall below a floor, no-offer rate moves, and drift against a reference profile';

-- Alerts by a registry name: the reference profile is the one registered
-- with the deployed version, under the key "drift_profile" of its metrics
-- (its text form).  Like the function above, no fixed search_path.
CREATE FUNCTION uplift_monitor_alerts(experiment text, period interval, options jsonb,
                                      model text, current text)
RETURNS TABLE (period_start timestamptz, "check" text, subject text, value float8,
               threshold float8, message text)
LANGUAGE plpgsql STABLE
AS $$
DECLARE
    reference @extschema@.uplift_drift_profile;
BEGIN
    IF model IS NULL OR current IS NULL THEN
        RAISE EXCEPTION 'model and current of uplift_monitor_alerts must not be NULL'
            USING ERRCODE = 'null_value_not_allowed',
                  HINT = 'Pass the registered model''s name and the current window''s query.';
    END IF;
    SELECT pg_catalog.jsonb_extract_path_text(r.metrics, 'drift_profile')::@extschema@.uplift_drift_profile
      INTO reference
      FROM @extschema@.uplift_deployed($4) d
      JOIN @extschema@.uplift_registry r
        ON r.name OPERATOR(pg_catalog.=) $4 AND r.version OPERATOR(pg_catalog.=) d.version;
    IF reference IS NULL THEN
        RAISE EXCEPTION 'the deployed version of model "%" has no drift profile', model
            USING ERRCODE = 'undefined_object',
                  HINT = 'Register the model with its training window''s profile: metrics {"drift_profile": uplift_drift_profile(...)::text}.';
    END IF;
    RETURN QUERY SELECT * FROM @extschema@.uplift_monitor_alerts(experiment, period, options, reference, current);
END $$;

COMMENT ON FUNCTION uplift_monitor_alerts(text, interval, jsonb, text, text) IS
'the alerts of an experiment with drift checked against the profile registered with a named model''s deployed version';
