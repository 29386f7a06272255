-- Namespaces: experiments that take disjoint ranges of one namespace's hash
-- space never share a unit (src/namespace.c, doc/portfolio.md).

CREATE FUNCTION uplift_namespace_uniform(namespace text, unit_id bigint)
RETURNS float8
AS 'MODULE_PATHNAME', 'uplift_namespace_uniform_int8'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION uplift_namespace_uniform(namespace text, unit_id text)
RETURNS float8
AS 'MODULE_PATHNAME', 'uplift_namespace_uniform_text'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION uplift_namespace_uniform(text, bigint) IS
'the uniform number in [0, 1) of a unit in a namespace''s hash space';
COMMENT ON FUNCTION uplift_namespace_uniform(text, text) IS
'the uniform number in [0, 1) of a unit in a namespace''s hash space';

CREATE FUNCTION uplift_assign(experiment text, unit_id bigint, weights float8[], options jsonb)
RETURNS uplift_assignment
AS 'MODULE_PATHNAME', 'uplift_assign_options_int8'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION uplift_assign(experiment text, unit_id text, weights float8[], options jsonb)
RETURNS uplift_assignment
AS 'MODULE_PATHNAME', 'uplift_assign_options_text'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION uplift_assign(text, bigint, float8[], jsonb) IS
'uplift_assign with options holdout, holdout_name, namespace and range; NULL for a unit outside the range';
COMMENT ON FUNCTION uplift_assign(text, text, float8[], jsonb) IS
'uplift_assign with options holdout, holdout_name, namespace and range; NULL for a unit outside the range';

-- Log only enrolled units: a unit outside the range gets NULL and no row.
CREATE FUNCTION uplift_assign_logged(experiment text, unit_id bigint, weights float8[],
                                     options jsonb)
RETURNS uplift_logged_assignment
LANGUAGE sql VOLATILE
AS $$
SELECT @extschema@.uplift_log_assignment(
           experiment, unit_id, s.a, 'weights',
           pg_catalog.jsonb_build_object('weights', weights)
               OPERATOR(pg_catalog.||) COALESCE(options, '{}'::pg_catalog.jsonb))
  FROM (SELECT @extschema@.uplift_assign(experiment, unit_id, weights, options) AS a) s
 WHERE s.a IS NOT NULL
$$;

CREATE FUNCTION uplift_assign_logged(experiment text, unit_id text, weights float8[],
                                     options jsonb)
RETURNS uplift_logged_assignment
LANGUAGE sql VOLATILE
AS $$
SELECT @extschema@.uplift_log_assignment(
           experiment, unit_id, s.a, 'weights',
           pg_catalog.jsonb_build_object('weights', weights)
               OPERATOR(pg_catalog.||) COALESCE(options, '{}'::pg_catalog.jsonb))
  FROM (SELECT @extschema@.uplift_assign(experiment, unit_id, weights, options) AS a) s
 WHERE s.a IS NOT NULL
$$;

COMMENT ON FUNCTION uplift_assign_logged(text, bigint, float8[], jsonb) IS
'uplift_assign with options and log the result, once per (experiment, unit); NULL and nothing logged for a unit outside the range';
COMMENT ON FUNCTION uplift_assign_logged(text, text, float8[], jsonb) IS
'uplift_assign with options and log the result, once per (experiment, unit); NULL and nothing logged for a unit outside the range';

-- The registry of namespace ranges: each experiment declares the range of a
-- namespace it takes; a trigger refuses ranges outside [0, 1], reversed or
-- overlapping another experiment's range in the same namespace.
CREATE TABLE uplift_namespace_ranges (
    namespace  text NOT NULL,
    experiment text NOT NULL,
    range_lo   float8 NOT NULL,
    range_hi   float8 NOT NULL,
    PRIMARY KEY (namespace, experiment)
);

COMMENT ON TABLE uplift_namespace_ranges IS
'the range [range_lo, range_hi) of a namespace''s hash space that each experiment takes; ranges of one namespace never overlap';

GRANT SELECT ON uplift_namespace_ranges TO PUBLIC;

SELECT pg_catalog.pg_extension_config_dump('@extschema@.uplift_namespace_ranges', '');

CREATE FUNCTION uplift_namespace_ranges_check()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    other text;
BEGIN
    IF NEW.range_lo IS NULL OR NEW.range_hi IS NULL
       OR NEW.range_lo = 'NaN'::float8 OR NEW.range_hi = 'NaN'::float8
       OR NEW.range_lo < 0::float8 OR NEW.range_hi > 1::float8 OR NEW.range_lo >= NEW.range_hi THEN
        RAISE EXCEPTION 'range of experiment "%" in namespace "%" must satisfy 0 <= range_lo < range_hi <= 1',
                        NEW.experiment, NEW.namespace
            USING ERRCODE = '22023',
                  DETAIL = format('Got [%s, %s].', NEW.range_lo, NEW.range_hi),
                  HINT = 'Give the share of the namespace the experiment takes, e.g. (0.0, 0.3).';
    END IF;
    -- One declaration at a time, so two concurrent ones cannot overlap.
    LOCK TABLE @extschema@.uplift_namespace_ranges IN SHARE ROW EXCLUSIVE MODE;
    SELECT r.experiment INTO other
      FROM @extschema@.uplift_namespace_ranges r
     WHERE r.namespace = NEW.namespace
       AND r.experiment <> NEW.experiment
       AND r.range_lo < NEW.range_hi AND NEW.range_lo < r.range_hi
     ORDER BY r.range_lo
     LIMIT 1;
    IF other IS NOT NULL THEN
        RAISE EXCEPTION 'range of experiment "%" overlaps experiment "%" in namespace "%"',
                        NEW.experiment, other, NEW.namespace
            USING ERRCODE = '22023',
                  DETAIL = format('[%s, %s) shares units with the range of "%s".',
                                  NEW.range_lo, NEW.range_hi, other),
                  HINT = 'Experiments of one namespace take disjoint ranges; see the view uplift_namespaces for the free ones.';
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER uplift_namespace_ranges_check
    BEFORE INSERT OR UPDATE ON uplift_namespace_ranges
    FOR EACH ROW EXECUTE FUNCTION uplift_namespace_ranges_check();

CREATE VIEW uplift_namespaces AS
SELECT r.namespace, r.experiment, r.range_lo, r.range_hi,
       r.range_hi OPERATOR(pg_catalog.-) r.range_lo AS share,
       pg_catalog.sum(r.range_hi OPERATOR(pg_catalog.-) r.range_lo)
           OVER (PARTITION BY r.namespace) AS namespace_used,
       pg_catalog.jsonb_build_object('namespace', r.namespace,
                                     'range', pg_catalog.jsonb_build_array(r.range_lo, r.range_hi))
           AS options
  FROM @extschema@.uplift_namespace_ranges r;

COMMENT ON VIEW uplift_namespaces IS
'each namespace''s declared ranges, their shares, the share used in the namespace and the options that uplift_assign takes for them';

GRANT SELECT ON uplift_namespaces TO PUBLIC;
