
-- Exploration with a registered model (doc/registry.md): the deployed
-- version decides, and the log records which one (its name and version in
-- params, its checksum in model_checksum).

CREATE FUNCTION uplift_explore_logged(experiment text, unit_id bigint, name text,
                                      features float8[], epsilon float8 DEFAULT 0.1,
                                      min_propensity float8 DEFAULT 0,
                                      seed bigint DEFAULT 0)
RETURNS uplift_logged_assignment
LANGUAGE sql VOLATILE
AS $$
SELECT @extschema@.uplift_log_assignment(
           experiment, unit_id,
           @extschema@.uplift_explore(experiment, unit_id, s.effects, epsilon,
                                      min_propensity, seed),
           'epsilon_greedy',
           pg_catalog.jsonb_build_object('effects', s.effects, 'epsilon', epsilon,
                                         'min_propensity', min_propensity, 'seed', seed,
                                         'model', name, 'version', d.version),
           d.checksum)
  FROM @extschema@.uplift_deployed(name) AS d,
       LATERAL (SELECT @extschema@.uplift_explore_internal(d.model, features, 'uplift_explore_logged')
                       AS effects) AS s
$$;

COMMENT ON FUNCTION uplift_explore_logged(text, bigint, text, float8[], float8, float8, bigint) IS
'uplift_explore over the scores of the deployed version of a registered model; logs its name and version in params and its checksum, once per (experiment, unit)';
