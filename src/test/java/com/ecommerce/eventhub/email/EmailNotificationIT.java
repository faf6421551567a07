package com.ecommerce.eventhub.email;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;

import com.ecommerce.eventhub.support.HubIntegrationTest;
import com.ecommerce.eventhub.support.OutboxFixtures;
import com.ecommerce.eventhub.support.QueueRecorder;
import com.ecommerce.eventhub.support.RejectingSmtpServer;
import com.ecommerce.eventhub.support.TestPublisher;
import com.ecommerce.eventhub.support.TestTopology;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Order events through the whole hub to mails at a real SMTP server (GreenMail): outbox,
 * relay, notification route, outbox again, relay, e-mail route, SMTP, and the email.sent
 * / email.failed events in the outbox. Each durable try is two quick attempts of route
 * {@code email-send} here (five, 0.5 s to 4 s apart, in production), and its retries are
 * scheduled 1.5 s apart (5 min, doubling, in production). The route's circuit breaker is
 * off, so an unreachable server exhausts the retries; with it (the default), requests
 * wait for the server instead ({@link SmtpOutageIT}).
 */
@HubIntegrationTest(webEnvironment = WebEnvironment.NONE,
		properties = { "hub.mail.retry.initial-delay=1500ms", "hub.mail.retry.multiplier=1",
				"hub.consumers.routes.email-send.maximum-attempts=2",
				"hub.consumers.routes.email-send.initial-delay=100ms",
				"hub.consumers.routes.email-send.breaker-failures=0", "hub.mail.from=shop@example.com",
				"hub.notifications.tracking-urls.UPS=https://track.example/{trackingNumber}" })
class EmailNotificationIT {

	static final TestTopology topology = TestTopology.of(EmailNotificationIT.class);

	static final int SMTP_PORT = freePort();

	@DynamicPropertySource
	static void hubProperties(DynamicPropertyRegistry registry) {
		registry.add("hub.mail.host", () -> "127.0.0.1");
		registry.add("hub.mail.port", () -> SMTP_PORT);
	}

	@Autowired
	JdbcTemplate jdbc;

	@Autowired
	SmtpMailer mailer;

	GreenMail smtp;

	QueueRecorder deadLetters;

	@BeforeEach
	void startSmtp() throws Exception {
		this.smtp = new GreenMail(smtpSetup());
		this.smtp.start();
		this.deadLetters = QueueRecorder.consume(topology.deadLetterQueue());
	}

	@AfterEach
	void stopSmtp() throws Exception {
		if (this.smtp.isRunning()) {
			this.smtp.stop();
		}
		this.deadLetters.close();
	}

	@Test
	void anOrderPlacedEndsAsOneMailAndAnEmailSentEventChainedToTheOrder() throws Exception {
		ObjectNode order = OutboxFixtures.example("order.placed");
		OutboxFixtures.insert(topology.schema(), order);

		JsonNode sent = awaitEvent("email.sent", order);
		MimeMessage mail = onlyMailTo("buyer@example.com");
		String body = GreenMailUtil.getBody(mail);
		assertThat(mail.getSubject()).contains("ORD-2025-11-000123").contains("$ 229.98");
		assertThat(body).contains("ORD-2025-11-000123")
			.contains("Product Name")
			.contains("PROD-001-L-BLUE")
			.contains("$ 229.98");
		assertThat(mail.getFrom()[0].toString()).isEqualTo("shop@example.com");
		assertThat(sent.at("/payload/messageId").asText()).isEqualTo(mail.getMessageID());
		assertThat(sent.at("/payload/recipient").asText()).isEqualTo("buyer@example.com");
		assertThat(sent.at("/payload/templateType").asText()).isEqualTo("order_confirmation");
		assertThat(sent.at("/payload/orderNumber").asText()).isEqualTo("ORD-2025-11-000123");
		assertThat(sent.at("/correlationId").asText()).isEqualTo(order.get("correlationId").asText());
		assertThat(sent.at("/aggregateId").asText()).isEqualTo(order.get("aggregateId").asText());
	}

	@Test
	void anOrderCancelledAndAnOrderShippedEachSendTheirMail() throws Exception {
		ObjectNode cancelled = OutboxFixtures.example("order.cancelled");
		((ObjectNode) cancelled.get("payload")).put("userEmail", "cancel@example.com");
		ObjectNode shipped = OutboxFixtures.example("order.shipped");
		((ObjectNode) shipped.get("payload")).put("userEmail", "ship@example.com");
		OutboxFixtures.insert(topology.schema(), cancelled);
		OutboxFixtures.insert(topology.schema(), shipped);

		awaitEvent("email.sent", cancelled);
		awaitEvent("email.sent", shipped);
		MimeMessage cancellation = onlyMailTo("cancel@example.com");
		assertThat(cancellation.getSubject()).contains("cancelled");
		assertThat(GreenMailUtil.getBody(cancellation)).contains("at your request").contains("$ 229.98");
		MimeMessage shipping = onlyMailTo("ship@example.com");
		assertThat(shipping.getSubject()).contains("shipped");
		assertThat(GreenMailUtil.getBody(shipping)).contains("UPS")
			.contains("https://track.example/1Z999AA10123456784");
	}

	@Test
	void ordersInARowShareTheOpenSmtpConnectionsOfTheRoutesAttemptThreads() throws Exception {
		long openedBefore = this.mailer.connectionsOpened();
		List<ObjectNode> orders = new java.util.ArrayList<>();
		for (int i = 0; i < 6; i++) {
			ObjectNode order = OutboxFixtures.example("order.placed");
			((ObjectNode) order.get("payload")).put("userEmail", "row" + i + "@example.com");
			orders.add(order);
			OutboxFixtures.insert(topology.schema(), order);
		}

		for (ObjectNode order : orders) {
			awaitEvent("email.sent", order);
		}
		for (int i = 0; i < 6; i++) {
			onlyMailTo("row" + i + "@example.com");
		}
		// Two attempt threads (hub.consumers.concurrency): one connection each, where
		// a connection per mail would have opened six.
		assertThat(this.mailer.connectionsOpened() - openedBefore).isBetween(1L, 2L);
		// JavaMail's stream provider is named, not looked up on every header.
		assertThat(System.getProperty(SmtpMailer.STREAM_PROVIDER))
			.isEqualTo("org.eclipse.angus.mail.util.MailStreamProvider");
	}

	@Test
	void smtpUnreachableForTwoTriesThenUpSendsOneMailAfterTwoFailedEvents() throws Exception {
		this.smtp.stop();
		ObjectNode order = OutboxFixtures.example("order.placed");
		((ObjectNode) order.get("payload")).put("userEmail", "retry@example.com");
		OutboxFixtures.insert(topology.schema(), order);

		await().atMost(Duration.ofSeconds(20)).until(() -> eventsOf("email.failed", order).size() == 2);
		this.smtp.start();
		JsonNode sent = awaitEvent("email.sent", order);

		List<JsonNode> failed = eventsOf("email.failed", order);
		assertThat(failed).extracting(f -> f.at("/payload/retryAttempt").asInt()).containsExactly(1, 2);
		assertThat(failed).allMatch(f -> f.at("/payload/willRetry").asBoolean());
		assertThat(failed).allMatch(f -> f.at("/payload/maxRetries").asInt() == 3);
		assertThat(failed).allMatch(f -> !f.at("/payload/nextRetryAt").isNull());
		assertThat(failed.get(0).at("/payload/error").asText()).contains("SMTP unavailable");
		onlyMailTo("retry@example.com");
		assertThat(sent.at("/payload/messageId").asText()).isEqualTo(onlyMailTo("retry@example.com").getMessageID());
	}

	@Test
	void aPermanentRejectionIsNotRetriedAndTheRequestIsDeadLettered() throws Exception {
		this.smtp.stop();
		try (RejectingSmtpServer rejecting = RejectingSmtpServer.start(SMTP_PORT)) {
			ObjectNode order = OutboxFixtures.example("order.placed");
			((ObjectNode) order.get("payload")).put("userEmail", "nobody@example.com");
			OutboxFixtures.insert(topology.schema(), order);

			JsonNode failed = awaitEvent("email.failed", order);
			assertThat(failed.at("/payload/willRetry").asBoolean()).isFalse();
			assertThat(failed.at("/payload/nextRetryAt").isNull()).isTrue();
			assertThat(failed.at("/payload/error").asText()).contains("550");
			String requestId = failed.get("causationId").asText();
			await().atMost(Duration.ofSeconds(10))
				.until(() -> !this.deadLetters.receivedOf(List.of(requestId)).isEmpty());
			assertThat(this.deadLetters.receivedOf(List.of(requestId)).get(0).header("x-failed-route"))
				.isEqualTo("email-send");
			await().pollDelay(Duration.ofSeconds(2)).until(() -> true);
			assertThat(rejected(rejecting)).as("not retried").isEqualTo(1);
			assertThat(eventsOf("email.notification-requested", order)).as("no retry request").hasSize(1);
			assertThat(eventsOf("email.failed", order)).hasSize(1);
		}
	}

	@Test
	void smtpDownForEveryRetryGivesThreeRetriesThenTheDeadLetterQueue() throws Exception {
		this.smtp.stop();
		ObjectNode order = OutboxFixtures.example("order.placed");
		((ObjectNode) order.get("payload")).put("userEmail", "down@example.com");
		OutboxFixtures.insert(topology.schema(), order);

		await().atMost(Duration.ofSeconds(30)).until(() -> eventsOf("email.failed", order).size() == 4);
		List<JsonNode> failed = eventsOf("email.failed", order);
		assertThat(failed).extracting(f -> f.at("/payload/retryAttempt").asInt()).containsExactly(1, 2, 3, 4);
		assertThat(failed).extracting(f -> f.at("/payload/willRetry").asBoolean())
			.containsExactly(true, true, true, false);
		String lastRequest = failed.get(3).get("causationId").asText();
		await().atMost(Duration.ofSeconds(10))
			.until(() -> !this.deadLetters.receivedOf(List.of(lastRequest)).isEmpty());
		assertThat(eventsOf("email.notification-requested", order)).hasSize(4);
	}

	@Test
	void theSameOrderPlacedConsumedTwiceSendsOneMail() throws Exception {
		ObjectNode order = OutboxFixtures.example("order.placed");
		((ObjectNode) order.get("payload")).put("userEmail", "twice@example.com");
		try (TestPublisher publisher = TestPublisher.to(topology.exchange())) {
			publisher.publish(order);
			publisher.publish(order);
		}
		awaitEvent("email.sent", order);
		await().pollDelay(Duration.ofSeconds(2)).until(() -> true);
		onlyMailTo("twice@example.com");
		assertThat(eventsOf("email.notification-requested", order)).hasSize(1);
	}

	@Test
	void aRecipientCarryingAnInjectedHeaderIsDeadLetteredAndNoMailIsSent() throws Exception {
		ObjectNode request = OutboxFixtures.example("email.notification-requested");
		((ObjectNode) request.get("payload")).put("recipient", "buyer@example.com\r\nBcc: x@evil.example");
		try (TestPublisher publisher = TestPublisher.to(topology.exchange())) {
			publisher.publish(request);
		}
		String id = request.get("eventId").asText();
		await().atMost(Duration.ofSeconds(10)).until(() -> !this.deadLetters.receivedOf(List.of(id)).isEmpty());
		assertThat(this.deadLetters.receivedOf(List.of(id)).get(0).header("x-failed-route")).isEqualTo("email-send");
		assertThat(this.smtp.getReceivedMessages()).isEmpty();
	}

	/**
	 * The events of a type the hub wrote for an order, oldest first, following the
	 * causation chain.
	 */
	private List<JsonNode> eventsOf(String type, ObjectNode order) {
		return this.jdbc.query("""
				WITH RECURSIVE chain AS (
				    SELECT ?::text AS id
				    UNION
				    SELECT e.event_id::text FROM outbox_event e JOIN chain c ON e.causation_id = c.id)
				SELECT e.event_id, e.event_type, e.aggregate_id, e.correlation_id, e.causation_id, e.payload::text
				FROM outbox_event e JOIN chain c ON e.event_id::text = c.id
				WHERE e.event_type = ? ORDER BY e.id""", (rs, n) -> {
			ObjectNode event = com.ecommerce.eventhub.envelope.EnvelopeJson.mapper().createObjectNode();
			event.put("eventId", rs.getString(1));
			event.put("eventType", rs.getString(2));
			event.put("aggregateId", rs.getString(3));
			event.put("correlationId", rs.getString(4));
			event.put("causationId", rs.getString(5));
			try {
				event.set("payload", com.ecommerce.eventhub.envelope.EnvelopeJson.mapper().readTree(rs.getString(6)));
			}
			catch (IOException ex) {
				throw new IllegalStateException(ex);
			}
			return event;
		}, order.get("eventId").asText(), type);
	}

	private JsonNode awaitEvent(String type, ObjectNode order) {
		await().atMost(Duration.ofSeconds(20)).until(() -> !eventsOf(type, order).isEmpty());
		return eventsOf(type, order).get(0);
	}

	private MimeMessage onlyMailTo(String recipient) throws Exception {
		List<MimeMessage> mails = new java.util.ArrayList<>();
		for (MimeMessage message : this.smtp.getReceivedMessages()) {
			if (recipient.equals(message.getAllRecipients()[0].toString())) {
				mails.add(message);
			}
		}
		assertThat(mails).as("mails to " + recipient).hasSize(1);
		return mails.get(0);
	}

	private static int rejected(RejectingSmtpServer server) {
		return server.rejected();
	}

	/**
	 * SMTP on the test's port; restarting on a port just freed can take longer than
	 * GreenMail's 2 s default.
	 */
	private static ServerSetup smtpSetup() {
		ServerSetup setup = new ServerSetup(SMTP_PORT, "127.0.0.1", ServerSetup.PROTOCOL_SMTP);
		setup.setServerStartupTimeout(15_000);
		return setup;
	}

	private static int freePort() {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
