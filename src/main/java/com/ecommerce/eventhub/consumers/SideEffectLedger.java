package com.ecommerce.eventhub.consumers;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The side-effect ledger ({@code side_effect}): a consumer route's remote side effect
 * records its intent before the call and its outcome after it, each in a short
 * transaction of its own, so no connection is held while the peer answers and a
 * redelivery, a duplicate or a concurrent delivery of the same event (after a broker node
 * died) knows what happened.
 */
@Repository
class SideEffectLedger {

	private static final String CURRENT = """
			SELECT state, lease_until < now() AS expired,
			       greatest(extract(epoch FROM lease_until - now()), 0) AS lease_left
			FROM side_effect WHERE consumer = ? AND event_id = ? FOR UPDATE""";

	private static final String INSERT = """
			INSERT INTO side_effect (consumer, event_id, state, lease_until)
			VALUES (?, ?, 'STARTED', now() + make_interval(secs => ?))
			ON CONFLICT (consumer, event_id) DO NOTHING""";

	private static final String RESTART = """
			UPDATE side_effect
			SET state = 'STARTED', attempts = attempts + 1, lease_until = now() + make_interval(secs => ?),
			    started_at = now(), finished_at = NULL, outcome = NULL
			WHERE consumer = ? AND event_id = ?""";

	private static final String FINISH = """
			UPDATE side_effect SET state = ?, finished_at = now(), outcome = ?
			WHERE consumer = ? AND event_id = ? AND state = 'STARTED'""";

	private static final String DELETE_OLD = """
			DELETE FROM side_effect WHERE ctid = ANY (ARRAY(
			    SELECT ctid FROM side_effect WHERE started_at < now() - make_interval(secs => ?) LIMIT ?))""";

	// A side effect in flight (STARTED, lease running) keeps its record: forgetting it
	// would let a second delivery act beside the running one.
	private static final String FORGET = """
			DELETE FROM side_effect
			WHERE consumer = ? AND event_id = ANY (?) AND (state <> 'STARTED' OR lease_until < now())""";

	private final JdbcTemplate jdbc;

	private final TransactionTemplate transaction;

	SideEffectLedger(JdbcTemplate jdbc, PlatformTransactionManager transactions) {
		this.jdbc = jdbc;
		this.transaction = new TransactionTemplate(transactions);
		this.transaction.setTimeout(10);
	}

	/**
	 * Records the intent of a side effect, unless the ledger says it must not happen now.
	 * @param consumer the consumer route id
	 * @param eventId the event
	 * @param lease how long the intent belongs to this attempt (its timeout and a margin)
	 * @param repeatAmbiguous whether an intent without outcome is taken over and the
	 * effect repeated (at-least-once); otherwise it stays as it is and
	 * {@link Kind#AMBIGUOUS} is answered (at-most-once)
	 * @return what the caller may do
	 */
	Intent begin(String consumer, UUID eventId, Duration lease, boolean repeatAmbiguous) {
		double seconds = lease.toMillis() / 1000.0;
		return this.transaction.execute(status -> {
			if (this.jdbc.update(INSERT, consumer, eventId, seconds) == 1) {
				return Intent.fresh();
			}
			// Another transaction inserted it, or it exists: read it under a row lock.
			List<Map<String, Object>> rows = this.jdbc.queryForList(CURRENT, consumer, eventId);
			Map<String, Object> row = rows.get(0);
			String state = (String) row.get("state");
			if ("SUCCEEDED".equals(state)) {
				return Intent.done();
			}
			if ("STARTED".equals(state) && !Boolean.TRUE.equals(row.get("expired"))) {
				long left = (long) Math.ceil(((Number) row.get("lease_left")).doubleValue() * 1000);
				return Intent.busy(Duration.ofMillis(left));
			}
			// A known failure is retried as new; a STARTED record whose lease ran out may
			// have acted.
			boolean ambiguous = !"FAILED".equals(state);
			if (!ambiguous || repeatAmbiguous) {
				this.jdbc.update(RESTART, seconds, consumer, eventId);
			}
			return ambiguous ? Intent.ambiguous() : Intent.fresh();
		});
	}

	/**
	 * Records that the side effect happened.
	 * @param consumer the consumer route id
	 * @param eventId the event
	 * @param outcome what the peer answered, for people (e.g. the Message-ID), or null
	 */
	void succeeded(String consumer, UUID eventId, String outcome) {
		this.jdbc.update(FINISH, "SUCCEEDED", outcome, consumer, eventId);
	}

	/**
	 * Records that the side effect did not happen, so the next attempt may call again at
	 * once.
	 * @param consumer the consumer route id
	 * @param eventId the event
	 * @param reason why
	 */
	void failed(String consumer, UUID eventId, String reason) {
		String bounded = (reason == null || reason.length() <= 1000) ? reason : reason.substring(0, 1000);
		this.jdbc.update(FINISH, "FAILED", bounded, consumer, eventId);
	}

	/**
	 * Forgets the finished side effects of these events, so the consumer acts on them
	 * again; one in flight is kept.
	 * @param consumer the consumer route id
	 * @param eventIds the events
	 * @return records deleted
	 */
	int forget(String consumer, Collection<UUID> eventIds) {
		return this.jdbc.update(FORGET, consumer, eventIds.toArray(UUID[]::new));
	}

	/**
	 * Deletes, in one statement, at most {@code limit} records started longer ago than
	 * {@code age}.
	 * @param age how old a record must be
	 * @param limit rows per statement
	 * @return rows deleted
	 */
	int deleteOlderThan(Duration age, int limit) {
		return this.jdbc.update(DELETE_OLD, age.toMillis() / 1000.0, limit);
	}

	/**
	 * What the ledger allows.
	 *
	 * @param kind the decision
	 * @param leaseLeft for {@link Kind#BUSY}, how long the other attempt's lease still
	 * runs
	 */
	record Intent(Kind kind, Duration leaseLeft) {

		static Intent fresh() {
			return new Intent(Kind.FRESH, Duration.ZERO);
		}

		static Intent done() {
			return new Intent(Kind.DONE, Duration.ZERO);
		}

		static Intent busy(Duration leaseLeft) {
			return new Intent(Kind.BUSY, leaseLeft);
		}

		static Intent ambiguous() {
			return new Intent(Kind.AMBIGUOUS, Duration.ZERO);
		}

	}

	/** The ledger's decisions. */
	enum Kind {

		/** No effect recorded, or the last one failed: go ahead. */
		FRESH,

		/** The effect happened: do not repeat it. */
		DONE,

		/** Another attempt holds the intent right now: try later. */
		BUSY,

		/**
		 * An earlier attempt recorded its intent and no outcome: the peer may or may not
		 * have acted.
		 */
		AMBIGUOUS

	}

}
