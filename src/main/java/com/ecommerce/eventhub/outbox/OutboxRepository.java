package com.ecommerce.eventhub.outbox;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import com.ecommerce.eventhub.config.RelayProperties;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

/**
 * Records what became of claimed rows. Runs inside the relay route's transaction, the one that
 * claimed the rows, so a crash before commit leaves them PENDING for the next poll.
 */
@Repository
class OutboxRepository {

	private static final String MARK_PUBLISHED = """
			UPDATE outbox_event
			SET status = 'PUBLISHED', published_at = now(), attempts = attempts + 1, last_error = NULL
			WHERE id = ANY (?)""";

	private static final String MARK_DEAD = """
			UPDATE outbox_event
			SET status = 'DEAD', attempts = attempts + 1, last_error = ?
			WHERE id = ?""";

	// Exponential backoff from the row's own attempt count, capped: initial * 2^attempts.
	private static final String MARK_FAILED = """
			UPDATE outbox_event
			SET attempts = attempts + 1, last_error = ?,
			    available_at = now() + make_interval(secs => least(? * power(2, least(attempts, 30)), ?))
			WHERE id = ANY (?)""";

	private final JdbcTemplate jdbc;

	private final double backoffInitialSeconds;

	private final double backoffMaxSeconds;

	OutboxRepository(JdbcTemplate jdbc, RelayProperties relay) {
		this.jdbc = jdbc;
		this.backoffInitialSeconds = relay.backoffInitial().toMillis() / 1000.0;
		this.backoffMaxSeconds = relay.backoffMax().toMillis() / 1000.0;
	}

	void markPublished(List<Long> ids) {
		if (!ids.isEmpty()) {
			this.jdbc.update(MARK_PUBLISHED, (Object) ids.toArray(Long[]::new));
		}
	}

	void markDead(Map<Long, String> reasons) {
		if (!reasons.isEmpty()) {
			this.jdbc.batchUpdate(MARK_DEAD, reasons.entrySet()
				.stream()
				.map(entry -> new Object[] { entry.getValue(), entry.getKey() })
				.toList());
		}
	}

	/**
	 * Counts a failed attempt for each row and postpones it by its backoff.
	 * @param errors row id to error message
	 */
	void markFailed(Map<Long, String> errors) {
		Map<String, List<Long>> idsByError = errors.entrySet()
			.stream()
			.collect(Collectors.groupingBy(Map.Entry::getValue,
					Collectors.mapping(Map.Entry::getKey, Collectors.toList())));
		idsByError.forEach((error, ids) -> this.jdbc.update(MARK_FAILED, error, this.backoffInitialSeconds,
				this.backoffMaxSeconds, ids.toArray(Long[]::new)));
	}

}
