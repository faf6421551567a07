package com.ecommerce.eventhub.ops;

import java.time.Duration;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import com.ecommerce.eventhub.outbox.OutboxStore;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * The outbox backlog as gauges, read every {@code hub.ops.metrics-interval} by route
 * {@code ops-outbox-metrics}: {@code eventhub_outbox_pending} (PENDING rows) and
 * {@code eventhub_relay_lag_seconds}: how long the oldest due row has waited, 0 when
 * none. A row scheduled for later (an e-mail retry) counts from when it became due, a row
 * that failed to publish from when it was written: the relay lag to alert on.
 *
 * <p>
 * Reading them scans every PENDING row: about 1 s of PostgreSQL's CPU at 1,000,000 rows,
 * taken from the relay that drains them. While at least {@link #LARGE_BACKLOG} rows wait
 * they are read once per {@link #LARGE_BACKLOG_INTERVAL} only, and keep their last values
 * in between.
 */
@Component
class OutboxMetrics {

	private static final Logger log = LoggerFactory.getLogger(OutboxMetrics.class);

	/** A backlog this large is read less often. */
	static final long LARGE_BACKLOG = 100_000;

	/** How often a large backlog is read. */
	static final Duration LARGE_BACKLOG_INTERVAL = Duration.ofMinutes(1);

	private final Supplier<OutboxStore.Backlog> backlog;

	private final LongSupplier nanoClock;

	private volatile double pending = -1;

	private volatile double lagSeconds = -1;

	/** When the gauges were last read ({@link #nanoClock}). */
	private long readAt;

	@Autowired
	OutboxMetrics(OutboxStore outbox, MeterRegistry meters) {
		this(outbox::backlog, meters, System::nanoTime);
	}

	OutboxMetrics(Supplier<OutboxStore.Backlog> backlog, MeterRegistry meters, LongSupplier nanoClock) {
		this.backlog = backlog;
		this.nanoClock = nanoClock;
		Gauge.builder("eventhub.outbox.pending", this, metrics -> metrics.pending)
			.description("Outbox rows waiting to be published (-1 while unknown)")
			.register(meters);
		Gauge.builder("eventhub.relay.lag", this, metrics -> metrics.lagSeconds)
			.description("Age of the oldest outbox row waiting to be published (-1 while unknown)")
			.baseUnit("seconds")
			.register(meters);
	}

	/** Reads the gauges, unless a large backlog was read less than a minute ago. */
	void refresh() {
		long now = this.nanoClock.getAsLong();
		if (this.pending >= LARGE_BACKLOG && now - this.readAt < LARGE_BACKLOG_INTERVAL.toNanos()) {
			return;
		}
		this.readAt = now;
		try {
			OutboxStore.Backlog read = this.backlog.get();
			this.pending = read.pending();
			this.lagSeconds = read.lagSeconds();
		}
		catch (RuntimeException ex) {
			this.pending = -1;
			this.lagSeconds = -1;
			log.debug("Outbox backlog unknown: {}", ex.getMessage());
		}
	}

}
