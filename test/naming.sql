-- pgTAP: the naming rules of doc/null-rules.md ("Every public function").
-- A C function has the name of its SQL function (an overload adds a suffix);
-- support functions of aggregates, types and operators, and helpers shared
-- by public functions, have names that say they are internal.
BEGIN;
SELECT plan(9);

CREATE TEMP VIEW ext_functions AS
SELECT p.oid, p.proname, p.oid::regprocedure::text AS sig, l.lanname, p.prosrc, p.prokind
  FROM pg_proc p
  JOIN pg_language l ON l.oid = p.prolang
  JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
 WHERE d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'uplift');

-- Every (function, role) pair of the aggregates' support functions.
CREATE TEMP VIEW agg_support AS
SELECT f.oid, f.proname, r.role
  FROM pg_aggregate a
  JOIN ext_functions g ON g.oid = a.aggfnoid
  CROSS JOIN LATERAL (VALUES (a.aggtransfn, 'transfn'), (a.aggfinalfn, 'finalfn'),
                             (a.aggcombinefn, 'combinefn'), (a.aggserialfn, 'serialfn'),
                             (a.aggdeserialfn, 'deserialfn')) AS r(fn, role)
  JOIN ext_functions f ON f.oid = r.fn;

SELECT is((SELECT array_agg(sig || ' -> ' || prosrc ORDER BY sig) FROM ext_functions e
            WHERE lanname = 'c' AND prosrc <> proname
              AND NOT (prosrc LIKE proname || '\_%'
                       AND (SELECT count(*) FROM ext_functions o WHERE o.proname = e.proname) > 1)),
          NULL,
          'a C function has the name of its SQL function, or that name and a suffix when the SQL function is overloaded');

SELECT is((SELECT array_agg(DISTINCT proname || ' (' || role || ')') FROM agg_support
            WHERE proname NOT LIKE '%\_' || role),
          NULL,
          'an aggregate''s support function ends in _transfn, _finalfn, _combinefn, _serialfn or _deserialfn, after its role');

SELECT is((SELECT array_agg(sig ORDER BY sig) FROM ext_functions e
            WHERE proname ~ '_(transfn|combinefn|serialfn|deserialfn|finalfn)$'
              AND NOT EXISTS (SELECT 1 FROM agg_support s WHERE s.oid = e.oid)),
          NULL,
          'only aggregate support functions end in _transfn, _finalfn, _combinefn, _serialfn or _deserialfn');

SELECT is((SELECT array_agg(DISTINCT t.typname || ': ' || f.proname)
             FROM pg_type t
             CROSS JOIN LATERAL (VALUES (t.typinput, 'in'), (t.typoutput, 'out'),
                                        (t.typreceive, 'recv'), (t.typsend, 'send')) AS r(fn, role)
             JOIN ext_functions f ON f.oid = r.fn
            WHERE f.proname <> t.typname || '_' || r.role),
          NULL,
          'a type''s input and output functions are named <type>_in, _out, _recv and _send');

SELECT is((SELECT array_agg(DISTINCT f.proname)
             FROM ext_functions f
            WHERE (EXISTS (SELECT 1 FROM pg_operator o WHERE o.oprcode = f.oid)
                   OR EXISTS (SELECT 1 FROM pg_amproc a WHERE a.amproc = f.oid))
              AND f.proname !~ '^uplift_model_(eq|ne|lt|le|gt|ge|cmp|hash|hash_extended)$'),
          NULL,
          'the functions behind operators and operator classes are named <type>_eq, _lt, _cmp, _hash and so on');

SELECT is((SELECT array_agg(DISTINCT f.proname)
             FROM ext_functions f
            WHERE f.proname ~ '_(in|out|recv|send)$'
              AND NOT EXISTS (SELECT 1 FROM pg_type t
                               WHERE f.oid IN (t.typinput, t.typoutput, t.typreceive, t.typsend))),
          NULL,
          'only type input and output functions end in _in, _out, _recv or _send');

SELECT is((SELECT array_agg(f.sig ORDER BY f.sig) FROM ext_functions f
            WHERE f.proname ~ '_support$'
              AND NOT EXISTS (SELECT 1 FROM pg_proc p WHERE p.prosupport = f.oid)),
          NULL,
          'a function ending in _support is the planner support function of another');

-- A trigger function is internal: the trigger calls it, users never do.
SELECT is((SELECT array_agg(DISTINCT f.proname)
             FROM ext_functions f JOIN pg_proc p ON p.oid = f.oid
            WHERE p.prorettype = 'trigger'::regtype AND f.proname !~ '_(check|guard)$'),
          NULL,
          'a trigger function ends in _check or _guard');

-- The public surface: what is left is what doc/null-rules.md lists
-- (test/shell/null_rules.sh compares the two); every aggregate is public.
SELECT is((SELECT array_agg(DISTINCT proname) FROM ext_functions
            WHERE prokind = 'a'
              AND proname ~ '_(transfn|combinefn|serialfn|deserialfn|finalfn|in|out|recv|send|check|guard|lock|internal|support)$'),
          NULL,
          'no aggregate has an internal name');

SELECT * FROM finish();
ROLLBACK;
