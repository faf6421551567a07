package com.ecommerce.eventhub.outbox;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import com.ecommerce.eventhub.support.EventStream;
import com.ecommerce.eventhub.support.HubIntegrationTest;
import com.ecommerce.eventhub.support.OutboxFixtures;
import com.ecommerce.eventhub.support.QueueRecorder;
import com.ecommerce.eventhub.support.TestServices;
import com.ecommerce.eventhub.support.TestTopology;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * After a broker outage every aggregate's first rows carry a later available_at (their
 * retry) than the rows behind them. The claim must still make progress: seen on a
 * three-node cluster, a claim ordered by available_at filled each batch with rows waiting
 * for an earlier row outside it and published nothing, forever.
 */
@HubIntegrationTest(webEnvironment = WebEnvironment.NONE,
		properties = { "hub.relay.batch-size=20", "hub.relay.enabled=false", "hub.notifications.enabled=false" })
class RelayClaimOrderIT {

	static final TestTopology topology = TestTopology.of(RelayClaimOrderIT.class);

	@Autowired
	JdbcTemplate jdbc;

	@Autowired
	org.apache.camel.CamelContext camel;

	@Test
	void retriedRowsWithALaterAvailableAtDoNotStallTheRowsBehindThem() throws Exception {
		EventStream stream = EventStream.of("order.status-changed", 300, 10);
		try (Connection connection = TestServices.jdbc()) {
			connection.setAutoCommit(false);
			for (String id : stream.ids()) {
				ObjectNode event = OutboxFixtures.example("order.status-changed");
				event.put("eventId", id);
				event.put("aggregateId", stream.aggregateOf(id));
				OutboxFixtures.insert(connection, topology.schema(), event);
			}
			connection.commit();
		}
		// Each aggregate's first row failed once and is due again a moment later than the
		// rows behind it.
		this.jdbc.update("UPDATE outbox_event SET available_at = now() - interval '1 minute'");
		List<String> firsts = new ArrayList<>();
		for (String aggregate : stream.aggregates()) {
			firsts.add(this.jdbc.queryForObject(
					"SELECT event_id::text FROM outbox_event WHERE aggregate_id = ? " + "ORDER BY id LIMIT 1",
					String.class, aggregate));
		}
		this.jdbc.update("UPDATE outbox_event SET attempts = 1, available_at = now() + interval '1 second' "
				+ "WHERE event_id = ANY (?::uuid[])", (Object) firsts.toArray(String[]::new));

		try (QueueRecorder recorder = QueueRecorder.consume(topology.queue("order.events"))) {
			this.camel.getRouteController().startRoute("outbox-relay-0");
			this.camel.getRouteController().startRoute("outbox-relay-1");
			await().atMost(Duration.ofSeconds(30)).until(() -> stream.judge(recorder.received()).lost() == 0);
			assertThat(stream.judge(recorder.received()).outOfOrder()).isZero();
		}
		assertThat(this.jdbc.queryForObject("SELECT count(*) FROM outbox_event WHERE status = 'PENDING'", Long.class))
			.isZero();
	}

	/**
	 * Another relay (a second instance) holds an aggregate's first row: the claim skips
	 * it (SKIP LOCKED) and must then leave the aggregate's later rows for a later poll,
	 * while it publishes the rows of other aggregates around them.
	 */
	@Test
	void aRowWaitsWhileAnotherRelayHoldsAnEarlierRowOfItsAggregate() throws Exception {
		String held = "held-" + UUID.randomUUID();
		String other = OutboxFixtures.samePartitionAs(this.jdbc, held);
		ObjectNode first = product(held);
		ObjectNode second = product(held);
		ObjectNode around = product(other);
		ObjectNode after = product(other);
		try (Connection connection = TestServices.jdbc()) {
			connection.setAutoCommit(false);
			OutboxFixtures.insert(connection, topology.schema(), around);
			long firstId = OutboxFixtures.insert(connection, topology.schema(), first);
			OutboxFixtures.insert(connection, topology.schema(), second);
			OutboxFixtures.insert(connection, topology.schema(), after);
			connection.commit();
			try (QueueRecorder recorder = QueueRecorder.consume(topology.queue("product.events"));
					Statement lock = connection.createStatement()) {
				lock.executeQuery(
						"SELECT id FROM " + topology.schema() + ".outbox_event WHERE id = " + firstId + " FOR UPDATE");
				this.camel.getRouteController().startRoute("outbox-relay-0");
				this.camel.getRouteController().startRoute("outbox-relay-1");
				await().atMost(Duration.ofSeconds(30))
					.until(() -> eventIds(recorder).contains(after.path("eventId").asText()));
				assertThat(eventIds(recorder)).as("nothing of the held aggregate overtakes its held first row")
					.containsExactly(around.path("eventId").asText(), after.path("eventId").asText());
				assertThat(status(second)).isEqualTo("PENDING");

				connection.rollback();
				await().atMost(Duration.ofSeconds(30)).until(() -> recorder.count() == 4);
				assertThat(eventIds(recorder)).containsSubsequence(first.path("eventId").asText(),
						second.path("eventId").asText());
			}
		}
	}

	private ObjectNode product(String aggregateId) {
		ObjectNode event = OutboxFixtures.example("product.activated");
		event.put("aggregateId", aggregateId);
		return event;
	}

	private static List<String> eventIds(QueueRecorder recorder) {
		return recorder.received().stream().map(received -> received.properties().getMessageId()).toList();
	}

	private String status(ObjectNode event) {
		return this.jdbc.queryForObject("SELECT status FROM outbox_event WHERE event_id = ?::uuid", String.class,
				event.path("eventId").asText());
	}

}
