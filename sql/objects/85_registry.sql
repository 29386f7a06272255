
-- The model registry (src/registry.c for scoring by name): versions of named
-- models, an append-only deployment log, deploy and rollback, and the
-- scoring functions that take a model's name.  Both tables are kept by
-- pg_dump.  Anyone may read them (scoring by name runs with the caller's
-- rights); registering and deploying need INSERT on them, which only the
-- extension's owner has until granted (doc/registry.md).

CREATE TABLE uplift_registry (
    name text NOT NULL CHECK (name OPERATOR(pg_catalog.<>) ''),
    version int NOT NULL CHECK (version OPERATOR(pg_catalog.>) 0),
    model @extschema@.uplift_model NOT NULL,
    checksum text NOT NULL,
    metrics jsonb NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
    created_by name NOT NULL DEFAULT CURRENT_USER,
    PRIMARY KEY (name, version)
);
COMMENT ON TABLE uplift_registry IS
'the registered versions of named models (uplift_register)';

-- One row per deploy or rollback, numbered per name (step).  restores is the
-- step a rollback of this one goes back to: the deploy history is a stack
-- kept as a linked list, so rollback walks it in O(1).
CREATE TABLE uplift_deployments (
    name text NOT NULL,
    step int NOT NULL,
    action text NOT NULL CHECK (action OPERATOR(pg_catalog.=) ANY (ARRAY['deploy', 'rollback'])),
    from_version int,
    to_version int NOT NULL,
    restores int,
    deployed_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
    deployed_by name NOT NULL DEFAULT CURRENT_USER,
    PRIMARY KEY (name, step),
    FOREIGN KEY (name, to_version) REFERENCES uplift_registry (name, version)
);
COMMENT ON TABLE uplift_deployments IS
'append-only log of deploys and rollbacks: the last step of a name is its deployed version';

REVOKE ALL ON uplift_registry, uplift_deployments FROM PUBLIC;
GRANT SELECT ON uplift_registry, uplift_deployments TO PUBLIC;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.uplift_registry', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.uplift_deployments', '');

-- Serializes writers of one name (transaction-scoped advisory lock; the key
-- pair is the hash of the table's name and of the model's name).
CREATE FUNCTION uplift_registry_lock(name text) RETURNS void
LANGUAGE sql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$ SELECT pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('uplift_registry'), pg_catalog.hashtext(name)) $$;

CREATE FUNCTION uplift_register(name text, model uplift_model, metrics jsonb DEFAULT '{}')
RETURNS int LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v int;
BEGIN
    IF name IS NULL OR name = '' THEN
        RAISE EXCEPTION 'name of uplift_register must not be NULL or empty'
            USING ERRCODE = 'null_value_not_allowed', HINT = 'Give the model a name, such as ''churn''.';
    END IF;
    IF model IS NULL THEN
        RAISE EXCEPTION 'model of uplift_register must not be NULL'
            USING ERRCODE = 'null_value_not_allowed',
                  HINT = 'Check the query that supplies the model: a NULL model usually means it found none.';
    END IF;
    IF metrics IS NULL OR jsonb_typeof(metrics) <> 'object' THEN
        RAISE EXCEPTION 'metrics of uplift_register must be a JSON object'
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Pass ''{}'' or an object such as ''{"qini": 0.12}''.';
    END IF;
    PERFORM @extschema@.uplift_registry_lock(name);
    SELECT coalesce(max(r.version), 0) + 1 INTO v FROM @extschema@.uplift_registry r WHERE r.name = $1;
    INSERT INTO @extschema@.uplift_registry (name, version, model, checksum, metrics)
    VALUES ($1, v, model, @extschema@.uplift_model_checksum(model), metrics);
    RETURN v;
END
$$;
COMMENT ON FUNCTION uplift_register(text, uplift_model, jsonb) IS
'stores a model under a name as its next version (1, 2, ...) and returns that version';

-- Errors for a NULL name or one that is not registered (funcname is the
-- function to name in the message).
CREATE FUNCTION uplift_registry_check(name text, funcname text) RETURNS void
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF name IS NULL THEN
        RAISE EXCEPTION 'name of % must not be NULL', funcname
            USING ERRCODE = 'null_value_not_allowed', HINT = 'Pass the name of a registered model.';
    END IF;
    IF NOT EXISTS (SELECT FROM @extschema@.uplift_registry r WHERE r.name = $1) THEN
        RAISE EXCEPTION 'model "%" is not registered', name
            USING ERRCODE = 'undefined_object',
                  HINT = 'Register it with uplift_register; SELECT * FROM uplift_models lists the registered models.';
    END IF;
END
$$;

-- The same, and errors for a NULL version or one not registered under name.
CREATE FUNCTION uplift_registry_check(name text, funcname text, version int) RETURNS void
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM @extschema@.uplift_registry_check(name, funcname);
    IF version IS NULL THEN
        RAISE EXCEPTION 'version of % must not be NULL', funcname
            USING ERRCODE = 'null_value_not_allowed', HINT = 'Pass a registered version number.';
    END IF;
    IF NOT EXISTS (SELECT FROM @extschema@.uplift_registry r WHERE r.name = $1 AND r.version = $3) THEN
        RAISE EXCEPTION 'version % of model "%" is not registered', version, name
            USING ERRCODE = 'undefined_object',
                  HINT = 'SELECT version FROM uplift_models WHERE name = ... lists its versions.';
    END IF;
END
$$;

CREATE FUNCTION uplift_deploy(name text, version int) RETURNS int
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    cur @extschema@.uplift_deployments;
BEGIN
    PERFORM @extschema@.uplift_registry_check(name, 'uplift_deploy', version);
    PERFORM @extschema@.uplift_registry_lock(name);
    SELECT * INTO cur FROM @extschema@.uplift_deployments d WHERE d.name = $1 ORDER BY d.step DESC LIMIT 1;
    INSERT INTO @extschema@.uplift_deployments (name, step, action, from_version, to_version, restores)
    VALUES ($1, coalesce(cur.step, 0) + 1, 'deploy', cur.to_version, $2, cur.step);
    RETURN version;
END
$$;
COMMENT ON FUNCTION uplift_deploy(text, int) IS
'makes a registered version the one that scoring by name uses, from the commit on; returns it';

CREATE FUNCTION uplift_rollback(name text) RETURNS int
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    cur @extschema@.uplift_deployments;
    back @extschema@.uplift_deployments;
BEGIN
    PERFORM @extschema@.uplift_registry_check(name, 'uplift_rollback');
    PERFORM @extschema@.uplift_registry_lock(name);
    SELECT * INTO cur FROM @extschema@.uplift_deployments d WHERE d.name = $1 ORDER BY d.step DESC LIMIT 1;
    IF cur.restores IS NULL THEN
        RAISE EXCEPTION 'model "%" has no earlier deployment to roll back to', name
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'Deploy a version with uplift_deploy; SELECT * FROM uplift_deployments shows the history.';
    END IF;
    SELECT * INTO back FROM @extschema@.uplift_deployments d WHERE d.name = $1 AND d.step = cur.restores;
    INSERT INTO @extschema@.uplift_deployments (name, step, action, from_version, to_version, restores)
    VALUES ($1, cur.step + 1, 'rollback', cur.to_version, back.to_version, back.restores);
    RETURN back.to_version;
END
$$;
COMMENT ON FUNCTION uplift_rollback(text) IS
'goes back to the version deployed before the current one (walking the deploy history); returns it';

-- The deployed version of a name with its checksum and model: what scoring
-- by name reads (once per statement and name).
CREATE FUNCTION uplift_deployed(name text, OUT version int, OUT checksum text, OUT model uplift_model)
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    SELECT r.version, r.checksum, r.model INTO version, checksum, model
      FROM @extschema@.uplift_deployments d
      JOIN @extschema@.uplift_registry r ON r.name = d.name AND r.version = d.to_version
     WHERE d.name = $1 ORDER BY d.step DESC LIMIT 1;
    IF NOT FOUND THEN
        PERFORM @extschema@.uplift_registry_check(name, 'uplift_model');
        RAISE EXCEPTION 'model "%" has no deployed version', name
            USING ERRCODE = 'undefined_object',
                  HINT = 'Deploy one with uplift_deploy, or name a version: uplift_model(name, version).';
    END IF;
END
$$;
COMMENT ON FUNCTION uplift_deployed(text) IS
'the deployed version of a named model, its checksum and the model';

CREATE FUNCTION uplift_model(name text) RETURNS uplift_model
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$ SELECT d.model FROM @extschema@.uplift_deployed(name) d $$;
COMMENT ON FUNCTION uplift_model(text) IS
'the deployed version of a named model';

CREATE FUNCTION uplift_model(name text, version int) RETURNS uplift_model
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM @extschema@.uplift_registry_check(name, 'uplift_model', version);
    RETURN (SELECT r.model FROM @extschema@.uplift_registry r WHERE r.name = $1 AND r.version = $2);
END
$$;
COMMENT ON FUNCTION uplift_model(text, int) IS
'a registered version of a named model';

CREATE VIEW uplift_models AS
SELECT r.name, r.version, r.created_at, r.checksum,
       i OPERATOR(pg_catalog.->>) 'learner' AS learner,
       i OPERATOR(pg_catalog.->>) 'base' AS base,
       (i OPERATOR(pg_catalog.->>) 'n_actions')::int AS actions,
       (i OPERATOR(pg_catalog.->>) 'n_features')::int AS features,
       r.metrics,
       r.version OPERATOR(pg_catalog.=) (SELECT d.to_version FROM @extschema@.uplift_deployments d
                                          WHERE d.name OPERATOR(pg_catalog.=) r.name
                                          ORDER BY d.step DESC LIMIT 1) IS TRUE AS deployed
  FROM @extschema@.uplift_registry r,
       LATERAL @extschema@.uplift_model_info(r.model) i;
COMMENT ON VIEW uplift_models IS
'the registered models, one row per version, with the deployed one marked';
GRANT SELECT ON uplift_models TO PUBLIC;

-- Scoring by name (src/registry.c): the deployed version, read once per
-- statement.  STABLE: the result changes with a deploy.
CREATE FUNCTION uplift_score(name text, features float8[]) RETURNS float8
AS 'MODULE_PATHNAME', 'uplift_score_name' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION uplift_score(text, float8[]) IS
'estimated effect of action 1 versus control, by the deployed version of a named model';

CREATE FUNCTION uplift_score(name text, features float8[], action int) RETURNS float8
AS 'MODULE_PATHNAME', 'uplift_score_action_name' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION uplift_score(text, float8[], int) IS
'estimated effect of the action versus control, by the deployed version of a named model';

CREATE FUNCTION uplift_scores(name text, features float8[]) RETURNS float8[]
AS 'MODULE_PATHNAME', 'uplift_scores_name' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION uplift_scores(text, float8[]) IS
'estimated effect of each action 1..K versus control, by the deployed version of a named model';

CREATE FUNCTION uplift_predict(name text, features float8[], action int) RETURNS float8
AS 'MODULE_PATHNAME', 'uplift_predict_name' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION uplift_predict(text, float8[], int) IS
'predicted outcome under the action, by the deployed version of a named model';
