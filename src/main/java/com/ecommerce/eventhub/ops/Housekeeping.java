package com.ecommerce.eventhub.ops;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;

import com.ecommerce.eventhub.config.RetentionProperties;
import com.ecommerce.eventhub.config.TopologyProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Deletes what the retention rules (spec "Event Retention") let go: PUBLISHED outbox rows after
 * {@code hub.retention.published}, DEAD rows once handled and then {@code hub.retention.dead}, and
 * idempotency keys and side-effect records after {@code hub.retention.idempotency}; PENDING rows never.
 * It works in bounded batches that each commit on their own, so no pass holds long locks or blocks the
 * relay. A session advisory lock makes one instance do a given pass when several run; the others skip it.
 */
@Component
class Housekeeping {

	private static final Logger log = LoggerFactory.getLogger(Housekeeping.class);

	/** Advisory lock key of the housekeeping pass ("eventhub" in ASCII). */
	private static final long LOCK_KEY = 0x6576656e74687562L;

	// No index on published_at: old rows sit at the start of the heap, where a sequential scan with a
	// LIMIT finds them at once, and an index would cost every relay mark an extra index write.
	private static final String DELETE_PUBLISHED = """
			DELETE FROM outbox_event WHERE ctid = ANY (ARRAY(
			    SELECT ctid FROM outbox_event
			    WHERE status = 'PUBLISHED' AND published_at < now() - make_interval(secs => ?) LIMIT ?))""";

	private static final String DELETE_HANDLED_DEAD = """
			DELETE FROM outbox_event WHERE ctid = ANY (ARRAY(
			    SELECT ctid FROM outbox_event
			    WHERE status = 'DEAD' AND handled_at < now() - make_interval(secs => ?) LIMIT ?))""";

	private static final String DELETE_IDEMPOTENCY_KEYS = """
			DELETE FROM processed_event WHERE ctid = ANY (ARRAY(
			    SELECT ctid FROM processed_event WHERE processed_at < now() - make_interval(secs => ?) LIMIT ?))""";

	private static final String DELETE_SIDE_EFFECTS = """
			DELETE FROM side_effect WHERE ctid = ANY (ARRAY(
			    SELECT ctid FROM side_effect WHERE started_at < now() - make_interval(secs => ?) LIMIT ?))""";

	private final JdbcTemplate jdbc;

	private final RetentionProperties retention;

	Housekeeping(JdbcTemplate jdbc, RetentionProperties retention, TopologyProperties topology) {
		// A dead letter replayed on its last day must still find the idempotency keys of its first delivery.
		retention.requireIdempotencyOutlives(topology.deadLetterTtl());
		this.jdbc = jdbc;
		this.retention = retention;
	}

	/**
	 * Runs one pass unless another instance is running one.
	 * @return rows deleted, or -1 when another instance holds the pass
	 */
	long runPass() {
		Long deleted = this.jdbc.execute((ConnectionCallback<Long>) connection -> {
			try (PreparedStatement lock = connection.prepareStatement("SELECT pg_try_advisory_lock(?)")) {
				lock.setLong(1, LOCK_KEY);
				try (ResultSet rs = lock.executeQuery()) {
					rs.next();
					if (!rs.getBoolean(1)) {
						return -1L;
					}
				}
			}
			try {
				long published = deleteInBatches(connection, DELETE_PUBLISHED, this.retention.published());
				long dead = deleteInBatches(connection, DELETE_HANDLED_DEAD, this.retention.dead());
				long keys = deleteInBatches(connection, DELETE_IDEMPOTENCY_KEYS, this.retention.idempotency())
						+ deleteInBatches(connection, DELETE_SIDE_EFFECTS, this.retention.idempotency());
				if (published + dead + keys > 0) {
					log.info("Housekeeping deleted {} published outbox rows, {} handled dead rows, {} idempotency keys",
							published, dead, keys);
				}
				return published + dead + keys;
			}
			finally {
				try (PreparedStatement unlock = connection.prepareStatement("SELECT pg_advisory_unlock(?)")) {
					unlock.setLong(1, LOCK_KEY);
					unlock.execute();
				}
			}
		});
		return (deleted != null) ? deleted : 0;
	}

	private long deleteInBatches(java.sql.Connection connection, String sql, Duration olderThan)
			throws java.sql.SQLException {
		boolean autoCommit = connection.getAutoCommit();
		connection.setAutoCommit(true); // each batch commits on its own
		try (PreparedStatement delete = connection.prepareStatement(sql)) {
			long total = 0;
			int deleted;
			do {
				delete.setDouble(1, olderThan.toMillis() / 1000.0);
				delete.setInt(2, this.retention.batchSize());
				deleted = delete.executeUpdate();
				total += deleted;
			}
			while (deleted == this.retention.batchSize());
			return total;
		}
		finally {
			connection.setAutoCommit(autoCommit);
		}
	}

}
