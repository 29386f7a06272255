-- Equality, an ordering and hashing of uplift_model (src/model_cmp.c,
-- doc/model.md): two models are equal when their stored bytes are equal.
-- The order (bytes, then length) is arbitrary but stable; the btree and hash
-- operator classes let DISTINCT, GROUP BY and joins sort or hash models.

CREATE FUNCTION uplift_model_eq(uplift_model, uplift_model) RETURNS bool
AS 'MODULE_PATHNAME', 'uplift_model_eq' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION uplift_model_ne(uplift_model, uplift_model) RETURNS bool
AS 'MODULE_PATHNAME', 'uplift_model_ne' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION uplift_model_lt(uplift_model, uplift_model) RETURNS bool
AS 'MODULE_PATHNAME', 'uplift_model_lt' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION uplift_model_le(uplift_model, uplift_model) RETURNS bool
AS 'MODULE_PATHNAME', 'uplift_model_le' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION uplift_model_gt(uplift_model, uplift_model) RETURNS bool
AS 'MODULE_PATHNAME', 'uplift_model_gt' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION uplift_model_ge(uplift_model, uplift_model) RETURNS bool
AS 'MODULE_PATHNAME', 'uplift_model_ge' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION uplift_model_cmp(uplift_model, uplift_model) RETURNS int
AS 'MODULE_PATHNAME', 'uplift_model_cmp' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION uplift_model_hash(uplift_model) RETURNS int
AS 'MODULE_PATHNAME', 'uplift_model_hash' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION uplift_model_hash_extended(uplift_model, int8) RETURNS int8
AS 'MODULE_PATHNAME', 'uplift_model_hash_extended' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION uplift_model_eq(uplift_model, uplift_model) IS
'true when two models have the same stored bytes (the = operator)';
COMMENT ON FUNCTION uplift_model_cmp(uplift_model, uplift_model) IS
'an arbitrary but stable order of models (bytes, then length), for sorting';

CREATE OPERATOR = (
    LEFTARG = uplift_model, RIGHTARG = uplift_model,
    FUNCTION = uplift_model_eq,
    COMMUTATOR = =, NEGATOR = <>,
    RESTRICT = eqsel, JOIN = eqjoinsel,
    HASHES, MERGES
);
CREATE OPERATOR <> (
    LEFTARG = uplift_model, RIGHTARG = uplift_model,
    FUNCTION = uplift_model_ne,
    COMMUTATOR = <>, NEGATOR = =,
    RESTRICT = neqsel, JOIN = neqjoinsel
);
CREATE OPERATOR < (
    LEFTARG = uplift_model, RIGHTARG = uplift_model,
    FUNCTION = uplift_model_lt,
    COMMUTATOR = >, NEGATOR = >=,
    RESTRICT = scalarltsel, JOIN = scalarltjoinsel
);
CREATE OPERATOR <= (
    LEFTARG = uplift_model, RIGHTARG = uplift_model,
    FUNCTION = uplift_model_le,
    COMMUTATOR = >=, NEGATOR = >,
    RESTRICT = scalarlesel, JOIN = scalarlejoinsel
);
CREATE OPERATOR > (
    LEFTARG = uplift_model, RIGHTARG = uplift_model,
    FUNCTION = uplift_model_gt,
    COMMUTATOR = <, NEGATOR = <=,
    RESTRICT = scalargtsel, JOIN = scalargtjoinsel
);
CREATE OPERATOR >= (
    LEFTARG = uplift_model, RIGHTARG = uplift_model,
    FUNCTION = uplift_model_ge,
    COMMUTATOR = <=, NEGATOR = <,
    RESTRICT = scalargesel, JOIN = scalargejoinsel
);

CREATE OPERATOR CLASS uplift_model_ops
DEFAULT FOR TYPE uplift_model USING btree AS
    OPERATOR 1 <,
    OPERATOR 2 <=,
    OPERATOR 3 =,
    OPERATOR 4 >=,
    OPERATOR 5 >,
    FUNCTION 1 uplift_model_cmp(uplift_model, uplift_model);

CREATE OPERATOR CLASS uplift_model_ops
DEFAULT FOR TYPE uplift_model USING hash AS
    OPERATOR 1 =,
    FUNCTION 1 uplift_model_hash(uplift_model),
    FUNCTION 2 uplift_model_hash_extended(uplift_model, int8);
