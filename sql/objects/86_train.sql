
-- Train and register in one call, for a nightly job (doc/registry.md): fit
-- on the rows outside a hashed holdout, evaluate on the holdout, register,
-- and deploy by strategy.  uplift_train only captures the caller's
-- search_path (the training query is the caller's and must see the caller's
-- tables); uplift_train_internal does the work under a pinned search_path
-- and switches to the caller's only while the caller's query runs.

-- Error unless query is exactly one SELECT that changes nothing (src/query.c).
CREATE FUNCTION uplift_query_check(query text, what text) RETURNS void
AS 'MODULE_PATHNAME' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION uplift_query_check(text, text) IS
'error unless query is exactly one SELECT that changes nothing; what names the argument in messages';

CREATE FUNCTION uplift_train_internal(name text, query text, options jsonb, caller_path text,
                                      OUT version int, OUT deployed bool, OUT metric text,
                                      OUT holdout_value float8, OUT deployed_value float8,
                                      OUT cost_version int, OUT metrics jsonb)
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    opts jsonb := coalesce(options, '{}');
    share float8;
    holdout text;
    strategy text;
    k float8;
    bins int;
    fit_opts jsonb;
    cost_opts jsonb;
    cost_name text;
    cols jsonb;
    prop_arg text;
    model @extschema@.uplift_model;
    cost_model @extschema@.uplift_model;
    prev @extschema@.uplift_model;
    n_actions int;
    per_action jsonb := '[]';
    m jsonb;
    old jsonb;
    old_sum float8 := 0;
    col text;
    eval_sql text;
    binary_outcome bool;
    info jsonb;
    prev_info jsonb;
BEGIN
    IF name IS NULL OR name = '' THEN
        RAISE EXCEPTION 'name of uplift_train must not be NULL or empty'
            USING ERRCODE = 'null_value_not_allowed', HINT = 'Give the model a name, such as ''churn''.';
    END IF;
    IF query IS NULL THEN
        RAISE EXCEPTION 'query of uplift_train must not be NULL'
            USING ERRCODE = 'null_value_not_allowed',
                  HINT = 'Pass the training query as text: SELECT unit_id, features, treatment, outcome FROM ...';
    END IF;
    IF jsonb_typeof(opts) <> 'object' THEN
        RAISE EXCEPTION 'options of uplift_train must be a JSON object'
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Pass ''{}'' for the defaults.';
    END IF;
    FOR col IN SELECT jsonb_object_keys(opts) LOOP
        IF col NOT IN ('fit', 'cost_fit', 'cost_name', 'holdout', 'holdout_name', 'strategy',
                       'metric', 'k', 'bins') THEN
            RAISE EXCEPTION 'unknown option "%" of uplift_train', col
                USING ERRCODE = 'invalid_parameter_value',
                      HINT = 'The options are fit, cost_fit, cost_name, holdout, holdout_name, strategy, metric, k and bins.';
        END IF;
    END LOOP;
    FOR col IN SELECT o FROM unnest(ARRAY['holdout', 'k', 'bins']) o
                WHERE opts ? o AND jsonb_typeof(opts -> o) <> 'number' LOOP
        RAISE EXCEPTION 'option "%" of uplift_train must be a number', col
            USING ERRCODE = 'invalid_parameter_value';
    END LOOP;
    FOR col IN SELECT o FROM unnest(ARRAY['fit', 'cost_fit']) o
                WHERE opts ? o AND jsonb_typeof(opts -> o) <> 'object' LOOP
        RAISE EXCEPTION 'option "%" of uplift_train must be a JSON object of uplift_fit options', col
            USING ERRCODE = 'invalid_parameter_value', HINT = 'For example {"learner": "x_learner"}.';
    END LOOP;
    FOR col IN SELECT o FROM unnest(ARRAY['cost_name', 'holdout_name', 'strategy', 'metric']) o
                WHERE opts ? o AND jsonb_typeof(opts -> o) <> 'string' LOOP
        RAISE EXCEPTION 'option "%" of uplift_train must be a string', col
            USING ERRCODE = 'invalid_parameter_value';
    END LOOP;
    share := coalesce((opts ->> 'holdout')::float8, 0.2);
    IF NOT (share > 0 AND share < 1) THEN
        RAISE EXCEPTION 'option "holdout" of uplift_train must be between 0 and 1, exclusive'
            USING ERRCODE = 'invalid_parameter_value', DETAIL = format('Got %s.', share),
                  HINT = 'It is the share of units held out for evaluation, such as 0.2.';
    END IF;
    k := coalesce((opts ->> 'k')::float8, 0.3);
    IF NOT (k > 0 AND k <= 1) THEN
        RAISE EXCEPTION 'option "k" of uplift_train must be in (0, 1]'
            USING ERRCODE = 'invalid_parameter_value', DETAIL = format('Got %s.', k),
                  HINT = 'It is the share of the holdout for uplift_at_k, such as 0.3.';
    END IF;
    IF opts ? 'bins' AND ((opts ->> 'bins')::numeric NOT BETWEEN 2 AND 1000
                          OR (opts ->> 'bins')::numeric <> trunc((opts ->> 'bins')::numeric)) THEN
        RAISE EXCEPTION 'option "bins" of uplift_train must be a whole number from 2 to 1000'
            USING ERRCODE = 'invalid_parameter_value', DETAIL = format('Got %s.', opts ->> 'bins');
    END IF;
    bins := coalesce((opts ->> 'bins')::int, 10);
    strategy := coalesce(opts ->> 'strategy', 'none');
    IF strategy NOT IN ('none', 'newest', 'best') THEN
        RAISE EXCEPTION 'option "strategy" of uplift_train must be none, newest or best'
            USING ERRCODE = 'invalid_parameter_value', DETAIL = format('Got "%s".', strategy);
    END IF;
    metric := coalesce(opts ->> 'metric', 'qini_auc');
    IF metric NOT IN ('qini_auc', 'auuc', 'uplift_at_k') THEN
        RAISE EXCEPTION 'option "metric" of uplift_train must be qini_auc, auuc or uplift_at_k'
            USING ERRCODE = 'invalid_parameter_value', DETAIL = format('Got "%s".', metric);
    END IF;
    fit_opts := coalesce(opts -> 'fit', '{}');
    cost_opts := coalesce(opts -> 'cost_fit', fit_opts);
    cost_name := coalesce(opts ->> 'cost_name', name || '_cost');
    holdout := coalesce(opts ->> 'holdout_name', 'uplift_train ' || name);
    PERFORM @extschema@.uplift_query_check(query, 'query of uplift_train');

    -- The caller's query runs under the caller's search_path; everything
    -- around it is qualified.
    PERFORM set_config('search_path', caller_path, true);
    EXECUTE format('SELECT pg_catalog.to_jsonb(q) FROM (%s) AS q LIMIT 1', query) INTO cols;
    PERFORM set_config('search_path', 'pg_catalog, pg_temp', true);
    IF cols IS NULL THEN
        RAISE EXCEPTION 'query of uplift_train returned no rows'
            USING ERRCODE = 'data_exception', HINT = 'Check the query''s filters: there is nothing to train on.';
    END IF;
    FOREACH col IN ARRAY ARRAY['unit_id', 'features', 'treatment', 'outcome'] LOOP
        IF NOT cols ? col THEN
            RAISE EXCEPTION 'query of uplift_train has no column "%"', col
                USING ERRCODE = 'undefined_column',
                      HINT = 'Name the columns unit_id, features, treatment, outcome, and optionally propensity and cost, for example SELECT id AS unit_id, ...';
        END IF;
    END LOOP;
    prop_arg := CASE WHEN cols ? 'propensity' THEN ', q.propensity' ELSE '' END;

    PERFORM set_config('search_path', caller_path, true);
    EXECUTE format('SELECT @extschema@.uplift_fit(q.features, q.treatment, q.outcome%s, $1), '
                   'pg_catalog.bool_and(q.outcome OPERATOR(pg_catalog.=) ANY (ARRAY[0, 1]::pg_catalog.float8[])) '
                   'FROM (%s) AS q WHERE NOT @extschema@.uplift_in_holdout(q.unit_id, $2, $3)', prop_arg, query)
        INTO model, binary_outcome USING fit_opts, share, holdout;
    IF cols ? 'cost' THEN
        EXECUTE format('SELECT @extschema@.uplift_fit(q.features, q.treatment, q.cost%s, $1) FROM (%s) AS q '
                       'WHERE NOT @extschema@.uplift_in_holdout(q.unit_id, $2, $3)', prop_arg, query)
            INTO cost_model USING cost_opts, share, holdout;
    END IF;
    PERFORM set_config('search_path', 'pg_catalog, pg_temp', true);
    IF model IS NULL THEN
        RAISE EXCEPTION 'query of uplift_train left no rows outside the holdout'
            USING ERRCODE = 'data_exception', HINT = 'Lower the "holdout" option or train on more units.';
    END IF;

    -- The deployed version competes on the same holdout when it can score
    -- these rows (same actions and features).
    SELECT r.model INTO prev
      FROM @extschema@.uplift_deployments d
      JOIN @extschema@.uplift_registry r ON r.name = d.name AND r.version = d.to_version
     WHERE d.name = $1 ORDER BY d.step DESC LIMIT 1;
    info := @extschema@.uplift_model_info(model);
    IF prev IS NOT NULL THEN
        prev_info := @extschema@.uplift_model_info(prev);
        IF (prev_info -> 'n_actions') <> (info -> 'n_actions')
           OR (prev_info -> 'n_features') <> (info -> 'n_features') THEN
            prev := NULL;
        END IF;
    END IF;

    -- One scan of the holdout per action: that action against control.
    -- AUUC is defined for a 0/1 outcome only (NULL otherwise).
    n_actions := (info ->> 'n_actions')::int;
    eval_sql := format($q$
        SELECT pg_catalog.jsonb_build_object(
                   'action', $6, 'rows', pg_catalog.count(*),
                   'qini_auc', @extschema@.uplift_qini_auc(s.new, s.t, s.y),
                   'auuc', @extschema@.uplift_auuc(s.new, s.t, s.y) FILTER (WHERE $8),
                   'uplift_at_k', @extschema@.uplift_at_k(s.new, s.t, s.y, $4, 'overall'),
                   'deciles', pg_catalog.to_jsonb(@extschema@.uplift_by_percentile(s.new, s.t, s.y, $5, 'overall')),
                   'calibration', pg_catalog.to_jsonb(@extschema@.uplift_calibration(s.new, s.t, s.y, $5))),
               pg_catalog.jsonb_build_object(
                   'qini_auc', @extschema@.uplift_qini_auc(s.old, s.t, s.y),
                   'auuc', @extschema@.uplift_auuc(s.old, s.t, s.y) FILTER (WHERE $8),
                   'uplift_at_k', @extschema@.uplift_at_k(s.old, s.t, s.y, $4, 'overall'))
          FROM (SELECT @extschema@.uplift_score($1, q.features, $6) AS new,
                       CASE WHEN $7 IS NOT NULL THEN @extschema@.uplift_score($7, q.features, $6) END AS old,
                       CASE WHEN q.treatment OPERATOR(pg_catalog.=) $6 THEN 1 ELSE 0 END AS t,
                       q.outcome AS y
                  FROM (%s) AS q
                 WHERE @extschema@.uplift_in_holdout(q.unit_id, $2, $3)
                   AND q.treatment OPERATOR(pg_catalog.=) ANY (ARRAY[0, $6])) AS s$q$, query);
    FOR a IN 1 .. n_actions LOOP
        PERFORM set_config('search_path', caller_path, true);
        EXECUTE eval_sql INTO m, old USING model, share, holdout, k, bins, a, prev, binary_outcome;
        PERFORM set_config('search_path', 'pg_catalog, pg_temp', true);
        per_action := per_action || jsonb_build_array(m);
        old_sum := old_sum + (old ->> metric)::float8;
    END LOOP;
    deployed_value := old_sum / n_actions;
    SELECT avg((e ->> metric)::float8),
           jsonb_build_object('holdout', share, 'holdout_rows', sum((e ->> 'rows')::bigint),
                              'k', k, 'bins', bins,
                              'qini_auc', avg((e ->> 'qini_auc')::float8),
                              'auuc', avg((e ->> 'auuc')::float8),
                              'uplift_at_k', avg((e ->> 'uplift_at_k')::float8),
                              'actions', per_action)
      INTO holdout_value, metrics
      FROM jsonb_array_elements(per_action) e;

    version := @extschema@.uplift_register(name, model, metrics);
    IF cost_model IS NOT NULL THEN
        cost_version := @extschema@.uplift_register(cost_name, cost_model,
                            jsonb_build_object('value_model', name, 'value_version', version));
    END IF;
    deployed := strategy = 'newest'
                OR strategy = 'best' AND holdout_value IS NOT NULL
                   AND (deployed_value IS NULL OR holdout_value > deployed_value);
    IF deployed THEN
        PERFORM @extschema@.uplift_deploy(name, version);
        IF cost_version IS NOT NULL THEN
            PERFORM @extschema@.uplift_deploy(cost_name, cost_version);
        END IF;
    END IF;
END
$$;
COMMENT ON FUNCTION uplift_train_internal(text, text, jsonb, text) IS
'the body of uplift_train; caller_path is the search_path the training query runs under';

CREATE FUNCTION uplift_train(name text, query text, options jsonb DEFAULT '{}',
                             OUT version int, OUT deployed bool, OUT metric text,
                             OUT holdout_value float8, OUT deployed_value float8,
                             OUT cost_version int, OUT metrics jsonb)
LANGUAGE sql VOLATILE PARALLEL UNSAFE
BEGIN ATOMIC
    SELECT t.version, t.deployed, t.metric, t.holdout_value, t.deployed_value, t.cost_version, t.metrics
      FROM @extschema@.uplift_train_internal(name, query, options,
                                             pg_catalog.current_setting('search_path')) AS t;
END;
COMMENT ON FUNCTION uplift_train(text, text, jsonb) IS
'fits a model on a training query outside a hashed holdout, evaluates it on the holdout, registers it (and a cost model when the query has a cost column) and deploys it by strategy';
