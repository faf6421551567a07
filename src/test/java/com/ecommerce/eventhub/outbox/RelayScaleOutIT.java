package com.ecommerce.eventhub.outbox;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import com.ecommerce.eventhub.support.HubInstance;
import com.ecommerce.eventhub.support.QueueRecorder;
import com.ecommerce.eventhub.support.QueueRecorder.Received;
import com.ecommerce.eventhub.support.TestServices;
import com.ecommerce.eventhub.support.TestTopology;
import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two hub instances relay one outbox while producers keep inserting: every event is
 * published, none twice, and each aggregate's events reach the consumer in outbox order.
 */
class RelayScaleOutIT {

	static final TestTopology topology = TestTopology.unique("scaleout");

	static final int AGGREGATES = 100;

	static final int EVENTS_PER_AGGREGATE = 100;

	@AfterAll
	static void cleanup() throws Exception {
		topology.cleanup();
	}

	@Test
	void twoInstancesPublishEveryEventOnceInPerAggregateOrder() throws Exception {
		List<String> aggregates = new ArrayList<>();
		for (int i = 0; i < AGGREGATES; i++) {
			aggregates.add(UUID.randomUUID().toString());
		}
		try (ConfigurableApplicationContext first = startInstance("hub-a");
				ConfigurableApplicationContext second = startInstance("hub-b");
				QueueRecorder recorder = QueueRecorder.consume(topology.queue("product.events"))) {
			Set<String> ids = insertWhileRelaysRun(aggregates);

			await().atMost(Duration.ofSeconds(60)).until(() -> recorder.receivedOf(ids).size() >= ids.size());

			List<Received> received = recorder.receivedOf(ids);
			assertThat(received).hasSize(AGGREGATES * EVENTS_PER_AGGREGATE);
			assertThat(received.stream().map(r -> r.properties().getMessageId()).distinct().count())
				.as("no event published twice")
				.isEqualTo(ids.size());
			Map<String, Integer> lastSeq = new HashMap<>();
			for (Received message : received) {
				JsonNode body = message.json();
				String aggregate = body.get("aggregateId").asText();
				int seq = body.get("payload").get("seq").asInt();
				int previous = lastSeq.getOrDefault(aggregate, -1);
				assertThat(seq).as("event %d of aggregate %s arrived after event %d", seq, aggregate, previous)
					.isEqualTo(previous + 1);
				lastSeq.put(aggregate, seq);
			}
			assertThat(published(first)).as("instance a published").isPositive();
			assertThat(published(second)).as("instance b published").isPositive();
			assertThat(published(first) + published(second)).isEqualTo(ids.size());
		}
	}

	/** Inserts the events in many small producer transactions, aggregates interleaved. */
	private Set<String> insertWhileRelaysRun(List<String> aggregates) throws Exception {
		Set<String> ids = new HashSet<>();
		String sql = "INSERT INTO " + topology.schema() + ".outbox_event (event_id, event_type, event_version, "
				+ "aggregate_type, aggregate_id, metadata, payload) VALUES (?::uuid, 'product.activated', '1.0', "
				+ "'Product', ?, '{\"source\":\"test\",\"environment\":\"test\"}', ?::jsonb)";
		try (Connection connection = TestServices.jdbc(); PreparedStatement insert = connection.prepareStatement(sql)) {
			connection.setAutoCommit(false);
			for (int seq = 0; seq < EVENTS_PER_AGGREGATE; seq++) {
				for (String aggregate : aggregates) {
					String eventId = UUID.randomUUID().toString();
					insert.setString(1, eventId);
					insert.setString(2, aggregate);
					insert.setString(3,
							"{\"sku\":\"SKU-1\",\"activatedBy\":\"admin@example.com\",\"seq\":" + seq + "}");
					insert.addBatch();
					ids.add(eventId);
				}
				insert.executeBatch();
				connection.commit();
			}
		}
		return ids;
	}

	private static double published(ConfigurableApplicationContext context) {
		return context.getBean(MeterRegistry.class)
			.find("eventhub.relay.published")
			.counters()
			.stream()
			.mapToDouble(io.micrometer.core.instrument.Counter::count)
			.sum();
	}

	private static ConfigurableApplicationContext startInstance(String name) {
		// Small batches: with 100 aggregates a 500-row batch holds the head event of
		// every aggregate, and
		// the other instance could only wait. With 20 both instances relay side by side
		// and contend.
		return HubInstance.start(name, topology, Map.of("hub.relay.batch-size", 20));
	}

}
