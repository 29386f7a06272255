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

-- bench_cpu(queries, reps): for each query, the smallest backend CPU time
-- (user + system, from /proc/self/stat in 10 ms ticks; superuser) of reps
-- runs, the queries taking turns so that each sees the same load, after one
-- warm-up run each; in seconds, in the order of the array.  CPU time rather
-- than wall time: on a shared machine the wall time also counts the time the
-- backend waits for a core.  Serial plans only: parallel workers' CPU time is
-- not counted.
CREATE FUNCTION bench_cpu(queries text[], reps int) RETURNS float8[] LANGUAGE plpgsql AS $$
DECLARE best float8[] := array_fill('Infinity'::float8, ARRAY[cardinality(queries)]);
        c0 float8; dummy text;
BEGIN
  FOR i IN 1..cardinality(queries) LOOP
    EXECUTE queries[i] INTO dummy;
  END LOOP;
  FOR r IN 1..reps LOOP
    FOR i IN 1..cardinality(queries) LOOP
      c0 := bench_cpu_now();
      EXECUTE queries[i] INTO dummy;
      best[i] := least(best[i], bench_cpu_now() - c0);
    END LOOP;
  END LOOP;
  RETURN best;
END $$;

-- This backend's CPU time so far, in seconds (fields 14 and 15 of
-- /proc/self/stat, in ticks of 1/100 s, Linux's USER_HZ).
CREATE FUNCTION bench_cpu_now() RETURNS float8 LANGUAGE sql AS $$
  SELECT (split_part(s, ' ', 12)::float8 + split_part(s, ' ', 13)::float8) / 100
  FROM (SELECT split_part(pg_read_file('/proc/self/stat'), ') ', 2) AS s) x
$$;
