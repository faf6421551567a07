package com.ecommerce.eventhub.consumers;

import java.io.IOException;
import java.util.List;
import java.util.Set;

import com.ecommerce.eventhub.config.EnvelopeProperties;
import com.ecommerce.eventhub.envelope.Envelope;
import com.ecommerce.eventhub.envelope.EnvelopeJson;
import com.ecommerce.eventhub.envelope.EnvelopeValidationException;
import com.ecommerce.eventhub.envelope.EventSchemas;
import com.ecommerce.eventhub.envelope.EventVersion;
import com.ecommerce.eventhub.envelope.StorableJson;
import com.ecommerce.eventhub.envelope.UnsupportedVersionError;
import com.ecommerce.eventhub.envelope.Violation;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.stereotype.Component;

/**
 * What a consumed message must pass before any handler sees it, each check in linear time
 * and once per message: its size, its JSON, its numbers and strings, the envelope and
 * payload schemas, and the handler's versions. Every refusal is permanent
 * ({@code PermanentFailureException}): retrying cannot fix the message, so it is
 * dead-lettered at once with the reason.
 */
@Component
class MessageGuard {

	private static final Logger log = LoggerFactory.getLogger(MessageGuard.class);

	private final ObjectMapper mapper = EnvelopeJson.mapper();

	private final EventSchemas schemas;

	private final int maxEventBytes;

	MessageGuard(EventSchemas schemas, EnvelopeProperties envelope) {
		this.schemas = schemas;
		this.maxEventBytes = envelope.maxBytes();
	}

	/**
	 * @param route the consumer route
	 * @param body the message body
	 * @return the event, or null when the route's handler does not take its type
	 * (acknowledged, skipped)
	 */
	Envelope admit(ConsumerRoute route, byte[] body) {
		if (body.length > this.maxEventBytes) {
			throw new EnvelopeValidationException("invalid envelope: the message is " + body.length + " bytes; at most "
					+ this.maxEventBytes + " are accepted (hub.envelope.max-size)");
		}
		JsonNode tree = read(body);
		String eventType = tree.path("eventType").isTextual() ? tree.path("eventType").textValue() : null;
		String eventVersion = tree.path("eventVersion").isTextual() ? tree.path("eventVersion").textValue() : null;
		EventHandler handler = route.handler();
		boolean taken = eventType != null && handler.takes(eventType);
		EventVersion version = EventVersion.parseOrNull(eventVersion);
		if (taken && version != null) {
			int major = version.major();
			if (!handler.supports(eventType, major)) {
				throw new UnsupportedVersionError(eventType, eventVersion, supported(handler, eventType));
			}
		}
		// Numbers and strings first: anyone with broker access can publish 1e-999999999,
		// which a handler
		// formatting money would spend minutes writing out.
		List<Violation> violations = StorableJson.canonicalize(tree, "");
		if (violations.isEmpty()) {
			violations = this.schemas.validate(tree);
		}
		if (!violations.isEmpty()) {
			throw EnvelopeValidationException.of(violations);
		}
		if (!taken) {
			log.debug("Route {} skips {}: its handler does not take this event type", route.routeId(), eventType);
			return null;
		}
		try {
			return Envelope.ofValidTree(tree);
		}
		catch (IOException ex) {
			throw new EnvelopeValidationException("invalid envelope: " + ex.getMessage());
		}
	}

	private static Set<Integer> supported(EventHandler handler, String eventType) {
		Set<Integer> majors = handler.supportedMajors(eventType);
		return (majors != null) ? majors : Set.of();
	}

	private JsonNode read(byte[] body) {
		try {
			return this.mapper.readTree(body);
		}
		catch (IOException ex) {
			throw new EnvelopeValidationException("unreadable envelope: " + ex.getMessage());
		}
	}

}
