
-- The built-in demo campaign (doc/demo.md): a randomized three-arm campaign
-- with known propensities and each row's true expected uplift.  Every random
-- draw is a 64-bit hash of (unit, seed, draw number), so the rows are the same
-- on every platform and in every session.  Both bodies reach only pg_catalog
-- and @extschema@ objects: uplift_demo_uniform qualifies every function and
-- operator, and uplift_demo_campaign runs under a pinned search_path.

CREATE FUNCTION uplift_demo_uniform(unit bigint, seed int, draw int)
RETURNS float8
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN (((pg_catalog.hashint8extended(unit, (seed::pg_catalog.int8 OPERATOR(pg_catalog.*) 64)
                                              OPERATOR(pg_catalog.+) draw)
           OPERATOR(pg_catalog.>>) 11) OPERATOR(pg_catalog.&) 9007199254740991)::pg_catalog.float8
         OPERATOR(pg_catalog.+) 0.5::pg_catalog.float8)
       OPERATOR(pg_catalog./) 9007199254740992.0::pg_catalog.float8;

COMMENT ON FUNCTION uplift_demo_uniform(bigint, int, int) IS
'a uniform draw in (0, 1) from a 64-bit hash of (unit, seed, draw); used by uplift_demo_campaign';

-- n itself, or an error naming it when it is below 0 or above max_n (each
-- overload's bound on the rows it generates).
CREATE FUNCTION uplift_demo_n_check(n int, max_n int)
RETURNS int
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF $1 < 0 OR $1 > $2 THEN
        RAISE EXCEPTION 'n of uplift_demo_campaign must be from 0 to %, not %', $2, $1
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'n is the number of units to generate.';
    END IF;
    RETURN $1;
END
$$;

COMMENT ON FUNCTION uplift_demo_n_check(int, int) IS
'n, checked to be from 0 to max_n; used by uplift_demo_campaign';

CREATE FUNCTION uplift_demo_campaign(n int DEFAULT 10000, seed int DEFAULT 1)
RETURNS TABLE (unit_id bigint, features float8[], action int, propensity float8,
               converted float8, value float8, cost float8,
               true_value_uplift float8[], true_cost_uplift float8[],
               true_conversion_uplift float8[])
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE ROWS 10000
SET search_path = pg_catalog, pg_temp
AS $$
WITH draws AS (
    SELECT i AS unit_id,
           -- features: two standard normals, a 0/1 flag, a uniform, and a
           -- normal that has no effect on anything
           sqrt(-2 * ln(@extschema@.uplift_demo_uniform(i, seed, 1)))
               * cos(2 * pi() * @extschema@.uplift_demo_uniform(i, seed, 2)) AS x1,
           sqrt(-2 * ln(@extschema@.uplift_demo_uniform(i, seed, 3)))
               * cos(2 * pi() * @extschema@.uplift_demo_uniform(i, seed, 4)) AS x2,
           (@extschema@.uplift_demo_uniform(i, seed, 5) < 0.5)::int::float8 AS x3,
           @extschema@.uplift_demo_uniform(i, seed, 6) AS x4,
           sqrt(-2 * ln(@extschema@.uplift_demo_uniform(i, seed, 7)))
               * cos(2 * pi() * @extschema@.uplift_demo_uniform(i, seed, 8)) AS x5,
           @extschema@.uplift_demo_uniform(i, seed, 9) AS u_action,
           @extschema@.uplift_demo_uniform(i, seed, 10) AS u_convert,
           sqrt(-2 * ln(@extschema@.uplift_demo_uniform(i, seed, 11)))
               * cos(2 * pi() * @extschema@.uplift_demo_uniform(i, seed, 12)) AS e_value,
           sqrt(-2 * ln(@extschema@.uplift_demo_uniform(i, seed, 13)))
               * cos(2 * pi() * @extschema@.uplift_demo_uniform(i, seed, 14)) AS e_cost
    FROM generate_series(1, @extschema@.uplift_demo_n_check(n, 100000000)) AS i
),
truth AS (
    SELECT d.*,
           CASE WHEN u_action < 0.4 THEN 0 WHEN u_action < 0.7 THEN 1 ELSE 2 END AS arm,
           -- incremental value of actions 1 and 2 (linear in the features)
           1.0 + 0.8 * x1 - 0.5 * x3 AS tv1,
           1.5 - 0.6 * x1 + 1.0 * x2 + 0.5 * x4 AS tv2,
           -- incremental cost of actions 1 and 2 (linear in the features)
           0.5 + 0.3 * x3 AS tc1,
           1.2 + 0.4 * x4 AS tc2,
           -- conversion: logit of the control probability, and the shift per action
           -1.5 + 0.6 * x1 + 0.4 * x3 AS eta0,
           0.5 + 0.3 * x2 AS b1,
           0.8 - 0.4 * x1 AS b2
    FROM draws d
)
SELECT unit_id,
       ARRAY[x1, x2, x3, x4, x5],
       arm,
       CASE arm WHEN 0 THEN 0.4 ELSE 0.3 END::float8,
       (u_convert < 1 / (1 + exp(-(eta0 + CASE arm WHEN 1 THEN b1 WHEN 2 THEN b2 ELSE 0 END))))::int::float8,
       5 + 2 * x1 + x2 + 1.5 * x3 + CASE arm WHEN 1 THEN tv1 WHEN 2 THEN tv2 ELSE 0 END + 2 * e_value,
       0.2 + 0.1 * x4 + CASE arm WHEN 1 THEN tc1 WHEN 2 THEN tc2 ELSE 0 END + 0.1 * e_cost,
       ARRAY[tv1, tv2],
       ARRAY[tc1, tc2],
       ARRAY[1 / (1 + exp(-(eta0 + b1))) - 1 / (1 + exp(-eta0)),
             1 / (1 + exp(-(eta0 + b2))) - 1 / (1 + exp(-eta0))]
FROM truth
ORDER BY unit_id
$$;

COMMENT ON FUNCTION uplift_demo_campaign(int, int) IS
'the built-in demo campaign: n units, actions 0..2 at random, outcomes and each row''s true uplift';

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
    -- week two is drawn from 4n later units: n is at most 2e7 so that the
    -- units generated stay within uplift_demo_campaign's bound of 1e8
    SELECT k.n, (k.n OPERATOR(pg_catalog./) 2) AS h,
           (k.n OPERATOR(pg_catalog.-) (k.n OPERATOR(pg_catalog./) 2)) AS h2
      FROM (SELECT @extschema@.uplift_demo_n_check(n, 20000000) AS n) k
),
base AS (
    SELECT c.*, s.h, s.h2
      FROM sizes s,
           @extschema@.uplift_demo_campaign(s.h OPERATOR(pg_catalog.+) (4 OPERATOR(pg_catalog.*) s.n), seed) c
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
