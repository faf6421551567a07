package com.ecommerce.eventhub.outbox;

import org.apache.camel.LoggingLevel;
import org.apache.camel.builder.RouteConfigurationBuilder;

import org.springframework.stereotype.Component;

/**
 * Route configuration {@code relay-error-policy}, the relay routes' one error policy: a
 * failed poll (database down, deadlock, a restart under the relay) is logged and rolled
 * back, so its rows stay PENDING and unlocked for the next poll. Nothing is retried
 * within the poll.
 */
@Component
class RelayErrorPolicy extends RouteConfigurationBuilder {

	static final String ID = "relay-error-policy";

	@Override
	public void configuration() {
		routeConfiguration(ID).onException(Exception.class)
			.handled(true)
			.logStackTrace(false)
			.log(LoggingLevel.WARN, "Relay poll failed, rolled back: ${exception.message}")
			.markRollbackOnly();
	}

}
