
-- Progress of long aggregates (src/progress.c, doc/progress.md): with the
-- setting uplift.progress on, uplift_fit reports as it runs, to the client
-- as NOTICEs and to other sessions through uplift_progress().

CREATE FUNCTION uplift_progress()
RETURNS TABLE (pid int, command text, phase text, rows_read bigint, rows_expected bigint,
               started timestamptz, updated timestamptz)
AS 'MODULE_PATHNAME' LANGUAGE C VOLATILE STRICT PARALLEL RESTRICTED;

COMMENT ON FUNCTION uplift_progress() IS
'one row per backend running a long uplift aggregate with uplift.progress on: what it runs, its phase, rows read and when it last reported';
