package com.ecommerce.eventhub.consumers;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.ecommerce.eventhub.support.HubIntegrationTest;
import com.ecommerce.eventhub.support.OutboxFixtures;
import com.ecommerce.eventhub.support.QueueRecorder;
import com.ecommerce.eventhub.support.TestServices;
import com.ecommerce.eventhub.support.TestTopology;
import com.ecommerce.eventhub.support.WebhookServer;
import com.ecommerce.eventhub.support.YamlRoutes;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import org.apache.camel.CamelContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The event identity in the MDC ({@code eventId}, {@code eventType},
 * {@code correlationId}) belongs to one exchange: a message without {@code type} and
 * {@code correlation_id}, handled on the threads an earlier message with them used, logs
 * none of the earlier message's values, and neither does the listener container outside
 * any exchange.
 */
@HubIntegrationTest(webEnvironment = WebEnvironment.NONE, properties = { "hub.relay.enabled=false",
		"hub.consumers.concurrency=1", "logging.level.com.ecommerce.eventhub=DEBUG", "hub.routes.poll-interval=300ms" })
class ConsumerLogContextIT {

	static final TestTopology topology = TestTopology.of(ConsumerLogContextIT.class);

	static final WebhookServer webhook = YamlRoutes.startWebhook();

	@DynamicPropertySource
	static void hubProperties(DynamicPropertyRegistry registry) {
		registry.add("test.log-webhook-url", webhook::url);
	}

	@AfterAll
	static void stopWebhook() {
		webhook.close();
	}

	@Autowired
	CamelContext camel;

	/**
	 * Messages with a type and a correlation id sent one at a time before the others, so
	 * that every thread of the connection's consumer pool (2 per core) has handled one.
	 */
	private static final int EARLIER_MESSAGES = 12;

	/** The exchange a dead letter channel's line is about. */
	private static final java.util.regex.Pattern EXCHANGE_ID = java.util.regex.Pattern
		.compile("on ExchangeId: ([^)\\s]+)\\)");

	@Autowired
	JdbcTemplate jdbc;

	private final MdcRecorder recorder = new MdcRecorder();

	private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);

	@BeforeEach
	void record() {
		this.recorder.start();
		this.root.addAppender(this.recorder);
	}

	@AfterEach
	void stopRecording() {
		this.root.detachAppender(this.recorder);
		this.recorder.stop();
	}

	@Test
	void aMessageWithoutTypeOrCorrelationLogsNoneOfAnEarlierMessagesValues() throws Exception {
		String correlationId = "corr-" + UUID.randomUUID();
		List<String> earlierIds = new ArrayList<>();
		ObjectNode plain = OutboxFixtures.example("order.placed");
		String plainId = plain.get("eventId").asText();
		ObjectNode unreadable = OutboxFixtures.example("order.placed");
		String unreadableId = unreadable.get("eventId").asText();
		try (QueueRecorder deadLetters = QueueRecorder.consume(topology.deadLetterQueue());
				Connection connection = TestServices.rabbit().newConnection("test-log-context");
				Channel channel = connection.createChannel()) {
			channel.confirmSelect();
			for (int index = 0; index < EARLIER_MESSAGES; index++) {
				ObjectNode earlier = OutboxFixtures.example("order.placed");
				String id = earlier.get("eventId").asText();
				earlierIds.add(id);
				publish(channel,
						new AMQP.BasicProperties.Builder().messageId(id)
							.type("order.placed")
							.correlationId(correlationId),
						earlier.toString());
				awaitEmailRequestFor(id);
			}
			// Handled: no type or correlation id, a valid order.
			publish(channel, new AMQP.BasicProperties.Builder().messageId(plainId), plain.toString());
			awaitEmailRequestFor(plainId);
			// An x-death header Spring AMQP cannot read (logged by the listener
			// container,
			// outside any exchange) on a body that is not JSON (dead-lettered).
			publish(channel, new AMQP.BasicProperties.Builder().messageId(unreadableId)
				.headers(Map.of("x-death", List.of("1", 1, Map.of("x", "y")))), "{{{ not json");
			await().atMost(Duration.ofSeconds(20))
				.until(() -> deadLetters.receivedOf(List.of(unreadableId)).size() == 1);
		}

		List<ILoggingEvent> events = this.recorder.events();
		List<ILoggingEvent> laterLines = events.stream()
			.filter(event -> mentions(event, plainId) || mentions(event, unreadableId))
			.toList();
		assertThat(laterLines).as("lines about the messages without type and correlation id").isNotEmpty();
		for (ILoggingEvent event : laterLines) {
			Map<String, String> mdc = event.getMDCPropertyMap();
			assertThat(mdc).as(describe(event)).doesNotContainKeys("eventType", "correlationId");
			assertThat(earlierIds).as(describe(event)).doesNotContain(mdc.get("eventId"));
		}
		// The listener container's line is outside any exchange: no event's identity.
		assertThat(laterLines).filteredOn(event -> event.getFormattedMessage().contains("x-death"))
			.isNotEmpty()
			.allSatisfy(event -> assertThat(event.getMDCPropertyMap()).as(describe(event))
				.doesNotContainKeys("eventId", "eventType", "correlationId"));
		// Inside their exchanges the messages are still named.
		assertThat(laterLines).anyMatch(event -> plainId.equals(event.getMDCPropertyMap().get("eventId")));
		assertThat(laterLines).anyMatch(event -> unreadableId.equals(event.getMDCPropertyMap().get("eventId")));
		// The earlier messages' correlation id is on their own lines only.
		assertThat(events).filteredOn(event -> correlationId.equals(event.getMDCPropertyMap().get("correlationId")))
			.isNotEmpty()
			.allSatisfy(event -> assertThat(earlierIds).as(describe(event))
				.contains(event.getMDCPropertyMap().get("eventId")));
	}

	/**
	 * A redelivery runs on Camel's error handler thread and the attempt after it on an
	 * attempt thread: each line logged for the exchange, whatever thread logs it, names
	 * its event and no other.
	 */
	@Test
	void aRedeliveredEventIsLoggedWithItsOwnIdentityOnEveryThread() throws Exception {
		Files.writeString(topology.routesDirectory().resolve("log-forwarder.yaml"), forwarder());
		await().atMost(Duration.ofSeconds(15)).until(() -> this.camel.getRoute("log-forwarder") != null);
		List<String> ids = new ArrayList<>();
		try (QueueRecorder deadLetters = QueueRecorder.consume(topology.deadLetterQueue());
				Connection connection = TestServices.rabbit().newConnection("test-log-context");
				Channel channel = connection.createChannel()) {
			channel.confirmSelect();
			for (int index = 0; index < 2; index++) {
				ObjectNode event = OutboxFixtures.example("inventory.released");
				String id = event.get("eventId").asText();
				webhook.answer(id, 503);
				ids.add(id);
				publish(channel, "inventory.released",
						new AMQP.BasicProperties.Builder().messageId(id)
							.type("inventory.released")
							.correlationId("corr-" + id),
						event.toString());
			}
			await().atMost(Duration.ofSeconds(30)).until(() -> deadLetters.receivedOf(ids).size() == 2);
		}

		List<ILoggingEvent> routeLines = this.recorder.events()
			.stream()
			.filter(event -> "log-forwarder".equals(event.getMDCPropertyMap().get("camel.routeId")))
			.toList();
		assertThat(routeLines).filteredOn(event -> event.getFormattedMessage().contains("On delivery attempt: 2"))
			.as("the last attempts' failures, logged after redeliveries")
			.hasSize(2);
		Map<String, String> eventOfExchange = new java.util.HashMap<>();
		for (ILoggingEvent event : routeLines) {
			Map<String, String> mdc = event.getMDCPropertyMap();
			assertThat(ids).as(describe(event)).contains(mdc.get("eventId"));
			assertThat(mdc).as(describe(event))
				.containsEntry("eventType", "inventory.released")
				.containsEntry("correlationId", "corr-" + mdc.get("eventId"));
			String earlier = eventOfExchange.putIfAbsent(mdc.get("camel.exchangeId"), mdc.get("eventId"));
			assertThat(earlier).as(describe(event)).isIn(null, mdc.get("eventId"));
			// Camel's own key names the exchange the line is about.
			java.util.regex.Matcher about = EXCHANGE_ID.matcher(event.getFormattedMessage());
			if (about.find()) {
				assertThat(mdc.get("camel.exchangeId")).as(describe(event)).isEqualTo(about.group(1));
			}
		}
	}

	private static String forwarder() {
		return YamlRoutes.consumer("log-forwarder", topology.consumerQueue("log-forwarder"), "inventory.released",
				"maximumAttempts", "3", "initialDelay", "100", "breakerFailures", "0")
				+ YamlRoutes.webhookPost("log-forwarder-post", "{{test.log-webhook-url}}", 5000);
	}

	private static boolean mentions(ILoggingEvent event, String eventId) {
		return eventId.equals(event.getMDCPropertyMap().get("eventId"))
				|| event.getFormattedMessage().contains(eventId);
	}

	private static String describe(ILoggingEvent event) {
		return "[" + event.getThreadName() + "] " + event.getLoggerName() + " " + event.getMDCPropertyMap() + ": "
				+ event.getFormattedMessage();
	}

	private void awaitEmailRequestFor(String eventId) {
		await().atMost(Duration.ofSeconds(20))
			.until(() -> this.jdbc.queryForObject("SELECT count(*) FROM outbox_event WHERE causation_id = ?",
					Long.class, eventId) == 1);
	}

	private static void publish(Channel channel, AMQP.BasicProperties.Builder properties, String body)
			throws Exception {
		publish(channel, "order.placed", properties, body);
	}

	private static void publish(Channel channel, String routingKey, AMQP.BasicProperties.Builder properties,
			String body) throws Exception {
		channel.basicPublish(topology.exchange(), routingKey, true, properties.build(),
				body.getBytes(StandardCharsets.UTF_8));
		channel.waitForConfirmsOrDie(5000);
	}

	/**
	 * Keeps the logging events with the MDC of the thread that logged them (Logback reads
	 * it lazily, on first use).
	 */
	private static final class MdcRecorder extends ListAppender<ILoggingEvent> {

		@Override
		protected void append(ILoggingEvent event) {
			event.prepareForDeferredProcessing();
			super.append(event);
		}

		/** The events so far; {@code doAppend} holds the same lock. */
		synchronized List<ILoggingEvent> events() {
			return List.copyOf(this.list);
		}

	}

}
