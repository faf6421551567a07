package com.ecommerce.eventhub.email;

import java.util.List;

import com.ecommerce.eventhub.config.MailProperties;
import com.ecommerce.eventhub.config.NotificationProperties;
import com.ecommerce.eventhub.consumers.HubConsumer;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The two e-mail consumer routes and their queues;
 * {@code hub.notifications.enabled=false} turns both off.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(prefix = "hub.notifications", name = "enabled", matchIfMissing = true)
class EmailConsumers {

	@Bean
	HubConsumer notificationOrderEvents(NotificationProperties notifications) {
		return new HubConsumer("notification-order-events", notifications.queue(),
				List.of("order.placed", "order.cancelled", "order.shipped"), "orderNotificationHandler");
	}

	@Bean
	HubConsumer emailSend(MailProperties mail) {
		return new HubConsumer("email-send", mail.queue(), List.of("email.notification-requested"),
				"emailRequestHandler");
	}

}
