package com.ecommerce.eventhub.outbox;

import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * Health component {@code relay}, part of readiness: DOWN while RabbitMQ blocks the relay's publishes
 * (a memory or disk alarm), with the broker's reason; nothing is published then, and the outbox waits.
 */
@Component("relay")
class RelayHealth implements HealthIndicator {

	private final BatchPublisher publisher;

	RelayHealth(BatchPublisher publisher) {
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
