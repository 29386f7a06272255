-- pgTAP: the meta-learners against a known truth.  The generator is the
-- exact SQL of ../shared/reference/learners_simulated.md (a confounded
-- two-action campaign with known propensities, a linear true effect for
-- action 1 and a nonlinear one for action 2); the reference figures below
-- are that file's (numpy least squares on the same rows).
BEGIN;
SELECT plan(21);

CREATE TEMP TABLE sim AS
WITH h AS (
  SELECT i,
         hashint8(4*i)   AS h0,
         hashint8(4*i+1) AS h1,
         hashint8(4*i+2) AS h2,
         hashint8(4*i+3) AS h3
  FROM generate_series(1::int8, 200000::int8) AS i
), f AS (
  SELECT i,
         ((h0 & 65535)::float8 + 0.5::float8) / 65536.0::float8                AS x1,
         (((h0 >> 16) & 65535)::float8 + 0.5::float8) / 65536.0::float8        AS x2,
         (h1 & 1)::float8                                                      AS x3,
         (((h1 >> 8) & 16777215)::float8 + 0.5::float8) / 16777216.0::float8   AS u,
         2.0::float8 * (((h2 & 65535)::float8 + 0.5::float8) / 65536.0::float8
                      + (((h2 >> 16) & 65535)::float8 + 0.5::float8) / 65536.0::float8
                      + ((h3 & 65535)::float8 + 0.5::float8) / 65536.0::float8
                      + (((h3 >> 16) & 65535)::float8 + 0.5::float8) / 65536.0::float8
                      - 2.0::float8)                                           AS noise
  FROM h
), p AS (
  SELECT *,
         0.1::float8 + 0.4::float8 * x1 AS p1,
         0.1::float8 + 0.3::float8 * x2 AS p2
  FROM f
), a AS (
  SELECT *,
         1.0::float8 - p1 - p2 AS p0,
         CASE WHEN u < p1 THEN 1 WHEN u < p1 + p2 THEN 2 ELSE 0 END AS action,
         1.0::float8 + 2.0::float8 * x1 - 1.0::float8 * x2 + 0.5::float8 * x3 AS mu0,
         1.0::float8 + 2.0::float8 * x1 - 1.0::float8 * x3                    AS tau1,
         3.0::float8 * x2 * x2 + 0.5::float8 * x3 - 0.5::float8               AS tau2
  FROM p
)
SELECT i, x1, x2, x3, p0, p1, p2, action, mu0, tau1, tau2, noise,
       mu0 + CASE action WHEN 1 THEN tau1 WHEN 2 THEN tau2 ELSE 0.0::float8 END + noise AS y
FROM a
ORDER BY i;

-- The features, and the logged propensity: that of the action each row received.
CREATE TEMP TABLE simx AS
SELECT *, ARRAY[x1, x2, x3] AS x, CASE action WHEN 1 THEN p1 WHEN 2 THEN p2 ELSE p0 END AS prop
FROM sim;

SELECT results_eq('SELECT action, count(*) FROM sim GROUP BY 1 ORDER BY 1',
                  $$VALUES (0, 89864::bigint), (1, 60005::bigint), (2, 50131::bigint)$$,
                  'the generated campaign has the reference''s arm counts');
SELECT ok(abs(sum(tau1) - 300039.75567626953) < 1e-6 AND abs(sum(y) - 505941.62072824832) < 1e-6,
          'the generated effects and outcomes sum to the reference''s figures')
FROM sim;

CREATE TEMP TABLE fits AS
SELECT 'T'::text AS name, uplift_fit(x, action, y, '{"l2": 0}') AS m FROM simx
UNION ALL SELECT 'T weighted', uplift_fit(x, action, y, prop, '{"l2": 0}') FROM simx
UNION ALL SELECT 'S', uplift_fit(x, action, y, '{"learner": "s_learner", "l2": 0}') FROM simx
UNION ALL SELECT 'X', uplift_fit(x, action, y, '{"learner": "x_learner", "l2": 0}') FROM simx
UNION ALL SELECT 'X weighted', uplift_fit(x, action, y, prop, '{"learner": "x_learner", "l2": 0}') FROM simx
UNION ALL SELECT 'DR', uplift_fit(x, action, y, prop, '{"learner": "dr_learner", "l2": 0}') FROM simx
UNION ALL SELECT 'DR arm share', uplift_fit(x, action, y, '{"learner": "dr_learner", "l2": 0}') FROM simx
-- class transformation: action 1 against control only, with the binary
-- propensity of the pair, P(action = 1 | x, action in {0, 1})
UNION ALL SELECT 'class_transform', uplift_fit(x, action, y,
                     CASE action WHEN 1 THEN p1 ELSE p0 END / (p1 + p0),
                     '{"learner": "class_transform", "l2": 0}')
          FROM simx WHERE action IN (0, 1);

-- PEHE and ATE of each learner and action, over all rows.
CREATE TEMP TABLE perf AS
SELECT f.name, a.k, e.pehe, e.ate
FROM (SELECT name, m, (uplift_model_info(m)->>'n_actions')::int AS n_actions FROM fits) f
     JOIN (VALUES (1), (2)) a(k) ON a.k <= f.n_actions,
     LATERAL (SELECT sqrt(avg((cate - tau) ^ 2)) AS pehe, avg(cate) AS ate
              FROM (SELECT uplift_score(f.m, s.x, a.k) AS cate,
                           CASE a.k WHEN 1 THEN s.tau1 ELSE s.tau2 END AS tau
                    FROM simx s) c) e;

-- Truth: sample ATEs, and the naive difference in means is far off.
SELECT ok(abs(avg(tau1) - 1.5001987783813477) < 1e-12 AND abs(avg(tau2) - 0.74948745495183389) < 1e-12,
          'the true sample ATEs are the reference''s')
FROM sim;
SELECT ok(abs((avg(y) FILTER (WHERE action = 1) - avg(y) FILTER (WHERE action = 0)) - avg(tau1)) > 0.5,
          'action 1: the naive difference in means (about 2.04) is far from the true ATE (1.50)')
FROM sim;

SELECT ok(abs(p.ate - t.ate) > 0.03,
          'action 2: the unweighted T-learner''s ATE misses the truth by more than 0.03')
FROM perf p, (SELECT avg(tau2) AS ate FROM sim) t WHERE p.name = 'T' AND p.k = 2;
SELECT ok(abs(p.ate - t.ate) < 0.03,
          'action 2: the propensity-weighted T-learner''s ATE is within 0.03 of the truth')
FROM perf p, (SELECT avg(tau2) AS ate FROM sim) t WHERE p.name = 'T weighted' AND p.k = 2;
SELECT ok(abs(p.ate - t.ate) < 0.03,
          'action 2: the DR-learner''s ATE is within 0.03 of the truth')
FROM perf p, (SELECT avg(tau2) AS ate FROM sim) t WHERE p.name = 'DR' AND p.k = 2;
SELECT ok(abs(p.ate - t.ate) < 0.03,
          'action 1: the DR-learner''s ATE is within 0.03 of the truth')
FROM perf p, (SELECT avg(tau1) AS ate FROM sim) t WHERE p.name = 'DR' AND p.k = 1;

SELECT is(count(*), 8::bigint, 'eight learners are scored on action 1') FROM perf WHERE k = 1;
SELECT is(array_agg(name ORDER BY name) FILTER (WHERE pehe >= 0.05), NULL,
          'action 1 (linear effect): every learner''s PEHE is below 0.05')
FROM perf WHERE k = 1;
SELECT ok(bool_and(pehe >= 0.22373564654124414 - 1e-9),
          'action 2 (nonlinear effect): no linear learner beats the best linear fit''s PEHE')
FROM perf WHERE k = 2;

-- Exact variants: (a) T OLS, (b) T WLS 1/p, (c) DR on all rows with the
-- (a) outcome models and the true propensities.  Coefficients [const, x1, x2, x3].
CREATE TEMP TABLE ref AS
SELECT * FROM (VALUES
  ('T', 1, ARRAY[1.0134813638803872, 1.9650728289798076, 0.0084624093920937504, -1.0026698557804887]::float8[],
        0.010511960402592889, 1.4991321742144466),
  ('T', 2, ARRAY[-1.1697281658962013, -0.041444648698766962, 3.2968823219224328, 0.51595097296293035],
        0.24278260138742588, 0.71475916916218341),
  ('T weighted', 1, ARRAY[1.0028033239746161, 1.9704907691514633, 0.021976744254636138, -0.99909211600033321],
        0.010658220415591635, 1.4996995988763013),
  ('T weighted', 2, ARRAY[-1.0108788147965566, -0.035856250053207805, 3.0301359471099811, 0.51509924761340486],
        0.22443954905317684, 0.74265071442771979),
  ('DR', 1, ARRAY[1.002773883901634, 1.9704981088289872, 0.021995272163215951, -0.99906418974299815],
        0.010660477463600191, 1.4996970148308817),
  ('DR', 2, ARRAY[-1.0120213133894234, -0.034649289704064001, 3.0308915064352009, 0.51520674757841634],
        0.22443705870610781, 0.74254234698835242)
) v(name, k, coef, pehe, ate);

-- Our CATE coefficients: the effect head (DR), or the difference of the
-- arm's and control's outcome heads (T), read from uplift_model_info.
CREATE FUNCTION pg_temp.head_coef(m uplift_model, r text, a int) RETURNS float8[]
LANGUAGE sql AS $$
  SELECT ARRAY[(h->>'intercept')::float8, (h->'coefficients'->>'x1')::float8,
               (h->'coefficients'->>'x2')::float8, (h->'coefficients'->>'x3')::float8]
  FROM jsonb_array_elements(uplift_model_info(m)->'heads') h
  WHERE h->>'role' = r AND (h->>'action')::int = a
$$;

CREATE TEMP TABLE ours AS
SELECT f.name, a.k,
       CASE WHEN f.name = 'DR' THEN pg_temp.head_coef(f.m, 'effect', a.k)
            ELSE ARRAY(SELECT (pg_temp.head_coef(f.m, 'outcome', a.k))[j]
                              - (pg_temp.head_coef(f.m, 'outcome', 0))[j]
                       FROM generate_series(1, 4) j) END AS coef
FROM fits f CROSS JOIN (VALUES (1), (2)) a(k)
WHERE f.name IN ('T', 'T weighted', 'DR');

CREATE TEMP TABLE cmp AS
SELECT r.name, r.k,
       (SELECT max(abs(o.coef[j] - r.coef[j]) / abs(r.coef[j])) FROM generate_series(1, 4) j) AS coef_rel,
       abs(p.pehe - r.pehe) / r.pehe AS pehe_rel,
       abs(p.ate - r.ate) / r.ate AS ate_rel
FROM ref r JOIN ours o USING (name, k) JOIN perf p USING (name, k);

SELECT is(count(*), 6::bigint, 'three exact variants, two actions each, are compared') FROM cmp;
SELECT ok(coef_rel < 1e-9, format('%s, action %s: CATE coefficients equal the reference''s to 1e-9 relative', name, k))
FROM cmp ORDER BY name, k;
SELECT ok(max(pehe_rel) < 1e-9 AND max(ate_rel) < 1e-9,
          'the exact variants'' PEHE and ATE equal the reference''s to 1e-9 relative')
FROM cmp;

-- The (a) outcome models themselves (OLS per arm), against the reference table.
SELECT ok(max(abs((pg_temp.head_coef(f.m, 'outcome', r.a))[j] - r.c[j]) / abs(r.c[j])) < 1e-9,
          'dr_learner''s outcome models are the reference''s OLS fits to 1e-9 relative')
FROM fits f, generate_series(1, 4) j,
     (VALUES (0, ARRAY[0.99168008011719688, 2.0301379841057114, -1.0045963741119543, 0.49628622076066642]),
             (1, ARRAY[2.0051614439975842, 3.9952108130855191, -0.9961339647198606, -0.50638363501982231]),
             (2, ARRAY[-0.17804808577900455, 1.9886933354069445, 2.2922859478104787, 1.0122371937235968])) r(a, c)
WHERE f.name = 'DR';

-- The model records the propensity range it saw.
SELECT ok(abs((uplift_model_info(m)->'propensity'->>'min')::float8 - (SELECT min(prop) FROM simx)) = 0
          AND abs((uplift_model_info(m)->'propensity'->>'max')::float8 - (SELECT max(prop) FROM simx)) = 0
          AND (uplift_model_info(m)->'propensity'->>'clipped_rows')::int = 0,
          'the DR model reports the range of logged propensities and no clipped rows')
FROM fits WHERE name = 'DR';

SELECT * FROM finish();
ROLLBACK;
