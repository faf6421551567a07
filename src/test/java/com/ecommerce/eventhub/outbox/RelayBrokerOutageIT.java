package com.ecommerce.eventhub.outbox;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import com.ecommerce.eventhub.support.HubIntegrationTest;
import com.ecommerce.eventhub.support.OutboxFixtures;
import com.ecommerce.eventhub.support.QueueRecorder;
import com.ecommerce.eventhub.support.TcpProxy;
import com.ecommerce.eventhub.support.TestServices;
import com.ecommerce.eventhub.support.TestTopology;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The relay while RabbitMQ is unreachable: rows stay PENDING with growing attempts and
 * backoff, and every row is published exactly once after the broker is back.
 */
@HubIntegrationTest(webEnvironment = WebEnvironment.NONE, properties = { "hub.relay.backoff-initial=100ms",
		"hub.relay.backoff-max=500ms", "spring.rabbitmq.connection-timeout=1s" })
class RelayBrokerOutageIT {

	static final TestTopology topology = TestTopology.of(RelayBrokerOutageIT.class);

	static final TcpProxy broker = startProxy();

	@DynamicPropertySource
	static void hubProperties(DynamicPropertyRegistry registry) {
		registry.add("spring.rabbitmq.host", () -> "127.0.0.1");
		registry.add("spring.rabbitmq.port", broker::port);
	}

	@AfterAll
	static void cleanup() throws Exception {
		broker.close();
	}

	@Autowired
	JdbcTemplate jdbc;

	@Test
	void rowsWaitWhileTheBrokerIsDownAndArePublishedOnceWhenItIsBack() throws Exception {
		List<String> ids = new ArrayList<>();
		try (QueueRecorder recorder = QueueRecorder.consume(topology.queue("product.events"))) {
			// The topology is declared; publish one event so the relay connection is up
			// before the cut.
			ids.add(insertEvent());
			await().atMost(Duration.ofSeconds(10)).until(() -> recorder.receivedOf(ids).size() == 1);

			broker.cut();
			for (int i = 0; i < 300; i++) {
				ids.add(insertEvent());
			}
			await().atMost(Duration.ofSeconds(15))
				.until(() -> this.jdbc.queryForObject(
						"SELECT count(*) FROM outbox_event WHERE status = 'PENDING' AND attempts >= 2",
						Long.class) == 300);
			assertThat(this.jdbc.queryForObject("SELECT max(last_error) FROM outbox_event WHERE status = 'PENDING'",
					String.class))
				.startsWith("broker unavailable");
			// Failed rows are postponed (available_at in the future), by at most
			// backoff-max (500 ms here).
			await().atMost(Duration.ofSeconds(5))
				.until(() -> this.jdbc.queryForObject(
						"SELECT count(*) FROM outbox_event WHERE status = 'PENDING' AND available_at > now()",
						Long.class) > 0);
			assertThat(this.jdbc.queryForObject(
					"SELECT bool_and(available_at <= now() + interval '600 milliseconds') FROM outbox_event "
							+ "WHERE status = 'PENDING'",
					Boolean.class))
				.as("backoff capped at hub.relay.backoff-max")
				.isTrue();

			broker.restore();
			await().atMost(Duration.ofSeconds(30))
				.until(() -> this.jdbc.queryForObject("SELECT count(*) FROM outbox_event WHERE status = 'PUBLISHED'",
						Long.class) == 301);
			await().atMost(Duration.ofSeconds(10)).until(() -> recorder.receivedOf(ids).size() >= 301);

			Map<String, Long> deliveries = recorder.receivedOf(ids)
				.stream()
				.collect(Collectors.groupingBy(r -> r.properties().getMessageId(), Collectors.counting()));
			assertThat(deliveries).hasSize(301);
			assertThat(deliveries.values()).allMatch(count -> count == 1L);
		}
	}

	private String insertEvent() throws Exception {
		ObjectNode envelope = OutboxFixtures.example("product.activated");
		OutboxFixtures.insert(topology.schema(), envelope);
		return envelope.get("eventId").asText();
	}

	private static TcpProxy startProxy() {
		try {
			return TcpProxy.start(TestServices.RABBIT_HOST, TestServices.RABBIT_PORT);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
