package com.ecommerce.eventhub.config;

import java.net.URI;

import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Targets of the shipped YAML forwarders ({@code hub.webhooks.*}), read by the route
 * files as {@code {{hub.webhooks.inventory-url}}}; bound here so a malformed URL fails
 * start-up.
 *
 * @param inventoryUrl where {@code routes/inventory-webhook-forwarder.yaml} posts
 * inventory events
 */
@Validated
@ConfigurationProperties("hub.webhooks")
public record WebhookProperties(@DefaultValue("http://localhost:9090/inventory-events") @NotNull URI inventoryUrl) {

	public WebhookProperties {
		String scheme = inventoryUrl.getScheme();
		if (!"http".equalsIgnoreCase(scheme) && !"https".equalsIgnoreCase(scheme)) {
			throw new IllegalArgumentException(
					"hub.webhooks.inventory-url must be an http(s) URL, got " + inventoryUrl);
		}
	}

}
