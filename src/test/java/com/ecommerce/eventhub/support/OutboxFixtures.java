package com.ecommerce.eventhub.support;

import java.io.IOException;
import java.io.InputStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.UUID;

import com.ecommerce.eventhub.envelope.EnvelopeJson;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Writes outbox rows the way a producer service does: a plain INSERT of the envelope's
 * parts.
 */
public final class OutboxFixtures {

	private OutboxFixtures() {
	}

	/**
	 * The spec's example envelope of an event type (src/test/resources/examples), with a
	 * fresh eventId so each use is a new event.
	 * @param eventType e.g. {@code order.placed}
	 * @return the envelope
	 */
	public static ObjectNode example(String eventType) {
		try (InputStream in = OutboxFixtures.class.getResourceAsStream("/examples/" + eventType + ".json")) {
			if (in == null) {
				throw new IllegalArgumentException("No example for " + eventType);
			}
			ObjectNode envelope = (ObjectNode) EnvelopeJson.mapper().readTree(in);
			envelope.put("eventId", UUID.randomUUID().toString());
			return envelope;
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * Inserts an envelope as an outbox row of the given schema.
	 * @param connection an open connection (its transaction is the caller's)
	 * @param schema the hub schema
	 * @param envelope the envelope
	 * @return the row id
	 * @throws SQLException on database errors
	 */
	public static long insert(Connection connection, String schema, JsonNode envelope) throws SQLException {
		String sql = "INSERT INTO " + schema + ".outbox_event (event_id, event_type, event_version, aggregate_type, "
				+ "aggregate_id, occurred_at, correlation_id, causation_id, metadata, payload) "
				+ "VALUES (?::uuid, ?, ?, ?, ?, coalesce(?, now()), ?, ?, ?::jsonb, ?::jsonb) RETURNING id";
		try (PreparedStatement statement = connection.prepareStatement(sql)) {
			statement.setString(1, envelope.path("eventId").asText());
			statement.setString(2, envelope.path("eventType").asText());
			statement.setString(3, envelope.path("eventVersion").asText());
			statement.setString(4, envelope.path("aggregateType").asText());
			statement.setString(5, envelope.path("aggregateId").asText());
			JsonNode occurredAt = envelope.get("occurredAt");
			statement.setTimestamp(6, (occurredAt != null) ? Timestamp.from(Instant.parse(occurredAt.asText())) : null);
			statement.setString(7, text(envelope, "correlationId"));
			statement.setString(8, text(envelope, "causationId"));
			statement.setString(9, envelope.has("metadata") ? envelope.get("metadata").toString() : null);
			statement.setString(10, envelope.path("payload").toString());
			try (var rs = statement.executeQuery()) {
				rs.next();
				return rs.getLong(1);
			}
		}
	}

	/**
	 * Inserts an envelope in its own transaction.
	 * @param schema the hub schema
	 * @param envelope the envelope
	 * @return the row id
	 * @throws SQLException on database errors
	 */
	public static long insert(String schema, JsonNode envelope) throws SQLException {
		try (Connection connection = TestServices.jdbc()) {
			return insert(connection, schema, envelope);
		}
	}

	/**
	 * An aggregate id that the same relay worker claims as the given one: the same hash
	 * partition of the default two workers ({@code sql/claim-outbox-batch.sql}).
	 * @param jdbc any connection to PostgreSQL (it computes the hash)
	 * @param aggregate the aggregate id
	 * @return another aggregate id
	 */
	public static String samePartitionAs(JdbcTemplate jdbc, String aggregate) {
		for (int i = 0;; i++) {
			String candidate = "other-" + i + "-" + aggregate;
			Boolean same = jdbc.queryForObject("SELECT (hashtext(?) & 2147483647) % 2 = (hashtext(?) & 2147483647) % 2",
					Boolean.class, aggregate, candidate);
			if (Boolean.TRUE.equals(same)) {
				return candidate;
			}
		}
	}

	private static String text(JsonNode node, String field) {
		JsonNode value = node.get(field);
		return (value == null || value.isNull()) ? null : value.asText();
	}

}
