package com.ecommerce.eventhub.config;

import java.time.Duration;

import jakarta.validation.constraints.Positive;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Housekeeping ({@code hub.retention.*}), spec "Event Retention".
 *
 * @param interval how often housekeeping runs
 * @param published how long PUBLISHED outbox rows are kept
 * @param dead how long handled DEAD outbox rows are kept
 * @param idempotency how long consumers remember an eventId they processed; at least the
 * dead-letter TTL plus {@link #IDEMPOTENCY_MARGIN}, so a dead letter replayed on its last
 * day is still recognised by every route that handled it before (checked at start-up)
 * @param batchSize rows deleted per statement, so no pass holds long locks
 * @param vacuumInterval how often the hub checks the outbox for dead tuples and vacuums
 * it when they pile up (for when PostgreSQL's autovacuum is off or behind)
 */
@Validated
@ConfigurationProperties("hub.retention")
public record RetentionProperties(@DefaultValue("PT1H") Duration interval, @DefaultValue("P7D") Duration published,
		@DefaultValue("P7D") Duration dead, @DefaultValue("P8D") Duration idempotency,
		@DefaultValue("5000") @Positive int batchSize, @DefaultValue("PT1M") Duration vacuumInterval) {

	/**
	 * How long idempotency keys are kept beyond the dead-letter TTL: the attempts and
	 * durable e-mail retries before an event is dead-lettered take minutes to hours.
	 */
	public static final Duration IDEMPOTENCY_MARGIN = Duration.ofDays(1);

	/**
	 * Fails start-up when idempotency keys would expire before a dead letter can still be
	 * replayed.
	 * @param deadLetterTtl how long dead letters wait in their queue
	 * ({@code hub.topology.dead-letter-ttl})
	 * @throws IllegalStateException when {@link #idempotency()} is shorter than the TTL
	 * plus the margin
	 */
	public void requireIdempotencyOutlives(Duration deadLetterTtl) {
		Duration needed = deadLetterTtl.plus(IDEMPOTENCY_MARGIN);
		if (this.idempotency.compareTo(needed) < 0) {
			throw new IllegalStateException("hub.retention.idempotency (" + this.idempotency
					+ ") must be at least hub.topology.dead-letter-ttl (" + deadLetterTtl + ") plus "
					+ IDEMPOTENCY_MARGIN + " (" + needed
					+ "): a dead letter replayed after its idempotency keys expired would repeat "
					+ "side effects such as e-mails");
		}
	}
}
