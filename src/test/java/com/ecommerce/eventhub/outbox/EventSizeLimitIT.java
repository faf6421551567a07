package com.ecommerce.eventhub.outbox;

import java.net.http.HttpResponse;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;

import com.ecommerce.eventhub.support.HubHttp;
import com.ecommerce.eventhub.support.HubIntegrationTest;
import com.ecommerce.eventhub.support.OutboxFixtures;
import com.ecommerce.eventhub.support.QueueRecorder;
import com.ecommerce.eventhub.support.QueueRecorder.Received;
import com.ecommerce.eventhub.support.TestPublisher;
import com.ecommerce.eventhub.support.TestServices;
import com.ecommerce.eventhub.support.TestTopology;
import com.ecommerce.eventhub.topology.DeadLetterHeaders;
import com.ecommerce.eventhub.envelope.Envelope;
import com.ecommerce.eventhub.envelope.EnvelopeJson;
import com.ecommerce.eventhub.envelope.EnvelopeValidationException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * {@code hub.envelope.max-size} (256 KB) wherever an event enters: ingestion answers 413,
 * the relay makes an oversize row DEAD with the reason (a huge one is never loaded)
 * without blocking the rows behind it, a consumer dead-letters an oversize message at
 * once, and the hub's own writes (e-mail requests) measure the whole event exactly.
 */
@HubIntegrationTest(
		properties = { "hub.security.api-keys[0].name=erp", "hub.security.api-keys[0].key=" + EventSizeLimitIT.KEY,
				"hub.security.api-keys[0].event-types=*", "hub.ingestion.max-body-size=2MB" })
class EventSizeLimitIT {

	static final String KEY = "size-erp-key-0123456789";

	static final int LIMIT = 256 * 1024;

	static final TestTopology topology = TestTopology.of(EventSizeLimitIT.class);

	@LocalServerPort
	int port;

	@Autowired
	JdbcTemplate jdbc;

	@Autowired
	OutboxStore store;

	@Test
	void ingestionRefusesAnEventOverTheLimitWith413() throws Exception {
		long rows = rows();
		HubHttp http = new HubHttp(this.port);
		ObjectNode small = OutboxFixtures.example("product.updated");
		ObjectNode large = productUpdated(300_000);
		HttpResponse<String> single = http.post("/api/v1/events", KEY, "application/json", large.toString());
		assertThat(single.statusCode()).isEqualTo(413);
		assertThat(single.body()).contains("hub.envelope.max-size");
		HttpResponse<String> batch = http.post("/api/v1/events", KEY, "application/json",
				"[" + small + "," + large + "]");
		assertThat(batch.statusCode()).isEqualTo(413);
		assertThat(HubHttp.json(batch).at("/violations/0/index").asInt()).isEqualTo(1);
		assertThat(rows()).isEqualTo(rows);
		assertThat(
				http.post("/api/v1/events", KEY, "application/json", productUpdated(200_000).toString()).statusCode())
			.as("under the limit")
			.isEqualTo(202);
	}

	@Test
	void theRelayMakesOversizeRowsDeadWithoutLoadingThemOrBlockingTheRest() throws Exception {
		ObjectNode before = OutboxFixtures.example("product.updated");
		ObjectNode huge = productUpdated(5_000_000); // far over: never loaded
		ObjectNode over = productUpdated(300_000); // loaded, and measured exactly
		ObjectNode fits = productUpdated(200_000);
		ObjectNode after = OutboxFixtures.example("product.updated");
		for (ObjectNode sameAggregate : List.of(huge, over, fits, after)) {
			sameAggregate.put("aggregateId", before.get("aggregateId").asText());
		}
		List<String> published = List.of(id(before), id(fits), id(after));
		List<String> dead = List.of(id(huge), id(over));
		try (QueueRecorder recorder = QueueRecorder.consume(topology.queue("product.events"),
				topology.deadLetterQueue())) {
			try (Connection connection = TestServices.jdbc()) {
				connection.setAutoCommit(false);
				for (ObjectNode event : List.of(before, huge, over, fits, after)) {
					OutboxFixtures.insert(connection, topology.schema(), event);
				}
				connection.commit();
			}
			await().atMost(Duration.ofSeconds(20))
				.until(() -> recorder.receivedOf(published).size() == 3 && recorder.receivedOf(dead).size() == 2);
			assertThat(recorder.receivedOf(published)).extracting(Received::queue)
				.containsOnly(topology.queue("product.events"));
			assertThat(recorder.receivedOf(published)).extracting(r -> r.properties().getMessageId())
				.as("in outbox order")
				.containsExactlyElementsOf(published);
			for (Received letter : recorder.receivedOf(dead)) {
				assertThat(letter.queue()).isEqualTo(topology.deadLetterQueue());
				assertThat(letter.body().length).as("the dead letter names the event, without its payload")
					.isLessThan(2_000);
				assertThat(letter.header(DeadLetterHeaders.EXCEPTION_MESSAGE)).contains("bytes",
						"hub.envelope.max-size");
			}
		}
		// The relay marks a row DEAD after the broker confirmed its dead letter: a moment
		// after the recorder saw it.
		for (String eventId : dead) {
			await().atMost(Duration.ofSeconds(10))
				.untilAsserted(() -> assertThat(this.jdbc.queryForObject(
						"SELECT status || ' ' || last_error FROM outbox_event WHERE event_id = ?::uuid", String.class,
						eventId))
					.startsWith("DEAD")
					.contains("at most " + LIMIT));
		}
	}

	@Test
	void aConsumerDeadLettersAnOversizeMessageAtOnce() throws Exception {
		ObjectNode order = OutboxFixtures.example("order.placed");
		((ObjectNode) order.get("payload")).put("notes", "n".repeat(1000));
		((ObjectNode) order.get("payload")).put("padding", "p".repeat(300_000)); // later
																					// minors
																					// may
																					// add
																					// fields
		String eventId = id(order);
		try (QueueRecorder recorder = QueueRecorder.consume(topology.deadLetterQueue());
				TestPublisher publisher = TestPublisher.to(topology.exchange())) {
			publisher.publish(order);
			await().atMost(Duration.ofSeconds(20)).until(() -> !recorder.receivedOf(List.of(eventId)).isEmpty());
			Received letter = recorder.receivedOf(List.of(eventId)).get(0);
			assertThat(letter.header(DeadLetterHeaders.FAILED_ROUTE)).isEqualTo("notification-order-events");
			assertThat(letter.header(DeadLetterHeaders.ATTEMPTS)).isEqualTo("1");
			assertThat(letter.header(DeadLetterHeaders.EXCEPTION_MESSAGE)).contains("bytes", "hub.envelope.max-size");
			assertThat(letter.body().length).as("the original, unchanged").isGreaterThan(LIMIT);
		}
	}

	@Test
	void theHubsOwnWriteMeasuresTheWholeEventAsItWillBePublished() throws Exception {
		ObjectMapper mapper = EnvelopeJson.mapper();
		int probe = 1000;
		int probeSize = mapper.writeValueAsBytes(envelope(productUpdated(probe))).length;
		int fitting = probe + (LIMIT - probeSize);
		Envelope atTheLimit = envelope(productUpdated(fitting));
		assertThat(mapper.writeValueAsBytes(atTheLimit)).hasSize(LIMIT);
		assertThat(this.store.write(atTheLimit, null)).as("exactly the limit is written").isTrue();
		Envelope oneOver = envelope(productUpdated(fitting + 1));
		assertThatThrownBy(() -> this.store.write(oneOver, null)).isInstanceOf(EnvelopeValidationException.class)
			.hasMessageContaining("would be " + (LIMIT + 1) + " bytes")
			.hasMessageContaining("hub.envelope.max-size");
		assertThat(this.jdbc.queryForObject("SELECT count(*) FROM outbox_event WHERE event_id = ?::uuid", Long.class,
				oneOver.eventId().toString()))
			.isZero();
	}

	private static Envelope envelope(ObjectNode event) throws Exception {
		return EnvelopeJson.mapper().treeToValue(event, Envelope.class);
	}

	private static ObjectNode productUpdated(int bytes) {
		ObjectNode event = OutboxFixtures.example("product.updated");
		JsonNode changes = event.at("/payload/changes");
		((ObjectNode) changes).put("description", "d".repeat(bytes));
		return event;
	}

	private static String id(JsonNode event) {
		return event.get("eventId").asText();
	}

	private long rows() {
		return this.jdbc.queryForObject("SELECT count(*) FROM outbox_event", Long.class);
	}

}
