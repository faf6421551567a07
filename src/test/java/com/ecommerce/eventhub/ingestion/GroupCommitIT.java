package com.ecommerce.eventhub.ingestion;

import java.sql.Connection;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import com.ecommerce.eventhub.envelope.Envelope;
import com.ecommerce.eventhub.envelope.EnvelopeJson;
import com.ecommerce.eventhub.outbox.OutboxStore;
import com.ecommerce.eventhub.support.HubIntegrationTest;
import com.ecommerce.eventhub.support.OutboxFixtures;
import com.ecommerce.eventhub.support.TestTopology;
import com.ecommerce.eventhub.tracing.EventTracing;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.dao.QueryTimeoutException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.PlatformTransactionManager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The group commit of single-event posts against the real PostgreSQL: posts that arrive
 * while a statement runs share the next one, each is told whether it was inserted, a
 * value PostgreSQL refuses fails only its own post, an eventId is inserted once, and a
 * statement held by a lock is cancelled at its timeout.
 */
@HubIntegrationTest(webEnvironment = WebEnvironment.NONE, properties = "hub.relay.enabled=false")
class GroupCommitIT {

	static final TestTopology topology = TestTopology.of(GroupCommitIT.class);

	@Autowired
	GroupCommit groupCommit;

	@Autowired
	JdbcTemplate jdbc;

	@Autowired
	DataSource dataSource;

	@Autowired
	OutboxStore outbox;

	@Autowired
	PlatformTransactionManager transactionManager;

	@Test
	void postsThatArriveWhileAStatementRunsShareTheNextOneAndAreAnsweredAfterItCommits() throws Exception {
		List<Envelope> posts = new ArrayList<>();
		for (int i = 0; i < 20; i++) {
			posts.add(envelope(UUID.randomUUID()));
		}
		ExecutorService clients = Executors.newFixedThreadPool(posts.size());
		try (Connection lock = this.dataSource.getConnection(); Statement statement = lock.createStatement()) {
			// Inserts wait for this lock: the first post's statement blocks, the others
			// queue behind it.
			lock.setAutoCommit(false);
			statement.execute("LOCK TABLE outbox_event IN EXCLUSIVE MODE");
			Future<Boolean> first = clients.submit(() -> this.groupCommit.insertIfAbsent(posts.get(0), 1000));
			await().atMost(Duration.ofSeconds(10)).until(() -> blockedInserts() == 1);
			List<Future<Boolean>> others = new ArrayList<>();
			for (Envelope post : posts.subList(1, posts.size())) {
				others.add(clients.submit(() -> this.groupCommit.insertIfAbsent(post, 1000)));
				await().atMost(Duration.ofSeconds(10)).until(() -> this.groupCommit.queued() == others.size());
			}
			lock.commit();

			assertThat(first.get()).isTrue();
			for (Future<Boolean> other : others) {
				assertThat(other.get()).isTrue();
			}
		}
		finally {
			clients.shutdownNow();
		}
		List<String> eventIds = posts.stream().map(post -> post.eventId().toString()).toList();
		assertThat(this.jdbc.queryForObject(
				"SELECT count(DISTINCT xmin::text) FROM outbox_event WHERE event_id::text = ANY (?)", Long.class,
				(Object) eventIds.toArray(String[]::new)))
			.as("transactions that wrote the 20 rows")
			.isEqualTo(2);
		List<String> stored = this.jdbc.queryForList(
				"SELECT event_id::text FROM outbox_event WHERE event_id::text = ANY (?) ORDER BY id", String.class,
				(Object) eventIds.subList(1, eventIds.size()).toArray(String[]::new));
		assertThat(stored).as("the grouped posts in arrival order")
			.containsExactlyElementsOf(eventIds.subList(1, eventIds.size()));
	}

	@Test
	void anOccurredAtBeforeTheGregorianCalendarIsStoredAsATransactionOfItsOwnStoresIt() {
		Instant early = Instant.parse("1000-01-01T12:34:56.123456Z");
		Envelope grouped = withOccurredAt(envelope(UUID.randomUUID()), early);
		Envelope alone = withOccurredAt(envelope(UUID.randomUUID()), early);

		assertThat(this.groupCommit.insertIfAbsent(grouped, 1000)).isTrue();
		assertThat(this.outbox.insertIfAbsent(alone, true).created()).isTrue();

		assertThat(occurredAt(grouped.eventId())).isEqualTo(occurredAt(alone.eventId()));
		assertThat(this.jdbc
			.queryForObject("SELECT occurred_at FROM outbox_event WHERE event_id = ?::uuid", Timestamp.class,
					grouped.eventId().toString())
			.toInstant()).as("read back as the relay reads it").isEqualTo(early);
		assertThat(this.outbox.existing(grouped, true).conflict()).as("a re-post finds its twin").isFalse();
	}

	@Test
	void anEventIdQueuedTwiceIsWrittenByTheStatementAfterTheFirst() throws Exception {
		Envelope a = envelope(UUID.randomUUID());
		Envelope b = envelope(UUID.randomUUID());
		ExecutorService clients = Executors.newCachedThreadPool();
		List<Future<Boolean>> answers = new ArrayList<>();
		try (Connection lock = this.dataSource.getConnection(); Statement statement = lock.createStatement()) {
			lock.setAutoCommit(false);
			statement.execute("LOCK TABLE outbox_event IN EXCLUSIVE MODE");
			Envelope blocked = envelope(UUID.randomUUID());
			clients.submit(() -> this.groupCommit.insertIfAbsent(blocked, 1000));
			await().atMost(Duration.ofSeconds(10)).until(() -> blockedInserts() == 1);
			for (Envelope post : List.of(a, a, b)) {
				answers.add(clients.submit(() -> this.groupCommit.insertIfAbsent(post, 1000)));
				await().atMost(Duration.ofSeconds(10)).until(() -> this.groupCommit.queued() == answers.size());
			}
			lock.commit();
			assertThat(answers.get(0).get()).isTrue();
			assertThat(answers.get(1).get()).as("the repeat").isFalse();
			assertThat(answers.get(2).get()).isTrue();
		}
		finally {
			clients.shutdownNow();
		}
		assertThat(rows(a.eventId())).isEqualTo(1);
	}

	@Test
	void aStatementInsertsTheNewPostsAndSkipsAnEventIdStoredBefore() {
		Envelope before = envelope(UUID.randomUUID());
		assertThat(this.groupCommit.insertIfAbsent(before, 1000)).isTrue();
		GroupCommit.Post first = post(envelope(UUID.randomUUID()));
		GroupCommit.Post again = post(before);
		GroupCommit.Post last = post(envelope(UUID.randomUUID()));

		this.groupCommit.write(List.of(first, again, last));

		assertThat(first.inserted().join()).isTrue();
		assertThat(again.inserted().join()).as("stored before").isFalse();
		assertThat(last.inserted().join()).isTrue();
		List<String> order = this.jdbc.queryForList(
				"SELECT event_id::text FROM outbox_event WHERE event_id IN (?::uuid, ?::uuid) ORDER BY id",
				String.class, first.envelope().eventId().toString(), last.envelope().eventId().toString());
		assertThat(order).containsExactly(first.envelope().eventId().toString(), last.envelope().eventId().toString());
	}

	@Test
	void aValuePostgresqlRefusesFailsOnlyItsOwnPost() {
		Envelope valid = envelope(UUID.randomUUID());
		Envelope refused = envelope(UUID.randomUUID());
		// Ingestion refuses U+0000 before it gets here; a text column cannot hold it.
		refused = new Envelope(refused.eventId(), refused.eventType(), refused.eventVersion(), "ord-\u0000",
				refused.aggregateType(), refused.occurredAt(), refused.correlationId(), refused.causationId(),
				refused.metadata(), refused.payload());
		GroupCommit.Post good = post(valid);
		GroupCommit.Post bad = post(refused);

		this.groupCommit.write(List.of(good, bad));

		assertThat(good.inserted().join()).isTrue();
		assertThatThrownBy(() -> bad.inserted().join()).hasCauseInstanceOf(DataIntegrityViolationException.class);
		assertThat(rows(valid.eventId())).isEqualTo(1);
		assertThat(rows(refused.eventId())).isZero();
	}

	@Test
	void aDeadlockWithATransactionInsertingTheSameEventIdsInAnotherOrderIsResolvedPostByPost() throws Exception {
		Envelope first = envelope(UUID.randomUUID());
		Envelope second = envelope(UUID.randomUUID());
		GroupCommit.Post x = post(first);
		GroupCommit.Post y = post(second);
		ExecutorService writer = Executors.newSingleThreadExecutor();
		try (Connection array = this.dataSource.getConnection()) {
			// An array post's transaction holds the second eventId. The statement inserts
			// the first and waits for the second, then the transaction inserts the first:
			// a deadlock, which PostgreSQL breaks by failing the statement.
			array.setAutoCommit(false);
			insert(array, second);
			Future<?> statement = writer.submit(() -> this.groupCommit.write(List.of(x, y)));
			await().atMost(Duration.ofSeconds(10)).until(() -> blockedInserts() == 1);
			insert(array, first);
			array.commit();
			statement.get();
		}
		finally {
			writer.shutdownNow();
		}
		assertThat(x.inserted().join()).as("stored by the array's transaction").isFalse();
		assertThat(y.inserted().join()).as("stored by the array's transaction").isFalse();
		assertThat(rows(first.eventId()) + rows(second.eventId())).isEqualTo(2);
	}

	@Test
	void concurrentPostsOfOneEventIdInsertItOnceAndTheOthersAreToldItExists() throws Exception {
		Envelope shared = envelope(UUID.randomUUID());
		ExecutorService clients = Executors.newFixedThreadPool(16);
		try {
			List<Future<Boolean>> answers = new ArrayList<>();
			for (int i = 0; i < 64; i++) {
				answers.add(clients.submit(() -> this.groupCommit.insertIfAbsent(shared, 1000)));
			}
			int inserted = 0;
			for (Future<Boolean> answer : answers) {
				inserted += answer.get() ? 1 : 0;
			}
			assertThat(inserted).isEqualTo(1);
		}
		finally {
			clients.shutdownNow();
		}
		assertThat(rows(shared.eventId())).isEqualTo(1);
	}

	@Test
	void aStatementHeldPastItsTimeoutIsCancelledAndItAndThePostsQueuedBehindItAreAnsweredAtOnce() throws Exception {
		GroupCommit oneSecond = new GroupCommit(this.outbox, this.transactionManager, Duration.ofSeconds(1),
				EventTracing.off());
		Envelope held = envelope(UUID.randomUUID());
		List<Envelope> behind = List.of(envelope(UUID.randomUUID()), envelope(UUID.randomUUID()));
		ExecutorService clients = Executors.newCachedThreadPool();
		try (Connection producer = this.dataSource.getConnection()) {
			// A producer's open transaction inserted the eventId a client posts: the
			// statement waits for it, and every post queues behind the statement.
			producer.setAutoCommit(false);
			insert(producer, held);
			Future<Boolean> heldAnswer = clients.submit(() -> oneSecond.insertIfAbsent(held, 1000));
			await().atMost(Duration.ofSeconds(10)).until(() -> blockedInserts() == 1);
			List<Future<Boolean>> behindAnswers = new ArrayList<>();
			for (Envelope post : behind) {
				behindAnswers.add(clients.submit(() -> oneSecond.insertIfAbsent(post, 1000)));
			}
			await().atMost(Duration.ofSeconds(10)).until(() -> oneSecond.queued() == behind.size());

			assertThatThrownBy(() -> heldAnswer.get(30, TimeUnit.SECONDS))
				.hasCauseInstanceOf(QueryTimeoutException.class);
			for (Future<Boolean> answer : behindAnswers) {
				assertThatThrownBy(() -> answer.get(30, TimeUnit.SECONDS))
					.as("queued behind the held statement, answered with it")
					.hasCauseInstanceOf(QueryTimeoutException.class);
			}
			assertThat(blockedInserts()).as("the statement was cancelled, not left waiting").isZero();
			producer.rollback();
		}
		finally {
			clients.shutdownNow();
		}
		try {
			assertThat(oneSecond.insertIfAbsent(held, 1000)).as("posted again once the lock is gone").isTrue();
			for (Envelope post : behind) {
				assertThat(rows(post.eventId())).as("a 503 stored nothing").isZero();
				assertThat(oneSecond.insertIfAbsent(post, 1000)).isTrue();
			}
		}
		finally {
			oneSecond.destroy();
		}
	}

	/** As a producer writes it, in the connection's transaction. */
	private static void insert(Connection connection, Envelope envelope) throws Exception {
		OutboxFixtures.insert(connection, topology.schema(), EnvelopeJson.mapper().valueToTree(envelope));
	}

	private String occurredAt(UUID eventId) {
		return this.jdbc.queryForObject("SELECT occurred_at::text FROM outbox_event WHERE event_id = ?::uuid",
				String.class, eventId.toString());
	}

	private static Envelope withOccurredAt(Envelope envelope, Instant occurredAt) {
		return new Envelope(envelope.eventId(), envelope.eventType(), envelope.eventVersion(), envelope.aggregateId(),
				envelope.aggregateType(), occurredAt, envelope.correlationId(), envelope.causationId(),
				envelope.metadata(), envelope.payload());
	}

	private long blockedInserts() {
		return this.jdbc.queryForObject("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
				+ " AND query LIKE 'INSERT INTO outbox_event%'", Long.class);
	}

	private long rows(UUID eventId) {
		return this.jdbc.queryForObject("SELECT count(*) FROM outbox_event WHERE event_id = ?::uuid", Long.class,
				eventId.toString());
	}

	private static GroupCommit.Post post(Envelope envelope) {
		return new GroupCommit.Post(envelope, null, 1000, new CompletableFuture<>());
	}

	private static Envelope envelope(UUID eventId) {
		ObjectNode tree = OutboxFixtures.example("order.placed");
		tree.put("eventId", eventId.toString());
		return Envelope.fromValidTree(tree);
	}

}
