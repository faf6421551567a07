package com.ecommerce.eventhub.ops;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import com.ecommerce.eventhub.support.HubHttp;
import com.ecommerce.eventhub.support.HubIntegrationTest;
import com.ecommerce.eventhub.support.QueueRecorder;
import com.ecommerce.eventhub.support.TestServices;
import com.ecommerce.eventhub.support.TestTopology;
import com.ecommerce.eventhub.topology.DeadLetterHeaders;
import com.fasterxml.jackson.databind.JsonNode;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Dead letters as anyone with broker access can make them: no message id, no headers, a
 * body that is not JSON, bytes PostgreSQL's text cannot hold, a routing key nobody
 * listens to. Each is listed, replayed exactly once or left in place, and discarded into
 * the archive; the archive route stores what it can and parks what the table refuses, and
 * goes on.
 */
@HubIntegrationTest(properties = { "hub.relay.enabled=false", "hub.notifications.enabled=false",
		"hub.security.api-keys[0].name=operator", "hub.security.api-keys[0].key=" + HostileDeadLettersIT.ADMIN_KEY,
		"hub.security.api-keys[0].admin=true" })
class HostileDeadLettersIT {

	static final String ADMIN_KEY = "hostile-dlq-admin-key-0123";

	static final TestTopology topology = TestTopology.of(HostileDeadLettersIT.class);

	@LocalServerPort
	int port;

	@Autowired
	JdbcTemplate jdbc;

	HubHttp http;

	Connection connection;

	Channel channel;

	@BeforeEach
	void open() throws Exception {
		this.http = new HubHttp(this.port);
		this.connection = TestServices.rabbit().newConnection("test-hostile-dlq");
		this.channel = this.connection.createChannel();
		this.channel.confirmSelect();
		this.channel.queuePurge(topology.deadLetterQueue());
	}

	@AfterEach
	void close() throws Exception {
		this.connection.close();
	}

	@Test
	void oddDeadLettersAreListedReplayedOnceOrKeptAndDiscarded() throws Exception {
		String typedOnly = "no-id-" + UUID.randomUUID();
		// No message id, no headers: replayed by its type.
		publish(topology.deadLetterQueue(),
				new AMQP.BasicProperties.Builder().type("product.activated").correlationId(typedOnly).build(),
				"{\"eventType\": \"product.activated\"}".getBytes(StandardCharsets.UTF_8));
		// Not JSON.
		String notJson = UUID.randomUUID().toString();
		publish(topology.deadLetterQueue(),
				properties(notJson, Map.of(DeadLetterHeaders.ORIGINAL_ROUTING_KEY, "inventory.reserved")),
				"<<not json>>".getBytes(StandardCharsets.UTF_8));
		// No id, no type, no routing key, and bytes text cannot hold: nowhere to replay
		// it to.
		publish(topology.deadLetterQueue(), new AMQP.BasicProperties.Builder().build(),
				new byte[] { 0, (byte) 0xff, 'x' });
		// A routing key no queue is bound to, and a NUL in a header.
		String nobody = UUID.randomUUID().toString();
		publish(topology.deadLetterQueue(),
				properties(nobody,
						Map.of(DeadLetterHeaders.ORIGINAL_ROUTING_KEY, "nobody.listens",
								DeadLetterHeaders.EXCEPTION_MESSAGE, "bad\u0000thing")),
				"{}".getBytes(StandardCharsets.UTF_8));

		JsonNode listed = HubHttp.json(this.http.get("/api/v1/dead-letters", ADMIN_KEY));
		assertThat(listed.get("count").asInt()).isEqualTo(4);
		assertThat(this.http.get("/api/v1/dead-letters?limit=abc", ADMIN_KEY).statusCode()).isEqualTo(400);
		assertThat(this.http.get("/api/v1/dead-letters?limit=99999999999", ADMIN_KEY).statusCode()).isEqualTo(400);

		try (QueueRecorder recorder = QueueRecorder.consume(topology.queue("product.events"),
				topology.queue("inventory.events"))) {
			JsonNode replayed = HubHttp
				.json(this.http.post("/api/v1/dead-letters/replay", ADMIN_KEY, "application/json", "{\"all\": true}"));
			assertThat(replayed.get("replayed").asInt()).isEqualTo(2);
			assertThat(replayed.get("unroutable").asInt()).isEqualTo(2);
			await().atMost(Duration.ofSeconds(10)).until(() -> recorder.count() == 2);
			JsonNode again = HubHttp
				.json(this.http.post("/api/v1/dead-letters/replay", ADMIN_KEY, "application/json", "{\"all\": true}"));
			assertThat(again.get("replayed").asInt()).as("nothing is replayed twice").isZero();
			await().pollDelay(Duration.ofSeconds(1)).until(() -> true);
			assertThat(recorder.count()).as("each replayed message arrived once").isEqualTo(2);
			assertThat(recorder.received())
				.extracting(r -> r.properties().getCorrelationId() + "/" + r.properties().getMessageId())
				.containsExactlyInAnyOrder(typedOnly + "/null", "null/" + notJson);
		}
		assertThat(depth()).as("the two that went nowhere stay").isEqualTo(2);

		long archived = archiveRows();
		JsonNode discarded = HubHttp
			.json(this.http.post("/api/v1/dead-letters/discard", ADMIN_KEY, "application/json", "{\"all\": true}"));
		assertThat(discarded.get("discarded").asInt()).isEqualTo(2);
		assertThat(depth()).isZero();
		assertThat(archiveRows()).isEqualTo(archived + 2);
		assertThat(this.jdbc.queryForObject(
				"SELECT body_bytes FROM dead_letter_archive WHERE event_id IS NULL " + "AND body IS NULL",
				byte[].class))
			.containsExactly(0, 0xff, 'x');
		assertThat(this.jdbc.queryForObject("SELECT exception_message FROM dead_letter_archive WHERE event_id = ?",
				String.class, nobody))
			.isEqualTo("bad\uFFFDthing");
	}

	@Test
	void aReplayReadsEachDeadLetterOnceEvenWhenReplayedOnesComeStraightBack() throws Exception {
		// Replayed messages that fail again land at the queue's tail while the replay
		// still reads it.
		this.channel.queueBind(topology.deadLetterQueue(), topology.exchange(), "loop.back");
		try {
			for (int i = 0; i < 20; i++) {
				publish(topology.deadLetterQueue(),
						properties(UUID.randomUUID().toString(),
								Map.of(DeadLetterHeaders.ORIGINAL_ROUTING_KEY, "loop.back")),
						"{}".getBytes(StandardCharsets.UTF_8));
			}
			// A routing key longer than AMQP allows: nothing can route it, and it must
			// not break the replay.
			String tooLong = UUID.randomUUID().toString();
			publish(topology.deadLetterQueue(),
					properties(tooLong, Map.of(DeadLetterHeaders.ORIGINAL_ROUTING_KEY, "k".repeat(300))),
					"{}".getBytes(StandardCharsets.UTF_8));

			HttpResponse<String> response = this.http.post("/api/v1/dead-letters/replay", ADMIN_KEY, "application/json",
					"{\"all\": true}");
			assertThat(response.statusCode()).isEqualTo(200);
			JsonNode replayed = HubHttp.json(response);
			assertThat(replayed.get("replayed").asInt()).as("each once, not again from the tail").isEqualTo(20);
			assertThat(replayed.get("unroutableEventIds").toString()).contains(tooLong);
			await().atMost(Duration.ofSeconds(10)).until(() -> depth() == 21);
		}
		finally {
			this.channel.queueUnbind(topology.deadLetterQueue(), topology.exchange(), "loop.back");
		}
	}

	@Test
	void theArchiveRouteStoresOddBytesParksWhatTheTableRefusesAndGoesOn() throws Exception {
		this.jdbc.execute("ALTER TABLE dead_letter_archive DROP CONSTRAINT IF EXISTS test_refuses_poison");
		this.jdbc.execute("ALTER TABLE dead_letter_archive ADD CONSTRAINT test_refuses_poison "
				+ "CHECK (event_id IS DISTINCT FROM 'poison')");
		String archive = topology.deadLetterQueue() + ".archive";
		String binary = UUID.randomUUID().toString();
		String after = UUID.randomUUID().toString();
		try (QueueRecorder parked = QueueRecorder.consume(topology.deadLetterQueue() + ".parked")) {
			publish(archive, properties(binary, Map.of("x-note", "nul\u0000inside")),
					new byte[] { 0, 1, 2, (byte) 0xc3 });
			publish(archive, properties("poison", Map.of()), "refused by the table".getBytes(StandardCharsets.UTF_8));
			publish(archive, properties(after, Map.of()), "{}".getBytes(StandardCharsets.UTF_8));
			await().atMost(Duration.ofSeconds(20)).until(() -> archived(after) && parked.count() == 1);
			assertThat(archived(binary)).isTrue();
			assertThat(this.jdbc.queryForObject("SELECT body_bytes FROM dead_letter_archive WHERE event_id = ?",
					byte[].class, binary))
				.containsExactly(0, 1, 2, 0xc3);
			assertThat(parked.received().get(0).properties().getMessageId()).isEqualTo("poison");
			assertThat(parked.received().get(0).header("x-archive-error")).contains("test_refuses_poison");
		}
		finally {
			this.jdbc.execute("ALTER TABLE dead_letter_archive DROP CONSTRAINT test_refuses_poison");
		}
	}

	private boolean archived(String eventId) {
		return this.jdbc.queryForObject("SELECT count(*) FROM dead_letter_archive WHERE event_id = ?", Long.class,
				eventId) == 1;
	}

	private static AMQP.BasicProperties properties(String messageId, Map<String, Object> headers) {
		return new AMQP.BasicProperties.Builder().messageId(messageId).headers(new HashMap<>(headers)).build();
	}

	private void publish(String queue, AMQP.BasicProperties properties, byte[] body) throws Exception {
		this.channel.basicPublish("", queue, true, properties, body);
		this.channel.waitForConfirmsOrDie(5000);
	}

	private long depth() throws Exception {
		return this.channel.messageCount(topology.deadLetterQueue());
	}

	private long archiveRows() {
		return this.jdbc.queryForObject("SELECT count(*) FROM dead_letter_archive", Long.class);
	}

}
