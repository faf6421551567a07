package com.ecommerce.eventhub.outbox;

import com.ecommerce.eventhub.config.RelayProperties;
import org.apache.camel.builder.endpoint.EndpointRouteBuilder;

import org.springframework.stereotype.Component;

/**
 * The outbox relay: {@code hub.relay.workers} routes {@code outbox-relay-<n>}, each
 * polling the outbox in its own transaction (claim, publish, wait for confirms, mark,
 * commit). A worker polls again at once while it finds rows; idle, it waits for the poll
 * interval or for {@link OutboxNotifications}' news of committed rows
 * ({@link WakeableScheduler}).
 *
 * <p>
 * Several workers overlap one batch's database work with another batch's confirm wait.
 * The claim ({@code sql/claim-outbox-batch.sql}) keeps per-aggregate order across workers
 * and instances. Rows are marked in the claiming transaction after the confirms, never by
 * camel-sql's {@code onConsumeBatchComplete}, which also runs for batches interrupted by
 * a route stop (CAMEL-27169); the claim itself is plain JDBC ({@link OutboxStore#claim}),
 * which maps rows without a column map per row.
 */
@Component
class OutboxRelayRoute extends EndpointRouteBuilder {

	private final RelayProperties relay;

	private final RelayBatchProcessor batchProcessor;

	private final OutboxWakeup wakeup;

	OutboxRelayRoute(RelayProperties relay, RelayBatchProcessor batchProcessor, OutboxWakeup wakeup) {
		this.relay = relay;
		this.wakeup = wakeup;
		this.batchProcessor = batchProcessor;
	}

	@Override
	public void configure() {
		for (int worker = 0; worker < this.relay.workers(); worker++) {
			String routeId = "outbox-relay-" + worker;
			from(scheduler(routeId).greedy(true)
				.scheduler(new WakeableScheduler(routeId, this.wakeup, this.relay.pollInterval()))).routeId(routeId)
				.routeConfigurationId(RelayErrorPolicy.ID)
				.autoStartup(this.relay.enabled())
				.transacted()
				.setHeader(RelayBatchProcessor.WORKER_HEADER, constant(worker))
				.process(this.batchProcessor);
		}
	}

}
