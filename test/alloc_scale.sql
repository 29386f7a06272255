-- pgTAP: the two-step path (allocate_threshold + allocate_action) under a
-- forced parallel plan, its agreement with allocate_budget, and the options
-- (pace, spent, min_roi, max_units, negative costs) checked in plain SQL.
BEGIN;
SELECT plan(16);

CREATE FUNCTION pg_temp.u01(VARIADIC k int[]) RETURNS float8
LANGUAGE sql IMMUTABLE AS
$$ SELECT ('x' || substr(md5(array_to_string(k, ',')), 1, 8))::bit(32)::bigint / 4294967296.0 $$;

CREATE FUNCTION pg_temp.plan_of(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE r text; p text := '';
BEGIN
    FOR r IN EXECUTE 'EXPLAIN (COSTS OFF) ' || q LOOP p := p || r || E'\n'; END LOOP;
    RETURN p;
END $$;

-- 30,000 units x 4 actions; 2-decimal values and costs (exact as numeric),
-- some costs negative, action 4 not offered to about a tenth of the units.
CREATE TABLE alloc_scale_units AS
SELECT u::bigint AS unit_id,
       array_agg(CASE WHEN a = 4 AND pg_temp.u01(u, 9) < 0.1 THEN NULL
                      ELSE round((pg_temp.u01(u, a, 1) * 20 - 4)::numeric, 2)::float8 END ORDER BY a) AS v,
       array_agg(round((pg_temp.u01(u, a, 2) * 10.5 - 0.5)::numeric, 2)::float8 ORDER BY a) AS c
FROM generate_series(1, 30000) u, generate_series(1, 4) a
GROUP BY u;
ANALYZE alloc_scale_units;

CREATE TEMP VIEW alloc_scale_long AS
SELECT unit_id, a AS action, v[a] AS value, c[a] AS cost
FROM alloc_scale_units, generate_subscripts(v, 1) a;

-- the cost, value and count of the two-step assignment at threshold t
CREATE FUNCTION pg_temp.two_step(t float8, opts jsonb DEFAULT NULL,
                                 OUT cost numeric, OUT pos_cost numeric, OUT value float8, OUT n bigint)
LANGUAGE sql AS $$
    SELECT coalesce(sum(c[a]::numeric), 0), coalesce(sum(greatest(c[a], 0)::numeric), 0),
           coalesce(sum(v[a]), 0), count(*)
    FROM (SELECT v, c, allocate_action(v, c, t, opts) AS a FROM alloc_scale_units) s
    WHERE a > 0
$$;

SELECT force_serial();
CREATE TEMP TABLE thr_serial AS
SELECT allocate_threshold(v, c, 20000) AS t,
       allocate_threshold(v, c, 50000, '{"pace": 0.5, "spent": 3000, "min_roi": 1.5}') AS t_opts
FROM alloc_scale_units;

SELECT force_parallel();

SELECT ok(pg_temp.plan_of('SELECT allocate_threshold(v, c, 20000) FROM alloc_scale_units') LIKE '%Partial Aggregate%',
          'allocate_threshold runs as a partial aggregate under a parallel plan');
CREATE TEMP TABLE thr_parallel AS
SELECT allocate_threshold(v, c, 20000) AS t,
       allocate_threshold(v, c, 50000, '{"pace": 0.5, "spent": 3000, "min_roi": 1.5}') AS t_opts
FROM alloc_scale_units;
SELECT is((SELECT t FROM thr_parallel), (SELECT t FROM thr_serial),
          'parallel threshold equals the serial one');
SELECT is((SELECT t_opts FROM thr_parallel), (SELECT t_opts FROM thr_serial),
          'parallel threshold with options equals the serial one');
SELECT force_serial();

-- never overspends, and the threshold is the smallest that does not:
-- taking also the increments at the threshold would exceed the budget
SELECT cmp_ok((SELECT pos_cost FROM pg_temp.two_step((SELECT t FROM thr_serial))), '<=', 20000::numeric,
              'two-step: chosen costs within the budget');
SELECT cmp_ok((SELECT pos_cost FROM pg_temp.two_step((SELECT t * (1 - 1e-12) FROM thr_serial))), '>', 20000::numeric,
              'two-step: a lower threshold would overspend');

CREATE TEMP TABLE ab AS
SELECT * FROM allocate_budget_summary('SELECT * FROM alloc_scale_long', 20000);
CREATE TEMP TABLE ab_rows AS
SELECT * FROM allocate_budget('SELECT * FROM alloc_scale_long', 20000);

SELECT cmp_ok((SELECT sum(cost::numeric) FROM ab_rows), '<=', 20000::numeric,
              'allocate_budget: returned costs summed as numeric within the budget');
SELECT ok((SELECT ab.total_value - s.value BETWEEN -1e-6 AND (SELECT max(x) FROM alloc_scale_units, unnest(v) x) + 1e-6
           FROM ab, pg_temp.two_step((SELECT t FROM thr_serial)) s),
          'two-step agrees with allocate_budget within one increment');
SELECT ok((SELECT s.value <= ab.lp_bound + 1e-6 AND ab.total_value <= ab.lp_bound + 1e-6
           FROM ab, pg_temp.two_step((SELECT t FROM thr_serial)) s),
          'both are below the LP bound');
SELECT is((SELECT count(*) FROM ab_rows r JOIN alloc_scale_units u USING (unit_id)
           WHERE r.value IS DISTINCT FROM u.v[r.action] OR r.cost IS DISTINCT FROM u.c[r.action]), 0::bigint,
          'allocate_budget returns each unit''s own value and cost for its action');

-- negative costs never pay for other offers: the budget is spent on the
-- positive parts of the costs alone
SELECT ok((SELECT count(*) FILTER (WHERE cost < 0) > 0 AND sum(greatest(cost, 0)::numeric) <= 20000 FROM ab_rows),
          'negative costs are chosen but never fund other offers');

-- options: available = budget * pace - spent; min_roi on pairs
CREATE TEMP TABLE ab_opts AS
SELECT * FROM allocate_budget('SELECT * FROM alloc_scale_long', 50000, '{"pace": 0.5, "spent": 3000, "min_roi": 1.5}');
SELECT cmp_ok((SELECT sum(greatest(cost, 0)::numeric) FROM ab_opts), '<=', 50000 * 0.5 - 3000::numeric,
              'pace and spent: at most budget * pace - spent is spent');
SELECT is((SELECT count(*) FROM ab_opts WHERE cost > 0 AND value < 1.5 * cost), 0::bigint,
          'min_roi: no chosen pair has value/cost below it');
SELECT ok((SELECT s.pos_cost <= 50000 * 0.5 - 3000 AND (SELECT sum(value) FROM ab_opts) - s.value
                  BETWEEN -1e-6 AND (SELECT max(x) FROM alloc_scale_units, unnest(v) x) + 1e-6
           FROM pg_temp.two_step((SELECT t_opts FROM thr_serial), '{"pace": 0.5, "spent": 3000, "min_roi": 1.5}') s),
          'two-step with options: within budget and within one increment of allocate_budget');

-- caps per action: never exceeded, and the result is reported against the
-- Lagrangian bound
CREATE TEMP TABLE ab_caps AS
SELECT * FROM allocate_budget('SELECT * FROM alloc_scale_long', 20000, '{"max_units": {"1": 500, "3": 200}}');
SELECT ok((SELECT count(*) FILTER (WHERE action = 1) <= 500 AND count(*) FILTER (WHERE action = 3) <= 200 FROM ab_caps),
          'max_units: caps are never exceeded');
SELECT ok((SELECT sum(value) FROM ab_caps) <=
          (SELECT lp_bound FROM allocate_budget_summary('SELECT * FROM alloc_scale_long', 20000,
                                                        '{"max_units": {"1": 500, "3": 200}}')) + 1e-6,
          'max_units: the total stays below the reported bound with caps');
SELECT cmp_ok((SELECT gap / lp_bound FROM allocate_budget_summary('SELECT * FROM alloc_scale_long', 20000,
                                                                  '{"max_units": {"1": 500, "3": 200}}')), '<', 0.05::float8,
              'max_units: within 5% of the bound with caps');

SELECT * FROM finish();
ROLLBACK;
