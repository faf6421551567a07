package com.ecommerce.eventhub.ops;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import com.ecommerce.eventhub.support.QueueRecorder;
import com.ecommerce.eventhub.support.TestServices;
import com.ecommerce.eventhub.support.TestTopology;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.test.context.DynamicPropertyRegistry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * SIGTERM to a hub process in the middle of relaying 20,000 events, then a new process:
 * every event is published, none lost, and the stopped hub left no row half-done.
 */
class ShutdownIT {

	static final TestTopology topology = TestTopology.unique("shutdown");

	static final int EVENTS = 20_000;

	@AfterAll
	static void cleanup() throws Exception {
		topology.cleanup();
	}

	@Test
	void sigtermDuringARelayLosesNothingAndTheNextInstanceFinishes() throws Exception {
		Path jar = Path.of(System.getProperty("hub.jar", "target/event-hub-0.1.0-SNAPSHOT.jar"));
		assertThat(jar).as("the packaged hub (run with ./mvnw verify)").exists();
		Process first = start(jar, "first");
		try {
			awaitReady(first);
			seed();
			await().atMost(Duration.ofSeconds(60))
				.pollInterval(Duration.ofMillis(50))
				.until(() -> published() >= 2_000);
			first.destroy(); // SIGTERM
			assertThat(first.waitFor(60, TimeUnit.SECONDS)).as("the hub exits within its shutdown timeout").isTrue();
		}
		finally {
			first.destroyForcibly();
		}
		long publishedAtStop = published();
		assertThat(publishedAtStop).as("stopped in the middle of the relay").isLessThan(EVENTS);
		assertThat(statuses()).as("no row is left in another state").containsOnlyKeys("PENDING", "PUBLISHED");

		try (QueueRecorder recorder = QueueRecorder.consume(topology.queue("product.events"))) {
			Process second = start(jar, "second");
			try {
				await().atMost(Duration.ofSeconds(120)).until(() -> published() == EVENTS);
				await().atMost(Duration.ofSeconds(30)).until(() -> distinct(recorder) == EVENTS);
			}
			finally {
				second.destroy();
				second.waitFor(60, TimeUnit.SECONDS);
				second.destroyForcibly();
			}
		}
	}

	private static Process start(Path jar, String name) throws Exception {
		Map<String, Object> properties = new LinkedHashMap<>();
		topology.register(new DynamicPropertyRegistry() {
			@Override
			public void add(String key, Supplier<Object> supplier) {
				properties.put(key, supplier.get());
			}
		});
		properties.put("server.port", 0);
		properties.put("spring.jmx.enabled", false);
		// One small worker, so 20,000 events take long enough to stop the hub among them.
		properties.put("hub.relay.workers", 1);
		properties.put("hub.relay.batch-size", 50);
		List<String> command = new ArrayList<>(
				List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m", "-jar",
						jar.toString()));
		properties.forEach((key, value) -> command.add("--" + key + "=" + value));
		File log = Files.createTempFile("hub-" + name, ".log").toFile();
		return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log).start();
	}

	private static void awaitReady(Process process) {
		// Ready once Flyway created the schema and the relay polls it.
		await().atMost(Duration.ofSeconds(90)).until(() -> {
			assertThat(process.isAlive()).as("hub process alive").isTrue();
			try (Connection connection = TestServices.jdbc();
					Statement statement = connection.createStatement();
					ResultSet rs = statement.executeQuery("SELECT count(*) FROM information_schema.tables "
							+ "WHERE table_schema = '" + topology.schema() + "' AND table_name = 'outbox_event'")) {
				rs.next();
				return rs.getInt(1) == 1;
			}
		});
	}

	private static void seed() throws Exception {
		try (Connection connection = TestServices.jdbc(); Statement statement = connection.createStatement()) {
			statement.execute("INSERT INTO " + topology.schema()
					+ ".outbox_event (event_id, event_type, event_version, "
					+ "aggregate_type, aggregate_id, payload) SELECT gen_random_uuid(), 'product.activated', '1.0', "
					+ "'Product', 'product-' || (g % 200), '{\"sku\":\"S-1\",\"activatedBy\":\"ops@example.com\"}' "
					+ "FROM generate_series(1, " + EVENTS + ") g");
		}
	}

	private static long published() throws Exception {
		return statuses().getOrDefault("PUBLISHED", 0L);
	}

	private static Map<String, Long> statuses() throws Exception {
		Map<String, Long> statuses = new LinkedHashMap<>();
		try (Connection connection = TestServices.jdbc();
				Statement statement = connection.createStatement();
				ResultSet rs = statement.executeQuery(
						"SELECT status, count(*) FROM " + topology.schema() + ".outbox_event GROUP BY status")) {
			while (rs.next()) {
				statuses.put(rs.getString(1), rs.getLong(2));
			}
		}
		return statuses;
	}

	private static int distinct(QueueRecorder recorder) {
		Set<String> ids = new HashSet<>();
		recorder.received().forEach(message -> ids.add(message.properties().getMessageId()));
		return ids.size();
	}

}
