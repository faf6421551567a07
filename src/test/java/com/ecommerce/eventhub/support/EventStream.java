package com.ecommerce.eventhub.support;

import java.sql.Connection;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

import com.ecommerce.eventhub.support.QueueRecorder.Received;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Several thousand events over many aggregates, written to an outbox the way producers do
 * (small transactions, in the background), and the bookkeeping to judge what a queue
 * received: events lost, duplicated, and out of order within their aggregate.
 */
public final class EventStream {

	private final List<ObjectNode> events = new ArrayList<>();

	private final Map<String, String> aggregateOf = new HashMap<>();

	private EventStream() {
	}

	/**
	 * @param eventType the type of every event (its example is the template)
	 * @param count how many events
	 * @param aggregates over how many aggregates, round robin
	 * @return the stream, not written yet
	 */
	public static EventStream of(String eventType, int count, int aggregates) {
		EventStream stream = new EventStream();
		List<String> ids = new ArrayList<>();
		for (int i = 0; i < aggregates; i++) {
			ids.add(UUID.randomUUID().toString());
		}
		for (int i = 0; i < count; i++) {
			ObjectNode event = OutboxFixtures.example(eventType);
			String aggregate = ids.get(i % aggregates);
			event.put("aggregateId", aggregate);
			stream.events.add(event);
			stream.aggregateOf.put(event.get("eventId").asText(), aggregate);
		}
		return stream;
	}

	/**
	 * Writes the events in transactions of {@code perTransaction} rows, in the
	 * background.
	 * @param connections where the outbox is
	 * @param schema the hub's schema
	 * @param perTransaction rows per transaction
	 * @return completes when every row is committed; retries a transaction the database
	 * refused
	 */
	public CompletableFuture<Void> writeInBackground(Supplier<Connection> connections, String schema,
			int perTransaction) {
		return CompletableFuture.runAsync(() -> {
			for (int from = 0; from < this.events.size(); from += perTransaction) {
				List<ObjectNode> chunk = this.events.subList(from, Math.min(from + perTransaction, this.events.size()));
				writeWithRetries(connections, schema, chunk);
			}
		});
	}

	private static void writeWithRetries(Supplier<Connection> connections, String schema, List<ObjectNode> chunk) {
		for (int attempt = 1;; attempt++) {
			try (Connection connection = connections.get()) {
				connection.setAutoCommit(false);
				for (ObjectNode event : chunk) {
					OutboxFixtures.insert(connection, schema, event);
				}
				connection.commit();
				return;
			}
			catch (Exception ex) {
				// The database restarting under the producer: the transaction rolled
				// back, write it again.
				if (attempt == 60) {
					throw new IllegalStateException("Could not write events", ex);
				}
				sleep(500);
			}
		}
	}

	/**
	 * @param eventId an event of the stream
	 * @return its aggregate
	 */
	public String aggregateOf(String eventId) {
		return this.aggregateOf.get(eventId);
	}

	/** The aggregates, each once. */
	public List<String> aggregates() {
		return this.aggregateOf.values().stream().distinct().toList();
	}

	/** The eventIds, in the order they are written. */
	public List<String> ids() {
		return this.events.stream().map(event -> event.get("eventId").asText()).toList();
	}

	/**
	 * Judges what arrived.
	 * @param received the messages a queue delivered, in arrival order
	 * @return lost, duplicated and out-of-order counts
	 */
	public Verdict judge(Collection<Received> received) {
		Set<String> expected = new HashSet<>(ids());
		Map<String, Integer> seen = new LinkedHashMap<>();
		for (Received message : received) {
			String id = message.properties().getMessageId();
			if (expected.contains(id)) {
				seen.merge(id, 1, Integer::sum);
			}
		}
		int duplicates = seen.values().stream().mapToInt(n -> n - 1).sum();
		int lost = expected.size() - seen.size();
		// First arrival of each event, grouped by aggregate, against the order they were
		// written in.
		Map<String, Integer> writtenAt = new HashMap<>();
		List<String> ids = ids();
		for (int i = 0; i < ids.size(); i++) {
			writtenAt.put(ids.get(i), i);
		}
		Map<String, Integer> lastOfAggregate = new HashMap<>();
		int outOfOrder = 0;
		for (String id : seen.keySet()) {
			String aggregate = this.aggregateOf.get(id);
			int position = writtenAt.get(id);
			Integer last = lastOfAggregate.get(aggregate);
			if (last != null && position < last) {
				outOfOrder++;
			}
			else {
				lastOfAggregate.put(aggregate, position);
			}
		}
		return new Verdict(expected.size(), lost, duplicates, outOfOrder);
	}

	private static void sleep(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * What a queue received of the stream.
	 *
	 * @param events how many were written
	 * @param lost written and never received
	 * @param duplicates received more than once (extra copies)
	 * @param outOfOrder received, first time, before an event written earlier for the
	 * same aggregate
	 */
	public record Verdict(int events, int lost, int duplicates, int outOfOrder) {
	}

}
