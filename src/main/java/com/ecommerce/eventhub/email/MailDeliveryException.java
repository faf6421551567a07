package com.ecommerce.eventhub.email;

/**
 * An SMTP send that failed; {@link #isPermanent()} when the server refused for good (5xx,
 * bad address).
 */
class MailDeliveryException extends Exception {

	private final boolean permanent;

	MailDeliveryException(String message, boolean permanent, Throwable cause) {
		super(message, cause);
		this.permanent = permanent;
	}

	boolean isPermanent() {
		return this.permanent;
	}

}
