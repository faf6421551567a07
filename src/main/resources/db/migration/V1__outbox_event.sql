-- The transactional outbox. Producers INSERT one row per event in the transaction of their own
-- state change; the relay publishes PENDING rows and marks them PUBLISHED after the broker's confirm.
CREATE TABLE outbox_event (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id       uuid        NOT NULL,
    event_type     text        NOT NULL,
    event_version  text        NOT NULL,
    aggregate_type text        NOT NULL,
    aggregate_id   text        NOT NULL,
    occurred_at    timestamptz NOT NULL DEFAULT now(),
    correlation_id text,
    causation_id   text,
    metadata       jsonb,
    payload        jsonb       NOT NULL,
    status         text        NOT NULL DEFAULT 'PENDING',
    attempts       integer     NOT NULL DEFAULT 0,
    last_error     text,
    available_at   timestamptz NOT NULL DEFAULT now(),
    published_at   timestamptz,
    CONSTRAINT outbox_event_event_id_key UNIQUE (event_id),
    CONSTRAINT outbox_event_status_check CHECK (status IN ('PENDING', 'PUBLISHED', 'DEAD'))
);

-- The relay's claim: PENDING rows whose available_at has come, oldest first. Partial, so it holds
-- only the (few) pending rows however many PUBLISHED rows accumulate.
CREATE INDEX outbox_event_pending_idx ON outbox_event (available_at, id) WHERE status = 'PENDING';

-- The relay's per-aggregate order check: earlier PENDING rows of the same aggregate.
CREATE INDEX outbox_event_pending_aggregate_idx ON outbox_event (aggregate_type, aggregate_id, id)
    WHERE status = 'PENDING';

-- Every row is updated once or twice and then only read by housekeeping: vacuum and analyze early so
-- dead index entries and stale statistics do not slow the claim down (see README "Relay").
ALTER TABLE outbox_event SET (autovacuum_vacuum_scale_factor = 0.02, autovacuum_analyze_scale_factor = 0.02,
                              autovacuum_vacuum_insert_scale_factor = 0.02);

COMMENT ON TABLE outbox_event IS 'Transactional outbox of Event Hub: one row per domain event';
