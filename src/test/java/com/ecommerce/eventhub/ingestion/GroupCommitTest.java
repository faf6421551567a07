package com.ecommerce.eventhub.ingestion;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import com.ecommerce.eventhub.envelope.Envelope;
import com.ecommerce.eventhub.support.OutboxFixtures;
import com.ecommerce.eventhub.tracing.EventTracing;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.dao.QueryTimeoutException;
import org.springframework.dao.TransientDataAccessResourceException;
import org.springframework.jdbc.CannotGetJdbcConnectionException;
import org.springframework.transaction.TransactionTimedOutException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * How {@link GroupCommit} groups posts into statements and answers them, with a statement
 * that the test holds, fails or records (what PostgreSQL does with a statement is
 * {@code GroupCommitIT}'s).
 */
class GroupCommitTest {

	private final CountDownLatch release = new CountDownLatch(1);

	private final List<List<UUID>> statements = Collections.synchronizedList(new ArrayList<>());

	private final ExecutorService clients = Executors.newCachedThreadPool();

	private volatile RuntimeException failure;

	/** Records each statement; the first waits for {@link #release}. */
	private final GroupCommit groupCommit = new GroupCommit((envelopes, traceparents) -> {
		this.statements.add(envelopes.stream().map(Envelope::eventId).toList());
		if (this.statements.size() == 1) {
			awaitRelease();
		}
		if (this.failure != null) {
			throw this.failure;
		}
		return new HashSet<>(envelopes.stream().map(Envelope::eventId).toList());
	}, EventTracing.off());

	@AfterEach
	void stop() throws Exception {
		this.release.countDown();
		this.groupCommit.destroy();
		this.clients.shutdownNow();
	}

	@Test
	void postsQueuedBehindAStatementAreWrittenByTheNextUpToItsBoundAndARepeatedEventIdByTheOneAfter() throws Exception {
		Envelope first = envelope(UUID.randomUUID());
		List<Future<Boolean>> answers = new ArrayList<>();
		answers.add(post(first));
		await().atMost(5, TimeUnit.SECONDS).until(() -> this.statements.size() == 1);
		List<Envelope> queued = new ArrayList<>();
		for (int i = 0; i < GroupCommit.MAX_EVENTS + 20; i++) {
			queued.add(envelope(UUID.randomUUID()));
		}
		// The same eventId as the fifth: it must wait for a statement of its own.
		queued.add(5, queued.get(4));
		for (Envelope envelope : queued) {
			int before = this.groupCommit.queued();
			answers.add(post(envelope));
			await().pollDelay(Duration.ZERO)
				.pollInterval(Duration.ofMillis(1))
				.atMost(Duration.ofSeconds(5))
				.until(() -> this.groupCommit.queued() == before + 1);
		}
		this.release.countDown();
		for (Future<Boolean> answer : answers) {
			assertThat(answer.get(5, TimeUnit.SECONDS)).isTrue();
		}

		List<UUID> ids = queued.stream().map(Envelope::eventId).toList();
		assertThat(this.statements).hasSize(4);
		assertThat(this.statements.get(0)).containsExactly(first.eventId());
		assertThat(this.statements.get(1)).as("up to the repeated eventId")
			.containsExactlyElementsOf(ids.subList(0, 5));
		assertThat(this.statements.get(2)).as("from the repeat on, at most MAX_EVENTS")
			.containsExactlyElementsOf(ids.subList(5, 5 + GroupCommit.MAX_EVENTS));
		assertThat(this.statements.get(3))
			.containsExactlyElementsOf(ids.subList(5 + GroupCommit.MAX_EVENTS, ids.size()));
	}

	/**
	 * A database out of reach (no connection within the pool's timeout), a statement
	 * PostgreSQL cancelled at its timeout, a transaction past its deadline before the
	 * statement began.
	 */
	static List<RuntimeException> failuresThatWouldRepeatForEveryStatement() {
		return List.of(new CannotGetJdbcConnectionException("Connection is not available, request timed out"),
				new QueryTimeoutException("ERROR: canceling statement due to user request"),
				new TransactionTimedOutException("Transaction timed out"));
	}

	@ParameterizedTest
	@MethodSource("failuresThatWouldRepeatForEveryStatement")
	void thePostsQueuedBehindAStatementThatCouldNotBeWrittenInTimeAreAnsweredWithItsFailure(RuntimeException failure)
			throws Exception {
		this.failure = failure;
		List<Future<Boolean>> answers = new ArrayList<>();
		answers.add(post(envelope(UUID.randomUUID())));
		await().atMost(5, TimeUnit.SECONDS).until(() -> this.statements.size() == 1);
		for (int i = 0; i < 3; i++) {
			answers.add(post(envelope(UUID.randomUUID())));
		}
		await().atMost(5, TimeUnit.SECONDS).until(() -> this.groupCommit.queued() == 3);
		this.release.countDown();

		for (Future<Boolean> answer : answers) {
			assertThatThrownBy(() -> answer.get(5, TimeUnit.SECONDS)).hasCause(failure);
		}
		assertThat(this.statements).as("one attempt, not one timeout per statement").hasSize(1);
	}

	@Test
	void aStoppingHubWritesWhatIsQueuedAndRefusesNewPosts() throws Exception {
		Future<Boolean> first = post(envelope(UUID.randomUUID()));
		await().atMost(5, TimeUnit.SECONDS).until(() -> this.statements.size() == 1);
		Future<Boolean> queued = post(envelope(UUID.randomUUID()));
		await().atMost(5, TimeUnit.SECONDS).until(() -> this.groupCommit.queued() == 1);
		Future<?> stopping = this.clients.submit(() -> {
			this.groupCommit.destroy();
			return null;
		});
		await().atMost(5, TimeUnit.SECONDS)
			.untilAsserted(
					() -> assertThatThrownBy(() -> this.groupCommit.insertIfAbsent(envelope(UUID.randomUUID()), 1))
						.isInstanceOf(TransientDataAccessResourceException.class)
						.hasMessageContaining("stopping"));
		this.release.countDown();
		stopping.get(5, TimeUnit.SECONDS);

		assertThat(first.get()).isTrue();
		assertThat(queued.get()).isTrue();
		assertThat(this.statements).hasSize(2);
	}

	private Future<Boolean> post(Envelope envelope) {
		return this.clients.submit(() -> this.groupCommit.insertIfAbsent(envelope, 1000));
	}

	private void awaitRelease() {
		try {
			this.release.await(30, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	private static Envelope envelope(UUID eventId) {
		ObjectNode tree = OutboxFixtures.example("order.placed");
		tree.put("eventId", eventId.toString());
		return Envelope.fromValidTree(tree);
	}

}
