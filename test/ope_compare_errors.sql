-- pgTAP: bad input to the paired off-policy aggregates (ips_diff, snips_diff,
-- dr_diff, sndr_value, switch_dr_value, uplift_ate, ope_allocation), each
-- with its SQLSTATE.
BEGIN;
SELECT plan(40);

-- propensities
SELECT throws_ok($$SELECT ips_diff(1, 0, 0.5, 0.5)$$, '22003', NULL, 'ips_diff: logged propensity 0');
SELECT throws_ok($$SELECT snips_diff(1, 1.5, 0.5, 0.5)$$, '22003', NULL, 'snips_diff: logged propensity above 1');
SELECT throws_ok($$SELECT ips_diff(1, 0.5, -0.1, 0.5)$$, '22003', NULL, 'ips_diff: negative target propensity');
SELECT throws_ok($$SELECT dr_diff(1, 0.5, 0.5, 1.2, 0, 0, 0)$$, '22003', NULL, 'dr_diff: baseline propensity above 1');
SELECT throws_ok($$SELECT sndr_value(1, 0.5, 2, 0, 0)$$, '22003', NULL, 'sndr_value: target propensity above 1');
SELECT throws_ok($$SELECT ope_allocation(1, 0, 1, 1, 1, '{"actions": 1}')$$, '22003', NULL, 'ope_allocation: logged propensity 0');

-- NULL: an error, never a dropped row
SELECT throws_ok($$SELECT ips_diff(NULL, 0.5, 0.5, 0.5)$$, '22004', NULL, 'ips_diff: NULL reward');
SELECT throws_ok($$SELECT snips_diff(1, 0.5, 0.5, NULL)$$, '22004', NULL, 'snips_diff: NULL baseline propensity');
SELECT throws_ok($$SELECT dr_diff(1, 0.5, 0.5, 0.5, 0, 0, NULL)$$, '22004', NULL, 'dr_diff: NULL q_baseline');
SELECT throws_ok($$SELECT switch_dr_value(1, 0.5, 0.5, NULL, 0)$$, '22004', NULL, 'switch_dr_value: NULL q_logged');
SELECT throws_ok($$SELECT uplift_ate(NULL, 1)$$, '22004', NULL, 'uplift_ate: NULL action');
SELECT throws_ok($$SELECT uplift_ate(1, NULL)$$, '22004', NULL, 'uplift_ate: NULL outcome');
SELECT throws_ok($$SELECT ope_allocation(0, 0.5, NULL, 1, 1, '{"actions": 1}')$$, '22004', NULL, 'ope_allocation: NULL chosen_action');

-- NaN and infinity
SELECT throws_ok($$SELECT ips_diff('NaN', 0.5, 0.5, 0.5)$$, '22000', NULL, 'ips_diff: NaN reward');
SELECT throws_ok($$SELECT sndr_value(1, 0.5, 0.5, 0, 'Infinity')$$, '22000', NULL, 'sndr_value: infinite q_target');
SELECT throws_ok($$SELECT uplift_ate(1, 'NaN')$$, '22000', NULL, 'uplift_ate: NaN outcome');
SELECT throws_ok($$SELECT ope_allocation(0, 0.5, 0, 'Infinity', 1, '{"actions": 1}')$$, '22000', NULL, 'ope_allocation: infinite value');
SELECT throws_ok($$SELECT ips_diff(1e300, 1e-300, 1, 0)$$, '22003', NULL, 'ips_diff: an overflowing weighted reward');
SELECT throws_ok($$SELECT ips_diff(r, 1, 0, 1) FROM (VALUES (1e300), (-1e300), (1e300)) v(r)$$, '22003', NULL,
                 'ips_diff: an overflowing sum of squares is an error, not an infinite standard error');

SELECT throws_ok($$SELECT dr_diff(1, 0.5, 0.5, 0.5, 0, 0, 0) WHERE false$$, '22000', NULL, 'dr_diff: no rows');

-- actions
SELECT throws_ok($$SELECT uplift_ate(-1, 1)$$, '22000', NULL, 'uplift_ate: negative action');
SELECT throws_ok($$SELECT uplift_ate(1001, 1)$$, '54000', NULL, 'uplift_ate: action above 1000');
SELECT throws_ok($$SELECT uplift_ate(a, 1) FROM (VALUES (1), (2)) v(a)$$, '22000', NULL, 'uplift_ate: no control row');
SELECT throws_ok($$SELECT uplift_ate(0, y) FROM (VALUES (1.0), (2.0)) v(y)$$, '22000', NULL, 'uplift_ate: only control rows');
SELECT throws_ok($$SELECT ope_allocation(2, 0.5, 0, 1, 1, '{"actions": 1}')$$, '22000', NULL, 'ope_allocation: logged action above K');
SELECT throws_ok($$SELECT ope_allocation(0, 0.5, 3, 1, 1, '{"actions": 2}')$$, '22000', NULL, 'ope_allocation: chosen action above K');

-- options
SELECT throws_ok($$SELECT ope_allocation(0, 0.5, 0, 1, 1, '{}')$$, '22023', NULL, 'ope_allocation: "actions" is required');
SELECT throws_ok($$SELECT ope_allocation(0, 0.5, 0, 1, 1, NULL)$$, '22023', NULL, 'ope_allocation: NULL options lack "actions"');
SELECT throws_ok($$SELECT ope_allocation(0, 0.5, 0, 1, 1, '{"actions": 1, "baseline": "random"}')$$, '22023', NULL, 'ope_allocation: unknown baseline');
SELECT throws_ok($$SELECT ope_allocation(0, 0.5, 0, 1, 1, '{"actions": 1, "epsilon": 1.5}')$$, '22023', NULL, 'ope_allocation: epsilon above 1');
SELECT throws_ok($$SELECT ope_allocation(0, 0.5, 0, 1, 1, '{"actions": 3, "min_propensity": 0.3}')$$, '22023', NULL, 'ope_allocation: a floor the actions cannot meet');
SELECT throws_ok($$SELECT ips_diff(1, 0.5, 0.5, 0.5, '{"ci": "bootstrap"}')$$, '22023', NULL, 'ips_diff: unknown option key');
SELECT throws_ok($$SELECT sndr_value(1, 0.5, 0.5, 0, 0, '{"alpha": 1}')$$, '22023', NULL, 'sndr_value: alpha 1');
SELECT throws_ok($$SELECT switch_dr_value(1, 0.5, 0.5, 0, 0, '{"tau": -1}')$$, '22023', NULL, 'switch_dr_value: negative tau');
SELECT throws_ok($$SELECT ips_diff(1, 0.5, 0.5, 0.5, o) FROM (VALUES ('{"alpha": 0.1}'::jsonb), ('{"alpha": 0.2}')) v(o)$$,
                 '22023', NULL, 'ips_diff: options that change between rows');
SELECT throws_ok($$SELECT ope_allocation(0, 0.5, 0, 1, 1, '{"actions": 1, "estimator": "dr"}')$$, '22023', NULL, 'ope_allocation: unknown estimator');
SELECT throws_ok($$SELECT ope_allocation(0, 0.5, 0, 1, 1, '{"actions": 0}')$$, '22023', NULL, 'ope_allocation: actions 0');
SELECT throws_ok($$SELECT snips_diff(1, 0.5, 0.5, 0.5, '{"clip": 0}')$$, '22023', NULL, 'snips_diff: clip 0');
SELECT throws_ok($$SELECT uplift_ate(1, 1, '{"alpha": 0}')$$, '22023', NULL, 'uplift_ate: alpha 0');
SELECT throws_ok($$SELECT uplift_ate(a, 1, o) FROM (VALUES (0, NULL::jsonb), (1, '{"alpha": 0.1}')) v(a, o)$$,
                 '22023', NULL, 'uplift_ate: options given on some rows only');

SELECT * FROM finish();
ROLLBACK;
