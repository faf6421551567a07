package com.ecommerce.eventhub.email;

import java.time.Duration;

import com.ecommerce.eventhub.support.HubIntegrationTest;
import com.ecommerce.eventhub.support.QueueRecorder;
import com.ecommerce.eventhub.support.SilentSmtpServer;
import com.ecommerce.eventhub.support.TestTopology;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The ambiguous send with {@code hub.consumers.routes.email-send.side-effects:
 * at-most-once}: the mail is not sent again; the request is dead-lettered for a person,
 * saying why, and no {@code email.sent} is written.
 */
@HubIntegrationTest(webEnvironment = WebEnvironment.NONE,
		properties = { "hub.mail.from=shop@example.com", "hub.mail.connection-timeout=30s",
				"hub.consumers.routes.email-send.attempt-timeout=2s",
				"hub.consumers.routes.email-send.initial-delay=200ms", "hub.consumers.routes.email-send.max-delay=1s",
				"hub.consumers.routes.email-send.maximum-attempts=10",
				"hub.consumers.routes.email-send.side-effects=at-most-once" })
class AmbiguousSendAtMostOnceIT {

	static final TestTopology topology = TestTopology.of(AmbiguousSendAtMostOnceIT.class);

	static final int SMTP_PORT = AmbiguousSend.freePort();

	@DynamicPropertySource
	static void hubProperties(DynamicPropertyRegistry registry) {
		registry.add("hub.mail.host", () -> "127.0.0.1");
		registry.add("hub.mail.port", () -> SMTP_PORT);
	}

	@Autowired
	JdbcTemplate jdbc;

	@Test
	void theMailIsNotSentAgainAndTheRequestIsDeadLetteredForAPerson() throws Exception {
		try (SilentSmtpServer smtp = SilentSmtpServer.start(SMTP_PORT, 1);
				QueueRecorder deadLetters = QueueRecorder.consume(topology.deadLetterQueue())) {
			String request = AmbiguousSend.placeOrder(topology, this.jdbc);
			await().atMost(Duration.ofSeconds(60)).until(() -> deadLetters.count() == 1);
			QueueRecorder.Received deadLetter = deadLetters.received().get(0);
			assertThat(deadLetter.properties().getMessageId()).isEqualTo(request);
			assertThat(deadLetter.header("x-failed-route")).isEqualTo("email-send");
			assertThat(deadLetter.header("x-exception-message")).contains("without an outcome");
			assertThat(smtp.received()).as("sent once, never again").hasSize(1);
			assertThat(AmbiguousSend.messageIdOf(smtp.received().get(0))).isEqualTo("<" + request + "@example.com>");
			assertThat(this.jdbc.queryForObject(
					"SELECT count(*) FROM " + topology.schema() + ".outbox_event WHERE event_type = 'email.sent'",
					Long.class))
				.isZero();
		}
	}

}
