-- pgTAP: the evaluation aggregates against scikit-uplift 0.5.1's own figures
-- (../shared/reference/, loaded by test/fixtures/20_eval.sql).
BEGIN;
SELECT plan(12);

-- One of our aggregates for one reference row (metric, args) on a table.
CREATE FUNCTION pg_temp.eval_metric(tbl text, score text, outcome text, order_col text,
                                    metric text, args text)
RETURNS float8 LANGUAGE plpgsql AS $$
DECLARE
    call text;
    r float8;
BEGIN
    args := replace(args, ' [check_is_binary bypassed]', '');
    call := CASE
        WHEN metric = 'qini_auc_score' AND args LIKE 'negative_effect=True%'
            THEN format('uplift_qini_auc(%I, treatment, %I)', score, outcome)
        WHEN metric = 'qini_auc_score' AND args = 'negative_effect=False'
            THEN format('uplift_qini_auc(%I, treatment, %I, ''{"negative_effect": false}'')', score, outcome)
        WHEN metric = 'uplift_auc_score'
            THEN format('uplift_auuc(%I, treatment, %I)', score, outcome)
        WHEN metric = 'uplift_at_k'
            THEN format('uplift_at_k(%I, treatment, %I, %s, %L ORDER BY %I)', score, outcome,
                        substring(args from 'k=([0-9.]+)'), substring(args from 'strategy=([a-z_]+)'),
                        order_col)
        END;
    EXECUTE format('SELECT %s FROM %I', call, tbl) INTO r;
    RETURN r;
END $$;

CREATE FUNCTION pg_temp.rel_err(a float8, b float8) RETURNS float8
LANGUAGE sql IMMUTABLE RETURN abs(a - b) / greatest(abs(b), 1e-300);

-- the scores are the ones the peer saw
SELECT is((SELECT ARRAY[count(*), count(DISTINCT score_lin), min(score_lin), max(score_lin)]::float8[] FROM eval_hillstrom),
          (SELECT ARRAY[n, n_distinct, min, max]::float8[] FROM eval_hillstrom_score_sanity WHERE score = 'score_lin'),
          'score_lin: count, distinct values, min and max as the reference');
SELECT ok((SELECT pg_temp.rel_err(sum(score_lin), (SELECT sum FROM eval_hillstrom_score_sanity WHERE score = 'score_lin'))
           FROM eval_hillstrom) < 1e-12, 'score_lin: sum as the reference');

-- b. synthetic metrics
SELECT is((SELECT count(*) FROM eval_synthetic_metrics), 7::bigint, 'seven synthetic reference metrics');
SELECT is(array_agg(metric || ' ' || args || ': ' || pg_temp.eval_metric('eval_synthetic', 'score', 'outcome', 'row_id', metric, args)::text
                    ORDER BY metric, args)
          FILTER (WHERE pg_temp.rel_err(pg_temp.eval_metric('eval_synthetic', 'score', 'outcome', 'row_id', metric, args), value) > 1e-12),
          NULL, 'synthetic: every metric equals scikit-uplift to 1e-12 relative')
FROM eval_synthetic_metrics;

-- a. Hillstrom: every metric the peer computed (spend: with its binary check bypassed)
SELECT is((SELECT count(*) FROM eval_hillstrom_metrics WHERE status = 'ok'), 30::bigint,
          'thirty Hillstrom reference metrics');
SELECT is(array_agg(score || '/' || outcome || ' ' || metric || ' ' || args || ': '
                    || pg_temp.eval_metric('eval_hillstrom', score, outcome, 'subset_row', metric, args)::text
                    || ' vs ' || value::text ORDER BY score, outcome, metric, args)
          FILTER (WHERE pg_temp.rel_err(pg_temp.eval_metric('eval_hillstrom', score, outcome, 'subset_row', metric, args), value) > 1e-9),
          NULL, 'Hillstrom: every metric equals scikit-uplift to 1e-9 relative (ties and continuous outcome included)')
FROM eval_hillstrom_metrics WHERE status = 'ok';

-- b. synthetic curves: every point of every curve
CREATE TEMP TABLE our_curves AS
SELECT CASE p.curve WHEN 'qini' THEN 'qini_curve' WHEN 'uplift' THEN 'uplift_curve'
                    WHEN 'perfect_uplift' THEN 'perfect_uplift_curve'
                    WHEN 'perfect_qini' THEN 'perfect_qini_curve(negative_effect=True)' END AS curve,
       p.point, p.x, p.y
FROM (SELECT uplift_curve(score, treatment, outcome) AS c FROM eval_synthetic) s, unnest(s.c) p
WHERE p.curve NOT LIKE 'random%'
UNION ALL
SELECT 'perfect_qini_curve(negative_effect=False)', p.point, p.x, p.y
FROM (SELECT uplift_curve(score, treatment, outcome, '{"negative_effect": false}') AS c FROM eval_synthetic) s, unnest(s.c) p
WHERE p.curve = 'perfect_qini';
SELECT is((SELECT count(*) FROM eval_synthetic_curves), 34::bigint, '34 reference curve points');
SELECT is((SELECT array_agg(coalesce(r.curve, o.curve) || ' ' || coalesce(r.point, o.point))
           FROM eval_synthetic_curves r
           FULL JOIN our_curves o
             ON o.curve = r.curve AND o.point = r.point
                AND pg_temp.rel_err(o.x, r.x) <= 1e-12 AND abs(o.y - r.y) <= 1e-12 * greatest(abs(r.y), 1)
           WHERE o.curve IS NULL OR r.curve IS NULL),
          NULL, 'synthetic: qini, uplift and both perfect Qini curves and the perfect uplift curve equal scikit-uplift point by point');

-- b, c. uplift_by_percentile, every column of every row (NaN rates are NULL here)
CREATE FUNCTION pg_temp.pct_rows(tbl text, score text, outcome text, bins int, strategy text,
                                 total bool)
RETURNS SETOF uplift_percentile_bin LANGUAGE plpgsql AS $$
BEGIN
    RETURN QUERY EXECUTE format(
        'SELECT p.* FROM (SELECT uplift_by_percentile(%I, treatment, %I, %s, %L, %L::jsonb ORDER BY %I) AS c FROM %I) s, unnest(s.c) p',
        score, outcome, bins, strategy, json_build_object('total', total),
        CASE WHEN tbl = 'eval_synthetic' THEN 'row_id' ELSE 'subset_row' END, tbl);
END $$;

CREATE TEMP TABLE pct_mismatch AS
SELECT r.dataset, r.strategy, r.total, r.std, r.percentile
FROM eval_percentile_ref r
LEFT JOIN LATERAL pg_temp.pct_rows(CASE WHEN r.dataset = 'synthetic' THEN 'eval_synthetic' ELSE 'eval_hillstrom' END,
                                   r.score, r.outcome, r.bins, r.strategy, r.total) o
       ON o.percentile = r.percentile
WHERE o.percentile IS NULL
   OR o.n_treatment <> r.n_treatment OR o.n_control <> r.n_control
   OR NOT (pg_temp.rel_err(o.response_rate_treatment, r.response_rate_treatment) <= 1e-12
           OR (o.response_rate_treatment IS NULL AND r.response_rate_treatment = 'NaN'))
   OR NOT (pg_temp.rel_err(o.response_rate_control, r.response_rate_control) <= 1e-12
           OR (o.response_rate_control IS NULL AND r.response_rate_control = 'NaN'))
   OR NOT (abs(o.uplift - r.uplift) <= 1e-12 * greatest(abs(r.uplift), 1e-3)
           OR (o.uplift IS NULL AND r.uplift = 'NaN'))
   OR (r.std AND NOT (abs(o.std_treatment - r.std_treatment) <= 1e-12 * greatest(r.std_treatment, 1e-3)
                      OR (o.std_treatment IS NULL AND r.std_treatment = 'NaN')))
   OR (r.std AND NOT (abs(o.std_control - r.std_control) <= 1e-12 * greatest(r.std_control, 1e-3)
                      OR (o.std_control IS NULL AND r.std_control = 'NaN')))
   OR (r.std AND NOT (abs(o.std_uplift - r.std_uplift) <= 1e-12 * greatest(r.std_uplift, 1e-3)
                      OR (o.std_uplift IS NULL AND r.std_uplift = 'NaN')));
SELECT is((SELECT count(*) FROM eval_percentile_ref), 120::bigint, '120 reference percentile rows');
SELECT is((SELECT array_agg(ROW(dataset, strategy, total, std, percentile)::text) FROM pct_mismatch), NULL,
          'uplift_by_percentile equals scikit-uplift in every row and column (ORDER BY: its tie rule)');

-- Without ORDER BY the Hillstrom deciles of score_lin agree too where no tie
-- group straddles a bin edge; the row counts always do.
SELECT is((SELECT array_agg(n_treatment + n_control ORDER BY bin)
           FROM (SELECT p.* FROM (SELECT uplift_by_percentile(score_lin, treatment, visit, 10, 'overall') AS c
                                  FROM eval_hillstrom) s, unnest(s.c) p) o),
          (SELECT array_agg((42613 / 10 + (b <= 42613 % 10)::int)::float8 ORDER BY b)
           FROM generate_series(1, 10) b),
          'default (order-free) deciles have array_split''s row counts');
SELECT is((SELECT array_agg(n_treatment ORDER BY bin)
           FROM (SELECT p.* FROM (SELECT uplift_by_percentile(score_lin, treatment, visit, 10, 'by_group') AS c
                                  FROM eval_hillstrom) s, unnest(s.c) p) o),
          (SELECT array_agg(r.n_treatment ORDER BY r.percentile = '90-100', r.percentile COLLATE "C")
           FROM eval_percentile_ref r WHERE dataset <> 'synthetic' AND strategy = 'by_group' AND NOT total AND NOT std),
          'by_group deciles split each arm as array_split does');

SELECT * FROM finish();
ROLLBACK;
