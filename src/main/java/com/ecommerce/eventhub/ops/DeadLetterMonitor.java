package com.ecommerce.eventhub.ops;

import java.util.Properties;

import com.ecommerce.eventhub.config.TopologyProperties;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.amqp.core.AmqpAdmin;
import org.springframework.amqp.rabbit.core.RabbitAdmin;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.actuate.health.Status;
import org.springframework.stereotype.Component;

/**
 * Watches the dead-letter queue's depth ({@code ops-dead-letter-depth} refreshes it): the
 * gauge {@code eventhub_dead_letter_depth}, and a health indicator that reports the hub
 * {@code DEGRADED} (not down: it still works, but a person must look) while the queue is
 * not empty.
 */
@Component("deadLetters")
public class DeadLetterMonitor implements HealthIndicator {

	/**
	 * Health status while dead letters wait for a person; ordered between DOWN and UP.
	 */
	public static final Status DEGRADED = new Status("DEGRADED", "dead letters need attention");

	private final AmqpAdmin admin;

	private final TopologyProperties topology;

	private volatile long depth = -1;

	private volatile String error = "not checked yet";

	public DeadLetterMonitor(AmqpAdmin admin, TopologyProperties topology, MeterRegistry meters) {
		this.admin = admin;
		this.topology = topology;
		Gauge.builder("eventhub.dead.letter.depth", this, monitor -> monitor.depth)
			.description("Messages waiting in the dead-letter queue (-1 while unknown)")
			.register(meters);
	}

	/** Reads the queue's depth from the broker. */
	public void refresh() {
		try {
			Properties queue = this.admin.getQueueProperties(this.topology.deadLetterQueue());
			if (queue == null) {
				this.depth = -1;
				this.error = "dead-letter queue '" + this.topology.deadLetterQueue() + "' does not exist";
			}
			else {
				this.depth = ((Number) queue.get(RabbitAdmin.QUEUE_MESSAGE_COUNT)).longValue();
				this.error = null;
			}
		}
		catch (RuntimeException ex) {
			this.depth = -1;
			this.error = ex.getMessage();
		}
	}

	/** The last depth read, -1 while unknown. */
	public long depth() {
		return this.depth;
	}

	@Override
	public Health health() {
		long current = this.depth;
		if (current < 0) {
			return Health.unknown()
				.withDetail("queue", this.topology.deadLetterQueue())
				.withDetail("error", String.valueOf(this.error))
				.build();
		}
		Health.Builder builder = (current > 0) ? Health.status(DEGRADED) : Health.up();
		return builder.withDetail("queue", this.topology.deadLetterQueue()).withDetail("count", current).build();
	}

}
