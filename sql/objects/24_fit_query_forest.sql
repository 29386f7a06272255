-- uplift_forest_pass (src/forest_pass.c): one pass of one of
-- uplift_fit_query's forests (the uplift forest, or a forest head of a
-- meta-learner), an aggregate whose state is the bin sample and the arms'
-- exact sums (kind "sample"), or the statistics of one block of a level of
-- the forest (kinds "level" and "leaves"), as the setup (a bytea made by
-- uplift_fit_query, src/forest_pass.h) says.  The state is a concrete type
-- (not internal), bounded by the sample or the block, so that parallel
-- workers and the shards of a distributed table (Citus) compute partial
-- states that the combine function merges.

CREATE TYPE uplift_forest_pass_state;

CREATE FUNCTION uplift_forest_pass_state_in(cstring) RETURNS uplift_forest_pass_state
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION uplift_forest_pass_state_out(uplift_forest_pass_state) RETURNS cstring
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION uplift_forest_pass_state_recv(internal) RETURNS uplift_forest_pass_state
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION uplift_forest_pass_state_send(uplift_forest_pass_state) RETURNS bytea
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE uplift_forest_pass_state (
    INPUT = uplift_forest_pass_state_in,
    OUTPUT = uplift_forest_pass_state_out,
    RECEIVE = uplift_forest_pass_state_recv,
    SEND = uplift_forest_pass_state_send,
    INTERNALLENGTH = VARIABLE,
    ALIGNMENT = double,
    STORAGE = extended
);

COMMENT ON TYPE uplift_forest_pass_state IS
'partial state of uplift_forest_pass: the bin sample and exact sums per arm, or the statistics of one block of a forest level';

-- Not STRICT: a NULL argument is the error uplift_fit gives, a NULL side of
-- the combine the state of a part without rows.
CREATE FUNCTION uplift_forest_pass_transfn(uplift_forest_pass_state, float8[], int, float8, float8, bytea)
RETURNS uplift_forest_pass_state AS 'MODULE_PATHNAME' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION uplift_forest_pass_combinefn(uplift_forest_pass_state, uplift_forest_pass_state)
RETURNS uplift_forest_pass_state AS 'MODULE_PATHNAME' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION uplift_forest_pass_finalfn(uplift_forest_pass_state)
RETURNS bytea AS 'MODULE_PATHNAME' LANGUAGE C STRICT PARALLEL SAFE;

CREATE AGGREGATE uplift_forest_pass(features float8[], treatment int, outcome float8,
                                    propensity float8, setup bytea) (
    SFUNC = uplift_forest_pass_transfn,
    STYPE = uplift_forest_pass_state,
    COMBINEFUNC = uplift_forest_pass_combinefn,
    FINALFUNC = uplift_forest_pass_finalfn,
    FINALFUNC_MODIFY = READ_ONLY,
    PARALLEL = SAFE
);

COMMENT ON AGGREGATE uplift_forest_pass(float8[], int, float8, float8, bytea) IS
'one pass of one of uplift_fit_query''s forests: the bin sample, or the statistics of one block of a level';
