-- pgTAP: uplift_fit from named features under a forced parallel plan
-- (typed rows in workers, serialized, merged with their level dictionaries
-- in the leader) gives the serial fit: the same encoding, the same
-- coefficients.
BEGIN;
SELECT plan(6);

CREATE TABLE fp AS
SELECT unit_id, action, value, converted, propensity,
       jsonb_build_object('f1', features[1],
                          'f2', CASE WHEN unit_id % 7 = 0 THEN NULL ELSE features[2] END,
                          'seg', CASE WHEN unit_id % 11 = 0 THEN NULL
                                      WHEN features[3] > 0.5 THEN 'high'
                                      WHEN features[3] > -0.5 THEN 'mid' ELSE 'low' END,
                          'flag', features[4] > 0,
                          -- levels first seen in different orders by different workers
                          'zone', 'z' || (unit_id * 7919 % 13)) AS f
FROM uplift_demo_campaign(30000, 3);
ANALYZE fp;

CREATE TEMP TABLE q (name text, query text);
INSERT INTO q VALUES
    ('logistic t', $$SELECT uplift_fit(f, action, converted, '{"max_categories": 8}') FROM fp$$),
    ('linear t, moments', $$SELECT uplift_fit(f, action, value, '{"base": "linear", "l2": 0.5}') FROM fp$$),
    ('linear dr, weighted', $$SELECT uplift_fit(f, action, value, propensity, '{"learner": "dr_learner", "base": "linear"}') FROM fp$$),
    ('few rows', $$SELECT uplift_fit(f, action, value, '{"base": "linear", "learner": "s_learner"}') FROM fp WHERE unit_id <= 300$$);

CREATE FUNCTION pg_temp.run(q text) RETURNS uplift_model LANGUAGE plpgsql AS $$
DECLARE
    m uplift_model;
BEGIN
    EXECUTE q INTO m;
    RETURN m;
END
$$;

CREATE FUNCTION pg_temp.flat(model uplift_model) RETURNS TABLE (name text, value float8)
LANGUAGE sql AS $$
    SELECT (h->>'role') || (h->>'action') || ':' || c.key, c.value::float8
    FROM jsonb_array_elements(uplift_model_info(model)->'heads') h,
         jsonb_each_text(h->'coefficients' || jsonb_build_object('intercept', h->'intercept')) c
$$;

SELECT force_serial();
CREATE TEMP TABLE serial AS SELECT name, pg_temp.run(query) AS model FROM q;

SELECT force_parallel();
SELECT ok(bool_and(EXISTS (SELECT 1 FROM explain_lines(q.query) l WHERE l LIKE '%Partial Aggregate%')),
          'every fit runs as partial aggregates')
FROM q;
CREATE TEMP TABLE par AS SELECT name, pg_temp.run(query) AS model FROM q;

SELECT ok(bool_and(uplift_model_info(s.model) -> 'encoding' = uplift_model_info(p.model) -> 'encoding'
                   AND uplift_model_info(s.model) -> 'feature_names' = uplift_model_info(p.model) -> 'feature_names'),
          'parallel and serial plans learn the same encoding and columns')
FROM serial s JOIN par p USING (name);

SELECT ok(count(*) > 10 AND max(abs(a.value - b.value)) < 1e-9,
          'parallel and serial plans give the same coefficients to 1e-9: ' || s.name)
FROM serial s JOIN par p USING (name),
     pg_temp.flat(s.model) a JOIN pg_temp.flat(p.model) b USING (name)
GROUP BY s.name ORDER BY s.name;

SELECT * FROM finish();
ROLLBACK;
