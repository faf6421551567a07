-- Consumers remember the events they handled, per consumer route, in the transaction of the
-- handler's own database work: a redelivered or duplicated event causes its effect once.
CREATE TABLE processed_event (
    consumer     text        NOT NULL,
    event_id     uuid        NOT NULL,
    processed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer, event_id)
);

-- Housekeeping deletes keys older than hub.retention.idempotency.
CREATE INDEX processed_event_processed_at_idx ON processed_event (processed_at);

-- Dead letters older than the dead-letter queue's TTL (7 days) leave the queue for this archive
-- instead of vanishing (spec "Dead-letter events: 7 days (then archived)").
CREATE TABLE dead_letter_archive (
    id                   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id             text,
    event_type           text,
    original_exchange    text,
    original_routing_key text,
    failed_route         text,
    exception_class      text,
    exception_message    text,
    attempts             integer,
    failed_at            timestamptz,
    headers              jsonb       NOT NULL,
    body                 text        NOT NULL,
    archived_at          timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX dead_letter_archive_event_id_idx ON dead_letter_archive (event_id);
