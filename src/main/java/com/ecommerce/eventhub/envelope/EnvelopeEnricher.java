package com.ecommerce.eventhub.envelope;

import java.time.Clock;
import java.time.format.DateTimeFormatter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Fills what a producer may leave out of an envelope: {@code metadata.source},
 * {@code metadata.environment} and {@code occurredAt}. Values a producer did set are kept.
 */
public final class EnvelopeEnricher {

	private final String defaultSource;

	private final String defaultEnvironment;

	private final Clock clock;

	/**
	 * @param defaultSource {@code metadata.source} when absent ({@code hub.source})
	 * @param defaultEnvironment {@code metadata.environment} when absent ({@code hub.environment})
	 * @param clock the time source for a missing {@code occurredAt}
	 */
	public EnvelopeEnricher(String defaultSource, String defaultEnvironment, Clock clock) {
		this.defaultSource = defaultSource;
		this.defaultEnvironment = defaultEnvironment;
		this.clock = clock;
	}

	/**
	 * Enriches the envelope in place.
	 * @param envelope the envelope as a JSON object
	 * @return the same object, for chaining
	 */
	public ObjectNode enrich(ObjectNode envelope) {
		return enrich(envelope, this.defaultSource);
	}

	/**
	 * Enriches the envelope in place with a caller-specific default source, e.g. the name of the
	 * API key an external system posted with.
	 * @param envelope the envelope as a JSON object
	 * @param source {@code metadata.source} when absent
	 * @return the same object, for chaining
	 */
	public ObjectNode enrich(ObjectNode envelope, String source) {
		JsonNode metadata = envelope.get("metadata");
		if (metadata == null || metadata.isNull()) {
			metadata = envelope.putObject("metadata");
		}
		if (metadata instanceof ObjectNode metadataObject) {
			putIfAbsent(metadataObject, "source", source);
			putIfAbsent(metadataObject, "environment", this.defaultEnvironment);
		}
		putIfAbsent(envelope, "occurredAt", DateTimeFormatter.ISO_INSTANT.format(this.clock.instant()));
		return envelope;
	}

	private static void putIfAbsent(ObjectNode node, String field, String value) {
		JsonNode current = node.get(field);
		if (current == null || current.isNull()) {
			node.put(field, value);
		}
	}

}
