-- The claim walks PENDING rows in id order (see sql/claim-outbox-batch.sql): a partial index on id
-- keeps that walk to the pending rows however many PUBLISHED rows accumulate. It replaces the index on
-- (available_at, id), which the claim no longer uses.
CREATE INDEX outbox_event_pending_id_idx ON outbox_event (id) WHERE status = 'PENDING';
DROP INDEX outbox_event_pending_idx;
