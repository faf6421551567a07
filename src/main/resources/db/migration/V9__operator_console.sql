-- The audit trail of operator actions (dead-letter replay and discard, route stop and start, scoped
-- replays), from the HTTP API and the console. A row is written before the action runs (outcome
-- 'started') and completed after it, so an action is never done unrecorded. Newest first by id.
CREATE TABLE operator_action (
    id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at       timestamptz NOT NULL DEFAULT now(),
    -- The API key's name, never the key.
    actor    text        NOT NULL,
    channel  text        NOT NULL,
    action   text        NOT NULL,
    target   text,
    filter   jsonb,
    affected integer,
    outcome  text        NOT NULL
);

-- Signed-in browsers of the operator console. The cookie carries a random token; only its SHA-256 is
-- stored, so a reader of this table cannot take over a session. Shared by every hub instance, so a
-- console behind a load balancer keeps its session on any of them.
CREATE TABLE console_session (
    token_hash   bytea       PRIMARY KEY,
    key_name     text        NOT NULL,
    csrf_token   text        NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX console_session_last_seen_idx ON console_session (last_seen_at);
