package com.ecommerce.eventhub.outbox;

import java.time.Duration;
import java.util.concurrent.ExecutorService;

import org.apache.camel.CamelContext;
import org.apache.camel.Consumer;
import org.apache.camel.spi.ScheduledPollConsumerScheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one relay worker's polls (the scheduler consumer's task) on a thread of its own:
 * once at start, then again after the poll interval or as soon as {@link OutboxWakeup}
 * signals new rows, whichever comes first. Camel's default scheduler only knows the fixed
 * delay; this one lets a commit reach the broker in milliseconds while an idle relay
 * still polls only once per interval.
 *
 * <p>
 * Stopping the route stops the loop after the poll in progress (never interrupted: it
 * holds a transaction that must commit or roll back); the route can be started again.
 */
class WakeableScheduler implements ScheduledPollConsumerScheduler {

	private static final Logger log = LoggerFactory.getLogger(WakeableScheduler.class);

	private final String name;

	private final OutboxWakeup wakeup;

	private final long intervalNanos;

	private CamelContext camel;

	private volatile Runnable task;

	private volatile boolean running;

	/** Which start a loop belongs to: a loop left over from before a restart ends. */
	private volatile int epoch;

	private ExecutorService thread;

	WakeableScheduler(String name, OutboxWakeup wakeup, Duration interval) {
		this.name = name;
		this.wakeup = wakeup;
		this.intervalNanos = interval.toNanos();
	}

	@Override
	public void onInit(Consumer consumer) {
		// The consumer hands its task over in scheduleTask.
	}

	@Override
	public void scheduleTask(Runnable task) {
		this.task = task;
	}

	@Override
	public synchronized void startScheduler() {
		if (this.running) {
			return;
		}
		this.running = true;
		int started = ++this.epoch;
		this.thread = this.camel.getExecutorServiceManager().newSingleThreadExecutor(this, this.name);
		this.thread.execute(() -> loop(started));
	}

	private boolean current(int started) {
		return this.running && this.epoch == started;
	}

	private void loop(int started) {
		while (current(started)) {
			long seen = this.wakeup.generation();
			Runnable current = this.task;
			if (current != null) {
				current.run();
			}
			try {
				if (current(started)) {
					this.wakeup.awaitAfter(seen, this.intervalNanos);
				}
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				log.debug("Relay worker {} interrupted while idle", this.name);
				return;
			}
		}
	}

	@Override
	public boolean isSchedulerStarted() {
		return this.running;
	}

	@Override
	public void unscheduleTask() {
		this.task = null;
		halt();
	}

	private synchronized void halt() {
		this.running = false;
		if (this.thread != null) {
			// Wakes the idle loop so it sees running == false; a poll in progress ends on
			// its own.
			this.wakeup.wake();
			this.camel.getExecutorServiceManager().shutdown(this.thread);
			this.thread = null;
		}
	}

	@Override
	public void start() {
		// The loop starts in startScheduler, when the consumer asks for it.
	}

	@Override
	public void stop() {
		halt();
	}

	@Override
	public void shutdown() {
		halt();
	}

	@Override
	public void setCamelContext(CamelContext camelContext) {
		this.camel = camelContext;
	}

	@Override
	public CamelContext getCamelContext() {
		return this.camel;
	}

}
