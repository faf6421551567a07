package com.ecommerce.eventhub.consumers;

import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import com.ecommerce.eventhub.topology.EventLag;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import org.springframework.stereotype.Component;

/**
 * Per-route consumer counters ({@code eventhub_consumer_*_total{route}}) and the consumer
 * lag histogram ({@code eventhub_consumer_lag_seconds{event_type, route}}).
 */
@Component
class ConsumerMetrics {

	private final MeterRegistry meters;

	private final Clock clock;

	/**
	 * Lag timers by route and event-type tag, looked up once each: both sets are bounded
	 * (routes are configured, unknown types share {@code other}).
	 */
	private final Map<LagKey, Timer> lagTimers = new ConcurrentHashMap<>();

	ConsumerMetrics(MeterRegistry meters, Clock clock) {
		this.meters = meters;
		this.clock = clock;
	}

	/**
	 * Registers a route's counters at zero, so they are on /actuator/prometheus before
	 * the first event.
	 * @param route the consumer route id
	 */
	void register(String route) {
		counter("eventhub.consumer.handled", "Events a consumer route handled", route);
		counter("eventhub.consumer.duplicates", "Redelivered or duplicated events skipped by eventId", route);
		counter("eventhub.consumer.failed", "Failed handling attempts", route);
		counter("eventhub.consumer.retried", "Redeliveries after a failed attempt", route);
	}

	void handled(String route) {
		counter("eventhub.consumer.handled", "Events a consumer route handled", route).increment();
	}

	/**
	 * Counts an event the route handled and records its consumer lag.
	 * @param route the consumer route id
	 * @param eventType the event's type
	 * @param publishedAt when the relay published it
	 * ({@link EventLag#PUBLISHED_AT_HEADER}), or null when the message does not say
	 * (published by someone else, or a replayed dead letter): then no lag is recorded
	 */
	void handled(String route, String eventType, Instant publishedAt) {
		handled(route);
		if (publishedAt != null) {
			lagTimer(route, eventType).record(EventLag.between(publishedAt, this.clock.instant()));
		}
	}

	private Timer lagTimer(String route, String eventType) {
		return this.lagTimers
			.computeIfAbsent(new LagKey(route, EventLag.eventTypeTag(eventType)),
					key -> EventLag.timer("eventhub.consumer.lag",
							"Time from an event's publish by the relay to its successful handling by a consumer route",
							key.eventType())
						.tag("route", key.route())
						.register(this.meters));
	}

	void duplicate(String route) {
		counter("eventhub.consumer.duplicates", "Redelivered or duplicated events skipped by eventId", route)
			.increment();
	}

	void failedAttempt(String route) {
		counter("eventhub.consumer.failed", "Failed handling attempts", route).increment();
	}

	void retried(String route) {
		counter("eventhub.consumer.retried", "Redeliveries after a failed attempt", route).increment();
	}

	private Counter counter(String name, String description, String route) {
		return Counter.builder(name).description(description).tag("route", route).register(this.meters);
	}

	private record LagKey(String route, String eventType) {
	}

}
