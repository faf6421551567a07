package com.ecommerce.eventhub.envelope;

import java.util.Set;

/**
 * The spec's {@code UnsupportedVersionError}: a handler got a major version of an event
 * type it does not declare. Retrying cannot fix it; the event is dead-lettered without
 * redeliveries.
 */
public class UnsupportedVersionError extends PermanentFailureException {

	public UnsupportedVersionError(String eventType, String eventVersion, Set<Integer> supportedMajors) {
		super("unsupported version " + eventVersion + " of " + eventType + " (handler supports major versions "
				+ supportedMajors + ")");
	}

}
