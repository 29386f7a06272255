-- The drifting demo campaign of sql/objects/80_demo.sql, new in 0.2.0
-- (doc/monitoring.md), as a fresh install creates it.

-- The demo campaign over two weeks, the second one drifting (doc/monitoring.md).
-- Week one is units 1..n/2 of uplift_demo_campaign(n, seed).  Week two keeps
-- later units of the same campaign, each with probability
-- 1 / (1 + exp(-drift * x1)), so that x1 moves up with drift > 0 (drift = 0
-- thins at random: no drift); every row keeps its own outcomes and truths.
CREATE FUNCTION uplift_demo_campaign(n int, seed int, drift float8)
RETURNS TABLE (unit_id bigint, day int, features float8[], action int, propensity float8,
               converted float8, value float8, cost float8,
               true_value_uplift float8[], true_cost_uplift float8[],
               true_conversion_uplift float8[])
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE ROWS 10000
BEGIN ATOMIC
WITH sizes AS (
    SELECT (n OPERATOR(pg_catalog./) 2) AS h,
           (n OPERATOR(pg_catalog.-) (n OPERATOR(pg_catalog./) 2)) AS h2
),
base AS (
    SELECT c.*, s.h, s.h2
      FROM sizes s,
           @extschema@.uplift_demo_campaign(s.h OPERATOR(pg_catalog.+) (4 OPERATOR(pg_catalog.*) n), seed) c
     WHERE s.h OPERATOR(pg_catalog.>=) 1
),
week2 AS (
    SELECT b.*, pg_catalog.row_number() OVER (ORDER BY b.unit_id) AS r
      FROM base b
     WHERE b.unit_id OPERATOR(pg_catalog.>) b.h
       AND @extschema@.uplift_demo_uniform(b.unit_id, seed, 15) OPERATOR(pg_catalog.<)
           (1::pg_catalog.float8 OPERATOR(pg_catalog./) (1::pg_catalog.float8 OPERATOR(pg_catalog.+)
               pg_catalog.exp(OPERATOR(pg_catalog.-) (drift OPERATOR(pg_catalog.*) b.features[1]))))
)
SELECT b.unit_id,
       (((b.unit_id OPERATOR(pg_catalog.-) 1) OPERATOR(pg_catalog.*) 7) OPERATOR(pg_catalog./) b.h)::int,
       b.features, b.action, b.propensity, b.converted, b.value, b.cost,
       b.true_value_uplift, b.true_cost_uplift, b.true_conversion_uplift
  FROM base b
 WHERE b.unit_id OPERATOR(pg_catalog.<=) b.h
UNION ALL
SELECT w.h OPERATOR(pg_catalog.+) w.r,
       (7 OPERATOR(pg_catalog.+) (((w.r OPERATOR(pg_catalog.-) 1) OPERATOR(pg_catalog.*) 7) OPERATOR(pg_catalog./) w.h2))::int,
       w.features, w.action, w.propensity, w.converted, w.value, w.cost,
       w.true_value_uplift, w.true_cost_uplift, w.true_conversion_uplift
  FROM week2 w
 WHERE w.r OPERATOR(pg_catalog.<=) w.h2
ORDER BY 1;
END;

COMMENT ON FUNCTION uplift_demo_campaign(int, int, float8) IS
'the demo campaign over 14 days (column day), the second week''s customers drifting upwards in x1 by drift';
