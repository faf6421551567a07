package com.ecommerce.eventhub.ingestion;

import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import com.ecommerce.eventhub.envelope.EnvelopeJson;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

/** Stores posted envelopes in the outbox and reads their status. */
@Repository
class IngestionRepository {

	private static final String INSERT = """
			INSERT INTO outbox_event (event_id, event_type, event_version, aggregate_type, aggregate_id, occurred_at,
			    correlation_id, causation_id, metadata, payload)
			VALUES (?::uuid, ?, ?, ?, ?, ?::timestamptz, ?, ?, ?::jsonb, ?::jsonb)
			ON CONFLICT (event_id) DO NOTHING
			RETURNING id""";

	private static final String EXISTING = """
			SELECT event_type, event_version, aggregate_type, aggregate_id, occurred_at, correlation_id, causation_id,
			       metadata::text AS metadata, payload::text AS payload, status
			FROM outbox_event WHERE event_id = ?::uuid""";

	private static final String STATUS = """
			SELECT event_id, event_type, status, attempts, last_error, occurred_at, published_at
			FROM outbox_event WHERE event_id = ?::uuid""";

	private final JdbcTemplate jdbc;

	IngestionRepository(JdbcTemplate jdbc) {
		this.jdbc = jdbc;
	}

	/**
	 * Inserts the envelope unless its eventId exists; a concurrent insert of the same eventId waits
	 * for the other transaction and then sees its row.
	 * @param envelope the enriched, valid envelope
	 * @param compareOccurredAt whether the caller set occurredAt (a defaulted one differs on every post)
	 * @return what happened
	 */
	Stored insert(JsonNode envelope, boolean compareOccurredAt) {
		String eventId = envelope.get("eventId").asText();
		List<Long> inserted = this.jdbc.queryForList(INSERT, Long.class, eventId, text(envelope, "eventType"),
				text(envelope, "eventVersion"), text(envelope, "aggregateType"), text(envelope, "aggregateId"),
				text(envelope, "occurredAt"), text(envelope, "correlationId"), text(envelope, "causationId"),
				envelope.path("metadata").toString(), envelope.get("payload").toString());
		if (!inserted.isEmpty()) {
			return new Stored(eventId, "PENDING", true, false);
		}
		Map<String, Object> existing = this.jdbc.queryForMap(EXISTING, eventId);
		boolean same = sameContent(envelope, existing, compareOccurredAt);
		return new Stored(eventId, (String) existing.get("status"), false, !same);
	}

	Optional<Map<String, Object>> status(String eventId) {
		return this.jdbc.queryForList(STATUS, eventId).stream().findFirst();
	}

	private static boolean sameContent(JsonNode envelope, Map<String, Object> row, boolean compareOccurredAt) {
		boolean same = Objects.equals(text(envelope, "eventType"), row.get("event_type"))
				&& Objects.equals(text(envelope, "eventVersion"), row.get("event_version"))
				&& Objects.equals(text(envelope, "aggregateType"), row.get("aggregate_type"))
				&& Objects.equals(text(envelope, "aggregateId"), row.get("aggregate_id"))
				&& Objects.equals(text(envelope, "correlationId"), row.get("correlation_id"))
				&& Objects.equals(text(envelope, "causationId"), row.get("causation_id"))
				&& Objects.equals(envelope.path("metadata"), json(row.get("metadata")))
				&& Objects.equals(envelope.get("payload"), json(row.get("payload")));
		if (same && compareOccurredAt) {
			Instant posted = Instant.parse(text(envelope, "occurredAt")).truncatedTo(ChronoUnit.MICROS);
			same = posted.equals(((Timestamp) row.get("occurred_at")).toInstant());
		}
		return same;
	}

	private static JsonNode json(Object text) {
		try {
			return (text != null) ? EnvelopeJson.mapper().readTree(text.toString()) : EnvelopeJson.mapper().missingNode();
		}
		catch (JsonProcessingException ex) {
			throw new IllegalStateException("The outbox holds invalid JSON", ex);
		}
	}

	private static String text(JsonNode node, String field) {
		JsonNode value = node.get(field);
		return (value == null || value.isNull()) ? null : value.asText();
	}

	/**
	 * @param eventId the event
	 * @param status its outbox status
	 * @param created whether this request stored it
	 * @param conflict whether an event with this id but other content exists
	 */
	record Stored(String eventId, String status, boolean created, boolean conflict) {
	}

}
