package com.ecommerce.eventhub.consumers;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import com.ecommerce.eventhub.envelope.Envelope;
import com.ecommerce.eventhub.envelope.PermanentFailureException;
import com.ecommerce.eventhub.support.HubHttp;
import com.ecommerce.eventhub.support.HubIntegrationTest;
import com.ecommerce.eventhub.support.OutboxFixtures;
import com.ecommerce.eventhub.support.TestTopology;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code afterDeadLetter: park}: an ordered route whose handler refuses one event of an
 * aggregate dead-letters the aggregate's later events behind it, while other aggregates
 * go on; replaying the dead letters handles the refused event first and then the rest, in
 * order, and lets the aggregate go on.
 */
@HubIntegrationTest(properties = { "hub.security.api-keys[0].name=operator",
		"hub.security.api-keys[0].key=" + OrderedParkIT.ADMIN_KEY, "hub.security.api-keys[0].admin=true",
		"hub.consumers.routes.test-park.maximum-attempts=2", "hub.consumers.routes.test-park.initial-delay=50ms" })
class OrderedParkIT {

	static final String ADMIN_KEY = "ordered-park-admin-key-0123";

	static final TestTopology topology = TestTopology.of(OrderedParkIT.class);

	static final String QUEUE = topology.orderedConsumerQueue("park", 2);

	static final Set<UUID> refused = ConcurrentHashMap.newKeySet();

	static final List<UUID> handled = new CopyOnWriteArrayList<>();

	@TestConfiguration(proxyBeanMethods = false)
	static class ParkingConsumer {

		@Bean
		HubConsumer testParkConsumer() {
			return new HubConsumer("test-park", QUEUE, List.of("inventory.#"), "parkRecordingHandler").inOrder(2, true);
		}

		@Bean
		EventHandler parkRecordingHandler() {
			return new EventHandler() {

				@Override
				public Map<String, Set<Integer>> supportedVersions() {
					return Map.of("inventory.reserved", Set.of(1));
				}

				@Override
				public void handle(Envelope envelope) {
					if (refused.contains(envelope.eventId())) {
						throw new PermanentFailureException("refused (test)");
					}
					handled.add(envelope.eventId());
				}

			};
		}

	}

	@Autowired
	JdbcTemplate jdbc;

	@LocalServerPort
	int port;

	@Test
	void aDeadLetterParksItsAggregateUntilItIsReplayed() throws Exception {
		List<UUID> parked = events("product-parked", 4);
		List<UUID> other = events("product-other", 3);
		refused.add(parked.get(1));
		write(parked, "product-parked", other, "product-other");
		HubHttp http = new HubHttp(this.port);
		JsonNode deadLetters = await().atMost(Duration.ofSeconds(30))
			.until(() -> HubHttp.json(http.get("/api/v1/dead-letters", ADMIN_KEY)),
					listing -> listing.get("count").asInt() == 3 && handled.size() == 4);
		assertThat(handled).as("the other aggregate goes on; the parked one stops at its dead letter")
			.containsExactlyInAnyOrder(parked.get(0), other.get(0), other.get(1), other.get(2));
		List<UUID> deadIds = new java.util.ArrayList<>();
		deadLetters.get("deadLetters").forEach(entry -> deadIds.add(UUID.fromString(entry.get("eventId").asText())));
		assertThat(deadIds).as("the refused event and, behind it, the aggregate's later ones, in order")
			.containsExactly(parked.get(1), parked.get(2), parked.get(3));
		assertThat(deadLetters.get("deadLetters").get(1).get("exceptionMessage").asText())
			.contains("parked behind dead-lettered event " + parked.get(1));
		assertThat(this.jdbc.queryForObject("SELECT event_id FROM parked_aggregate WHERE consumer = 'test-park'",
				UUID.class))
			.isEqualTo(parked.get(1));

		refused.clear();
		JsonNode replayed = HubHttp
			.json(http.post("/api/v1/dead-letters/replay", ADMIN_KEY, "application/json", "{\"all\": true}"));
		assertThat(replayed.get("replayed").asInt()).isEqualTo(3);
		await().atMost(Duration.ofSeconds(30)).until(() -> handled.size() == 7);
		assertThat(handled.stream().filter(parked::contains)).as("the parked aggregate, in publish order")
			.containsExactlyElementsOf(parked);
		assertThat(this.jdbc.queryForObject("SELECT count(*) FROM parked_aggregate", Long.class)).isZero();
	}

	private static List<UUID> events(String aggregate, int count) {
		return java.util.stream.Stream.generate(UUID::randomUUID).limit(count).toList();
	}

	private static void write(List<UUID> first, String firstAggregate, List<UUID> second, String secondAggregate)
			throws Exception {
		for (int i = 0; i < Math.max(first.size(), second.size()); i++) {
			if (i < first.size()) {
				insert(first.get(i), firstAggregate);
			}
			if (i < second.size()) {
				insert(second.get(i), secondAggregate);
			}
		}
	}

	private static void insert(UUID eventId, String aggregate) throws Exception {
		ObjectNode event = OutboxFixtures.example("inventory.reserved");
		event.put("eventId", eventId.toString());
		event.put("aggregateId", aggregate);
		OutboxFixtures.insert(topology.schema(), event);
	}

}
