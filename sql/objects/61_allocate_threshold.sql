
-- The threshold aggregate of the two-step allocation path
-- (src/allocate_scale.c; doc/allocation.md).  Its state is a concrete type
-- (not internal), so that a scale-out engine such as Citus computes partial
-- states on its shards and combines them on the coordinator (doc/citus.md).
-- The state holds the hull increments that may still set the threshold,
-- which the budget bounds; its text and binary forms are a portable,
-- versioned, checksummed format, validated on input.

CREATE TYPE uplift_allocate_threshold_state;

CREATE FUNCTION uplift_allocate_threshold_state_in(cstring) RETURNS uplift_allocate_threshold_state
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION uplift_allocate_threshold_state_out(uplift_allocate_threshold_state) RETURNS cstring
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION uplift_allocate_threshold_state_recv(internal) RETURNS uplift_allocate_threshold_state
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION uplift_allocate_threshold_state_send(uplift_allocate_threshold_state) RETURNS bytea
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE uplift_allocate_threshold_state (
    INPUT = uplift_allocate_threshold_state_in,
    OUTPUT = uplift_allocate_threshold_state_out,
    RECEIVE = uplift_allocate_threshold_state_recv,
    SEND = uplift_allocate_threshold_state_send,
    INTERNALLENGTH = VARIABLE,
    STORAGE = extended
);

COMMENT ON TYPE uplift_allocate_threshold_state IS
'partial state of allocate_threshold: the budget, the options and the units'' hull increments that may still set the threshold (bounded by the budget: those that fit and the group that overflows it)';

-- Not STRICT: a NULL budget is an error, a NULL side of the combine the
-- state of a part without rows.
CREATE FUNCTION allocate_threshold_transfn(uplift_allocate_threshold_state, float8[], float8[], float8)
RETURNS uplift_allocate_threshold_state
AS 'MODULE_PATHNAME', 'allocate_threshold_transfn'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION allocate_threshold_transfn(uplift_allocate_threshold_state, float8[], float8[], float8, jsonb)
RETURNS uplift_allocate_threshold_state
AS 'MODULE_PATHNAME', 'allocate_threshold_transfn'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION allocate_threshold_transfn(uplift_allocate_threshold_state, bigint, float8[], float8[], float8, jsonb)
RETURNS uplift_allocate_threshold_state
AS 'MODULE_PATHNAME', 'allocate_threshold_transfn'
LANGUAGE C STABLE PARALLEL SAFE;

CREATE FUNCTION allocate_threshold_combinefn(uplift_allocate_threshold_state, uplift_allocate_threshold_state)
RETURNS uplift_allocate_threshold_state
AS 'MODULE_PATHNAME', 'allocate_threshold_combinefn'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION allocate_threshold_finalfn(uplift_allocate_threshold_state)
RETURNS float8
AS 'MODULE_PATHNAME', 'allocate_threshold_finalfn'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION allocate_threshold_transfn(uplift_allocate_threshold_state, float8[], float8[], float8) IS
'transition function of allocate_threshold: adds a unit''s hull increments';
COMMENT ON FUNCTION allocate_threshold_transfn(uplift_allocate_threshold_state, float8[], float8[], float8, jsonb) IS
'transition function of allocate_threshold with options';
COMMENT ON FUNCTION allocate_threshold_transfn(uplift_allocate_threshold_state, bigint, float8[], float8[], float8, jsonb) IS
'transition function of allocate_threshold with unit ids: units that options contact_cap and exclude leave alone add nothing';
COMMENT ON FUNCTION allocate_threshold_combinefn(uplift_allocate_threshold_state, uplift_allocate_threshold_state) IS
'combine function of allocate_threshold: merges two partial states';
COMMENT ON FUNCTION allocate_threshold_finalfn(uplift_allocate_threshold_state) IS
'final function of allocate_threshold: the ratio of the first group of increments that does not fit';

-- The final function sorts and cuts the state in place, as the next
-- transition would: READ_WRITE.

CREATE AGGREGATE allocate_threshold(action_values float8[], action_costs float8[], budget float8) (
    SFUNC = allocate_threshold_transfn,
    STYPE = uplift_allocate_threshold_state,
    FINALFUNC = allocate_threshold_finalfn,
    FINALFUNC_MODIFY = READ_WRITE,
    COMBINEFUNC = allocate_threshold_combinefn,
    PARALLEL = SAFE
);

COMMENT ON AGGREGATE allocate_threshold(float8[], float8[], float8) IS
'efficiency threshold (value per cost) at which the units'' best hull increments spend the budget; use with allocate_action';

CREATE AGGREGATE allocate_threshold(action_values float8[], action_costs float8[], budget float8, options jsonb) (
    SFUNC = allocate_threshold_transfn,
    STYPE = uplift_allocate_threshold_state,
    FINALFUNC = allocate_threshold_finalfn,
    FINALFUNC_MODIFY = READ_WRITE,
    COMBINEFUNC = allocate_threshold_combinefn,
    PARALLEL = SAFE
);

COMMENT ON AGGREGATE allocate_threshold(float8[], float8[], float8, jsonb) IS
'efficiency threshold with options min_roi, spent, pace; use with allocate_action';

CREATE AGGREGATE allocate_threshold(unit_id bigint, action_values float8[], action_costs float8[],
                                    budget float8, options jsonb) (
    SFUNC = allocate_threshold_transfn,
    STYPE = uplift_allocate_threshold_state,
    FINALFUNC = allocate_threshold_finalfn,
    FINALFUNC_MODIFY = READ_WRITE,
    COMBINEFUNC = allocate_threshold_combinefn,
    PARALLEL = SAFE
);

COMMENT ON AGGREGATE allocate_threshold(bigint, float8[], float8[], float8, jsonb) IS
'efficiency threshold with options min_roi, spent, pace, contact_cap, as_of, exclude; units left alone spend nothing; use with allocate_action(unit_id, ...)';
