package com.ecommerce.eventhub.email;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;

import com.ecommerce.eventhub.envelope.Envelope;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * Builds the e-mail events the hub emits. Their eventIds derive from the causing event,
 * so handling the same cause twice (a redelivery) writes the same eventId, which the
 * outbox keeps once.
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
	static Envelope causedBy(String type, Envelope cause, String kind, JsonNode payload, Instant now) {
		Envelope.Metadata metadata = (cause.metadata() != null)
				? new Envelope.Metadata(null, cause.metadata().source(), cause.metadata().environment())
				: new Envelope.Metadata(null, null, null);
		return new Envelope(derivedId(cause.eventId(), kind), type, VERSION, cause.aggregateId(), cause.aggregateType(),
				now, cause.correlationId(), cause.eventId().toString(), metadata, payload);
	}

	static UUID derivedId(UUID cause, String kind) {
		return UUID.nameUUIDFromBytes((cause + "/" + kind).getBytes(StandardCharsets.UTF_8));
	}

}
