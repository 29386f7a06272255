-- pgTAP: every rejected input of the demo campaign, with its SQLSTATE.
BEGIN;
SELECT plan(8);

SELECT throws_ok($$SELECT count(*) FROM uplift_demo_campaign(-1, 1)$$, '22023',
                 'n of uplift_demo_campaign must be from 0 to 100000000, not -1',
                 'a negative n is rejected');
SELECT throws_ok($$SELECT count(*) FROM uplift_demo_campaign(100000001, 1)$$, '22023',
                 'n of uplift_demo_campaign must be from 0 to 100000000, not 100000001',
                 'an n above 1e8 is rejected');
SELECT throws_ok($$SELECT count(*) FROM uplift_demo_campaign(2147483647)$$, '22023',
                 'n of uplift_demo_campaign must be from 0 to 100000000, not 2147483647',
                 'the largest int is rejected at once, not generated');
SELECT throws_ok($$SELECT count(*) FROM uplift_demo_campaign(-1, 1, 0.5)$$, '22023',
                 'n of uplift_demo_campaign must be from 0 to 20000000, not -1',
                 'a negative n is rejected by the drifting campaign');
SELECT throws_ok($$SELECT count(*) FROM uplift_demo_campaign(20000001, 1, 0.5)$$, '22023',
                 'n of uplift_demo_campaign must be from 0 to 20000000, not 20000001',
                 'an n above 2e7 is rejected by the drifting campaign');
SELECT throws_ok($$SELECT count(*) FROM uplift_demo_campaign(2147483647, 1, 0.5)$$, '22023',
                 'n of uplift_demo_campaign must be from 0 to 20000000, not 2147483647',
                 'the largest int is rejected by the drifting campaign, not an overflow');
SELECT is((SELECT count(*) FROM uplift_demo_campaign(0, 1)), 0::bigint, 'n = 0 gives no rows');
SELECT is((SELECT count(*) FROM uplift_demo_campaign(0, 1, 0.5)), 0::bigint,
          'n = 0 gives no rows in the drifting campaign');

SELECT * FROM finish();
ROLLBACK;
