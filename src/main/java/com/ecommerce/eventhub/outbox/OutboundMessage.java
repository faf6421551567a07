package com.ecommerce.eventhub.outbox;

import java.time.Instant;

import com.ecommerce.eventhub.topology.ConfirmingPublisher.Outgoing;
import io.micrometer.tracing.Span;

/**
 * What the relay publishes for one outbox row: the event itself, or its dead letter when
 * the row is invalid.
 *
 * @param rowId the outbox row it belongs to
 * @param message exchange, routing key, AMQP properties (message id = event id,
 * persistent) and body
 * @param deadReason null for an event; for a dead letter, why the row is invalid
 * @param occurredAt the event's occurredAt as published (enriched when the row had none),
 * from which its publish lag counts; null for a dead letter
 * @param publish the trace span of its publish, to end when the broker answered (a no-op
 * when tracing is off)
 */
record OutboundMessage(long rowId, Outgoing message, String deadReason, Instant occurredAt, Span publish) {

	boolean isDeadLetter() {
		return this.deadReason != null;
	}

}
