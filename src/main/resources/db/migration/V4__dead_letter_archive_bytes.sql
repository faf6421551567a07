-- A dead letter's body is whatever bytes reached the queue: not always UTF-8 text, and text cannot hold
-- U+0000. The archive keeps the exact bytes; body (text) is filled only when the bytes are clean UTF-8.
ALTER TABLE dead_letter_archive ADD COLUMN body_bytes bytea;
ALTER TABLE dead_letter_archive ALTER COLUMN body DROP NOT NULL;
