-- pgTAP: exposure features from the assignment log (doc/portfolio.md,
-- "Exposure features").  A small log, worked by hand: unit 7 and unit key
-- user-7 at T = 2026-03-31 00:00 UTC with a 30-day window count the offers
-- logged in [2026-03-01 00:00, 2026-03-31 00:00).
BEGIN;
SELECT plan(31);
SET LOCAL timezone = 'UTC';

SELECT uplift_create_assignment_log();
INSERT INTO uplift_assignment_log (experiment, unit_id, unit_key, action, propensity, holdout, policy, assigned_at)
VALUES ('xp-a', 7, NULL, 1, 0.5, false, 'manual', '2026-03-10 00:00+00'),     -- counted
       ('xp-b', 7, NULL, 2, 0.5, false, 'manual', '2026-03-01 00:00+00'),     -- at the window's start: counted
       ('xp-c', 7, NULL, 1, 0.5, false, 'manual', '2026-03-31 00:00+00'),     -- at T: the future, ignored
       ('xp-d', 7, NULL, 1, 0.5, false, 'manual', '2026-02-28 23:59:59+00'),  -- before the window
       ('xp-e', 7, NULL, 0, 0.5, false, 'manual', '2026-03-15 00:00+00'),     -- no offer
       ('xp-f', 7, NULL, 1, 1.0, true,  'manual', '2026-03-15 00:00+00'),     -- holdout
       ('xp-g', 7, NULL, 3, 0.2, false, 'manual', '2026-03-30 23:59:59.999999+00'), -- just before T
       ('xp-a', 8, NULL, 1, 0.5, false, 'manual', '2026-03-10 00:00+00'),     -- another unit
       ('xp-a', NULL, 'user-7', 2, 0.5, false, 'manual', '2026-03-20 00:00+00'),
       ('xp-b', NULL, 'user-7', 1, 0.5, false, 'manual', '2026-04-02 00:00+00'),
       ('xp-c', NULL, '7', 1, 0.5, false, 'manual', '2026-03-20 00:00+00'); -- a key that reads like unit 7

SELECT is(uplift_exposure(7, '2026-03-31 00:00+00', '30 days',
                          ARRAY['xp-a', 'xp-b', 'xp-c', 'xp-d', 'xp-e', 'xp-f', 'xp-g', 'xp-none']),
          ARRAY[1, 1, 0, 0, 0, 0, 1, 0]::float8[],
          'one count per experiment, in the order given: the window start is in, T and later are out, no offers and the holdout are not counted');
SELECT is(uplift_exposure(7, '2026-03-31 00:00+00', '30 days', ARRAY['xp-g', 'xp-a', 'xp-g']),
          ARRAY[1, 1, 1]::float8[], 'the caller''s order and repetitions are kept');
SELECT is(uplift_exposure(7, '2026-03-31 00:00:00.000001+00', '30 days', ARRAY['xp-c']),
          ARRAY[1]::float8[], 'a row logged at T counts from one microsecond after T');
SELECT is(uplift_exposure(7, '2026-03-31 00:00+00', '21 days', ARRAY['xp-a', 'xp-b']),
          ARRAY[1, 0]::float8[], 'a 21-day window starts at 2026-03-10 00:00, which it includes');
SELECT is(uplift_exposure(7, '2026-03-31 00:00+00', '20 days 23:59:59.999999', ARRAY['xp-a']),
          ARRAY[0]::float8[], 'one microsecond less and the row of 2026-03-10 00:00 is out');
SELECT is(uplift_exposure(7, '2026-03-01 00:00+00', '1 day', ARRAY['xp-d', 'xp-b']),
          ARRAY[1, 0]::float8[], 'an earlier T sees the earlier row and not the row at T');
SELECT is(uplift_exposure(7, '2026-03-31 00:00+00', '30 days', ARRAY['xp-a', 'xp-b', 'xp-g', 'xp-f'], 3),
          ARRAY[1, 0, 0,  0, 1, 0,  0, 0, 1,  0, 0, 0]::float8[],
          'with actions = 3, element (i - 1) * 3 + k counts action k of experiments[i]');
SELECT is(uplift_exposure(7, '2026-03-31 00:00+00', '30 days', ARRAY['xp-g'], 2),
          ARRAY[0, 0]::float8[], 'an action beyond the K asked for is not counted');
SELECT is(uplift_exposure(7, '2026-03-31 00:00+00', '30 days', ARRAY[]::text[]),
          ARRAY[]::float8[], 'no experiments, no features');
SELECT is(uplift_exposure(9, '2026-03-31 00:00+00', '30 days', ARRAY['xp-a']),
          ARRAY[0]::float8[], 'a unit the log does not know has no exposure');

SELECT is(uplift_exposure('user-7', '2026-03-31 00:00+00', '30 days', ARRAY['xp-a', 'xp-b']),
          ARRAY[1, 0]::float8[], 'a unit key: its own rows, the future one ignored');
SELECT is(uplift_exposure('user-7', '2026-04-03 00:00+00', '30 days', ARRAY['xp-a', 'xp-b']),
          ARRAY[1, 1]::float8[], 'a later T counts the later row');
SELECT is(uplift_exposure('7', '2026-03-31 00:00+00', '30 days', ARRAY['xp-a', 'xp-c']),
          ARRAY[0, 1]::float8[], 'the key ''7'' is not the unit_id 7');
SELECT is(uplift_exposure('user-7', '2026-03-31 00:00+00', '30 days', ARRAY['xp-a'], 2),
          ARRAY[0, 1]::float8[], 'a unit key, per action');

SELECT is(uplift_exposure_jsonb(7, '2026-03-31 00:00+00', '30 days', ARRAY['xp-a', 'xp-c', 'xp-g']),
          '{"xp-a": 1, "xp-c": 0, "xp-g": 1}'::jsonb, 'the jsonb variant is keyed by experiment');
SELECT is(uplift_exposure_jsonb('user-7', '2026-04-03 00:00+00', '30 days', ARRAY['xp-b']),
          '{"xp-b": 1}'::jsonb, 'the jsonb variant of a unit key');
SELECT is(uplift_exposure_jsonb(7, '2026-03-31 00:00+00', '30 days', ARRAY[]::text[]),
          '{}'::jsonb, 'no experiments, an empty object');

-- A role that may read xp-a only sees no rows of the other experiments.
CREATE ROLE uplift_exposure_reader;
GRANT USAGE ON SCHEMA public TO uplift_exposure_reader;
INSERT INTO uplift_experiment_grants VALUES ('xp-a', 'uplift_exposure_reader', 'read');
SET LOCAL ROLE uplift_exposure_reader;
SELECT is(uplift_exposure(7, '2026-03-31 00:00+00', '30 days', ARRAY['xp-a', 'xp-b', 'xp-g']),
          ARRAY[1, 0, 0]::float8[], 'a caller sees only the experiments it may read');
RESET ROLE;

SELECT throws_ok($$SELECT uplift_exposure(NULL::bigint, now(), '1 day', ARRAY['x'])$$, '22004',
                 'unit_id of uplift_exposure must not be NULL', 'a NULL unit_id');
SELECT throws_ok($$SELECT uplift_exposure(NULL::text, now(), '1 day', ARRAY['x'])$$, '22004',
                 'unit_id of uplift_exposure must not be NULL', 'a NULL unit key');
SELECT throws_ok($$SELECT uplift_exposure(1, NULL, '1 day', ARRAY['x'])$$, '22004',
                 'at of uplift_exposure must not be NULL', 'a NULL at');
SELECT throws_ok($$SELECT uplift_exposure(1, now(), NULL, ARRAY['x'])$$, '22004',
                 'window of uplift_exposure must not be NULL', 'a NULL window');
SELECT throws_ok($$SELECT uplift_exposure(1, now(), '1 day', NULL)$$, '22004',
                 'experiments of uplift_exposure must not be NULL', 'NULL experiments');
SELECT throws_ok($$SELECT uplift_exposure(1, now(), '1 day', ARRAY['x'], NULL)$$, '22004',
                 'actions of uplift_exposure must not be NULL', 'NULL actions');
SELECT throws_ok($$SELECT uplift_exposure_jsonb(1, now(), '1 day', ARRAY['x', NULL])$$, '22004',
                 'experiments of uplift_exposure_jsonb must not contain NULL (element 2)',
                 'a NULL experiment name');
SELECT throws_ok($$SELECT uplift_exposure(1, now(), '-1 day', ARRAY['x'])$$, '22023',
                 'window of uplift_exposure must be positive, not -1 days', 'a negative window');
SELECT throws_ok($$SELECT uplift_exposure_jsonb('u', now(), '0', ARRAY['x'])$$, '22023',
                 'window of uplift_exposure_jsonb must be positive, not 00:00:00', 'an empty window');
SELECT throws_ok($$SELECT uplift_exposure(1, now(), 'a month ago', ARRAY['x'])$$, '22007',
                 NULL, 'a window that is not an interval');
SELECT throws_ok($$SELECT uplift_exposure(1, now(), '1 day', ARRAY['x'], -1)$$, '22023',
                 'actions of uplift_exposure must be 0 or more, not -1', 'negative actions');
SELECT throws_ok($$SELECT uplift_exposure(1, now(), '1 day', ARRAY[['x'], ['y']])$$, '2202E',
                 'experiments of uplift_exposure must be a one-dimensional array', 'a two-dimensional array');

DROP TABLE uplift_assignment_log;
SELECT is(uplift_exposure(7, '2026-03-31 00:00+00', '30 days', ARRAY['xp-a', 'xp-b'], 2),
          ARRAY[0, 0, 0, 0]::float8[], 'without a log there are no offers');

SELECT * FROM finish();
ROLLBACK;
