-- pgTAP: the catalog side of the extension's security rules (the attack
-- itself is test/shell/search_path_attack.sh): no SECURITY DEFINER, every
-- pinned search_path is pg_catalog, pg_temp, every PL/pgSQL body is pinned,
-- and SQL bodies parsed at call time without a pinned search_path name every
-- function and operator with its schema.
BEGIN;
SELECT plan(5);

CREATE TEMP VIEW sec_functions AS
SELECT p.oid, p.oid::regprocedure::text AS sig, l.lanname, p.prosecdef, p.proconfig,
       p.prosqlbody IS NOT NULL AS bound_at_create,
       -- the body without comments, string literals and OPERATOR(pg_catalog.x)
       regexp_replace(regexp_replace(regexp_replace(p.prosrc, '--[^\n]*', '', 'g'),
                                     '''[^'']*''', '', 'g'),
                      'OPERATOR\(pg_catalog\.[^)]*\)', '', 'gi') AS src
  FROM pg_proc p
  JOIN pg_language l ON l.oid = p.prolang
  JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
 WHERE d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'uplift');

SELECT is((SELECT array_agg(sig) FROM sec_functions WHERE prosecdef), NULL,
          'no function of the extension is SECURITY DEFINER');
SELECT is((SELECT array_agg(sig) FROM sec_functions, unnest(proconfig) c
            WHERE c LIKE 'search_path=%' AND c <> 'search_path=pg_catalog, pg_temp'), NULL,
          'every pinned search_path is pg_catalog, pg_temp (never the extension''s schema, which others may write to)');
-- One exception: uplift_monitor_alerts (both overloads) runs the caller's query text for its
-- drift check, which must see the caller's search_path; every name and
-- operator in its body is qualified instead, and test/shell/search_path_attack.sh
-- calls it with every shadow planted.
SELECT is((SELECT array_agg(sig) FROM sec_functions
            WHERE lanname = 'plpgsql'
              AND sig NOT IN ('uplift_monitor_alerts(text,interval,jsonb,uplift_drift_profile,text)',
                              'uplift_monitor_alerts(text,interval,jsonb,text,text)')
              AND NOT coalesce(proconfig, '{}') @> ARRAY['search_path=pg_catalog, pg_temp']), NULL,
          'every PL/pgSQL function but uplift_monitor_alerts pins its search_path');
SELECT is((SELECT array_agg(DISTINCT sig || ': ' || m[1])
             FROM sec_functions, regexp_matches(src, '(?:^|[^.\w])([a-z_][a-z0-9_]*)\s*\(', 'gi') m
            WHERE lanname = 'sql' AND NOT bound_at_create
              AND NOT coalesce(proconfig, '{}') @> ARRAY['search_path=pg_catalog, pg_temp']
              AND lower(m[1]) NOT IN ('select', 'from', 'where', 'and', 'or', 'not', 'in', 'any', 'all',
                                      'exists', 'array', 'row', 'values', 'as', 'on', 'using', 'coalesce',
                                      'nullif', 'greatest', 'least', 'case', 'when', 'then', 'else', 'cast',
                                      'over', 'filter', 'join', 'lateral', 'with')), NULL,
          'SQL bodies parsed at call time qualify every function they call');
SELECT is((SELECT array_agg(sig) FROM sec_functions
            WHERE lanname = 'sql' AND NOT bound_at_create
              AND NOT coalesce(proconfig, '{}') @> ARRAY['search_path=pg_catalog, pg_temp']
              AND src ~ '[-+*/<>=~!@#%^&|]'), NULL,
          'SQL bodies parsed at call time use no unqualified operator');

SELECT * FROM finish();
ROLLBACK;
