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
 * @param idempotency how long consumers remember an eventId they processed
 * @param batchSize rows deleted per statement, so no pass holds long locks
 */
@Validated
@ConfigurationProperties("hub.retention")
public record RetentionProperties(@DefaultValue("PT1H") Duration interval, @DefaultValue("P7D") Duration published,
		@DefaultValue("P7D") Duration dead, @DefaultValue("P7D") Duration idempotency,
		@DefaultValue("5000") @Positive int batchSize) {
}
