package com.ecommerce.eventhub.ops;

import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import com.ecommerce.eventhub.consumers.EventHandler;
import com.ecommerce.eventhub.envelope.Envelope;
import com.ecommerce.eventhub.envelope.PermanentFailureException;

/**
 * A test handler that refuses (permanently) the events in {@link #poisoned} and handles
 * the rest.
 */
class PoisonableHandler implements EventHandler {

	final Set<UUID> poisoned = ConcurrentHashMap.newKeySet();

	final Set<UUID> handled = ConcurrentHashMap.newKeySet();

	@Override
	public Map<String, Set<Integer>> supportedVersions() {
		return Map.of("product.activated", Set.of(1), "product.deactivated", Set.of(1));
	}

	@Override
	public void handle(Envelope envelope) {
		if (this.poisoned.contains(envelope.eventId())) {
			throw new PermanentFailureException("poisoned " + envelope.eventId());
		}
		this.handled.add(envelope.eventId());
	}

}
