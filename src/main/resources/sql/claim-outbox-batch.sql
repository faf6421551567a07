-- Claims a batch of PENDING rows for this transaction (the caller commits after marking them).
--  * FOR UPDATE SKIP LOCKED: concurrent workers and hub instances take disjoint rows.
--  * No id cursor: a row whose transaction commits late (lower id, later commit) is still PENDING
--    and is found by the next poll.
--  * Per-aggregate order: a row waits while an earlier PENDING row of its aggregate is
--      - in backoff after a failed publish (attempts > 0, available_at to come): filtered out before
--        the LIMIT, so blocked rows never fill the batch and starve the other aggregates;
--      - locked by another worker or instance (skipped by SKIP LOCKED): dropped after the lock (left
--        PENDING, retried on a later poll). The check probes the aggregate index once per claimed
--        row. A single walk of the pending id index over the claimed range was tried: a third
--        cheaper, but the planner's choice of index for it is not stable. After a VACUUM it walked
--        the whole aggregate index (95 ms), and once the primary key with every published row (1.1 s).
--    A row scheduled for later by its producer (attempts = 0, available_at to come, e.g. an e-mail
--    retry) holds nothing back: it is a delayed event, not an earlier one still in flight.
--    Only then is the batch published in id order.
--  * Oldest id first, not oldest available_at: an aggregate's earlier row that failed and was retried
--    has a later available_at than its next rows; ordering by it would fill every batch with rows that
--    must wait for an earlier one outside the batch, and the relay would claim nothing, forever. By id,
--    a row's due predecessors always come before it in the batch.
--  * The worker partition (hash of the aggregate) keeps this instance's own workers off each
--    other's aggregates, so they rarely drop rows because of one another.
--  * Nothing unbounded reaches the hub's heap: text columns come at most 1,000 characters long (longer
--    ones fail validation anyway), a traceparent only with its W3C length, and metadata and payload only when the row's JSON text is at most
--    twice hub.envelope.max-size (PostgreSQL's jsonb text adds a space after every ':' and ','; the
--    relay then checks the exact serialized size). A larger row comes without them and is made DEAD.
--    A batch stops at hub.relay.max-batch-bytes.
WITH claimed AS (
    SELECT id, event_id, event_type, event_version, aggregate_type, aggregate_id, occurred_at,
           correlation_id, causation_id, metadata, payload, attempts, traceparent
    FROM outbox_event candidate
    WHERE status = 'PENDING'
      AND available_at <= now()
      AND (hashtext(aggregate_id) & 2147483647) % :workerCount = :workerIndex
      AND NOT EXISTS (
          SELECT 1
          FROM outbox_event backoff
          WHERE backoff.status = 'PENDING'
            AND backoff.aggregate_type = candidate.aggregate_type
            AND backoff.aggregate_id = candidate.aggregate_id
            AND backoff.id < candidate.id
            AND backoff.attempts > 0
            AND backoff.available_at > now())
    ORDER BY id
    LIMIT :batchSize
    FOR UPDATE SKIP LOCKED
)
SELECT *
FROM (
    SELECT c.id, c.event_id, left(c.event_type, 1000) AS event_type, left(c.event_version, 1000) AS event_version,
           left(c.aggregate_type, 1000) AS aggregate_type, left(c.aggregate_id, 1000) AS aggregate_id, c.occurred_at,
           left(c.correlation_id, 1000) AS correlation_id, left(c.causation_id, 1000) AS causation_id, c.attempts,
           CASE WHEN octet_length(c.traceparent) = 55 THEN c.traceparent END AS traceparent,
           sz.bytes AS row_size,
           CASE WHEN sz.bytes <= 2 * :maxEventBytes THEN txt.metadata END AS metadata,
           CASE WHEN sz.bytes <= 2 * :maxEventBytes THEN txt.payload END AS payload,
           sum(least(sz.bytes, 2 * :maxEventBytes)) OVER (ORDER BY c.id) AS batch_bytes
    FROM claimed c
    -- OFFSET 0 keeps the subquery from being flattened, which would convert each jsonb to text twice.
    CROSS JOIN LATERAL (SELECT c.metadata::text AS metadata, c.payload::text AS payload OFFSET 0) txt
    CROSS JOIN LATERAL (SELECT coalesce(octet_length(txt.metadata), 0) + octet_length(txt.payload)
                               + octet_length(c.event_type) + octet_length(c.event_version)
                               + octet_length(c.aggregate_type) + octet_length(c.aggregate_id)
                               + coalesce(octet_length(c.correlation_id), 0)
                               + coalesce(octet_length(c.causation_id), 0) AS bytes) sz
    WHERE NOT EXISTS (
        SELECT 1
        FROM outbox_event earlier
        WHERE earlier.status = 'PENDING'
          AND earlier.aggregate_type = c.aggregate_type
          AND earlier.aggregate_id = c.aggregate_id
          AND earlier.id < c.id
          AND earlier.id NOT IN (SELECT id FROM claimed)
          AND NOT (earlier.attempts = 0 AND earlier.available_at > now()))
) batch
-- A batch loads at most hub.relay.max-batch-bytes of JSON (the row that crosses it included, so a large
-- row still goes): the rows after it stay PENDING for the next poll, and since rows come in id order an
-- aggregate's later rows are never published before an earlier one that was left out.
WHERE batch_bytes - least(row_size, 2 * :maxEventBytes) < :maxBatchBytes
ORDER BY id
