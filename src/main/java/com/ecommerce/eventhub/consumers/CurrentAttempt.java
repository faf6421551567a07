package com.ecommerce.eventhub.consumers;

/**
 * The attempt an {@link EventHandler} runs in, for a handler that chooses between failing
 * the attempt (the route tries again) and a fallback of its own once no attempt follows
 * (e.g. the e-mail route's durable retry through the outbox). The consumer foundation
 * sets it on the handler's thread for exactly the duration of the handler call; outside
 * of one (a handler called directly) it reads as a single, last attempt.
 *
 * <p>
 * An attempt that probes a peer the route's circuit breaker found down is never the last:
 * its failure is not an attempt of its message, which waits for the peer instead.
 */
public final class CurrentAttempt {

	private static final ThreadLocal<CurrentAttempt> CURRENT = new ThreadLocal<>();

	private final int number;

	private final boolean last;

	/** A transient failure of the peer the handler dealt with itself, or null. */
	private Throwable peerFailure;

	private CurrentAttempt(int number, boolean last) {
		this.number = number;
		this.last = last;
	}

	/**
	 * @return the number of the running attempt, 1 for the first; 1 outside an attempt
	 */
	public static int number() {
		CurrentAttempt current = CURRENT.get();
		return (current != null) ? current.number : 1;
	}

	/**
	 * Whether no further attempt follows if the running one fails: it is the route's
	 * {@code maximumAttempts}-th and not a probe of an open circuit breaker. True outside
	 * an attempt.
	 * @return whether the running attempt is the last
	 */
	public static boolean isLast() {
		CurrentAttempt current = CURRENT.get();
		return current == null || current.last;
	}

	/**
	 * Tells the route's circuit breaker that the peer failed transiently even though the
	 * handler returns normally, having dealt with the failure itself (on its last
	 * attempt, say, by scheduling a durable retry). A handler that returns otherwise
	 * counts as a success for the breaker. Does nothing outside an attempt.
	 * @param failure the peer's failure
	 */
	public static void peerFailed(Throwable failure) {
		CurrentAttempt current = CURRENT.get();
		if (current != null) {
			current.peerFailure = failure;
		}
	}

	/**
	 * Sets the running attempt on this thread, until {@link #exit()}.
	 * @param number its number, 1 for the first
	 * @param last whether no attempt follows if it fails
	 * @return the attempt
	 */
	static CurrentAttempt enter(int number, boolean last) {
		CurrentAttempt current = new CurrentAttempt(number, last);
		CURRENT.set(current);
		return current;
	}

	/** Clears the running attempt of this thread. */
	static void exit() {
		CURRENT.remove();
	}

	/** The peer failure the handler reported, null when none. */
	Throwable peerFailure() {
		return this.peerFailure;
	}

}
