-- Runs before the claim, in its transaction (set_config(..., true) = SET LOCAL). The claim must walk
-- the pending index in order and stop after one batch. Right after a bulk load or TRUNCATE, before
-- autovacuum has analyzed the table, PostgreSQL estimates a handful of pending rows and picks a
-- bitmap scan that reads and sorts every pending row instead: 150 ms per poll at 50,000 pending rows
-- instead of 5 ms. Disabling those two plan types for this transaction only keeps the indexed plan.
SELECT set_config('enable_bitmapscan', 'off', true), set_config('enable_seqscan', 'off', true)
