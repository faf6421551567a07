package com.ecommerce.eventhub.topology;

import java.time.Duration;

/**
 * Start-up could not declare the topology: the broker was unreachable for the whole
 * start-up wait, or it refused a declaration.
 */
public class BrokerUnavailableException extends RuntimeException {

	private final String addresses;

	private final boolean unreachable;

	BrokerUnavailableException(String addresses, Duration waited, RuntimeException cause) {
		super("RabbitMQ at " + addresses + " could not be reached within " + waited + ": " + cause.getMessage(), cause);
		this.addresses = addresses;
		this.unreachable = true;
	}

	BrokerUnavailableException(String addresses, RuntimeException cause) {
		super("RabbitMQ at " + addresses + " refused the hub's topology: " + cause.getMessage(), cause);
		this.addresses = addresses;
		this.unreachable = false;
	}

	/**
	 * @return the broker addresses tried, {@code host:port,...}
	 */
	public String addresses() {
		return this.addresses;
	}

	/**
	 * @return true when no node answered, false when the broker refused a declaration
	 */
	public boolean unreachable() {
		return this.unreachable;
	}

}
