package com.ecommerce.eventhub.consumers;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import com.ecommerce.eventhub.support.HubHttp;
import com.ecommerce.eventhub.support.HubIntegrationTest;
import com.ecommerce.eventhub.support.OutboxFixtures;
import com.ecommerce.eventhub.support.TestPublisher;
import com.ecommerce.eventhub.support.TestTopology;
import com.ecommerce.eventhub.support.WebhookServer;
import com.ecommerce.eventhub.support.WebhookServer.Answer;
import com.ecommerce.eventhub.support.YamlRoutes;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.CamelContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A webhook that answers after 60 s, with 200 events queued for it: its route holds its
 * own attempt threads and nothing else. Meanwhile ingestion and the relay go on,
 * readiness stays UP, no database connection waits in a transaction for the webhook, and
 * another route's redelivery comes on time.
 */
@HubIntegrationTest(properties = { "hub.security.api-keys[0].name=erp",
		"hub.security.api-keys[0].key=" + SlowPeerIT.KEY, "hub.security.api-keys[0].event-types=*",
		"hub.routes.poll-interval=300ms", "hub.notifications.enabled=false",
		"spring.datasource.hikari.data-source-properties.ApplicationName=" + SlowPeerIT.APPLICATION })
class SlowPeerIT {

	static final String KEY = "slow-peer-key-0123456789";

	static final String APPLICATION = "hub-slow-peer-test";

	static final TestTopology topology = TestTopology.of(SlowPeerIT.class);

	static final WebhookServer slow = start(64);

	static final WebhookServer flaky = start(4);

	@DynamicPropertySource
	static void hubProperties(DynamicPropertyRegistry registry) {
		registry.add("test.slow-url", slow::url);
		registry.add("test.flaky-url", flaky::url);
	}

	@AfterAll
	static void cleanup() throws Exception {
		slow.close();
		flaky.close();
	}

	@LocalServerPort
	int port;

	@Autowired
	CamelContext camel;

	@Autowired
	JdbcTemplate jdbc;

	@Test
	void aWebhookThatHangsHoldsOnlyItsOwnRoute() throws Exception {
		slow.delayEveryCall(60_000);
		Files.writeString(topology.routesDirectory().resolve("peers.yaml"),
				forwarder("slow-forwarder", topology.consumerQueue("slow"), "inventory.#", "test.slow-url", 3, 100)
						+ forwarder("flaky-forwarder", topology.consumerQueue("flaky"), "landing-cms.#",
								"test.flaky-url", 3, 500));
		await().atMost(Duration.ofSeconds(15))
			.until(() -> this.camel.getRoute("slow-forwarder") != null
					&& this.camel.getRoute("flaky-forwarder") != null);

		try (TestPublisher publisher = TestPublisher.to(topology.exchange())) {
			for (int i = 0; i < 200; i++) {
				publisher.publish(OutboxFixtures.example("inventory.reserved"));
			}
			await().atMost(Duration.ofSeconds(15)).until(() -> slow.openRequests() >= 2);
			// Attempts time out after 2 s but their threads stay stuck reading: the route
			// gets new ones.
			await().atMost(Duration.ofSeconds(20)).until(() -> slow.distinctEvents() > 2);

			// Another route: its first attempt fails, its redelivery 500 ms later must
			// not wait for the slow one.
			ObjectNode page = OutboxFixtures.example("landing-cms.content-updated");
			String pageId = page.get("eventId").asText();
			flaky.script(pageId, Answer.of(503));
			publisher.publish(page);
			await().atMost(Duration.ofSeconds(20)).until(() -> flaky.callsOf(pageId) == 2);
			List<Long> calls = flaky.callTimesOf(pageId);
			assertThat(Duration.ofNanos(calls.get(1) - calls.get(0))).as("the redelivery came on time")
				.isLessThan(Duration.ofSeconds(10));
		}

		HubHttp http = new HubHttp(this.port);
		List<String> posted = new ArrayList<>();
		for (int i = 0; i < 20; i++) {
			assertThat(slow.openRequests()).as("the webhook still holds attempts").isPositive();
			assertThat(idleInTransaction()).as("no connection waits in a transaction for the webhook").isZero();
			ObjectNode event = OutboxFixtures.example("product.activated");
			event.put("eventId", UUID.randomUUID().toString());
			HttpResponse<String> answer = http.send("/api/v1/events",
					r -> r.header("X-API-Key", KEY)
						.header("Content-Type", "application/json")
						.timeout(Duration.ofSeconds(5))
						.POST(java.net.http.HttpRequest.BodyPublishers.ofString(event.toString())));
			assertThat(answer.statusCode()).isEqualTo(202);
			posted.add(event.get("eventId").asText());
			assertThat(http.get("/readyz", null).statusCode()).as("readiness").isEqualTo(200);
		}
		await().atMost(Duration.ofSeconds(15))
			.until(() -> this.jdbc.queryForObject(
					"SELECT count(*) FROM outbox_event WHERE status = 'PUBLISHED' AND event_id = ANY (?::uuid[])",
					Long.class, (Object) posted.toArray(String[]::new)) == posted.size());
		assertThat(slow.openRequests()).as("and the webhook was hanging all along").isPositive();
	}

	private long idleInTransaction() {
		return this.jdbc.queryForObject(
				"SELECT count(*) FROM pg_stat_activity WHERE application_name = ? "
						+ "AND state = 'idle in transaction' AND now() - state_change > interval '1 second'",
				Long.class, APPLICATION);
	}

	private static String forwarder(String id, String queue, String bindings, String urlProperty, int attempts,
			int initialDelay) {
		return YamlRoutes.consumer(id, queue, bindings, "maximumAttempts", String.valueOf(attempts), "initialDelay",
				String.valueOf(initialDelay), "maxDelay", "2000", "attemptTimeout", "2000")
				+ YamlRoutes.webhookPost(id + "-post", "{{" + urlProperty + "}}", 120000, false);
	}

	private static WebhookServer start(int threads) {
		try {
			return WebhookServer.start(threads);
		}
		catch (java.io.IOException ex) {
			throw new java.io.UncheckedIOException(ex);
		}
	}

}
