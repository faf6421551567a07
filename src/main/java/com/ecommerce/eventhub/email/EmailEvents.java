package com.ecommerce.eventhub.email;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.UUID;

import com.ecommerce.eventhub.envelope.Envelope;
import com.ecommerce.eventhub.envelope.EnvelopeJson;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Builds the e-mail events the hub emits. Their eventIds derive from the causing event, so handling
 * the same cause twice (a redelivery) writes the same eventId, which the outbox keeps once.
 */
final class EmailEvents {

	static final String VERSION = "1.0";

	private EmailEvents() {
	}

	/**
	 * An event caused by another, with the cause's aggregate and correlation.
	 * @param type the new event's type
	 * @param cause the causing event
	 * @param kind distinguishes several events of one cause, part of the derived eventId
	 * @param payload the new event's payload
	 * @param now the event time
	 * @return the envelope
	 */
	static ObjectNode causedBy(String type, Envelope cause, String kind, ObjectNode payload, Instant now) {
		ObjectNode envelope = EnvelopeJson.mapper().createObjectNode();
		envelope.put("eventId", derivedId(cause.eventId(), kind).toString());
		envelope.put("eventType", type);
		envelope.put("eventVersion", VERSION);
		envelope.put("aggregateId", cause.aggregateId());
		envelope.put("aggregateType", cause.aggregateType());
		envelope.put("occurredAt", DateTimeFormatter.ISO_INSTANT.format(now));
		if (cause.correlationId() != null) {
			envelope.put("correlationId", cause.correlationId());
		}
		envelope.put("causationId", cause.eventId().toString());
		ObjectNode metadata = envelope.putObject("metadata");
		if (cause.metadata() != null) {
			if (cause.metadata().source() != null) {
				metadata.put("source", cause.metadata().source());
			}
			if (cause.metadata().environment() != null) {
				metadata.put("environment", cause.metadata().environment());
			}
		}
		envelope.set("payload", payload);
		return envelope;
	}

	static UUID derivedId(UUID cause, String kind) {
		return UUID.nameUUIDFromBytes((cause + "/" + kind).getBytes(StandardCharsets.UTF_8));
	}

}
