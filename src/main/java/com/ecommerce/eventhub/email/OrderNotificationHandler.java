package com.ecommerce.eventhub.email;

import java.time.Clock;
import java.util.Map;
import java.util.Set;

import com.ecommerce.eventhub.config.MailProperties;
import com.ecommerce.eventhub.config.NotificationProperties;
import com.ecommerce.eventhub.consumers.EventHandler;
import com.ecommerce.eventhub.envelope.Envelope;
import com.ecommerce.eventhub.outbox.OutboxStore;

import org.springframework.stereotype.Component;

/**
 * Route {@code notification-order-events}: for each order.placed, order.cancelled and
 * order.shipped, writes one {@code email.notification-requested} event to the outbox, in
 * the transaction that records the order event as handled (causationId = the order event,
 * its correlationId carried over, aggregate = the order).
 */
@Component
class OrderNotificationHandler implements EventHandler {

	private final NotificationMapper mapper;

	private final OutboxStore outbox;

	private final Clock clock;

	OrderNotificationHandler(NotificationProperties notifications, MailProperties mail, OutboxStore outbox,
			Clock clock) {
		this.mapper = new NotificationMapper(notifications.trackingUrls(), mail.retry().maxRetries());
		this.outbox = outbox;
		this.clock = clock;
	}

	@Override
	public Map<String, Set<Integer>> supportedVersions() {
		return Map.of("order.placed", Set.of(1), "order.cancelled", Set.of(1), "order.shipped", Set.of(1));
	}

	@Override
	public void handle(Envelope order) {
		this.outbox.write(EmailEvents.causedBy("email.notification-requested", order, "notification",
				this.mapper.requestPayload(order), this.clock.instant()), null);
	}

}
