package com.ecommerce.eventhub.envelope;

import java.time.Clock;
import java.time.format.DateTimeFormatter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Fills what a producer may leave out of an envelope: {@code metadata.source},
 * {@code metadata.environment} and {@code occurredAt}. Values a producer did set are
 * kept.
 */
public final class EnvelopeEnricher {

	private final String defaultSource;

	private final String defaultEnvironment;

	private final Clock clock;

	/**
	 * @param defaultSource {@code metadata.source} when absent ({@code hub.source})
	 * @param defaultEnvironment {@code metadata.environment} when absent
	 * ({@code hub.environment})
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
	 * Enriches the envelope in place with a caller-specific default source.
	 * @param envelope the envelope as a JSON object
	 * @param source {@code metadata.source} when absent
	 * @return the same object, for chaining
	 */
	public ObjectNode enrich(ObjectNode envelope, String source) {
		return enrich(envelope, source, false);
	}

	/**
	 * Enriches an envelope an external caller posted: {@code metadata.source} is the
	 * caller's name and {@code metadata.environment} the hub's, whatever the caller wrote
	 * there; a caller cannot speak for another system.
	 * @param envelope the envelope as a JSON object
	 * @param caller the authenticated caller's name
	 * @return the same object, for chaining
	 */
	public ObjectNode enrichFromCaller(ObjectNode envelope, String caller) {
		return enrich(envelope, caller, true);
	}

	private ObjectNode enrich(ObjectNode envelope, String source, boolean overwrite) {
		JsonNode metadata = envelope.get("metadata");
		if (metadata == null || metadata.isNull()) {
			metadata = envelope.putObject("metadata");
		}
		if (metadata instanceof ObjectNode metadataObject) {
			if (overwrite) {
				metadataObject.put("source", source);
				metadataObject.put("environment", this.defaultEnvironment);
			}
			else {
				putIfAbsent(metadataObject, "source", source);
				putIfAbsent(metadataObject, "environment", this.defaultEnvironment);
			}
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
