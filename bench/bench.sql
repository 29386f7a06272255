-- Shared by the benchmark scripts (psql -f bench/bench.sql): bench(q, reps)
-- runs the query q reps times and returns its fastest run, in seconds.
CREATE FUNCTION bench(q text, reps int) RETURNS float8 LANGUAGE plpgsql AS $$
DECLARE best float8 := 'Infinity'; t0 timestamptz; dummy text;
BEGIN
  FOR i IN 1..reps LOOP
    t0 := clock_timestamp();
    EXECUTE q INTO dummy;
    best := least(best, extract(epoch FROM clock_timestamp() - t0));
  END LOOP;
  RETURN best;
END $$;
