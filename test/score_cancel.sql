-- pgTAP: scoring a maximum-size S-learner (256 actions x 10,000 features,
-- with interactions: 2,570,257 coefficients) is fast and interruptible.  An
-- action's effect reads only its own block of the design, so one call of
-- uplift_scores costs O(K p), and the cancel is checked between actions.
BEGIN;
SELECT plan(5);
-- compiling the query would take longer than the timeout, and is not what is tested
SET LOCAL jit = off;

-- coefficient j (1-based, after the intercept) is (j % 7) / 1000
CREATE TEMP TABLE sc_big AS
SELECT uplift_model_import(jsonb_build_object(
         'learner', 's_learner', 'base', 'linear', 'n_actions', 256, 'n_features', 10000,
         'heads', jsonb_build_array(jsonb_build_object(
             'role', 'joint', 'action', -1, 'link', 'identity', 'intercept', 1,
             'coefficients', to_jsonb(ARRAY(SELECT (j % 7) / 1000.0
                                            FROM generate_series(1, 10000 + 256 + 256 * 10000) j)))))) AS m;
CREATE TEMP TABLE sc_x AS SELECT ARRAY(SELECT 1.0::float8 FROM generate_series(1, 10000)) AS x;
ANALYZE sc_big;
ANALYZE sc_x;

-- with every feature 1, effect_k = coef(10000 + k) + sum of block k's
-- coefficients, block k holding j = 10256 + 10000 (k - 1) + 1 .. + 10000
CREATE TEMP TABLE sc_expected AS
SELECT k, ((10000 + k) % 7) / 1000.0
          + (SELECT sum((j % 7) / 1000.0) FROM generate_series(10256 + 10000 * (k - 1) + 1, 10256 + 10000 * k) j) AS effect
FROM unnest(ARRAY[1, 2, 100, 256]) k;

CREATE TEMP TABLE sc_clock (started timestamptz);
INSERT INTO sc_clock VALUES (clock_timestamp());
CREATE TEMP TABLE sc_scores AS SELECT uplift_scores(m, x) AS s FROM sc_big, sc_x;
SELECT ok(clock_timestamp() - started < interval '1 second',
          'one uplift_scores call on the maximum-size S-learner (model parsing included) takes well under a second')
FROM sc_clock;
SELECT ok(bool_and(abs(s[k] - effect) < 1e-9), 'and gives the closed-form effects')
FROM sc_scores, sc_expected;

-- 2,000 calls would take several seconds: the 100 ms timeout must stop them
UPDATE sc_clock SET started = clock_timestamp();
SET LOCAL statement_timeout = '100ms';
SELECT is(query_outcome($$SELECT count(*) FROM sc_big, sc_x, generate_series(1, 2000) i
                                WHERE (uplift_scores(m, x))[1 + i % 256] > 0$$),
          '57014', 'statement_timeout cancels scoring with SQLSTATE 57014');
RESET statement_timeout;
SELECT ok(clock_timestamp() - started < interval '500 ms',
          'the cancel arrives within 400 ms of the 100 ms timeout (the model is parsed once, in under 100 ms)')
FROM sc_clock;

-- the features depend on i, so that the call is made for every i rather
-- than once and joined to the series
UPDATE sc_clock SET started = clock_timestamp();
SET LOCAL statement_timeout = '100ms';
SELECT is(query_outcome($$SELECT count(*) FROM sc_big, sc_x, generate_series(1, 2000) i,
                                uplift_value_cost(m, m, CASE WHEN i > 0 THEN x END) v WHERE v.value > 0$$),
          '57014', 'statement_timeout cancels uplift_value_cost on the same model');
RESET statement_timeout;

SELECT * FROM finish();
ROLLBACK;
