package com.ecommerce.eventhub.outbox;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.ecommerce.eventhub.config.RelayProperties;
import com.ecommerce.eventhub.topology.ConfirmingPublisher;
import com.ecommerce.eventhub.topology.ConfirmingPublisher.Outcome;
import com.ecommerce.eventhub.topology.ConfirmingPublisher.Outgoing;
import com.ecommerce.eventhub.topology.DeadLetterMetrics;
import com.ecommerce.eventhub.topology.EventLag;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import org.springframework.stereotype.Component;

/**
 * One relay step in the route's transaction: claim a batch, assemble and validate every
 * row, publish the batch and wait for its confirms, then mark each row PUBLISHED, DEAD or
 * failed (retried later) before the route commits.
 */
@Component
class RelayBatchProcessor implements Processor {

	static final String WORKER_HEADER = "hubRelayWorker";

	private static final Logger log = LoggerFactory.getLogger(RelayBatchProcessor.class);

	private final OutboundAssembler assembler;

	private final ConfirmingPublisher publisher;

	private final Duration confirmTimeout;

	private final int workers;

	private final int batchSize;

	private final OutboxStore store;

	private final MeterRegistry meters;

	private final Timer batchTimer;

	private final Map<String, Counter> publishedByType = new java.util.concurrent.ConcurrentHashMap<>();

	private final Map<String, Timer> publishLagByType = new java.util.concurrent.ConcurrentHashMap<>();

	private final Clock clock;

	private final Counter deadLettered;

	private final Counter failed;

	private final Timer claimTimer;

	private final Timer assembleTimer;

	private final Timer publishTimer;

	private final Timer markTimer;

	private final DeadLetterMetrics deadLetterMetrics;

	RelayBatchProcessor(OutboundAssembler assembler, ConfirmingPublisher publisher, RelayProperties relay,
			OutboxStore store, MeterRegistry meters, DeadLetterMetrics deadLetterMetrics, Clock clock) {
		this.deadLetterMetrics = deadLetterMetrics;
		this.clock = clock;
		this.assembler = assembler;
		this.publisher = publisher;
		this.confirmTimeout = relay.confirmTimeout();
		this.workers = relay.workers();
		this.batchSize = relay.batchSize();
		this.store = store;
		this.meters = meters;
		this.batchTimer = Timer.builder("eventhub.relay.batch")
			.description("Duration of one relay batch from claim to marked rows")
			.register(meters);
		this.deadLettered = meters.counter("eventhub.relay.dead");
		this.failed = meters.counter("eventhub.relay.publish.failures");
		this.claimTimer = phaseTimer(meters, "claim");
		this.assembleTimer = phaseTimer(meters, "assemble");
		this.publishTimer = phaseTimer(meters, "publish");
		this.markTimer = phaseTimer(meters, "mark");
	}

	private static Timer phaseTimer(MeterRegistry meters, String phase) {
		return Timer.builder("eventhub.relay.batch.phase")
			.description("Time a relay batch spends in each phase (claim query, envelope assembly and validation, "
					+ "publish until confirmed, marking rows)")
			.tag("phase", phase)
			.register(meters);
	}

	@Override
	public void process(Exchange exchange) {
		int worker = exchange.getMessage().getHeader(WORKER_HEADER, Integer.class);
		long claimStart = System.nanoTime();
		List<OutboxRow> rows = this.store.claim(worker, this.workers, this.batchSize);
		if (rows.isEmpty()) {
			// Tells the greedy scheduler to wait for the poll interval (or a
			// notification)
			// instead of polling at once.
			exchange.setProperty(Exchange.SCHEDULER_POLLED_MESSAGES, false);
			return;
		}
		long start = System.nanoTime();
		this.claimTimer.record(start - claimStart, TimeUnit.NANOSECONDS);
		List<OutboundMessage> messages = this.assembler.assemble(rows);
		long assembled = System.nanoTime();
		this.assembleTimer.record(assembled - start, TimeUnit.NANOSECONDS);
		List<Outgoing> outgoing = new ArrayList<>(messages.size());
		for (OutboundMessage message : messages) {
			outgoing.add(message.message());
		}
		List<Outcome> results = this.publisher.publish("relay-" + worker, outgoing, this.confirmTimeout);
		long confirmed = System.nanoTime();
		this.publishTimer.record(confirmed - assembled, TimeUnit.NANOSECONDS);
		record(messages, results);
		long marked = System.nanoTime();
		this.markTimer.record(marked - confirmed, TimeUnit.NANOSECONDS);
		this.batchTimer.record(marked - start, TimeUnit.NANOSECONDS);
	}

	private Counter publishedCounter(String eventType) {
		// Looked up once per event type, not per published event: this runs on the
		// relay's hot path.
		return this.publishedByType.computeIfAbsent(eventType,
				type -> Counter.builder("eventhub.relay.published")
					.description("Events the relay published and the broker confirmed")
					.tag("event_type", type)
					.register(this.meters));
	}

	private Timer publishLag(String eventType) {
		// Looked up once per event type, like the counter. The tag is bounded: an
		// unknown type is dead-lettered, never confirmed here, but counts as "other".
		return this.publishLagByType.computeIfAbsent(eventType,
				type -> EventLag
					.timer("eventhub.publish.lag",
							"Time from an event's occurredAt to its publish confirmed by the broker", type)
					.register(this.meters));
	}

	/** One DEBUG line per event state change, with the event's identity in the MDC. */
	private static void logPublished(OutboundMessage message) {
		try (var eventId = MDC.putCloseable("eventId", message.message().properties().getMessageId());
				var eventType = MDC.putCloseable("eventType", message.message().properties().getType());
				var correlationId = MDC.putCloseable("correlationId",
						message.message().properties().getCorrelationId())) {
			log.debug("Outbox row {} PUBLISHED", message.rowId());
		}
	}

	private void record(List<OutboundMessage> messages, List<Outcome> results) {
		List<Long> confirmed = new ArrayList<>(results.size());
		Map<Long, String> dead = new HashMap<>();
		Map<Long, String> failures = new HashMap<>();
		Instant now = this.clock.instant();
		for (int i = 0; i < results.size(); i++) {
			OutboundMessage message = messages.get(i);
			Outcome result = results.get(i);
			String eventType = message.message().properties().getType();
			if (!result.confirmed()) {
				failures.put(message.rowId(), result.error());
				message.publish().error(new IllegalStateException("not published: " + result.error()));
			}
			else if (message.isDeadLetter()) {
				dead.put(message.rowId(), message.deadReason());
				this.deadLetterMetrics.deadLettered(eventType, OutboundAssembler.FAILED_ROUTE, 1);
			}
			else {
				confirmed.add(message.rowId());
				publishedCounter(eventType).increment();
				publishLag(eventType).record(EventLag.between(message.occurredAt(), now));
				if (log.isDebugEnabled()) {
					logPublished(message);
				}
			}
		}
		this.store.markPublished(confirmed);
		this.store.markDead(dead);
		this.store.markFailed(failures);
		messages.forEach(message -> message.publish().end());
		this.deadLettered.increment(dead.size());
		this.failed.increment(failures.size());
		if (!dead.isEmpty()) {
			log.warn("Dead-lettered {} invalid outbox row(s): {}", dead.size(), dead);
		}
		if (!failures.isEmpty()) {
			log.warn("Publishing {} outbox row(s) failed, will retry with backoff: {}", failures.size(),
					failures.values().iterator().next());
		}
	}

}
