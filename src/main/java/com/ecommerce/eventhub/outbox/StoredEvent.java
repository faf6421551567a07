package com.ecommerce.eventhub.outbox;

import java.time.Instant;
import java.util.UUID;

/**
 * One outbox row as an operator looks it up: the event's identity and links, and the
 * relay's bookkeeping.
 *
 * @param id the outbox sequence id
 * @param eventId the event's id
 * @param eventType its type
 * @param eventVersion its version
 * @param aggregateType its aggregate's type
 * @param aggregateId its aggregate's id
 * @param occurredAt when it happened
 * @param correlationId the correlation it belongs to, or null
 * @param causationId the event that caused it, or null
 * @param status {@code PENDING}, {@code PUBLISHED} or {@code DEAD}
 * @param attempts publish attempts so far
 * @param lastError why the last attempt failed (or why the row is DEAD), or null
 * @param createdAt when the row was written
 * @param publishedAt when the broker confirmed it, or null
 * @param metadata the metadata as JSON text, or null (and null in lists)
 * @param payload the start of the payload as JSON text (null in lists)
 * @param payloadSize the payload's whole length in characters as JSON text (0 in lists)
 */
public record StoredEvent(long id, UUID eventId, String eventType, String eventVersion, String aggregateType,
		String aggregateId, Instant occurredAt, String correlationId, String causationId, String status, int attempts,
		String lastError, Instant createdAt, Instant publishedAt, String metadata, String payload, int payloadSize) {

	/**
	 * @return whether {@link #payload} is only the start of the payload
	 */
	public boolean payloadTruncated() {
		return this.payload != null && this.payload.length() < this.payloadSize;
	}

}
