package com.ecommerce.eventhub.ops;

import com.ecommerce.eventhub.config.RetentionProperties;
import org.apache.camel.builder.endpoint.EndpointRouteBuilder;

import org.springframework.stereotype.Component;

/** Route {@code ops-retention}: a housekeeping pass every {@code hub.retention.interval}. */
@Component
class HousekeepingRoutes extends EndpointRouteBuilder {

	private final Housekeeping housekeeping;

	private final RetentionProperties retention;

	HousekeepingRoutes(Housekeeping housekeeping, RetentionProperties retention) {
		this.housekeeping = housekeeping;
		this.retention = retention;
	}

	@Override
	public void configure() {
		from(timer("ops-retention").period(this.retention.interval().toMillis()).delay(this.retention.interval().toMillis()))
			.routeId("ops-retention")
			.process(exchange -> this.housekeeping.runPass());
	}

}
