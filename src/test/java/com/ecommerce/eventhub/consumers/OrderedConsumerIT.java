package com.ecommerce.eventhub.consumers;

import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

import com.ecommerce.eventhub.envelope.Envelope;
import com.ecommerce.eventhub.support.HubInstance;
import com.ecommerce.eventhub.support.OutboxFixtures;
import com.ecommerce.eventhub.support.TestServices;
import com.ecommerce.eventhub.support.TestTopology;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Per-aggregate order at an ordered consumer, with what goes wrong in production: 10,000
 * events over 100 aggregates, a handler that fails transiently at random, two hub
 * instances, and the one taking the partitions restarted in the middle. Per aggregate,
 * the handled order equals the published order, and nothing is lost or handled twice.
 */
class OrderedConsumerIT {

	private static final int EVENTS = 10_000;

	private static final int AGGREGATES = 100;

	private static final int PARTITIONS = 4;

	static final TestTopology topology = TestTopology.unique("ordered");

	static final String QUEUE = topology.orderedConsumerQueue("ordered", PARTITIONS);

	@AfterAll
	static void cleanup() throws Exception {
		topology.cleanup();
	}

	@Test
	void eachAggregatesEventsAreHandledInPublishOrderAcrossFailuresAndARestart() throws Exception {
		ConfigurableApplicationContext first = start("ordered-a");
		ConfigurableApplicationContext second = null;
		try {
			first.getBean(JdbcTemplate.class)
				.execute("CREATE TABLE " + topology.schema() + ".handled_order (event_id uuid PRIMARY KEY, "
						+ "aggregate_id text NOT NULL, seq bigserial, instance text NOT NULL)");
			second = start("ordered-b");
			writeEvents();
			JdbcTemplate jdbc = first.getBean(JdbcTemplate.class);
			await().atMost(Duration.ofMinutes(3)).until(() -> handled(jdbc) >= EVENTS / 3);
			// The instance that holds the partitions (it subscribed first) goes away and
			// comes back: the other takes over, then the first waits as the standby.
			first.close();
			JdbcTemplate survivor = second.getBean(JdbcTemplate.class);
			first = start("ordered-a");
			await().atMost(Duration.ofMinutes(5)).until(() -> handled(survivor) >= EVENTS);

			Map<String, List<UUID>> published = byAggregate(survivor,
					"SELECT aggregate_id, event_id FROM outbox_event ORDER BY id");
			Map<String, List<UUID>> handled = byAggregate(survivor,
					"SELECT aggregate_id, event_id FROM handled_order ORDER BY seq");
			assertThat(published).hasSize(AGGREGATES);
			assertThat(handled).as("every aggregate handled in publish order, nothing lost or doubled")
				.isEqualTo(published);
			assertThat(survivor.queryForList("SELECT DISTINCT instance FROM handled_order", String.class))
				.as("both instances handled events: the partitions moved with the restart")
				.containsExactlyInAnyOrder("ordered-a", "ordered-b");
			assertThat(second.getBean(io.micrometer.core.instrument.MeterRegistry.class)
				.counter("eventhub.consumer.retried", "route", "test-ordered")
				.count()).as("failed attempts were retried in place").isPositive();
			assertThat(survivor.queryForObject("SELECT count(*) FROM outbox_event WHERE status <> 'PUBLISHED'",
					Long.class))
				.isZero();
		}
		finally {
			first.close();
			if (second != null) {
				second.close();
			}
		}
	}

	private static ConfigurableApplicationContext start(String name) {
		Map<String, Object> settings = new LinkedHashMap<>();
		settings.put("hub.relay.workers", "2");
		settings.put("ordered.queue", QUEUE);
		settings.put("hub.consumers.routes.test-ordered.maximum-attempts", "30");
		settings.put("hub.consumers.routes.test-ordered.initial-delay", "20ms");
		settings.put("hub.consumers.routes.test-ordered.max-delay", "20ms");
		return HubInstance.start(name, topology, settings, OrderedConsumer.class);
	}

	private static void writeEvents() throws Exception {
		try (Connection connection = TestServices.jdbc()) {
			connection.setAutoCommit(false);
			for (int n = 0; n < EVENTS; n++) {
				ObjectNode event = OutboxFixtures.example("inventory.reserved");
				event.put("aggregateId", "product-" + (n % AGGREGATES));
				OutboxFixtures.insert(connection, topology.schema(), event);
				if (n % 500 == 499) {
					connection.commit();
				}
			}
			connection.commit();
		}
	}

	private static long handled(JdbcTemplate jdbc) {
		return jdbc.queryForObject("SELECT count(*) FROM handled_order", Long.class);
	}

	private static Map<String, List<UUID>> byAggregate(JdbcTemplate jdbc, String sql) {
		Map<String, List<UUID>> events = new LinkedHashMap<>();
		jdbc.query(sql, row -> {
			events.computeIfAbsent(row.getString(1), id -> new ArrayList<>()).add(row.getObject(2, UUID.class));
		});
		return events;
	}

	/** The ordered route under test and its handler, in each instance. */
	@TestConfiguration(proxyBeanMethods = false)
	static class OrderedConsumer {

		@Bean
		HubConsumer testOrderedConsumer(Environment environment) {
			return new HubConsumer("test-ordered", environment.getRequiredProperty("ordered.queue"),
					List.of("inventory.#"), "orderRecordingHandler")
				.inOrder(PARTITIONS, false);
		}

		/** Records each event in the order handled; fails one attempt in twenty. */
		@Bean
		EventHandler orderRecordingHandler(JdbcTemplate jdbc, Environment environment) {
			String instance = environment.getRequiredProperty("spring.application.name");
			return new EventHandler() {

				@Override
				public Map<String, Set<Integer>> supportedVersions() {
					return Map.of("inventory.reserved", Set.of(1));
				}

				@Override
				public void handle(Envelope envelope) {
					if (ThreadLocalRandom.current().nextInt(20) == 0) {
						throw new IllegalStateException("transient failure (test)");
					}
					jdbc.update("INSERT INTO handled_order (event_id, aggregate_id, instance) VALUES (?, ?, ?)",
							envelope.eventId(), envelope.aggregateId(), instance);
				}

			};
		}

	}

}
