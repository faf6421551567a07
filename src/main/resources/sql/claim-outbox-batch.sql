-- Claims a batch of PENDING rows for this transaction (the caller commits after marking them).
--  * FOR UPDATE SKIP LOCKED: concurrent workers and hub instances take disjoint rows.
--  * No id cursor: a row whose transaction commits late (lower id, later commit) is still PENDING
--    and is found by the next poll.
--  * Per-aggregate order: a claimed row is dropped (left PENDING, retried on a later poll) while an
--    earlier PENDING row of its aggregate is outside this batch, i.e. locked by another worker,
--    waiting for its retry time, or not yet visible. Only then is the batch published in id order.
--  * The worker partition (hash of the aggregate) keeps this instance's own workers off each
--    other's aggregates, so they rarely drop rows because of one another.
WITH claimed AS (
    SELECT id, event_id, event_type, event_version, aggregate_type, aggregate_id, occurred_at,
           correlation_id, causation_id, metadata::text AS metadata, payload::text AS payload, attempts
    FROM outbox_event
    WHERE status = 'PENDING'
      AND available_at <= now()
      AND (hashtext(aggregate_id) & 2147483647) % :#workerCount = :#workerIndex
    ORDER BY available_at, id
    LIMIT :#batchSize
    FOR UPDATE SKIP LOCKED
)
SELECT c.*
FROM claimed c
WHERE NOT EXISTS (
    SELECT 1
    FROM outbox_event earlier
    WHERE earlier.status = 'PENDING'
      AND earlier.aggregate_type = c.aggregate_type
      AND earlier.aggregate_id = c.aggregate_id
      AND earlier.id < c.id
      AND earlier.id NOT IN (SELECT id FROM claimed))
ORDER BY c.id
