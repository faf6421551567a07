package com.ecommerce.eventhub.ingestion;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

import com.ecommerce.eventhub.envelope.Envelope;
import com.ecommerce.eventhub.outbox.OutboxStore;
import com.ecommerce.eventhub.tracing.EventTracing;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.dao.ConcurrencyFailureException;
import org.springframework.dao.NonTransientDataAccessException;
import org.springframework.dao.NonTransientDataAccessResourceException;
import org.springframework.dao.QueryTimeoutException;
import org.springframework.dao.TransientDataAccessResourceException;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionTimedOutException;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Group commit of single-event posts. Each such post used to be a transaction of its own
 * (a pooled connection, BEGIN, INSERT, COMMIT with its WAL flush, a NOTIFY): under load a
 * third of the machine's CPU per post went to PostgreSQL. Here one writer thread writes
 * them: the posts that arrived while its previous statement ran go into its next one (at
 * most {@value #MAX_EVENTS} envelopes, {@value #MAX_BYTES} bytes of JSON), in arrival
 * order, each statement in a transaction of its own. A post is answered only after its
 * row is committed, and a post that arrives alone is written at once, so nothing waits
 * for a batch to fill.
 *
 * <p>
 * Neither Camel nor Spring has this for a request that must wait for its own row: Camel's
 * aggregator ends the exchanges it groups. Arrays keep their own transaction
 * ({@link IngestionService}): all or nothing.
 */
@Component
class GroupCommit implements DisposableBean {

	private static final Logger log = LoggerFactory.getLogger(GroupCommit.class);

	static final int MAX_EVENTS = 100;

	static final int MAX_BYTES = 4 * 1024 * 1024;

	/**
	 * More than the request threads that can wait at once (Camel's platform-http runs
	 * them on Spring's task executor): a bound, not a buffer.
	 */
	private static final int QUEUE_CAPACITY = 4096;

	/**
	 * The longest a statement may take. One writer serves every single-event post of the
	 * instance: a statement held by a lock (a producer's open transaction inserting a
	 * posted eventId) or a database that stopped answering would otherwise hold them all.
	 * A hundred rows take milliseconds.
	 */
	static final Duration STATEMENT_TIMEOUT = Duration.ofSeconds(10);

	private final Statements statements;

	private final EventTracing tracing;

	private final BlockingQueue<Post> queue = new ArrayBlockingQueue<>(QUEUE_CAPACITY);

	private final Object accepting = new Object();

	private final Thread writer;

	private volatile boolean closed;

	/** A post drained after one with the same eventId: it starts the next statement. */
	private Post carried;

	@Autowired
	GroupCommit(OutboxStore outbox, PlatformTransactionManager transactionManager, EventTracing tracing) {
		this(outbox, transactionManager, STATEMENT_TIMEOUT, tracing);
	}

	/**
	 * Each statement in a transaction of its own, committed when it returns whatever the
	 * pool's auto-commit setting, and cancelled by PostgreSQL after the timeout (the
	 * transaction's timeout becomes the statement's query timeout).
	 */
	GroupCommit(OutboxStore outbox, PlatformTransactionManager transactionManager, Duration statementTimeout,
			EventTracing tracing) {
		this(inTransactions(outbox, transactionManager, statementTimeout), tracing);
	}

	private static Statements inTransactions(OutboxStore outbox, PlatformTransactionManager transactionManager,
			Duration statementTimeout) {
		TransactionTemplate transactions = new TransactionTemplate(transactionManager);
		transactions.setTimeout(Math.toIntExact(Math.max(1, statementTimeout.toSeconds())));
		return (envelopes, traceparents) -> transactions
			.execute(status -> outbox.insertAllIfAbsent(envelopes, traceparents));
	}

	GroupCommit(Statements statements, EventTracing tracing) {
		this.statements = statements;
		this.tracing = tracing;
		this.writer = new Thread(this::run, "ingestion-group-commit");
		this.writer.setDaemon(true);
		this.writer.start();
	}

	/**
	 * Stores a posted envelope unless its eventId exists, and waits until its statement
	 * has committed. It continues the trace in scope (the ingestion request).
	 * @param envelope the canonical, enriched, valid envelope
	 * @param bytes its size as JSON
	 * @return whether it was inserted; false when its eventId was stored before
	 * @throws org.springframework.dao.DataAccessException when it could not be stored
	 */
	boolean insertIfAbsent(Envelope envelope, int bytes) {
		Post post = new Post(envelope, this.tracing.currentTraceparent(), bytes, new CompletableFuture<>());
		synchronized (this.accepting) {
			if (this.closed || !this.writer.isAlive()) {
				throw new TransientDataAccessResourceException("The hub is stopping.");
			}
			if (!this.queue.offer(post)) {
				throw new TransientDataAccessResourceException(
						"The outbox writer is behind by " + QUEUE_CAPACITY + " posts.");
			}
		}
		try {
			return post.inserted().join();
		}
		catch (CompletionException ex) {
			if (ex.getCause() instanceof RuntimeException cause) {
				throw cause;
			}
			throw ex;
		}
	}

	/** Posts waiting for a statement (not the one being written). */
	int queued() {
		return this.queue.size();
	}

	private void run() {
		try {
			while ((!this.closed || !this.queue.isEmpty() || this.carried != null)
					&& !Thread.currentThread().isInterrupted()) {
				List<Post> statement = nextStatement();
				if (!statement.isEmpty()) {
					write(statement);
				}
			}
		}
		finally {
			// Only after destroy() gave up waiting: no post is left without an answer.
			List<Post> left = new ArrayList<>();
			if (this.carried != null) {
				left.add(this.carried);
			}
			this.queue.drainTo(left);
			left.forEach(post -> post.inserted()
				.completeExceptionally(new TransientDataAccessResourceException("The hub is stopping.")));
		}
	}

	/**
	 * The next post (waiting at most 100 ms) and every one queued behind it, up to the
	 * bounds. An eventId may be in a statement only once: PostgreSQL would insert one of
	 * the two and not say which.
	 */
	private List<Post> nextStatement() {
		Post first = this.carried;
		this.carried = null;
		if (first == null) {
			try {
				first = this.queue.poll(100, TimeUnit.MILLISECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return List.of();
			}
		}
		if (first == null) {
			return List.of();
		}
		List<Post> statement = new ArrayList<>();
		Set<UUID> eventIds = new HashSet<>();
		statement.add(first);
		eventIds.add(first.envelope().eventId());
		long bytes = first.bytes();
		Post next;
		while (statement.size() < MAX_EVENTS && (next = this.queue.peek()) != null
				&& bytes + next.bytes() <= MAX_BYTES) {
			this.queue.poll();
			if (!eventIds.add(next.envelope().eventId())) {
				this.carried = next;
				break;
			}
			statement.add(next);
			bytes += next.bytes();
		}
		return statement;
	}

	void write(List<Post> statement) {
		try {
			Set<UUID> inserted = this.statements.insertAllIfAbsent(statement.stream().map(Post::envelope).toList(),
					statement.stream().map(Post::traceparent).toList());
			statement.forEach(post -> post.inserted().complete(inserted.contains(post.envelope().eventId())));
		}
		catch (NonTransientDataAccessResourceException | QueryTimeoutException | TransactionTimedOutException ex) {
			// The database is out of reach (no connection within the pool's timeout) or
			// did not write the statement in time and rolled it back: the posts queued
			// meanwhile would wait as long each, so they are answered now too (503).
			log.warn("A grouped outbox insert of {} posts failed ({}); they and the {} posts queued behind them "
					+ "are answered 503", statement.size(), ex.getMessage(), this.queue.size());
			failWithQueued(statement, ex);
		}
		catch (NonTransientDataAccessException | ConcurrencyFailureException ex) {
			if (statement.size() > 1) {
				// A value PostgreSQL refuses, or a deadlock with a transaction inserting
				// some of the same eventIds in another order (an array post), fails the
				// whole statement: each post alone then, so it fails only its own.
				log.warn("A grouped outbox insert of {} posts failed ({}); writing each alone", statement.size(),
						ex.getMostSpecificCause().getMessage());
				statement.forEach(post -> write(List.of(post)));
			}
			else {
				statement.forEach(post -> post.inserted().completeExceptionally(ex));
			}
		}
		catch (RuntimeException | Error ex) {
			statement.forEach(post -> post.inserted().completeExceptionally(ex));
		}
	}

	private void failWithQueued(List<Post> statement, RuntimeException ex) {
		List<Post> waiting = new ArrayList<>(statement);
		if (this.carried != null) {
			waiting.add(this.carried);
			this.carried = null;
		}
		this.queue.drainTo(waiting);
		waiting.forEach(post -> post.inserted().completeExceptionally(ex));
	}

	/**
	 * Refuses new posts and writes those queued: the beans it needs are destroyed after
	 * it.
	 */
	@Override
	public void destroy() throws InterruptedException {
		synchronized (this.accepting) {
			this.closed = true;
		}
		this.writer.join(TimeUnit.SECONDS.toMillis(30));
		if (this.writer.isAlive()) {
			log.warn("The outbox writer did not finish within 30 s; the posts still queued are answered 503");
			this.writer.interrupt();
			this.writer.join(TimeUnit.SECONDS.toMillis(5));
		}
	}

	/** Writes one statement (and commits it). */
	@FunctionalInterface
	interface Statements {

		/**
		 * @param envelopes canonical, enriched, valid envelopes, no eventId twice
		 * @param traceparents each envelope's trace, or nulls
		 * @return the eventIds inserted; the others were stored before
		 */
		Set<UUID> insertAllIfAbsent(List<Envelope> envelopes, List<String> traceparents);

	}

	/**
	 * A single-event post waiting for its statement.
	 *
	 * @param envelope what to store
	 * @param traceparent the trace of the request, or null
	 * @param bytes its size as JSON
	 * @param inserted completed when its statement committed or failed
	 */
	record Post(Envelope envelope, String traceparent, int bytes, CompletableFuture<Boolean> inserted) {
	}

}
