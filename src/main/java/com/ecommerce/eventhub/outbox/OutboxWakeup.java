package com.ecommerce.eventhub.outbox;

import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import org.springframework.stereotype.Component;

/**
 * The signal that new outbox rows were committed, from {@link OutboxNotifications} to the
 * relay workers' {@link WakeableScheduler}s. A worker notes the signal's generation
 * before it polls and waits after the poll only if no signal came meanwhile, so a
 * notification that arrives while a worker is busy is never lost.
 */
@Component
class OutboxWakeup {

	private final ReentrantLock lock = new ReentrantLock();

	private final Condition signalled = this.lock.newCondition();

	private long generation;

	/** Wakes every waiting worker; a busy worker polls again as soon as it is done. */
	void wake() {
		this.lock.lock();
		try {
			this.generation++;
			this.signalled.signalAll();
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * @return the current generation, to pass to {@link #awaitAfter} after a poll
	 */
	long generation() {
		this.lock.lock();
		try {
			return this.generation;
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Waits until a signal newer than {@code seen} or the timeout.
	 * @param seen the generation noted before the last poll
	 * @param timeoutNanos the longest wait (the poll interval)
	 * @throws InterruptedException when the worker is stopped
	 */
	void awaitAfter(long seen, long timeoutNanos) throws InterruptedException {
		this.lock.lock();
		try {
			long remaining = timeoutNanos;
			while (this.generation == seen && remaining > 0) {
				remaining = this.signalled.awaitNanos(remaining);
			}
		}
		finally {
			this.lock.unlock();
		}
	}

}
