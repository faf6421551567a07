package com.ecommerce.eventhub.outbox;

import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.ecommerce.eventhub.envelope.EnvelopeJson;
import com.ecommerce.eventhub.envelope.EnvelopeValidationException;
import com.ecommerce.eventhub.envelope.EventTypes;
import com.ecommerce.eventhub.support.HubIntegrationTest;
import com.ecommerce.eventhub.support.OutboxFixtures;
import com.ecommerce.eventhub.support.QueueRecorder;
import com.ecommerce.eventhub.support.QueueRecorder.Received;
import com.ecommerce.eventhub.support.TestServices;
import com.ecommerce.eventhub.support.TestTopology;
import com.ecommerce.eventhub.topology.AggregatePartitions;
import com.ecommerce.eventhub.topology.EventLag;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.rabbitmq.client.Channel;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The relay against the real PostgreSQL and RabbitMQ: wire format of every spec event,
 * invalid rows, late commits and unroutable messages.
 */
@HubIntegrationTest(webEnvironment = WebEnvironment.NONE,
		properties = { "hub.relay.backoff-initial=200ms", "hub.relay.backoff-max=1s" })
class OutboxRelayIT {

	static final TestTopology topology = TestTopology.of(OutboxRelayIT.class);

	@Autowired
	JdbcTemplate jdbc;

	@Autowired
	EventLookup lookup;

	@Test
	void everySpecEventArrivesInItsDomainQueueWithTheWireFormat() throws Exception {
		List<ObjectNode> sent = new ArrayList<>();
		Instant before = Instant.now().truncatedTo(ChronoUnit.MILLIS);
		try (QueueRecorder recorder = QueueRecorder.consume(topology.domainQueues().toArray(String[]::new))) {
			for (String type : EventTypes.ALL) {
				ObjectNode envelope = OutboxFixtures.example(type);
				envelope.put("correlationId", "corr-" + type);
				envelope.put("causationId", "cause-" + type);
				OutboxFixtures.insert(topology.schema(), envelope);
				sent.add(envelope);
			}
			List<String> ids = sent.stream().map(e -> e.get("eventId").asText()).toList();
			await().atMost(Duration.ofSeconds(20)).until(() -> recorder.receivedOf(ids).size() >= ids.size());

			assertThat(recorder.receivedOf(ids)).hasSize(EventTypes.ALL.size());
			for (ObjectNode envelope : sent) {
				String type = envelope.get("eventType").asText();
				String eventId = envelope.get("eventId").asText();
				Received message = recorder.received()
					.stream()
					.filter(r -> eventId.equals(r.properties().getMessageId()))
					.findFirst()
					.orElseThrow(() -> new AssertionError("not received: " + type));
				assertThat(message.queue()).as(type).isEqualTo(topology.queueFor(type));
				assertThat(message.routingKey()).isEqualTo(type);
				assertThat(message.json()).as(type).isEqualTo(envelope);
				assertThat(message.properties().getContentType()).isEqualTo("application/json");
				assertThat(message.properties().getDeliveryMode()).isEqualTo(2);
				assertThat(message.properties().getType()).isEqualTo(type);
				assertThat(message.properties().getCorrelationId()).isEqualTo("corr-" + type);
				assertThat(message.properties().getTimestamp().toInstant())
					.isEqualTo(Instant.parse(envelope.get("occurredAt").asText()));
				assertThat(message.properties().getHeaders()).containsOnlyKeys("eventVersion", "aggregateType",
						"aggregateId", "causationId", EventLag.PUBLISHED_AT_HEADER, AggregatePartitions.HEADER);
				assertThat(EventLag.publishedAt(message.header(EventLag.PUBLISHED_AT_HEADER))).isBetween(before,
						Instant.now());
				assertThat(message.header("eventVersion")).isEqualTo(envelope.get("eventVersion").asText());
				assertThat(message.header("aggregateType")).isEqualTo(envelope.get("aggregateType").asText());
				assertThat(message.header("aggregateId")).isEqualTo(envelope.get("aggregateId").asText());
				assertThat(message.header("causationId")).isEqualTo("cause-" + type);
			}
		}
		assertThat(this.jdbc.queryForObject(
				"SELECT count(*) FROM outbox_event WHERE status = 'PUBLISHED' AND published_at IS NOT NULL",
				Long.class))
			.isGreaterThanOrEqualTo(EventTypes.ALL.size());
	}

	@Test
	void absentOptionalsAreOmittedAndMetadataIsEnriched() throws Exception {
		ObjectNode envelope = OutboxFixtures.example("product.activated");
		envelope.remove("metadata");
		envelope.remove("occurredAt");
		try (QueueRecorder recorder = QueueRecorder.consume(topology.queue("product.events"))) {
			OutboxFixtures.insert(topology.schema(), envelope);
			List<String> ids = List.of(envelope.get("eventId").asText());
			await().atMost(Duration.ofSeconds(10)).until(() -> recorder.receivedOf(ids).size() >= 1);
			JsonNode body = recorder.receivedOf(ids).get(0).json();
			assertThat(body.get("metadata").get("source").asText()).isEqualTo("ecommerce-api");
			assertThat(body.get("metadata").get("environment").asText()).isEqualTo("development");
			assertThat(body.has("correlationId")).isFalse();
			assertThat(body.has("causationId")).isFalse();
			assertThat(body.get("occurredAt").asText()).endsWith("Z");
			assertThat(recorder.receivedOf(ids).get(0).properties().getHeaders()).doesNotContainKey("causationId");
		}
	}

	@Test
	void anInvalidRowIsDeadLetteredAndDoesNotBlockTheRowsBehindIt() throws Exception {
		ObjectNode before = OutboxFixtures.example("order.cart.cleared");
		ObjectNode invalid = OutboxFixtures.example("order.cart.cleared");
		((ObjectNode) invalid.get("payload")).put("reason", "bored");
		invalid.put("aggregateId", before.get("aggregateId").asText()); // same aggregate
		ObjectNode after = OutboxFixtures.example("order.cart.cleared");
		after.put("aggregateId", before.get("aggregateId").asText());
		try (QueueRecorder recorder = QueueRecorder.consume(topology.queue("order.events"),
				topology.deadLetterQueue())) {
			try (Connection connection = TestServices.jdbc()) {
				connection.setAutoCommit(false);
				OutboxFixtures.insert(connection, topology.schema(), before);
				long invalidId = OutboxFixtures.insert(connection, topology.schema(), invalid);
				OutboxFixtures.insert(connection, topology.schema(), after);
				connection.commit();

				List<String> ids = List.of(before.get("eventId").asText(), invalid.get("eventId").asText(),
						after.get("eventId").asText());
				await().atMost(Duration.ofSeconds(10)).until(() -> recorder.receivedOf(ids).size() >= 3);
				Map<String, Object> row = this.jdbc
					.queryForMap("SELECT status, last_error, attempts FROM outbox_event WHERE id = ?", invalidId);
				assertThat(row.get("status")).isEqualTo("DEAD");
				assertThat((String) row.get("last_error")).contains("/payload/reason");
			}
			List<Received> onQueue = recorder
				.receivedOf(List.of(before.get("eventId").asText(), after.get("eventId").asText()))
				.stream()
				.filter(r -> r.queue().equals(topology.queue("order.events")))
				.toList();
			assertThat(onQueue).extracting(r -> r.properties().getMessageId())
				.containsExactly(before.get("eventId").asText(), after.get("eventId").asText());

			Received dead = recorder.receivedOf(List.of(invalid.get("eventId").asText()))
				.stream()
				.filter(r -> r.queue().equals(topology.deadLetterQueue()))
				.findFirst()
				.orElseThrow();
			assertThat(dead.properties().getMessageId()).isEqualTo(invalid.get("eventId").asText());
			assertThat(dead.json().get("payload").get("reason").asText()).isEqualTo("bored");
			assertThat(dead.header("x-original-exchange")).isEqualTo(topology.exchange());
			assertThat(dead.header("x-original-routing-key")).isEqualTo("order.cart.cleared");
			assertThat(dead.header("x-failed-route")).isEqualTo("outbox-relay");
			assertThat(dead.header("x-exception-class")).isEqualTo(EnvelopeValidationException.class.getName());
			assertThat(dead.header("x-exception-message")).contains("/payload/reason");
			assertThat(dead.header("x-attempts")).isEqualTo("1");
			assertThat(Instant.parse(dead.header("x-failed-at"))).isBefore(Instant.now().plusSeconds(1));
		}
	}

	@Test
	void unknownTypesAndUnsupportedMajorsAreDeadLettered() throws Exception {
		ObjectNode unknownType = OutboxFixtures.example("product.activated");
		unknownType.put("eventType", "product.exploded");
		ObjectNode unsupportedMajor = OutboxFixtures.example("product.activated");
		unsupportedMajor.put("eventVersion", "2.0");
		ObjectNode unparseable = OutboxFixtures.example("product.activated");
		ObjectNode deep = (ObjectNode) unparseable.get("payload");
		for (int i = 0; i < 100; i++) {
			deep = deep.putObject("nested");
		}
		long unknownId = OutboxFixtures.insert(topology.schema(), unknownType);
		long majorId = OutboxFixtures.insert(topology.schema(), unsupportedMajor);
		long deepId = OutboxFixtures.insert(topology.schema(), unparseable);

		await().atMost(Duration.ofSeconds(10))
			.until(() -> this.jdbc.queryForObject(
					"SELECT count(*) FROM outbox_event WHERE status = 'DEAD' AND id IN (?, ?, ?)", Long.class,
					unknownId, majorId, deepId) == 3);
		assertThat(lastError(unknownId)).contains("/eventType").contains("unknown event type");
		assertThat(lastError(majorId)).contains("/eventVersion").contains("unsupported major version 2");
		assertThat(lastError(deepId)).contains("unreadable envelope").containsIgnoringCase("nesting depth");
	}

	@Test
	void aRowWhoseTransactionCommitsAfterAHigherIdIsStillPublished() throws Exception {
		ObjectNode late = OutboxFixtures.example("inventory.restocked");
		ObjectNode early = OutboxFixtures.example("inventory.restocked");
		try (QueueRecorder recorder = QueueRecorder.consume(topology.queue("inventory.events"));
				Connection slow = TestServices.jdbc()) {
			slow.setAutoCommit(false);
			long lowId = OutboxFixtures.insert(slow, topology.schema(), late); // takes
																				// the
																				// lower
																				// id,
																				// stays
																				// open
			long highId = OutboxFixtures.insert(topology.schema(), early); // commits
																			// first
			assertThat(lowId).isLessThan(highId);
			await().atMost(Duration.ofSeconds(10)).until(() -> "PUBLISHED".equals(status(highId)));

			slow.commit();
			await().atMost(Duration.ofSeconds(10)).until(() -> "PUBLISHED".equals(status(lowId)));
			List<String> ids = List.of(early.get("eventId").asText(), late.get("eventId").asText());
			await().atMost(Duration.ofSeconds(5)).until(() -> recorder.receivedOf(ids).size() >= 2);
			assertThat(recorder.receivedOf(ids)).extracting(r -> r.properties().getMessageId())
				.containsExactly(early.get("eventId").asText(), late.get("eventId").asText());
		}
	}

	@Test
	void aMessageNoQueueReceivesIsNotMarkedPublished() throws Exception {
		String queue = topology.queue("landing-cms.events");
		try (com.rabbitmq.client.Connection connection = TestServices.rabbit().newConnection("test-unbind");
				Channel channel = connection.createChannel()) {
			channel.queueUnbind(queue, topology.exchange(), "landing-cms.#");
			try {
				ObjectNode envelope = OutboxFixtures.example("landing-cms.content-published");
				long id = OutboxFixtures.insert(topology.schema(), envelope);
				await().atMost(Duration.ofSeconds(10))
					.until(() -> this.jdbc.queryForObject("SELECT attempts FROM outbox_event WHERE id = ?",
							Integer.class, id) >= 2);
				assertThat(status(id)).isEqualTo("PENDING");
				assertThat(lastError(id)).contains("unroutable").contains("landing-cms.content-published");
				assertThat(channel.messageCount(queue)).isZero();

				channel.queueBind(queue, topology.exchange(), "landing-cms.#");
				await().atMost(Duration.ofSeconds(10)).until(() -> "PUBLISHED".equals(status(id)));
				assertThat(channel.messageCount(queue)).isEqualTo(1);
			}
			finally {
				channel.queueBind(queue, topology.exchange(), "landing-cms.#");
				channel.queuePurge(queue);
			}
		}
	}

	@Test
	void rowsWaitingBehindABackedOffRowDoNotStarveOtherAggregates() throws Exception {
		String blocked = "blocked-" + java.util.UUID.randomUUID();
		String independent = OutboxFixtures.samePartitionAs(this.jdbc, blocked);
		try (Connection connection = TestServices.jdbc()) {
			connection.setAutoCommit(false);
			ObjectNode head = OutboxFixtures.example("product.activated");
			head.put("aggregateId", blocked);
			long headId = OutboxFixtures.insert(connection, topology.schema(), head);
			try (var statement = connection.prepareStatement("UPDATE " + topology.schema()
					+ ".outbox_event SET attempts = 3, available_at = now() + interval '1 hour' WHERE id = ?")) {
				statement.setLong(1, headId);
				statement.executeUpdate();
			}
			for (int i = 0; i < 600; i++) { // more than a batch (500) waits behind the
											// backed-off head
				ObjectNode waiting = OutboxFixtures.example("product.activated");
				waiting.put("aggregateId", blocked);
				OutboxFixtures.insert(connection, topology.schema(), waiting);
			}
			connection.commit();
		}
		ObjectNode other = OutboxFixtures.example("product.activated");
		other.put("aggregateId", independent);
		long otherId = OutboxFixtures.insert(topology.schema(), other);

		await().atMost(Duration.ofSeconds(10)).until(() -> "PUBLISHED".equals(status(otherId)));
		assertThat(this.jdbc.queryForObject(
				"SELECT count(*) FROM outbox_event WHERE aggregate_id = ? AND status = 'PUBLISHED'", Integer.class,
				blocked))
			.as("nothing overtakes the backed-off head")
			.isZero();
	}

	@Test
	void anEventScheduledForLaterDoesNotHoldBackItsAggregate() throws Exception {
		String aggregate = "scheduled-" + java.util.UUID.randomUUID();
		long scheduledId;
		try (Connection connection = TestServices.jdbc()) {
			connection.setAutoCommit(false);
			ObjectNode scheduled = OutboxFixtures.example("product.activated");
			scheduled.put("aggregateId", aggregate);
			scheduledId = OutboxFixtures.insert(connection, topology.schema(), scheduled);
			try (var statement = connection.prepareStatement("UPDATE " + topology.schema()
					+ ".outbox_event SET available_at = now() + interval '1 hour' WHERE id = ?")) {
				statement.setLong(1, scheduledId);
				statement.executeUpdate();
			}
			connection.commit();
		}
		ObjectNode next = OutboxFixtures.example("product.activated");
		next.put("aggregateId", aggregate);
		long nextId = OutboxFixtures.insert(topology.schema(), next);

		await().atMost(Duration.ofSeconds(10)).until(() -> "PUBLISHED".equals(status(nextId)));
		assertThat(status(scheduledId)).isEqualTo("PENDING");
	}

	@Test
	void aLookupForAValueWithANulFindsNothingInsteadOfFailing() {
		// PostgreSQL refuses a NUL in a text parameter; the console's lookup answered
		// 503.
		assertThat(this.lookup.byAggregateId("a\0b", 10)).isEmpty();
		assertThat(this.lookup.byCorrelationId("\0", 10)).isEmpty();
	}

	private String status(long id) {
		return this.jdbc.queryForObject("SELECT status FROM outbox_event WHERE id = ?", String.class, id);
	}

	private String lastError(long id) {
		return this.jdbc.queryForObject("SELECT last_error FROM outbox_event WHERE id = ?", String.class, id);
	}

	static {
		// Fail early with a clear message instead of a context start-up error.
		TestServices.requireRunning();
		EnvelopeJson.mapper();
	}

}
