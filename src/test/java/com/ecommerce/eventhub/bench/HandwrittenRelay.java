package com.ecommerce.eventhub.bench;

import java.nio.charset.StandardCharsets;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import com.ecommerce.eventhub.support.TestServices;
import com.ecommerce.eventhub.support.TestTopology;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;

/**
 * {@code handwritten}: the yardstick of issue 14, a minimal relay written by hand on the
 * same kind of rows as {@code throughput} (same count, same table and indexes: the hub's
 * migrations, run by Flyway), in a schema, exchange and queue of its own: plain JDBC and
 * the RabbitMQ Java client, one thread, sequential: claim {@code bench.batchSize} rows
 * {@code FOR UPDATE SKIP LOCKED} in id order, publish each (mandatory) on a confirm-mode
 * channel, wait for all confirms, mark them PUBLISHED, commit. No validation, no
 * enrichment. No hub runs meanwhile; the CPU time is this JVM's in the drain window.
 */
final class HandwrittenRelay implements BenchMode {

	@Override
	public List<BenchResult> run(BenchSettings settings) throws Exception {
		TestTopology topology = TestTopology.unique("bench_hw");
		try {
			return List.of(measure(settings, topology));
		}
		finally {
			topology.cleanup();
		}
	}

	private BenchResult measure(BenchSettings settings, TestTopology topology) throws Exception {
		OutboxRows rows = new OutboxRows(topology, settings.aggregates());
		rows.migrate();
		String queue = topology.queue("order.events");
		try (com.rabbitmq.client.Connection rabbit = TestServices.rabbit().newConnection("bench-handwritten");
				Connection db = TestServices.jdbc()) {
			Channel channel = rabbit.createChannel();
			channel.exchangeDeclare(topology.exchange(), BuiltinExchangeType.TOPIC, true);
			channel.queueDeclare(queue, true, false, false, Map.of("x-queue-type", settings.queueType()));
			channel.queueBind(queue, topology.exchange(), "order.#");
			rows.seed(settings.events());
			try (java.sql.Statement analyze = db.createStatement()) {
				analyze.execute("ANALYZE " + topology.schema() + ".outbox_event");
			}

			Window window = Window.open(ProcessStats.self(), "handwritten");
			long published = relay(db, channel, topology, settings.batchSize());
			Window.Measured measured = window.stop();
			long queued = channel.messageCount(queue);
			System.out.printf(Locale.ROOT,
					"handwritten: %,d events relayed in %.2f s = %,.0f events/s (queue holds %,d), CPU %.2f cores%n",
					published, measured.seconds(), published / measured.seconds(), queued, measured.cores());
			channel.queuePurge(queue);
			return BenchResult.of("handwritten", published, "events", measured, "bench JVM (no hub)", String
				.format(Locale.ROOT, "batch %d, 1 thread, %s queue", settings.batchSize(), settings.queueType()));
		}
	}

	private static long relay(Connection db, Channel channel, TestTopology topology, int batchSize) throws Exception {
		String schema = topology.schema();
		String exchange = topology.exchange();
		AtomicReference<String> returned = new AtomicReference<>();
		channel.addReturnListener(message -> returned.compareAndSet(null, message.getReplyText()));
		channel.confirmSelect();
		db.setAutoCommit(false);
		JsonStringEncoder json = JsonStringEncoder.getInstance();
		long published = 0;
		try (PreparedStatement claim = db.prepareStatement("SELECT id, event_id, event_type, event_version, "
				+ "aggregate_type, aggregate_id, occurred_at, correlation_id, causation_id, metadata::text, "
				+ "payload::text FROM " + schema + ".outbox_event WHERE status = 'PENDING' AND available_at <= now() "
				+ "ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED");
				PreparedStatement mark = db.prepareStatement("UPDATE " + schema + ".outbox_event SET status = "
						+ "'PUBLISHED', published_at = now(), attempts = attempts + 1 WHERE id = ANY (?)")) {
			claim.setInt(1, batchSize);
			List<Long> ids = new ArrayList<>(batchSize);
			while (true) {
				ids.clear();
				try (ResultSet rs = claim.executeQuery()) {
					while (rs.next()) {
						ids.add(rs.getLong(1));
						String eventId = rs.getString(2);
						String eventType = rs.getString(3);
						String eventVersion = rs.getString(4);
						String aggregateType = rs.getString(5);
						String aggregateId = rs.getString(6);
						StringBuilder body = new StringBuilder(1400);
						field(body.append('{'), json, "eventId", eventId);
						field(body.append(','), json, "eventType", eventType);
						field(body.append(','), json, "eventVersion", eventVersion);
						field(body.append(','), json, "aggregateId", aggregateId);
						field(body.append(','), json, "aggregateType", aggregateType);
						field(body.append(','), json, "occurredAt", rs.getTimestamp(7).toInstant().toString());
						field(body.append(','), json, "correlationId", rs.getString(8));
						field(body.append(','), json, "causationId", rs.getString(9));
						String metadata = rs.getString(10);
						body.append(",\"metadata\":").append((metadata != null) ? metadata : "null");
						body.append(",\"payload\":").append(rs.getString(11)).append('}');
						AMQP.BasicProperties properties = new AMQP.BasicProperties.Builder()
							.contentType("application/json")
							.deliveryMode(2)
							.messageId(eventId)
							.type(eventType)
							.timestamp(new Date())
							.headers(Map.of("eventVersion", eventVersion, "aggregateType", aggregateType, "aggregateId",
									aggregateId))
							.build();
						channel.basicPublish(exchange, eventType, true, properties,
								body.toString().getBytes(StandardCharsets.UTF_8));
					}
				}
				if (ids.isEmpty()) {
					db.commit();
					return published;
				}
				channel.waitForConfirmsOrDie(10_000);
				if (returned.get() != null) {
					throw new IllegalStateException("a message was returned: " + returned.get());
				}
				Array array = db.createArrayOf("bigint", ids.toArray());
				mark.setArray(1, array);
				mark.executeUpdate();
				db.commit();
				published += ids.size();
			}
		}
	}

	private static void field(StringBuilder body, JsonStringEncoder json, String name, String value) {
		body.append('"').append(name).append("\":");
		if (value == null) {
			body.append("null");
		}
		else {
			body.append('"').append(json.quoteAsString(value)).append('"');
		}
	}

}
