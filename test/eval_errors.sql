-- pgTAP: bad input to the evaluation aggregates, each with its SQLSTATE, and
-- the NULL rules (rows with a NULL score, treatment or outcome are skipped;
-- no rows at all gives NULL).
BEGIN;
SELECT plan(31);

CREATE TEMP TABLE e (score float8, treatment int, outcome float8, cost float8);
INSERT INTO e VALUES (0.9, 1, 1, 0), (0.8, 0, 0, 0), (0.7, 1, 0, 0), (0.6, 0, 1, 0),
                     (0.5, 1, 1, 0), (0.4, 0, 0, 0);

SELECT throws_ok($$SELECT uplift_qini_auc(score, 2, outcome) FROM e$$, '22000', NULL,
                 'treatment other than 0 or 1 is rejected');
SELECT throws_ok($$SELECT uplift_auuc(score, -1, outcome) FROM e$$, '22000', NULL,
                 'negative treatment is rejected');
SELECT throws_ok($$SELECT uplift_qini_auc('NaN', treatment, outcome) FROM e$$, '22000', NULL,
                 'a NaN score is rejected');
SELECT throws_ok($$SELECT uplift_qini_auc(score, treatment, 'Infinity') FROM e$$, '22000', NULL,
                 'an infinite outcome is rejected');
SELECT throws_ok($$SELECT uplift_net_value(score, treatment, outcome, 'NaN') FROM e$$, '22000', NULL,
                 'a NaN cost is rejected');
SELECT throws_ok($$SELECT uplift_at_k(score, treatment, outcome, 0, 'overall') FROM e$$, '22023', NULL,
                 'k = 0 is rejected');
SELECT throws_ok($$SELECT uplift_at_k(score, treatment, outcome, 1.5, 'overall') FROM e$$, '22023', NULL,
                 'k > 1 is rejected');
SELECT throws_ok($$SELECT uplift_at_k(score, treatment, outcome, 'NaN', 'overall') FROM e$$, '22023', NULL,
                 'k = NaN is rejected');
SELECT throws_ok($$SELECT uplift_at_k(score, treatment, outcome, NULL, 'overall') FROM e$$, '22004', NULL,
                 'a NULL k is rejected');
SELECT throws_ok($$SELECT uplift_at_k(score, treatment, outcome, score, 'overall') FROM e$$, '22023', NULL,
                 'k that changes between rows is rejected');
SELECT throws_ok($$SELECT uplift_at_k(score, treatment, outcome, 0.3, 'best') FROM e$$, '22023', NULL,
                 'an unknown strategy is rejected');
SELECT throws_ok($$SELECT uplift_by_percentile(score, treatment, outcome, 10, 'groups') FROM e$$, '22023', NULL,
                 'an unknown percentile strategy is rejected');
SELECT throws_ok($$SELECT uplift_by_percentile(score, treatment, outcome, 0, 'overall') FROM e$$, '22023', NULL,
                 'bins = 0 is rejected');
SELECT throws_ok($$SELECT uplift_calibration(score, treatment, outcome, -3) FROM e$$, '22023', NULL,
                 'negative bins are rejected');
SELECT throws_ok($$SELECT uplift_qini_auc(score, treatment, outcome, '{"negative_efect": true}') FROM e$$, '22023', NULL,
                 'a misspelt option is rejected');
SELECT throws_ok($$SELECT uplift_curve(score, treatment, outcome, '{"points": -1}') FROM e$$, '22023', NULL,
                 'a negative number of points is rejected');
SELECT throws_ok($$SELECT uplift_net_value(score, treatment, outcome, cost, '{"scale": "roi"}') FROM e$$, '22023', NULL,
                 'an unknown net-value scale is rejected');
SELECT throws_ok($$SELECT uplift_qini_auc(score, 1, outcome) FROM e$$, '22000', NULL,
                 'no control row is an error, not NaN');
SELECT throws_ok($$SELECT uplift_at_k(score, 0, outcome, 0.5, 'by_group') FROM e$$, '22000', NULL,
                 'no treated row is an error, not NaN');
SELECT throws_ok($$SELECT uplift_at_k(score, treatment, outcome, 0.2, 'overall') FROM e$$, '22000', NULL,
                 'a top k without a control row is an error');
SELECT throws_ok($$SELECT uplift_at_k(score, treatment, outcome, 0.2, 'by_group') FROM e$$, '22000', NULL,
                 'by_group with floor(n k) = 0 rows of an arm is an error');
SELECT throws_ok($$SELECT uplift_best_treatment(ARRAY[0.1, 0.2], 3)$$, '22000', NULL,
                 'an action beyond the scores is rejected');
SELECT throws_ok($$SELECT uplift_best_treatment(ARRAY[0.1, NULL], 1)$$, '22004', NULL,
                 'a NULL score of an action is rejected');

SELECT throws_ok($$SELECT uplift_best_score(ARRAY[]::float8[])$$, '2202E', NULL,
                 'no scores is rejected');
SELECT throws_ok($$SELECT uplift_best_score(ARRAY[0.1, 'NaN'])$$, '22000', NULL,
                 'a NaN score of an action is rejected');
SELECT throws_ok($$SELECT uplift_qini_auc(score, treatment, outcome) OVER () FROM e$$, '0A000', NULL,
                 'not a window function (the final function sorts the state in place)');

-- NULL rows are skipped: the same as leaving them out
INSERT INTO e VALUES (NULL, 1, 1, 0), (0.95, NULL, 1, 0), (0.99, 0, NULL, 0);
SELECT is((SELECT uplift_qini_auc(score, treatment, outcome) FROM e),
          (SELECT uplift_qini_auc(score, treatment, outcome) FROM e
           WHERE score IS NOT NULL AND treatment IS NOT NULL AND outcome IS NOT NULL),
          'rows with a NULL are skipped');
SELECT is((SELECT uplift_qini_auc(score, treatment, outcome) FROM e WHERE false), NULL,
          'no rows: NULL');
SELECT is((SELECT uplift_qini_auc(score, treatment, 0) FROM e), NULL,
          'all outcomes 0: the Qini normaliser is 0 and the result NULL');
SELECT is((SELECT uplift_qini_auc(score, treatment, outcome, NULL) FROM e),
          (SELECT uplift_qini_auc(score, treatment, outcome) FROM e),
          'NULL options mean the defaults');
SELECT lives_ok($$SELECT uplift_by_percentile(score, treatment, outcome, 10, 'overall') FROM e$$,
                'more bins than rows: empty bins, no error');

SELECT * FROM finish();
ROLLBACK;
