package com.ecommerce.eventhub.config;

import java.util.List;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Positive;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * REST ingestion ({@code hub.ingestion.*}).
 *
 * @param maxBatchSize envelopes one request may carry
 * @param maxBodySize the largest request body accepted; larger ones are refused with 413
 * while reading, before they are buffered
 * @param internalTypes event-type patterns the hub itself emits ({@code email.*}:
 * requests that send mail to any address, and their results); an API key may post such a
 * type only when its {@code event-types} name the exact type; {@code *} and prefixes do
 * not include them
 */
@Validated
@ConfigurationProperties("hub.ingestion")
public record IngestionProperties(@DefaultValue("500") @Positive @Max(10_000) int maxBatchSize,
		@DefaultValue("1MB") DataSize maxBodySize, @DefaultValue("email.*") List<@NotBlank String> internalTypes) {

	public IngestionProperties {
		internalTypes = List.copyOf(internalTypes);
		if (maxBodySize.toBytes() <= 0 || maxBodySize.toBytes() > 64L * 1024 * 1024) {
			throw new IllegalArgumentException(
					"hub.ingestion.max-body-size must be between 1B and 64MB, got " + maxBodySize);
		}
	}

	/**
	 * Whether an event type is one the hub emits itself.
	 * @param eventType an event type
	 * @return true when one of {@link #internalTypes()} matches it
	 */
	public boolean isInternal(String eventType) {
		return this.internalTypes.stream().anyMatch(pattern -> EventTypePatterns.matches(pattern, eventType));
	}

}
