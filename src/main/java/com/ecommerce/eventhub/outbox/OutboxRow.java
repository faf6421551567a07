package com.ecommerce.eventhub.outbox;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.Map;
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
	 * Maps a row of the claim query (column label to value, as camel-sql returns it).
	 * @param columns the row
	 * @return the typed row
	 */
	static OutboxRow fromColumns(Map<String, Object> columns) {
		Timestamp occurredAt = (Timestamp) columns.get("occurred_at");
		return new OutboxRow(((Number) columns.get("id")).longValue(), (UUID) columns.get("event_id"),
				(String) columns.get("event_type"), (String) columns.get("event_version"),
				(String) columns.get("aggregate_type"), (String) columns.get("aggregate_id"),
				(occurredAt != null) ? occurredAt.toInstant() : null, (String) columns.get("correlation_id"),
				(String) columns.get("causation_id"), (String) columns.get("metadata"), (String) columns.get("payload"),
				((Number) columns.get("attempts")).intValue(), ((Number) columns.get("row_size")).longValue(),
				EventTracing.valid(columns.get("traceparent")));
	}

}
