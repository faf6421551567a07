package com.ecommerce.eventhub.envelope;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
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

	/**
	 * The envelope of a tree that passed {@link EventSchemas#validate}: mapped field by
	 * field where it is in canonical form ({@link #fromValidTree}), by Jackson otherwise.
	 * @param tree a valid envelope
	 * @return the envelope
	 * @throws JsonProcessingException when Jackson cannot map it either
	 */
	public static Envelope ofValidTree(JsonNode tree) throws JsonProcessingException {
		Envelope envelope = fromValidTree(tree);
		return (envelope != null) ? envelope : EnvelopeJson.mapper().treeToValue(tree, Envelope.class);
	}

	/**
	 * The envelope of a tree that passed {@link EventSchemas#validate}, mapped field by
	 * field: a consumer does this for every message, and Jackson's {@code treeToValue}
	 * (which re-reads the tree through a parser and copies the payload) took about 8 % of
	 * its CPU, and a tenth of a single-event ingestion request's. The payload is the
	 * tree's own node, not a copy.
	 * @param tree a valid envelope
	 * @return the envelope, or null when eventId or occurredAt is not in the canonical
	 * form this mapping reads (the caller then uses Jackson, which decides)
	 */
	public static Envelope fromValidTree(JsonNode tree) {
		String eventId = text(tree, "eventId");
		String occurredAt = text(tree, "occurredAt");
		if (eventId == null || eventId.length() != 36) {
			return null;
		}
		UUID id;
		Instant occurred;
		try {
			id = UUID.fromString(eventId);
			occurred = (occurredAt != null) ? Instant.parse(occurredAt) : null;
		}
		catch (IllegalArgumentException | DateTimeParseException ex) {
			return null;
		}
		JsonNode metadata = tree.get("metadata");
		return new Envelope(id, text(tree, "eventType"), text(tree, "eventVersion"), text(tree, "aggregateId"),
				text(tree, "aggregateType"), occurred, text(tree, "correlationId"), text(tree, "causationId"),
				(metadata != null && metadata.isObject()) ? new Metadata(text(metadata, "userId"),
						text(metadata, "source"), text(metadata, "environment")) : null,
				tree.get("payload"));
	}

	private static String text(JsonNode node, String field) {
		JsonNode value = node.get(field);
		return (value != null && value.isTextual()) ? value.textValue() : null;
	}

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
