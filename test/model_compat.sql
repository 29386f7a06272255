-- pgTAP: models stored by format version 1 (the first release) keep loading
-- and score as the closed form of their coefficients says.  The two values
-- below are frozen text written by version 0.1.0; never regenerate them.
-- The version-3 model (named features) further down is frozen the same way.
BEGIN;
SELECT plan(9);

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

-- Format version 3: a linear T-learner over named features, channel (levels
-- Phone, Web, null, and Fax pooled as infrequent) and recency (mean 2, with a
-- missing indicator); frozen text, never regenerate it.
CREATE TEMP TABLE v3 (model uplift_model);
INSERT INTO v3 VALUES ('VVBMTQADAAAAAAHNsCbIlAAAAAEAAAACAAAAAQAAAAYAAQAAAAdyZWNlbmN5AAAAGG1pc3NpbmdpbmRpY2F0b3JfcmVjZW5jeQAAAA1jaGFubmVsPVBob25lAAAAC2NoYW5uZWw9V2ViAAAADGNoYW5uZWw9bnVsbAAAABJjaGFubmVsPWluZnJlcXVlbnQAAAAAAAAACgAAAAAAAAAMP/AAAAAAAABAAAAAAAAAAH/4AAAAAAAAf/gAAAAAAAAAAAAAAAAAAAAAAAJ7fQAAAAAAAgAAAAEAAAAAAAAAAQAAAAc/8AAAAAAAAD/gAAAAAAAAv/AAAAAAAAA/yZmZmZmZmj/TMzMzMzMzP7mZmZmZmZo/2ZmZmZmZmgAAAAAAAAAAAAAAAAEAAAAAAAAAAAAAAAEAAAABAAAAAQAAAAdAAAAAAAAAAD/QAAAAAAAAv+AAAAAAAAAAAAAAAAAAAD/wAAAAAAAAv/AAAAAAAAA/4zMzMzMzMwAAAAAAAAAAAAAAAAEAAAAAAAAAAAAAAAIAAAAHY2hhbm5lbAAAAAMBAAAAAwAAAAAFUGhvbmUAAAAAA1dlYgEAAAABAAAAAANGYXgAAAAHcmVjZW5jeQAAAAEAQAAAAAAAAAAB');

SELECT is(uplift_model_info(model) ->> 'format_version', '3', 'the version-3 model loads') FROM v3;

SELECT is(uplift_model_info(model) -> 'feature_names',
          '["recency", "missingindicator_recency", "channel=Phone", "channel=Web", "channel=null", "channel=infrequent"]'::jsonb,
          'its columns come back from its encoding') FROM v3;

-- effect = (2 - 1) + (0.25 - 0.5) recency + (-0.5 + 1) missing + (0 - 0.2) Phone
--          + (1 - 0.3) Web + (-1 - 0.1) null + (0.6 - 0.4) infrequent
SELECT ok(bool_and(abs(uplift_score(model, f) - e) < 1e-12),
          'the version-3 T-learner scores as its closed form (missing, unseen, pooled and null levels)')
FROM v3, (VALUES ('{"recency": 4, "channel": "Web"}'::jsonb, 1 - 0.25 * 4 + 0.7),
                 ('{"recency": null, "channel": "Phone"}'::jsonb, 1 - 0.25 * 2 + 0.5 - 0.2),
                 ('{"recency": 1, "channel": null}'::jsonb, 1 - 0.25 - 1.1),
                 ('{"recency": 1, "channel": "Fax"}'::jsonb, 1 - 0.25 + 0.2),
                 ('{"recency": 0, "channel": "Mail"}'::jsonb, 1.0)) AS r(f, e);

SELECT is(uplift_model_import(uplift_model_info(model))::text, model::text,
          'the version-3 model comes back byte for byte through its description') FROM v3;

SELECT * FROM finish();
ROLLBACK;
