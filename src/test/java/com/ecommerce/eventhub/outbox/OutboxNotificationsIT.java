package com.ecommerce.eventhub.outbox;

import java.time.Duration;
import java.util.List;

import com.ecommerce.eventhub.support.HubIntegrationTest;
import com.ecommerce.eventhub.support.OutboxFixtures;
import com.ecommerce.eventhub.support.QueueRecorder;
import com.ecommerce.eventhub.support.TestTopology;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The relay wakes on PostgreSQL's notification of an outbox insert: with a poll interval
 * of ten minutes, only the notification can publish a committed row within seconds. The
 * listener survives the loss of its connection.
 */
@HubIntegrationTest(webEnvironment = WebEnvironment.NONE,
		properties = { "hub.relay.poll-interval=10m", "hub.notifications.enabled=false" })
class OutboxNotificationsIT {

	static final TestTopology topology = TestTopology.of(OutboxNotificationsIT.class);

	@Autowired
	JdbcTemplate jdbc;

	@Test
	void aCommittedRowWakesTheIdleRelayAndTheListenerReconnects() throws Exception {
		try (QueueRecorder recorder = QueueRecorder.consume(topology.queueFor("order.placed"))) {
			// Lets the workers' first poll (at start) pass, so they are idle and waiting.
			awaitListening();
			String first = insertOrder();
			await().atMost(Duration.ofSeconds(10)).until(() -> recorder.receivedOf(List.of(first)).size() == 1);

			// The database drops the listener's connection (a restart or failover looks
			// the
			// same to it).
			Integer terminated = this.jdbc.queryForObject(
					"SELECT count(pg_terminate_backend(pid))::int FROM pg_stat_activity WHERE application_name = ?",
					Integer.class, listenerName());
			assertThat(terminated).isEqualTo(1);
			awaitListening();

			String second = insertOrder();
			await().atMost(Duration.ofSeconds(10)).until(() -> recorder.receivedOf(List.of(second)).size() == 1);
		}
	}

	private void awaitListening() {
		await().atMost(Duration.ofSeconds(15))
			.until(() -> this.jdbc.queryForObject(
					"SELECT count(*)::int FROM pg_stat_activity WHERE application_name = ? AND state = 'idle'",
					Integer.class, listenerName()) == 1);
	}

	private static String listenerName() {
		return "event-hub listen " + topology.schema() + ".outbox_event";
	}

	private static String insertOrder() throws Exception {
		ObjectNode envelope = OutboxFixtures.example("order.placed");
		OutboxFixtures.insert(topology.schema(), envelope);
		return envelope.get("eventId").asText();
	}

}
