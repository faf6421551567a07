package com.ecommerce.eventhub.ops;

import java.sql.Connection;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import com.ecommerce.eventhub.support.HubIntegrationTest;
import com.ecommerce.eventhub.support.OutboxFixtures;
import com.ecommerce.eventhub.support.TestServices;
import com.ecommerce.eventhub.support.TestTopology;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Housekeeping over 100,000 old rows while the relay keeps publishing: old PUBLISHED rows
 * and handled DEAD rows go, young ones, PENDING rows and unhandled DEAD rows stay.
 */
@HubIntegrationTest(webEnvironment = WebEnvironment.NONE, properties = "hub.retention.batch-size=1000")
class RetentionIT {

	static final TestTopology topology = TestTopology.of(RetentionIT.class);

	@Autowired
	JdbcTemplate jdbc;

	@Autowired
	Housekeeping housekeeping;

	@Test
	void aPassDeletesWhatRetentionLetsGoWhileTheRelayKeepsPublishing() throws Exception {
		seed(100_000, "PUBLISHED", "published_at = now() - interval '8 days'", "old-published");
		seed(10, "PUBLISHED", "published_at = now() - interval '6 days'", "young-published");
		seed(10, "PENDING", "available_at = now() + interval '1 day', created_at = now() - interval '30 days'",
				"old-pending");
		seed(10, "DEAD", "handled_at = now() - interval '8 days'", "handled-dead");
		seed(10, "DEAD", "handled_at = NULL, created_at = now() - interval '30 days'", "unhandled-dead");

		List<String> fresh = new ArrayList<>();
		CompletableFuture<Long> pass = CompletableFuture.supplyAsync(this.housekeeping::runPass);
		Instant passStart = Instant.now();
		while (!pass.isDone()) {
			ObjectNode event = OutboxFixtures.example("product.activated");
			OutboxFixtures.insert(topology.schema(), event);
			fresh.add(event.get("eventId").asText());
			Thread.onSpinWait();
			Thread.sleep(5);
		}
		Instant passEnd = Instant.now();
		assertThat(pass.get()).isEqualTo(100_000 + 10);

		assertThat(count("old-published")).isZero();
		assertThat(count("young-published")).isEqualTo(10);
		assertThat(count("old-pending")).isEqualTo(10);
		assertThat(this.jdbc.queryForObject(
				"SELECT count(*) FROM outbox_event WHERE aggregate_id LIKE 'old-pending-%' AND status = 'PENDING'",
				Integer.class))
			.isEqualTo(10);
		assertThat(count("handled-dead")).isZero();
		assertThat(count("unhandled-dead")).isEqualTo(10);

		await().atMost(Duration.ofSeconds(20))
			.until(() -> this.jdbc.queryForObject(
					"SELECT count(*) FROM outbox_event WHERE event_id::text = ANY (?) AND status = 'PUBLISHED'",
					Integer.class, (Object) fresh.toArray(String[]::new)) == fresh.size());
		Integer publishedDuringPass = this.jdbc.queryForObject(
				"SELECT count(*) FROM outbox_event WHERE event_id::text = ANY (?) AND published_at BETWEEN ? AND ?",
				Integer.class, fresh.toArray(String[]::new), Timestamp.from(passStart), Timestamp.from(passEnd));
		assertThat(publishedDuringPass)
			.as("rows published while the pass ran (%s)", Duration.between(passStart, passEnd))
			.isPositive();
	}

	private void seed(int rows, String status, String extra, String marker) throws Exception {
		try (Connection connection = TestServices.jdbc(); Statement statement = connection.createStatement()) {
			connection.setAutoCommit(false); // the relay sees the rows only as they end
												// up
			statement.execute("INSERT INTO " + topology.schema()
					+ ".outbox_event (event_id, event_type, event_version, "
					+ "aggregate_type, aggregate_id, payload, status) SELECT gen_random_uuid(), 'product.activated', "
					+ "'1.0', 'Product', '" + marker + "-' || g, '{\"sku\":\"S\",\"activatedBy\":\"a@example.com\"}', '"
					+ status + "' FROM generate_series(1, " + rows + ") g");
			statement.execute("UPDATE " + topology.schema() + ".outbox_event SET " + extra
					+ " WHERE aggregate_id LIKE '" + marker + "-%'");
			connection.commit();
		}
	}

	private int count(String marker) {
		return this.jdbc.queryForObject("SELECT count(*) FROM outbox_event WHERE aggregate_id LIKE ?", Integer.class,
				marker + "-%");
	}

}
