package com.ecommerce.eventhub.bench;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.ecommerce.eventhub.support.OutboxFixtures;
import com.ecommerce.eventhub.support.TestServices;
import com.ecommerce.eventhub.support.TestTopology;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import org.flywaydb.core.Flyway;

/**
 * The benchmark's outbox rows and queues: ~1.2 KB order.placed rows (the spec's example)
 * over a fixed set of aggregates, seeded in JDBC batches or in one INSERT ... SELECT,
 * counted, and the queues they end in.
 */
final class OutboxRows {

	private static final String INSERT = "INSERT INTO %s.outbox_event (event_id, event_type, event_version, "
			+ "aggregate_type, aggregate_id, correlation_id, metadata, payload) "
			+ "VALUES (?::uuid, 'order.placed', '1.0', 'Order', ?, ?, ?::jsonb, ?::jsonb)";

	private final TestTopology topology;

	private final String metadata;

	private final String payload;

	private final List<String> aggregateIds = new ArrayList<>();

	OutboxRows(TestTopology topology, int aggregates) {
		this.topology = topology;
		ObjectNode example = OutboxFixtures.example("order.placed");
		this.metadata = example.get("metadata").toString();
		this.payload = example.get("payload").toString();
		for (int i = 0; i < aggregates; i++) {
			this.aggregateIds.add(UUID.randomUUID().toString());
		}
	}

	/**
	 * @return the size of one envelope as the relay publishes it, about
	 */
	static int envelopeBytes() {
		ObjectNode example = OutboxFixtures.example("order.placed");
		example.put("correlationId", UUID.randomUUID().toString());
		return example.toString().getBytes(StandardCharsets.UTF_8).length;
	}

	/**
	 * Creates the topology's schema with the hub's migrations (Flyway, as the hub does at
	 * start-up), for modes that fill the outbox before any hub runs.
	 */
	void migrate() {
		Flyway.configure()
			.dataSource(TestServices.JDBC_URL, TestServices.DB_USER, "postgres")
			.schemas(this.topology.schema())
			.defaultSchema(this.topology.schema())
			.createSchemas(true)
			.locations("classpath:db/migration")
			.load()
			.migrate();
	}

	/**
	 * @return the INSERT of one row, for {@link #addRow}
	 */
	String insertSql() {
		return INSERT.formatted(this.topology.schema());
	}

	/**
	 * Seeds rows in JDBC batches of 5,000, one transaction each.
	 * @param count the rows
	 * @throws Exception on database errors
	 */
	void seed(int count) throws Exception {
		try (Connection db = DriverManager.getConnection(TestServices.JDBC_URL + "?reWriteBatchedInserts=true",
				TestServices.DB_USER, "postgres"); PreparedStatement insert = db.prepareStatement(insertSql())) {
			db.setAutoCommit(false);
			for (int i = 0; i < count; i++) {
				addRow(insert, i);
				if ((i + 1) % 5_000 == 0) {
					insert.executeBatch();
					db.commit();
				}
			}
			insert.executeBatch();
			db.commit();
		}
	}

	/**
	 * Seeds rows in one INSERT ... SELECT from generate_series (same payload, a fresh
	 * eventId each, 1,000 aggregates), then ANALYZE.
	 * @param count the rows
	 * @throws Exception on database errors
	 */
	void seedInOneStatement(int count) throws Exception {
		String schema = this.topology.schema();
		try (Connection db = TestServices.jdbc();
				PreparedStatement insert = db.prepareStatement("INSERT INTO " + schema
						+ ".outbox_event (event_id, event_type, event_version, aggregate_type, aggregate_id, "
						+ "correlation_id, metadata, payload) SELECT gen_random_uuid(), 'order.placed', '1.0', 'Order', "
						+ "md5('aggregate-' || (g % 1000))::uuid::text, gen_random_uuid()::text, ?::jsonb, ?::jsonb "
						+ "FROM generate_series(1, ?) g")) {
			insert.setString(1, this.metadata);
			insert.setString(2, this.payload);
			insert.setInt(3, count);
			insert.executeUpdate();
			try (Statement analyze = db.createStatement()) {
				analyze.execute("ANALYZE " + schema + ".outbox_event");
			}
		}
	}

	String addRow(PreparedStatement insert, int index) throws Exception {
		String eventId = UUID.randomUUID().toString();
		insert.setString(1, eventId);
		insert.setString(2, this.aggregateIds.get(index % this.aggregateIds.size()));
		insert.setString(3, eventId);
		insert.setString(4, this.metadata);
		insert.setString(5, this.payload);
		insert.addBatch();
		return eventId;
	}

	long count(Connection db, String where) throws Exception {
		try (Statement statement = db.createStatement();
				ResultSet rs = statement
					.executeQuery("SELECT count(*) FROM " + this.topology.schema() + ".outbox_event WHERE " + where)) {
			rs.next();
			return rs.getLong(1);
		}
	}

	/**
	 * @return whether any row is pending (cheap on the partial pending index)
	 */
	boolean anyPending(Connection db) throws Exception {
		try (Statement statement = db.createStatement();
				ResultSet rs = statement.executeQuery("SELECT EXISTS (SELECT 1 FROM " + this.topology.schema()
						+ ".outbox_event WHERE status = 'PENDING')")) {
			rs.next();
			return rs.getBoolean(1);
		}
	}

	long queueDepth(String queue) throws Exception {
		try (com.rabbitmq.client.Connection rabbit = TestServices.rabbit().newConnection("bench-admin");
				Channel channel = rabbit.createChannel()) {
			return channel.messageCount(queue);
		}
	}

	void purge(String queue) throws Exception {
		try (com.rabbitmq.client.Connection rabbit = TestServices.rabbit().newConnection("bench-admin");
				Channel channel = rabbit.createChannel()) {
			channel.queuePurge(queue);
		}
	}

	/**
	 * AMQP properties of an envelope as the relay sets them (wire contract).
	 * @param envelope the envelope
	 * @return the properties
	 */
	static AMQP.BasicProperties wireProperties(ObjectNode envelope) {
		return new AMQP.BasicProperties.Builder().contentType("application/json")
			.deliveryMode(2)
			.messageId(envelope.path("eventId").asText())
			.type(envelope.path("eventType").asText())
			.timestamp(new Date())
			.headers(Map.of("eventVersion", envelope.path("eventVersion").asText(), "aggregateType",
					envelope.path("aggregateType").asText(), "aggregateId", envelope.path("aggregateId").asText()))
			.build();
	}

	/**
	 * Publishes envelopes straight into a queue (default exchange) with confirms, 1,000
	 * at a time, each a fresh eventId and aggregate.
	 * @param queue the queue
	 * @param template the envelope to copy
	 * @param count how many
	 * @throws Exception on broker errors
	 */
	static void publishToQueue(String queue, ObjectNode template, int count) throws Exception {
		try (com.rabbitmq.client.Connection rabbit = TestServices.rabbit().newConnection("bench-feeder");
				Channel channel = rabbit.createChannel()) {
			channel.confirmSelect();
			for (int i = 0; i < count; i++) {
				ObjectNode envelope = template.deepCopy();
				envelope.put("eventId", UUID.randomUUID().toString());
				envelope.put("aggregateId", UUID.randomUUID().toString());
				channel.basicPublish("", queue, true, wireProperties(envelope),
						envelope.toString().getBytes(StandardCharsets.UTF_8));
				if ((i + 1) % 1_000 == 0) {
					channel.waitForConfirmsOrDie(30_000);
				}
			}
			channel.waitForConfirmsOrDie(30_000);
		}
	}

}
