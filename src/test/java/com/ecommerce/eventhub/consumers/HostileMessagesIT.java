package com.ecommerce.eventhub.consumers;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.ecommerce.eventhub.support.HubIntegrationTest;
import com.ecommerce.eventhub.support.OutboxFixtures;
import com.ecommerce.eventhub.support.QueueRecorder;
import com.ecommerce.eventhub.support.QueueRecorder.Received;
import com.ecommerce.eventhub.support.TestServices;
import com.ecommerce.eventhub.support.TestTopology;
import com.ecommerce.eventhub.topology.DeadLetterHeaders;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Messages published straight to the broker by someone with write access: a number whose
 * exponent would take minutes to write out, a version with a trailing line break hiding a
 * nonsense payload, an event type long enough to overflow a backtracking regular
 * expression, a body that is not JSON. Each is dead-lettered at once with its reason, and
 * the route goes on with the next message.
 */
@HubIntegrationTest(webEnvironment = WebEnvironment.NONE, properties = "hub.relay.enabled=false")
class HostileMessagesIT {

	static final TestTopology topology = TestTopology.of(HostileMessagesIT.class);

	@Autowired
	JdbcTemplate jdbc;

	@Test
	void hostileMessagesAreDeadLetteredAtOnceAndTheRouteGoesOn() throws Exception {
		ObjectNode hugeExponent = OutboxFixtures.example("order.placed");
		String hugeExponentBody = hugeExponent.toString().replaceFirst("\"amount\":199.98", "\"amount\":1e-999999999");
		assertThat(hugeExponentBody).contains("1e-999999999");
		ObjectNode lineBreak = OutboxFixtures.example("order.placed");
		lineBreak.put("eventVersion", "1.0\n");
		lineBreak.putObject("payload").putArray("not").add("an").add("order");
		ObjectNode longType = OutboxFixtures.example("order.placed");
		longType.put("eventType", "order" + ".a".repeat(6000));
		String notJson = UUID.randomUUID().toString();
		ObjectNode valid = OutboxFixtures.example("order.placed");
		Map<String, String> hostile = Map.of(hugeExponent.get("eventId").asText(), hugeExponentBody,
				lineBreak.get("eventId").asText(), lineBreak.toString(), longType.get("eventId").asText(),
				longType.toString());

		try (QueueRecorder deadLetters = QueueRecorder.consume(topology.deadLetterQueue());
				Connection connection = TestServices.rabbit().newConnection("test-hostile");
				Channel channel = connection.createChannel()) {
			channel.confirmSelect();
			for (Map.Entry<String, String> message : hostile.entrySet()) {
				publish(channel, message.getKey(), message.getValue().getBytes(StandardCharsets.UTF_8));
			}
			publish(channel, notJson, "{{{ not json".getBytes(StandardCharsets.UTF_8));
			publish(channel, valid.get("eventId").asText(), valid.toString().getBytes(StandardCharsets.UTF_8));

			List<String> ids = List.of(hugeExponent.get("eventId").asText(), lineBreak.get("eventId").asText(),
					longType.get("eventId").asText(), notJson);
			await().atMost(Duration.ofSeconds(20)).until(() -> deadLetters.receivedOf(ids).size() == ids.size());
			for (Received letter : deadLetters.receivedOf(ids)) {
				assertThat(letter.header(DeadLetterHeaders.FAILED_ROUTE)).isEqualTo("notification-order-events");
				assertThat(letter.header(DeadLetterHeaders.ATTEMPTS)).as(letter.properties().getMessageId())
					.isEqualTo("1");
				assertThat(letter.header(DeadLetterHeaders.EXCEPTION_CLASS)).endsWith("EnvelopeValidationException");
			}
			// The valid order behind them was handled: its e-mail request is in the
			// outbox.
			awaitEmailRequestFor(valid.get("eventId").asText());
		}
	}

	@Test
	void aCharsetNoOneKnowsDoesNotHoldItsMessageOrTheRoute() throws Exception {
		// Camel's converter decoded text/* bodies with the message's content_encoding,
		// and an unknown one failed before the route: the message stayed unacked,
		// holding a prefetch slot until the channel closed (a whole partition of an
		// ordered route, whose prefetch is 1).
		ObjectNode order = OutboxFixtures.example("order.placed");
		String eventId = order.get("eventId").asText();
		try (Connection connection = TestServices.rabbit().newConnection("test-hostile-charset");
				Channel channel = connection.createChannel()) {
			channel.confirmSelect();
			publish(channel, properties(eventId).contentType("text/plain").contentEncoding("x-no-such-charset"),
					order.toString().getBytes(StandardCharsets.UTF_8));
		}
		// The body is what counts: JSON in UTF-8, whatever the properties claim.
		awaitEmailRequestFor(eventId);
	}

	@Test
	void anXDeathHeaderSpringCannotReadDoesNotStallTheRoute() throws Exception {
		// Spring AMQP read the first element of x-death as a table and threw in the
		// listener container, before the route: the channel closed, the message came
		// back,
		// and the consumers restarted every 5 s, with the messages behind it waiting.
		ObjectNode forged = OutboxFixtures.example("order.placed");
		ObjectNode behind = OutboxFixtures.example("order.placed");
		try (Connection connection = TestServices.rabbit().newConnection("test-hostile-x-death");
				Channel channel = connection.createChannel()) {
			channel.confirmSelect();
			publish(channel,
					properties(forged.get("eventId").asText())
						.headers(Map.of("x-death", List.of("1", 1, Map.of("x", "y")))),
					forged.toString().getBytes(StandardCharsets.UTF_8));
			publish(channel, behind.get("eventId").asText(), behind.toString().getBytes(StandardCharsets.UTF_8));
		}
		awaitEmailRequestFor(forged.get("eventId").asText());
		awaitEmailRequestFor(behind.get("eventId").asText());
	}

	/** Waits until the order's email.notification-requested is in the outbox. */
	private void awaitEmailRequestFor(String eventId) {
		await().atMost(Duration.ofSeconds(20))
			.until(() -> this.jdbc.queryForObject("SELECT count(*) FROM outbox_event WHERE causation_id = ?",
					Long.class, eventId) == 1);
	}

	private static AMQP.BasicProperties.Builder properties(String messageId) {
		return new AMQP.BasicProperties.Builder().messageId(messageId).type("order.placed");
	}

	private static void publish(Channel channel, String messageId, byte[] body) throws Exception {
		publish(channel, properties(messageId), body);
	}

	private static void publish(Channel channel, AMQP.BasicProperties.Builder properties, byte[] body)
			throws Exception {
		channel.basicPublish(topology.exchange(), "order.placed", true, properties.build(), body);
		channel.waitForConfirmsOrDie(5000);
	}

}
