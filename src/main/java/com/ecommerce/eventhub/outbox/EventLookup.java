package com.ecommerce.eventhub.outbox;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import javax.sql.DataSource;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

/**
 * Read-only lookups of outbox rows for operators: by eventId, aggregateId or
 * correlationId, and the chain of events the hub built from one (e.g.
 * {@code order.placed → email.notification-requested → email.sent}), linked by
 * {@code causationId} and {@code correlationId}.
 *
 * <p>
 * Only {@code event_id} is indexed for this: an index on {@code aggregate_id} or
 * {@code correlation_id} would cost every relay and producer insert, for a lookup an
 * operator makes now and then. Those lookups scan the table (a week of events, see
 * {@code hub.retention.published}), each bounded by {@link #TIMEOUT_SECONDS} and a row
 * limit, and never hold a lock.
 */
@Repository
public class EventLookup {

	/** How long one lookup may take before it is cancelled. */
	static final int TIMEOUT_SECONDS = 10;

	/** Characters of a payload shown at most. */
	static final int MAX_PAYLOAD_SHOWN = 64 * 1024;

	/** How many causation steps a chain follows up and down. */
	static final int MAX_DEPTH = 8;

	private static final String LIST_COLUMNS = """
			id, event_id, left(event_type, 300) AS event_type, left(event_version, 50) AS event_version,
			left(aggregate_type, 300) AS aggregate_type, left(aggregate_id, 300) AS aggregate_id, occurred_at,
			left(correlation_id, 300) AS correlation_id, left(causation_id, 300) AS causation_id, status, attempts,
			left(last_error, 4000) AS last_error, created_at, published_at""";

	private static final String BY_EVENT_ID = "SELECT " + LIST_COLUMNS + """
			, left(metadata::text, 4000) AS metadata, left(payload::text, ?) AS payload,
			  length(payload::text) AS payload_size
			FROM outbox_event WHERE event_id = ?::uuid""";

	private static final String BY_AGGREGATE_ID = "SELECT " + LIST_COLUMNS
			+ " FROM outbox_event WHERE aggregate_id = ? ORDER BY id LIMIT ?";

	private static final String BY_CORRELATION_ID = "SELECT " + LIST_COLUMNS
			+ " FROM outbox_event WHERE correlation_id = ? ORDER BY id LIMIT ?";

	// The event's descendants (causation_id = an event's id, MAX_DEPTH steps), its
	// ancestors (found by id beforehand) and every event of its correlation.
	private static final String CHAIN = """
			WITH RECURSIVE down (event_id, depth) AS (
			    SELECT ?::uuid, 0
			    UNION
			    SELECT o.event_id, d.depth + 1 FROM outbox_event o JOIN down d ON o.causation_id = d.event_id::text
			    WHERE d.depth < ?
			)
			SELECT""" + " " + LIST_COLUMNS + """
			 FROM outbox_event
			WHERE event_id IN (SELECT event_id FROM down) OR event_id = ANY (?::uuid[])
			   OR (?::text IS NOT NULL AND correlation_id = ?::text)
			ORDER BY id LIMIT ?""";

	private final JdbcTemplate jdbc;

	EventLookup(DataSource dataSource) {
		this.jdbc = new JdbcTemplate(dataSource);
		this.jdbc.setQueryTimeout(TIMEOUT_SECONDS);
	}

	/**
	 * @param eventId an event
	 * @return its row with metadata and (the start of) its payload, empty when unknown
	 */
	public Optional<StoredEvent> byEventId(UUID eventId) {
		return this.jdbc.query(BY_EVENT_ID, EventLookup::detailed, MAX_PAYLOAD_SHOWN, eventId.toString())
			.stream()
			.findFirst();
	}

	/**
	 * @param aggregateId an aggregate's id (of any aggregate type)
	 * @param limit how many rows at most
	 * @return its events in outbox order
	 */
	public List<StoredEvent> byAggregateId(String aggregateId, int limit) {
		if (storable(aggregateId)) {
			return this.jdbc.query(BY_AGGREGATE_ID, EventLookup::listed, aggregateId, limit);
		}
		return List.of();
	}

	/**
	 * @param correlationId a correlation id
	 * @param limit how many rows at most
	 * @return its events in outbox order
	 */
	public List<StoredEvent> byCorrelationId(String correlationId, int limit) {
		if (storable(correlationId)) {
			return this.jdbc.query(BY_CORRELATION_ID, EventLookup::listed, correlationId, limit);
		}
		return List.of();
	}

	/**
	 * PostgreSQL's text holds no NUL character, so no row has a value with one, and
	 * PostgreSQL refuses it as a parameter (the lookup answered 503 instead of nothing).
	 */
	private static boolean storable(String value) {
		return value.indexOf('\0') < 0;
	}

	/**
	 * The events linked to one: its causes (up its {@code causationId}s), what it caused
	 * (down), and every event of its correlation.
	 * @param event the event
	 * @param limit how many rows at most
	 * @return the linked events, the event itself included, in outbox order
	 */
	public List<StoredEvent> chain(StoredEvent event, int limit) {
		Set<UUID> ancestors = new LinkedHashSet<>();
		String cause = event.causationId();
		for (int depth = 0; depth < MAX_DEPTH && cause != null; depth++) {
			Optional<UUID> causeId = uuid(cause);
			if (causeId.isEmpty() || !ancestors.add(causeId.get())) {
				break;
			}
			// The cause's own cause: null when it has none or is no longer in the outbox.
			List<String> causes = this.jdbc.query(
					"SELECT left(causation_id, 300) FROM outbox_event WHERE event_id = ?::uuid",
					(rs, row) -> rs.getString(1), causeId.get().toString());
			cause = causes.isEmpty() ? null : causes.get(0);
		}
		return this.jdbc.query(CHAIN, EventLookup::listed, event.eventId().toString(), MAX_DEPTH,
				ancestors.stream().map(UUID::toString).toArray(String[]::new), event.correlationId(),
				event.correlationId(), limit);
	}

	/**
	 * @param text anything
	 * @return the UUID it spells, empty when it spells none
	 */
	public static Optional<UUID> uuid(String text) {
		if (text == null || text.length() != 36) {
			return Optional.empty();
		}
		try {
			return Optional.of(UUID.fromString(text));
		}
		catch (IllegalArgumentException ex) {
			return Optional.empty();
		}
	}

	private static StoredEvent listed(ResultSet rs, int row) throws SQLException {
		return event(rs, null, null, 0);
	}

	private static StoredEvent detailed(ResultSet rs, int row) throws SQLException {
		return event(rs, rs.getString("metadata"), rs.getString("payload"), rs.getInt("payload_size"));
	}

	private static StoredEvent event(ResultSet rs, String metadata, String payload, int payloadSize)
			throws SQLException {
		return new StoredEvent(rs.getLong("id"), rs.getObject("event_id", UUID.class), rs.getString("event_type"),
				rs.getString("event_version"), rs.getString("aggregate_type"), rs.getString("aggregate_id"),
				instant(rs.getTimestamp("occurred_at")), rs.getString("correlation_id"), rs.getString("causation_id"),
				rs.getString("status"), rs.getInt("attempts"), rs.getString("last_error"),
				instant(rs.getTimestamp("created_at")), instant(rs.getTimestamp("published_at")), metadata, payload,
				payloadSize);
	}

	private static Instant instant(Timestamp timestamp) {
		return (timestamp != null) ? timestamp.toInstant() : null;
	}

}
