-- Wakes the relay when events are written: one notification per INSERT statement (and PostgreSQL
-- folds equal notifications of one transaction into one), sent when the transaction commits, on the
-- channel '<schema>.outbox_event'. Every hub instance LISTENs on it and polls at once; the relay's poll
-- interval stays as a safety net for a missed notification and for rows that become due later.
CREATE FUNCTION outbox_event_notify() RETURNS trigger
    LANGUAGE plpgsql AS
$$
BEGIN
    PERFORM pg_notify(TG_TABLE_SCHEMA || '.outbox_event', '');
    RETURN NULL;
END
$$;

CREATE TRIGGER outbox_event_notify
    AFTER INSERT ON outbox_event
    FOR EACH STATEMENT
EXECUTE FUNCTION outbox_event_notify();
