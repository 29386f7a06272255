-- pgTAP: the off-policy aggregates under a forced parallel plan (partial
-- states serialized, deserialized and combined) give the serial answers.
BEGIN;
SELECT plan(12);

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
CREATE TEMP TABLE serial AS SELECT name, query_float8s(q) AS v FROM queries;

SELECT force_parallel();

SELECT ok(EXISTS (SELECT 1 FROM explain_lines(q) l WHERE l LIKE '%Partial Aggregate%'),
          format('%s runs as a partial aggregate', name))
FROM queries ORDER BY name;

SELECT ok(arrays_close(s.v, query_float8s(q.q), 1e-12),
          format('%s: parallel equals serial to 1e-12 relative', q.name))
FROM queries q JOIN serial s USING (name) ORDER BY q.name;

SELECT * FROM finish();
ROLLBACK;
