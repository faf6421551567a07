package com.ecommerce.eventhub.ops;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.ecommerce.eventhub.support.HubHttp;
import com.ecommerce.eventhub.support.HubIntegrationTest;
import com.ecommerce.eventhub.support.OutboxFixtures;
import com.ecommerce.eventhub.support.TestTopology;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Observability of a running hub: every metric README.md lists is on /actuator/prometheus
 * after a small run, and the log lines of an event's path carry its correlationId but no
 * e-mail address.
 */
@HubIntegrationTest(properties = { "logging.level.com.ecommerce.eventhub=DEBUG", "hub.ops.metrics-interval=200ms",
		"hub.ops.dead-letter-check-interval=200ms", "hub.mail.port=1", "hub.mail.retry.initial-delay=1h",
		// Each send fails at once into email.failed: one attempt, no circuit breaker to
		// wait for SMTP.
		"hub.consumers.routes.email-send.maximum-attempts=1", "hub.consumers.routes.email-send.breaker-failures=0",
		"hub.security.api-keys[0].name=erp", "hub.security.api-keys[0].key=" + OperationsIT.KEY,
		"hub.security.api-keys[0].event-types=*" })
@AutoConfigureObservability(tracing = false)
@ExtendWith(OutputCaptureExtension.class)
class OperationsIT {

	static final String KEY = "erp-key-0123456789abcdef";

	static final TestTopology topology = TestTopology.of(OperationsIT.class);

	@LocalServerPort
	int port;

	@Autowired
	JdbcTemplate jdbc;

	@Test
	void everyMetricTheReadmeListsIsExposed(CapturedOutput output) throws Exception {
		// A small run touching every capability: an order (relay, notification, e-mail
		// failing: SMTP
		// port 1), an invalid row (dead letter), a post (ingestion).
		ObjectNode order = OutboxFixtures.example("order.placed");
		OutboxFixtures.insert(topology.schema(), order);
		ObjectNode invalid = OutboxFixtures.example("product.created");
		((ObjectNode) invalid.get("payload")).remove("sku");
		OutboxFixtures.insert(topology.schema(), invalid);
		HubHttp http = new HubHttp(this.port);
		http.post("/api/v1/events", KEY, "application/json", OutboxFixtures.example("order.status-changed").toString());
		await().atMost(Duration.ofSeconds(20))
			.until(() -> this.jdbc.queryForObject("SELECT count(*) FROM outbox_event WHERE event_type = 'email.failed'",
					Integer.class) >= 1);

		List<String> documented = readmeMetrics();
		assertThat(documented).hasSizeGreaterThanOrEqualTo(15);
		String scrape = http.get("/actuator/prometheus", null).body();
		for (String metric : documented) {
			assertThat(scrape).as(metric).containsPattern("(?m)^" + Pattern.quote(metric) + "(_count|_sum|_max)?[{ ]");
		}
		assertThat(value(scrape, "eventhub_relay_published_total")).isGreaterThanOrEqualTo(1);
		assertThat(value(scrape, "eventhub_dead_letters_total")).isGreaterThanOrEqualTo(1);
		assertThat(value(scrape, "eventhub_email_failed_total")).isGreaterThanOrEqualTo(1);
		assertThat(value(scrape, "eventhub_ingestion_requests_total")).isGreaterThanOrEqualTo(1);
		assertThat(value(scrape, "eventhub_outbox_pending")).isGreaterThanOrEqualTo(0);
		assertThat(value(scrape, "eventhub_relay_lag_seconds")).isGreaterThanOrEqualTo(0);
	}

	@Test
	void theLogLinesOfAnEventsPathCarryItsCorrelationIdAndNoEmailAddress(CapturedOutput output) {
		ObjectNode order = OutboxFixtures.example("order.placed");
		String correlationId = "corr-" + order.get("eventId").asText();
		order.put("correlationId", correlationId);
		((ObjectNode) order.get("payload")).put("userEmail", "private.buyer@example.com");
		try {
			OutboxFixtures.insert(topology.schema(), order);
		}
		catch (java.sql.SQLException ex) {
			throw new IllegalStateException(ex);
		}
		await().atMost(Duration.ofSeconds(20))
			.until(() -> this.jdbc.queryForObject(
					"SELECT count(*) FROM outbox_event WHERE event_type = 'email.failed' AND correlation_id = ?",
					Integer.class, correlationId) >= 1);
		await().atMost(Duration.ofSeconds(5))
			.until(() -> lines(output, correlationId).stream()
				.anyMatch(line -> line.contains("email.notification-requested")));

		List<String> lines = lines(output, correlationId);
		assertThat(lines).anyMatch(line -> line.contains("PUBLISHED") && line.contains("order.placed"));
		assertThat(lines).anyMatch(line -> line.contains("handled event") && line.contains("order.placed"));
		assertThat(lines).anyMatch(line -> line.contains("email.notification-requested"));
		for (String line : output.getAll().lines().toList()) {
			if (line.matches(".*\\s(INFO|WARN|ERROR)\\s.*")) {
				assertThat(line).as("INFO and above never name an address").doesNotContain("private.buyer@example.com");
			}
		}
	}

	private static List<String> lines(CapturedOutput output, String text) {
		return output.getAll().lines().filter(line -> line.contains(text)).toList();
	}

	/**
	 * The metric names of README.md's metrics table (section "Metrics"), e.g.
	 * eventhub_relay_lag_seconds.
	 */
	private static List<String> readmeMetrics() throws Exception {
		String readme = Files.readString(Path.of("README.md"));
		int start = readme.indexOf("### Metrics");
		int end = readme.indexOf("\n### ", start + 5);
		Matcher matcher = Pattern.compile("^\\| `(eventhub_[a-z_]+)`", Pattern.MULTILINE)
			.matcher(readme.substring(start, end));
		List<String> names = new ArrayList<>();
		while (matcher.find()) {
			names.add(matcher.group(1));
		}
		return names;
	}

	private static double value(String scrape, String metric) {
		return scrape.lines()
			.filter(line -> line.startsWith(metric + "{") || line.startsWith(metric + " "))
			.mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
			.sum();
	}

}
