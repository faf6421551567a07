package com.ecommerce.eventhub.routes;

import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.ecommerce.eventhub.support.EndlessAnswerPeer;
import com.ecommerce.eventhub.support.HubIntegrationTest;
import com.ecommerce.eventhub.support.OutboxFixtures;
import com.ecommerce.eventhub.support.QueueRecorder;
import com.ecommerce.eventhub.support.QueueRecorder.Received;
import com.ecommerce.eventhub.support.TestPublisher;
import com.ecommerce.eventhub.support.TestTopology;
import com.ecommerce.eventhub.support.WebhookServer;
import com.ecommerce.eventhub.support.WebhookServer.Answer;
import com.ecommerce.eventhub.support.YamlRoutes;
import com.ecommerce.eventhub.topology.DeadLetterHeaders;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.CamelContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A webhook's answer means what HTTP says: 408, 425, 429 and 5xx are retried (after
 * {@code Retry-After} when given, capped at the route's maxDelay), any other 4xx and a
 * 3xx are dead-lettered after one call. An answer whose head exceeds the hub's limits
 * fails the call and its connection is closed; so does an answer still being read when
 * its attempt times out.
 */
@HubIntegrationTest(webEnvironment = WebEnvironment.NONE,
		properties = { "hub.relay.enabled=false", "hub.routes.poll-interval=300ms", "hub.notifications.enabled=false" })
class WebhookAnswersIT {

	static final TestTopology topology = TestTopology.of(WebhookAnswersIT.class);

	static final WebhookServer webhook = YamlRoutes.startWebhook();

	static final EndlessAnswerPeer endlessPeer = startEndlessPeer();

	@DynamicPropertySource
	static void hubProperties(DynamicPropertyRegistry registry) {
		registry.add("hub.webhooks.inventory-url", webhook::url);
		registry.add("test.endless-peer-url", endlessPeer::url);
	}

	@AfterAll
	static void cleanup() throws Exception {
		webhook.close();
		endlessPeer.close();
	}

	@Autowired
	CamelContext camel;

	@Autowired
	JdbcTemplate jdbc;

	@Test
	void transientAnswersAreRetriedAndPermanentOnesDeadLetteredAtOnce() throws Exception {
		Files.writeString(topology.routesDirectory().resolve("answers.yaml"), forwarder());
		await().atMost(Duration.ofSeconds(15)).until(() -> this.camel.getRoute("answers-forwarder") != null);

		Map<String, Answer> retriedOnce = Map.of("408", Answer.of(408), "425", Answer.of(425), "429", Answer.of(429),
				"500", Answer.of(500), "502", Answer.of(502), "503", Answer.of(503, "Retry-After", "not-a-number"));
		Map<String, Integer> permanent = Map.of("400", 400, "401", 401, "404", 404, "409", 409, "422", 422, "302", 302);
		try (QueueRecorder deadLetters = QueueRecorder.consume(topology.deadLetterQueue());
				TestPublisher publisher = TestPublisher.to(topology.exchange())) {
			Map<String, String> ids = new java.util.HashMap<>();
			for (Map.Entry<String, Answer> answer : retriedOnce.entrySet()) {
				ids.put(answer.getKey(), publish(publisher, id -> webhook.script(id, answer.getValue())));
			}
			for (Map.Entry<String, Integer> answer : permanent.entrySet()) {
				ids.put(answer.getKey(), publish(publisher, id -> webhook.answer(id, answer.getValue())));
			}
			String honoured = publish(publisher, id -> webhook.script(id, Answer.of(429, "Retry-After", "2")));
			String capped = publish(publisher, id -> webhook.script(id, Answer.of(503, "Retry-After", "3600")));
			String alwaysDown = publish(publisher, id -> webhook.answer(id, 503));

			await().atMost(Duration.ofSeconds(30))
				.until(() -> retriedOnce.keySet().stream().allMatch(status -> webhook.callsOf(ids.get(status)) == 2)
						&& webhook.callsOf(honoured) == 2 && webhook.callsOf(capped) == 2
						&& webhook.callsOf(alwaysDown) == 3);
			await().atMost(Duration.ofSeconds(10))
				.until(() -> deadLetters.receivedOf(List.of(alwaysDown)).size() == 1 && permanent.keySet()
					.stream()
					.allMatch(status -> deadLetters.receivedOf(List.of(ids.get(status))).size() == 1));

			for (String status : permanent.keySet()) {
				assertThat(webhook.callsOf(ids.get(status))).as("HTTP " + status + " is called once").isEqualTo(1);
				Received letter = deadLetters.receivedOf(List.of(ids.get(status))).get(0);
				assertThat(letter.header(DeadLetterHeaders.ATTEMPTS)).as(status).isEqualTo("1");
				assertThat(letter.header(DeadLetterHeaders.EXCEPTION_MESSAGE)).contains("HTTP " + status);
			}
			for (String status : retriedOnce.keySet()) {
				assertThat(deadLetters.receivedOf(List.of(ids.get(status)))).as("HTTP " + status + " then 200")
					.isEmpty();
			}
			List<Long> honouredCalls = webhook.callTimesOf(honoured);
			assertThat(Duration.ofNanos(honouredCalls.get(1) - honouredCalls.get(0))).as("Retry-After: 2 is honoured")
				.isGreaterThanOrEqualTo(Duration.ofMillis(1900));
			List<Long> cappedCalls = webhook.callTimesOf(capped);
			assertThat(Duration.ofNanos(cappedCalls.get(1) - cappedCalls.get(0)))
				.as("Retry-After: 3600 waits at most the route's maxDelay (3 s)")
				.isLessThan(Duration.ofSeconds(20));
			assertThat(deadLetters.receivedOf(List.of(alwaysDown)).get(0).header(DeadLetterHeaders.ATTEMPTS))
				.isEqualTo("3");
		}
	}

	/**
	 * HttpClient read a response head of any length: a header line that never ended grew
	 * the hub's heap until the peer let go, the attempt timeout only abandoned the
	 * thread.
	 */
	@Test
	void anEndlessAnswerHeadFailsTheCallAndTheHubClosesTheConnection() throws Exception {
		Files.writeString(topology.routesDirectory().resolve("endless.yaml"), endlessForwarder());
		await().atMost(Duration.ofSeconds(15)).until(() -> this.camel.getRoute("endless-forwarder") != null);

		try (QueueRecorder deadLetters = QueueRecorder.consume(topology.deadLetterQueue());
				TestPublisher publisher = TestPublisher.to(topology.exchange())) {
			String endlessLine = publish(publisher, "inventory.restocked",
					id -> endlessPeer.answer(id, EndlessAnswerPeer.Answer.ENDLESS_LINE));
			String endlessLines = publish(publisher, "inventory.restocked",
					id -> endlessPeer.answer(id, EndlessAnswerPeer.Answer.ENDLESS_LINES));

			// Without the limits the peer feeds the first call for a minute.
			await().atMost(Duration.ofSeconds(20))
				.until(() -> endlessPeer.closedByHubOf(endlessLine) >= 1
						&& endlessPeer.closedByHubOf(endlessLines) >= 1);
			await().atMost(Duration.ofSeconds(20))
				.until(() -> deadLetters.receivedOf(List.of(endlessLine, endlessLines)).size() == 2
						&& endlessPeer.closedByHubOf(endlessLine) == 2 && endlessPeer.closedByHubOf(endlessLines) == 2);

			assertThat(deadLetters.receivedOf(List.of(endlessLine)).get(0).header(DeadLetterHeaders.EXCEPTION_MESSAGE))
				.contains("Maximum line length limit exceeded");
			assertThat(deadLetters.receivedOf(List.of(endlessLines)).get(0).header(DeadLetterHeaders.EXCEPTION_MESSAGE))
				.contains("Maximum header count exceeded");
			assertThat(endlessPeer.callsOf(endlessLine)).as("one call per attempt").isEqualTo(2);
			assertThat(endlessPeer.callsOf(endlessLines)).as("one call per attempt").isEqualTo(2);
		}
	}

	/**
	 * The attempt timeout used to abandon a thread that a peer kept reading: a head
	 * trickled within the limits, {@code 1xx} heads without end, a body without end
	 * (camel-http reads an ignored body to its end). With the peer feeding each call for
	 * a minute, the hub must close each connection soon after its attempt times out (2
	 * s). An endless head fails the attempt, so that event is dead-lettered after its
	 * two; a {@code 200 OK} with an endless body is the peer's yes, so that event is done
	 * after one call.
	 */
	@Test
	void anAnswerStillBeingReadWhenItsAttemptTimesOutIsLetGo() throws Exception {
		Files.writeString(topology.routesDirectory().resolve("trickle.yaml"), trickleForwarder());
		await().atMost(Duration.ofSeconds(15)).until(() -> this.camel.getRoute("trickle-forwarder") != null);

		try (QueueRecorder deadLetters = QueueRecorder.consume(topology.deadLetterQueue());
				TestPublisher publisher = TestPublisher.to(topology.exchange())) {
			String trickledHead = publish(publisher, "product.updated",
					id -> endlessPeer.answer(id, EndlessAnswerPeer.Answer.TRICKLED_HEAD));
			String informational = publish(publisher, "product.updated",
					id -> endlessPeer.answer(id, EndlessAnswerPeer.Answer.ENDLESS_INFORMATIONAL));
			String endlessBody = publish(publisher, "product.updated",
					id -> endlessPeer.answer(id, EndlessAnswerPeer.Answer.ENDLESS_BODY));
			List<String> heads = List.of(trickledHead, informational);

			// Without it, the peer feeds the first call of each for a minute.
			await().atMost(Duration.ofSeconds(20))
				.until(() -> heads.stream().allMatch(id -> endlessPeer.closedByHubOf(id) == 2)
						&& deadLetters.receivedOf(heads).size() == 2 && endlessPeer.closedByHubOf(endlessBody) == 1);

			for (String id : heads) {
				assertThat(deadLetters.receivedOf(List.of(id)).get(0).header(DeadLetterHeaders.EXCEPTION_MESSAGE))
					.contains("attempt did not finish within PT2S");
				assertThat(endlessPeer.callsOf(id)).as("one call per attempt").isEqualTo(2);
			}
			await().atMost(Duration.ofSeconds(10))
				.until(() -> this.jdbc.queryForList(
						"SELECT state FROM side_effect WHERE consumer = 'trickle-forwarder' AND event_id = ?::uuid",
						String.class, endlessBody), states -> states.equals(List.of("SUCCEEDED")));
			assertThat(endlessPeer.callsOf(endlessBody)).as("answered 200: called once").isEqualTo(1);
			assertThat(deadLetters.receivedOf(List.of(endlessBody))).isEmpty();
		}
	}

	private static String publish(TestPublisher publisher, java.util.function.Consumer<String> answers)
			throws Exception {
		return publish(publisher, "inventory.released", answers);
	}

	private static String publish(TestPublisher publisher, String eventType,
			java.util.function.Consumer<String> answers) throws Exception {
		ObjectNode event = OutboxFixtures.example(eventType);
		String eventId = event.get("eventId").asText();
		answers.accept(eventId);
		publisher.publish(event);
		return eventId;
	}

	private static String forwarder() {
		// Nine failing answers in a row would open the route's circuit breaker
		// (PeerBreakers): this test counts the calls each answer gets.
		return YamlRoutes.consumer("answers-forwarder", topology.consumerQueue("answers"), "inventory.#",
				"maximumAttempts", "3", "initialDelay", "100", "maxDelay", "3000", "breakerFailures", "0")
				+ YamlRoutes.webhookPost("answers-forwarder-post", "{{hub.webhooks.inventory-url}}", 5000);
	}

	/**
	 * A forwarder of inventory.restocked only (the other test's events stay with its own
	 * forwarder) to the endless peer, with the shipped forwarder's timeouts.
	 */
	private static String endlessForwarder() {
		return YamlRoutes.consumer("endless-forwarder", topology.consumerQueue("endless"), "inventory.restocked",
				"maximumAttempts", "2", "initialDelay", "100", "attemptTimeout", "15000", "breakerFailures", "0")
				+ YamlRoutes.webhookPost("endless-forwarder-post", "{{test.endless-peer-url}}", 10000);
	}

	/**
	 * A forwarder of product.updated to the endless peer with a 2 s attempt timeout, well
	 * under its 10 s response timeout (the longest one read may wait).
	 */
	private static String trickleForwarder() {
		return YamlRoutes.consumer("trickle-forwarder", topology.consumerQueue("trickle"), "product.updated",
				"maximumAttempts", "2", "initialDelay", "100", "attemptTimeout", "2000", "breakerFailures", "0")
				+ YamlRoutes.webhookPost("trickle-forwarder-post", "{{test.endless-peer-url}}", 10000);
	}

	private static EndlessAnswerPeer startEndlessPeer() {
		try {
			return EndlessAnswerPeer.start();
		}
		catch (java.io.IOException ex) {
			throw new java.io.UncheckedIOException(ex);
		}
	}

}
