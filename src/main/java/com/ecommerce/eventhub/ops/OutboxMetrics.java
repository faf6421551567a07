package com.ecommerce.eventhub.ops;

import com.ecommerce.eventhub.outbox.OutboxStore;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.stereotype.Component;

/**
 * The outbox backlog as gauges, read every {@code hub.ops.metrics-interval} by route
 * {@code ops-outbox-metrics}: {@code eventhub_outbox_pending} (PENDING rows) and
 * {@code eventhub_relay_lag_seconds}: how long the oldest due row has waited, 0 when
 * none. A row scheduled for later (an e-mail retry) counts from when it became due, a row
 * that failed to publish from when it was written: the relay lag to alert on.
 */
@Component
class OutboxMetrics {

	private static final Logger log = LoggerFactory.getLogger(OutboxMetrics.class);

	private final OutboxStore outbox;

	private volatile double pending = -1;

	private volatile double lagSeconds = -1;

	OutboxMetrics(OutboxStore outbox, MeterRegistry meters) {
		this.outbox = outbox;
		Gauge.builder("eventhub.outbox.pending", this, metrics -> metrics.pending)
			.description("Outbox rows waiting to be published (-1 while unknown)")
			.register(meters);
		Gauge.builder("eventhub.relay.lag", this, metrics -> metrics.lagSeconds)
			.description("Age of the oldest outbox row waiting to be published (-1 while unknown)")
			.baseUnit("seconds")
			.register(meters);
	}

	void refresh() {
		try {
			OutboxStore.Backlog backlog = this.outbox.backlog();
			this.pending = backlog.pending();
			this.lagSeconds = backlog.lagSeconds();
		}
		catch (RuntimeException ex) {
			this.pending = -1;
			this.lagSeconds = -1;
			log.debug("Outbox backlog unknown: {}", ex.getMessage());
		}
	}

}
