package com.ecommerce.eventhub.consumers;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A retired route's attempt pool: the attempts already queued still run, and what follows
 * the pool's end (stopping the route's producer) waits for the last of them.
 */
class AttemptPoolTest {

	@Test
	void whatFollowsTheShutdownWaitsForTheAttemptsStillRunningAndQueued() throws Exception {
		AttemptPool pool = new AttemptPool("test-retired", 1);
		CountDownLatch release = new CountDownLatch(1);
		AtomicBoolean queuedRan = new AtomicBoolean();
		AtomicBoolean stopped = new AtomicBoolean();
		pool.execute(() -> {
			try {
				release.await(10, TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		});
		pool.execute(() -> queuedRan.set(!stopped.get()));

		pool.shutdown(() -> stopped.set(true));
		Thread.sleep(200);
		assertThat(stopped).as("an attempt still runs").isFalse();

		release.countDown();
		await().atMost(Duration.ofSeconds(5)).untilTrue(stopped);
		assertThat(queuedRan).as("the queued attempt ran before the stop").isTrue();
	}

	@Test
	void anIdlePoolRunsWhatFollowsAtOnce() {
		AttemptPool pool = new AttemptPool("test-idle", 2);
		AtomicBoolean stopped = new AtomicBoolean();

		pool.shutdown(() -> stopped.set(true));

		await().atMost(Duration.ofSeconds(5)).untilTrue(stopped);
	}

}
