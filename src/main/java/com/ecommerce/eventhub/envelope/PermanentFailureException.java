package com.ecommerce.eventhub.envelope;

/**
 * A failure that retrying cannot fix: an invalid envelope, an unsupported version, or
 * what a handler itself knows to be permanent (e.g. an SMTP 550 for an unknown
 * recipient). Consumers dead-letter it at once, without redeliveries. Handlers throw this
 * class or a subclass.
 */
public class PermanentFailureException extends RuntimeException {

	public PermanentFailureException(String message) {
		super(message);
	}

	public PermanentFailureException(String message, Throwable cause) {
		super(message, cause);
	}

}
