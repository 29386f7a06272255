
-- Two campaigns on the same customers (doc/portfolio.md): a portfolio
-- holdout of share "holdout" gets neither offer; every other unit gets
-- campaign a's offer and, independently, campaign b's, each with
-- probability 1/2.  The true uplifts are 1 + 0.5 x1 (a) and 0.8 - 0.3 x2
-- (b), and a unit given both gains "interaction" more (negative: the two
-- compete for the same purchases).
CREATE FUNCTION uplift_demo_portfolio(n int DEFAULT 10000, seed int DEFAULT 1,
                                      interaction float8 DEFAULT -0.5,
                                      holdout float8 DEFAULT 0.1)
RETURNS TABLE (unit_id bigint, features float8[], in_holdout bool, action_a int, action_b int,
               value float8, true_uplift_a float8, true_uplift_b float8)
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE ROWS 10000
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF NOT (holdout >= 0 AND holdout < 1) THEN
        RAISE EXCEPTION 'holdout of uplift_demo_portfolio must be in [0, 1), not %', holdout
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'holdout is the share of units that get neither offer, such as 0.1.';
    END IF;
    IF interaction = 'NaN' OR abs(interaction) = 'Infinity' THEN
        RAISE EXCEPTION 'interaction of uplift_demo_portfolio must be a finite number, not %', interaction
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'interaction is the extra uplift of a unit given both offers, such as -0.5.';
    END IF;
    RETURN QUERY
    WITH draws AS (
        SELECT i::bigint AS id,
               sqrt(-2 * ln(@extschema@.uplift_demo_uniform(i, seed, 1)))
                   * cos(2 * pi() * @extschema@.uplift_demo_uniform(i, seed, 2)) AS x1,
               sqrt(-2 * ln(@extschema@.uplift_demo_uniform(i, seed, 3)))
                   * cos(2 * pi() * @extschema@.uplift_demo_uniform(i, seed, 4)) AS x2,
               @extschema@.uplift_demo_uniform(i, seed, 5) < holdout AS h,
               (@extschema@.uplift_demo_uniform(i, seed, 6) < 0.5)::int AS a,
               (@extschema@.uplift_demo_uniform(i, seed, 7) < 0.5)::int AS b,
               sqrt(-2 * ln(@extschema@.uplift_demo_uniform(i, seed, 8)))
                   * cos(2 * pi() * @extschema@.uplift_demo_uniform(i, seed, 9)) AS e
          FROM generate_series(1, @extschema@.uplift_demo_n_check(n, 100000000)) AS i
    ),
    arms AS (
        SELECT d.id, d.x1, d.x2, d.h, d.e,
               CASE WHEN d.h THEN 0 ELSE d.a END AS a,
               CASE WHEN d.h THEN 0 ELSE d.b END AS b,
               1.0 + 0.5 * d.x1 AS tua, 0.8 - 0.3 * d.x2 AS tub
          FROM draws d
    )
    SELECT r.id, ARRAY[r.x1, r.x2], r.h, r.a, r.b,
           5 + 2 * r.x1 + r.x2 + r.a * r.tua + r.b * r.tub + interaction * r.a * r.b + 2 * r.e,
           r.tua, r.tub
      FROM arms r
     ORDER BY r.id;
END
$$;

COMMENT ON FUNCTION uplift_demo_portfolio(int, int, float8, float8) IS
'two demo campaigns on the same n customers: a portfolio holdout, offers a and b at random, outcomes with a known interaction, and each row''s true uplifts';
