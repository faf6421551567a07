package com.ecommerce.eventhub.outbox;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.UUID;

import com.ecommerce.eventhub.tracing.EventTracing;

/**
 * One claimed outbox row, as the claim query returns it.
 *
 * @param id the outbox sequence id (not commit order)
 * @param eventId the event's unique id
 * @param eventType e.g. {@code order.placed}, also the routing key
 * @param eventVersion {@code major.minor}
 * @param aggregateType e.g. {@code Order}
 * @param aggregateId the aggregate root's id
 * @param occurredAt when the event happened
 * @param correlationId optional trace id
 * @param causationId optional id of the causing event
 * @param metadata the metadata column as JSON text, or null (also when the row is
 * oversize)
 * @param payload the payload column as JSON text, or null when the row is too large to
 * load
 * @param attempts failed publish attempts so far
 * @param size the row's JSON and text columns in bytes, as PostgreSQL writes them
 * @param traceparent the W3C trace context the event continues, null when the row has
 * none or an ill-formed one
 */
public record OutboxRow(long id, UUID eventId, String eventType, String eventVersion, String aggregateType,
		String aggregateId, Instant occurredAt, String correlationId, String causationId, String metadata,
		String payload, int attempts, long size, String traceparent) {

	/**
	 * Whether the claim left the row's JSON out because it is far over
	 * {@code hub.envelope.max-size}.
	 */
	boolean isOversize() {
		return this.payload == null;
	}

	/**
	 * Maps a row of the claim query ({@code sql/claim-outbox-batch.sql}) straight from
	 * the result set: the relay's hot path, so no column map per row.
	 * @param rs the result set on the row
	 * @param rowNum unused
	 * @return the typed row
	 * @throws SQLException when a column is missing
	 */
	static OutboxRow fromResultSet(ResultSet rs, int rowNum) throws SQLException {
		Timestamp occurredAt = rs.getTimestamp("occurred_at");
		return new OutboxRow(rs.getLong("id"), rs.getObject("event_id", UUID.class), rs.getString("event_type"),
				rs.getString("event_version"), rs.getString("aggregate_type"), rs.getString("aggregate_id"),
				(occurredAt != null) ? occurredAt.toInstant() : null, rs.getString("correlation_id"),
				rs.getString("causation_id"), rs.getString("metadata"), rs.getString("payload"), rs.getInt("attempts"),
				rs.getLong("row_size"), EventTracing.valid(rs.getString("traceparent")));
	}

}
