package com.ecommerce.eventhub.consumers;

import java.time.Duration;

/**
 * A transient failure whose peer said when to try again (HTTP {@code Retry-After}): the
 * next attempt waits that long, but never longer than the route's {@code maxDelay}, and
 * never less than its policy.
 */
public class RetryLaterException extends Exception {

	private final transient Duration retryAfter;

	/**
	 * @param message what failed
	 * @param retryAfter how long the peer asked to wait, null when it did not say
	 * @param cause the failure
	 */
	public RetryLaterException(String message, Duration retryAfter, Throwable cause) {
		super(message, cause);
		this.retryAfter = retryAfter;
	}

	/** How long the peer asked to wait, or null. */
	public Duration retryAfter() {
		return this.retryAfter;
	}

}
