package com.ecommerce.eventhub.outbox;

import java.sql.Timestamp;
import java.time.Instant;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import com.ecommerce.eventhub.config.EnvelopeProperties;
import com.ecommerce.eventhub.envelope.EnvelopeValidationException;
import com.ecommerce.eventhub.envelope.EventSchemas;
import com.ecommerce.eventhub.envelope.StorableJson;
import com.ecommerce.eventhub.envelope.Violation;
import com.fasterxml.jackson.databind.JsonNode;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Writes events into the outbox the way a producer does, in the caller's transaction, for the
 * hub's own events (e-mail requests, results, retries) and for ingestion. The envelope is
 * validated first, so the hub never writes a row its relay would dead-letter.
 */
@Component
public class OutboxWriter {

	private static final String INSERT = """
			INSERT INTO outbox_event (event_id, event_type, event_version, aggregate_type, aggregate_id, occurred_at,
			    correlation_id, causation_id, metadata, payload, available_at)
			VALUES (?::uuid, ?, ?, ?, ?, ?::timestamptz, ?, ?, ?::jsonb, ?::jsonb, coalesce(?, now()))
			ON CONFLICT (event_id) DO NOTHING""";

	private final JdbcTemplate jdbc;

	private final EventSchemas schemas;

	private final int maxEventBytes;

	public OutboxWriter(JdbcTemplate jdbc, EventSchemas schemas, EnvelopeProperties envelope) {
		this.jdbc = jdbc;
		this.schemas = schemas;
		this.maxEventBytes = envelope.maxBytes();
	}

	/**
	 * Writes an event to be published now.
	 * @param envelope a complete envelope
	 * @return false when an event with its eventId was written before (nothing written)
	 * @throws EnvelopeValidationException when the envelope is invalid
	 */
	public boolean write(JsonNode envelope) {
		return write(envelope, null);
	}

	/**
	 * Writes an event to be published at a later time (a durable delay).
	 * @param envelope a complete envelope
	 * @param availableAt when the relay may publish it, null for now
	 * @return false when an event with its eventId was written before (nothing written)
	 * @throws EnvelopeValidationException when the envelope is invalid
	 */
	public boolean write(JsonNode envelope, Instant availableAt) {
		// Values copied from a consumed event could hold what PostgreSQL refuses (U+0000) or make the
		// event too large to publish: refused here, permanently, with the reason.
		List<Violation> violations = new ArrayList<>(StorableJson.canonicalize(envelope, ""));
		violations.addAll(this.schemas.validate(envelope));
		if (!violations.isEmpty()) {
			throw EnvelopeValidationException.of(violations);
		}
		int size = envelope.toString().getBytes(StandardCharsets.UTF_8).length;
		if (size > this.maxEventBytes) {
			throw new EnvelopeValidationException("invalid envelope: the event would be " + size
					+ " bytes as JSON; at most " + this.maxEventBytes + " are published (hub.envelope.max-size)");
		}
		return this.jdbc.update(INSERT, envelope.get("eventId").asText(), envelope.get("eventType").asText(),
				envelope.get("eventVersion").asText(), envelope.get("aggregateType").asText(),
				envelope.get("aggregateId").asText(), envelope.get("occurredAt").asText(), text(envelope, "correlationId"),
				text(envelope, "causationId"), envelope.has("metadata") ? envelope.get("metadata").toString() : null,
				envelope.get("payload").toString(), (availableAt != null) ? Timestamp.from(availableAt) : null) == 1;
	}

	private static String text(JsonNode node, String field) {
		JsonNode value = node.get(field);
		return (value == null || value.isNull()) ? null : value.asText();
	}

}
