-- pgTAP: numbers at the edge of double precision.  Options beyond its range
-- are errors that name the option; off-policy and evaluation results that
-- would not be finite are NULL (with a WARNING) or an error, never a number
-- that looks valid.
BEGIN;
SELECT plan(14);

-- Options: a JSON number is unbounded; 1e400 or 1e-400 names the option.
SELECT throws_ok($$SELECT ips_value(1, 0.5, 0.5, '{"clip": 1e400}')$$, '22023',
                 'option "clip" is out of the range of double precision',
                 'an overflowing clip names the option');
SELECT throws_ok($$SELECT ips_value(1, 0.5, 0.5, '{"alpha": 1e-400}')$$, '22023',
                 'option "alpha" is out of the range of double precision',
                 'an underflowing alpha names the option');
SELECT throws_ok($$SELECT ips_value(1, 0.5, 0.5, '{"ci": "bootstrap", "n_boot": -1e400}')$$, '22023',
                 'option "n_boot" is out of the range of double precision',
                 'an overflowing integer option names the option');
SELECT throws_ok($$SELECT uplift_fit(ARRAY[1.0::float8], 0, 1, '{"l2": 1e400}')$$, '22023',
                 'option "l2" is out of the range of double precision',
                 'an overflowing l2 of uplift_fit names the option');
SELECT throws_ok($$SELECT uplift_fit(ARRAY[1.0::float8], 0, 1, 0.5, '{"min_propensity": 1e-400}')$$, '22023',
                 'option "min_propensity" is out of the range of double precision',
                 'a min_propensity that rounds to 0 names the option');
SELECT throws_ok($$SELECT uplift_curve(0.5, 1, 1, '{"points": 1e400}')$$, '22023',
                 'option "points" is out of the range of double precision',
                 'an overflowing points option names the option');

-- Off-policy: rewards whose squares overflow.  The estimate is exact
-- ((1e200 + 2e200 + 1) / 3 = 1e200); the standard error, whose squares do
-- not fit in a double, is NULL rather than 0.
SELECT ok(e.estimate = 1e200 AND e.std_error IS NULL AND e.ci_low IS NULL AND e.ci_high IS NULL AND e.n = 3,
          'ips_value with huge rewards: exact estimate, NULL interval (not a standard error of 0)')
  FROM (SELECT (ips_value(r, 0.5, 0.5)).* FROM (VALUES (1e200::float8), (2e200), (1)) v(r)) e;
SELECT ok(e.estimate = 1e200 AND e.std_error IS NULL AND e.ci_low IS NULL,
          'dr_value with huge rewards: exact estimate, NULL interval')
  FROM (SELECT (dr_value(r, 0.5, 0.5, 0, 0)).* FROM (VALUES (1e200::float8), (2e200), (1)) v(r)) e;
SELECT ok(e.estimate = 1e200 AND e.std_error IS NULL AND e.ci_low IS NULL AND e.ci_high IS NULL,
          'snips_value with huge rewards: exact estimate, NULL interval (not NaN)')
  FROM (SELECT (snips_value(r, 0.5, 0.5)).* FROM (VALUES (1e200::float8), (2e200), (1)) v(r)) e;
SELECT ok(e.estimate = 1 / 3.0 AND e.std_error IS NULL AND e.ci_low IS NULL,
          'a bootstrap replicate that overflows leaves the interval NULL')
  FROM (SELECT (ips_value(r, 0.5, 0.5, '{"ci": "bootstrap"}')).*
          FROM (VALUES (1e308::float8), (-1e308), (1)) v(r)) e;
SELECT throws_ok($$SELECT snips_value(1, p, 1) FROM (VALUES (1e-308::float8), (1e-308), (0.5)) v(p)$$,
                 '22003', NULL, 'snips_value whose weights sum beyond double precision is an error');
-- Still finite: for rewards (1e150, 0, 0) the deviations from the mean are
-- (2, -1, -1) x 1e150 / 3, the sample variance 1e300 / 3 and the standard
-- error sqrt(1e300 / 9) = 1e150 / 3.
SELECT ok(abs(e.std_error - 1e150 / 3) < 1e136,
          'rewards of 1e150 still get their standard error')
  FROM (SELECT (ips_value(r, 1, 1)).* FROM (VALUES (1e150::float8), (0), (0)) v(r)) e;

-- Overlap: weights of 1e200 have a finite sum but not a finite sum of squares.
SELECT ok(o.sum_weight = 2e200 + 2 AND o.mean_weight IS NOT NULL AND o.ess IS NULL AND o.ess_share IS NULL
          AND o.warnings[1] LIKE 'the weights are too large for double precision sums%',
          'ope_overlap reports NULL ess when the squared weights overflow')
  FROM (SELECT (ope_overlap(p, 1)).* FROM (VALUES (1e-200::float8), (1e-200), (0.5)) v(p)) o;
SELECT ok(o.sum_weight IS NULL AND o.mean_weight IS NULL AND o.ess IS NULL AND o.max_weight = 1e308,
          'ope_overlap reports NULL sums when the weights themselves overflow')
  FROM (SELECT (ope_overlap(p, 1)).* FROM (VALUES (1e-308::float8), (1e-308), (0.5)) v(p)) o;

SELECT * FROM finish();
ROLLBACK;
