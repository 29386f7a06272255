-- pgTAP: 10,000 mutated models (linear, logistic and forest ones) (byte flips with and without a repaired
-- checksum, truncations, lying lengths, inserted bytes) go through the input
-- functions and scoring.  The backend must stay up and every value must be
-- either rejected as corrupted (SQLSTATE 22P03) or valid and scorable.
BEGIN;
SELECT plan(6);

-- CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), written here
-- independently of the extension so that mutations can carry a valid checksum.
CREATE FUNCTION pg_temp.crc32c(b bytea) RETURNS bigint LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    tbl bigint[];
    c bigint;
    crc bigint := 4294967295;
BEGIN
    FOR i IN 0..255 LOOP
        c := i;
        FOR k IN 1..8 LOOP
            IF c & 1 = 1 THEN c := (c >> 1) # 2197175160; ELSE c := c >> 1; END IF;
        END LOOP;
        tbl[i] := c;
    END LOOP;
    FOR i IN 0..length(b) - 1 LOOP
        crc := tbl[(crc # get_byte(b, i)) & 255] # (crc >> 8);
    END LOOP;
    RETURN crc # 4294967295;
END $$;

-- Rewrite the header's body length and checksum so that only the body's
-- structure can reveal the damage.
CREATE FUNCTION pg_temp.reseal(b bytea) RETURNS bytea LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    body bytea := substr(b, 17);
    len bigint := length(body);
    crc bigint := pg_temp.crc32c(body);
BEGIN
    RETURN substr(b, 1, 8)
        || decode(lpad(to_hex(len), 8, '0'), 'hex')
        || decode(lpad(to_hex(crc), 8, '0'), 'hex')
        || body;
END $$;

SELECT is(to_hex(pg_temp.crc32c('123456789'::bytea)), 'e3069283',
          'the test''s CRC-32C gives the standard check value');

CREATE TEMP TABLE seeds (id int, model bytea, features float8[]);
INSERT INTO seeds VALUES
 (1, uplift_model_import('{"learner":"t_learner","base":"logistic","n_actions":2,"n_features":3,
      "feature_names":["a","b","c"],"options":{"l2":1},
      "arms":[{"action":0,"rows":10,"outcome_mean":0.1},{"action":1,"rows":12,"outcome_mean":0.2},{"action":2,"rows":9,"outcome_mean":0.3}],
      "heads":[{"role":"outcome","action":0,"link":"logit","intercept":-1,"coefficients":[0.1,0.2,0.3]},
               {"role":"outcome","action":1,"link":"logit","intercept":-0.5,"coefficients":[0.3,0.2,0.1]},
               {"role":"outcome","action":2,"link":"logit","intercept":-0.7,"coefficients":[0.0,0.5,-0.1]}]}')::bytea,
  ARRAY[1, 0.5, -2]),
 (2, uplift_model_import('{"learner":"s_learner","base":"linear","n_actions":2,"n_features":2,"interactions":true,
      "heads":[{"role":"joint","action":-1,"link":"identity","intercept":1,"coefficients":[1,2,0.5,0.7,0.1,0.2,0.3,0.4]}]}')::bytea,
  ARRAY[0.3, 2]);
-- forests: an uplift forest, and an s_learner over forests (format 4)
INSERT INTO seeds
SELECT 3, uplift_fit(ARRAY[i % 3, i % 5]::float8[], i % 2, (i % 7 = 0)::int,
                     '{"learner": "forest", "n_trees": 2, "max_depth": 2, "min_samples_leaf": 5}')::bytea,
       ARRAY[1, 2]::float8[]
FROM generate_series(1, 500) i;
INSERT INTO seeds
SELECT 4, uplift_fit(ARRAY[i % 3, i % 5]::float8[], i % 3, (i % 7)::float8,
                     '{"learner": "s_learner", "base": "forest", "n_trees": 2, "max_depth": 2, "min_samples_leaf": 5}')::bytea,
       ARRAY[2, 0]::float8[]
FROM generate_series(1, 500) i;

SELECT is((SELECT count(*) FROM seeds s WHERE uplift_model_from_bytea(pg_temp.reseal(s.model)) IS NOT NULL),
          4::bigint, 'resealing an intact model keeps it valid');

CREATE TEMP TABLE outcomes (kind int, sqlstate text);

DO $$
DECLARE
    s record;
    b bytea;
    pos int;
    kind int;
    v uplift_model;
    scores float8[];
    state text;
BEGIN
    PERFORM setseed(0.4242);
    FOR i IN 1..10000 LOOP
        SELECT * INTO s FROM seeds WHERE id = 1 + i % 4;
        b := s.model;
        kind := i % 5;
        pos := floor(random() * length(b))::int;
        IF kind = 0 THEN          -- flip one byte anywhere, checksum left as is
            b := set_byte(b, pos, get_byte(b, pos) # (1 + floor(random() * 255))::int);
        ELSIF kind = 1 THEN       -- flip one body byte, checksum repaired
            pos := 16 + floor(random() * (length(b) - 16))::int;
            b := pg_temp.reseal(set_byte(b, pos, get_byte(b, pos) # (1 + floor(random() * 255))::int));
        ELSIF kind = 2 THEN       -- truncate, header repaired
            b := pg_temp.reseal(substr(b, 1, 16 + floor(random() * (length(b) - 16))::int));
        ELSIF kind = 3 THEN       -- a lying 32-bit length somewhere in the body
            pos := 16 + floor(random() * (length(b) - 20))::int;
            b := pg_temp.reseal(overlay(b PLACING decode(CASE floor(random() * 3)::int
                     WHEN 0 THEN 'ffffffff' WHEN 1 THEN '7fffffff' ELSE '00010000' END, 'hex')
                     FROM pos + 1 FOR 4));
        ELSE                      -- bytes inserted into the body, header repaired
            pos := 16 + floor(random() * (length(b) - 16))::int;
            b := pg_temp.reseal(overlay(b PLACING decode(md5(i::text), 'hex') FROM pos + 1 FOR 0));
        END IF;
        BEGIN
            IF i % 3 = 0 THEN     -- through the text input function
                v := encode(b, 'base64')::uplift_model;
            ELSE
                v := uplift_model_from_bytea(b);
            END IF;
            scores := uplift_scores(v, s.features);
            PERFORM uplift_model_info(v);
            state := 'valid';
        EXCEPTION WHEN OTHERS THEN
            GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE;
        END;
        INSERT INTO outcomes VALUES (kind, state);
    END LOOP;
END $$;

SELECT is(count(*), 10000::bigint, '10,000 mutated models were tried') FROM outcomes;
SELECT is(array_agg(DISTINCT sqlstate ORDER BY sqlstate), ARRAY['22P03', 'valid'],
          'every mutated model is either rejected as corrupted (22P03) or valid')
FROM outcomes;
SELECT is(count(*) FILTER (WHERE sqlstate = '22P03' AND kind = 0), count(*) FILTER (WHERE kind = 0),
          'a flipped byte with the checksum left as is is always caught')
FROM outcomes;
SELECT ok(count(*) FILTER (WHERE sqlstate = '22P03' AND kind IN (2, 3, 4)) > 3000,
          'truncations, lying lengths and inserted bytes are caught by the structure checks')
FROM outcomes;

SELECT * FROM finish();
ROLLBACK;
