-- pgTAP: the off-policy aggregates under a forced parallel plan (partial
-- states serialized, deserialized and combined) give the serial answers.
BEGIN;
SELECT plan(12);

CREATE FUNCTION pg_temp.plan_of(q text) RETURNS SETOF text LANGUAGE plpgsql AS
$$BEGIN RETURN QUERY EXECUTE 'EXPLAIN (COSTS OFF) ' || q; END$$;

CREATE FUNCTION pg_temp.run(q text) RETURNS float8[] LANGUAGE plpgsql AS
$$DECLARE r float8[]; BEGIN EXECUTE q INTO r; RETURN r; END$$;

CREATE FUNCTION pg_temp.close(a float8[], b float8[], rel float8) RETURNS bool LANGUAGE sql AS
$$SELECT cardinality(a) = cardinality(b) AND bool_and(abs(x - y) <= rel * greatest(abs(x), abs(y), 1e-300))
  FROM unnest(a, b) u(x, y)$$;

CREATE TEMP TABLE queries (name text, q text);
INSERT INTO queries VALUES
 ('ips_value', $$SELECT ARRAY[(e).estimate, (e).std_error, (e).ci_low, (e).ci_high, (e).n]
                 FROM (SELECT ips_value(reward, logged_propensity, target_propensity) e FROM ope_parallel_log) s$$),
 ('snips_value', $$SELECT ARRAY[(e).estimate, (e).std_error, (e).ci_low, (e).ci_high, (e).n]
                 FROM (SELECT snips_value(reward, logged_propensity, target_propensity, '{"clip": 3}') e FROM ope_parallel_log) s$$),
 ('dr_value', $$SELECT ARRAY[(e).estimate, (e).std_error, (e).ci_low, (e).ci_high, (e).n]
                 FROM (SELECT dr_value(reward, logged_propensity, target_propensity, q_logged, q_target) e FROM ope_parallel_log) s$$),
 ('ope_overlap', $$SELECT ARRAY[(e).n, (e).sum_weight, (e).mean_weight, (e).max_weight, (e).ess, (e).share_below_floor, (e).n_clipped]
                 FROM (SELECT ope_overlap(logged_propensity, target_propensity, '{"floor": 0.25, "clip": 3.5}') e FROM ope_parallel_log) s$$),
 ('snips_value bootstrap', $$SELECT ARRAY[(e).estimate, (e).std_error, (e).ci_low, (e).ci_high, (e).n]
                 FROM (SELECT snips_value(reward, logged_propensity, target_propensity, '{"ci": "bootstrap", "n_boot": 50, "seed": 7}') e FROM ope_parallel_log) s$$),
 ('dr_value bootstrap', $$SELECT ARRAY[(e).estimate, (e).std_error, (e).ci_low, (e).ci_high, (e).n]
                 FROM (SELECT dr_value(reward, logged_propensity, target_propensity, q_logged, q_target, '{"ci": "bootstrap", "n_boot": 50, "seed": 7}') e FROM ope_parallel_log) s$$);

SELECT force_serial();
CREATE TEMP TABLE serial AS SELECT name, pg_temp.run(q) AS v FROM queries;

SELECT force_parallel();

SELECT ok(EXISTS (SELECT 1 FROM pg_temp.plan_of(q) l WHERE l LIKE '%Partial Aggregate%'),
          format('%s runs as a partial aggregate', name))
FROM queries ORDER BY name;

SELECT ok(pg_temp.close(s.v, pg_temp.run(q.q), 1e-12),
          format('%s: parallel equals serial to 1e-12 relative', q.name))
FROM queries q JOIN serial s USING (name) ORDER BY q.name;

SELECT * FROM finish();
ROLLBACK;
