
-- Exposure features (doc/portfolio.md): how many offers the assignment log
-- shows a unit in each of a list of experiments within a window before a
-- given time, so that a learner can condition on competing treatments.  The
-- log is created outside the extension, so the bodies resolve it at call
-- time under a fixed search_path; they run with the caller's rights, and
-- row-level security hides the experiments the caller may not read.

CREATE FUNCTION uplift_exposure_internal(unit text, keyed bool, at timestamptz,
                                       lookback interval, experiments text[],
                                       actions int, caller text)
RETURNS float8[]
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    id  bigint;
    key text;
BEGIN
    IF unit IS NULL OR at IS NULL OR lookback IS NULL OR experiments IS NULL
       OR actions IS NULL THEN
        RAISE EXCEPTION '% of % must not be NULL',
              CASE WHEN unit IS NULL THEN 'unit_id' WHEN at IS NULL THEN 'at'
                   WHEN lookback IS NULL THEN 'window'
                   WHEN experiments IS NULL THEN 'experiments' ELSE 'actions' END, caller
            USING ERRCODE = 'null_value_not_allowed',
                  HINT = 'Pass a unit, a time, a window such as ''30 days'', an array of experiment names and 0 or a number of actions.';
    END IF;
    IF actions < 0 THEN
        RAISE EXCEPTION 'actions of % must be 0 or more, not %', caller, actions
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Pass 0 to count all offers per experiment, or K to count actions 1..K separately.';
    END IF;
    IF lookback <= interval '0' THEN
        RAISE EXCEPTION 'window of % must be positive, not %', caller, lookback
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Pass how far back to count offers, such as ''30 days''.';
    END IF;
    IF array_ndims(experiments) > 1 THEN
        RAISE EXCEPTION 'experiments of % must be a one-dimensional array', caller
            USING ERRCODE = 'array_subscript_error',
                  HINT = 'Pass a flat array of experiment names.';
    END IF;
    IF array_position(experiments, NULL) IS NOT NULL THEN
        RAISE EXCEPTION 'experiments of % must not contain NULL (element %)',
              caller, array_position(experiments, NULL)
            USING ERRCODE = 'null_value_not_allowed',
                  HINT = 'Remove the NULL elements or replace them with experiment names.';
    END IF;
    IF keyed THEN
        key := unit;
    ELSE
        id := unit::bigint;
    END IF;
    IF @extschema@.uplift_assignment_log_guard() IS NULL THEN
        RETURN array_fill(0::float8, ARRAY[cardinality(experiments) * greatest(actions, 1)]);
    END IF;
    RETURN ARRAY(
        SELECT (SELECT count(*)::float8
                  FROM @extschema@.uplift_assignment_log l
                 WHERE l.experiment = e.name
                   AND (l.unit_id = id OR l.unit_key = key)
                   AND l.action > 0 AND (actions = 0 OR l.action = a.k)
                   AND NOT l.holdout
                   AND l.assigned_at >= at - lookback AND l.assigned_at < at)
          FROM unnest(experiments) WITH ORDINALITY AS e(name, i),
               generate_series(1, greatest(actions, 1)) AS a(k)
         ORDER BY e.i, a.k);
END $$;

COMMENT ON FUNCTION uplift_exposure_internal(text, bool, timestamptz, interval, text[], integer, text) IS
'the offers of each experiment (and action, when actions > 0) to a unit (unit_id as text, or unit_key when keyed) within a window before a time; the body of uplift_exposure';

CREATE FUNCTION uplift_exposure(unit_id bigint, at timestamptz, "window" interval, experiments text[],
                                actions int DEFAULT 0)
RETURNS float8[]
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT @extschema@.uplift_exposure_internal($1::text, false, $2, $3, $4, $5, 'uplift_exposure')
$$;

COMMENT ON FUNCTION uplift_exposure(bigint, timestamptz, interval, text[], integer) IS
'element i: how many offers (action > 0, not in the holdout) of experiments[i] the log shows to the unit in [at - window, at); with actions = K, element (i - 1) * K + k counts action k';

CREATE FUNCTION uplift_exposure(unit_id text, at timestamptz, "window" interval, experiments text[],
                                actions int DEFAULT 0)
RETURNS float8[]
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT @extschema@.uplift_exposure_internal($1, true, $2, $3, $4, $5, 'uplift_exposure')
$$;

COMMENT ON FUNCTION uplift_exposure(text, timestamptz, interval, text[], integer) IS
'element i: how many offers (action > 0, not in the holdout) of experiments[i] the log shows to the unit_key in [at - window, at); with actions = K, element (i - 1) * K + k counts action k';

CREATE FUNCTION uplift_exposure_jsonb(unit_id bigint, at timestamptz, "window" interval, experiments text[])
RETURNS jsonb
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT coalesce(jsonb_object_agg(e.name, e.n), '{}'::jsonb)
      FROM unnest($4, @extschema@.uplift_exposure_internal($1::text, false, $2, $3, $4, 0,
                                                         'uplift_exposure_jsonb')) AS e(name, n)
$$;

COMMENT ON FUNCTION uplift_exposure_jsonb(bigint, timestamptz, interval, text[]) IS
'uplift_exposure as a jsonb object keyed by experiment name';

CREATE FUNCTION uplift_exposure_jsonb(unit_id text, at timestamptz, "window" interval, experiments text[])
RETURNS jsonb
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT coalesce(jsonb_object_agg(e.name, e.n), '{}'::jsonb)
      FROM unnest($4, @extschema@.uplift_exposure_internal($1, true, $2, $3, $4, 0,
                                                         'uplift_exposure_jsonb')) AS e(name, n)
$$;

COMMENT ON FUNCTION uplift_exposure_jsonb(text, timestamptz, interval, text[]) IS
'uplift_exposure of a unit_key as a jsonb object keyed by experiment name';
