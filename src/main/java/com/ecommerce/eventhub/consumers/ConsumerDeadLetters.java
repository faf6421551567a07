package com.ecommerce.eventhub.consumers;

import java.time.Clock;
import java.util.Date;
import java.util.HashMap;
import java.util.Map;

import com.ecommerce.eventhub.topology.AmqpHeaders;
import com.ecommerce.eventhub.topology.DeadLetterHeaders;
import com.ecommerce.eventhub.topology.DeadLetterPublisher;
import com.rabbitmq.client.AMQP;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.springrabbit.SpringRabbitMQConstants;

import org.springframework.stereotype.Component;

/**
 * The consumer routes' dead letter channel: {@link #prepare} adds the failure headers to
 * the original message, {@link #publish} puts it on the dead-letter queue with the
 * broker's confirm. When that publish fails the exchange fails too
 * ({@code deadLetterHandleNewException=false}), and {@link ManualAcknowledgement} returns
 * the original to its queue instead of acknowledging it.
 */
@Component
class ConsumerDeadLetters {

	private final DeadLetterPublisher publisher;

	private final Clock clock;

	private final ConsumerRoutes routes;

	private final AggregateParking parking;

	ConsumerDeadLetters(DeadLetterPublisher publisher, Clock clock, ConsumerRoutes routes, AggregateParking parking) {
		this.publisher = publisher;
		this.clock = clock;
		this.routes = routes;
		this.parking = parking;
	}

	/**
	 * Adds the DESIGN's failure headers (onPrepareFailure: the message is the original
	 * here).
	 * @param exchange the failed exchange
	 */
	void prepare(Exchange exchange) {
		Message message = exchange.getMessage();
		Exception failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
		Map<String, Object> headers = DeadLetterHeaders.of(
				message.getHeader(SpringRabbitMQConstants.EXCHANGE_NAME, "", String.class),
				message.getHeader(SpringRabbitMQConstants.ROUTING_KEY, "", String.class), exchange.getFromRouteId(),
				(failure != null) ? failure.getClass().getName() : "unknown",
				(failure != null) ? failure.getMessage() : "", Math.max(1, AttemptPolicy.attemptsMade(exchange)),
				this.clock.instant());
		message.getHeaders().putAll(headers);
	}

	/**
	 * Publishes the prepared original to the dead-letter queue; throws when the broker
	 * did not take it.
	 * @param exchange the exchange routed to the dead letter channel
	 */
	void publish(Exchange exchange) {
		Message message = exchange.getMessage();
		Map<String, Object> headers = new HashMap<>();
		message.getHeaders().forEach((name, value) -> {
			// Camel's own headers stay inside the hub; the AMQP headers of the original
			// travel on.
			if (!name.startsWith("Camel") && !name.startsWith("camel") && value != null) {
				headers.put(name, value);
			}
		});
		AMQP.BasicProperties properties = new AMQP.BasicProperties.Builder()
			.contentType(message.getHeader(SpringRabbitMQConstants.CONTENT_TYPE, "application/json", String.class))
			.deliveryMode(2)
			.messageId(message.getHeader(SpringRabbitMQConstants.MESSAGE_ID, String.class))
			.type(message.getHeader(SpringRabbitMQConstants.TYPE, String.class))
			.correlationId(message.getHeader(SpringRabbitMQConstants.CORRELATION_ID, String.class))
			.timestamp(message.getHeader(SpringRabbitMQConstants.TIMESTAMP, Date.class))
			.headers(AmqpHeaders.of(headers))
			.build();
		byte[] body = message.getBody(byte[].class);
		this.publisher.publish(properties, (body != null) ? body : new byte[0], properties.getType(),
				message.getHeader(DeadLetterHeaders.FAILED_ROUTE, String.class));
		// Parked only once the dead letter is safe: the aggregate's later events wait
		// behind it.
		this.routes.find(exchange.getFromRouteId())
			.ifPresent(route -> this.parking.deadLettered(route, properties.getMessageId(),
					message.getHeader("aggregateType", String.class), message.getHeader("aggregateId", String.class)));
	}

}
