package com.ecommerce.eventhub.bench;

import java.lang.management.ManagementFactory;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import com.ecommerce.eventhub.consumers.EventHandler;
import com.ecommerce.eventhub.consumers.HubConsumer;
import com.ecommerce.eventhub.envelope.Envelope;
import com.ecommerce.eventhub.support.HubInstance;
import com.ecommerce.eventhub.support.OutboxFixtures;
import com.ecommerce.eventhub.support.TestServices;
import com.ecommerce.eventhub.support.TestTopology;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.management.OperatingSystemMXBean;

import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Ordered consumer benchmark against the local PostgreSQL and RabbitMQ; not part of
 * {@code verify}. Seeds {@code bench.events} (default 20,000) inventory events over
 * {@code bench.aggregates} (1,000) aggregates with the relay stopped, starts
 * {@code bench.instances} (1) hub instances whose consumer route {@code bench-ordered}
 * (ordered, {@code bench.partitions} partitions, default 4; {@code -Dbench.ordered=false}
 * for the same route unordered) records every event in a table in its transaction, starts
 * the relays and reports events handled per second from the start until the last one, and
 * the hub's CPU time per event (all instances run in this JVM).
 * <p>
 * Run:
 * {@code ./mvnw -Pbenchmark test-compile exec:java -Dbench.main=com.ecommerce.eventhub.bench.OrderedConsumerBenchmark [-Dbench.instances=2]}.
 */
public final class OrderedConsumerBenchmark {

	private static final String INSERT = "INSERT INTO %s.outbox_event (event_id, event_type, event_version, "
			+ "aggregate_type, aggregate_id, metadata, payload) "
			+ "VALUES (?::uuid, 'inventory.reserved', '1.0', 'Product', ?, ?::jsonb, ?::jsonb)";

	private final TestTopology topology = TestTopology.unique("obench");

	private final int events = Integer.getInteger("bench.events", 20_000);

	private final int aggregates = Integer.getInteger("bench.aggregates", 1_000);

	private final int instances = Integer.getInteger("bench.instances", 1);

	private final int partitions = Integer.getInteger("bench.partitions", 4);

	private final boolean ordered = Boolean.parseBoolean(System.getProperty("bench.ordered", "true"));

	public static void main(String[] args) throws Exception {
		OrderedConsumerBenchmark benchmark = new OrderedConsumerBenchmark();
		try {
			benchmark.run();
		}
		finally {
			benchmark.topology.cleanup();
		}
		System.exit(0);
	}

	private void run() throws Exception {
		String queue = this.ordered ? this.topology.orderedConsumerQueue("ordered", this.partitions)
				: this.topology.consumerQueue("ordered");
		Map<String, Object> settings = new LinkedHashMap<>();
		settings.put("hub.relay.enabled", false);
		settings.put("logging.level.root", "WARN");
		settings.put("bench.queue", queue);
		settings.put("bench.ordered", this.ordered);
		settings.put("bench.partitions", this.partitions);
		System.out.printf(Locale.ROOT, "machine: %d cores, %s; PostgreSQL and RabbitMQ on localhost%n",
				Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.name"));
		System.out.printf(Locale.ROOT,
				"route bench-ordered: ordered=%s partitions=%d, %d instance(s), %,d events " + "over %,d aggregates%n",
				this.ordered, this.partitions, this.instances, this.events, this.aggregates);
		List<ConfigurableApplicationContext> hubs = new ArrayList<>();
		try {
			for (int i = 0; i < this.instances; i++) {
				hubs.add(HubInstance.start("bench-ordered-" + i, this.topology, settings, Recorder.class));
			}
			JdbcTemplate jdbc = hubs.get(0).getBean(JdbcTemplate.class);
			jdbc.execute("CREATE TABLE " + this.topology.schema()
					+ ".bench_handled (event_id uuid PRIMARY KEY, aggregate_id text NOT NULL)");
			seed();
			OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
			long cpuStart = os.getProcessCpuTime();
			long start = System.nanoTime();
			for (ConfigurableApplicationContext hub : hubs) {
				org.apache.camel.CamelContext camel = hub.getBean(org.apache.camel.CamelContext.class);
				for (int worker = 0; worker < 2; worker++) {
					camel.getRouteController().startRoute("outbox-relay-" + worker);
				}
			}
			long deadline = start + TimeUnit.MINUTES.toNanos(15);
			while (jdbc.queryForObject("SELECT count(*) FROM bench_handled", Long.class) < this.events) {
				if (System.nanoTime() > deadline) {
					throw new IllegalStateException("not all events handled within 15 minutes");
				}
				LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
			}
			double seconds = (System.nanoTime() - start) / 1e9;
			double cpuMillis = (os.getProcessCpuTime() - cpuStart) / 1e6;
			System.out.printf(Locale.ROOT,
					"HANDLED: %,d events in %.2f s = %,.0f events/s; hub CPU %.3f ms per event (relay and consumer, "
							+ "%d instance(s) in this JVM)%n",
					this.events, seconds, this.events / seconds, cpuMillis / this.events, this.instances);
		}
		finally {
			for (ConfigurableApplicationContext hub : hubs) {
				hub.close();
			}
		}
	}

	private void seed() throws Exception {
		ObjectNode example = OutboxFixtures.example("inventory.reserved");
		List<String> ids = new ArrayList<>();
		for (int i = 0; i < this.aggregates; i++) {
			ids.add(UUID.randomUUID().toString());
		}
		try (Connection db = TestServices.jdbc();
				PreparedStatement insert = db.prepareStatement(INSERT.formatted(this.topology.schema()))) {
			db.setAutoCommit(false);
			for (int n = 0; n < this.events; n++) {
				insert.setString(1, UUID.randomUUID().toString());
				insert.setString(2, ids.get(n % this.aggregates));
				insert.setString(3, example.get("metadata").toString());
				insert.setString(4, example.get("payload").toString());
				insert.addBatch();
				if (n % 1000 == 999) {
					insert.executeBatch();
					db.commit();
				}
			}
			insert.executeBatch();
			db.commit();
		}
	}

	/** The route under test and a handler that records each event in its transaction. */
	@TestConfiguration(proxyBeanMethods = false)
	static class Recorder {

		@Bean
		HubConsumer benchOrderedConsumer(Environment environment) {
			HubConsumer consumer = new HubConsumer("bench-ordered", environment.getRequiredProperty("bench.queue"),
					List.of("inventory.#"), "benchRecordingHandler");
			return environment.getRequiredProperty("bench.ordered", Boolean.class)
					? consumer.inOrder(environment.getRequiredProperty("bench.partitions", Integer.class), false)
					: consumer;
		}

		@Bean
		EventHandler benchRecordingHandler(JdbcTemplate jdbc) {
			return new EventHandler() {

				@Override
				public Map<String, Set<Integer>> supportedVersions() {
					return Map.of("inventory.reserved", Set.of(1));
				}

				@Override
				public void handle(Envelope envelope) {
					jdbc.update("INSERT INTO bench_handled (event_id, aggregate_id) VALUES (?, ?)", envelope.eventId(),
							envelope.aggregateId());
				}

			};
		}

	}

}
