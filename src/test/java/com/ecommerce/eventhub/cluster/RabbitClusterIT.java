package com.ecommerce.eventhub.cluster;

import java.io.IOException;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.ecommerce.eventhub.support.EventStream;
import com.ecommerce.eventhub.support.EventStream.Verdict;
import com.ecommerce.eventhub.support.HubInstance;
import com.ecommerce.eventhub.support.OutboxFixtures;
import com.ecommerce.eventhub.support.QueueRecorder;
import com.ecommerce.eventhub.support.QueueRecorder.Received;
import com.ecommerce.eventhub.support.RabbitCluster;
import com.ecommerce.eventhub.support.TestServices;
import com.ecommerce.eventhub.support.TestTopology;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import org.springframework.boot.actuate.health.CompositeHealth;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthComponent;
import org.springframework.boot.actuate.health.HealthEndpoint;
import org.springframework.boot.actuate.health.Status;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The hub on a three-node RabbitMQ cluster ({@code src/test/cluster/rabbitmq-cluster.sh},
 * started for this class and removed after it), with two hub instances where the scenario
 * is about scale-out: the node leading the queues is killed during the relay and during
 * consumption, comes back and rejoins; a memory alarm blocks publishers; a node hangs.
 * Each run counts what the consumer side received: lost, duplicated and out of order per
 * aggregate.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RabbitClusterIT {

	static final int BATCH = 200;

	static RabbitCluster cluster;

	static final List<TestTopology> topologies = new ArrayList<>();

	@BeforeAll
	static void startCluster() {
		TestServices.requireRunning();
		cluster = RabbitCluster.start();
	}

	@AfterAll
	static void stopCluster() throws Exception {
		if (cluster != null) {
			cluster.close();
		}
		for (TestTopology topology : topologies) {
			topology.cleanup();
		}
	}

	@Test
	@Order(1)
	void theRelayGoesOnWhenTheNodeLeadingTheDomainQueuesIsKilled() throws Exception {
		TestTopology topology = topology("cl_relay");
		String queue = topology.queue("order.events");
		try (ConfigurableApplicationContext a = hub("relay-a", topology, relayOnly());
				ConfigurableApplicationContext b = hub("relay-b", topology, relayOnly())) {
			int leader = cluster.leaderOf(queue);
			killed = leader;
			assertThat(cluster.membersOf(queue)).as("a quorum queue on every node").isEqualTo(3);
			EventStream stream = EventStream.of("order.status-changed", 4000, 200);
			try (QueueRecorder recorder = QueueRecorder.consume(cluster.factory(otherThan(leader)), queue)) {
				CompletableFuture<Void> writing = stream.writeInBackground(database(), topology.schema(), 50);
				await().atMost(Duration.ofSeconds(60)).until(() -> recorder.count() >= 1200);
				long killedAt = System.nanoTime();
				cluster.kill(leader);

				await().atMost(Duration.ofSeconds(120))
					.until(() -> stream.judge(recorder.received()).lost() == 0 && writing.isDone());
				writing.join();
				Verdict verdict = stream.judge(recorder.received());
				System.out.println("Relay with the queue leader killed: " + verdict);
				assertThat(verdict.lost()).isZero();
				assertThat(verdict.outOfOrder()).isZero();
				assertThat(verdict.duplicates()).as("at most one batch per instance").isLessThanOrEqualTo(2 * BATCH);
				assertThat(firstArrivalAfter(recorder, killedAt)).as("the relay went on without a restart")
					.isLessThan(Duration.ofSeconds(30));
				assertThat(pending(topology)).isZero();
			}
		}
		finally {
			if (killed > 0) {
				cluster.startNode(killed);
			}
		}
	}

	/** The node the first test killed, started again at its end. */
	static int killed;

	@Test
	@Order(2)
	void everyOrderEndsInExactlyOneMailWhenTheNodeLeadingTheMailQueueIsKilledAndComesBack() throws Exception {
		TestTopology topology = topology("cl_mail");
		int smtpPort = freePort();
		GreenMail smtp = new GreenMail(new ServerSetup(smtpPort, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
		smtp.start();
		Map<String, Object> settings = new HashMap<>(common());
		settings.put("hub.mail.host", "127.0.0.1");
		settings.put("hub.mail.port", smtpPort);
		try (ConfigurableApplicationContext a = hub("mail-a", topology, settings);
				ConfigurableApplicationContext b = hub("mail-b", topology, settings)) {
			String mailQueue = a.getEnvironment().getProperty("hub.mail.queue");
			await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> cluster.membersOf(mailQueue) == 3);
			int leader = cluster.leaderOf(mailQueue);
			List<String> orders = new ArrayList<>();
			try (Connection connection = TestServices.jdbc()) {
				connection.setAutoCommit(false);
				for (int i = 0; i < 300; i++) {
					ObjectNode order = OutboxFixtures.example("order.placed");
					String number = "ORD-CL-" + (100000 + i);
					((ObjectNode) order.get("payload")).put("orderNumber", number);
					OutboxFixtures.insert(connection, topology.schema(), order);
					orders.add(number);
				}
				connection.commit();
			}
			await().atMost(Duration.ofSeconds(120)).until(() -> smtp.getReceivedMessages().length >= 69);
			cluster.kill(leader);
			await().atMost(Duration.ofSeconds(180)).until(() -> mailsPerOrder(smtp).size() == orders.size());

			cluster.startNode(leader);
			await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> cluster.membersOf(mailQueue) == 3);
			// Give a redelivery after the rejoin the time to show up.
			holdFor(Duration.ofSeconds(5));
			Map<String, Integer> mails = mailsPerOrder(smtp);
			System.out.println("Mails with the mail queue's leader killed: " + smtp.getReceivedMessages().length
					+ " for " + mails.size() + " orders");
			assertThat(mails.keySet()).containsExactlyInAnyOrderElementsOf(orders);
			assertThat(mails.values()).as("every order exactly one mail").containsOnly(1);
			assertThat(deadLetters(topology)).isZero();
		}
		finally {
			smtp.stop();
		}
	}

	@Test
	@Order(3)
	void aMemoryAlarmBlocksPublishingAndReadinessSaysWhyUntilItClears() throws Exception {
		TestTopology topology = topology("cl_alarm");
		String queue = topology.queue("order.events");
		try (ConfigurableApplicationContext hub = hub("alarm", topology, relayOnly())) {
			int observer = 3;
			EventStream before = EventStream.of("order.status-changed", 100, 20);
			before.writeInBackground(database(), topology.schema(), 50).join();
			await().atMost(Duration.ofSeconds(20)).until(() -> pending(topology) == 0);

			cluster.memoryAlarm(1);
			EventStream during = EventStream.of("order.status-changed", 500, 50);
			try (QueueRecorder recorder = QueueRecorder.consume(cluster.factory(observer), queue)) {
				during.writeInBackground(database(), topology.schema(), 50).join();
				await().atMost(Duration.ofSeconds(20)).until(() -> readiness(hub).getStatus().equals(Status.DOWN));
				HealthComponent publishing = ((CompositeHealth) readiness(hub)).getComponents().get("publishing");
				assertThat(((Health) publishing).getDetails().get("reason").toString()).contains("resource alarm");
				// Held for a while: nothing is marked PUBLISHED, nothing arrives.
				holdFor(Duration.ofSeconds(10));
				assertThat(published(topology, during.ids())).isZero();
				assertThat(during.judge(recorder.received()).lost()).isEqualTo(500);
				assertThat(attempts(topology, during.ids())).as("the failed publishes counted attempts").isPositive();

				cluster.clearMemoryAlarm(1);
				await().atMost(Duration.ofSeconds(60)).until(() -> during.judge(recorder.received()).lost() == 0);
				await().atMost(Duration.ofSeconds(20)).until(() -> readiness(hub).getStatus().equals(Status.UP));
				Verdict verdict = during.judge(recorder.received());
				assertThat(verdict.outOfOrder()).isZero();
				assertThat(published(topology, during.ids())).isEqualTo(500);
			}
		}
		finally {
			cluster.clearMemoryAlarm(1);
		}
	}

	@Test
	@Order(4)
	void aHungNodeTimesOutConfirmsMarksNothingLeaksNothingAndRecovers() throws Exception {
		TestTopology topology = topology("cl_hung");
		String queue = topology.queue("order.events");
		try (ConfigurableApplicationContext hub = hub("hung", topology, relayOnly())) {
			int leader = cluster.leaderOf(queue);
			EventStream warmUp = EventStream.of("order.status-changed", 100, 20);
			warmUp.writeInBackground(database(), topology.schema(), 50).join();
			await().atMost(Duration.ofSeconds(20)).until(() -> pending(topology) == 0);
			int threads = Thread.activeCount();

			EventStream stream = EventStream.of("order.status-changed", 1000, 100);
			try (QueueRecorder recorder = QueueRecorder.consume(cluster.factory(otherThan(leader)), queue)) {
				cluster.pause(leader);
				try {
					stream.writeInBackground(database(), topology.schema(), 50).join();
					holdFor(Duration.ofSeconds(20));
					// Whatever was marked PUBLISHED meanwhile was confirmed, so it is in
					// the queue.
					assertThat(published(topology, stream.ids()))
						.isLessThanOrEqualTo(stream.ids().size() - stream.judge(recorder.received()).lost());
				}
				finally {
					cluster.resume(leader);
				}
				awaitAllReceived(stream, recorder, topology, Duration.ofSeconds(90));
				assertThat(stream.judge(recorder.received()).outOfOrder()).isZero();
			}
			await().atMost(Duration.ofSeconds(30)).until(() -> pending(topology) == 0);
			assertThat(cluster.connectionsNamed("event-hub-publisher")).as("one publishing connection, none leaked")
				.isEqualTo(1);
			await().atMost(Duration.ofSeconds(30)).until(() -> Thread.activeCount() <= threads + 5);
		}
	}

	/**
	 * Waits until the recorder has every event of the stream; says where things stand
	 * when it does not.
	 */
	private static void awaitAllReceived(EventStream stream, QueueRecorder recorder, TestTopology topology,
			Duration atMost) {
		try {
			await().atMost(atMost).until(() -> stream.judge(recorder.received()).lost() == 0);
		}
		catch (org.awaitility.core.ConditionTimeoutException ex) {
			throw new AssertionError("not everything arrived: " + stream.judge(recorder.received()) + "; outbox "
					+ jdbc().queryForList("SELECT status, count(*), max(attempts), max(last_error) FROM "
							+ topology.schema() + ".outbox_event GROUP BY status"),
					ex);
		}
	}

	/** Lets time pass while the hub works (a fault held for a while). */
	private static void holdFor(Duration duration) {
		await().pollDelay(duration).atMost(duration.plusSeconds(5)).until(() -> true);
	}

	private static Duration firstArrivalAfter(QueueRecorder recorder, long instant) {
		long first = recorder.received()
			.stream()
			.mapToLong(Received::at)
			.filter(at -> at > instant)
			.min()
			.orElseThrow();
		return Duration.ofNanos(first - instant);
	}

	private static HealthComponent readiness(ConfigurableApplicationContext hub) {
		return hub.getBean(HealthEndpoint.class).healthForPath("readiness");
	}

	private static Map<String, Integer> mailsPerOrder(GreenMail smtp) throws Exception {
		Pattern number = Pattern.compile("ORD-CL-\\d+");
		Map<String, Integer> mails = new LinkedHashMap<>();
		for (MimeMessage message : smtp.getReceivedMessages()) {
			Matcher matcher = number.matcher(message.getSubject());
			if (matcher.find()) {
				mails.merge(matcher.group(), 1, Integer::sum);
			}
		}
		return mails;
	}

	private static long deadLetters(TestTopology topology) throws Exception {
		try (com.rabbitmq.client.Connection connection = cluster.factory(3).newConnection("test-count");
				com.rabbitmq.client.Channel channel = connection.createChannel()) {
			return channel.messageCount(topology.deadLetterQueue());
		}
	}

	private static long pending(TestTopology topology) {
		return jdbc().queryForObject(
				"SELECT count(*) FROM " + topology.schema() + ".outbox_event WHERE status = 'PENDING'", Long.class);
	}

	private static long published(TestTopology topology, List<String> ids) {
		return jdbc().queryForObject(
				"SELECT count(*) FROM " + topology.schema()
						+ ".outbox_event WHERE status = 'PUBLISHED' AND event_id = ANY (?::uuid[])",
				Long.class, (Object) ids.toArray(String[]::new));
	}

	private static long attempts(TestTopology topology, List<String> ids) {
		return jdbc().queryForObject(
				"SELECT coalesce(sum(attempts), 0) FROM " + topology.schema()
						+ ".outbox_event WHERE event_id = ANY (?::uuid[])",
				Long.class, (Object) ids.toArray(String[]::new));
	}

	private static JdbcTemplate jdbc() {
		return new JdbcTemplate(new org.springframework.jdbc.datasource.DriverManagerDataSource(TestServices.JDBC_URL,
				TestServices.DB_USER, "postgres"));
	}

	private static Supplier<Connection> database() {
		return () -> {
			try {
				return TestServices.jdbc();
			}
			catch (SQLException ex) {
				throw new IllegalStateException(ex);
			}
		};
	}

	private static int otherThan(int node) {
		return (node == 3) ? 2 : 3;
	}

	private static TestTopology topology(String name) {
		TestTopology topology = TestTopology.unique(name);
		topologies.add(topology);
		return topology;
	}

	private static Map<String, Object> common() {
		Map<String, Object> settings = new HashMap<>();
		settings.put("spring.rabbitmq.addresses", cluster.addresses());
		settings.put("spring.rabbitmq.connection-timeout", "2s");
		settings.put("hub.relay.batch-size", BATCH);
		settings.put("hub.relay.confirm-timeout", "5s");
		settings.put("hub.relay.backoff-initial", "200ms");
		settings.put("hub.relay.backoff-max", "2s");
		settings.put("hub.routes.enabled", "false");
		return settings;
	}

	private static Map<String, Object> relayOnly() {
		Map<String, Object> settings = common();
		settings.put("hub.notifications.enabled", "false");
		return settings;
	}

	private static ConfigurableApplicationContext hub(String name, TestTopology topology,
			Map<String, Object> settings) {
		return HubInstance.start(name, topology, settings);
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}

}
