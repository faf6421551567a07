-- The W3C trace context of the event's origin (the ingestion request, the consumer attempt that wrote
-- it, or the producer's own span): the relay continues the trace from it. Nullable, and a producer may
-- set it; the relay carries on only a well-formed value.
ALTER TABLE outbox_event ADD COLUMN traceparent text;
