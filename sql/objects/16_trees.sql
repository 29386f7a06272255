-- Forests of a model (learner or base "forest"): one tree's nodes as rows.

CREATE FUNCTION uplift_tree_nodes(model uplift_model, tree int, head int DEFAULT 1,
                                  OUT node int, OUT parent int, OUT depth int,
                                  OUT feature text, OUT threshold float8,
                                  OUT categories text[], OUT missing_left boolean,
                                  OUT left_node int, OUT right_node int,
                                  OUT leaf_values float8[])
RETURNS SETOF record
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 63;

COMMENT ON FUNCTION uplift_tree_nodes(uplift_model, int, int) IS
'the nodes of one tree of a forest head, root first: split feature and threshold, children, and a leaf''s per-arm values';
