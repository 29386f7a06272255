-- pgTAP: uplift_fit under a forced parallel plan (partial aggregates in
-- workers, serialized, combined in the leader) gives the serial fit.
BEGIN;
SELECT plan(9);

CREATE TABLE fit_par AS SELECT * FROM uplift_demo_campaign(30000, 3);
ANALYZE fit_par;

CREATE FUNCTION pg_temp.flat(model uplift_model) RETURNS TABLE (name text, value float8)
LANGUAGE sql AS $$
    SELECT (h->>'action') || ':' || c.key, c.value::float8
    FROM jsonb_array_elements(uplift_model_info(model)->'heads') h,
         jsonb_each_text(h->'coefficients' || jsonb_build_object('intercept', h->'intercept')) c
$$;

CREATE FUNCTION pg_temp.explain(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    line text;
    result text := '';
BEGIN
    FOR line IN EXECUTE 'EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) ' || q LOOP
        result := result || line || E'\n';
    END LOOP;
    RETURN result;
END
$$;

CREATE TEMP TABLE q (name text, query text);
INSERT INTO q VALUES
    ('logistic t', $$SELECT uplift_fit(features, action, converted) FROM fit_par$$),
    ('linear t', $$SELECT uplift_fit(features, action, value, '{"l2": 0}') FROM fit_par$$),
    ('logistic s', $$SELECT uplift_fit(features, action, converted, '{"learner": "s_learner"}') FROM fit_par$$),
    ('weighted linear t', $$SELECT uplift_fit(features, action, value, propensity * (1 + features[4]) / 2,
                                              '{"l2": 0.5}') FROM fit_par$$),
    ('weighted linear t, moments', $$SELECT uplift_fit(features, action, value, propensity * (1 + features[4]) / 2,
                                                       '{"l2": 0.5, "base": "linear"}') FROM fit_par$$),
    ('linear s, moments', $$SELECT uplift_fit(features, action, value,
                                              '{"learner": "s_learner", "base": "linear", "l2": 0.1}') FROM fit_par$$),
    -- rows from the first pages only: some workers have no rows (NULL partial states)
    ('few rows', $$SELECT uplift_fit(features, action, value, '{"l2": 0}') FROM fit_par WHERE unit_id <= 300$$);

-- Run each query on its own (a UNION ALL would run whole aggregates in
-- workers instead of partial ones) and keep the model.
CREATE FUNCTION pg_temp.run(q text) RETURNS uplift_model LANGUAGE plpgsql AS $$
DECLARE
    m uplift_model;
BEGIN
    EXECUTE q INTO m;
    RETURN m;
END
$$;

SELECT force_serial();
CREATE TEMP TABLE serial AS SELECT name, pg_temp.run(query) AS model FROM q;

SELECT force_parallel();

SELECT ok(bool_and(plan LIKE '%Partial Aggregate%' AND plan LIKE '%Workers Launched: 2%'),
          'every fit runs as partial aggregates in two parallel workers')
FROM q, pg_temp.explain(q.query) plan;

CREATE TEMP TABLE par AS SELECT name, pg_temp.run(query) AS model FROM q;

SELECT ok(count(*) > 10 AND max(abs(a.value - b.value)) < 1e-9,
          'parallel and serial plans give the same coefficients to 1e-9: ' || s.name)
FROM serial s JOIN par p USING (name),
     pg_temp.flat(s.model) a JOIN pg_temp.flat(p.model) b USING (name)
GROUP BY s.name ORDER BY s.name;

SELECT ok(bool_and((a->>'rows') = (b->>'rows'))
          AND max(abs((a->>'outcome_mean')::float8 - (b->>'outcome_mean')::float8)) < 1e-12,
          'parallel and serial plans count the same rows and outcome means per arm')
FROM serial s JOIN par p USING (name),
     jsonb_array_elements(uplift_model_info(s.model)->'arms') a
     JOIN jsonb_array_elements(uplift_model_info(p.model)->'arms') b ON a->'action' = b->'action';

SELECT * FROM finish();
ROLLBACK;
