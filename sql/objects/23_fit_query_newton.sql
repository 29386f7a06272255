-- uplift_newton_pass (src/newton_state.c): one pass of uplift_fit_query's
-- logistic and linear fits, an aggregate whose state per arm is a summary
-- of the arm or its gradient and Hessian at given coefficients (setup, a
-- float8[] laid out as src/newton_state.h says).  The state is a concrete
-- type (not internal), its size a function of the arms and features only,
-- so that parallel workers and the shards of a distributed table (Citus)
-- compute partial states that the combine function merges.

CREATE TYPE uplift_newton_state;

CREATE FUNCTION uplift_newton_state_in(cstring) RETURNS uplift_newton_state
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION uplift_newton_state_out(uplift_newton_state) RETURNS cstring
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION uplift_newton_state_recv(internal) RETURNS uplift_newton_state
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION uplift_newton_state_send(uplift_newton_state) RETURNS bytea
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE uplift_newton_state (
    INPUT = uplift_newton_state_in,
    OUTPUT = uplift_newton_state_out,
    RECEIVE = uplift_newton_state_recv,
    SEND = uplift_newton_state_send,
    INTERNALLENGTH = VARIABLE,
    ALIGNMENT = double,
    STORAGE = extended
);

COMMENT ON TYPE uplift_newton_state IS
'partial state of uplift_newton_pass: per arm the rows, propensity ranges and compensated sums of one pass';

-- Not STRICT: a NULL argument is the error uplift_fit gives, a NULL side of
-- the combine the state of a part without rows.
CREATE FUNCTION uplift_newton_pass_transfn(uplift_newton_state, float8[], int, float8, float8, float8[])
RETURNS uplift_newton_state AS 'MODULE_PATHNAME' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION uplift_newton_pass_combinefn(uplift_newton_state, uplift_newton_state)
RETURNS uplift_newton_state AS 'MODULE_PATHNAME' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION uplift_newton_pass_finalfn(uplift_newton_state)
RETURNS float8[] AS 'MODULE_PATHNAME' LANGUAGE C STRICT PARALLEL SAFE;

CREATE AGGREGATE uplift_newton_pass(features float8[], treatment int, outcome float8,
                                    propensity float8, setup float8[]) (
    SFUNC = uplift_newton_pass_transfn,
    STYPE = uplift_newton_state,
    COMBINEFUNC = uplift_newton_pass_combinefn,
    FINALFUNC = uplift_newton_pass_finalfn,
    FINALFUNC_MODIFY = READ_ONLY,
    PARALLEL = SAFE
);

COMMENT ON AGGREGATE uplift_newton_pass(float8[], int, float8, float8, float8[]) IS
'one pass of uplift_fit_query: per arm a summary, or the gradient and Hessian of the loss at the setup''s coefficients';
