package com.ecommerce.eventhub.ops;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One message of the dead-letter queue, as {@code GET /api/v1/dead-letters} lists it.
 *
 * @param eventId the event's id (AMQP message id)
 * @param eventType the event's type
 * @param failedRoute the route that gave up
 * @param exceptionClass the failure's class
 * @param exceptionMessage the failure's message
 * @param attempts attempts made
 * @param failedAt when the route gave up (ISO-8601)
 * @param originalRoutingKey the routing key a replay publishes with
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DeadLetterView(String eventId, String eventType, String failedRoute, String exceptionClass,
		String exceptionMessage, Integer attempts, String failedAt, String originalRoutingKey) {
}
