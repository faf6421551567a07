package com.ecommerce.eventhub.topology;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Turns a start-up without a broker into Spring Boot's "APPLICATION FAILED TO START"
 * report that says which broker and what to do, instead of a stack trace.
 */
class BrokerUnavailableFailureAnalyzer extends AbstractFailureAnalyzer<BrokerUnavailableException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, BrokerUnavailableException cause) {
		String action = cause.unreachable()
				? "Start RabbitMQ, or point spring.rabbitmq.addresses (or .host and .port) at it. "
						+ "To try the hub without installed services, run dev mode: ./mvnw spring-boot:test-run"
				: "Make the existing queues match the hub's settings (hub.topology.queue-type, delivery-limit, "
						+ "dead-letter-ttl) or delete them so the hub declares them again.";
		return new FailureAnalysis("Event Hub needs RabbitMQ. " + cause.getMessage(), action, cause);
	}

}
