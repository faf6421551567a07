package com.ecommerce.eventhub.config;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Positive;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * REST ingestion ({@code hub.ingestion.*}).
 *
 * @param maxBatchSize envelopes one request may carry
 * @param maxBodySize the largest request body accepted; larger ones are refused with 413 while
 * reading, before they are buffered
 */
@Validated
@ConfigurationProperties("hub.ingestion")
public record IngestionProperties(@DefaultValue("500") @Positive @Max(10_000) int maxBatchSize,
		@DefaultValue("1MB") DataSize maxBodySize) {
}
