package com.ecommerce.eventhub.ops;

import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import java.util.UUID;

import com.ecommerce.eventhub.support.HubIntegrationTest;
import com.ecommerce.eventhub.support.OutboxFixtures;
import com.ecommerce.eventhub.support.TestServices;
import com.ecommerce.eventhub.support.TestTopology;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Dead letters past the dead-letter queue's TTL go to the archive table instead of
 * vanishing (TTL shortened to 1 s here), and housekeeping expires idempotency keys after
 * the retention period.
 */
@HubIntegrationTest(webEnvironment = WebEnvironment.NONE,
		properties = { "hub.relay.enabled=false", "hub.topology.dead-letter-ttl=1s" })
class DeadLetterArchiveAndRetentionIT {

	static final TestTopology topology = TestTopology.of(DeadLetterArchiveAndRetentionIT.class);

	@Autowired
	JdbcTemplate jdbc;

	@Autowired
	Housekeeping housekeeping;

	@Test
	void anExpiredDeadLetterIsArchivedWithItsFailureDetails() throws Exception {
		ObjectNode event = OutboxFixtures.example("order.placed");
		String eventId = event.get("eventId").asText();
		try (com.rabbitmq.client.Connection connection = TestServices.rabbit().newConnection("test-archive");
				Channel channel = connection.createChannel()) {
			AMQP.BasicProperties properties = new AMQP.BasicProperties.Builder().messageId(eventId)
				.type("order.placed")
				.contentType("application/json")
				.deliveryMode(2)
				.timestamp(Date.from(Instant.now()))
				.headers(Map.of("x-original-exchange", topology.exchange(), "x-original-routing-key", "order.placed",
						"x-failed-route", "notification-order-events", "x-exception-class",
						"java.lang.IllegalStateException", "x-exception-message", "SMTP down", "x-attempts", 5,
						"x-failed-at", "2026-11-19T10:00:00Z"))
				.build();
			channel.basicPublish("", topology.deadLetterQueue(), properties, event.toString().getBytes());
		}

		await().atMost(Duration.ofSeconds(15))
			.until(() -> this.jdbc.queryForObject("SELECT count(*) FROM dead_letter_archive WHERE event_id = ?",
					Integer.class, eventId) == 1);
		Map<String, Object> archived = this.jdbc.queryForMap("SELECT * FROM dead_letter_archive WHERE event_id = ?",
				eventId);
		assertThat(archived.get("event_type")).isEqualTo("order.placed");
		assertThat(archived.get("failed_route")).isEqualTo("notification-order-events");
		assertThat(archived.get("exception_message")).isEqualTo("SMTP down");
		assertThat(archived.get("attempts")).isEqualTo(5);
		assertThat(archived.get("original_routing_key")).isEqualTo("order.placed");
		assertThat(archived.get("body").toString()).contains(eventId);
		try (com.rabbitmq.client.Connection connection = TestServices.rabbit().newConnection("test-archive");
				Channel channel = connection.createChannel()) {
			assertThat(channel.messageCount(topology.deadLetterQueue())).isZero();
			assertThat(channel.messageCount(topology.deadLetterQueue() + ".archive")).isZero();
		}
	}

	@Test
	void idempotencyKeysExpireAfterTheRetentionPeriod() {
		UUID old = UUID.randomUUID();
		UUID recent = UUID.randomUUID();
		this.jdbc.update(
				"INSERT INTO processed_event (consumer, event_id, processed_at) VALUES "
						+ "('test', ?, now() - interval '8 days'), ('test', ?, now() - interval '6 days')",
				old, recent);

		assertThat(this.housekeeping.runPass()).isGreaterThanOrEqualTo(1);

		assertThat(this.jdbc.queryForList("SELECT event_id FROM processed_event WHERE consumer = 'test'", UUID.class))
			.containsExactly(recent);
	}

}
