-- pgTAP: numbers at the edge of double precision.  Options beyond its range
-- are errors that name the option; off-policy and evaluation results that
-- would not be finite are NULL (with a WARNING) or an error, never a number
-- that looks valid.
BEGIN;
SELECT plan(23);

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

-- uplift_fit: internal errors before (XX000), clear errors now.
SELECT throws_ok($$SELECT uplift_fit(array_fill(1.0::float8, ARRAY[10000]), i % 2, (i % 3)::float8, '{"base": "linear"}')
                     FROM generate_series(1, 10) i$$, '54000',
                 'features of uplift_fit are too many: 10000 features give a design of 10001 columns, at most 8191',
                 '10,000 features: the dense solvers'' limit, not an allocation failure');
SELECT throws_ok($$SELECT uplift_fit(array_fill(1.0::float8, ARRAY[3000]), i % 3, (i % 2)::float8, '{"learner": "s_learner"}')
                     FROM generate_series(1, 10) i$$, '54000', NULL,
                 'an s_learner design beyond the limit is refused before fitting');
SELECT throws_ok($$SELECT uplift_fit(ARRAY[i::float8], i % 2, CASE WHEN i = 3 THEN 1.7976931348623157e308 ELSE i END)
                     FROM generate_series(1, 10) i$$, '22003',
                 'outcome of uplift_fit is too large: the fit of treatment 1 overflows double precision',
                 'an outcome of DBL_MAX names the outcome');
SELECT throws_ok($$SELECT uplift_fit(ARRAY[i::float8], i % 2, CASE WHEN i = 3 THEN 1.7976931348623157e308 ELSE i END, '{"base": "linear"}')
                     FROM generate_series(1, 10) i$$, '22003',
                 'outcome of uplift_fit is too large: the fit of treatment 1 overflows double precision',
                 'an outcome of DBL_MAX names the outcome (moments of the explicit linear base)');
SELECT throws_ok($$SELECT uplift_fit(ARRAY[i * 1e200::float8], i % 2, (i % 2)::float8) FROM generate_series(1, 10) i$$,
                 '22003', 'features of uplift_fit are too large: the fit of treatment 0 overflows double precision',
                 'features of 1e200 name the features (logistic)');
SELECT throws_ok($$SELECT uplift_fit(ARRAY[i::float8], i % 2, (i % 3)::float8, CASE WHEN i = 3 THEN 5e-324 ELSE 0.5 END,
                                     '{"learner": "dr_learner"}') FROM generate_series(1, 10) i$$, '22003',
                 'propensity of uplift_fit is too small: its inverse overflows double precision',
                 'a propensity of 5e-324 in a dr_learner fit names the propensity');
SELECT lives_ok($$SELECT uplift_fit(ARRAY[i::float8], i % 2, (i % 3)::float8, CASE WHEN i = 3 THEN 5e-324 ELSE 0.5 END,
                                    '{"learner": "dr_learner", "min_propensity": 0.01}') FROM generate_series(1, 10) i$$,
                'with min_propensity the same fit works');
SELECT throws_ok($$SELECT uplift_fit(ARRAY[i::float8], i % 2, (i % 3)::float8, CASE WHEN i < 5 THEN 1e-308 ELSE 0.5 END, NULL)
                     FROM generate_series(1, 10) i$$, '22003',
                 'propensity of uplift_fit is too small: the weights 1/propensity of treatment 0 sum beyond double precision',
                 'weights whose sum overflows are an error, not rows silently weighted 0');
-- Huge but summable outcomes work: OLS on (x, y) = (i, 1e200 i) per arm
-- has slope exactly 1e200 (l2 = 0).
SELECT ok((SELECT abs((uplift_model_info(m)->'heads'->0->'coefficients'->>'x1')::float8 / 1e200 - 1) < 1e-12
             FROM (SELECT uplift_fit(ARRAY[i::float8], i % 2, i * 1e200, '{"base": "linear", "l2": 0}') AS m
                     FROM generate_series(1, 10) i) f),
          'outcomes of 1e200 are fitted exactly');

SELECT * FROM finish();
ROLLBACK;
