-- pgTAP: the bootstrap interval (ci = 'bootstrap'): deterministic for a seed,
-- independent of row order, and close to Open Bandit Pipeline's bootstrap
-- interval (a sanity range: OBP's draws come from numpy, not reproducible here).
BEGIN;
SELECT plan(10);

CREATE TEMP TABLE boot AS
SELECT policy,
       ips_value(click, logged_propensity, target_propensity, '{"ci": "bootstrap", "n_boot": 2000, "seed": 1}') AS ips,
       snips_value(click, logged_propensity, target_propensity, '{"ci": "bootstrap", "n_boot": 2000, "seed": 1}') AS snips,
       dr_value(click, logged_propensity, target_propensity, q_logged, q_target, '{"ci": "bootstrap", "n_boot": 2000, "seed": 1}') AS dr
FROM ope_obd_rows GROUP BY policy;

CREATE TEMP TABLE peer AS
SELECT policy,
       CASE estimator WHEN 'InverseProbabilityWeighting' THEN 'ips'
                      WHEN 'SelfNormalizedInverseProbabilityWeighting' THEN 'snips' ELSE 'dr' END AS est,
       max(value) FILTER (WHERE args LIKE '%(lower)') AS lo,
       max(value) FILTER (WHERE args LIKE '%(upper)') AS hi
FROM ope_obd_estimates WHERE method = 'estimate_interval' GROUP BY 1, 2;

CREATE TEMP TABLE ours AS
SELECT policy, 'ips' AS est, (ips).ci_low AS lo, (ips).ci_high AS hi FROM boot
UNION ALL SELECT policy, 'snips', (snips).ci_low, (snips).ci_high FROM boot
UNION ALL SELECT policy, 'dr', (dr).ci_low, (dr).ci_high FROM boot;

SELECT ok(bool_and(abs(o.lo - p.lo) < 0.1 * (p.hi - p.lo) AND abs(o.hi - p.hi) < 0.1 * (p.hi - p.lo))
          AND count(*) = 6,
          'bootstrap 95% intervals are within 10% of their width of OBP''s estimate_interval (6 cases)')
FROM ours o JOIN peer p USING (policy, est);

SELECT ok(bool_and(abs((b.ips).std_error - (n.ips).std_error) < 0.1 * (n.ips).std_error
                   AND abs((b.snips).std_error - (n.snips).std_error) < 0.1 * (n.snips).std_error
                   AND abs((b.dr).std_error - (n.dr).std_error) < 0.1 * (n.dr).std_error),
          'bootstrap standard errors are within 10% of the normal-approximation ones')
FROM boot b JOIN (SELECT policy,
                         ips_value(click, logged_propensity, target_propensity) AS ips,
                         snips_value(click, logged_propensity, target_propensity) AS snips,
                         dr_value(click, logged_propensity, target_propensity, q_logged, q_target) AS dr
                  FROM ope_obd_rows GROUP BY policy) n USING (policy);

SELECT ok(bool_and((b.ips).estimate = (n.ips).estimate AND (b.snips).estimate = (n.snips).estimate
                   AND (b.dr).estimate = (n.dr).estimate),
          'the bootstrap keeps the point estimate')
FROM boot b JOIN (SELECT policy,
                         ips_value(click, logged_propensity, target_propensity) AS ips,
                         snips_value(click, logged_propensity, target_propensity) AS snips,
                         dr_value(click, logged_propensity, target_propensity, q_logged, q_target) AS dr
                  FROM ope_obd_rows GROUP BY policy) n USING (policy);

-- determinism and order
CREATE TEMP TABLE runs AS
SELECT 'a' AS run, ips_value(click, propensity_score, 1::float8 / 34, '{"ci": "bootstrap", "n_boot": 300, "seed": 42}') AS e FROM ope_bts_men
UNION ALL
SELECT 'b', ips_value(click, propensity_score, 1::float8 / 34, '{"ci": "bootstrap", "n_boot": 300, "seed": 42}') FROM ope_bts_men
UNION ALL
SELECT 'reversed', ips_value(click, propensity_score, 1::float8 / 34, '{"ci": "bootstrap", "n_boot": 300, "seed": 42}' ORDER BY row_index DESC) FROM ope_bts_men
UNION ALL
SELECT 'seed 43', ips_value(click, propensity_score, 1::float8 / 34, '{"ci": "bootstrap", "n_boot": 300, "seed": 43}') FROM ope_bts_men;

SELECT is((SELECT e FROM runs WHERE run = 'b'), (SELECT e FROM runs WHERE run = 'a'),
          'the same seed gives the same interval');
SELECT is((SELECT e FROM runs WHERE run = 'reversed'), (SELECT e FROM runs WHERE run = 'a'),
          'row order does not change the bootstrap interval');
SELECT isnt((SELECT (e).ci_low FROM runs WHERE run = 'seed 43'), (SELECT (e).ci_low FROM runs WHERE run = 'a'),
            'another seed gives another interval');

SELECT ok((e1).ci_low = (e2).ci_low AND (e1).ci_high = (e2).ci_high,
          'two identical calls in one query (a shared state) agree')
FROM (SELECT snips_value(click, propensity_score, 1::float8 / 34, '{"ci": "bootstrap", "n_boot": 100}') e1,
             snips_value(click, propensity_score, 1::float8 / 34, '{"ci": "bootstrap", "n_boot": 100}') e2
      FROM ope_bts_men) s;

SELECT ok((e).ci_low < (e).estimate AND (e).estimate < (e).ci_high AND (e).ci_high - (e).ci_low
          > (w).ci_high - (w).ci_low,
          'alpha 0.01 gives a wider bootstrap interval than alpha 0.2')
FROM (SELECT dr_value(click, logged_propensity, target_propensity, q_logged, q_target, '{"ci": "bootstrap", "alpha": 0.01, "n_boot": 500}') e,
             dr_value(click, logged_propensity, target_propensity, q_logged, q_target, '{"ci": "bootstrap", "alpha": 0.2, "n_boot": 500}') w
      FROM ope_obd_rows WHERE policy = 'uniform') s;

SELECT ok(e.estimate = 3 AND e.std_error = 0 AND e.ci_low = 3 AND e.ci_high = 3 AND e.n = 1,
          'one row: the bootstrap interval collapses to the estimate')
FROM (SELECT (ips_value(1.5, 0.5, 1, '{"ci": "bootstrap"}')).*) e;

SELECT ok(e.estimate = 3 AND e.std_error IS NULL AND e.ci_low IS NULL AND e.n = 1,
          'one row: the normal interval is NULL (no variance from one row)')
FROM (SELECT (ips_value(1.5, 0.5, 1)).*) e;

SELECT * FROM finish();
ROLLBACK;
