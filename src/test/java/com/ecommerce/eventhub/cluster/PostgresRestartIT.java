package com.ecommerce.eventhub.cluster;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

import com.ecommerce.eventhub.support.EventStream;
import com.ecommerce.eventhub.support.EventStream.Verdict;
import com.ecommerce.eventhub.support.HubInstance;
import com.ecommerce.eventhub.support.OwnPostgres;
import com.ecommerce.eventhub.support.QueueRecorder;
import com.ecommerce.eventhub.support.QueueRecorder.Received;
import com.ecommerce.eventhub.support.TestServices;
import com.ecommerce.eventhub.support.TestTopology;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * PostgreSQL restarted with {@code -m immediate} under a relaying hub (a PostgreSQL of
 * the test's own, {@code src/test/cluster/postgres-cluster.sh}): nothing lost, at most
 * one batch published twice, polling resumes by itself, and the hub's connections to the
 * database stay within its pool.
 */
class PostgresRestartIT {

	static final int BATCH = 200;

	static final String APPLICATION = "hub-pg-restart-test";

	static OwnPostgres postgres;

	static final TestTopology topology = TestTopology.unique("pgrestart");

	@BeforeAll
	static void start() {
		TestServices.requireRunning();
		postgres = OwnPostgres.start();
	}

	@AfterAll
	static void stop() throws Exception {
		topology.cleanup();
		if (postgres != null) {
			postgres.close();
		}
	}

	@Test
	void theRelayResumesAfterAnImmediateRestartAndLosesNothing() throws Exception {
		Map<String, Object> settings = Map.of("spring.datasource.url", OwnPostgres.JDBC_URL,
				"spring.datasource.hikari.data-source-properties.ApplicationName", APPLICATION,
				"spring.datasource.hikari.connection-timeout", "3000", "hub.relay.batch-size", BATCH,
				"hub.notifications.enabled", "false", "hub.routes.enabled", "false");
		try (ConfigurableApplicationContext hub = HubInstance.start("pg-restart", topology, settings);
				QueueRecorder recorder = QueueRecorder.consume(topology.queue("order.events"))) {
			EventStream stream = EventStream.of("order.status-changed", 4000, 200);
			CompletableFuture<Void> writing = stream.writeInBackground(database(), topology.schema(), 50);
			await().atMost(Duration.ofSeconds(60)).until(() -> recorder.count() >= 1000);
			postgres.restartImmediately();
			long restartedAt = System.nanoTime();

			await().atMost(Duration.ofSeconds(120))
				.until(() -> writing.isDone() && stream.judge(recorder.received()).lost() == 0);
			writing.join();
			Verdict verdict = stream.judge(recorder.received());
			System.out.println("Relay across a PostgreSQL restart: " + verdict);
			assertThat(verdict.lost()).isZero();
			assertThat(verdict.duplicates()).as("at most one batch").isLessThanOrEqualTo(BATCH);
			assertThat(verdict.outOfOrder()).isZero();
			long resumed = recorder.received()
				.stream()
				.mapToLong(Received::at)
				.filter(at -> at > restartedAt)
				.min()
				.orElseThrow();
			assertThat(Duration.ofNanos(resumed - restartedAt)).as("polling resumed")
				.isLessThan(Duration.ofSeconds(30));
			await().atMost(Duration.ofSeconds(30)).until(() -> pending() == 0);
			assertThat(connections()).as("the hub's connections stay within its pool").isBetween(1L, 20L);
		}
	}

	private static long pending() {
		return jdbc().queryForObject(
				"SELECT count(*) FROM " + topology.schema() + ".outbox_event WHERE status = 'PENDING'", Long.class);
	}

	private static long connections() {
		return jdbc().queryForObject("SELECT count(*) FROM pg_stat_activity WHERE application_name = ?", Long.class,
				APPLICATION);
	}

	private static JdbcTemplate jdbc() {
		return new JdbcTemplate(new DriverManagerDataSource(OwnPostgres.JDBC_URL, "postgres", ""));
	}

	private static Supplier<Connection> database() {
		return () -> {
			try {
				return DriverManager.getConnection(OwnPostgres.JDBC_URL, "postgres", "");
			}
			catch (SQLException ex) {
				throw new IllegalStateException(ex);
			}
		};
	}

}
