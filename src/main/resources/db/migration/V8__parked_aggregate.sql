-- Aggregates an ordered consumer route stopped (afterDeadLetter: park): one of their events was
-- dead-lettered, and their later events are dead-lettered behind it until that event is replayed and
-- handled, which deletes the row. The dead-letter queue keeps them in order for the replay.
CREATE TABLE parked_aggregate (
    consumer       text        NOT NULL,
    aggregate_type text        NOT NULL,
    aggregate_id   text        NOT NULL,
    event_id       uuid        NOT NULL,
    parked_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer, aggregate_type, aggregate_id)
);
