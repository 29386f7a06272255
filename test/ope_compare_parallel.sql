-- pgTAP: the paired off-policy aggregates under a forced parallel plan
-- (partial states serialized, deserialized and combined) give the serial
-- answers.
BEGIN;
SELECT plan(14);

-- 30,000 logged rows of the demo campaign (actions 0, 1, 2 logged with
-- propensities 0.4, 0.3, 0.3), a policy A that prefers action 2 and a policy
-- B that prefers action 1, a crude outcome model (the arm means of the
-- generating model), and an allocation choosing action (unit_id mod 3).
CREATE TABLE cmp_log AS
SELECT unit_id, action, propensity, value, cost,
       CASE action WHEN 2 THEN 0.8 ELSE 0.1 END AS ta,
       CASE action WHEN 1 THEN 0.6 ELSE 0.2 END AS tb,
       CASE action WHEN 0 THEN 5.75 WHEN 1 THEN 6.5 ELSE 7.5 END AS ql,
       0.1 * 5.75 + 0.1 * 6.5 + 0.8 * 7.5 AS qa,
       0.2 * 5.75 + 0.6 * 6.5 + 0.2 * 7.5 AS qb,
       (unit_id % 3)::int AS chosen
FROM uplift_demo_campaign(30000, 5);

CREATE TEMP TABLE queries (name text, q text);
INSERT INTO queries VALUES
 ('ips_diff', $$SELECT ARRAY[(e).estimate, (e).std_error, (e).ci_low, (e).ci_high, (e).n]
                FROM (SELECT ips_diff(value, propensity, ta, tb) e FROM cmp_log) s$$),
 ('snips_diff', $$SELECT ARRAY[(e).estimate, (e).std_error, (e).ci_low, (e).ci_high, (e).n]
                FROM (SELECT snips_diff(value, propensity, ta, tb, '{"clip": 2.5}') e FROM cmp_log) s$$),
 ('dr_diff', $$SELECT ARRAY[(e).estimate, (e).std_error, (e).ci_low, (e).ci_high, (e).n]
                FROM (SELECT dr_diff(value, propensity, ta, tb, ql, qa, qb) e FROM cmp_log) s$$),
 ('sndr_value', $$SELECT ARRAY[(e).estimate, (e).std_error, (e).ci_low, (e).ci_high, (e).n]
                FROM (SELECT sndr_value(value, propensity, ta, ql, qa) e FROM cmp_log) s$$),
 ('switch_dr_value', $$SELECT ARRAY[(e).estimate, (e).std_error, (e).ci_low, (e).ci_high, (e).n]
                FROM (SELECT switch_dr_value(value, propensity, ta, ql, qa, '{"tau": 2}') e FROM cmp_log) s$$),
 ('uplift_ate', $$SELECT array_agg(x ORDER BY i)
                FROM unnest((SELECT uplift_ate(action, value) FROM cmp_log)) WITH ORDINALITY u(e, s, l, h, n, i),
                     LATERAL unnest(ARRAY[e, s, l, h, n]) x$$),
 ('ope_allocation', $$SELECT array_agg(x ORDER BY o, j)
                FROM unnest((SELECT ope_allocation(action, propensity, chosen, value, cost,
                                                   '{"actions": 2, "epsilon": 0.1, "baseline": "untargeted"}')
                             FROM cmp_log)) WITH ORDINALITY u(outcome, p, b, d, s, l, h, n, o),
                     LATERAL unnest(ARRAY[p, b, d, s, l, h, n]) WITH ORDINALITY v(x, j)$$);

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
