package com.ecommerce.eventhub.consumers;

import java.util.function.ToIntFunction;

import com.ecommerce.eventhub.envelope.PermanentFailureException;
import org.apache.camel.Exchange;
import org.apache.camel.Predicate;

/**
 * The dead letter channel's {@code retryWhile}: retry while the route's
 * {@code maximumAttempts} are not used up and the failure is not permanent. A
 * {@link PermanentFailureException} (invalid envelope, unsupported version, a handler's
 * own permanent failure) is dead-lettered at once.
 */
class AttemptPolicy implements Predicate {

	/** Exchange property: attempts made so far. */
	static final String ATTEMPTS_MADE = "hubAttemptsMade";

	/**
	 * Exchange property: true when the last failure was taken back ({@link #uncount}).
	 */
	static final String UNCOUNTED = "hubAttemptUncounted";

	private final ToIntFunction<String> maximumAttempts;

	/**
	 * @param maximumAttempts a route's attempts in all, by route id
	 */
	AttemptPolicy(ToIntFunction<String> maximumAttempts) {
		this.maximumAttempts = maximumAttempts;
	}

	@Override
	public boolean matches(Exchange exchange) {
		Exception failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
		if (failure == null) {
			failure = exchange.getException();
		}
		if (failure instanceof PermanentFailureException) {
			return false;
		}
		return attemptsMade(exchange) < this.maximumAttempts.applyAsInt(exchange.getFromRouteId());
	}

	/**
	 * Counts an attempt; called at the start of each one. Counted here rather than read
	 * from Camel's redelivery counter so the attempt numbers in dead letters and metrics
	 * are exactly the handler's.
	 * @param exchange the exchange being handled
	 * @return the number of this attempt, 1 for the first
	 */
	static int startAttempt(Exchange exchange) {
		int attempt = attemptsMade(exchange) + 1;
		exchange.setProperty(ATTEMPTS_MADE, attempt);
		exchange.removeProperty(UNCOUNTED);
		return attempt;
	}

	/**
	 * Takes back the attempt that just failed, because it was none: it waited for another
	 * delivery of the same event ({@code HandlingOnce.BusyException}), or it probed a
	 * peer the route's circuit breaker had found down, and the peer still is. It uses up
	 * none of the message's attempts and is not a failed attempt in the route's metrics.
	 * @param exchange the exchange whose attempt failed
	 */
	static void uncount(Exchange exchange) {
		exchange.setProperty(ATTEMPTS_MADE, attemptsMade(exchange) - 1);
		exchange.setProperty(UNCOUNTED, true);
	}

	/**
	 * @param exchange an exchange that failed
	 * @return whether its failure was an attempt (for the failed and retried counters)
	 */
	static boolean counted(Exchange exchange) {
		return !exchange.getProperty(UNCOUNTED, false, Boolean.class);
	}

	/**
	 * @param exchange the exchange
	 * @return attempts made so far (0 before the first)
	 */
	static int attemptsMade(Exchange exchange) {
		return exchange.getProperty(ATTEMPTS_MADE, 0, Integer.class);
	}

}
