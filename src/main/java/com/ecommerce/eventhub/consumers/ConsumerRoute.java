package com.ecommerce.eventhub.consumers;

import java.time.Duration;
import java.util.Set;

import com.ecommerce.eventhub.topology.AggregatePartitions;

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
 * @param ordering whether the route handles each aggregate's events one at a time, in
 * publish order, and what a dead letter does to its aggregate
 * @param breaker when the route's peer counts as down
 */
record ConsumerRoute(String routeId, String queue, Set<String> bindings, EventHandler handler, int maximumAttempts,
		Duration initialDelay, double multiplier, Duration maxDelay, Duration attemptTimeout, boolean repeatAmbiguous,
		AttemptPool attempts, Ordering ordering, Breaker breaker) {

	/** The template parameters of ordering and of the breaker. */
	static final String ORDERED = "ordered";

	static final String PARTITIONS = "partitions";

	static final String AFTER_DEAD_LETTER = "afterDeadLetter";

	static final String BREAKER_FAILURES = "breakerFailures";

	static final String BREAKER_PROBE_INTERVAL = "breakerProbeInterval";

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

	/**
	 * Per-aggregate order ({@code ordered}, {@code partitions}, {@code afterDeadLetter}).
	 *
	 * @param ordered whether the route handles each aggregate's events one at a time, in
	 * the order the relay published them
	 * @param partitions how many queues the route's events are spread over by aggregate
	 * (each handled one event at a time, in parallel with the others); 1 when not ordered
	 * @param park whether a dead-lettered event stops its aggregate ({@code park}: the
	 * aggregate's later events are dead-lettered behind it until it is replayed and
	 * handled) or not ({@code skip})
	 */
	record Ordering(boolean ordered, int partitions, boolean park) {

		/**
		 * The largest number of partitions, and the number the relay hashes aggregates
		 * to.
		 */
		static final int MAX_PARTITIONS = AggregatePartitions.COUNT;

		static final Ordering NONE = new Ordering(false, 1, false);

		Ordering {
			if (partitions < 1 || partitions > MAX_PARTITIONS) {
				throw new IllegalArgumentException("partitions must be 1 to " + MAX_PARTITIONS + ", got " + partitions);
			}
		}

	}

	/**
	 * When the route's peer counts as down ({@code breakerFailures},
	 * {@code breakerProbeInterval}); see {@link PeerBreakers}.
	 *
	 * @param failures attempts in a row that found the peer down
	 * ({@link PeerBreakers#classify}) and open the breaker; 0 for no breaker
	 * @param probeInterval how long the breaker stays open before one attempt probes the
	 * peer
	 */
	record Breaker(int failures, Duration probeInterval) {

		static final Breaker NONE = new Breaker(0, Duration.ofSeconds(5));

	}

}
