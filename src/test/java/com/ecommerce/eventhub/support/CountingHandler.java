package com.ecommerce.eventhub.support;

import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import com.ecommerce.eventhub.consumers.EventHandler;
import com.ecommerce.eventhub.envelope.Envelope;
import com.ecommerce.eventhub.envelope.PermanentFailureException;

/**
 * A test handler of product events that counts how often it handled each event, so a test
 * sees whether a replay reached its route and whether the route handled it again; events
 * in {@link #poisoned} fail permanently (they become dead letters at once).
 */
public class CountingHandler implements EventHandler {

	/** Events refused permanently. */
	public final Set<UUID> poisoned = ConcurrentHashMap.newKeySet();

	private final Map<UUID, AtomicInteger> handled = new ConcurrentHashMap<>();

	@Override
	public Map<String, Set<Integer>> supportedVersions() {
		return Map.of("product.activated", Set.of(1), "product.deactivated", Set.of(1));
	}

	@Override
	public void handle(Envelope envelope) {
		if (this.poisoned.contains(envelope.eventId())) {
			throw new PermanentFailureException("poisoned by the test: " + envelope.eventId());
		}
		this.handled.computeIfAbsent(envelope.eventId(), id -> new AtomicInteger()).incrementAndGet();
	}

	/**
	 * @param eventId an event
	 * @return how often this handler handled it
	 */
	public int handled(UUID eventId) {
		AtomicInteger count = this.handled.get(eventId);
		return (count != null) ? count.get() : 0;
	}

}
