package com.ecommerce.eventhub.topology;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import com.ecommerce.eventhub.config.TopologyProperties;

import org.springframework.amqp.AmqpException;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.rabbit.connection.CorrelationData;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.stereotype.Component;

/**
 * Publishes one dead letter to the dead-letter queue and returns only once the broker confirmed
 * that the queue took it. Anything else (a nack, a return because the queue is missing, no confirm
 * in time, no connection) throws, so the caller leaves the original unacknowledged: a dead letter
 * is never lost on the way.
 */
@Component
public class DeadLetterPublisher {

	private static final Duration CONFIRM_TIMEOUT = Duration.ofSeconds(10);

	private final RabbitTemplate rabbit;

	private final TopologyProperties topology;

	private final DeadLetterMetrics metrics;

	public DeadLetterPublisher(RabbitTemplate rabbit, TopologyProperties topology, DeadLetterMetrics metrics) {
		this.rabbit = rabbit;
		this.topology = topology;
		this.metrics = metrics;
	}

	/**
	 * @param message the original body and properties plus the failure headers
	 * @param eventType the event's type, for the metric
	 * @param failedRoute the route that gave up, for the metric
	 * @throws DeadLetterPublishException when the broker did not take it
	 */
	public void publish(Message message, String eventType, String failedRoute) {
		publish(this.topology.deadLetterQueue(), "", message);
		this.metrics.deadLettered(eventType, failedRoute, 1);
	}

	/**
	 * Publishes to a queue or exchange with the same guarantee, e.g. a replay to the event exchange.
	 * @param routingKey the routing key
	 * @param exchange the exchange, {@code ""} for the default exchange (routing key = queue)
	 * @param message the message
	 * @throws DeadLetterPublishException when the broker did not take it
	 */
	public void publish(String routingKey, String exchange, Message message) {
		CorrelationData correlation = new CorrelationData(UUID.randomUUID().toString());
		try {
			this.rabbit.send(exchange, routingKey, message, correlation);
			CorrelationData.Confirm confirm = correlation.getFuture()
				.get(CONFIRM_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
			if (!confirm.isAck()) {
				throw new DeadLetterPublishException("broker nacked the message: " + confirm.getReason());
			}
			if (correlation.getReturned() != null) {
				throw new DeadLetterPublishException("no queue took the message (exchange '" + exchange
						+ "', routing key '" + routingKey + "'): " + correlation.getReturned().getReplyText());
			}
		}
		catch (AmqpException | ExecutionException ex) {
			throw new DeadLetterPublishException("broker unavailable: " + ex.getMessage(), ex);
		}
		catch (TimeoutException ex) {
			throw new DeadLetterPublishException("no publisher confirm within " + CONFIRM_TIMEOUT, ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new DeadLetterPublishException("interrupted while waiting for the publisher confirm", ex);
		}
	}

	/** The broker did not take a dead letter; the original must stay unacknowledged. */
	public static class DeadLetterPublishException extends RuntimeException {

		public DeadLetterPublishException(String message) {
			super(message);
		}

		public DeadLetterPublishException(String message, Throwable cause) {
			super(message, cause);
		}

	}

}
