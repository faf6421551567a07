package com.ecommerce.eventhub.config;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Limits of one event ({@code hub.envelope.*}), enforced wherever an event enters the
 * hub: at ingestion (413), at the relay (the row becomes DEAD, its payload never loaded)
 * and at consumers (dead-lettered).
 *
 * @param maxSize the largest serialized envelope (UTF-8 JSON) the hub takes
 */
@Validated
@ConfigurationProperties("hub.envelope")
public record EnvelopeProperties(@DefaultValue("256KB") DataSize maxSize) {

	public EnvelopeProperties {
		if (maxSize.toBytes() < 1024 || maxSize.toBytes() > 64L * 1024 * 1024) {
			throw new IllegalArgumentException("hub.envelope.max-size must be between 1KB and 64MB, got " + maxSize);
		}
	}

	/** The limit in bytes. */
	public int maxBytes() {
		return (int) this.maxSize.toBytes();
	}

}
