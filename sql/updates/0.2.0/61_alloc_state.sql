
-- allocate_threshold keeps its state in the concrete type
-- uplift_allocate_threshold_state instead of internal (doc/citus.md).  An
-- aggregate's state type cannot be altered, so the three aggregates (the one
-- with unit ids made by the fragment before) and their support functions on
-- internal are dropped here, and the next fragment, a link to
-- sql/objects/61_allocate_threshold.sql, makes them again.

DROP AGGREGATE allocate_threshold(float8[], float8[], float8);
DROP AGGREGATE allocate_threshold(float8[], float8[], float8, jsonb);
DROP AGGREGATE allocate_threshold(bigint, float8[], float8[], float8, jsonb);

DROP FUNCTION allocate_threshold_transfn(internal, float8[], float8[], float8);
DROP FUNCTION allocate_threshold_transfn(internal, float8[], float8[], float8, jsonb);
DROP FUNCTION allocate_threshold_transfn(internal, bigint, float8[], float8[], float8, jsonb);
DROP FUNCTION allocate_threshold_combinefn(internal, internal);
DROP FUNCTION allocate_threshold_serialfn(internal);
DROP FUNCTION allocate_threshold_deserialfn(bytea, internal);
DROP FUNCTION allocate_threshold_finalfn(internal);
