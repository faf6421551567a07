package com.ecommerce.eventhub.consumers;

import java.time.Duration;
import java.util.Set;

/**
 * One running hub consumer route, read once from its template parameters when the route
 * is created: its queue and bindings, its handler, its redelivery policy, and the bounded
 * pool its attempts run on.
 *
 * @param routeId the route id
 * @param queue the route's own queue
 * @param bindings routing-key patterns bound to the queue
 * @param handler what the route does with an event
 * @param maximumAttempts tries in all, the first included
 * @param initialDelay wait before the second attempt
 * @param multiplier growth of the wait per attempt
 * @param maxDelay cap of the wait
 * @param attemptTimeout limit of one attempt
 * @param repeatAmbiguous the route's side-effect policy: true for {@code at-least-once}
 * (a side effect whose earlier attempt ended without an outcome is done again), false for
 * {@code at-most-once} (it is dead-lettered for a person)
 * @param attempts the route's own attempt threads ({@code concurrency} of them): a slow
 * route cannot take threads from another
 */
record ConsumerRoute(String routeId, String queue, Set<String> bindings, EventHandler handler, int maximumAttempts,
		Duration initialDelay, double multiplier, Duration maxDelay, Duration attemptTimeout, boolean repeatAmbiguous,
		AttemptPool attempts) {

	/** The template parameter naming the side-effect policy, and its values. */
	static final String SIDE_EFFECTS = "sideEffects";

	static final String AT_LEAST_ONCE = "at-least-once";

	static final String AT_MOST_ONCE = "at-most-once";

	/**
	 * The policy's wait before the given attempt:
	 * {@code initialDelay × multiplier^(attempt-2)}, capped.
	 * @param attempt the attempt about to be made, 2 for the first redelivery
	 * @return the wait
	 */
	Duration delayBefore(int attempt) {
		double millis = this.initialDelay.toMillis() * Math.pow(this.multiplier, Math.max(0, attempt - 2));
		return (millis >= this.maxDelay.toMillis()) ? this.maxDelay : Duration.ofMillis((long) millis);
	}

}
