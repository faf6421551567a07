package com.ecommerce.eventhub.config;

import java.util.Map;

import jakarta.validation.constraints.NotBlank;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Order notifications ({@code hub.notifications.*}).
 *
 * @param enabled whether the notification and e-mail routes run
 * @param queue the notification route's own queue
 * @param trackingUrls per carrier (upper-case, e.g. {@code UPS}), a URL template where
 * {@code {trackingNumber}} is replaced by the URL-encoded tracking number
 */
@Validated
@ConfigurationProperties("hub.notifications")
public record NotificationProperties(@DefaultValue("true") boolean enabled,
		@DefaultValue("hub.notifications") @NotBlank String queue, Map<String, String> trackingUrls) {

	public NotificationProperties {
		trackingUrls = (trackingUrls != null) ? Map.copyOf(trackingUrls) : Map.of();
	}

}
