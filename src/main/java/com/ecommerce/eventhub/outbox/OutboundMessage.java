package com.ecommerce.eventhub.outbox;

import com.ecommerce.eventhub.topology.ConfirmingPublisher.Outgoing;

/**
 * What the relay publishes for one outbox row: the event itself, or its dead letter when
 * the row is invalid.
 *
 * @param rowId the outbox row it belongs to
 * @param message exchange, routing key, AMQP properties (message id = event id,
 * persistent) and body
 * @param deadReason null for an event; for a dead letter, why the row is invalid
 */
record OutboundMessage(long rowId, Outgoing message, String deadReason) {

	boolean isDeadLetter() {
		return this.deadReason != null;
	}

}
