-- uplift install script, assembled from sql/objects/*.sql by the Makefile.
-- Edit the fragments, never the assembled file.

\echo Use "CREATE EXTENSION uplift" to load this file. \quit
