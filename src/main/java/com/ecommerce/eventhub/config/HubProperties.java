package com.ecommerce.eventhub.config;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Positive;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Hub-wide settings ({@code hub.*}).
 *
 * @param schema PostgreSQL schema holding the hub's tables (outbox, idempotency keys)
 * @param source enrichment default for {@code metadata.source} when a producer leaves it
 * out
 * @param environment enrichment default for {@code metadata.environment}
 * @param shutdownTimeoutSeconds how long in-flight work may take on shutdown (the HTTP
 * server, Camel's routes and Spring's lifecycle read it)
 */
@Validated
@ConfigurationProperties("hub")
public record HubProperties(@DefaultValue("eventhub") @NotBlank @Pattern(regexp = "[a-z_][a-z0-9_]*") String schema,
		@DefaultValue("ecommerce-api") @NotBlank String source,
		@DefaultValue("development") @NotBlank String environment,
		@DefaultValue("30") @Positive @Max(3600) int shutdownTimeoutSeconds) {
}
