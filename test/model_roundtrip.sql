-- pgTAP: uplift_model_import(uplift_model_info(m)) gives back m's exact bytes
-- for every learner and base the suite fits, with and without calibration,
-- feature names, logged propensities and options; feature names that would
-- collide in uplift_model_info are refused; every string of a stored model
-- must be valid UTF-8.
BEGIN;
SELECT plan(21);

CREATE TABLE rt_camp AS SELECT * FROM uplift_demo_campaign(3000, 17);

-- every learner x base, with a spread of options, names and propensities
CREATE TABLE rt_fits AS
SELECT l AS learner, b AS base, o.label,
       CASE WHEN o.weighted
            THEN (SELECT uplift_fit(features, action, CASE b WHEN 'logistic' THEN converted ELSE value END,
                                    CASE WHEN l = 'class_transform' AND b = 'logistic' THEN 0.5 ELSE propensity END,
                                    o.opts || jsonb_build_object('learner', l, 'base', b))
                  FROM rt_camp WHERE action <= CASE l WHEN 'class_transform' THEN 1 ELSE 2 END)
            ELSE (SELECT uplift_fit(features, action, CASE b WHEN 'logistic' THEN converted ELSE value END,
                                    o.opts || jsonb_build_object('learner', l, 'base', b))
                  FROM rt_camp WHERE action <= CASE l WHEN 'class_transform' THEN 1 ELSE 2 END)
       END AS model
FROM unnest(ARRAY['t_learner', 's_learner', 'class_transform', 'x_learner', 'dr_learner']) l,
     unnest(ARRAY['linear', 'logistic']) b,
     (VALUES ('plain', false, '{}'::jsonb),
             ('names, l2, max_iter, tol', false,
              '{"feature_names": ["recency", "history", "mens", "womens", "newbie"], "l2": 0.5, "max_iter": 50, "tol": 1e-8}'),
             ('propensities, min_propensity, seed', true, '{"min_propensity": 0.35, "seed": 7}')) o(label, weighted, opts);
INSERT INTO rt_fits
SELECT 's_learner', b, 'no interactions',
       (SELECT uplift_fit(features, action, CASE b WHEN 'logistic' THEN converted ELSE value END,
                          jsonb_build_object('learner', 's_learner', 'base', b, 'interactions', false)) FROM rt_camp)
FROM unnest(ARRAY['linear', 'logistic']) b;
-- and each of them calibrated on the same campaign (but the linear S-learner
-- without interactions, whose effects are constant); small holdouts warn
SET LOCAL client_min_messages = error;
INSERT INTO rt_fits
SELECT f.learner, f.base, f.label || ', calibrated',
       (SELECT uplift_fit_calibration(f.model, c.features, c.action,
                                      CASE f.base WHEN 'logistic' THEN c.converted ELSE c.value END, c.propensity)
        FROM rt_camp c WHERE c.action <= CASE f.learner WHEN 'class_transform' THEN 1 ELSE 2 END)
FROM rt_fits f WHERE NOT (f.label = 'no interactions' AND f.base = 'linear');
RESET client_min_messages;

SELECT is(count(*), 63::bigint, 'every learner x base x option set, fitted and calibrated') FROM rt_fits;
SELECT is(count(DISTINCT learner || base), 10::bigint, 'five learners, two bases') FROM rt_fits;
SELECT is(array_agg(learner || ' ' || base || ' (' || label || ')') FILTER (WHERE uplift_model_import(uplift_model_info(model))::bytea <> model::bytea),
          NULL, 'uplift_model_import(uplift_model_info(m)) has the bytes of m for every fitted model')
FROM rt_fits;
SELECT is(count(*) FILTER (WHERE uplift_model_info(model) ->> 'calibration' IS NOT NULL
                             AND (uplift_model_info(model) #>> '{calibration,0,slope_se}')::float8 > 0), 31::bigint,
          'every calibrated model shows its slopes'' standard errors')
FROM rt_fits;
SET LOCAL extra_float_digits = 0;
SELECT is(count(*) FILTER (WHERE uplift_model_import(uplift_model_info(model))::bytea <> model::bytea), 0::bigint,
          'the round trip does not depend on extra_float_digits')
FROM rt_fits;
RESET extra_float_digits;
SELECT is(count(*) FILTER (WHERE uplift_model_checksum(uplift_model_import(uplift_model_info(model))) <> uplift_model_checksum(model)), 0::bigint,
          'and keeps every checksum')
FROM rt_fits;

-- a model described by hand: key order, spacing and -0 do not matter
SELECT is(uplift_model_import('{"learner":"s_learner","base":"linear","n_actions":1,"n_features":1,"interactions":false,
            "options": {"b": 1,   "a": [1, 2]},
            "heads":[{"role":"joint","action":-1,"link":"identity","intercept":-0.0,"coefficients":[1, -0]}]}')::bytea,
          uplift_model_import('{"options": {"a": [1,2], "b": 1}, "interactions": false,
            "heads":[{"coefficients":[1, 0], "intercept":0, "role":"joint","action":-1,"link":"identity"}],
            "n_features":1, "n_actions":1, "base":"linear", "learner":"s_learner"}')::bytea,
          'equal descriptions give equal bytes');

-- names: duplicates, and names of generated columns, are refused
SELECT throws_ok($$SELECT uplift_fit(features, action, value, '{"feature_names": ["a", "b", "a", "d", "e"]}') FROM rt_camp$$,
                 '22023', NULL, 'uplift_fit refuses duplicate feature names');
SELECT throws_ok($$SELECT uplift_fit(features, action, value, '{"learner": "s_learner", "feature_names": ["a", "action_1", "c", "d", "e"]}') FROM rt_camp$$,
                 '22023', NULL, 'uplift_fit refuses a feature named like an action column');
SELECT throws_ok($$SELECT uplift_fit(features, action, value, '{"feature_names": ["a", "action_2:b", "b", "d", "e"]}') FROM rt_camp$$,
                 '22023', NULL, 'uplift_fit refuses a feature named like an interaction column');
SELECT throws_ok($$SELECT uplift_model_import('{"learner":"t_learner","base":"linear","n_actions":1,"n_features":2,
                     "feature_names":["a","a"],
                     "heads":[{"role":"outcome","action":0,"link":"identity","intercept":0,"coefficients":[1,2]},
                              {"role":"outcome","action":1,"link":"identity","intercept":0,"coefficients":[3,4]}]}')$$,
                 '22023', NULL, 'uplift_model_import refuses duplicate feature names');
SELECT throws_ok($$SELECT uplift_model_import('{"learner":"s_learner","base":"linear","n_actions":1,"n_features":2,
                     "feature_names":["a","action_1"],
                     "heads":[{"role":"joint","action":-1,"link":"identity","intercept":0,"coefficients":[1,2,3,4,5]}]}')$$,
                 '22023', NULL, 'uplift_model_import refuses a feature named like an action column');
SELECT lives_ok($$SELECT uplift_fit(features, action, value, '{"feature_names": ["action", "action_", "action_x", "Action_1", "x1"]}') FROM rt_camp$$,
                'names that only resemble generated ones are fine');

-- Stored models patched byte by byte, with the checksum recomputed by an
-- independent CRC-32C (Castagnoli, reflected polynomial 0x82F63B78).
CREATE FUNCTION pg_temp.crc32c(b bytea) RETURNS bigint LANGUAGE plpgsql AS $f$
DECLARE
    crc bigint := 4294967295;
BEGIN
    FOR i IN 0 .. length(b) - 1 LOOP
        crc := crc # get_byte(b, i);
        FOR j IN 1 .. 8 LOOP
            crc := CASE WHEN crc & 1 = 1 THEN (crc >> 1) # 2197175160 ELSE crc >> 1 END;
        END LOOP;
    END LOOP;
    RETURN crc # 4294967295;
END $f$;
-- the model's bytes with the first occurrence of "from" replaced and a valid checksum
CREATE FUNCTION pg_temp.patched(m uplift_model, from_bytes bytea, to_bytes bytea) RETURNS bytea LANGUAGE plpgsql AS $f$
DECLARE
    b bytea := m::bytea;
    crc bigint;
BEGIN
    b := overlay(b PLACING to_bytes FROM position(from_bytes IN b) FOR length(from_bytes));
    crc := pg_temp.crc32c(substring(b FROM 17));
    RETURN overlay(b PLACING decode(lpad(to_hex(crc), 8, '0'), 'hex') FROM 13 FOR 4);
END $f$;

CREATE TEMP TABLE rt_named AS SELECT uplift_model_import('{"learner":"s_learner","base":"linear","n_actions":1,"n_features":2,
    "feature_names":["qq","zz"],
    "heads":[{"role":"joint","action":-1,"link":"identity","intercept":0.5,"coefficients":[1,2,3,4,5]}]}') AS m;
SELECT is(pg_temp.crc32c(substring(m::bytea FROM 17)), ('x' || uplift_model_checksum(m))::bit(32)::bigint,
          'the test''s CRC-32C agrees with the stored checksum')
FROM rt_named;
SELECT is(pg_temp.patched(m, 'zz', 'zz'), m::bytea, 'patching a name with itself changes nothing') FROM rt_named;

SELECT throws_ok($$SELECT pg_temp.patched(m, 'zz', '\xc328'::bytea)::uplift_model FROM rt_named$$,
                 '22P03', NULL, 'a feature name that is not valid UTF-8 is refused (bytea cast)');
SELECT throws_ok($$SELECT encode(pg_temp.patched(m, 'zz', '\xc328'::bytea), 'base64')::uplift_model FROM rt_named$$,
                 '22P03', NULL, 'a feature name that is not valid UTF-8 is refused (text input)');
SELECT throws_ok($$SELECT pg_temp.patched(m, '{}', '{' || '\xff'::bytea)::uplift_model FROM rt_named$$,
                 '22P03', NULL, 'options that are not valid UTF-8 are refused');
SELECT is(uplift_model_info(pg_temp.patched(m, 'zz', '\xc3a9'::bytea)::uplift_model) -> 'feature_names',
          '["qq", "\u00e9"]'::jsonb, 'a valid two-byte UTF-8 name reads back')
FROM rt_named;

-- a model stored before names were checked, with a name used twice: its
-- info lists every coefficient, in column order
SELECT is(uplift_model_info(pg_temp.patched(m, 'zz', 'qq')::uplift_model) #> '{heads,0,coefficients}',
          '[1, 2, 3, 4, 5]'::jsonb, 'duplicate names in a stored model: coefficients as an array, none dropped')
FROM rt_named;
SELECT is(uplift_model_info(m) #> '{heads,0,coefficients}',
          '{"qq": 1, "zz": 2, "action_1": 3, "action_1:qq": 4, "action_1:zz": 5}'::jsonb,
          'usable names: coefficients keyed by column name')
FROM rt_named;

SELECT * FROM finish();
ROLLBACK;
