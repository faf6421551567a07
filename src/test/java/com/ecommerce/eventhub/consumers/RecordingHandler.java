package com.ecommerce.eventhub.consumers;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import com.ecommerce.eventhub.envelope.Envelope;
import com.fasterxml.jackson.databind.JsonNode;

import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * A test handler whose behaviour each event chooses in its payload: {@code failTimes}
 * (fail the first n attempts), {@code alwaysFail}, {@code sleepFirstMs} (first attempt
 * sleeps), {@code dropConnectionOnce} (kills the consumer's connection before its commit,
 * so the ack is lost). Its effect is a row in {@code test_effect}, written in the
 * handler's transaction.
 */
class RecordingHandler implements EventHandler {

	final Map<UUID, List<Long>> attempts = new ConcurrentHashMap<>();

	final List<UUID> handledOrder = new CopyOnWriteArrayList<>();

	private final JdbcTemplate jdbc;

	private final CachingConnectionFactory connections;

	RecordingHandler(JdbcTemplate jdbc, CachingConnectionFactory connections) {
		this.jdbc = jdbc;
		this.connections = connections;
	}

	@Override
	public Map<String, Set<Integer>> supportedVersions() {
		return Map.of("product.activated", Set.of(1));
	}

	@Override
	public void handle(Envelope envelope) throws Exception {
		List<Long> times = this.attempts.computeIfAbsent(envelope.eventId(), id -> new CopyOnWriteArrayList<>());
		times.add(System.nanoTime());
		int attempt = times.size();
		JsonNode payload = envelope.payload();
		if (payload.path("alwaysFail").asBoolean(false) || attempt <= payload.path("failTimes").asInt(0)) {
			throw new IllegalStateException("planned failure " + attempt);
		}
		if (attempt == 1 && payload.has("sleepFirstMs")) {
			Thread.sleep(payload.get("sleepFirstMs").asLong());
		}
		this.jdbc.update("INSERT INTO test_effect (event_id) VALUES (?)", envelope.eventId());
		if (attempt == 1 && payload.path("dropConnectionOnce").asBoolean(false)) {
			this.connections.resetConnection(); // the ack of this delivery will never
												// reach the broker
		}
		this.handledOrder.add(envelope.eventId());
	}

	int attemptsOf(UUID eventId) {
		return this.attempts.getOrDefault(eventId, List.of()).size();
	}

}
