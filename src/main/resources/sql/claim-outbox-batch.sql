-- Claims a batch of PENDING rows for this transaction (the caller commits after marking them).
--  * FOR UPDATE SKIP LOCKED: concurrent workers and hub instances take disjoint rows.
--  * No id cursor: a row whose transaction commits late (lower id, later commit) is still PENDING
--    and is found by the next poll.
--  * Per-aggregate order: a row waits while an earlier PENDING row of its aggregate is
--      - in backoff after a failed publish (attempts > 0, available_at to come): filtered out before
--        the LIMIT, so blocked rows never fill the batch and starve the other aggregates;
--      - locked by another worker or not yet visible: dropped after the lock (left PENDING, retried
--        on a later poll).
--    A row scheduled for later by its producer (attempts = 0, available_at to come, e.g. an e-mail
--    retry) holds nothing back: it is a delayed event, not an earlier one still in flight.
--    Only then is the batch published in id order.
--  * The worker partition (hash of the aggregate) keeps this instance's own workers off each
--    other's aggregates, so they rarely drop rows because of one another.
WITH claimed AS (
    SELECT id, event_id, event_type, event_version, aggregate_type, aggregate_id, occurred_at,
           correlation_id, causation_id, metadata::text AS metadata, payload::text AS payload, attempts
    FROM outbox_event candidate
    WHERE status = 'PENDING'
      AND available_at <= now()
      AND (hashtext(aggregate_id) & 2147483647) % :#workerCount = :#workerIndex
      AND NOT EXISTS (
          SELECT 1
          FROM outbox_event backoff
          WHERE backoff.status = 'PENDING'
            AND backoff.aggregate_type = candidate.aggregate_type
            AND backoff.aggregate_id = candidate.aggregate_id
            AND backoff.id < candidate.id
            AND backoff.attempts > 0
            AND backoff.available_at > now())
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
      AND earlier.id NOT IN (SELECT id FROM claimed)
      AND NOT (earlier.attempts = 0 AND earlier.available_at > now()))
ORDER BY c.id
