package com.ecommerce.eventhub.ops;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import com.ecommerce.eventhub.consumers.HubConsumer;
import com.ecommerce.eventhub.support.HubHttp;
import com.ecommerce.eventhub.support.HubIntegrationTest;
import com.ecommerce.eventhub.support.OutboxFixtures;
import com.ecommerce.eventhub.support.TestPublisher;
import com.ecommerce.eventhub.support.TestTopology;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Dead-letter operations over real HTTP: listing without losing, replay by eventId,
 * eventType and all, the depth gauge, the dead-letter counter and the DEGRADED health.
 */
@HubIntegrationTest(properties = { "hub.relay.enabled=false", "hub.ops.dead-letter-check-interval=200ms",
		"hub.security.api-keys[0].name=operator", "hub.security.api-keys[0].key=" + DeadLetterOpsIT.ADMIN_KEY,
		"hub.security.api-keys[0].admin=true", "hub.security.api-keys[1].name=erp",
		"hub.security.api-keys[1].key=" + DeadLetterOpsIT.ERP_KEY,
		"hub.security.api-keys[1].event-types[0]=order.shipped" })
class DeadLetterOpsIT {

	static final String ADMIN_KEY = "admin-key-0123456789abcdef";

	static final String ERP_KEY = "erp-key-0123456789abcdef";

	static final TestTopology topology = TestTopology.of(DeadLetterOpsIT.class);

	static final String QUEUE = topology.consumerQueue("products");

	@TestConfiguration
	static class Consumers {

		@Bean
		PoisonableHandler poisonableHandler() {
			return new PoisonableHandler();
		}

		@Bean
		HubConsumer testProducts() {
			return new HubConsumer("test-products", QUEUE, List.of("product.*"), "poisonableHandler");
		}

	}

	@LocalServerPort
	int port;

	@Autowired
	PoisonableHandler handler;

	@Autowired
	MeterRegistry meters;

	@Autowired
	DeadLetterMonitor monitor;

	@Test
	void deadLettersAreListedKeptReplayedAndWatched() throws Exception {
		HubHttp http = new HubHttp(this.port);
		List<ObjectNode> events = new ArrayList<>();
		try (TestPublisher publisher = TestPublisher.to(topology.exchange())) {
			for (String type : List.of("product.activated", "product.activated", "product.deactivated")) {
				ObjectNode event = OutboxFixtures.example(type);
				this.handler.poisoned.add(UUID.fromString(event.get("eventId").asText()));
				events.add(event);
				publisher.publish(event);
			}
		}
		await().atMost(Duration.ofSeconds(10)).until(() -> this.monitor.depth() == 3);

		// Listed with their failure details, twice in the same order: listing takes
		// nothing away.
		JsonNode first = HubHttp.json(http.get("/api/v1/dead-letters", ADMIN_KEY));
		JsonNode second = HubHttp.json(http.get("/api/v1/dead-letters", ADMIN_KEY));
		assertThat(first.get("count").asInt()).isEqualTo(3);
		assertThat(second).isEqualTo(first);
		JsonNode entry = null;
		for (JsonNode candidate : first.get("deadLetters")) {
			if (candidate.get("eventId").asText().equals(events.get(0).get("eventId").asText())) {
				entry = candidate;
			}
		}
		assertThat(entry).as("the first event is listed").isNotNull();
		assertThat(entry.get("eventType").asText()).isEqualTo("product.activated");
		assertThat(entry.get("failedRoute").asText()).isEqualTo("test-products");
		assertThat(entry.get("exceptionClass").asText()).endsWith("PermanentFailureException");
		assertThat(entry.get("attempts").asInt()).isEqualTo(1);
		assertThat(entry.get("failedAt").asText()).isNotBlank();

		// Alerting follows the depth: gauge, counter and a DEGRADED (not DOWN) health.
		assertThat(this.meters.get("eventhub.dead.letter.depth").gauge().value()).isEqualTo(3);
		assertThat(this.meters
			.counter("eventhub.dead.letters", "event_type", "product.activated", "route", "test-products")
			.count()).isEqualTo(2);
		HttpResponse<String> health = http.get("/actuator/health", ADMIN_KEY);
		assertThat(health.statusCode()).isEqualTo(200);
		assertThat(HubHttp.json(health).get("status").asText()).isEqualTo("DEGRADED");
		assertThat(HubHttp.json(health).at("/components/deadLetters/details/count").asInt()).isEqualTo(3);
		HttpResponse<String> anonymous = http.get("/actuator/health", null);
		assertThat(HubHttp.json(anonymous).get("status").asText()).isEqualTo("DEGRADED");
		assertThat(anonymous.body()).as("without a key: the status only").doesNotContain("components", "count");

		// Replay one by eventId: it is consumed this time and leaves the queue.
		UUID firstId = UUID.fromString(events.get(0).get("eventId").asText());
		this.handler.poisoned.clear();
		JsonNode replayed = HubHttp.json(http.post("/api/v1/dead-letters/replay", ADMIN_KEY, "application/json",
				"{\"eventId\": \"" + firstId + "\"}"));
		assertThat(replayed.get("replayed").asInt()).isEqualTo(1);
		await().atMost(Duration.ofSeconds(10)).until(() -> this.handler.handled.contains(firstId));
		assertThat(HubHttp.json(http.get("/api/v1/dead-letters", ADMIN_KEY)).get("count").asInt()).isEqualTo(2);

		// By event type, then everything.
		replayed = HubHttp.json(http.post("/api/v1/dead-letters/replay", ADMIN_KEY, "application/json",
				"{\"eventType\": \"product.deactivated\"}"));
		assertThat(replayed.get("replayed").asInt()).isEqualTo(1);
		replayed = HubHttp
			.json(http.post("/api/v1/dead-letters/replay", ADMIN_KEY, "application/json", "{\"all\": true}"));
		assertThat(replayed.get("replayed").asInt()).isEqualTo(1);
		await().atMost(Duration.ofSeconds(10)).until(() -> this.handler.handled.size() == 3);
		await().atMost(Duration.ofSeconds(5)).until(() -> this.monitor.depth() == 0);
		assertThat(this.meters.get("eventhub.dead.letter.depth").gauge().value()).isZero();
		assertThat(HubHttp.json(http.get("/actuator/health", null)).get("status").asText()).isEqualTo("UP");
	}

	@Test
	void operationsNeedAnAdminKey() throws Exception {
		HubHttp http = new HubHttp(this.port);
		HttpResponse<String> anonymous = http.get("/api/v1/dead-letters", null);
		assertThat(anonymous.statusCode()).isEqualTo(401);
		assertThat(anonymous.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/problem+json");
		assertThat(http.get("/api/v1/dead-letters", "wrong-key-0123456789").statusCode()).isEqualTo(401);
		assertThat(http.get("/api/v1/dead-letters", ERP_KEY).statusCode()).isEqualTo(403);
		assertThat(http.post("/api/v1/dead-letters/replay", ERP_KEY, "application/json", "{\"all\":true}").statusCode())
			.isEqualTo(403);
		HttpResponse<String> unspecified = http.post("/api/v1/dead-letters/replay", ADMIN_KEY, "application/json",
				"{}");
		assertThat(unspecified.statusCode()).isEqualTo(400);
	}

	@Test
	void anEmptyCriterionIsRefused() throws Exception {
		HubHttp http = new HubHttp(this.port);
		for (String filter : List.of("{\"eventType\":\"\"}", "{\"eventId\":\"\"}", "{\"failedRoute\":\"  \"}",
				"{\"exceptionClass\":\"\"}", "{\"eventIds\":[\"\"]}")) {
			for (String operation : List.of("replay", "discard")) {
				HttpResponse<String> answer = http.post("/api/v1/dead-letters/" + operation, ADMIN_KEY,
						"application/json", filter);
				assertThat(answer.statusCode()).as(operation + " " + filter).isEqualTo(400);
				assertThat(answer.body()).contains("non-empty");
			}
		}
	}

}
