package com.ecommerce.eventhub.ops;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import com.ecommerce.eventhub.outbox.OutboxStore;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The backlog gauges: read on every refresh while the backlog is small, once a minute
 * while it is large (each read scans every PENDING row).
 */
class OutboxMetricsTest {

	final AtomicLong clock = new AtomicLong();

	final AtomicInteger reads = new AtomicInteger();

	final AtomicReference<OutboxStore.Backlog> backlog = new AtomicReference<>(new OutboxStore.Backlog(10, 1.5));

	final MeterRegistry meters = new SimpleMeterRegistry();

	final OutboxMetrics metrics = new OutboxMetrics(() -> {
		this.reads.incrementAndGet();
		OutboxStore.Backlog read = this.backlog.get();
		if (read == null) {
			throw new IllegalStateException("the database did not answer");
		}
		return read;
	}, this.meters, this.clock::get);

	@Test
	void aSmallBacklogIsReadOnEveryRefresh() {
		refreshAfter(Duration.ZERO);
		refreshAfter(Duration.ofSeconds(5));
		this.backlog.set(new OutboxStore.Backlog(12, 2.5));
		refreshAfter(Duration.ofSeconds(5));

		assertThat(this.reads).hasValue(3);
		assertThat(pending()).isEqualTo(12);
		assertThat(lag()).isEqualTo(2.5);
	}

	@Test
	void aLargeBacklogIsReadOnceAMinuteAndKeepsItsValuesInBetween() {
		this.backlog.set(new OutboxStore.Backlog(OutboxMetrics.LARGE_BACKLOG, 30));
		refreshAfter(Duration.ZERO);
		this.backlog.set(new OutboxStore.Backlog(50, 0.5));
		for (int i = 0; i < 11; i++) {
			refreshAfter(Duration.ofSeconds(5));
		}
		assertThat(this.reads).as("55 s after the large read").hasValue(1);
		assertThat(pending()).isEqualTo(OutboxMetrics.LARGE_BACKLOG);
		assertThat(lag()).isEqualTo(30);

		refreshAfter(Duration.ofSeconds(5));
		assertThat(this.reads).hasValue(2);
		assertThat(pending()).isEqualTo(50);
		refreshAfter(Duration.ofSeconds(5));
		assertThat(this.reads).as("small again: every refresh").hasValue(3);
	}

	@Test
	void aFailedReadShowsUnknownAndIsRetriedAtTheNextRefresh() {
		this.backlog.set(null);
		refreshAfter(Duration.ZERO);
		assertThat(pending()).isEqualTo(-1);
		assertThat(lag()).isEqualTo(-1);

		this.backlog.set(new OutboxStore.Backlog(3, 0));
		refreshAfter(Duration.ofSeconds(5));
		assertThat(pending()).isEqualTo(3);
	}

	private void refreshAfter(Duration wait) {
		this.clock.addAndGet(wait.toNanos());
		this.metrics.refresh();
	}

	private double pending() {
		return this.meters.get("eventhub.outbox.pending").gauge().value();
	}

	private double lag() {
		return this.meters.get("eventhub.relay.lag").gauge().value();
	}

}
