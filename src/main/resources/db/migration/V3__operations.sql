-- When the hub stored the row (producers do not set it): the relay-lag metric measures from here,
-- because occurred_at is the producer's clock and available_at moves with retries.
ALTER TABLE outbox_event ADD COLUMN created_at timestamptz NOT NULL DEFAULT now();

-- When an operator handled a DEAD row (its dead letter replayed or discarded); housekeeping deletes
-- handled DEAD rows after hub.retention.dead and never deletes an unhandled one.
ALTER TABLE outbox_event ADD COLUMN handled_at timestamptz;
