package com.ecommerce.eventhub.consumers;

import java.util.UUID;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

/**
 * The eventIds each consumer route has processed ({@code processed_event}). For a database-only
 * handler it is called inside the handler's transaction (the record commits with the handler's work or
 * rolls back with it); for a handler that calls a remote peer, before (is it recorded?) and after (record
 * it), each a statement of its own.
 */
@Repository
class IdempotencyRepository {

	private static final String RECORD = """
			INSERT INTO processed_event (consumer, event_id) VALUES (?, ?)
			ON CONFLICT (consumer, event_id) DO NOTHING""";

	private static final String RECORDED = "SELECT EXISTS (SELECT 1 FROM processed_event WHERE consumer = ? AND event_id = ?)";

	private final JdbcTemplate jdbc;

	IdempotencyRepository(JdbcTemplate jdbc) {
		this.jdbc = jdbc;
	}

	/**
	 * Records that the consumer processes the event. A concurrent delivery of the same event waits
	 * on the primary key until this transaction ends, then sees the record.
	 * @param consumer the consumer route id
	 * @param eventId the event
	 * @return true the first time, false for a duplicate
	 */
	boolean recordFirstTime(String consumer, UUID eventId) {
		return this.jdbc.update(RECORD, consumer, eventId) == 1;
	}

	/**
	 * Whether the consumer processed the event already; for handlers that run outside a transaction.
	 * @param consumer the consumer route id
	 * @param eventId the event
	 * @return true when it was recorded
	 */
	boolean isRecorded(String consumer, UUID eventId) {
		return Boolean.TRUE.equals(this.jdbc.queryForObject(RECORDED, Boolean.class, consumer, eventId));
	}

}
