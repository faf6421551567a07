package com.ecommerce.eventhub.consumers;

import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreaker.State;

/**
 * One consumer route's circuit breaker on its peer, and the attempts waiting for it.
 *
 * <p>
 * An attempt asks for a {@link Permit} before its handler runs. While the breaker is open
 * it gets none: it {@linkplain #await waits} here, its message unacknowledged (so the
 * route's prefetch bounds how many wait), without counting an attempt or holding a
 * thread. When the breaker goes half-open by itself after the probe interval, the oldest
 * waiting attempt is resumed and probes the peer; when a probe closes it, every waiting
 * attempt is resumed at once. Each waiting attempt also looks again after two probe
 * intervals on its own, so none can be forgotten.
 */
final class PeerBreaker {

	private final CircuitBreaker breaker;

	private final Duration probeInterval;

	/**
	 * Attempts waiting for the breaker, oldest first, each as the task that resumes it;
	 * whoever takes one out of the queue resumes it.
	 */
	private final Queue<Runnable> waiting = new ConcurrentLinkedQueue<>();

	PeerBreaker(CircuitBreaker breaker, Duration probeInterval) {
		this.breaker = breaker;
		this.probeInterval = probeInterval;
		breaker.getEventPublisher().onStateTransition(event -> transitioned(event.getStateTransition().getToState()));
	}

	/**
	 * Asks to call the peer now.
	 * @return the permit, null while the breaker lets no attempt through
	 */
	Permit tryEnter() {
		State before = this.breaker.getState();
		if (!this.breaker.tryAcquirePermission()) {
			return null;
		}
		// A permit taken while the breaker was not closed is a probe (or, in a race, an
		// attempt just after a probe closed it: treated as a probe, which only spares it
		// an attempt).
		return new Permit(before != State.CLOSED);
	}

	/**
	 * Parks an attempt that got no permit until the breaker may let it through.
	 * @param resume runs the attempt again (hands it to the route's attempt threads; must
	 * not block)
	 * @param timer schedules the attempt's own look after two probe intervals
	 */
	void await(Runnable resume, ScheduledExecutorService timer) {
		Runnable waiter = resume::run; // one identity per wait
		this.waiting.add(waiter);
		try {
			timer.schedule(() -> wake(waiter), 2 * this.probeInterval.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (RejectedExecutionException ex) {
			// The hub is stopping: the attempt runs (and is refused or refused a thread)
			// now.
			wake(waiter);
			return;
		}
		// The breaker may have closed between the refusal and the queueing.
		if (this.breaker.getState() == State.CLOSED) {
			wake(waiter);
		}
	}

	/** Resumes every waiting attempt: the route is removed or its breaker replaced. */
	void releaseAll() {
		Runnable waiter;
		while ((waiter = this.waiting.poll()) != null) {
			waiter.run();
		}
	}

	/** Attempts waiting now. */
	int waiting() {
		return this.waiting.size();
	}

	CircuitBreaker breaker() {
		return this.breaker;
	}

	Duration probeInterval() {
		return this.probeInterval;
	}

	private void transitioned(State to) {
		if (to == State.HALF_OPEN) {
			wakeOldest();
		}
		else if (to != State.OPEN && to != State.FORCED_OPEN) {
			releaseAll();
		}
	}

	/** The oldest waiting attempt probes the peer. */
	private void wakeOldest() {
		Runnable waiter = this.waiting.poll();
		if (waiter != null) {
			waiter.run();
		}
	}

	/**
	 * A half-open breaker's permit came back unused (the probe did not reach the peer):
	 * the next waiting attempt probes.
	 */
	private void permitReturned() {
		if (this.breaker.getState() == State.HALF_OPEN) {
			wakeOldest();
		}
	}

	private void wake(Runnable waiter) {
		if (this.waiting.remove(waiter)) {
			waiter.run();
		}
	}

	/**
	 * Leave to call the peer once. Its outcome is recorded exactly once: the first of
	 * {@link #finish}, {@link #finishPeerDown} and {@link #release} counts.
	 */
	final class Permit {

		private final boolean probe;

		private final long started = System.nanoTime();

		private final AtomicBoolean finished = new AtomicBoolean();

		private Permit(boolean probe) {
			this.probe = probe;
		}

		/**
		 * Whether this attempt probes a peer the breaker found down: its failure is not
		 * an attempt of its message.
		 */
		boolean probe() {
			return this.probe;
		}

		/**
		 * Records what the call came to, as {@link PeerBreakers#classify} judges it.
		 * @param failure what the attempt threw, null when it succeeded
		 * @return whether the failure said the peer is down
		 */
		boolean finish(Throwable failure) {
			if (!this.finished.compareAndSet(false, true)) {
				return false;
			}
			long nanos = System.nanoTime() - this.started;
			if (failure == null) {
				PeerBreaker.this.breaker.onSuccess(nanos, TimeUnit.NANOSECONDS);
				return false;
			}
			PeerBreaker.this.breaker.onError(nanos, TimeUnit.NANOSECONDS, failure);
			PeerBreakers.Verdict verdict = PeerBreakers.classify(failure);
			if (verdict == PeerBreakers.Verdict.NOT_THE_PEER) {
				permitReturned();
			}
			return verdict == PeerBreakers.Verdict.PEER_DOWN;
		}

		/**
		 * Records a transient failure of the peer that the handler dealt with itself (see
		 * {@link CurrentAttempt#peerFailed}).
		 * @param failure the peer's failure
		 */
		void finishPeerDown(Throwable failure) {
			finish(new PeerBreakers.PeerDownException(failure));
		}

		/** The peer was not called (a duplicate): the permit is given back. */
		void release() {
			if (this.finished.compareAndSet(false, true)) {
				PeerBreaker.this.breaker.releasePermission();
				permitReturned();
			}
		}

	}

}
