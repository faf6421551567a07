package com.ecommerce.eventhub.consumers;

import java.util.Collection;
import java.util.UUID;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

/**
 * The eventIds each database-only consumer route has processed ({@code processed_event}).
 * Called inside the handler's transaction: the record commits with the handler's work or
 * rolls back with it. Routes with a remote side effect use the {@link SideEffectLedger}
 * instead.
 */
@Repository
class IdempotencyRepository {

	private static final String RECORD = """
			INSERT INTO processed_event (consumer, event_id) VALUES (?, ?)
			ON CONFLICT (consumer, event_id) DO NOTHING""";

	private static final String DELETE_OLD = """
			DELETE FROM processed_event WHERE ctid = ANY (ARRAY(
			    SELECT ctid FROM processed_event WHERE processed_at < now() - make_interval(secs => ?) LIMIT ?))""";

	private static final String FORGET = "DELETE FROM processed_event WHERE consumer = ? AND event_id = ANY (?)";

	private final JdbcTemplate jdbc;

	IdempotencyRepository(JdbcTemplate jdbc) {
		this.jdbc = jdbc;
	}

	/**
	 * Records that the consumer processes the event. A concurrent delivery of the same
	 * event waits on the primary key until this transaction ends, then sees the record.
	 * @param consumer the consumer route id
	 * @param eventId the event
	 * @return true the first time, false for a duplicate
	 */
	boolean recordFirstTime(String consumer, UUID eventId) {
		return this.jdbc.update(RECORD, consumer, eventId) == 1;
	}

	/**
	 * Deletes, in one statement, at most {@code limit} records older than {@code age}.
	 * @param age how old a record must be
	 * @param limit rows per statement
	 * @return rows deleted
	 */
	int deleteOlderThan(java.time.Duration age, int limit) {
		return this.jdbc.update(DELETE_OLD, age.toMillis() / 1000.0, limit);
	}

	/**
	 * Forgets that the consumer processed these events, so it handles them again.
	 * @param consumer the consumer route id
	 * @param eventIds the events
	 * @return records deleted
	 */
	int forget(String consumer, Collection<UUID> eventIds) {
		return this.jdbc.update(FORGET, consumer, eventIds.toArray(UUID[]::new));
	}

}
