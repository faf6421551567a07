package com.ecommerce.eventhub.config;

import java.time.Duration;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Positive;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Operations ({@code hub.ops.*}).
 *
 * @param deadLetterCheckInterval how often the dead-letter queue's depth is read
 * @param metricsInterval how often the outbox backlog gauges are read
 * @param maxBodySize the largest request body an operations endpoint (dead letters,
 * routes, replays) takes; their bodies are small JSON filters
 * @param replayMaxEvents the most events one scoped replay ({@code POST /api/v1/replays})
 * re-publishes; a filter that matches more is refused, so an operator narrows it instead
 * of flooding a route
 * @param replayRate how many events per second a scoped replay publishes at most, so a
 * catching-up route does not starve the relay and the other routes of the broker
 */
@Validated
@ConfigurationProperties("hub.ops")
public record OpsProperties(@DefaultValue("5s") Duration deadLetterCheckInterval,
		@DefaultValue("5s") Duration metricsInterval, @DefaultValue("64KB") DataSize maxBodySize,
		@DefaultValue("10000") @Positive @Max(1_000_000) int replayMaxEvents,
		@DefaultValue("500") @Positive @Max(100_000) int replayRate) {
}
