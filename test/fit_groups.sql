-- pgTAP: grouped fits name their group.  Option "group" puts the group's key
-- in the CONTEXT of the fit's errors; "skip_incomplete" turns a group
-- without an arm into a NULL model and a warning.  The other groups' models
-- are exactly the ungrouped fits of their rows, serial or parallel.
BEGIN;
SELECT plan(9);

-- Three segments; segment 2 is all treated.
CREATE TEMP TABLE fg AS
SELECT g % 3 AS seg, ARRAY[g % 7, g % 5]::float8[] AS x,
       CASE WHEN g % 3 = 2 THEN 1 ELSE g % 2 END AS treat, (g % 4)::float8 AS y
  FROM generate_series(1, 3000) g;

CREATE FUNCTION pg_temp.fit_context(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE ctx text;
BEGIN
    EXECUTE q;
    RETURN 'no error';
EXCEPTION WHEN data_exception THEN
    GET STACKED DIAGNOSTICS ctx = PG_EXCEPTION_CONTEXT;
    RETURN split_part(ctx, E'\n', 1);
END $$;

SELECT is(pg_temp.fit_context($$SELECT seg, uplift_fit(x, treat, y, jsonb_build_object('group', 'segment ' || seg))
                                  FROM fg GROUP BY seg$$),
          'uplift_fit of group "segment 2"', 'the error of a group without control rows names the group');
SELECT is(pg_temp.fit_context($$SELECT seg, uplift_fit(x, treat, y, jsonb_build_object('group', seg))
                                  FROM fg GROUP BY seg$$),
          'uplift_fit of group "2"', 'a numeric key is named as its text');

SET LOCAL client_min_messages = error;
CREATE TEMP TABLE fg_serial AS
SELECT seg, uplift_fit(x, treat, y, jsonb_build_object('group', seg, 'skip_incomplete', true)) AS m
  FROM fg GROUP BY seg;
SELECT is((SELECT array_agg(seg ORDER BY seg) FROM fg_serial WHERE m IS NULL), ARRAY[2],
          'skip_incomplete: the group without control rows gets a NULL model');
SELECT is((SELECT array_agg(uplift_model_checksum(m) ORDER BY seg) FROM fg_serial WHERE m IS NOT NULL),
          (SELECT array_agg(c ORDER BY seg) FROM (
             SELECT 0 AS seg, uplift_model_checksum(uplift_fit(x, treat, y)) AS c FROM fg WHERE seg = 0
             UNION ALL
             SELECT 1, uplift_model_checksum(uplift_fit(x, treat, y)) FROM fg WHERE seg = 1) f),
          'the other groups get exactly the models of their rows fitted alone (the key is not stored)');

SELECT force_parallel();
SELECT is((SELECT array_agg(uplift_model_checksum(m) ORDER BY seg) FROM (
             SELECT seg, uplift_fit(x, treat, y, jsonb_build_object('group', seg, 'skip_incomplete', true)) AS m
               FROM fg GROUP BY seg) p),
          (SELECT array_agg(uplift_model_checksum(m) ORDER BY seg) FROM fg_serial),
          'the same models under a parallel plan');
SELECT is(pg_temp.fit_context($$SELECT uplift_fit(x, treat, y, '{"group": "all treated"}') FROM fg WHERE seg = 2$$),
          'uplift_fit of group "all treated"', 'the key survives the parallel state');
SELECT force_serial();

SELECT throws_ok($$SELECT uplift_fit(x, treat, y, '{"group": [1]}') FROM fg$$, '22023',
                 'option "group" of uplift_fit must be a string, a number or a boolean', 'a key that is not a scalar');
SELECT throws_ok($$SELECT uplift_fit(x, treat, y, '{"skip_incomplete": "yes"}') FROM fg$$, '22023', NULL,
                 'skip_incomplete must be a boolean');
SELECT throws_ok($$SELECT uplift_fit(x, treat, y, '{"group": "g"}') FROM fg WHERE seg = 2$$, '22000',
                 'treatment 0 of uplift_fit has no rows', 'without skip_incomplete the error stands');

SELECT * FROM finish();
ROLLBACK;
