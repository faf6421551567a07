package com.ecommerce.eventhub.replay;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.ecommerce.eventhub.consumers.HubConsumer;
import com.ecommerce.eventhub.support.CountingHandler;
import com.ecommerce.eventhub.support.HubHttp;
import com.ecommerce.eventhub.support.HubIntegrationTest;
import com.ecommerce.eventhub.support.OutboxFixtures;
import com.ecommerce.eventhub.support.TestServices;
import com.ecommerce.eventhub.support.TestTopology;
import com.ecommerce.eventhub.topology.AggregatePartitions;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code POST /api/v1/replays} against the real services: published events are counted by
 * a dry run, re-published only to the chosen route's queue (the domain queue and the
 * other route bound to the same events get nothing), skipped as duplicates unless
 * idempotency is bypassed, spread over an ordered route's partition queues, bounded by
 * {@code hub.ops.replay-max-events}, and every replay is in the audit trail. Bad input is
 * refused with a 400 problem that says what is wrong.
 */
@HubIntegrationTest(properties = { "hub.notifications.enabled=false", "hub.ops.replay-max-events=6",
		"hub.ops.replay-rate=50", "hub.security.api-keys[0].name=operator",
		"hub.security.api-keys[0].key=" + ReplayApiIT.ADMIN_KEY, "hub.security.api-keys[0].admin=true",
		"hub.security.api-keys[1].name=erp", "hub.security.api-keys[1].key=" + ReplayApiIT.ERP_KEY,
		"hub.security.api-keys[1].event-types[0]=product.activated" })
class ReplayApiIT {

	static final String ADMIN_KEY = "replay-admin-key-0123456789";

	static final String ERP_KEY = "replay-erp-key-0123456789";

	static final TestTopology topology = TestTopology.of(ReplayApiIT.class);

	static final String QUEUE_A = topology.consumerQueue("replay-a");

	static final String QUEUE_B = topology.consumerQueue("replay-b");

	static final String QUEUE_ORDERED = topology.orderedConsumerQueue("replay-ordered", 2);

	@TestConfiguration
	static class Consumers {

		@Bean
		CountingHandler handlerA() {
			return new CountingHandler();
		}

		@Bean
		CountingHandler handlerB() {
			return new CountingHandler();
		}

		@Bean
		CountingHandler handlerOrdered() {
			return new CountingHandler();
		}

		@Bean
		HubConsumer replayA() {
			return new HubConsumer("test-replay-a", QUEUE_A, List.of("product.*"), "handlerA");
		}

		@Bean
		HubConsumer replayB() {
			return new HubConsumer("test-replay-b", QUEUE_B, List.of("product.#"), "handlerB");
		}

		@Bean
		HubConsumer replayOrdered() {
			return new HubConsumer("test-replay-ordered", QUEUE_ORDERED, List.of("product.*"), "handlerOrdered")
				.inOrder(2, false);
		}

	}

	@LocalServerPort
	int port;

	@Autowired
	JdbcTemplate jdbc;

	@Autowired
	MeterRegistry meters;

	@Autowired
	CountingHandler handlerA;

	@Autowired
	CountingHandler handlerB;

	@Autowired
	CountingHandler handlerOrdered;

	@Test
	void replaysScopedEventsToOneRouteOnly() throws Exception {
		HubHttp http = new HubHttp(this.port);
		String aggregateId = UUID.randomUUID().toString();
		String correlationId = "replay-" + UUID.randomUUID();
		List<UUID> activated = new ArrayList<>();
		for (int i = 0; i < 3; i++) {
			activated.add(insert("product.activated", aggregateId, (i == 0) ? correlationId : null));
		}
		UUID deactivated = insert("product.deactivated", aggregateId, correlationId);
		UUID otherAggregate = insert("product.activated", UUID.randomUUID().toString(), null);
		List<UUID> all = new ArrayList<>(activated);
		all.add(deactivated);
		all.add(otherAggregate);
		await().atMost(Duration.ofSeconds(30))
			.until(() -> all.stream()
				.allMatch(id -> this.handlerA.handled(id) == 1 && this.handlerB.handled(id) == 1
						&& this.handlerOrdered.handled(id) == 1));
		Instant published = this.jdbc
			.queryForObject("SELECT max(published_at) FROM outbox_event WHERE aggregate_id = ?",
					java.sql.Timestamp.class, aggregateId)
			.toInstant();

		// Dry runs count and send nothing: by aggregate, by types, by correlation, by
		// time.
		assertThat(
				matched(http, "{\"route\":\"test-replay-a\",\"aggregateId\":\"" + aggregateId + "\",\"dryRun\":true}"))
			.isEqualTo(4);
		assertThat(matched(http, "{\"route\":\"test-replay-a\",\"aggregateId\":\"" + aggregateId
				+ "\",\"eventTypes\":[\"product.activated\"],\"dryRun\":true}"))
			.isEqualTo(3);
		assertThat(matched(http,
				"{\"route\":\"test-replay-a\",\"correlationId\":\"" + correlationId + "\",\"dryRun\":true}"))
			.isEqualTo(2);
		assertThat(matched(http, "{\"route\":\"test-replay-a\",\"aggregateId\":\"" + aggregateId + "\",\"from\":\""
				+ published.plusSeconds(1) + "\",\"dryRun\":true}"))
			.isZero();
		assertThat(matched(http, "{\"route\":\"test-replay-a\",\"aggregateId\":\"" + aggregateId + "\",\"to\":\""
				+ published.plusSeconds(1) + "\",\"dryRun\":true}"))
			.isEqualTo(4);
		// Only what the route is bound to: product.* and product.# both take product
		// events, a type the route does not take matches nothing.
		assertThat(matched(http, "{\"route\":\"test-replay-a\",\"aggregateId\":\"" + aggregateId
				+ "\",\"eventTypes\":[\"order.placed\"],\"dryRun\":true}"))
			.isZero();

		// A replay to route A without bypass: A's queue gets the four events and skips
		// them as duplicates; route B and the domain queue get nothing.
		long domainBefore = messageCount(topology.queue("product.events"));
		double duplicatesA = duplicates("test-replay-a");
		double duplicatesB = duplicates("test-replay-b");
		HttpResponse<String> replay = http.post("/api/v1/replays", ADMIN_KEY, "application/json",
				"{\"route\":\"test-replay-a\",\"aggregateId\":\"" + aggregateId + "\"}");
		assertThat(replay.statusCode()).as(replay.body()).isEqualTo(200);
		JsonNode answer = HubHttp.json(replay);
		assertThat(answer.get("replayed").asInt()).isEqualTo(4);
		assertThat(answer.get("queues").get(0).asText()).isEqualTo(QUEUE_A);
		assertThat(answer.get("bypassIdempotency").asBoolean()).isFalse();
		await().atMost(Duration.ofSeconds(20)).until(() -> duplicates("test-replay-a") - duplicatesA >= 4);
		assertThat(all.stream().map(this.handlerA::handled)).containsOnly(1);
		assertThat(duplicates("test-replay-b")).isEqualTo(duplicatesB);
		assertThat(all.stream().map(this.handlerB::handled)).containsOnly(1);
		assertThat(messageCount(topology.queue("product.events"))).isEqualTo(domainBefore);

		// With bypassIdempotency route B handles the selected event again; A does not
		// see it.
		replay = http.post("/api/v1/replays", ADMIN_KEY, "application/json",
				"{\"route\":\"test-replay-b\",\"aggregateId\":\"" + aggregateId
						+ "\",\"eventTypes\":[\"product.deactivated\"],\"bypassIdempotency\":true}");
		assertThat(replay.statusCode()).as(replay.body()).isEqualTo(200);
		assertThat(HubHttp.json(replay).get("replayed").asInt()).isEqualTo(1);
		await().atMost(Duration.ofSeconds(20)).until(() -> this.handlerB.handled(deactivated) == 2);
		assertThat(this.handlerA.handled(deactivated)).isEqualTo(1);
		assertThat(activated.stream().map(this.handlerB::handled)).containsOnly(1);

		// An ordered route gets the events on its partition queues, by
		// aggregatePartition.
		replay = http.post("/api/v1/replays", ADMIN_KEY, "application/json",
				"{\"route\":\"test-replay-ordered\",\"aggregateId\":\"" + aggregateId
						+ "\",\"bypassIdempotency\":true}");
		assertThat(replay.statusCode()).as(replay.body()).isEqualTo(200);
		assertThat(HubHttp.json(replay).get("queues")).extracting(JsonNode::asText)
			.containsExactly(AggregatePartitions.queueName(QUEUE_ORDERED, 0),
					AggregatePartitions.queueName(QUEUE_ORDERED, 1));
		await().atMost(Duration.ofSeconds(20))
			.until(() -> all.subList(0, 4).stream().allMatch(id -> this.handlerOrdered.handled(id) == 2));
		assertThat(this.handlerOrdered.handled(otherAggregate)).isEqualTo(1);

		// Each replay is in the audit trail: who, which route, the filter, how many.
		List<Map<String, Object>> audit = this.jdbc.queryForList(
				"SELECT actor, channel, target, filter::text AS filter, affected, outcome FROM operator_action "
						+ "WHERE action = 'replay' AND filter->>'aggregateId' = ? ORDER BY id",
				aggregateId);
		assertThat(audit).hasSize(3);
		assertThat(audit.get(0)).containsEntry("actor", "operator")
			.containsEntry("channel", "api")
			.containsEntry("target", "test-replay-a")
			.containsEntry("affected", 4)
			.containsEntry("outcome", "ok");
		assertThat((String) audit.get(0).get("filter")).contains("\"bypassIdempotency\": false");
		assertThat(audit.get(1)).containsEntry("target", "test-replay-b").containsEntry("affected", 1);
		assertThat((String) audit.get(1).get("filter")).contains("\"bypassIdempotency\": true")
			.contains("product.deactivated");
	}

	@Test
	void aReplayLargerThanTheLimitIsRefusedWithHowManyMatched() throws Exception {
		HubHttp http = new HubHttp(this.port);
		String correlationId = "replay-limit-" + UUID.randomUUID();
		List<UUID> events = new ArrayList<>();
		for (int i = 0; i < 7; i++) {
			events.add(insert("product.activated", UUID.randomUUID().toString(), correlationId));
		}
		await().atMost(Duration.ofSeconds(30))
			.until(() -> events.stream().allMatch(id -> this.handlerA.handled(id) == 1));
		String body = "{\"route\":\"test-replay-a\",\"correlationId\":\"" + correlationId + "\"}";
		HttpResponse<String> refused = http.post("/api/v1/replays", ADMIN_KEY, "application/json", body);
		assertThat(refused.statusCode()).isEqualTo(422);
		assertThat(HubHttp.json(refused).get("matched").asInt()).isEqualTo(7);
		assertThat(HubHttp.json(refused).get("maxEvents").asInt()).isEqualTo(6);
		// The dry run still answers how many would go.
		assertThat(matched(http, body.replace("}", ",\"dryRun\":true}"))).isEqualTo(7);
		assertThat(this.jdbc.queryForObject(
				"SELECT count(*) FROM operator_action WHERE action = 'replay' AND filter->>'correlationId' = ?",
				Integer.class, correlationId))
			.as("nothing was sent, nothing to audit")
			.isZero();
	}

	@Test
	void badRequestsAreRefusedWithAProblemThatSaysWhy() throws Exception {
		HubHttp http = new HubHttp(this.port);
		assertProblem(http, "not json", 400, "not JSON");
		assertProblem(http, "[]", 400, "JSON object");
		assertProblem(http, "{}", 400, "route is required");
		assertProblem(http, "{\"route\":\"no-such-route\"}", 404, "No route no-such-route");
		assertProblem(http, "{\"route\":\"outbox-relay-0\"}", 400, "not a consumer route");
		assertProblem(http, "{\"route\":\"test-replay-a\",\"eventType\":\"product.activated\"}", 400,
				"Unknown field 'eventType'");
		assertProblem(http, "{\"route\":\"test-replay-a\",\"eventTypes\":\"product.activated\"}", 400,
				"eventTypes must be an array");
		assertProblem(http, "{\"route\":\"test-replay-a\",\"eventTypes\":[" + "\"a\",".repeat(100) + "\"b\"]}", 400,
				"at most 100");
		assertProblem(http, "{\"route\":\"test-replay-a\",\"aggregateId\":\"" + "x".repeat(1001) + "\"}", 400,
				"at most 1000 characters");
		assertProblem(http, "{\"route\":\"test-replay-a\",\"from\":\"yesterday\"}", 400, "ISO-8601");
		assertProblem(http, "{\"route\":\"test-replay-a\",\"from\":\"+999999-01-01T00:00:00Z\"}", 400,
				"must lie between");
		assertProblem(http,
				"{\"route\":\"test-replay-a\",\"from\":\"2025-11-18T10:00:00Z\",\"to\":\"2025-11-18T09:00:00Z\"}", 400,
				"from must be before to");
		assertProblem(http, "{\"route\":\"test-replay-a\",\"dryRun\":\"yes\"}", 400, "dryRun must be true or false");
		assertProblem(http, "{\"route\":\"test-replay-a\",\"bypassIdempotency\":1}", 400,
				"bypassIdempotency must be true or false");
		// Keys: none, wrong, not admin; and a body over hub.ops.max-body-size.
		assertThat(http.post("/api/v1/replays", null, "application/json", "{\"route\":\"test-replay-a\"}").statusCode())
			.isEqualTo(401);
		assertThat(http.post("/api/v1/replays", "wrong-key-0123456789", "application/json", "{}").statusCode())
			.isEqualTo(401);
		assertThat(
				http.post("/api/v1/replays", ERP_KEY, "application/json", "{\"route\":\"test-replay-a\"}").statusCode())
			.isEqualTo(403);
		assertThat(http
			.post("/api/v1/replays", ADMIN_KEY, "application/json", "{\"route\":\"" + "r".repeat(70 * 1024) + "\"}")
			.statusCode()).isEqualTo(413);
		assertThat(http.post("/api/v1/replays", ADMIN_KEY, "text/plain", "{\"route\":\"test-replay-a\"}").statusCode())
			.isEqualTo(415);
	}

	private static void assertProblem(HubHttp http, String body, int status, String detail) throws Exception {
		HttpResponse<String> response = http.post("/api/v1/replays", ADMIN_KEY, "application/json", body);
		assertThat(response.statusCode()).as(body).isEqualTo(status);
		assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
		assertThat(HubHttp.json(response).get("detail").asText()).as(body).contains(detail);
	}

	private static long matched(HubHttp http, String body) throws Exception {
		HttpResponse<String> response = http.post("/api/v1/replays", ADMIN_KEY, "application/json", body);
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		JsonNode answer = HubHttp.json(response);
		assertThat(answer.has("replayed")).as("a dry run sends nothing").isFalse();
		return answer.get("matched").asLong();
	}

	private static UUID insert(String type, String aggregateId, String correlationId) throws Exception {
		ObjectNode event = OutboxFixtures.example(type);
		event.put("aggregateId", aggregateId);
		if (correlationId != null) {
			event.put("correlationId", correlationId);
		}
		OutboxFixtures.insert(topology.schema(), event);
		return UUID.fromString(event.get("eventId").asText());
	}

	private double duplicates(String route) {
		Counter counter = this.meters.find("eventhub.consumer.duplicates").tag("route", route).counter();
		return (counter != null) ? counter.count() : 0;
	}

	private static long messageCount(String queue) throws Exception {
		try (Connection connection = TestServices.rabbit().newConnection("replay-test");
				Channel channel = connection.createChannel()) {
			return channel.messageCount(queue);
		}
	}

}
