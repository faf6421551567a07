package com.ecommerce.eventhub.outbox;

import com.ecommerce.eventhub.config.EnvelopeProperties;
import com.ecommerce.eventhub.config.RelayProperties;
import org.apache.camel.builder.endpoint.EndpointRouteBuilder;
import org.apache.camel.component.sql.SqlOutputType;

import org.springframework.stereotype.Component;

/**
 * The outbox relay: {@code hub.relay.workers} routes {@code outbox-relay-<n>}, each
 * polling the outbox with camel-sql in its own transaction (claim, publish, wait for
 * confirms, mark, commit).
 *
 * <p>
 * Several workers overlap one batch's database work with another batch's confirm wait.
 * The claim ({@code sql/claim-outbox-batch.sql}) keeps per-aggregate order across workers
 * and instances. Rows are marked in the claiming transaction after the confirms, never by
 * camel-sql's {@code onConsumeBatchComplete}, which also runs for batches interrupted by
 * a route stop (CAMEL-27169).
 */
@Component
class OutboxRelayRoute extends EndpointRouteBuilder {

	private final RelayProperties relay;

	private final RelayBatchProcessor batchProcessor;

	private final EnvelopeProperties envelope;

	OutboxRelayRoute(RelayProperties relay, EnvelopeProperties envelope, RelayBatchProcessor batchProcessor) {
		this.relay = relay;
		this.envelope = envelope;
		this.batchProcessor = batchProcessor;
	}

	@Override
	public void configure() {
		for (int worker = 0; worker < this.relay.workers(); worker++) {
			from(scheduler("outbox-relay-" + worker).delay(this.relay.pollInterval().toMillis())
				.initialDelay(this.relay.pollInterval().toMillis())
				.greedy(true)).routeId("outbox-relay-" + worker)
				.routeConfigurationId(RelayErrorPolicy.ID)
				.autoStartup(this.relay.enabled())
				.transacted()
				.setHeader("workerIndex", constant(worker))
				.setHeader("workerCount", constant(this.relay.workers()))
				.setHeader("batchSize", constant(this.relay.batchSize()))
				.setHeader("maxEventBytes", constant(this.envelope.maxBytes()))
				.setHeader("maxBatchBytes", constant(this.relay.maxBatchBytes().toBytes()))
				.setHeader(RelayBatchProcessor.WORKER_HEADER, constant(worker))
				.to(sql("classpath:sql/claim-plan-settings.sql").outputType(SqlOutputType.SelectOne))
				.to(sql("classpath:sql/claim-outbox-batch.sql").outputType(SqlOutputType.SelectList))
				.process(this.batchProcessor);
		}
	}

}
