
-- The uplift_model type (src/model.c): a versioned, checksummed binary value.
-- Its text form is base64, which pg_dump writes and restores.

CREATE TYPE uplift_model;

CREATE FUNCTION uplift_model_in(cstring) RETURNS uplift_model
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION uplift_model_out(uplift_model) RETURNS cstring
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION uplift_model_recv(internal) RETURNS uplift_model
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION uplift_model_send(uplift_model) RETURNS bytea
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE uplift_model (
    INPUT = uplift_model_in,
    OUTPUT = uplift_model_out,
    RECEIVE = uplift_model_recv,
    SEND = uplift_model_send,
    INTERNALLENGTH = VARIABLE,
    STORAGE = extended
);

COMMENT ON TYPE uplift_model IS 'a fitted uplift model (versioned binary format)';

CREATE FUNCTION uplift_model_to_bytea(uplift_model) RETURNS bytea
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION uplift_model_from_bytea(bytea) RETURNS uplift_model
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE CAST (uplift_model AS bytea) WITH FUNCTION uplift_model_to_bytea(uplift_model);
CREATE CAST (bytea AS uplift_model) WITH FUNCTION uplift_model_from_bytea(bytea);

COMMENT ON FUNCTION uplift_model_from_bytea(bytea) IS
'the stored bytes of a model as uplift_model, validated';

CREATE FUNCTION uplift_model_info(uplift_model) RETURNS jsonb
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION uplift_model_info(uplift_model) IS
'learner, base, actions, features, per-arm rows and outcome means, options and learned parameters of a model';

CREATE FUNCTION uplift_model_checksum(uplift_model) RETURNS text
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION uplift_model_checksum(uplift_model) IS
'the CRC-32C of the model''s stored body, as 8 hex digits: identifies a model in logs';

CREATE FUNCTION uplift_model_import(description jsonb) RETURNS uplift_model
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION uplift_model_import(jsonb) IS
'a model built from its description in the shape uplift_model_info returns, e.g. coefficients fitted elsewhere';
