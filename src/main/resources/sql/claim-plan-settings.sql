-- Runs before the claim, in its transaction (set_config(..., true) = SET LOCAL). The claim must walk
-- the pending index in id order and stop after one batch, whatever the statistics say:
--  * Right after a bulk load or TRUNCATE, before autovacuum has analyzed the table, PostgreSQL
--    estimates a handful of pending rows and picks a bitmap scan that reads and sorts every pending row
--    instead: 150 ms per poll at 50,000 pending rows instead of 5 ms. No bitmap or sequential scans.
--  * It underestimates how many rows pass the worker filter (a hash expression), so it expects to read
--    the whole index either way and may walk the aggregate index and sort instead of the id index:
--    200 ms at 100,000 pending rows instead of 10 ms. No sorts where an ordered index scan exists.
--  * A large backlog raises the estimated cost above jit_above_cost, and compiling the query took
--    longer than running it (600 ms per claim). No JIT.
SELECT set_config('enable_bitmapscan', 'off', true), set_config('enable_seqscan', 'off', true),
       set_config('enable_sort', 'off', true), set_config('jit', 'off', true)
