-- pgTAP: every bad input of the drift functions is an error with its SQLSTATE.
BEGIN;
SELECT plan(34);

CREATE TEMP TABLE r AS SELECT g AS x, (g % 3)::text AS c FROM generate_series(1, 50) g;
CREATE TEMP TABLE prof AS SELECT uplift_drift_profile(t) AS p FROM (SELECT x, c FROM r) t;

SELECT throws_ok($$SELECT * FROM uplift_drift('SELECT x, c FROM r', 'SELECT x FROM r')$$,
                 '42P10', 'column "c" of the reference is missing from the current query',
                 'a column missing from the current query');
SELECT throws_ok($$SELECT * FROM uplift_drift('SELECT x FROM r', 'SELECT x, c FROM r')$$,
                 '42P10', 'column "c" of the current query is not in the reference',
                 'a column the reference does not have');
SELECT throws_ok($$SELECT * FROM uplift_drift('SELECT x, c FROM r', 'SELECT x::text AS x, c FROM r')$$,
                 '42804', 'column "x" is numeric in the reference and categorical in the current query',
                 'a column whose type changed');
SELECT throws_ok($$SELECT d.* FROM prof, uplift_drift(prof.p, 'SELECT x, 1 AS c FROM r') d$$,
                 '42804', 'column "c" is categorical in the reference and numeric in the current query',
                 'a column whose type changed, against a profile');
SELECT throws_ok($$SELECT * FROM uplift_drift('SELECT now() AS t', 'SELECT now() AS t')$$,
                 '42804', 'column "t" of the reference query has type timestamp with time zone',
                 'a column of an unsupported type');
SELECT throws_ok($$SELECT * FROM uplift_drift('SELECT x, c FROM r', 'SELECT x, c FROM r WHERE x < 0')$$,
                 '22023', 'current query returned no rows', 'an empty current window');
SELECT throws_ok($$SELECT * FROM uplift_drift('SELECT x, c FROM r WHERE x < 0', 'SELECT x, c FROM r')$$,
                 '22023', 'reference query returned no rows', 'an empty reference window');
SELECT throws_ok($$SELECT * FROM uplift_drift('SELECT NULL::int AS x FROM r', 'SELECT x FROM r')$$,
                 '22023', 'column "x" of the reference has no values', 'a reference column without values');
SELECT throws_ok($$SELECT * FROM uplift_drift('SELECT x FROM r; SELECT x FROM r', 'SELECT x FROM r')$$,
                 '22023', 'reference query must be exactly one SELECT', 'two statements');
SELECT throws_ok($$SELECT * FROM uplift_drift('SELECT x FROM r', 'DELETE FROM r RETURNING x')$$,
                 '22023', 'current query must be exactly one SELECT', 'a DELETE');
SELECT throws_ok($$SELECT * FROM uplift_drift('SELECT x FROM r',
                   'WITH d AS (DELETE FROM r RETURNING x) SELECT x FROM d')$$,
                 '22023', 'current query must be exactly one SELECT', 'a data-modifying WITH');
SELECT throws_ok($$SELECT * FROM uplift_drift(NULL::text, 'SELECT x FROM r')$$,
                 '22004', 'reference of uplift_drift must not be NULL', 'a NULL reference');
SELECT throws_ok($$SELECT * FROM uplift_drift(NULL::uplift_drift_profile, 'SELECT x FROM r')$$,
                 '22004', 'reference of uplift_drift must not be NULL', 'a NULL profile');
SELECT throws_ok($$SELECT * FROM uplift_drift('SELECT x FROM r', NULL)$$,
                 '22004', 'current query of uplift_drift must not be NULL', 'a NULL current query');
SELECT throws_ok($$SELECT * FROM uplift_drift('SELECT x FROM r', 'SELECT x FROM r', '{"treshold": 1}')$$,
                 '22023', NULL, 'an unknown option');
SELECT throws_ok($$SELECT * FROM uplift_drift('SELECT x FROM r', 'SELECT x FROM r', '{"cat_stattest": "ks"}')$$,
                 '22023', 'option "cat_stattest" of uplift_drift must be "psi" or "js"',
                 'KS on categorical columns');
SELECT throws_ok($$SELECT * FROM uplift_drift('SELECT x FROM r', 'SELECT ''NaN''::float8 AS x')$$,
                 '22000', 'column "x" has a value that is not finite', 'a NaN value');
SELECT throws_ok($$SELECT * FROM uplift_drift('SELECT x, x AS x FROM r', 'SELECT x FROM r')$$,
                 '42701', 'column "x" appears twice in the reference query', 'a duplicated column');
SELECT throws_ok($$SELECT * FROM uplift_drift('SELECT g::text AS c FROM generate_series(1, 1001) g',
                                              'SELECT ''1''::text AS c')$$,
                 '54000', 'column "c" of the reference has more than 1000 distinct values',
                 'too many levels');
SELECT throws_ok($$SELECT 'AAAA'::uplift_drift_profile$$, '22P03', NULL, 'a corrupted profile');
SELECT throws_ok($$SELECT overlay(p::text placing CASE substr(p::text, 20, 1) WHEN 'A' THEN 'B' ELSE 'A' END
                           from 20)::uplift_drift_profile FROM prof$$,
                 '22P03', NULL, 'a profile with a changed byte');
SELECT throws_ok($$SELECT * FROM uplift_drift('SELECT 1e308::float8 AS x UNION ALL SELECT 1e308',
                                              'SELECT 1::float8 AS x')$$,
                 '22003', 'column "x" of the reference has values too large to profile', 'values whose mean overflows');
SELECT throws_ok($$SELECT * FROM uplift_drift('SELECT -1e308::float8 AS x', 'SELECT 1e308::float8 AS x')$$,
                 '22003', 'Wasserstein distance of column "x" overflows', 'a distance that overflows');
SELECT throws_ok($$SELECT uplift_chisq_pvalue(-1, 2)$$, '22023',
                 'statistic of uplift_chisq_pvalue must be at least 0', 'a negative chi-square statistic');
SELECT throws_ok($$SELECT uplift_chisq_pvalue(1, 5e-324)$$, '22023',
                 'df of uplift_chisq_pvalue must be from 1e-10 to 1e5, not 4.94066e-324',
                 'a denormal df (whose p-value would be NaN) is rejected');
SELECT throws_ok($$SELECT uplift_chisq_pvalue(1, 0)$$, '22023', NULL, 'a zero df is rejected');
SELECT throws_ok($$SELECT uplift_chisq_pvalue(1, 'Infinity')$$, '22023', NULL, 'an infinite df is rejected');
SELECT throws_ok($$SELECT uplift_chisq_pvalue(1, 1e6)$$, '22023', NULL, 'a df above 1e5 is rejected');
SELECT throws_ok($$SELECT * FROM uplift_monitor_alerts('e', '1 day', '{"min_propensity": 1e400}')$$, '22023',
                 'option "min_propensity" of uplift_monitor_alerts is out of the range of double precision',
                 'an alert threshold beyond double precision names the option');
SELECT throws_ok($$SELECT * FROM uplift_monitor_alerts('e', '1 day', '{"srm_alpha": -1e400}')$$, '22023',
                 'option "srm_alpha" of uplift_monitor_alerts is out of the range of double precision',
                 'a negative alert threshold beyond double precision names the option');
SELECT throws_ok($$SELECT * FROM uplift_monitor_alerts('e', '1 day', '{"drift_share": "half"}')$$, '22023',
                 'option "drift_share" of uplift_monitor_alerts must be a number',
                 'an alert threshold that is no number names the option');

-- uplift_drift_profile with options: none are defined yet
SELECT throws_ok($$SELECT uplift_drift_profile(t, '{"cap": 10}') FROM (SELECT x, c FROM r) t$$,
                 '22023', 'unknown option "cap" for uplift_drift_profile',
                 'an option of uplift_drift_profile is refused: it takes none yet');
SELECT throws_ok($$SELECT uplift_drift_profile(t, '[1]') FROM (SELECT x, c FROM r) t$$,
                 '22023', 'options of uplift_drift_profile must be a JSON object',
                 'options of uplift_drift_profile that are not an object are refused');
SELECT is((SELECT uplift_drift_profile(t, '{}')::text || uplift_drift_profile(t, NULL)::text
             FROM (SELECT x, c FROM r) t),
          (SELECT repeat(p::text, 2) FROM prof),
          'empty or NULL options give the profile of the row alone');

SELECT * FROM finish();
ROLLBACK;
