package com.ecommerce.eventhub.topology;

import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * Health component {@code publishing}, part of readiness: DOWN while RabbitMQ blocks the
 * hub's publishing (a memory or disk alarm), with the broker's reason; the relay
 * publishes nothing then, and the outbox waits.
 */
@Component("publishing")
class PublishingHealth implements HealthIndicator {

	private final ConfirmingPublisher publisher;

	PublishingHealth(ConfirmingPublisher publisher) {
		this.publisher = publisher;
	}

	@Override
	public Health health() {
		String blocked = this.publisher.blockedReason();
		if (blocked != null) {
			return Health.down()
				.withDetail("reason", "RabbitMQ blocks publishing (resource alarm: " + blocked + ")")
				.build();
		}
		return Health.up().build();
	}

}
