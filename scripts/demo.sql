SELECT 'demo: nothing to run yet' AS demo;
