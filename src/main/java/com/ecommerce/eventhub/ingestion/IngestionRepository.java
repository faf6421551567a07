package com.ecommerce.eventhub.ingestion;

import java.util.List;
import java.util.Map;
import java.util.Optional;

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

	// PostgreSQL compares: jsonb equality is by value (1.0 = 1, key order irrelevant), and nothing of
	// the stored row has to be read back into the hub.
	private static final String EXISTING = """
			SELECT status,
			       event_type = ? AND event_version = ? AND aggregate_type = ? AND aggregate_id = ?
			       AND correlation_id IS NOT DISTINCT FROM ? AND causation_id IS NOT DISTINCT FROM ?
			       AND metadata IS NOT DISTINCT FROM ?::jsonb AND payload = ?::jsonb
			       AND (?::timestamptz IS NULL OR occurred_at = ?::timestamptz) AS same
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
	 * @param envelope the canonical, enriched, valid envelope
	 * @param compareOccurredAt whether the caller set occurredAt (a defaulted one differs on every post)
	 * @return what happened
	 */
	Stored insert(JsonNode envelope, boolean compareOccurredAt) {
		String eventId = envelope.get("eventId").asText();
		String metadata = envelope.path("metadata").toString();
		String payload = envelope.get("payload").toString();
		String occurredAt = text(envelope, "occurredAt");
		List<Long> inserted = this.jdbc.queryForList(INSERT, Long.class, eventId, text(envelope, "eventType"),
				text(envelope, "eventVersion"), text(envelope, "aggregateType"), text(envelope, "aggregateId"),
				occurredAt, text(envelope, "correlationId"), text(envelope, "causationId"), metadata, payload);
		if (!inserted.isEmpty()) {
			return new Stored(eventId, "PENDING", true, false);
		}
		String compared = compareOccurredAt ? occurredAt : null;
		Map<String, Object> existing = this.jdbc.queryForMap(EXISTING, text(envelope, "eventType"),
				text(envelope, "eventVersion"), text(envelope, "aggregateType"), text(envelope, "aggregateId"),
				text(envelope, "correlationId"), text(envelope, "causationId"), metadata, payload, compared, compared,
				eventId);
		boolean same = Boolean.TRUE.equals(existing.get("same"));
		return new Stored(eventId, (String) existing.get("status"), false, !same);
	}

	Optional<Map<String, Object>> status(String eventId) {
		return this.jdbc.queryForList(STATUS, eventId).stream().findFirst();
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
