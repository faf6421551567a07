package com.ecommerce.eventhub.ops;

import java.time.Duration;

import com.ecommerce.eventhub.config.OpsProperties;
import com.ecommerce.eventhub.config.RetentionProperties;
import com.ecommerce.eventhub.outbox.OutboxStore;
import org.apache.camel.builder.endpoint.EndpointRouteBuilder;

import org.springframework.stereotype.Component;

/**
 * Route {@code ops-retention}: a housekeeping pass every {@code hub.retention.interval};
 * route {@code ops-outbox-vacuum}: a vacuum of the outbox when dead tuples pile up; route
 * {@code ops-outbox-metrics}: the outbox backlog gauges.
 */
@Component
class HousekeepingRoutes extends EndpointRouteBuilder {

	private final Housekeeping housekeeping;

	private final RetentionProperties retention;

	private final OutboxMetrics outboxMetrics;

	private final Duration metricsInterval;

	private final OutboxStore outbox;

	HousekeepingRoutes(Housekeeping housekeeping, RetentionProperties retention, OutboxMetrics outboxMetrics,
			OpsProperties ops, OutboxStore outbox) {
		this.outbox = outbox;
		this.housekeeping = housekeeping;
		this.retention = retention;
		this.outboxMetrics = outboxMetrics;
		this.metricsInterval = ops.metricsInterval();
	}

	@Override
	public void configure() {
		from(timer("ops-retention").period(this.retention.interval().toMillis())
			.delay(this.retention.interval().toMillis())).routeId("ops-retention")
			.process(exchange -> this.housekeeping.runPass());

		from(timer("ops-outbox-vacuum").period(this.retention.vacuumInterval().toMillis())
			.delay(this.retention.vacuumInterval().toMillis())).routeId("ops-outbox-vacuum")
			.process(exchange -> this.outbox.vacuumIfBloated());

		from(timer("ops-outbox-metrics").period(this.metricsInterval.toMillis()).delay(0)).routeId("ops-outbox-metrics")
			.process(exchange -> this.outboxMetrics.refresh());
	}

}
