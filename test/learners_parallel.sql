-- pgTAP: the class-transformation, X- and DR-learners under a forced
-- parallel plan (partial aggregates in workers, serialized, combined in the
-- leader) give the serial model; the propensity range and clipped count
-- survive the trip through the workers.
BEGIN;
SELECT plan(9);

-- The demo's propensities are constant per arm; lp varies them by row
-- (0.5 to 1.4 times the logged one) so that weights and clipping matter.
CREATE TABLE learners_par AS
SELECT *, propensity * (0.5 + (unit_id % 10) / 10.0) AS lp
FROM uplift_demo_campaign(30000, 5);
ANALYZE learners_par;

CREATE FUNCTION pg_temp.flat(model uplift_model) RETURNS TABLE (name text, value float8)
LANGUAGE sql AS $$
    SELECT h.ord || ':' || (h.h->>'role') || ':' || c.key, c.value::float8
    FROM jsonb_array_elements(uplift_model_info(model)->'heads') WITH ORDINALITY h(h, ord),
         jsonb_each_text(h.h->'coefficients' || jsonb_build_object('intercept', h.h->'intercept')) c
    UNION ALL
    SELECT 'mix' || k, m::float8
    FROM jsonb_array_elements_text(uplift_model_info(model)->'mix') WITH ORDINALITY x(m, k)
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
    ('class_transform logistic', $$SELECT uplift_fit(features, action, converted, '{"learner": "class_transform"}')
                                   FROM learners_par WHERE action < 2$$),
    ('class_transform linear', $$SELECT uplift_fit(features, action, value, lp,
                                   '{"learner": "class_transform", "min_propensity": 0.3}')
                                 FROM learners_par WHERE action < 2$$),
    ('x_learner logistic', $$SELECT uplift_fit(features, action, converted, '{"learner": "x_learner"}') FROM learners_par$$),
    ('dr_learner logistic', $$SELECT uplift_fit(features, action, converted, lp, '{"learner": "dr_learner"}') FROM learners_par$$),
    ('x_learner weighted', $$SELECT uplift_fit(features, action, value, lp,
                              '{"learner": "x_learner", "l2": 0}') FROM learners_par$$),
    ('dr_learner weighted', $$SELECT uplift_fit(features, action, value, lp,
                               '{"learner": "dr_learner", "min_propensity": 0.25}') FROM learners_par$$);

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
          'every learner''s fit runs as partial aggregates in two parallel workers')
FROM q, pg_temp.explain(q.query) plan;

CREATE TEMP TABLE par AS SELECT name, pg_temp.run(query) AS model FROM q;

CREATE TEMP TABLE fs AS SELECT s.name AS q, f.* FROM serial s, pg_temp.flat(s.model) f;
CREATE TEMP TABLE fp AS SELECT p.name AS q, f.* FROM par p, pg_temp.flat(p.model) f;

SELECT ok(count(*) > 5 AND bool_and(a.value IS NOT NULL AND b.value IS NOT NULL)
          AND max(abs(a.value - b.value)) < 1e-9,
          'parallel and serial plans give the same model to 1e-9: ' || q)
FROM fs a FULL JOIN fp b USING (q, name)
GROUP BY q ORDER BY q;

SELECT ok(bool_and(uplift_model_info(s.model)->'propensity' = uplift_model_info(p.model)->'propensity'),
          'parallel and serial plans report the same propensity range and clipped rows')
FROM serial s JOIN par p USING (name);

-- The clipped count is that of the rows, counted in SQL (the parallel model).
SELECT is((uplift_model_info(p.model)->'propensity'->>'clipped_rows')::bigint,
          (SELECT count(*) FROM learners_par WHERE lp < 0.25),
          'the parallel dr_learner model counts the rows clipped to min_propensity')
FROM par p WHERE name = 'dr_learner weighted';

SELECT * FROM finish();
ROLLBACK;
