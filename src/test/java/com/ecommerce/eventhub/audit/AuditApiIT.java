package com.ecommerce.eventhub.audit;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import com.ecommerce.eventhub.consumers.HubConsumer;
import com.ecommerce.eventhub.support.CountingHandler;
import com.ecommerce.eventhub.support.HubHttp;
import com.ecommerce.eventhub.support.HubIntegrationTest;
import com.ecommerce.eventhub.support.OutboxFixtures;
import com.ecommerce.eventhub.support.TestPublisher;
import com.ecommerce.eventhub.support.TestTopology;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code GET /api/v1/audit}: the operator actions of the API (route stop and start, a
 * dead-letter discard by filter) appear newest first with who (the key's name, never the
 * key), what, the target, the filter, how many and the outcome; pages back with
 * {@code before}; needs an admin key; refuses a bad {@code limit}.
 */
@HubIntegrationTest(properties = { "hub.relay.enabled=false", "hub.notifications.enabled=false",
		"hub.security.api-keys[0].name=auditor", "hub.security.api-keys[0].key=" + AuditApiIT.ADMIN_KEY,
		"hub.security.api-keys[0].admin=true", "hub.security.api-keys[1].name=erp",
		"hub.security.api-keys[1].key=" + AuditApiIT.ERP_KEY,
		"hub.security.api-keys[1].event-types[0]=product.activated" })
class AuditApiIT {

	static final String ADMIN_KEY = "audit-admin-key-0123456789";

	static final String ERP_KEY = "audit-erp-key-0123456789";

	static final TestTopology topology = TestTopology.of(AuditApiIT.class);

	static final String QUEUE = topology.consumerQueue("audited");

	@TestConfiguration
	static class Consumers {

		@Bean
		CountingHandler auditedHandler() {
			return new CountingHandler();
		}

		@Bean
		HubConsumer audited() {
			return new HubConsumer("test-audited", QUEUE, List.of("product.*"), "auditedHandler");
		}

	}

	@LocalServerPort
	int port;

	@Autowired
	CountingHandler handler;

	@Test
	void operatorActionsAreListedNewestFirst() throws Exception {
		HubHttp http = new HubHttp(this.port);
		assertThat(http.post("/api/v1/routes/test-audited/stop", ADMIN_KEY, "application/json", "").statusCode())
			.isEqualTo(200);
		assertThat(http.post("/api/v1/routes/test-audited/start", ADMIN_KEY, "application/json", "").statusCode())
			.isEqualTo(200);
		ObjectNode poisoned = OutboxFixtures.example("product.activated");
		UUID eventId = UUID.fromString(poisoned.get("eventId").asText());
		this.handler.poisoned.add(eventId);
		try (TestPublisher publisher = TestPublisher.to(topology.exchange())) {
			publisher.publish(poisoned);
		}
		await().atMost(Duration.ofSeconds(15))
			.until(() -> HubHttp.json(http.get("/api/v1/dead-letters", ADMIN_KEY)).get("count").asInt() == 1);
		JsonNode discarded = HubHttp.json(http.post("/api/v1/dead-letters/discard", ADMIN_KEY, "application/json",
				"{\"failedRoute\":\"test-audited\",\"exceptionClass\":\"PermanentFailureException\"}"));
		assertThat(discarded.get("discarded").asInt()).isEqualTo(1);

		HttpResponse<String> response = http.get("/api/v1/audit?limit=3", ADMIN_KEY);
		assertThat(response.statusCode()).isEqualTo(200);
		JsonNode actions = HubHttp.json(response).get("actions");
		assertThat(actions).hasSize(3);
		JsonNode discard = actions.get(0);
		assertThat(discard.get("action").asText()).isEqualTo("dead-letters.discard");
		assertThat(discard.get("actor").asText()).isEqualTo("auditor");
		assertThat(discard.get("channel").asText()).isEqualTo("api");
		assertThat(discard.get("affected").asInt()).isEqualTo(1);
		assertThat(discard.get("outcome").asText()).isEqualTo("ok");
		assertThat(discard.get("filter").get("failedRoute").asText()).isEqualTo("test-audited");
		assertThat(discard.get("filter").get("exceptionClass").asText()).isEqualTo("PermanentFailureException");
		assertThat(discard.get("at").asText()).isNotBlank();
		assertThat(actions.get(1).get("action").asText()).isEqualTo("route.start");
		assertThat(actions.get(1).get("target").asText()).isEqualTo("test-audited");
		assertThat(actions.get(2).get("action").asText()).isEqualTo("route.stop");
		assertThat(actions.get(0).get("id").asLong()).isGreaterThan(actions.get(1).get("id").asLong());
		assertThat(response.body()).as("the key itself is never shown").doesNotContain(ADMIN_KEY);

		// Paging: the actions before the newest one start with the route start.
		JsonNode older = HubHttp.json(http.get("/api/v1/audit?limit=1&before=" + discard.get("id").asLong(), ADMIN_KEY))
			.get("actions");
		assertThat(older).hasSize(1);
		assertThat(older.get(0).get("action").asText()).isEqualTo("route.start");
	}

	@Test
	void theAuditNeedsAnAdminKeyAndSaneParameters() throws Exception {
		HubHttp http = new HubHttp(this.port);
		assertThat(http.get("/api/v1/audit", null).statusCode()).isEqualTo(401);
		assertThat(http.get("/api/v1/audit", ERP_KEY).statusCode()).isEqualTo(403);
		for (String query : List.of("limit=0", "limit=1001", "limit=abc", "before=-1", "before=x")) {
			HttpResponse<String> refused = http.get("/api/v1/audit?" + query, ADMIN_KEY);
			assertThat(refused.statusCode()).as(query).isEqualTo(400);
			assertThat(HubHttp.json(refused).get("detail").asText()).as(query).isNotBlank();
		}
		assertThat(http.get("/api/v1/audit?limit=1000", ADMIN_KEY).statusCode()).isEqualTo(200);
	}

}
