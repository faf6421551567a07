package com.ecommerce.eventhub.ops;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;

import com.ecommerce.eventhub.config.RetentionProperties;
import com.ecommerce.eventhub.config.TopologyProperties;
import com.ecommerce.eventhub.consumers.ConsumerRecords;
import com.ecommerce.eventhub.outbox.OutboxStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Deletes what the retention rules (spec "Event Retention") let go: PUBLISHED outbox rows
 * after {@code hub.retention.published}, DEAD rows once handled and then
 * {@code hub.retention.dead}, and idempotency keys and side-effect records after
 * {@code hub.retention.idempotency}; PENDING rows never. It works in bounded batches that
 * each commit on their own (the owners of the tables delete), so no pass holds long locks
 * or blocks the relay. A session advisory lock makes one instance do a given pass when
 * several run; the others skip it.
 */
@Component
class Housekeeping {

	private static final Logger log = LoggerFactory.getLogger(Housekeeping.class);

	/** Advisory lock key of the housekeeping pass ("eventhub" in ASCII). */
	private static final long LOCK_KEY = 0x6576656e74687562L;

	private final JdbcTemplate jdbc;

	private final OutboxStore outbox;

	private final ConsumerRecords consumerRecords;

	private final RetentionProperties retention;

	Housekeeping(JdbcTemplate jdbc, OutboxStore outbox, ConsumerRecords consumerRecords, RetentionProperties retention,
			TopologyProperties topology) {
		// A dead letter replayed on its last day must still find the idempotency keys of
		// its first delivery.
		retention.requireIdempotencyOutlives(topology.deadLetterTtl());
		this.jdbc = jdbc;
		this.outbox = outbox;
		this.consumerRecords = consumerRecords;
		this.retention = retention;
	}

	/**
	 * Runs one pass unless another instance is running one.
	 * @return rows deleted, or -1 when another instance holds the pass
	 */
	long runPass() {
		// The lock lives on this session while the deletes run on other pooled
		// connections.
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
				long published = deleteInBatches(this.outbox::deletePublished, this.retention.published());
				long dead = deleteInBatches(this.outbox::deleteHandledDead, this.retention.dead());
				long keys = deleteInBatches(this.consumerRecords::deleteOlderThan, this.retention.idempotency());
				if (published + dead + keys > 0) {
					log.info("Housekeeping deleted {} published outbox rows, {} handled dead rows, {} consumer records",
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

	private long deleteInBatches(AgeDelete delete, Duration olderThan) {
		int batch = this.retention.batchSize();
		long total = 0;
		int deleted;
		do {
			deleted = delete.apply(olderThan, batch);
			total += deleted;
		}
		while (deleted >= batch);
		return total;
	}

	/** One bounded delete of an owner's table. */
	@FunctionalInterface
	private interface AgeDelete {

		int apply(Duration age, int limit);

	}

}
