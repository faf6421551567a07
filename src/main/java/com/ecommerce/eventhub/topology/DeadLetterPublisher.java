package com.ecommerce.eventhub.topology;

import java.time.Duration;

import com.ecommerce.eventhub.config.TopologyProperties;
import com.rabbitmq.client.AMQP;

import org.springframework.stereotype.Component;

/**
 * Puts one message on the dead-letter queue and returns only once the broker confirmed
 * that the queue took it ({@link ConfirmingPublisher}); anything else throws, so the
 * caller leaves the original unacknowledged: a dead letter is never lost on the way.
 */
@Component
public class DeadLetterPublisher {

	static final Duration CONFIRM_TIMEOUT = Duration.ofSeconds(10);

	private final ConfirmingPublisher publisher;

	private final TopologyProperties topology;

	private final DeadLetterMetrics metrics;

	public DeadLetterPublisher(ConfirmingPublisher publisher, TopologyProperties topology, DeadLetterMetrics metrics) {
		this.publisher = publisher;
		this.topology = topology;
		this.metrics = metrics;
	}

	/**
	 * @param properties the original's properties with the failure headers
	 * @param body the original body
	 * @param eventType the event's type, for the metric
	 * @param failedRoute the route that gave up, for the metric
	 * @throws ConfirmingPublisher.PublishException when the broker did not take it
	 */
	public void publish(AMQP.BasicProperties properties, byte[] body, String eventType, String failedRoute) {
		this.publisher.publishOne("dead-letters",
				new ConfirmingPublisher.Outgoing("", this.topology.deadLetterQueue(), properties, body),
				CONFIRM_TIMEOUT);
		this.metrics.deadLettered(eventType, failedRoute, 1);
	}

	/**
	 * Parks a dead letter the archive table refused for good on
	 * {@code <dead-letter-queue>.parked}.
	 * @param properties its properties, with the reason
	 * @param body its body
	 * @throws ConfirmingPublisher.PublishException when the broker did not take it
	 */
	public void park(AMQP.BasicProperties properties, byte[] body) {
		this.publisher.publishOne("dead-letters", new ConfirmingPublisher.Outgoing("",
				TopologyConfiguration.parkedQueue(this.topology), properties, body), CONFIRM_TIMEOUT);
	}

}
