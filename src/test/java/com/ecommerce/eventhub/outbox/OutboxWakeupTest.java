package com.ecommerce.eventhub.outbox;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** A wake-up is never lost: one that comes while a worker polls ends its next wait. */
class OutboxWakeupTest {

	private final OutboxWakeup wakeup = new OutboxWakeup();

	@Test
	void aSignalDuringThePollEndsTheNextWaitAtOnce() throws Exception {
		long seen = this.wakeup.generation();
		this.wakeup.wake(); // while the worker polls
		CountDownLatch returned = new CountDownLatch(1);
		Thread worker = new Thread(() -> {
			try {
				this.wakeup.awaitAfter(seen, TimeUnit.HOURS.toNanos(1));
				returned.countDown();
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		});
		worker.start();
		assertThat(returned.await(10, TimeUnit.SECONDS)).isTrue();
	}

	@Test
	void aWaitingWorkerWakesOnASignal() throws Exception {
		long seen = this.wakeup.generation();
		CountDownLatch waiting = new CountDownLatch(1);
		CountDownLatch returned = new CountDownLatch(1);
		Thread worker = new Thread(() -> {
			try {
				waiting.countDown();
				this.wakeup.awaitAfter(seen, TimeUnit.HOURS.toNanos(1));
				returned.countDown();
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		});
		worker.start();
		waiting.await();
		assertThat(returned.await(200, TimeUnit.MILLISECONDS)).as("no signal yet").isFalse();
		this.wakeup.wake();
		assertThat(returned.await(10, TimeUnit.SECONDS)).isTrue();
	}

	@Test
	void withoutASignalTheWaitEndsAtTheInterval() throws Exception {
		long seen = this.wakeup.generation();
		this.wakeup.awaitAfter(seen, TimeUnit.MILLISECONDS.toNanos(20));
		assertThat(this.wakeup.generation()).isEqualTo(seen);
	}

}
