package com.ecommerce.eventhub.topology;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;

import com.ecommerce.eventhub.envelope.EventTypes;
import io.micrometer.core.instrument.Timer;

/**
 * The shape both lag histograms share ({@code eventhub_publish_lag_seconds} of the relay,
 * {@code eventhub_consumer_lag_seconds} of the consumer routes): the same SLO buckets, an
 * {@code event_type} tag bounded to the known types, and a lag that is never negative.
 * Also the wire header that carries the publish time from the relay to the consumers.
 */
public final class EventLag {

	/**
	 * AMQP header the relay sets on every event it publishes: when it published it,
	 * ISO-8601 UTC with milliseconds. Named like the dead-letter headers, so a dead
	 * letter keeps it and a replay (which drops {@code x-} headers) does not carry a
	 * stale one.
	 */
	public static final String PUBLISHED_AT_HEADER = "x-published-at";

	/**
	 * The histograms' upper bucket bounds ({@code le}): 50 ms to 5 min. An alert on a
	 * quantile is exact only at a bound, so SLO thresholds are chosen among them.
	 */
	public static final Duration[] BUCKETS = { Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
			Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5),
			Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(60), Duration.ofSeconds(300) };

	/** Value of the {@code event_type} tag for a type the hub does not know. */
	public static final String OTHER = "other";

	/** The longest header value read: an ISO instant is at most about 30 characters. */
	private static final int MAX_HEADER_LENGTH = 64;

	private EventLag() {
	}

	/**
	 * A lag histogram's builder, with the buckets and the bounded {@code event_type} tag.
	 * @param name the meter name, e.g. {@code eventhub.publish.lag}
	 * @param description what it measures
	 * @param eventType the event's type, from the event (unbounded input)
	 * @return the builder; the caller adds further tags and registers it
	 */
	public static Timer.Builder timer(String name, String description, String eventType) {
		return Timer.builder(name)
			.description(description)
			.tag("event_type", eventTypeTag(eventType))
			.serviceLevelObjectives(BUCKETS)
			.publishPercentileHistogram(false);
	}

	/**
	 * @param eventType an event type from a message or row (anyone may write one)
	 * @return the type when the hub knows it, else {@code other}: the series stay bounded
	 */
	public static String eventTypeTag(String eventType) {
		return (eventType != null && EventTypes.ALL.contains(eventType)) ? eventType : OTHER;
	}

	/**
	 * The lag from one point in an event's life to a later one.
	 * @param from when it started (occurred, published), or null when unknown
	 * @param to when it ended
	 * @return the time between, zero when {@code from} is later (clocks of producers and
	 * instances are not in step) or unknown
	 */
	public static Duration between(Instant from, Instant to) {
		if (from == null || !from.isBefore(to)) {
			return Duration.ZERO;
		}
		return Duration.between(from, to);
	}

	/**
	 * @param publishedAt when the relay publishes an event
	 * @return the value of {@link #PUBLISHED_AT_HEADER}
	 */
	public static String publishedAtHeader(Instant publishedAt) {
		return DateTimeFormatter.ISO_INSTANT.format(publishedAt.truncatedTo(ChronoUnit.MILLIS));
	}

	/**
	 * Reads {@link #PUBLISHED_AT_HEADER} from a consumed message.
	 * @param header the header's value as the message carries it (anyone with broker
	 * access can set it), or null
	 * @return the publish time, or null when the header is missing or not an ISO-8601
	 * instant
	 */
	public static Instant publishedAt(Object header) {
		if (!(header instanceof CharSequence text) || text.length() > MAX_HEADER_LENGTH) {
			return null;
		}
		try {
			return Instant.parse(text);
		}
		catch (DateTimeParseException ex) {
			return null;
		}
	}

}
