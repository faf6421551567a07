package com.ecommerce.eventhub.outbox;

/**
 * An outbox row whose envelope is invalid: a schema violation, an unknown event type or an
 * unsupported major version. Retrying cannot fix it; the row is dead-lettered. Its class name is
 * the {@code x-exception-class} of such dead letters.
 */
public class EnvelopeValidationException extends RuntimeException {

	public EnvelopeValidationException(String message) {
		super(message);
	}

}
