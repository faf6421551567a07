package com.ecommerce.eventhub.envelope;

import java.time.Instant;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * The spec's base event envelope, exactly as it travels on the wire.
 *
 * <p>
 * Optional fields that are absent stay {@code null} and are omitted when serialised by
 * {@link EnvelopeJson#mapper()}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Envelope(UUID eventId, String eventType, String eventVersion, String aggregateId, String aggregateType,
		Instant occurredAt, String correlationId, String causationId, Metadata metadata, JsonNode payload) {

	/** The major part of {@link #eventVersion()}, e.g. 1 for "1.3". */
	public int majorVersion() {
		return EventVersion.parse(this.eventVersion).major();
	}

	/**
	 * Who produced the event and where.
	 *
	 * @param userId the acting user, when there is one
	 * @param source the producing system, e.g. {@code ecommerce-api}
	 * @param environment the deployment environment, e.g. {@code production}
	 */
	@JsonInclude(JsonInclude.Include.NON_NULL)
	public record Metadata(String userId, String source, String environment) {
	}

}
