-- pgTAP: models stored by format version 1 (the first release) keep loading
-- and score as the closed form of their coefficients says.  The two values
-- below are frozen text written by version 0.1.0; never regenerate them.
BEGIN;
SELECT plan(5);

CREATE TEMP TABLE v1 (name text, model uplift_model);
INSERT INTO v1 VALUES
 ('t_logistic', 'VVBMTQABAAAAAAFj0kEz/wAAAAEAAAABAAAAAgAAAAMBAQAAAAFhAAAAAWIAAAABYwAAAAAAAAAKAAAAAAAAAAwAAAAAAAAACT+5mZmZmZmaP8mZmZmZmZo/0zMzMzMzMz/QAAAAAAAAP+AAAAAAAAAAAAAAAAAAAAAAACF7ImwyIjogMSwgImxlYXJuZXIiOiAidF9sZWFybmVyIn0AAAAAAAMAAAABAAAAAAAAAAIAAAAEv/AAAAAAAAA/uZmZmZmZmj/JmZmZmZmaP9MzMzMzMzMAAAAAAAAACgAAAAQBPdt839nXvbsAAAABAAAAAQAAAAIAAAAEv+AAAAAAAAA/0zMzMzMzMz/JmZmZmZmaP7mZmZmZmZoAAAAAAAAADAAAAAUBPet839nXvbsAAAABAAAAAgAAAAIAAAAEv+ZmZmZmZmYAAAAAAAAAAD/gAAAAAAAAv7mZmZmZmZoAAAAAAAAACQAAAAQBPfSdp+Nhzkw='),
 ('s_linear', 'VVBMTQABAAAAAADTogAdkQAAAAIAAAACAAAAAgAAAAIBAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAH/4AAAAAAAAf/gAAAAAAAB/+AAAAAAAAH/4AAAAAAAAf/gAAAAAAAAAAAAAAAAAAAAAAAJ7fQAAAAAAAQAAAAL/////AAAAAQAAAAk/8AAAAAAAAD/wAAAAAAAAQAAAAAAAAAA/4AAAAAAAAD/mZmZmZmZmP7mZmZmZmZo/yZmZmZmZmj/TMzMzMzMzP9mZmZmZmZoAAAAAAAAAAAAAAAABAAAAAAAAAAA=');

SELECT is((SELECT count(*) FROM v1 WHERE (uplift_model_info(model) ->> 'format_version')::int = 1),
          2::bigint, 'both version-1 models load');

-- T-learner, logistic: effect_k(x) = s(eta_k(x)) - s(eta_0(x)), s(z) = 1/(1+exp(-z))
SELECT ok(bool_and(abs(uplift_score(model, x, 1) - (s1 - s0)) < 1e-15
               AND abs(uplift_score(model, x, 2) - (s2 - s0)) < 1e-15),
          'the version-1 T-learner scores as its closed form')
FROM v1, (VALUES (ARRAY[1, 0.5, -2]::float8[]), (ARRAY[0, 0, 0]::float8[]), (ARRAY[3, -1, 2]::float8[])) AS r(x),
     LATERAL (SELECT 1/(1+exp(-(-1 + 0.1*x[1] + 0.2*x[2] + 0.3*x[3]))) AS s0,
                     1/(1+exp(-(-0.5 + 0.3*x[1] + 0.2*x[2] + 0.1*x[3]))) AS s1,
                     1/(1+exp(-(-0.7 + 0.0*x[1] + 0.5*x[2] - 0.1*x[3]))) AS s2) s
WHERE name = 't_logistic';

-- S-learner, linear, with interactions: effect_1 = 0.5 + 0.1 x1 + 0.2 x2,
-- effect_2 = 0.7 + 0.3 x1 + 0.4 x2
SELECT ok(bool_and(abs(uplift_score(model, x, 1) - (0.5 + 0.1*x[1] + 0.2*x[2])) < 1e-12
               AND abs(uplift_score(model, x, 2) - (0.7 + 0.3*x[1] + 0.4*x[2])) < 1e-12),
          'the version-1 S-learner scores as its closed form')
FROM v1, (VALUES (ARRAY[1, 0.5]::float8[]), (ARRAY[-2, 3]::float8[])) AS r(x)
WHERE name = 's_linear';

SELECT is(uplift_model_info(model) -> 'feature_names', '["a", "b", "c"]'::jsonb,
          'feature names survive')
FROM v1 WHERE name = 't_logistic';

SELECT is(uplift_model_info(model) -> 'propensity', '{"min": 0.25, "max": 0.5, "clipped_rows": 0}'::jsonb,
          'propensity range survives')
FROM v1 WHERE name = 't_logistic';

SELECT * FROM finish();
ROLLBACK;
