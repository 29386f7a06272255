-- pgTAP: scoring a stored model against scikit-learn's predictions on the
-- Hillstrom subset (../shared/reference, README section e).  The models are
-- imported from the reference coefficients, so this checks scoring alone.
BEGIN;
SELECT plan(8);

CREATE TEMP TABLE m AS
SELECT uplift_model_import(ref_t_learner('logistic_visit', '%newton-cholesky%', 'logistic', 'logit')) AS visit,
       uplift_model_import(ref_t_learner('ols_spend', 'LinearRegression%', 'linear', 'identity')) AS spend;

CREATE TEMP TABLE r AS
SELECT r.*, ARRAY[recency, history_k, mens, womens, newbie] AS x
FROM ref_model_uplift_first20 r;

SELECT is(count(*), 20::bigint, 'the 20 reference rows are loaded') FROM r;

SELECT ok(max(abs(uplift_score(m.visit, r.x) - r.uplift_visit_logistic_newton_cholesky)
              / abs(r.uplift_visit_logistic_newton_cholesky)) < 1e-12,
          'logistic T-learner uplift equals scikit-learn''s predict_proba difference to 1e-12')
FROM r, m;

SELECT ok(max(abs(uplift_score(m.spend, r.x) - r.uplift_spend_ols) / abs(r.uplift_spend_ols)) < 1e-12,
          'OLS T-learner uplift equals scikit-learn''s prediction difference to 1e-12')
FROM r, m;

SELECT ok(max(abs(uplift_predict(m.spend, r.x, 1) - r.mu1_spend)) < 1e-12
          AND max(abs(uplift_predict(m.spend, r.x, 0) - r.mu0_spend)) < 1e-12,
          'uplift_predict gives each arm''s OLS prediction')
FROM r, m;

SELECT ok(bool_and(uplift_scores(m.visit, r.x)
                   = ARRAY[uplift_score(m.visit, r.x, 1)]),
          'uplift_scores agrees with uplift_score per action')
FROM r, m;

SELECT ok(max(abs(uplift_score(m.visit, r.x::float4[]) - uplift_score(m.visit, (r.x::float4[])::float8[]))) = 0,
          'float4[] features score as their float8 values')
FROM r, m;

-- Scoring over the whole subset: the mean T-learner uplift of the OLS model is
-- mean(mu1) - mean(mu0), and with an intercept OLS reproduces each arm's mean
-- on its own rows; check on the arm means computed in plain SQL.
SELECT ok(abs(avg(uplift_predict(m.spend, h.features, 1)) FILTER (WHERE h.treatment = 1)
              - avg(h.spend) FILTER (WHERE h.treatment = 1)) < 1e-9,
          'OLS arm model reproduces its arm''s mean spend (normal equations)')
FROM hillstrom_mens h, m;

SELECT is(uplift_model_import(uplift_model_info(m.visit))::text, m.visit::text,
          'importing a model''s own description gives the same stored bytes')
FROM m;

SELECT * FROM finish();
ROLLBACK;
