-- pgTAP: the helper thread that faults in a training buffer's next chunks
-- (uplift.prefault, src/prefault.c) changes nothing but the time.  With 64
-- features a row takes 513 bytes and a chunk of the largest size (32 MB)
-- 65,536 rows, so arm 0 of these 260,000 rows (247,000 of them) fills two
-- largest chunks and takes a spare (the unit tests of
-- test/unit/test_trainbuf.c check when spares are made).  The same fits with
-- the helper and without give the same model bit for bit, also when
-- outcomes other than 0 or 1 come after a spare was made (row 100,001) and
-- after it was taken (row 200,001); a fit cancelled while the helper runs
-- leaves no thread behind.
BEGIN;
SELECT plan(4);

-- 997 feature vectors, repeated (cheaper to make than 260,000)
SELECT setseed(0.25);
CREATE TEMP TABLE pf_patterns AS
SELECT k, ARRAY(SELECT random() FROM generate_series(1, 64) WHERE k >= 0) AS x
FROM generate_series(0, 996) k;
CREATE TEMP TABLE pf AS
SELECT i, p.x, (i % 20 = 0)::int AS t, ((i::bigint * 7919) % 7 < 3)::int::float8 AS y
FROM generate_series(1, 260000) i JOIN pf_patterns p ON p.k = i % 997
ORDER BY i;
SELECT force_serial();

CREATE TEMP TABLE fits (prefault text, logistic text, widened text);
DO $$
DECLARE
    setting text;
BEGIN
    FOREACH setting IN ARRAY ARRAY['off', 'on'] LOOP
        PERFORM set_config('uplift.prefault', setting, true);
        INSERT INTO fits
        SELECT setting,
               uplift_model_checksum(uplift_fit(x, t, y, '{"base": "logistic"}')),
               uplift_model_checksum(uplift_fit(x, t, CASE WHEN i IN (100001, 200001) THEN 0.5 ELSE y END,
                                                '{"base": "linear", "learner": "class_transform"}'))
        FROM pf;
    END LOOP;
END $$;

SELECT ok(f_on.logistic = f_off.logistic, 'a logistic fit with the helper is the fit without it, bit for bit')
FROM fits f_on, fits f_off WHERE f_on.prefault = 'on' AND f_off.prefault = 'off';
SELECT ok(f_on.widened = f_off.widened,
          'outcomes widened to doubles after the spares were made: the same model bit for bit')
FROM fits f_on, fits f_off WHERE f_on.prefault = 'on' AND f_off.prefault = 'off';

SET LOCAL uplift.prefault = on;
SET LOCAL statement_timeout = '250ms';
SELECT is(query_outcome($$SELECT uplift_fit(x, t, y, '{"base": "logistic"}') FROM pf$$), '57014',
          'a fit cancelled while its rows arrive stops with 57014');
RESET statement_timeout;
SELECT is((SELECT count(*) FROM pg_ls_dir('/proc/self/task')), 1::bigint,
          'no thread is left behind');

SELECT * FROM finish();
ROLLBACK;
