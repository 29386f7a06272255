-- pgTAP: bad input to the off-policy evaluation aggregates, each with its SQLSTATE.
BEGIN;
SELECT plan(35);

-- propensities
SELECT throws_ok($$SELECT ips_value(r, p, t) FROM (VALUES (1.0::float8, 0.0::float8, 0.5::float8)) v(r, p, t)$$,
                 '22003', NULL, 'logged propensity 0 is rejected');
SELECT throws_ok($$SELECT ips_value(r, p, t) FROM (VALUES (1.0::float8, -0.2::float8, 0.5::float8)) v(r, p, t)$$,
                 '22003', NULL, 'negative logged propensity is rejected');
SELECT throws_ok($$SELECT snips_value(r, p, t) FROM (VALUES (1.0::float8, 1.5::float8, 0.5::float8)) v(r, p, t)$$,
                 '22003', NULL, 'logged propensity above 1 is rejected');
SELECT throws_ok($$SELECT dr_value(1, 1.0000001, 0.5, 0, 0)$$,
                 '22003', NULL, 'logged propensity just above 1 is rejected by dr_value');
SELECT throws_ok($$SELECT ips_value(1, 0.5, -0.1)$$, '22003', NULL, 'negative target propensity is rejected');
SELECT throws_ok($$SELECT snips_value(1, 0.5, 1.2)$$, '22003', NULL, 'target propensity above 1 is rejected');
SELECT throws_ok($$SELECT ope_overlap(0.5, 2)$$, '22003', NULL, 'ope_overlap rejects a target propensity above 1');
SELECT throws_ok($$SELECT ope_overlap(0, 0.5)$$, '22003', NULL, 'ope_overlap rejects logged propensity 0');
SELECT lives_ok($$SELECT ips_value(1, 1, 0), ips_value(1, 1, 1), ips_value(0, 1e-300, 1e-300)$$,
                'propensities at the edges 0 (target) and 1 are accepted');

-- NULLs: an error, never a silently dropped row
SELECT throws_ok($$SELECT ips_value(NULL, 0.5, 0.5)$$, '22004', NULL, 'NULL reward is rejected');
SELECT throws_ok($$SELECT snips_value(1, NULL, 0.5)$$, '22004', NULL, 'NULL logged propensity is rejected');
SELECT throws_ok($$SELECT dr_value(1, 0.5, NULL, 0, 0)$$, '22004', NULL, 'NULL target propensity is rejected');
SELECT throws_ok($$SELECT dr_value(1, 0.5, 0.5, NULL, 0)$$, '22004', NULL, 'NULL q_logged is rejected');
SELECT throws_ok($$SELECT dr_value(1, 0.5, 0.5, 0, NULL)$$, '22004', NULL, 'NULL q_target is rejected');
SELECT throws_ok($$SELECT ope_overlap(NULL, 0.5)$$, '22004', NULL, 'ope_overlap rejects a NULL propensity');
SELECT is((SELECT (ips_value(1, 0.5, 0.5, NULL)).estimate), 1::float8,
          'NULL options mean the defaults');

-- NaN and infinity
SELECT throws_ok($$SELECT ips_value('NaN', 0.5, 0.5)$$, '22000', NULL, 'NaN reward is rejected');
SELECT throws_ok($$SELECT snips_value('Infinity', 0.5, 0.5)$$, '22000', NULL, 'infinite reward is rejected');
SELECT throws_ok($$SELECT ips_value(1, 'NaN', 0.5)$$, '22000', NULL, 'NaN logged propensity is rejected');
SELECT throws_ok($$SELECT snips_value(1, 0.5, 'NaN')$$, '22000', NULL, 'NaN target propensity is rejected');
SELECT throws_ok($$SELECT dr_value(1, 0.5, 0.5, 'NaN', 0)$$, '22000', NULL, 'NaN q_logged is rejected');
SELECT throws_ok($$SELECT dr_value(1, 0.5, 0.5, 0, '-Infinity')$$, '22000', NULL, 'infinite q_target is rejected');
SELECT throws_ok($$SELECT ips_value(1e300, 1e-300, 1)$$, '22003', NULL, 'an overflowing weighted reward is rejected');

-- zero rows
SELECT throws_ok($$SELECT ips_value(r, p, t) FROM (VALUES (1.0::float8, 0.5::float8, 0.5::float8)) v(r, p, t) WHERE false$$,
                 '22000', NULL, 'ips_value over zero rows is an error');
SELECT throws_ok($$SELECT dr_value(1, 0.5, 0.5, 0, 0) FILTER (WHERE false)$$,
                 '22000', NULL, 'dr_value over zero rows is an error');
SELECT throws_ok($$SELECT ope_overlap(0.5, 0.5) FILTER (WHERE false)$$,
                 '22000', NULL, 'ope_overlap over zero rows is an error');

SELECT ok(e.estimate IS NULL AND e.std_error IS NULL AND e.ci_low IS NULL AND e.n = 2,
          'SNIPS with every weight zero has no estimate (NULL), only n')
FROM (SELECT (snips_value(r, 0.5, 0)).* FROM (VALUES (1.0::float8), (0)) v(r)) e;

-- options
SELECT throws_ok($$SELECT ips_value(1, 0.5, 0.5, '{"alpah": 0.1}')$$, '22023', NULL, 'an unknown option is rejected');
SELECT throws_ok($$SELECT ips_value(1, 0.5, 0.5, '{"alpha": 1}')$$, '22023', NULL, 'alpha 1 is rejected');
SELECT throws_ok($$SELECT snips_value(1, 0.5, 0.5, '{"clip": 0}')$$, '22023', NULL, 'clip 0 is rejected');
SELECT throws_ok($$SELECT dr_value(1, 0.5, 0.5, 0, 0, '{"ci": "wald"}')$$, '22023', NULL, 'an unknown interval method is rejected');
SELECT throws_ok($$SELECT ips_value(1, 0.5, 0.5, '{"n_boot": 100}')$$, '22023', NULL, 'n_boot without the bootstrap is rejected');
SELECT throws_ok($$SELECT ips_value(1, 0.5, 0.5, '{"ci": "bootstrap", "n_boot": 2.5}')$$, '22023', NULL, 'a fractional n_boot is rejected');
SELECT throws_ok($$SELECT ips_value(r, 0.5, 0.5, o) FROM (VALUES (1.0::float8, '{"alpha": 0.1}'::jsonb), (0, '{"alpha": 0.2}')) v(r, o)$$,
                 '22023', NULL, 'options that change between rows are rejected');
SELECT throws_ok($$SELECT ope_overlap(0.5, 0.5, '{"floor": 2}')$$, '22023', NULL, 'a floor above 1 is rejected');

SELECT * FROM finish();
ROLLBACK;
