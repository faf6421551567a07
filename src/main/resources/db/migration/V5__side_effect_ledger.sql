-- The side-effect ledger: every remote side effect of a consumer route (an SMTP send, a webhook call)
-- records its intent before the call and its outcome after it, each in a short transaction of its own.
-- A redelivery that finds SUCCEEDED does not repeat the effect; one that finds a STARTED record whose
-- lease has run out (the attempt died or timed out after the peer may have acted: the ambiguous case)
-- follows the route's policy, at-least-once (call again) or at-most-once (dead-letter for a person).
CREATE TABLE side_effect (
    consumer    text        NOT NULL,
    event_id    uuid        NOT NULL,
    state       text        NOT NULL,
    attempts    integer     NOT NULL DEFAULT 1,
    -- A STARTED record belongs to the attempt that wrote it until then (its attempt timeout and a margin).
    lease_until timestamptz NOT NULL,
    started_at  timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz,
    outcome     text,
    PRIMARY KEY (consumer, event_id),
    CONSTRAINT side_effect_state_check CHECK (state IN ('STARTED', 'SUCCEEDED', 'FAILED'))
);

-- Housekeeping deletes records older than hub.retention.idempotency.
CREATE INDEX side_effect_started_at_idx ON side_effect (started_at);
