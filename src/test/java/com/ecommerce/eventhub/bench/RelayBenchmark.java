package com.ecommerce.eventhub.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import com.ecommerce.eventhub.support.HubInstance;
import com.ecommerce.eventhub.support.OutboxFixtures;
import com.ecommerce.eventhub.support.TestServices;
import com.ecommerce.eventhub.support.TestTopology;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.rabbitmq.client.Channel;
import org.apache.camel.CamelContext;

import org.springframework.context.ConfigurableApplicationContext;

/**
 * Relay benchmark against the local PostgreSQL and RabbitMQ; not part of {@code verify}.
 *
 * <ul>
 * <li>{@code throughput}: seeds {@code bench.events} (default 100,000) order.placed-like
 * rows of about 1 KB over {@code bench.aggregates} (default 1,000) aggregates with the
 * relay stopped, starts it and reports events/s until the outbox is drained, all
 * confirmed into one durable queue.</li>
 * <li>{@code latency}: with the relay running, commits {@code bench.rate} events/s
 * (default 2,000) for {@code bench.seconds} (default 30) and reports commit-to-queue
 * latency percentiles, measured by a consumer on the queue.</li>
 * </ul>
 * Run:
 * {@code ./mvnw -Pbenchmark test-compile exec:java [-Dbench.mode=throughput|latency|both]}.
 * Other settings: {@code -Dbench.batchSize}, {@code -Dbench.workers},
 * {@code -Dbench.queueType=quorum|classic}.
 */
public final class RelayBenchmark {

	private static final String INSERT = "INSERT INTO %s.outbox_event (event_id, event_type, event_version, "
			+ "aggregate_type, aggregate_id, correlation_id, metadata, payload) "
			+ "VALUES (?::uuid, 'order.placed', '1.0', 'Order', ?, ?, ?::jsonb, ?::jsonb)";

	private final TestTopology topology = TestTopology.unique("bench");

	private final String mode = System.getProperty("bench.mode", "both");

	private final int events = Integer.getInteger("bench.events", 100_000);

	private final int aggregates = Integer.getInteger("bench.aggregates", 1_000);

	private final int rate = Integer.getInteger("bench.rate", 2_000);

	private final int seconds = Integer.getInteger("bench.seconds", 30);

	private final Map<String, Object> hubSettings = new HashMap<>();

	private final String metadata;

	private final String payload;

	private final List<String> aggregateIds = new ArrayList<>();

	private RelayBenchmark() {
		ObjectNode example = OutboxFixtures.example("order.placed");
		this.metadata = example.get("metadata").toString();
		this.payload = example.get("payload").toString();
		for (int i = 0; i < this.aggregates; i++) {
			this.aggregateIds.add(UUID.randomUUID().toString());
		}
		this.hubSettings.put("hub.relay.batch-size", Integer.getInteger("bench.batchSize", 500));
		this.hubSettings.put("hub.relay.workers", Integer.getInteger("bench.workers", 2));
		this.hubSettings.put("hub.topology.queue-type", System.getProperty("bench.queueType", "quorum"));
		this.hubSettings.put("logging.level.root", "WARN");
		// The relay alone: order.placed would otherwise start the e-mail routes, whose
		// events join the outbox.
		this.hubSettings.put("hub.notifications.enabled", false);
	}

	public static void main(String[] args) throws Exception {
		RelayBenchmark benchmark = new RelayBenchmark();
		try {
			benchmark.run();
		}
		finally {
			benchmark.topology.cleanup();
		}
		System.exit(0);
	}

	private void run() throws Exception {
		System.out.printf(Locale.ROOT, "machine: %d cores, %s; PostgreSQL and RabbitMQ on localhost; settings %s%n",
				Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.name"), this.hubSettings);
		System.out.printf(Locale.ROOT, "envelope size on the wire: ~%d bytes%n", envelopeSize());
		if (this.mode.equals("throughput") || this.mode.equals("both")) {
			throughput();
		}
		if (this.mode.equals("latency") || this.mode.equals("both")) {
			latency();
		}
	}

	private void throughput() throws Exception {
		Map<String, Object> settings = new HashMap<>(this.hubSettings);
		settings.put("hub.relay.enabled", false);
		try (ConfigurableApplicationContext hub = HubInstance.start("bench-throughput", this.topology, settings)) {
			long seedStart = System.nanoTime();
			seed(this.events);
			System.out.printf(Locale.ROOT, "seeded %,d rows in %.1f s%n", this.events, seconds(seedStart));

			CamelContext camel = hub.getBean(CamelContext.class);
			long start = System.nanoTime();
			for (int worker = 0; worker < (int) this.hubSettings.get("hub.relay.workers"); worker++) {
				camel.getRouteController().startRoute("outbox-relay-" + worker);
			}
			long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
			try (Connection db = TestServices.jdbc()) {
				while (pending(db) > 0) {
					if (System.nanoTime() > deadline) {
						throw new IllegalStateException("the relay did not drain the outbox within 10 minutes");
					}
					LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
				}
			}
			double elapsed = seconds(start);
			long queued = queueDepth();
			System.out.printf(Locale.ROOT,
					"THROUGHPUT: %,d events relayed in %.2f s = %,.0f events/s (queue holds %,d messages)%n",
					this.events, elapsed, this.events / elapsed, queued);
			printPhases(hub);
			purgeQueue();
		}
	}

	private void latency() throws Exception {
		Map<String, Long> committedAt = new ConcurrentHashMap<>();
		Map<String, Long> arrivedAt = new ConcurrentHashMap<>();
		try (ConfigurableApplicationContext hub = HubInstance.start("bench-latency", this.topology, this.hubSettings);
				com.rabbitmq.client.Connection rabbit = TestServices.rabbit().newConnection("bench-consumer")) {
			Channel channel = rabbit.createChannel();
			channel.basicQos(1000);
			channel.basicConsume(this.topology.queue("order.events"), true,
					(tag, delivery) -> arrivedAt.put(delivery.getProperties().getMessageId(), System.nanoTime()),
					tag -> {
					});
			int total = this.rate * this.seconds;
			int perTick = Math.max(1, this.rate / 200); // commit every 5 ms
			long tickNanos = TimeUnit.SECONDS.toNanos(1) * perTick / this.rate;
			try (Connection db = TestServices.jdbc();
					PreparedStatement insert = db.prepareStatement(INSERT.formatted(this.topology.schema()))) {
				db.setAutoCommit(false);
				long next = System.nanoTime();
				int sent = 0;
				List<String> batch = new ArrayList<>(perTick);
				while (sent < total) {
					batch.clear();
					for (int i = 0; i < perTick && sent < total; i++, sent++) {
						batch.add(addRow(insert, sent));
					}
					insert.executeBatch();
					db.commit();
					long now = System.nanoTime();
					for (String id : batch) {
						committedAt.put(id, now);
					}
					next += tickNanos;
					LockSupport.parkNanos(next - System.nanoTime());
				}
			}
			long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
			while (arrivedAt.size() < committedAt.size() && System.nanoTime() < deadline) {
				LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
			}
			long[] latencies = committedAt.entrySet()
				.stream()
				.filter(entry -> arrivedAt.containsKey(entry.getKey()))
				.mapToLong(entry -> arrivedAt.get(entry.getKey()) - entry.getValue())
				.sorted()
				.toArray();
			System.out.printf(Locale.ROOT,
					"LATENCY at %,d events/s for %d s: %,d/%,d arrived; commit->queue p50 %.1f ms, p95 %.1f ms, "
							+ "p99 %.1f ms, max %.1f ms%n",
					this.rate, this.seconds, latencies.length, committedAt.size(), percentile(latencies, 50),
					percentile(latencies, 95), percentile(latencies, 99), percentile(latencies, 100));
		}
	}

	private static void printPhases(ConfigurableApplicationContext hub) {
		io.micrometer.core.instrument.MeterRegistry meters = hub
			.getBean(io.micrometer.core.instrument.MeterRegistry.class);
		for (io.micrometer.core.instrument.Timer timer : meters.find("eventhub.relay.batch.phase").timers()) {
			System.out.printf(Locale.ROOT, "  phase %-9s batches %,6d  mean %7.2f ms  max %7.2f ms%n",
					timer.getId().getTag("phase"), timer.count(), timer.mean(TimeUnit.MILLISECONDS),
					timer.max(TimeUnit.MILLISECONDS));
		}
	}

	private void seed(int count) throws Exception {
		try (Connection db = DriverManager.getConnection(TestServices.JDBC_URL + "?reWriteBatchedInserts=true",
				TestServices.DB_USER, "postgres");
				PreparedStatement insert = db.prepareStatement(INSERT.formatted(this.topology.schema()))) {
			db.setAutoCommit(false);
			for (int i = 0; i < count; i++) {
				addRow(insert, i);
				if ((i + 1) % 5_000 == 0) {
					insert.executeBatch();
					db.commit();
				}
			}
			insert.executeBatch();
			db.commit();
		}
	}

	private String addRow(PreparedStatement insert, int index) throws Exception {
		String eventId = UUID.randomUUID().toString();
		insert.setString(1, eventId);
		insert.setString(2, this.aggregateIds.get(index % this.aggregates));
		insert.setString(3, eventId);
		insert.setString(4, this.metadata);
		insert.setString(5, this.payload);
		insert.addBatch();
		return eventId;
	}

	private long pending(Connection db) throws Exception {
		try (Statement statement = db.createStatement();
				ResultSet rs = statement.executeQuery(
						"SELECT count(*) FROM " + this.topology.schema() + ".outbox_event WHERE status = 'PENDING'")) {
			rs.next();
			return rs.getLong(1);
		}
	}

	private long queueDepth() throws Exception {
		try (com.rabbitmq.client.Connection rabbit = TestServices.rabbit().newConnection("bench-admin");
				Channel channel = rabbit.createChannel()) {
			return channel.messageCount(this.topology.queue("order.events"));
		}
	}

	private void purgeQueue() throws Exception {
		try (com.rabbitmq.client.Connection rabbit = TestServices.rabbit().newConnection("bench-admin");
				Channel channel = rabbit.createChannel()) {
			channel.queuePurge(this.topology.queue("order.events"));
		}
	}

	private int envelopeSize() {
		ObjectNode example = OutboxFixtures.example("order.placed");
		example.put("correlationId", UUID.randomUUID().toString());
		return example.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
	}

	private static double seconds(long startNanos) {
		return (System.nanoTime() - startNanos) / 1e9;
	}

	private static double percentile(long[] sorted, double percentile) {
		if (sorted.length == 0) {
			return Double.NaN;
		}
		int index = (int) Math.ceil(percentile / 100.0 * sorted.length) - 1;
		return sorted[Math.max(0, Math.min(sorted.length - 1, index))] / 1e6;
	}

}
