package com.ecommerce.eventhub.email;

import java.util.List;

import com.ecommerce.eventhub.config.MailProperties;
import com.ecommerce.eventhub.config.NotificationProperties;
import com.ecommerce.eventhub.consumers.HubConsumer;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The two e-mail consumer routes and their queues. */
@Configuration(proxyBeanMethods = false)
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
