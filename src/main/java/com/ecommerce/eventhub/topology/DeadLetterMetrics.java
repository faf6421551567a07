package com.ecommerce.eventhub.topology;

import com.ecommerce.eventhub.envelope.EventTypes;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.stereotype.Component;

/**
 * Counts dead letters by event type and by the route that gave up
 * ({@code eventhub_dead_letters_total{event_type, route}}): any increase deserves an
 * alert.
 */
@Component
public class DeadLetterMetrics {

	private final MeterRegistry meters;

	public DeadLetterMetrics(MeterRegistry meters) {
		this.meters = meters;
	}

	/**
	 * Records dead letters that reached the dead-letter queue (confirmed by the broker).
	 * @param eventType the event's type; an unknown or missing one is counted as
	 * {@code other}
	 * @param route the route that gave up
	 * @param count how many
	 */
	public void deadLettered(String eventType, String route, int count) {
		Counter.builder("eventhub.dead.letters")
			.description("Messages put on the dead-letter queue")
			// The type comes from the message (anyone with broker access sets it): only
			// known types
			// become a tag value, so the series stay bounded.
			.tag("event_type", (eventType != null && EventTypes.ALL.contains(eventType)) ? eventType : "other")
			.tag("route", route)
			.register(this.meters)
			.increment(count);
	}

}
