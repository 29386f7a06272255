-- The simulated campaign with step-shaped effects of
-- ../shared/reference/forest_simulated.md, generated exactly as the
-- reference does (serially: the rows depend on setseed and the order of the
-- random() calls): table d, rows i <= 200000 for training, the rest for
-- testing.  Read by bench/tree_quality.sh and bench/forest.sh.
SET max_parallel_workers_per_gather = 0;
SELECT setseed(0.1234) \g /dev/null
CREATE TABLE raw AS SELECT i, ARRAY[random(), random(), random(), random(), random(), random(),
  random(), random(), random(), random()]::float8[] AS x, (random() < 0.5)::int AS t, random() AS u
  FROM generate_series(1, 300000) i;
CREATE TABLE d AS SELECT i, x, t, tau, (u < base + t * tau)::int::float8 AS y FROM (
  SELECT i, x, t, u,
    (0.05 * (x[1] > 0.5 AND x[7] < 0.5)::int + 0.03 * (x[3] > 0.7)::int - 0.04 * (x[9] < 0.2)::int) AS tau,
    (0.20 + 0.10 * x[2] + 0.05 * (x[8] > 0.5)::int) AS base FROM raw) s;
