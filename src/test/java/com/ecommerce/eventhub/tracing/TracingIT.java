package com.ecommerce.eventhub.tracing;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;

import com.ecommerce.eventhub.support.HubHttp;
import com.ecommerce.eventhub.support.HubIntegrationTest;
import com.ecommerce.eventhub.support.OutboxFixtures;
import com.ecommerce.eventhub.support.TestServices;
import com.ecommerce.eventhub.support.TestTopology;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * One trace from the POST to the mail: a client's {@code traceparent} on the ingestion
 * request is continued by the outbox row, the relay's publish, the notification route's
 * attempt, the e-mail request it writes, its publish, the e-mail route's attempt, the
 * SMTP send and the {@code email.sent} event, and the spans reach an OTLP endpoint, the
 * one setting that turned tracing on.
 */
@HubIntegrationTest(
		properties = { "hub.security.api-keys[0].name=shop", "hub.security.api-keys[0].key=" + TracingIT.KEY,
				"hub.security.api-keys[0].event-types=order.*", "hub.mail.from=shop@example.com" })
@AutoConfigureObservability
class TracingIT {

	static final String KEY = "tracing-test-key-0123456789";

	static final TestTopology topology = TestTopology.of(TracingIT.class);

	static final int SMTP_PORT = freePort();

	static final OtlpCollector collector = OtlpCollector.start();

	@DynamicPropertySource
	static void hubProperties(DynamicPropertyRegistry registry) {
		registry.add("hub.mail.host", () -> "127.0.0.1");
		registry.add("hub.mail.port", () -> SMTP_PORT);
		registry.add("management.otlp.tracing.endpoint", collector::url);
	}

	@TestConfiguration(proxyBeanMethods = false)
	static class Spans {

		/** Every finished span, besides the OTLP export. */
		@Bean
		InMemorySpanExporter spans() {
			return InMemorySpanExporter.create();
		}

	}

	@Autowired
	InMemorySpanExporter spans;

	@Autowired
	JdbcTemplate jdbc;

	@LocalServerPort
	int port;

	@AfterAll
	static void stopCollector() {
		collector.stop();
	}

	@Test
	void oneTraceRunsFromThePostToTheMailAndItsEmailSentEvent() throws Exception {
		String traceId = UUID.randomUUID().toString().replace("-", "");
		String clientSpan = traceId.substring(0, 16);
		ObjectNode order = OutboxFixtures.example("order.placed");
		String eventId = UUID.randomUUID().toString();
		order.put("eventId", eventId);
		order.put("correlationId", UUID.randomUUID().toString());
		GreenMail smtp = new GreenMail(new ServerSetup(SMTP_PORT, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
		smtp.start();
		try {
			HubHttp http = new HubHttp(this.port);
			int status = http
				.send("/api/v1/events",
						request -> request.header("X-API-Key", KEY)
							.header("Content-Type", "application/json")
							.header("traceparent", "00-" + traceId + "-" + clientSpan + "-01")
							.POST(java.net.http.HttpRequest.BodyPublishers.ofString(order.toString())))
				.statusCode();
			assertThat(status).isEqualTo(202);
			await().atMost(Duration.ofSeconds(60)).until(() -> smtp.getReceivedMessages().length == 1);
		}
		finally {
			smtp.stop();
		}
		// Written after the mail went out.
		String emailSent = await().atMost(Duration.ofSeconds(30))
			.until(() -> this.jdbc.queryForList(
					"SELECT event_id::text FROM " + topology.schema() + ".outbox_event WHERE event_type = 'email.sent'",
					String.class), rows -> rows.size() == 1)
			.get(0);

		Map<String, SpanData> trace = await().atMost(Duration.ofSeconds(60))
			.until(() -> byName(traceId), spans -> spans.containsKey("publish email.sent"));
		assertThat(trace).containsKeys("publish order.placed", "attempt notification-order-events",
				"publish email.notification-requested", "attempt email-send", "smtp send");

		SpanData server = this.spans.getFinishedSpanItems()
			.stream()
			.filter(span -> span.getTraceId().equals(traceId) && span.getKind() == SpanKind.SERVER)
			.findFirst()
			.orElseThrow();
		assertThat(server.getParentSpanId()).as("the POST continues the client's trace").isEqualTo(clientSpan);
		assertThat(trace.get("publish order.placed").getParentSpanId()).isEqualTo(server.getSpanId());
		assertThat(trace.get("publish order.placed").getKind()).isEqualTo(SpanKind.PRODUCER);
		assertThat(trace.get("attempt notification-order-events").getParentSpanId())
			.isEqualTo(trace.get("publish order.placed").getSpanId());
		assertThat(trace.get("attempt notification-order-events").getKind()).isEqualTo(SpanKind.CONSUMER);
		assertThat(trace.get("publish email.notification-requested").getParentSpanId())
			.isEqualTo(trace.get("attempt notification-order-events").getSpanId());
		assertThat(trace.get("attempt email-send").getParentSpanId())
			.isEqualTo(trace.get("publish email.notification-requested").getSpanId());
		assertThat(trace.get("smtp send").getParentSpanId()).isEqualTo(trace.get("attempt email-send").getSpanId());
		assertThat(trace.get("publish email.sent").getParentSpanId())
			.isEqualTo(trace.get("attempt email-send").getSpanId());

		assertThat(attribute(trace.get("publish order.placed"), "eventId")).isEqualTo(eventId);
		assertThat(attribute(trace.get("publish order.placed"), "eventType")).isEqualTo("order.placed");
		assertThat(attribute(trace.get("publish order.placed"), "correlationId"))
			.isEqualTo(order.get("correlationId").asText());
		assertThat(attribute(trace.get("attempt notification-order-events"), "eventId")).isEqualTo(eventId);
		assertThat(attribute(trace.get("attempt notification-order-events"), "correlationId"))
			.isEqualTo(order.get("correlationId").asText());
		assertThat(attribute(trace.get("publish email.sent"), "eventId")).isEqualTo(emailSent);
		assertThat(attribute(trace.get("publish email.sent"), "eventType")).isEqualTo("email.sent");

		List<String> rowTraces = this.jdbc.queryForList(
				"SELECT split_part(traceparent, '-', 2) FROM " + topology.schema()
						+ ".outbox_event WHERE correlation_id = ? ORDER BY id",
				String.class, order.get("correlationId").asText());
		assertThat(rowTraces).as("every row of the chain keeps the trace").hasSize(3).containsOnly(traceId);
		await().atMost(Duration.ofSeconds(30))
			.untilAsserted(() -> assertThat(collector.exports()).as("spans exported over OTLP").isPositive());
	}

	@Test
	void aTraceparentAProducerWroteIsContinuedByTheRelay() throws Exception {
		String traceId = UUID.randomUUID().toString().replace("-", "");
		ObjectNode order = OutboxFixtures.example("order.status-changed");
		order.put("eventId", UUID.randomUUID().toString());
		// The row and its traceparent in one transaction, as a producer writes them: the
		// relay wakes on the commit and must never see the row without it.
		try (Connection producer = TestServices.jdbc()) {
			producer.setAutoCommit(false);
			long id = OutboxFixtures.insert(producer, topology.schema(), order);
			try (PreparedStatement update = producer
				.prepareStatement("UPDATE " + topology.schema() + ".outbox_event SET traceparent = ? WHERE id = ?")) {
				update.setString(1, "00-" + traceId + "-" + traceId.substring(16) + "-01");
				update.setLong(2, id);
				update.executeUpdate();
			}
			producer.commit();
		}
		await().atMost(Duration.ofSeconds(30)).until(() -> byName(traceId).containsKey("publish order.status-changed"));
		assertThat(byName(traceId).get("publish order.status-changed").getParentSpanId())
			.isEqualTo(traceId.substring(16));
	}

	private Map<String, SpanData> byName(String traceId) {
		return this.spans.getFinishedSpanItems()
			.stream()
			.filter(span -> span.getTraceId().equals(traceId))
			.collect(Collectors.toMap(SpanData::getName, Function.identity(), (first, second) -> first));
	}

	private static String attribute(SpanData span, String key) {
		return span.getAttributes().get(AttributeKey.stringKey(key));
	}

	private static int freePort() {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/** An OTLP/HTTP endpoint that takes every export and counts them. */
	static final class OtlpCollector {

		private final HttpServer server;

		private final AtomicInteger exports = new AtomicInteger();

		private OtlpCollector(HttpServer server) {
			this.server = server;
		}

		static OtlpCollector start() {
			try {
				HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
				OtlpCollector collector = new OtlpCollector(server);
				server.createContext("/v1/traces", exchange -> {
					try (exchange; InputStream in = exchange.getRequestBody()) {
						if (in.readAllBytes().length > 0 && "POST".equals(exchange.getRequestMethod())) {
							collector.exports.incrementAndGet();
						}
						exchange.sendResponseHeaders(200, -1);
					}
				});
				server.start();
				return collector;
			}
			catch (IOException ex) {
				throw new IllegalStateException(ex);
			}
		}

		String url() {
			return "http://127.0.0.1:" + this.server.getAddress().getPort() + "/v1/traces";
		}

		int exports() {
			return this.exports.get();
		}

		void stop() {
			this.server.stop(0);
		}

	}

}
