-- pgTAP: final functions that return arrays of rows read their row type from
-- their own declaration (pg_proc.prorettype), not from the call's expression
-- tree, which a final function called directly (as Citus calls it, through
-- fmgr_info) does not have.  No SQL statement can call a function without an
-- expression tree, so this file checks (1) the catalog: every such final
-- function declares a concrete array of a composite type, the one case the
-- C code resolves without fn_expr; (2) the three functions of the bug
-- report, reached through aggregates of our own built from their support
-- functions, against results computed by hand.
BEGIN;
SELECT plan(6);

-- (1) every final function of an uplift aggregate that returns an array
-- of rows (not of a base type such as float8) returns an array of a
-- composite type, never a polymorphic or record type
CREATE TEMP VIEW array_finals AS
SELECT DISTINCT f.oid, f.proname::text AS proname, t.typtype, el.typtype AS elem_typtype
FROM pg_aggregate a
JOIN pg_proc f ON f.oid = a.aggfinalfn
JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = a.aggfnoid
                 AND d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e'
JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'uplift'
JOIN pg_type t ON t.oid = f.prorettype
LEFT JOIN pg_type el ON el.oid = t.typelem
WHERE (t.typcategory = 'A' AND el.typtype <> 'b') OR t.typtype = 'p';

SELECT is((SELECT count(*)::int FROM array_finals), 6,
          'six final functions return arrays (curve, by_percentile, net_value, treatment_balance, ate, ope_allocation)');
SELECT is((SELECT array_agg(proname ORDER BY proname) FROM array_finals
           WHERE NOT (typtype = 'b' AND elem_typtype = 'c')),
          NULL,
          'each of them declares a concrete array of a composite type');

-- (2) four units, one bin: uplift = mean treated - mean control
--   treated: 1, 0 -> 0.5; control: 0, 0 -> 0; uplift 0.5
CREATE TEMP TABLE four (score float8, treatment int, outcome float8);
INSERT INTO four VALUES (0.9, 1, 1), (0.6, 0, 0), (0.4, 1, 0), (0.1, 0, 0);

CREATE AGGREGATE pg_temp.bins_of(float8, int, float8, int, text) (
    SFUNC = uplift_by_percentile_transfn, STYPE = internal,
    FINALFUNC = uplift_by_percentile_finalfn, FINALFUNC_MODIFY = READ_WRITE);
CREATE AGGREGATE pg_temp.curve_of(float8, int, float8) (
    SFUNC = uplift_eval_transfn, STYPE = internal,
    FINALFUNC = uplift_curve_finalfn, FINALFUNC_MODIFY = READ_WRITE);
CREATE AGGREGATE pg_temp.net_of(float8, int, float8, float8) (
    SFUNC = uplift_net_value_transfn, STYPE = internal,
    FINALFUNC = uplift_net_value_finalfn, FINALFUNC_MODIFY = READ_WRITE);

SELECT is((SELECT array_agg(ARRAY[n_treatment, n_control, uplift])
           FROM unnest((SELECT pg_temp.bins_of(score, treatment, outcome, 1, 'overall') FROM four))),
          ARRAY[[2, 2, 0.5]]::float8[],
          'uplift_by_percentile_finalfn: one bin, uplift 1/2 - 0/2');
-- the Qini curve Yt(k) - Yc(k) Nt(k) / Nc(k): no control row has a success,
-- so it is the count of treated successes, 1 once the unit at 0.9 is in
SELECT is((SELECT array_agg(y ORDER BY point)
           FROM unnest((SELECT pg_temp.curve_of(score, treatment, outcome) FROM four))
           WHERE curve = 'qini'),
          (SELECT array_agg(y ORDER BY point)
           FROM unnest((SELECT uplift_curve(score, treatment, outcome) FROM four))
           WHERE curve = 'qini'),
          'uplift_curve_finalfn through an aggregate of our own: the same Qini points');
SELECT is((SELECT max(y) FROM unnest((SELECT pg_temp.curve_of(score, treatment, outcome) FROM four))
           WHERE curve = 'qini'),
          1::float8, 'the Qini curve peaks at the one treated success');
-- net value with value = outcome, no cost: at full depth 1 - 0 * 2/2 = 1
SELECT is((SELECT net_value FROM unnest((SELECT pg_temp.net_of(score, treatment, outcome, 0) FROM four))
           WHERE x = 4),
          1::float8, 'uplift_net_value_finalfn: net value 1 at full depth');

SELECT * FROM finish();
ROLLBACK;
