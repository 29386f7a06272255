-- pgTAP: a long DR-learner fit is cancelled promptly by statement_timeout.
-- The fit (300 features, 3 actions, 20,000 rows: four outcome models and
-- three effect models over pseudo-outcomes) takes about 4 seconds, so the
-- cancel must come from inside the fit.
BEGIN;
SELECT plan(2);

CREATE TEMP TABLE wide AS
SELECT i, ARRAY(SELECT sin(i * j + j) FROM generate_series(1, 300) j) AS x,
       i % 4 AS t, cos(i)::float8 AS y
FROM generate_series(1, 20000) i;

CREATE TEMP TABLE clock (started timestamptz);

CREATE FUNCTION pg_temp.outcome_of(q text) RETURNS text LANGUAGE plpgsql AS $f$
BEGIN
    EXECUTE q;
    RETURN 'completed';
EXCEPTION WHEN query_canceled THEN
    RETURN SQLSTATE;
END
$f$;

INSERT INTO clock VALUES (clock_timestamp());
SET LOCAL statement_timeout = '500ms';
SELECT is(pg_temp.outcome_of($$SELECT uplift_fit(x, t, y, '{"learner": "dr_learner"}') FROM wide$$),
          '57014', 'statement_timeout cancels a running dr_learner fit with SQLSTATE 57014');
RESET statement_timeout;

SELECT ok(clock_timestamp() - started < interval '2.5 seconds',
          'the cancel arrives within 2 seconds of the 0.5 s timeout')
FROM clock;

SELECT * FROM finish();
ROLLBACK;
