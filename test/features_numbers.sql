-- pgTAP: a number in named features (jsonb) is read as the double
-- float8's input gives for its text, whether it is read from its digits or
-- through its text: random numbers of 1 to 20 digits times 10^-30 to 10^30,
-- both signs; numbers halfway between two doubles and beside them; the ends
-- of double precision; and every float8 put into jsonb comes back unchanged.
-- A model of one feature x whose treated head is 0 + 1 * x returns, from
-- uplift_predict, exactly the value read.  uplift_fit over numeric[] and a
-- drift profile of a numeric column (read the same way) give the model and
-- the profile of the same float8 values.
BEGIN;
SELECT plan(7);

CREATE TABLE fn_models AS
SELECT uplift_model_import('{"learner": "t_learner", "base": "linear", "n_actions": 1,
        "n_features": 1, "feature_names": ["x"],
        "heads": [{"role": "outcome", "action": 0, "link": "identity", "intercept": 0, "coefficients": {"x": 0}},
                  {"role": "outcome", "action": 1, "link": "identity", "intercept": 0, "coefficients": {"x": 1}}],
        "encoding": [{"key": "x", "type": "number", "mean": 0, "categorical": false, "missing_indicator": false}]}') AS named;

CREATE TABLE fn_random AS
SELECT sign * div(digits20, 10::numeric ^ (20 - ndigits)) * ('1e' || exp10)::numeric AS v
FROM (SELECT CASE WHEN random() < 0.5 THEN -1 ELSE 1 END AS sign,
             floor(random() * 1e10)::numeric * 1e10 + floor(random() * 1e10)::numeric AS digits20,
             1 + floor(random() * 20)::int AS ndigits,
             floor(random() * 61)::int - 30 AS exp10
      FROM (SELECT setseed(0.25)) s, generate_series(1, 50000)) r;

CREATE TABLE fn_hard (v numeric);
INSERT INTO fn_hard VALUES
  -- integers halfway between doubles, and their neighbours
  (9007199254740993), (9007199254740995), (9007199254740992), (9007199254740994),
  (18014398509481987), (36028797018963974), (9223372036854775807), (9223372036854776833),
  (18446744073709551615), (18446744073709551616), (18446744073709553665),
  -- 19 digits beside the midpoints of doubles, and decimals that are no double
  (0.1000000000000000055511151231257827), (0.1000000000000000055511151231257828),
  (0.30000000000000004), (0.3000000000000000444089209850062616), (0.3000000000000000444089209850062617),
  (2.0000000000000002220446049250313080), (2.0000000000000002220446049250313081),
  (1e22), (1e23), (1e27), (1e28), (1e-22), (1e-27), (1e-28), (123456789012345678901234567890),
  -- the ends of double precision
  (1.7976931348623157e308), (2.2250738585072014e-308), (2.2250738585072011e-308), (4.9406564584124654e-324),
  (0), (0.000), (-0.5), (-1e-300);

SELECT is((SELECT count(*) FROM fn_random, fn_models
           WHERE uplift_predict(named, jsonb_build_object('x', v), 1) IS DISTINCT FROM v::float8),
          0::bigint, 'random numbers in jsonb are read as float8''s input reads them');
SELECT ok(uplift_fit(ARRAY[v, w], (i % 2)::int, i % 7, '{"base": "linear"}')
          = uplift_fit(ARRAY[v, w]::float8[], (i % 2)::int, i % 7, '{"base": "linear"}'),
          'a fit over numeric[] is the fit over the same float8[] (the same doubles, to the bit)')
FROM (SELECT row_number() OVER () AS i, v, lead(v, 1, 1.0) OVER () AS w FROM fn_random
      WHERE abs(v) BETWEEN 1e-20 AND 1e20) r;
SELECT is((SELECT array_agg(v ORDER BY v) FROM fn_hard, fn_models
           WHERE uplift_predict(named, jsonb_build_object('x', v), 1) IS DISTINCT FROM v::float8),
          NULL, 'halfway cases, their neighbours and the ends of double precision');
SELECT is((SELECT count(*) FROM fn_models, (VALUES ('{"x": 9007199254740993}'), ('{"x": 1e23}'),
              ('{"x": 0.1000000000000000055511151231257827}'), ('{"x": -2.2250738585072011e-308}')) t(j)
           WHERE uplift_predict(named, j::jsonb, 1) IS DISTINCT FROM (j::jsonb ->> 'x')::float8),
          0::bigint, 'numbers parsed from JSON text too');
SELECT is((SELECT count(*) FROM fn_models,
             (SELECT random() * 10 ^ (floor(random() * 40) - 20) AS d
              FROM generate_series(1, 50000)) r
           WHERE uplift_predict(named, jsonb_build_object('x', d), 1) IS DISTINCT FROM d),
          0::bigint, 'every float8 put into jsonb comes back unchanged');
SELECT is((SELECT uplift_drift_profile(r)::text FROM (SELECT v AS x FROM fn_random) r),
          (SELECT uplift_drift_profile(r)::text FROM (SELECT v::float8 AS x FROM fn_random) r),
          'a drift profile of a numeric column is the profile of the same column as float8');
SELECT throws_ok($$SELECT uplift_predict(named, '{"x": 1e400}'::jsonb, 1) FROM fn_models$$,
                 '22003', NULL, 'a number beyond double precision is an error, not infinity');

SELECT * FROM finish();
ROLLBACK;
