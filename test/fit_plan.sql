-- pgTAP: the fits of uplift_fit that keep their rows are aggregated in one
-- process by default (src/fit_plan.c); the fits from moments, and every fit
-- under uplift.parallel_fit_rows, may aggregate in parallel workers.
BEGIN;
SELECT plan(10);

-- not a temporary table: parallel workers cannot scan those
CREATE TABLE fit_plan_d AS
SELECT ARRAY[(i % 7) / 7.0, ((i * 13) % 11) / 11.0]::float8[] AS x, i % 2 AS t,
       ((i * 7) % 3 = 0)::int::float8 AS y, '{"base": "linear"}'::jsonb AS o
FROM generate_series(1, 5000) i;
ANALYZE fit_plan_d;

-- parallel plans wherever they are allowed, without the fixture's setting
SET LOCAL parallel_setup_cost = 0;
SET LOCAL parallel_tuple_cost = 0;
SET LOCAL min_parallel_table_scan_size = 0;
SET LOCAL max_parallel_workers_per_gather = 2;

CREATE FUNCTION pg_temp.partial(q text) RETURNS bool LANGUAGE sql AS
$$ SELECT EXISTS (SELECT 1 FROM explain_lines(q) l WHERE l LIKE '%Partial Aggregate%') $$;

SELECT ok(NOT pg_temp.partial('SELECT uplift_fit(x, t, y) FROM fit_plan_d'),
          'a fit whose base is chosen from the outcomes keeps rows: no partial aggregation');
SELECT is(current_setting('uplift.parallel_fit_rows'), 'off', 'uplift.parallel_fit_rows is off by default');
SELECT ok(NOT pg_temp.partial($$SELECT uplift_fit(x, t, y, '{"base": "logistic"}') FROM fit_plan_d$$),
          'a logistic fit: no partial aggregation');
SELECT ok(NOT pg_temp.partial($$SELECT uplift_fit(x, t, y, '{"learner": "forest", "n_trees": 2}'), count(*) FROM fit_plan_d GROUP BY t$$),
          'a forest under GROUP BY, beside another aggregate: no partial aggregation');
SELECT ok(NOT pg_temp.partial($$SELECT uplift_fit(x, t, y, '{"learner": "x_learner", "base": "linear"}') FROM fit_plan_d$$),
          'an X-learner over the linear base keeps rows: no partial aggregation');
SELECT ok(pg_temp.partial($$SELECT uplift_fit(x, t, y, '{"base": "linear"}') FROM fit_plan_d$$),
          'a linear T-learner fits from moments: partial aggregation');
SELECT ok(pg_temp.partial($$SELECT uplift_fit(x, t, y, '{"learner": "s_learner", "base": "linear"}') FROM fit_plan_d$$),
          'a linear S-learner fits from moments: partial aggregation');
SELECT ok(pg_temp.partial($$SELECT uplift_fit(x, t, y, o) FROM fit_plan_d$$),
          'options that are not a constant leave the plan to the planner');

SET LOCAL uplift.parallel_fit_rows = on;
SELECT ok(pg_temp.partial($$SELECT uplift_fit(x, t, y, '{"base": "logistic"}') FROM fit_plan_d$$),
          'uplift.parallel_fit_rows allows partial aggregation of a logistic fit');
CREATE TEMP TABLE partial_model AS
SELECT uplift_fit(x, t, y, '{"base": "logistic"}') AS m FROM fit_plan_d;
RESET uplift.parallel_fit_rows;
CREATE TEMP TABLE serial_model AS
SELECT uplift_fit(x, t, y, '{"base": "logistic"}') AS m FROM fit_plan_d;
SELECT ok((SELECT max(abs(uplift_score(p.m, x) - uplift_score(s.m, x)))
             FROM fit_plan_d, partial_model p, serial_model s) < 1e-9,
          'the fit aggregated in one process equals the partial states'' fit to 1e-9');

SELECT * FROM finish();
ROLLBACK;
