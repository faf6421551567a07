package com.ecommerce.eventhub.consumers;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.stereotype.Component;

/** Per-route consumer counters ({@code eventhub_consumer_*_total{route}}). */
@Component
class ConsumerMetrics {

	private final MeterRegistry meters;

	ConsumerMetrics(MeterRegistry meters) {
		this.meters = meters;
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

}
