-- pgTAP: the evaluation aggregates under a forced parallel plan (partial
-- states serialized in workers, combined in the leader) give the serial answers.
BEGIN;
SELECT plan(10);

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

CREATE TEMP VIEW eval_all AS
SELECT uplift_qini_auc(score_lin, treatment, visit) AS qini,
       uplift_qini_auc(score_tie, treatment, spend, '{"negative_effect": false}') AS qini_ne,
       uplift_auuc(score_lin, treatment, conversion) AS auuc,
       uplift_at_k(score_tie, treatment, visit, 0.3, 'overall') AS at_k,
       uplift_at_k(score_lin, treatment, visit, 0.3, 'by_group') AS at_k_group,
       uplift_curve(score_tie, treatment, visit, '{"points": 50}') AS curve,
       uplift_by_percentile(score_tie, treatment, visit, 10, 'overall', '{"total": true}') AS deciles,
       uplift_calibration(score_lin, treatment, visit, 10) AS calibration,
       uplift_net_value(score_tie, treatment, spend, 0.0::float8, '{"fixed_cost": 0.1}') AS net
FROM eval_hillstrom;

SELECT force_serial();
CREATE TEMP TABLE serial AS SELECT * FROM eval_all;

SELECT force_parallel();

SELECT matches(pg_temp.plan_of('SELECT * FROM eval_all'), 'Partial Aggregate',
               'the plan aggregates in parallel workers');
SELECT matches(pg_temp.plan_of('SELECT * FROM eval_all'), 'Workers Planned: 2',
               'two workers are planned');
CREATE TEMP TABLE par AS SELECT * FROM eval_all;

SELECT ok((SELECT abs(p.qini - s.qini) < 1e-14 AND abs(p.qini_ne - s.qini_ne) < 1e-12 * abs(s.qini_ne)
                  AND abs(p.auuc - s.auuc) < 1e-14 FROM par p, serial s),
          'Qini and AUUC: parallel equals serial');
SELECT ok((SELECT p.at_k = s.at_k AND p.at_k_group = s.at_k_group FROM par p, serial s),
          'uplift_at_k (default tie rule): parallel equals serial');
SELECT is((SELECT p.curve::text FROM par p), (SELECT s.curve::text FROM serial s),
          'curves (0/1 outcome): parallel equals serial');
SELECT is((SELECT p.deciles::text FROM par p), (SELECT s.deciles::text FROM serial s),
          'decile table: parallel equals serial');
SELECT is((SELECT p.calibration::text FROM par p), (SELECT s.calibration::text FROM serial s),
          'calibration: parallel equals serial');
SELECT ok((SELECT bool_and(abs(a.net_value - b.net_value) <= 1e-9 * greatest(abs(b.net_value), 1)
                           AND a.x = b.x AND a.best = b.best)
           FROM par p, serial s, unnest(p.net) WITH ORDINALITY a, unnest(s.net) WITH ORDINALITY b
           WHERE a.ordinality = b.ordinality),
          'net value (continuous outcome): parallel equals serial up to summation order');
SELECT is((SELECT cardinality(p.net) FROM par p), (SELECT cardinality(s.net) FROM serial s),
          'net value: as many points in parallel');

-- an aggregate with ORDER BY is never split across workers; under the same
-- settings it still follows scikit-uplift's tie rule exactly
SELECT ok(abs((SELECT uplift_at_k(score_tie, treatment, visit, 0.3, 'overall' ORDER BY subset_row) FROM eval_hillstrom)
              - (SELECT value FROM eval_hillstrom_metrics WHERE score = 'score_tie' AND outcome = 'visit'
                 AND args = 'strategy=overall k=0.3')) < 1e-12,
          'ORDER BY under parallel settings: scikit-uplift''s figure');

SELECT * FROM finish();
ROLLBACK;
