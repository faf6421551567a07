package com.ecommerce.eventhub.consumers;

import java.time.Duration;

/**
 * An attempt that ran longer than the route's per-attempt timeout; it counts as a failed
 * attempt.
 */
public class AttemptTimeoutException extends RuntimeException {

	public AttemptTimeoutException(Duration timeout) {
		super("attempt did not finish within " + timeout);
	}

}
