package com.ecommerce.eventhub.web;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.zip.GZIPOutputStream;

import com.ecommerce.eventhub.support.HubHttp;
import com.ecommerce.eventhub.support.HubIntegrationTest;
import com.ecommerce.eventhub.support.OutboxFixtures;
import com.ecommerce.eventhub.support.RawHttp;
import com.ecommerce.eventhub.support.TestTopology;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Requests as an attacker sends them, authenticated or not, on every path: bodies where
 * none is taken, bodies over a limit whose bytes never come, compressed bodies, invented
 * method names, and the health endpoints without a key. Each is answered at once and
 * nothing is stored.
 */
@HubIntegrationTest(
		properties = { "hub.security.api-keys[0].name=erp", "hub.security.api-keys[0].key=" + HostileRequestsIT.ERP_KEY,
				"hub.security.api-keys[0].event-types=order.status-changed", "hub.security.api-keys[1].name=operator",
				"hub.security.api-keys[1].key=" + HostileRequestsIT.ADMIN_KEY, "hub.security.api-keys[1].admin=true",
				"hub.relay.enabled=false" })
@AutoConfigureObservability(tracing = false)
class HostileRequestsIT {

	static final String ERP_KEY = "hostile-erp-key-0123456789";

	static final String ADMIN_KEY = "hostile-admin-key-0123456789";

	static final TestTopology topology = TestTopology.of(HostileRequestsIT.class);

	@LocalServerPort
	int port;

	@Autowired
	JdbcTemplate jdbc;

	HubHttp http;

	@BeforeEach
	void client() {
		this.http = new HubHttp(this.port);
	}

	/**
	 * A 40 MB body is declared and never sent: an endpoint that read it first would wait
	 * for it. Every answer comes at once, so nothing was read.
	 */
	@Test
	void aBodyWhereNoneIsTakenIsRefusedBeforeAByteIsRead() throws Exception {
		List<String> heads = List.of("PUT /anything HTTP/1.1", "PUT /api/v1/events HTTP/1.1",
				"DELETE /api/v1/events HTTP/1.1", "POST /actuator/health HTTP/1.1",
				"GET /api/v1/events/" + UUID.randomUUID() + " HTTP/1.1",
				"POST /api/v1/routes/outbox-relay-0/stop HTTP/1.1", "PATCH /openapi.yaml HTTP/1.1");
		for (String head : heads) {
			for (String key : new String[] { null, ADMIN_KEY }) {
				String request = head + "\r\nHost: hub\r\nContent-Type: application/x-www-form-urlencoded\r\n"
						+ "Content-Length: 41943040" + ((key != null) ? "\r\nX-API-Key: " + key : "");
				int status = RawHttp.status(this.port, request, new byte[0], 5000);
				// Without a key a protected path answers 401 before anything else; either
				// way at once.
				assertThat(status).as(head + " with key " + key).isIn((key == null) ? List.of(401, 413) : List.of(413));
			}
		}
	}

	@Test
	void anOversizedBodyIsRefusedOnTheEndpointsThatTakeOne() throws Exception {
		long rows = rows();
		// Declared over the limit: refused without reading.
		assertThat(
				RawHttp.status(this.port,
						"POST /api/v1/events HTTP/1.1\r\nHost: hub\r\nContent-Type: application/json\r\n"
								+ "Content-Length: 41943040\r\nX-API-Key: " + ERP_KEY,
						new byte[0], 5000))
			.isEqualTo(413);
		assertThat(RawHttp.status(this.port,
				"POST /api/v1/dead-letters/replay HTTP/1.1\r\nHost: hub\r\n"
						+ "Content-Type: application/json\r\nContent-Length: 12582912\r\nX-API-Key: " + ADMIN_KEY,
				new byte[0], 5000))
			.as("an operations endpoint has a small limit of its own")
			.isEqualTo(413);
		// Chunked, without a length: refused at the first byte past the limit (64 KB for
		// operations).
		byte[] seventyKilobytes = ("{\"eventId\": \"" + "x".repeat(70_000) + "\"}").getBytes(StandardCharsets.UTF_8);
		HttpResponse<String> chunked = this.http.send("/api/v1/dead-letters/discard",
				r -> r.header("X-API-Key", ADMIN_KEY)
					.header("Content-Type", "application/json")
					.POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(seventyKilobytes))));
		assertThat(chunked.statusCode()).isEqualTo(413);
		// Within the limit it works.
		assertThat(this.http
			.post("/api/v1/dead-letters/discard", ADMIN_KEY, "application/json",
					"{\"eventId\": \"" + UUID.randomUUID() + "\"}")
			.statusCode()).isEqualTo(200);
		assertThat(rows()).isEqualTo(rows);
	}

	/**
	 * An anonymous request whose declared body never comes: the server closes the
	 * connection after its answer instead of waiting for the body until its connection
	 * timeout (20 s), holding a thread meanwhile (a few hundred such connections took
	 * every thread). A keyed caller's body that is too large is still read and discarded,
	 * so that its client reads the 413 (IngestionIT).
	 */
	@Test
	void anAnonymousBodyThatNeverComesIsNotWaitedFor() throws Exception {
		List<String> heads = List.of(
				"POST /api/v1/events HTTP/1.1\r\nHost: hub\r\nContent-Type: application/json\r\nContent-Length: 1000",
				"POST /actuator/health HTTP/1.1\r\nHost: hub\r\nContent-Type: application/json\r\n"
						+ "Content-Length: 5000000",
				"POST /console/dead-letters HTTP/1.1\r\nHost: hub\r\n"
						+ "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000");
		for (String head : heads) {
			RawHttp.Answer answer = RawHttp.answerWithoutBody(this.port, head, 10_000);
			assertThat(answer.status()).as(head).isIn(401, 413);
			assertThat(answer.closed()).as("closed after the answer: " + head).isTrue();
			assertThat(answer.text()).as("the hub's problem, not an error page").contains("application/problem+json");
		}
	}

	/**
	 * Anonymous sign-in posts that trickle in hold only the anonymous budget: a keyed
	 * caller's event is still read and accepted. The shared budget is 32 reads, so 40
	 * slow sign-ins took it all and ingestion answered 503.
	 */
	@Test
	void slowSignInPostsDoNotTakeTheReadsOfKeyedCallers() throws Exception {
		List<Socket> slow = new ArrayList<>();
		try {
			for (int i = 0; i < 40; i++) {
				Socket socket = new Socket("127.0.0.1", this.port);
				socket.getOutputStream()
					.write(("POST /console/sign-in HTTP/1.1\r\nHost: hub\r\n"
							+ "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\napiKey=")
						.getBytes(StandardCharsets.ISO_8859_1));
				socket.getOutputStream().flush();
				slow.add(socket);
			}
			// Once they are being read, a sign-in that sends its whole body finds no read
			// left.
			byte[] form = "apiKey=x".getBytes(StandardCharsets.ISO_8859_1);
			await().atMost(Duration.ofSeconds(30))
				.until(() -> RawHttp.status(this.port,
						"POST /console/sign-in HTTP/1.1\r\nHost: hub\r\n"
								+ "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: " + form.length,
						form, 5000) == 503);
			ObjectNode event = OutboxFixtures.example("order.status-changed");
			HttpResponse<String> accepted = this.http.post("/api/v1/events", ERP_KEY, "application/json",
					event.toString());
			assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
		}
		finally {
			for (Socket socket : slow) {
				socket.close();
			}
		}
	}

	/**
	 * JSON is UTF-8: a body with a malformed sequence is refused, not stored with U+FFFD
	 * in place of what its sender wrote.
	 */
	@Test
	void aBodyThatIsNotUtf8IsRefused() throws Exception {
		long rows = rows();
		ObjectNode event = OutboxFixtures.example("order.status-changed");
		event.put("aggregateId", "order-@@");
		byte[] utf8 = event.toString().getBytes(StandardCharsets.UTF_8);
		String text = new String(utf8, StandardCharsets.ISO_8859_1);
		for (String malformed : List.of("\u00c3(", "\u00ff\u00fe", "\u00c0\u00af", "\u00ed\u00a0\u0080")) {
			byte[] body = text.replace("@@", malformed).getBytes(StandardCharsets.ISO_8859_1);
			HttpResponse<String> answer = this.http.send("/api/v1/events",
					r -> r.header("X-API-Key", ERP_KEY)
						.header("Content-Type", "application/json")
						.POST(HttpRequest.BodyPublishers.ofByteArray(body)));
			assertThat(answer.statusCode()).as(malformed).isEqualTo(400);
			assertThat(answer.body()).contains("UTF-8");
		}
		assertThat(rows()).isEqualTo(rows);
	}

	@Test
	void aSecondContentEncodingHeaderIsRefusedToo() throws Exception {
		assertThat(RawHttp.status(this.port,
				"POST /api/v1/events HTTP/1.1\r\nHost: hub\r\nContent-Type: application/json"
						+ "\r\nContent-Encoding: identity\r\nContent-Encoding: gzip\r\nContent-Length: 2\r\nX-API-Key: "
						+ ERP_KEY,
				"{}".getBytes(StandardCharsets.UTF_8), 5000))
			.isEqualTo(415);
	}

	@Test
	void anAnonymousBodyIsNotReadAtAll() throws Exception {
		// No Expect: 100-continue answer, no reading: a 401 at once, with the connection
		// closed.
		assertThat(
				RawHttp.status(this.port,
						"POST /api/v1/events HTTP/1.1\r\nHost: hub\r\nContent-Type: application/json"
								+ "\r\nExpect: 100-continue\r\nTransfer-Encoding: chunked",
						new byte[0], 5000))
			.isEqualTo(401);
	}

	@Test
	void aCompressedBodyIsRefusedWith415() throws Exception {
		long rows = rows();
		ByteArrayOutputStream zipped = new ByteArrayOutputStream();
		try (GZIPOutputStream gzip = new GZIPOutputStream(zipped)) {
			gzip.write(OutboxFixtures.example("order.status-changed").toString().getBytes(StandardCharsets.UTF_8));
		}
		HttpResponse<String> response = this.http.send("/api/v1/events",
				r -> r.header("X-API-Key", ERP_KEY)
					.header("Content-Type", "application/json")
					.header("Content-Encoding", "gzip")
					.POST(HttpRequest.BodyPublishers.ofByteArray(zipped.toByteArray())));
		assertThat(response.statusCode()).isEqualTo(415);
		assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
		assertThat(rows()).isEqualTo(rows);
	}

	@Test
	void inventedMethodNamesAndPathsAddNoMetricSeries() throws Exception {
		// Warm up every answer once, so the series those answers create exist before
		// counting.
		for (String method : new String[] { "GET", "POST", "FOO" }) {
			RawHttp.status(this.port, method + " /api/v1/events HTTP/1.1\r\nHost: hub", new byte[0], 5000);
			RawHttp.status(this.port, method + " /nowhere HTTP/1.1\r\nHost: hub", new byte[0], 5000);
		}
		series(); // reading the metrics is a request with its own series, too
		java.util.Set<String> before = series();
		for (int i = 0; i < 30; i++) {
			String method = "M" + UUID.randomUUID().toString().replace("-", "").substring(0, 10).toUpperCase();
			assertThat(RawHttp.status(this.port, method + " /api/v1/events HTTP/1.1\r\nHost: hub", new byte[0], 5000))
				.isBetween(400, 499);
			RawHttp.status(this.port, method + " /p" + i + "/" + UUID.randomUUID() + " HTTP/1.1\r\nHost: hub",
					new byte[0], 5000);
		}
		String metrics = this.http.get("/actuator/prometheus", null).body();
		assertThat(series()).as("no new series per invented method or path").isEqualTo(before);
		assertThat(metrics).doesNotContainPattern("method=\"M[0-9A-F]{9}");
		assertThat(metrics).contains("eventhub_ingestion_requests_total{method=\"other\"");
	}

	@Test
	void healthWithoutAnAdminKeyIsTheStatusOnly() throws Exception {
		for (String path : new String[] { "/actuator/health", "/actuator/health/readiness", "/readyz", "/livez" }) {
			for (String key : new String[] { null, ERP_KEY, "not-a-valid-key-at-all" }) {
				HttpResponse<String> response = this.http.get(path, key);
				assertThat(response.statusCode()).as(path).isIn(200, 503);
				JsonNode health = HubHttp.json(response);
				assertThat(health.has("status")).isTrue();
				assertThat(health.has("components")).as(path + " with key " + key).isFalse();
				assertThat(health.has("details")).as(path + " with key " + key).isFalse();
			}
		}
		assertThat(this.http.get("/actuator/info", null).body()).as("no versions for strangers")
			.doesNotContainIgnoringCase("camel");
		JsonNode admin = HubHttp.json(this.http.get("/actuator/health", ADMIN_KEY));
		assertThat(admin.at("/components/deadLetters/details/queue").asText()).isEqualTo(topology.deadLetterQueue());
		assertThat(admin.at("/components/rabbit/status").asText()).isEqualTo("UP");
		assertThat(HubHttp.json(this.http.get("/actuator/health/readiness", ADMIN_KEY))
			.at("/components/db/status")
			.asText()).isEqualTo("UP");
	}

	/**
	 * The series (name and tags) that carry a method or a path: what an attacker could
	 * try to multiply.
	 */
	private java.util.Set<String> series() throws Exception {
		return this.http.get("/actuator/prometheus", null)
			.body()
			.lines()
			.filter(line -> !line.startsWith("#") && !line.isBlank())
			.filter(line -> line.contains("method=") || line.contains("uri="))
			// In-flight requests (a long task timer): its series come and go with the
			// requests themselves.
			.filter(line -> !line.startsWith("http_server_requests_active"))
			.map(line -> line.substring(0, line.lastIndexOf(' ')))
			.collect(java.util.stream.Collectors.toCollection(java.util.TreeSet::new));
	}

	private long rows() {
		return this.jdbc.queryForObject("SELECT count(*) FROM outbox_event", Long.class);
	}

}
