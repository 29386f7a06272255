-- pgTAP: uplift_drift's PSI, KS, Jensen-Shannon and Wasserstein against
-- closed forms and against the same figures computed independently in SQL
-- (deciles with percentile_cont, distribution functions by counting), on the
-- exact path (two queries) and on a stored profile.
BEGIN;
SELECT plan(28);

-- Two samples: a reference of 2,000 normal draws and a current window of
-- 1,500 draws shifted by 0.5 and scaled by 1.2 (Box-Muller on the demo's
-- hashed uniforms), and the same rounded to one decimal (ties).
CREATE TEMP TABLE r AS
SELECT sqrt(-2 * ln(uplift_demo_uniform(i, 11, 1))) * cos(2 * pi() * uplift_demo_uniform(i, 11, 2)) AS x
  FROM generate_series(1, 2000) i;
CREATE TEMP TABLE c AS
SELECT 0.5 + 1.2 * sqrt(-2 * ln(uplift_demo_uniform(i, 12, 1))) * cos(2 * pi() * uplift_demo_uniform(i, 12, 2)) AS x
  FROM generate_series(1, 1500) i;
CREATE TEMP TABLE rr AS SELECT round(x::numeric, 1)::float8 AS x FROM r;
CREATE TEMP TABLE cr AS SELECT round(x::numeric, 1)::float8 AS x FROM c;

-- Independent references.  Deciles: percentile_cont (linear interpolation,
-- as numpy's default).  A value's bin: the number of deciles below it.
CREATE FUNCTION pg_temp.ref_psi_js(rt text, ct text, OUT psi float8, OUT js float8)
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format($q$
    WITH e AS (SELECT percentile_cont(ARRAY[0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.9])
                      WITHIN GROUP (ORDER BY x) AS d FROM %1$s),
    bins AS (SELECT b FROM generate_series(0, 9) b),
    rb AS (SELECT (SELECT count(*) FROM unnest(e.d) q WHERE q < t.x) AS b FROM %1$s t, e),
    cb AS (SELECT (SELECT count(*) FROM unnest(e.d) q WHERE q < t.x) AS b FROM %2$s t, e),
    s AS (SELECT bins.b,
                 (SELECT count(*) FROM rb WHERE rb.b = bins.b)::float8 / (SELECT count(*) FROM %1$s) AS pr,
                 (SELECT count(*) FROM cb WHERE cb.b = bins.b)::float8 / (SELECT count(*) FROM %2$s) AS pc
            FROM bins)
    SELECT sum((CASE WHEN pc = 0 THEN 1e-4 ELSE pc END - CASE WHEN pr = 0 THEN 1e-4 ELSE pr END)
               * ln(CASE WHEN pc = 0 THEN 1e-4 ELSE pc END / CASE WHEN pr = 0 THEN 1e-4 ELSE pr END)),
           sqrt(sum(CASE WHEN pr > 0 THEN 0.5 * pr * ln(pr / ((pr + pc) / 2)) ELSE 0 END
                  + CASE WHEN pc > 0 THEN 0.5 * pc * ln(pc / ((pr + pc) / 2)) ELSE 0 END))
      FROM s $q$, rt, ct) INTO psi, js;
END $$;

-- KS and Wasserstein-1 from the two empirical distribution functions
-- evaluated at every distinct value (Wasserstein: their gap times the
-- distance to the next value, summed).
CREATE FUNCTION pg_temp.ref_ks_w(rt text, ct text, OUT ks float8, OUT w float8)
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format($q$
    WITH p AS (SELECT x FROM %1$s UNION SELECT x FROM %2$s),
    f AS (SELECT x, lead(x) OVER (ORDER BY x) AS nx,
                 (SELECT count(*) FROM %1$s a WHERE a.x <= p.x)::float8 / (SELECT count(*) FROM %1$s) AS fr,
                 (SELECT count(*) FROM %2$s b WHERE b.x <= p.x)::float8 / (SELECT count(*) FROM %2$s) AS fc
            FROM p)
    SELECT max(abs(fr - fc)), sum(abs(fr - fc) * (nx - x)) FILTER (WHERE nx IS NOT NULL) FROM f $q$,
    rt, ct) INTO ks, w;
END $$;

CREATE TEMP TABLE refs AS
SELECT 'continuous' AS data, (pg_temp.ref_psi_js('r', 'c')).*, (pg_temp.ref_ks_w('r', 'c')).*
UNION ALL
SELECT 'ties', (pg_temp.ref_psi_js('rr', 'cr')).*, (pg_temp.ref_ks_w('rr', 'cr')).*;

CREATE TEMP TABLE exact AS
SELECT 'continuous' AS data, * FROM uplift_drift('SELECT x FROM r', 'SELECT x FROM c')
UNION ALL
SELECT 'ties', * FROM uplift_drift('SELECT x FROM rr', 'SELECT x FROM cr');

CREATE TEMP TABLE profiles AS
SELECT 'continuous' AS data, uplift_drift_profile(t) AS p FROM (SELECT x FROM r) t
UNION ALL
SELECT 'ties', uplift_drift_profile(t) FROM (SELECT x FROM rr) t;

CREATE TEMP TABLE sketch AS
SELECT p.data, d.* FROM profiles p,
       uplift_drift(p.p, format('SELECT x FROM %s', CASE p.data WHEN 'ties' THEN 'cr' ELSE 'c' END)) d;

-- The profile's deciles are percentile_cont's.
SELECT ok((SELECT bool_and(abs(d::float8 - q) <= 1e-12 * greatest(1, abs(q)))
             FROM profiles p,
                  LATERAL (SELECT percentile_cont(ARRAY[0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.9])
                                  WITHIN GROUP (ORDER BY x) AS qs
                             FROM (SELECT x FROM r WHERE p.data = 'continuous'
                                   UNION ALL SELECT x FROM rr WHERE p.data = 'ties') s) q,
                  LATERAL unnest(ARRAY(SELECT jsonb_array_elements_text(
                                 uplift_drift_profile_info(p.p) -> 'columns' -> 0 -> 'deciles'))::float8[],
                                 q.qs) AS z(d, q)),
          'profile deciles equal percentile_cont');

-- Exact path against the SQL references.
SELECT ok((SELECT abs(e.psi - f.psi) < 1e-12 FROM exact e JOIN refs f USING (data) WHERE data = 'continuous'),
          'PSI (continuous) equals the SQL reference');
SELECT ok((SELECT abs(e.psi - f.psi) < 1e-12 FROM exact e JOIN refs f USING (data) WHERE data = 'ties'),
          'PSI (ties) equals the SQL reference');
SELECT ok((SELECT abs(e.js - f.js) < 1e-12 FROM exact e JOIN refs f USING (data) WHERE data = 'continuous'),
          'Jensen-Shannon (continuous) equals the SQL reference');
SELECT ok((SELECT abs(e.js - f.js) < 1e-12 FROM exact e JOIN refs f USING (data) WHERE data = 'ties'),
          'Jensen-Shannon (ties) equals the SQL reference');
SELECT ok((SELECT abs(e.ks - f.ks) < 1e-12 FROM exact e JOIN refs f USING (data) WHERE data = 'continuous'),
          'KS (continuous) equals the SQL reference');
SELECT ok((SELECT abs(e.ks - f.ks) < 1e-12 FROM exact e JOIN refs f USING (data) WHERE data = 'ties'),
          'KS (ties) equals the SQL reference');
SELECT ok((SELECT abs(e.wasserstein - f.w) < 1e-12 FROM exact e JOIN refs f USING (data) WHERE data = 'continuous'),
          'Wasserstein (continuous) equals the SQL reference');
SELECT ok((SELECT abs(e.wasserstein - f.w) < 1e-12 FROM exact e JOIN refs f USING (data) WHERE data = 'ties'),
          'Wasserstein (ties) equals the SQL reference');
SELECT ok((SELECT psi > 0.1 AND drifted AND n_reference = 2000 AND n_current = 1500
             FROM exact WHERE data = 'continuous'),
          'the shifted window drifts by the default PSI threshold, with its counts');

-- The profile path: PSI and JS exactly the same; KS and Wasserstein on the
-- grid.  With ties (at most 1,001 distinct reference values) the grid is
-- the reference itself and every current value lies on it: all exact.
SELECT ok((SELECT abs(s.psi - e.psi) < 1e-15 AND abs(s.js - e.js) < 1e-15
             FROM sketch s JOIN exact e USING (data) WHERE data = 'continuous'),
          'profile path: PSI and JS as on the exact path');
SELECT ok((SELECT abs(s.ks - e.ks) < 1e-15 AND abs(s.wasserstein - e.wasserstein) < 1e-12
             FROM sketch s JOIN exact e USING (data) WHERE data = 'ties'),
          'profile path on a reference of few distinct values: KS and Wasserstein exact');
SELECT ok((SELECT s.ks <= e.ks + 1e-15 AND e.ks - s.ks <= 1.0 / 1000 + 1.0 / 2000
             FROM sketch s JOIN exact e USING (data) WHERE data = 'continuous'),
          'profile path: KS within 1/1000 + 1/n of the exact statistic');
SELECT ok((SELECT abs(s.wasserstein - e.wasserstein) < 0.01 * e.wasserstein
             FROM sketch s JOIN exact e USING (data) WHERE data = 'continuous'),
          'profile path: Wasserstein within 1% of the exact distance');

-- Closed forms.  A shift by 0.5 of 1..100: KS = 1/100, Wasserstein = 0.5;
-- the same sample: every figure 0.
SELECT ok((SELECT abs(ks - 0.01) < 1e-15 AND abs(wasserstein - 0.5) < 1e-13
             FROM uplift_drift('SELECT g::float8 AS x FROM generate_series(1, 100) g',
                               'SELECT g + 0.5 AS x FROM generate_series(1, 100) g')),
          'a shift by 0.5: KS 0.01, Wasserstein 0.5');
SELECT ok((SELECT psi = 0 AND ks = 0 AND js = 0 AND wasserstein = 0 AND NOT drifted
             FROM uplift_drift('SELECT g AS x FROM generate_series(1, 100) g',
                               'SELECT g AS x FROM generate_series(1, 100) g ORDER BY g DESC')),
          'the same sample: no drift');
-- Deciles of 1..100 are 10.9, 20.8, ...: 11..100 puts 9 of 90 in bins 2..10,
-- none in bin 1: PSI = (1e-4 - 0.1) ln(1e-4 / 0.1) + 9 (0.1111 - 0.1) ln(0.1111 / 0.1).
SELECT ok((SELECT abs(psi - ((1e-4 - 0.1) * ln(1e-4 / 0.1) + 9 * (1.0 / 9 - 0.1) * ln((1.0 / 9) / 0.1))) < 1e-14
             FROM uplift_drift('SELECT g AS x FROM generate_series(1, 100) g',
                               'SELECT g AS x FROM generate_series(11, 100) g')),
          'PSI with an empty bin: closed form with the 1e-4 floor');
-- Categorical: reference {a: 50, b: 50}, current {a: 100}; "other" empty on
-- both sides.  PSI = 0.5 ln 2 + (1e-4 - 0.5) ln(1e-4 / 0.5) (+ 0 for other);
-- JS^2 = 0.5 (0.5 ln(0.5/0.75) + 0.5 ln(0.5/0.25)) + 0.5 ln(1/0.75).
SELECT ok((SELECT kind = 'categorical' AND ks IS NULL AND wasserstein IS NULL
                  AND abs(psi - (0.5 * ln(2) + (1e-4 - 0.5) * ln(1e-4 / 0.5))) < 1e-14
                  AND abs(js - sqrt(0.5 * (0.5 * ln(0.5 / 0.75) + 0.5 * ln(0.5 / 0.25)) + 0.5 * ln(1 / 0.75))) < 1e-14
             FROM uplift_drift($$SELECT CASE WHEN g % 2 = 0 THEN 'a' ELSE 'b' END AS c FROM generate_series(1, 100) g$$,
                               $$SELECT 'a'::text AS c FROM generate_series(1, 100) g$$)),
          'categorical PSI and JS: closed forms; KS and Wasserstein NULL');
-- A level never seen in the reference goes to "other": {a: 100} against {z: 100}.
SELECT ok((SELECT abs(psi - 2 * (1 - 1e-4) * ln(1 / 1e-4)) < 1e-12 AND abs(js - sqrt(ln(2))) < 1e-15
             FROM uplift_drift($$SELECT 'a'::text AS c FROM generate_series(1, 100)$$,
                               $$SELECT 'z'::text AS c FROM generate_series(1, 100)$$)),
          'a new level counts as other: PSI 2 (1 - 1e-4) ln(1e4), JS sqrt(ln 2)');
-- Booleans are categorical.
SELECT is((SELECT kind FROM uplift_drift('SELECT g % 2 = 0 AS b FROM generate_series(1, 10) g',
                                         'SELECT true AS b')),
          'categorical', 'a boolean column is categorical');

-- Documented edge cases: a constant reference column (PSI defined, normed
-- Wasserstein undefined: NULL score, drifted when anything else appears), and
-- a current column that is NULL on every row (NULL figures).
SELECT ok((SELECT score IS NULL AND drifted AND wasserstein = 1
             FROM uplift_drift('SELECT 1 AS x FROM generate_series(1, 10)',
                               'SELECT 2 AS x FROM generate_series(1, 10)',
                               '{"stattest": "wasserstein"}')),
          'constant reference: Wasserstein score NULL, drifted');
SELECT ok((SELECT psi IS NULL AND ks IS NULL AND drifted IS NULL AND n_current = 0
             FROM uplift_drift('SELECT g AS x FROM generate_series(1, 10) g',
                               'SELECT NULL::int AS x FROM generate_series(1, 10)')),
          'a current column without values: NULL figures, n_current 0');

-- Options choose the test and the threshold.
SELECT ok((SELECT stattest = 'ks' AND score = ks AND threshold = 0.1
             FROM uplift_drift('SELECT x FROM r', 'SELECT x FROM c', '{"stattest": "ks"}')),
          'stattest ks: the score is the KS statistic');
SELECT ok((SELECT stattest = 'wasserstein' AND abs(score - wasserstein / (SELECT stddev_pop(x) FROM r)) < 1e-12
             FROM uplift_drift('SELECT x FROM r', 'SELECT x FROM c', '{"stattest": "wasserstein"}')),
          'stattest wasserstein: normed by the reference''s population deviation');
SELECT ok((SELECT NOT drifted AND threshold = 100
             FROM uplift_drift('SELECT x FROM r', 'SELECT x FROM c', '{"stattest_threshold": 100}')),
          'stattest_threshold moves the cut');

-- Chi-square p-values: closed forms for 2 and 4 degrees of freedom and the
-- published 5% and 1% critical values for 1 and 10 degrees of freedom.
SELECT ok((SELECT bool_and(abs(uplift_chisq_pvalue(x, 2) - exp(-x / 2)) <= 1e-13 * exp(-x / 2)
                       AND abs(uplift_chisq_pvalue(x, 4) - exp(-x / 2) * (1 + x / 2)) <= 1e-13 * exp(-x / 2) * (1 + x / 2))
             FROM unnest(ARRAY[0.001, 0.5, 1, 2.5, 3, 7, 20, 100, 600]::float8[]) x),
          'chi-square p-value: exp(-x/2) and exp(-x/2)(1 + x/2)');
SELECT ok(abs(uplift_chisq_pvalue(3.841458820694124, 1) - 0.05) < 1e-12
          AND abs(uplift_chisq_pvalue(6.6348966010212145, 1) - 0.01) < 1e-12
          AND abs(uplift_chisq_pvalue(18.307038053275146, 10) - 0.05) < 1e-12
          AND uplift_chisq_pvalue(0, 3) = 1,
          'chi-square p-value: critical values of 1 and 10 degrees of freedom');
-- Over the whole range of df, from x = 0 to 1e308: a probability, and for
-- df = 1e-10 (almost all mass at 0) nearly 0 once x > 0: Q(a, y) < a E1(y) for
-- y = x/2, and E1(0.5) < 0.56.
SELECT ok((SELECT bool_and(p BETWEEN 0 AND 1)
             FROM (SELECT uplift_chisq_pvalue(x, df) AS p
                     FROM unnest(ARRAY[1e-10, 1e-3, 0.5, 1, 3, 100, 1e4, 1e5]::float8[]) df,
                          unnest(ARRAY[0, 5e-324, 1e-300, 1e-10, 0.5, 1, 99, 100, 101, 1e5, 2e5, 1e300, 1e308]::float8[]) x) s)
          AND uplift_chisq_pvalue(1, 1e-10) < 1e-10 * 0.56 / 2,
          'chi-square p-value: a probability for every df from 1e-10 to 1e5');

SELECT * FROM finish();
ROLLBACK;
