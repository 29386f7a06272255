-- pgTAP: uplift_interaction, the 2x2 factorial interaction contrast of two
-- experiments.  A closed form on a small table, the options for which actions
-- count as treated, the recovery of a known interaction on simulated data,
-- the parallel plan against the serial answer, and bad input.
BEGIN;
SELECT plan(17);

CREATE FUNCTION pg_temp.plan_of(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    line text;
    result text := '';
BEGIN
    FOR line IN EXECUTE 'EXPLAIN (COSTS OFF) ' || q LOOP
        result := result || line || E'\n';
    END LOOP;
    RETURN result;
END $$;

-- Cells (a, b): 00 = {1, 2}, 10 = {3, 5}, 01 = {2, 2.5}, 11 = {10, 12}.
-- Means 1.5, 4, 2.25, 11: interaction 11 - 4 - 2.25 + 1.5 = 6.25.
-- Sample variances 0.5, 2, 0.125, 2, each over n = 2:
-- se = sqrt(0.25 + 1 + 0.0625 + 1) = sqrt(2.3125).
CREATE TEMP TABLE small (a int, b int, y float8);
INSERT INTO small VALUES (0, 0, 1), (0, 0, 2), (1, 0, 3), (1, 0, 5),
                         (0, 1, 2), (0, 1, 2.5), (1, 1, 10), (1, 1, 12);
SELECT is((SELECT (uplift_interaction(a, b, y)).estimate FROM small), 6.25::float8,
          'closed form: the interaction contrast');
SELECT ok((SELECT abs((uplift_interaction(a, b, y)).std_error - sqrt(2.3125)) < 1e-12 FROM small),
          'closed form: the standard error');
SELECT ok((SELECT abs(e.ci_high - e.estimate - 1.959963984540054 * sqrt(2.3125)) < 1e-12
             FROM (SELECT (uplift_interaction(a, b, y)).* FROM small) e),
          'the 95% interval is estimate +- 1.96 se');
SELECT is((SELECT (uplift_interaction(a, b, y)).n FROM small), 8::bigint, 'n counts the rows');

-- Action 2 of experiment a counts as treated; action 1 rows are left out.
INSERT INTO small VALUES (2, 0, 4), (2, 0, 4), (2, 1, 20), (2, 1, 30);
SELECT is((SELECT (uplift_interaction(a, b, y, 2, 1)).estimate FROM small),
          (25 - 4 - 2.25 + 1.5)::float8, 'treated_a = 2 compares action 2 with control');
SELECT is((SELECT (uplift_interaction(a, b, y, 1, 1)).estimate FROM small WHERE a < 2),
          6.25::float8, 'treated_a = 1 leaves action 2 out');
SELECT is((SELECT (uplift_interaction(a, b, y)).estimate FROM small),
          ((10 + 12 + 20 + 30) / 4.0 - (3 + 5 + 4 + 4) / 4.0 - 2.25 + 1.5)::float8,
          'without treated actions, every action above 0 is treated');

-- An empty cell: no estimate; one row in a cell: no standard error.
SELECT ok((SELECT (uplift_interaction(a, b, y)).estimate IS NULL FROM small WHERE a < 2 AND NOT (a = 1 AND b = 1)),
          'an empty cell gives a NULL estimate');
SELECT ok((SELECT e.estimate IS NOT NULL AND e.std_error IS NULL
             FROM (SELECT (uplift_interaction(a, b, y)).* FROM small WHERE a < 2 AND y <> 12) e),
          'a cell of one row gives no standard error');

-- Simulated: two independent 50/50 experiments, outcome
-- 1 + 0.5 a + 0.3 b + 0.4 a b + N(0, 1) noise (Box-Muller from the assignment
-- hash), so the interaction is 0.4.
CREATE TABLE sim AS
SELECT (uplift_assign('exp-a', g, ARRAY[0.5, 0.5])).action AS a,
       (uplift_assign('exp-b', g, ARRAY[0.5, 0.5])).action AS b,
       sqrt(-2 * ln(1 - (uplift_assign_hash('noise-1', g)::numeric + 9223372036854775808) / 18446744073709551616))
         * cos(2 * pi() * ((uplift_assign_hash('noise-2', g)::numeric + 9223372036854775808)
                           / 18446744073709551616)::float8) AS noise
  FROM generate_series(1, 200000) g;
ALTER TABLE sim ADD COLUMN y float8;
UPDATE sim SET y = 1 + 0.5 * a + 0.3 * b + 0.4 * a * b + noise;
ANALYZE sim;
SELECT ok((SELECT abs(e.estimate - 0.4) < 3 * e.std_error AND e.ci_low < 0.4 AND 0.4 < e.ci_high
             FROM (SELECT (uplift_interaction(a, b, y)).* FROM sim) e),
          'recovers the known interaction 0.4 within 3 standard errors');
SELECT ok((SELECT abs(e.std_error - sqrt(4 / 50000.0)) < 0.0005
             FROM (SELECT (uplift_interaction(a, b, y)).* FROM sim) e),
          'the standard error is near sqrt(4 cells x 1 / 50,000)');

-- Parallel plan against the serial answer.
SELECT force_serial();
CREATE TEMP TABLE serial AS SELECT (uplift_interaction(a, b, y)).* FROM sim;
SELECT force_parallel();
SELECT matches(pg_temp.plan_of('SELECT uplift_interaction(a, b, y) FROM sim'), 'Partial Aggregate',
               'the plan aggregates in parallel workers');
SELECT ok((SELECT abs(p.estimate - s.estimate) < 1e-12 AND abs(p.std_error - s.std_error) < 1e-12
                  AND p.n = s.n
             FROM serial s, (SELECT (uplift_interaction(a, b, y)).* FROM sim) p),
          'the parallel answer equals the serial one');

-- Bad input.
SELECT throws_ok($$SELECT uplift_interaction(a, b, y, 0, 1) FROM small$$, '22023',
                 'treated_a must be at least 1', 'treated_a below 1');
SELECT throws_ok($$SELECT uplift_interaction(-1, 0, 1.0)$$, '22023',
                 'action_a must be at least 0', 'a negative action');
SELECT throws_ok($$SELECT uplift_interaction(0, NULL, 1.0)$$, '22004',
                 'action_b must not be NULL', 'a NULL action');
SELECT throws_ok($$SELECT uplift_interaction(0, 0, 'NaN')$$, '22000',
                 NULL, 'a NaN outcome');

SELECT * FROM finish();
ROLLBACK;
