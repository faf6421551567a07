package com.ecommerce.eventhub.consumers;

import java.time.Duration;

import com.rabbitmq.client.Channel;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.component.springrabbit.SpringRabbitMQConstants;
import org.apache.camel.support.SynchronizationAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.stereotype.Component;

/**
 * Acknowledges a consumed message only when its exchange is done: handled and committed,
 * or dead-lettered with the broker's confirm. An exchange that failed (the dead letter
 * could not be published) is rejected with requeue, so the broker delivers it again. A
 * crash before either leaves the message unacknowledged, and the broker redelivers it to
 * the next consumer.
 *
 * <p>
 * The consumer runs with {@code acknowledgeMode=MANUAL}: with Spring's automatic
 * acknowledgement and {@code asyncConsumer=true} the container would ack as soon as the
 * route went asynchronous (e.g. while waiting for a delayed redelivery), before the
 * handling finished. The acks themselves are sent by {@link CoalescedAcks}, many in one
 * where it can.
 */
@Component
class ManualAcknowledgement implements Processor {

	private static final Logger log = LoggerFactory.getLogger(ManualAcknowledgement.class);

	/**
	 * How long a message that could not be dead-lettered waits before it goes back to its
	 * queue.
	 */
	static final Duration REQUEUE_DELAY = Duration.ofSeconds(5);

	private final CoalescedAcks acks;

	ManualAcknowledgement(CoalescedAcks acks) {
		this.acks = acks;
	}

	@Override
	public void process(Exchange exchange) {
		// The event's identity in every log line of its path.
		EventLogContext.enter(exchange);
		Channel channel = exchange.getProperty(SpringRabbitMQConstants.CHANNEL, Channel.class);
		Long deliveryTag = exchange.getMessage().getHeader(SpringRabbitMQConstants.DELIVERY_TAG, Long.class);
		if (channel == null || deliveryTag == null) {
			throw new IllegalStateException("hub consumer routes must consume from spring-rabbitmq with manual acks");
		}
		CoalescedAcks.Delivery delivery = this.acks.register(channel, deliveryTag);
		exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
			@Override
			public void onComplete(Exchange done) {
				delivery.ack();
			}

			@Override
			public void onFailure(Exchange failed) {
				log.warn("Route {} could not handle or dead-letter message {}; returning it to the queue: {}",
						failed.getFromRouteId(), failed.getMessage().getHeader(SpringRabbitMQConstants.MESSAGE_ID),
						(failed.getException() != null) ? failed.getException().getMessage() : "rolled back");
				// Returned after a pause, not at once: the dead-letter queue will not be
				// back in milliseconds, and an immediate loop would burn through the
				// queue's delivery limit.
				ManualAcknowledgement.this.acks.schedule(REQUEUE_DELAY, delivery::requeue);
			}
		});
	}

}
