package com.ecommerce.eventhub.config;

import java.time.Duration;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Positive;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * The outbox relay ({@code hub.relay.*}).
 *
 * @param enabled whether this instance relays the outbox at all
 * @param batchSize rows claimed per transaction
 * @param pollInterval how long an idle worker waits before polling again (a worker that
 * found rows polls again at once, and with {@code wakeOnNotify} an idle one as soon as
 * rows are committed)
 * @param workers concurrent claim-publish-mark loops; more than one overlaps one batch's
 * database work with another's confirm wait
 * @param confirmTimeout how long a batch waits for the broker's publisher confirms before
 * its unconfirmed rows count as a failed attempt
 * @param backoffInitial delay before the first retry of a row whose publish failed
 * @param backoffMax cap of the exponential retry delay
 * @param maxBatchBytes the most JSON one batch loads into memory; rows past it wait for
 * the next poll
 * @param wakeOnNotify whether idle workers wake on PostgreSQL's notification of an outbox
 * insert ({@code LISTEN}) instead of waiting for the poll interval
 */
@Validated
@ConfigurationProperties("hub.relay")
public record RelayProperties(@DefaultValue("true") boolean enabled,
		@DefaultValue("500") @Positive @Max(10_000) int batchSize, @DefaultValue("PT1S") Duration pollInterval,
		@DefaultValue("2") @Positive @Max(16) int workers, @DefaultValue("PT10S") Duration confirmTimeout,
		@DefaultValue("PT1S") Duration backoffInitial, @DefaultValue("PT5M") Duration backoffMax,
		@DefaultValue("8MB") DataSize maxBatchBytes, @DefaultValue("true") boolean wakeOnNotify) {
}
