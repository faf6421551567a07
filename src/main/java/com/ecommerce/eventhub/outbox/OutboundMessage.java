package com.ecommerce.eventhub.outbox;

import com.rabbitmq.client.AMQP;

/**
 * A message the relay publishes for one outbox row: the event itself, or its dead letter when the
 * row is invalid.
 *
 * @param rowId the outbox row it belongs to
 * @param exchange target exchange ({@code ""} is the default exchange, used for dead letters)
 * @param routingKey routing key (the event type, or the dead-letter queue's name)
 * @param properties AMQP properties (message id = event id, persistent)
 * @param body the JSON envelope
 * @param deadReason null for an event; for a dead letter, why the row is invalid
 */
record OutboundMessage(long rowId, String exchange, String routingKey, AMQP.BasicProperties properties, byte[] body,
		String deadReason) {

	boolean isDeadLetter() {
		return this.deadReason != null;
	}

}
