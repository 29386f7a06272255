-- uplift upgrade script from 0.1.0 to 0.2.0, assembled from
-- sql/updates/0.2.0/*.sql by the Makefile.  Each fragment changes the objects
-- of one area so that an updated installation equals a fresh install of
-- 0.2.0 (test/shell/upgrade.sh compares the two).

\echo Use "ALTER EXTENSION uplift UPDATE TO '0.2.0'" to load this file. \quit
