package com.ecommerce.eventhub.outbox;

import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

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

}
