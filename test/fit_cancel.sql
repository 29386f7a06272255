-- pgTAP: a long fit is cancelled promptly by statement_timeout.  The data
-- load takes well under the timeout; the fit itself (an S-learner with 100
-- features, 3 actions and interactions: 403 design columns, 20,000 rows)
-- takes several seconds, so the cancel must come from the solver's loops.
BEGIN;
SELECT plan(2);

CREATE TEMP TABLE wide AS
SELECT i, ARRAY(SELECT sin(i * j + j) FROM generate_series(1, 100) j) AS x,
       i % 4 AS t, (i % 3 = 0)::int::float8 AS y
FROM generate_series(1, 20000) i;

CREATE TEMP TABLE clock (started timestamptz);
INSERT INTO clock VALUES (clock_timestamp());

-- throws_ok cannot catch a cancel (PL/pgSQL's WHEN OTHERS leaves out
-- query_canceled), so catch it by name and return its SQLSTATE.
CREATE FUNCTION pg_temp.outcome_of(q text) RETURNS text LANGUAGE plpgsql AS $f$
BEGIN
    EXECUTE q;
    RETURN 'completed';
EXCEPTION WHEN query_canceled THEN
    RETURN SQLSTATE;
END
$f$;

SET LOCAL statement_timeout = '500ms';
SELECT is(pg_temp.outcome_of($$SELECT uplift_fit(x, t, y, '{"learner": "s_learner"}') FROM wide$$),
          '57014', 'statement_timeout cancels a running fit with SQLSTATE 57014');
RESET statement_timeout;

SELECT ok(clock_timestamp() - started < interval '2.5 seconds',
          'the cancel arrives within 2 seconds of the 0.5 s timeout')
FROM clock;

SELECT * FROM finish();
ROLLBACK;
