-- pgTAP: the state of uplift_drift_profile is bounded.  A numeric column's
-- values are kept exactly up to 1,048,576 of them, then folded into a sketch
-- (a profile column, merged as uplift_drift_profile_merge does); past that
-- the deciles are checked against ranks counted in the rows, serial and
-- under a forced parallel plan, and a column with few values stays exact.
BEGIN;
SELECT plan(8);

-- u: 1,100,000 distinct values in (0, 1) in a scrambled order (7919 is
-- prime to the modulus 1,100,009); k: 13 values
CREATE TABLE mon_bounded AS
SELECT g, ((g::bigint * 7919) % 1100009)::float8 / 1100009 AS u, (g % 13)::float8 AS k
  FROM generate_series(1, 1100000) g;
ANALYZE mon_bounded;

-- The number of rows with u <= d, in closed form: u is r / p for every
-- residue r in 1 .. p - 1 but the eight of g = 1,100,001 .. 1,100,008.
CREATE FUNCTION pg_temp.rank_le(d float8) RETURNS bigint LANGUAGE sql AS $$
    SELECT floor(d * 1100009)::bigint
           - (SELECT count(*) FROM generate_series(1100001, 1100008) j
               WHERE (j::bigint * 7919) % 1100009 <= floor(d * 1100009))
$$;
SELECT is((SELECT count(*) FROM mon_bounded WHERE u <= 0.3), pg_temp.rank_le(0.3), 'the closed form of the ranks');

SET LOCAL max_parallel_workers_per_gather = 0;
CREATE TEMP TABLE serial AS
SELECT uplift_drift_profile_info(uplift_drift_profile(t)) AS info FROM (SELECT u, k FROM mon_bounded) t;

SELECT ok((SELECT (info -> 'columns' -> 0 ->> 'n')::int = 1100000
                  AND (info -> 'columns' -> 0 ->> 'rank_error')::float8 BETWEEN 1e-9 AND 0.005
                  AND (info -> 'columns' -> 0 ->> 'grid_points')::int <= 1001
             FROM serial),
          'past the cap: all rows counted, a small rank error reported, a bounded grid');
SELECT ok((SELECT bool_and(abs(pg_temp.rank_le(d::float8) / 1100000.0 - k / 10.0)
                           <= (info -> 'columns' -> 0 ->> 'rank_error')::float8 + 0.001 + 1 / 1100000.0)
             FROM serial, jsonb_array_elements_text(info -> 'columns' -> 0 -> 'deciles') WITH ORDINALITY a(d, k)),
          'folded deciles lie within the rank error of the true deciles');
SELECT ok((SELECT abs((info -> 'columns' -> 0 ->> 'mean')::float8 - (SELECT avg(u) FROM mon_bounded)) < 1e-12
                  AND abs((info -> 'columns' -> 0 ->> 'std')::float8 - (SELECT stddev_pop(u) FROM mon_bounded)) < 1e-12
             FROM serial),
          'folded mean and deviation equal avg and stddev_pop');
-- k: 13 distinct values, so every fold is exact: bin counts are the counts
-- of the rows in each decile bin, and the deciles numpy's
SELECT ok((SELECT (info -> 'columns' -> 1 ->> 'exact')::bool AND (info -> 'columns' -> 1 ->> 'rank_error')::float8 = 0
             FROM serial),
          'a column with few values stays exact past the cap');
SELECT is((SELECT ARRAY(SELECT b::float8 FROM jsonb_array_elements_text(info -> 'columns' -> 1 -> 'bin_counts') b) FROM serial),
          (SELECT array_agg(coalesce(n, 0) ORDER BY bin) FROM generate_series(0, 9) bin
             LEFT JOIN (SELECT (SELECT count(*) FROM jsonb_array_elements_text(
                                    (SELECT info -> 'columns' -> 1 -> 'deciles' FROM serial)) e
                                 WHERE e::float8 < v.k) AS b, sum(v.n)::float8 AS n
                          FROM (SELECT k, count(*) AS n FROM mon_bounded GROUP BY k) v
                         GROUP BY 1) c ON c.b = bin),
          'exact column: bin counts equal the rows counted in each bin');

SET LOCAL parallel_setup_cost = 0;
SET LOCAL parallel_tuple_cost = 0;
SET LOCAL min_parallel_table_scan_size = 0;
SET LOCAL max_parallel_workers_per_gather = 2;
SET LOCAL force_parallel_mode = on;
CREATE TEMP TABLE par AS
SELECT uplift_drift_profile_info(uplift_drift_profile(t)) AS info FROM (SELECT u, k FROM mon_bounded) t;
SELECT ok((SELECT bool_and(abs(pg_temp.rank_le(d::float8) / 1100000.0 - k / 10.0)
                           <= (info -> 'columns' -> 0 ->> 'rank_error')::float8 + 0.001 + 1 / 1100000.0)
             FROM par, jsonb_array_elements_text(info -> 'columns' -> 0 -> 'deciles') WITH ORDINALITY a(d, k)),
          'parallel: folded deciles within the rank error');
SELECT is((SELECT (info -> 'columns' -> 1) - 'std' - 'mean' FROM par), (SELECT (info -> 'columns' -> 1) - 'std' - 'mean' FROM serial),
          'parallel: the exact column equals the serial profile');

SELECT * FROM finish();
ROLLBACK;
