package com.ecommerce.eventhub.config;

import java.time.Duration;

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
 * routes) takes; their bodies are small JSON filters
 */
@Validated
@ConfigurationProperties("hub.ops")
public record OpsProperties(@DefaultValue("5s") Duration deadLetterCheckInterval,
		@DefaultValue("5s") Duration metricsInterval, @DefaultValue("64KB") DataSize maxBodySize) {
}
