package com.ecommerce.eventhub.email;

import java.time.Duration;
import java.util.List;

import com.ecommerce.eventhub.support.HubIntegrationTest;
import com.ecommerce.eventhub.support.SilentSmtpServer;
import com.ecommerce.eventhub.support.TestTopology;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The ambiguous send under the default policy, at-least-once: the mail is sent again,
 * with the same Message-ID (derived from its request's eventId), so the copies are
 * recognisably one mail, and {@code email.sent} is written exactly once.
 */
@HubIntegrationTest(webEnvironment = WebEnvironment.NONE,
		properties = { "hub.mail.from=shop@example.com", "hub.mail.connection-timeout=30s",
				"hub.consumers.routes.email-send.attempt-timeout=2s",
				"hub.consumers.routes.email-send.initial-delay=200ms", "hub.consumers.routes.email-send.max-delay=1s",
				"hub.consumers.routes.email-send.maximum-attempts=10" })
class AmbiguousSendIT {

	static final TestTopology topology = TestTopology.of(AmbiguousSendIT.class);

	static final int SMTP_PORT = AmbiguousSend.freePort();

	@DynamicPropertySource
	static void hubProperties(DynamicPropertyRegistry registry) {
		registry.add("hub.mail.host", () -> "127.0.0.1");
		registry.add("hub.mail.port", () -> SMTP_PORT);
	}

	@Autowired
	JdbcTemplate jdbc;

	@Test
	void theMailIsSentAgainWithTheSameMessageIdAndEmailSentIsWrittenOnce() throws Exception {
		try (SilentSmtpServer smtp = SilentSmtpServer.start(SMTP_PORT, 1)) {
			String request = AmbiguousSend.placeOrder(topology, this.jdbc);
			List<JsonNode> sent = await().atMost(Duration.ofSeconds(60))
				.until(() -> emailSent(), rows -> !rows.isEmpty());
			String messageId = "<" + request + "@example.com>";
			assertThat(smtp.received()).as("the unanswered send and the repeated one").hasSize(2);
			assertThat(smtp.received().stream().map(AmbiguousSend::messageIdOf)).containsOnly(messageId);
			assertThat(smtp.accepted()).hasSize(1);
			assertThat(sent).hasSize(1);
			assertThat(sent.get(0).path("messageId").asText()).isEqualTo(messageId);
			// Nothing more happens: no third send, still one email.sent.
			Thread.sleep(3000);
			assertThat(smtp.received()).hasSize(2);
			assertThat(emailSent()).hasSize(1);
		}
	}

	private List<JsonNode> emailSent() {
		return this.jdbc
			.queryForList(
					"SELECT payload::text FROM " + topology.schema() + ".outbox_event WHERE event_type = 'email.sent'",
					String.class)
			.stream()
			.map(json -> {
				try {
					return com.ecommerce.eventhub.envelope.EnvelopeJson.mapper().readTree(json);
				}
				catch (java.io.IOException ex) {
					throw new IllegalStateException(ex);
				}
			})
			.toList();
	}

}
