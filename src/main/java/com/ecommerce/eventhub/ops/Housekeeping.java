package com.ecommerce.eventhub.ops;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;

import com.ecommerce.eventhub.config.RetentionProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Deletes what the retention rules let go, in bounded batches that each commit on their own, so no
 * pass holds long locks. A session advisory lock makes one instance do a given pass when several
 * run; the others skip it.
 */
@Component
class Housekeeping {

	private static final Logger log = LoggerFactory.getLogger(Housekeeping.class);

	/** Advisory lock key of the housekeeping pass ("eventhub" in ASCII). */
	private static final long LOCK_KEY = 0x6576656e74687562L;

	private static final String DELETE_IDEMPOTENCY_KEYS = """
			DELETE FROM processed_event WHERE ctid = ANY (ARRAY(
			    SELECT ctid FROM processed_event WHERE processed_at < now() - make_interval(secs => ?) LIMIT ?))""";

	private final JdbcTemplate jdbc;

	private final RetentionProperties retention;

	Housekeeping(JdbcTemplate jdbc, RetentionProperties retention) {
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
				return deleteInBatches(connection, DELETE_IDEMPOTENCY_KEYS, this.retention.idempotency());
			}
			finally {
				try (PreparedStatement unlock = connection.prepareStatement("SELECT pg_advisory_unlock(?)")) {
					unlock.setLong(1, LOCK_KEY);
					unlock.execute();
				}
			}
		});
		if (deleted != null && deleted > 0) {
			log.info("Housekeeping deleted {} expired idempotency keys", deleted);
		}
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
