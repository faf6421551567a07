package com.ecommerce.eventhub.email;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.ecommerce.eventhub.support.HubHttp;
import com.ecommerce.eventhub.support.HubIntegrationTest;
import com.ecommerce.eventhub.support.OutboxFixtures;
import com.ecommerce.eventhub.support.QueueRecorder;
import com.ecommerce.eventhub.support.TestTopology;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The SMTP server is down for 60 s while 300 orders are placed, then comes back on the
 * same port (GreenMail): route {@code email-send}'s circuit breaker opens after a few
 * failed sends, the requests wait instead of using up their attempts or being scheduled
 * minutes ahead, and once a probe finds the server back every order gets exactly one mail
 * within a minute. The hub runs with the shipped settings: 5 failures open the breaker, a
 * probe every 5 s, 5 quick attempts per request.
 */
@HubIntegrationTest(properties = { "hub.mail.from=shop@example.com", "hub.security.api-keys[0].name=operator",
		"hub.security.api-keys[0].key=" + SmtpOutageIT.ADMIN_KEY, "hub.security.api-keys[0].admin=true" })
@AutoConfigureObservability(tracing = false)
class SmtpOutageIT {

	private static final Logger log = LoggerFactory.getLogger(SmtpOutageIT.class);

	static final String ADMIN_KEY = "outage-admin-key-0123456789";

	static final TestTopology topology = TestTopology.of(SmtpOutageIT.class);

	static final int SMTP_PORT = freePort();

	static final int ORDERS = 300;

	static final Duration OUTAGE = Duration.ofSeconds(60);

	/** The shipped {@code hub.consumers.breaker.failures}. */
	static final int BREAKER_FAILURES = 5;

	@DynamicPropertySource
	static void hubProperties(DynamicPropertyRegistry registry) {
		registry.add("hub.mail.host", () -> "127.0.0.1");
		registry.add("hub.mail.port", () -> SMTP_PORT);
	}

	@LocalServerPort
	int port;

	@Autowired
	JdbcTemplate jdbc;

	@Autowired
	MeterRegistry meters;

	GreenMail smtp;

	@AfterEach
	void stopSmtp() {
		if (this.smtp != null) {
			this.smtp.stop();
		}
	}

	@Test
	void theBreakerOpensDuringAnSmtpOutageAndEveryOrderGetsOneMailSoonAfterTheServerIsBack() throws Exception {
		HubHttp http = new HubHttp(this.port);
		long outageStarted = System.nanoTime();
		try (QueueRecorder deadLetters = QueueRecorder.consume(topology.deadLetterQueue())) {
			// SMTP is down (nothing listens on its port) while the orders arrive, 30
			// every
			// 4 s.
			List<String> recipients = new ArrayList<>();
			for (int batch = 0; batch < 10; batch++) {
				for (int i = 0; i < ORDERS / 10; i++) {
					recipients.add(placeOrder(batch * (ORDERS / 10) + i));
				}
				await().pollDelay(Duration.ofSeconds(4)).until(() -> true);
			}

			// The route's breaker is open: on the health component, and on the scrape. It
			// is half-open for a moment every probe interval (5 s), so all of it is read
			// again until one reading falls within an open period (a busy machine can
			// take longer than that between the first and the last request).
			await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
				JsonNode breaker = breakerHealth(http);
				assertThat(breaker.at("/details/email-send/state").asText()).isEqualTo("OPEN");
				assertThat(breaker.get("status").asText()).isEqualTo("DEGRADED");
				assertThat(breaker.at("/details/email-send/waiting").asInt()).as("requests waiting").isPositive();
				assertThat(HubHttp.json(http.get("/actuator/health", null)).get("status").asText())
					.isEqualTo("DEGRADED");
				assertThat(HubHttp.json(http.get("/actuator/health/readiness", null)).get("status").asText())
					.as("messages just wait: still ready")
					.isEqualTo("UP");
				assertThat(scrape(http))
					.contains("resilience4j_circuitbreaker_state{name=\"email-send\",state=\"open\"} 1.0");
			});
			assertThat(this.meters.get("eventhub.consumer.failed").tag("route", "email-send").counter().count())
				.as("the sends that opened the breaker")
				.isBetween(1.0, BREAKER_FAILURES + 2.0);

			// SMTP comes back on the same port after 60 s.
			Duration left = OUTAGE.minus(Duration.ofNanos(System.nanoTime() - outageStarted));
			if (left.toMillis() > 100) {
				await().pollDelay(left).atMost(left.plusSeconds(1)).until(() -> true);
			}
			this.smtp = new GreenMail(smtpSetup());
			this.smtp.start();
			long back = System.nanoTime();

			await().atMost(Duration.ofSeconds(60)).until(() -> mailsByRecipient().size() == ORDERS);
			Duration recovery = Duration.ofNanos(System.nanoTime() - back);
			log.info("All {} orders mailed {} ms after the SMTP server came back", ORDERS, recovery.toMillis());
			// Any second mail would arrive right behind the first.
			await().pollDelay(Duration.ofSeconds(3)).until(() -> true);

			Map<String, Integer> mails = mailsByRecipient();
			assertThat(mails.keySet()).as("every order mailed, within 60 s of the server's return (took %s)", recovery)
				.containsExactlyInAnyOrderElementsOf(recipients);
			assertThat(mails.values()).as("exactly one mail per order").allMatch(count -> count == 1);
			assertThat(this.smtp.getReceivedMessages()).hasSize(ORDERS);
			Map<String, Object> sent = this.jdbc.queryForMap("""
					SELECT count(*) AS events, count(DISTINCT payload->>'orderNumber') AS orders
					FROM outbox_event WHERE event_type = 'email.sent'""");
			assertThat(((Number) sent.get("events")).intValue()).as("one email.sent per request").isEqualTo(ORDERS);
			assertThat(((Number) sent.get("orders")).intValue()).isEqualTo(ORDERS);

			assertThat(this.meters.get("eventhub.consumer.failed").tag("route", "email-send").counter().count())
				.as("only the sends before the breaker opened count as failed attempts; waiting and probing do not")
				.isBetween(1.0, BREAKER_FAILURES + 2.0);
			assertThat(this.jdbc.queryForObject(
					"SELECT count(*) FROM outbox_event WHERE event_type = 'email.failed' AND payload->>'willRetry' = 'false'",
					Long.class))
				.as("no request given up")
				.isZero();
			assertThat(this.jdbc.queryForObject("SELECT count(*) FROM outbox_event WHERE event_type = 'email.failed'",
					Long.class))
				.as("no request fell back to the retry minutes later: they waited for the server")
				.isZero();
			assertThat(deadLetters.received()).as("nothing dead-lettered").isEmpty();

			// Closed again.
			JsonNode closed = breakerHealth(http);
			assertThat(closed.get("status").asText()).isEqualTo("UP");
			assertThat(closed.at("/details/email-send/state").asText()).isEqualTo("CLOSED");
			assertThat(closed.at("/details/email-send/waiting").asInt()).isZero();
			assertThat(scrape(http))
				.contains("resilience4j_circuitbreaker_state{name=\"email-send\",state=\"closed\"} 1.0");
		}
	}

	/** Places an order of its own (order number, recipient) through the outbox. */
	private static String placeOrder(int number) throws Exception {
		ObjectNode order = OutboxFixtures.example("order.placed");
		order.put("aggregateId", java.util.UUID.randomUUID().toString());
		ObjectNode payload = (ObjectNode) order.get("payload");
		String recipient = "buyer-%03d@example.com".formatted(number);
		payload.put("orderNumber", "ORD-OUTAGE-%03d".formatted(number));
		payload.put("userEmail", recipient);
		OutboxFixtures.insert(topology.schema(), order);
		return recipient;
	}

	private JsonNode breakerHealth(HubHttp http) throws Exception {
		HttpResponse<String> health = http.get("/actuator/health", ADMIN_KEY);
		assertThat(health.statusCode()).as("DEGRADED still answers 200").isEqualTo(200);
		return HubHttp.json(health).at("/components/breakers");
	}

	private static String scrape(HubHttp http) throws Exception {
		return http.get("/actuator/prometheus", null).body();
	}

	private Map<String, Integer> mailsByRecipient() throws Exception {
		Map<String, Integer> mails = new TreeMap<>();
		for (MimeMessage message : this.smtp.getReceivedMessages()) {
			mails.merge(message.getAllRecipients()[0].toString(), 1, Integer::sum);
		}
		return mails;
	}

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
