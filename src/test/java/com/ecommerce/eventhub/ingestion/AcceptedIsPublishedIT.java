package com.ecommerce.eventhub.ingestion;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.ecommerce.eventhub.support.HubHttp;
import com.ecommerce.eventhub.support.HubIntegrationTest;
import com.ecommerce.eventhub.support.OutboxFixtures;
import com.ecommerce.eventhub.support.QueueRecorder;
import com.ecommerce.eventhub.support.TestTopology;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What ingestion accepts is exactly what is stored and published, and the scopes are the
 * hub's: numbers and times are canonical, values PostgreSQL refuses are a 400 naming
 * their pointer, an identical re-post is a 200, {@code metadata} is the caller's name and
 * the hub's environment, and hub-internal event types need a key that names them.
 */
@HubIntegrationTest(properties = { "hub.security.api-keys[0].name=cms",
		"hub.security.api-keys[0].key=" + AcceptedIsPublishedIT.ALL_KEY, "hub.security.api-keys[0].event-types=*",
		"hub.security.api-keys[1].name=email-prefix",
		"hub.security.api-keys[1].key=" + AcceptedIsPublishedIT.EMAIL_PREFIX_KEY,
		"hub.security.api-keys[1].event-types=email.*", "hub.security.api-keys[2].name=mailer",
		"hub.security.api-keys[2].key=" + AcceptedIsPublishedIT.MAILER_KEY,
		"hub.security.api-keys[2].event-types=email.notification-requested", "hub.environment=staging",
		"hub.notifications.enabled=false" })
class AcceptedIsPublishedIT {

	static final String ALL_KEY = "values-all-key-0123456789";

	static final String EMAIL_PREFIX_KEY = "values-email-prefix-key-0123";

	static final String MAILER_KEY = "values-mailer-key-0123456789";

	static final TestTopology topology = TestTopology.of(AcceptedIsPublishedIT.class);

	@LocalServerPort
	int port;

	@Autowired
	JdbcTemplate jdbc;

	HubHttp http;

	@BeforeEach
	void client() {
		this.http = new HubHttp(this.port);
	}

	@Test
	void numbersAndTimesArePublishedAsStoredAndAnIdenticalRepostIs200() throws Exception {
		String eventId = UUID.randomUUID().toString().toUpperCase();
		String body = """
				{"eventId": "%s", "eventType": "landing-cms.content-updated", "eventVersion": "1.0",
				 "aggregateId": "page-1", "aggregateType": "LandingPageContent",
				 "occurredAt": "2025-11-18T12:00:00.123456789+02:00",
				 "payload": {"section": "hero", "previousVersion": 1e0, "newVersion": 2.0, "updatedBy": "cms",
				             "price": 229.90, "big": 1e20, "tiny": 1.5e-7, "exact": 0.12345678901234567890123}}
				""".formatted(eventId);
		try (QueueRecorder recorder = QueueRecorder.consume(topology.queue("landing-cms.events"))) {
			HttpResponse<String> first = this.http.post("/api/v1/events", ALL_KEY, "application/json", body);
			assertThat(first.statusCode()).as(first.body()).isEqualTo(202);
			String stored = HubHttp.json(first).at("/accepted/0/eventId").asText();
			assertThat(stored).as("the canonical, lower-case eventId").isEqualTo(eventId.toLowerCase());
			for (int i = 0; i < 3; i++) {
				HttpResponse<String> again = this.http.post("/api/v1/events", ALL_KEY, "application/json", body);
				assertThat(again.statusCode()).as("identical re-post " + i + ": " + again.body()).isEqualTo(200);
			}

			await().atMost(Duration.ofSeconds(10)).until(() -> !recorder.receivedOf(List.of(stored)).isEmpty());
			String published = new String(recorder.receivedOf(List.of(stored)).get(0).body());
			assertThat(published).doesNotContain("1e0", "E+", "E-")
				.contains("\"previousVersion\":1}", "\"newVersion\":2.0", "\"price\":229.90",
						"\"big\":100000000000000000000", "\"tiny\":0.00000015", "\"exact\":0.12345678901234567890123",
						"\"occurredAt\":\"2025-11-18T10:00:00.123456Z\"");
			assertThat(status(stored)).isEqualTo("PUBLISHED");
			// After it was published, still the same event.
			assertThat(this.http.post("/api/v1/events", ALL_KEY, "application/json", body).statusCode()).isEqualTo(200);
		}
	}

	@Test
	void valuesPostgreSqlCannotStoreAre400WithTheirPointer() throws Exception {
		long rows = rows();
		ObjectNode published = OutboxFixtures.example("landing-cms.content-published");
		Map<String, String> attacks = Map.of("{\"version\": 1e64, \"publishedBy\": \"a@example.com\"}",
				"/payload/version", "{\"version\": 1, \"publishedBy\": \"a\\u0000@example.com\"}",
				"/payload/publishedBy", "{\"version\": 1, \"publishedBy\": \"a@example.com\", \"note\": \"\\ud800\"}",
				"/payload/note", "{\"version\": 1, \"publishedBy\": \"a@example.com\", \"k\\u0000\": 1}",
				"/payload/k\uFFFD", "{\"version\": 1e-70, \"publishedBy\": \"a@example.com\"}", "/payload/version",
				"{\"version\": 1e-999999999, \"publishedBy\": \"a@example.com\"}", "/payload/version",
				"{\"version\": 1e99999, \"publishedBy\": \"a@example.com\"}", "/payload/version");
		for (Map.Entry<String, String> attack : attacks.entrySet()) {
			String body = published.toString()
				.replace(published.get("payload").toString(), attack.getKey())
				.replace(published.get("eventId").asText(), UUID.randomUUID().toString());
			HttpResponse<String> response = this.http.post("/api/v1/events", ALL_KEY, "application/json", body);
			assertThat(response.statusCode()).as(attack.getKey() + ": " + response.body()).isEqualTo(400);
			assertThat(HubHttp.json(response).get("violations")).extracting(v -> v.get("pointer").asText())
				.as(attack.getKey())
				.contains(attack.getValue());
		}
		for (String occurredAt : new String[] { "0000-01-01T00:00:00Z", "2025-06-30T23:59:60Z" }) {
			ObjectNode event = OutboxFixtures.example("landing-cms.content-published");
			event.put("occurredAt", occurredAt);
			HttpResponse<String> response = this.http.post("/api/v1/events", ALL_KEY, "application/json",
					event.toString());
			assertThat(response.statusCode()).as(occurredAt).isEqualTo(400);
			assertThat(response.body()).contains("/occurredAt");
		}
		ObjectNode lineBreak = OutboxFixtures.example("landing-cms.content-published");
		lineBreak.put("eventVersion", "1.0\n");
		lineBreak.putObject("payload").put("anything", "goes");
		assertThat(this.http.post("/api/v1/events", ALL_KEY, "application/json", lineBreak.toString()).body())
			.as("a version with a line break is no version")
			.contains("/eventVersion");
		ObjectNode longType = OutboxFixtures.example("landing-cms.content-published");
		longType.put("eventType", "landing-cms" + ".a".repeat(6000));
		HttpResponse<String> longTypeAnswer = this.http.post("/api/v1/events", ALL_KEY, "application/json",
				longType.toString());
		assertThat(longTypeAnswer.statusCode()).isEqualTo(400);
		assertThat(longTypeAnswer.body()).contains("/eventType");
		String duplicateKey = published.toString()
			.replace("\"eventVersion\":\"1.0\"", "\"eventVersion\":\"1.0\",\"eventVersion\":\"2.0\"");
		assertThat(this.http.post("/api/v1/events", ALL_KEY, "application/json", duplicateKey).statusCode())
			.as("a repeated key is malformed")
			.isEqualTo(400);
		assertThat(this.http.post("/api/v1/events", ALL_KEY, "application/json", published + " {}").statusCode())
			.as("anything after the document is malformed")
			.isEqualTo(400);
		assertThat(rows()).isEqualTo(rows);
	}

	@Test
	void metadataSaysWhoPostedAndWhereWhateverTheCallerWrote() throws Exception {
		ObjectNode event = OutboxFixtures.example("landing-cms.content-published");
		((ObjectNode) event.get("metadata")).put("source", "ecommerce-api").put("environment", "production");
		try (QueueRecorder recorder = QueueRecorder.consume(topology.queue("landing-cms.events"))) {
			assertThat(this.http.post("/api/v1/events", ALL_KEY, "application/json", event.toString()).statusCode())
				.isEqualTo(202);
			String eventId = event.get("eventId").asText();
			await().atMost(Duration.ofSeconds(10)).until(() -> !recorder.receivedOf(List.of(eventId)).isEmpty());
			JsonNode metadata = recorder.receivedOf(List.of(eventId)).get(0).json().get("metadata");
			assertThat(metadata.get("source").asText()).isEqualTo("cms");
			assertThat(metadata.get("environment").asText()).isEqualTo("staging");
			assertThat(metadata.get("userId").asText()).isEqualTo(event.at("/metadata/userId").asText());
			// Posting it again as written is still the same event: the hub's metadata is
			// compared.
			assertThat(this.http.post("/api/v1/events", ALL_KEY, "application/json", event.toString()).statusCode())
				.isEqualTo(200);
		}
	}

	@Test
	void hubInternalTypesNeedAKeyThatNamesThem() throws Exception {
		long rows = rows();
		ObjectNode request = OutboxFixtures.example("email.notification-requested");
		assertThat(this.http.post("/api/v1/events", ALL_KEY, "application/json", request.toString()).statusCode())
			.as("* does not include hub-internal types")
			.isEqualTo(403);
		assertThat(
				this.http.post("/api/v1/events", EMAIL_PREFIX_KEY, "application/json", request.toString()).statusCode())
			.as("a prefix does not either")
			.isEqualTo(403);
		ObjectNode sent = OutboxFixtures.example("email.sent");
		assertThat(this.http.post("/api/v1/events", MAILER_KEY, "application/json", sent.toString()).statusCode())
			.as("a key names one type, not its neighbours")
			.isEqualTo(403);
		assertThat(rows()).isEqualTo(rows);

		assertThat(this.http.post("/api/v1/events", MAILER_KEY, "application/json", request.toString()).statusCode())
			.as("the key that names it")
			.isEqualTo(202);
		String location = "/api/v1/events/" + request.get("eventId").asText();
		assertThat(this.http.get(location, MAILER_KEY).statusCode()).isEqualTo(200);
		HttpResponse<String> hidden = this.http.get(location, ALL_KEY);
		assertThat(hidden.statusCode()).as("another key learns nothing of it").isEqualTo(404);
		assertThat(hidden.body()).doesNotContain("email.", "PENDING", "PUBLISHED");
		// Re-posting its eventId as another type reveals neither its type nor its status.
		ObjectNode impostor = OutboxFixtures.example("landing-cms.content-published");
		impostor.put("eventId", request.get("eventId").asText());
		HttpResponse<String> conflict = this.http.post("/api/v1/events", ALL_KEY, "application/json",
				impostor.toString());
		assertThat(conflict.statusCode()).isEqualTo(409);
		assertThat(conflict.body()).doesNotContain("email.", "PENDING", "PUBLISHED");
	}

	private String status(String eventId) {
		return this.jdbc.queryForObject("SELECT status FROM outbox_event WHERE event_id = ?::uuid", String.class,
				eventId);
	}

	private long rows() {
		return this.jdbc.queryForObject("SELECT count(*) FROM outbox_event", Long.class);
	}

}
