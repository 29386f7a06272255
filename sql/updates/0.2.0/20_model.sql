
-- Model, scoring and calibration (sql/objects/30_score.sql, 35_calibrate.sql):
-- the scoring functions are no longer STRICT, so that a NULL model is an
-- error instead of a NULL score on every row (NULL features still give NULL).

ALTER FUNCTION @extschema@.uplift_score(@extschema@.uplift_model, float8[]) CALLED ON NULL INPUT;
ALTER FUNCTION @extschema@.uplift_score(@extschema@.uplift_model, float8[], int) CALLED ON NULL INPUT;
ALTER FUNCTION @extschema@.uplift_scores(@extschema@.uplift_model, float8[]) CALLED ON NULL INPUT;
ALTER FUNCTION @extschema@.uplift_predict(@extschema@.uplift_model, float8[], int) CALLED ON NULL INPUT;
ALTER FUNCTION @extschema@.uplift_value_cost(@extschema@.uplift_model, @extschema@.uplift_model, float8[])
    CALLED ON NULL INPUT;
