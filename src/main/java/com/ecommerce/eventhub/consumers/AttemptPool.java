package com.ecommerce.eventhub.consumers;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A consumer route's own attempt threads: {@code concurrency} of them, so a slow route
 * holds only its own. An attempt that timed out is interrupted, but a blocking read on a
 * socket (a webhook or SMTP server that trickles its answer) may ignore that: such a
 * thread is abandoned to its peer and the pool gets a replacement, so the route goes on;
 * at most {@link #MAX_ABANDONED_FACTOR} times as many threads can be abandoned at once,
 * then the route waits for them.
 */
final class AttemptPool {

	static final int MAX_ABANDONED_FACTOR = 3;

	private final ThreadPoolExecutor executor;

	private final int size;

	private final AtomicInteger abandoned = new AtomicInteger();

	/** Runs once the pool is shut down and its last attempt has ended. */
	private volatile Runnable afterLastAttempt = () -> {
	};

	AttemptPool(String routeId, int size) {
		this.size = size;
		AtomicInteger count = new AtomicInteger();
		this.executor = new ThreadPoolExecutor(size, size, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
				runnable -> {
					Thread thread = new Thread(runnable, "hub-attempt-" + routeId + "-" + count.incrementAndGet());
					thread.setDaemon(true);
					return thread;
				}) {
			@Override
			protected void terminated() {
				AttemptPool.this.afterLastAttempt.run();
			}
		};
	}

	void execute(Runnable attempt) {
		this.executor.execute(attempt);
	}

	/**
	 * A thread of this pool stays stuck in a timed-out attempt: another one takes its
	 * place.
	 */
	synchronized void abandoned() {
		if (this.abandoned.get() < this.size * MAX_ABANDONED_FACTOR) {
			resize(this.size + this.abandoned.incrementAndGet());
		}
	}

	/** An abandoned thread came back from its peer. */
	synchronized void returned() {
		if (this.abandoned.get() > 0) {
			resize(this.size + this.abandoned.decrementAndGet());
		}
	}

	private void resize(int threads) {
		if (threads > this.executor.getMaximumPoolSize()) {
			this.executor.setMaximumPoolSize(threads);
			this.executor.setCorePoolSize(threads);
		}
		else {
			this.executor.setCorePoolSize(threads);
			this.executor.setMaximumPoolSize(threads);
		}
	}

	/** Threads in the pool now, abandoned ones included. */
	int threads() {
		return this.executor.getPoolSize();
	}

	void shutdown() {
		shutdown(() -> {
		});
	}

	/**
	 * Shuts the pool down; attempts already queued still run.
	 * @param then what to do once the last of them has ended (at once when none runs)
	 */
	void shutdown(Runnable then) {
		this.afterLastAttempt = then;
		this.executor.shutdown();
	}

}
